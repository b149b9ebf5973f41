package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The test binary doubles as the driftmgr binary: re-executed with
// DRIFTMGR_TEST_MAIN=1 it runs main, so the tests see real exit codes and
// real standard streams without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("DRIFTMGR_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func driftmgr(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "DRIFTMGR_TEST_MAIN=1")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errb.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	ex := func(name string) string { return filepath.Join("..", "..", "examples", name) }
	code, out, _ := driftmgr(t, "scan", "--state", ex("terraform.tfstate"), "--live", ex("live.json"), "--driftignore", ex(".driftignore"))
	assert.Equal(t, 1, code, "drift found")
	assert.Contains(t, out, "Drift detected in 6 resources")

	code, _, stderr := driftmgr(t, "scan", "--state", ex("live.json"), "--live", ex("live.json"))
	assert.Equal(t, 2, code, "a live inventory is not a state")
	assert.Contains(t, stderr, "live.json")

	dir := t.TempDir()
	inv := filepath.Join(dir, "inv.json")
	code, out, _ = driftmgr(t, "state", "list", "-o", "json", ex("terraform.tfstate"))
	require.Equal(t, 0, code)
	require.NoError(t, os.WriteFile(inv, []byte(out), 0o644))
	code, out, _ = driftmgr(t, "scan", "--state", ex("terraform.tfstate"), "--live", inv)
	assert.Equal(t, 0, code, out)
}
