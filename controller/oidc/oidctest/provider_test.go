package oidctest

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNotInTheBinary: the test provider, and zitadel with it, stays out
// of the driftmgr binary; only _test.go files import this package.
func TestNotInTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/driftmgr/driftmgr/cmd/driftmgr").CombinedOutput()
	require.NoError(t, err, string(out))
	deps := map[string]bool{}
	for _, d := range strings.Fields(string(out)) {
		deps[d] = true
		assert.False(t, strings.HasPrefix(d, "github.com/zitadel/"), "%s is linked into driftmgr", d)
	}
	require.True(t, deps["github.com/driftmgr/driftmgr/controller/oidc"], "the list does not look like driftmgr's")
	assert.False(t, deps["github.com/driftmgr/driftmgr/controller/oidc/oidctest"], "oidctest is linked into driftmgr")
}
