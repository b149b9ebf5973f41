package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/testcluster"
)

// ctl runs `driftmgr ctl ...` in-process and returns its exit code,
// stdout and stderr.
func ctl(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := Run(ctx, append([]string{"ctl"}, args...), Streams{Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// TestCtlAgainstACluster drives every ctl command against a real
// controller over TLS: bootstrap, members, health, join tokens, agents
// and findings, and the errors an operator sees.
func TestCtlAgainstACluster(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(caFile, c.CA.CertPEM, 0o600))
	env := map[string]string{"DRIFTMGR_ADDR": c.URL(0), "DRIFTMGR_CA_FILE": caFile, "DRIFTMGR_API_KEY": ""}

	code, out, errb := ctl(t, env, "bootstrap", "--tenant", "acme")
	require.Equal(t, ExitInSync, code, errb)
	key := regexp.MustCompile(`dm_\S+`).FindString(out)
	require.NotEmpty(t, key)
	code, _, errb = ctl(t, env, "bootstrap")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "already bootstrapped")

	env["DRIFTMGR_API_KEY"] = key
	code, out, errb = ctl(t, env, "members")
	require.Equal(t, ExitInSync, code, errb)
	assert.Regexp(t, `ctl-1\s+alive\s+true\s+true`, out)
	code, out, _ = ctl(t, env, "health")
	require.Equal(t, ExitInSync, code)
	assert.Regexp(t, `"raftState":\s+"Leader"`, out)

	code, out, errb = ctl(t, env, "tokens", "create", "--uses", "3", "--ttl", "10m", "--description", "ci")
	require.Equal(t, ExitInSync, code, errb)
	assert.Regexp(t, `join token \(shown once\): dmjt_\S+`, out)
	assert.Contains(t, out, "CA pin: sha256:")
	code, out, _ = ctl(t, env, "tokens", "list")
	require.Equal(t, ExitInSync, code)
	id := regexp.MustCompile(`(?m)^([a-z2-7]{12})\s+0/3`).FindStringSubmatch(out)
	require.NotNil(t, id, out)
	code, _, errb = ctl(t, env, "tokens", "delete", id[1])
	require.Equal(t, ExitInSync, code, errb)
	code, _, errb = ctl(t, env, "tokens", "delete", id[1])
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "not found")

	code, out, _ = ctl(t, env, "agents", "list")
	require.Equal(t, ExitInSync, code)
	assert.Contains(t, out, "ID")
	code, _, errb = ctl(t, env, "agents", "scan", "agt-nope")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "not found")
	code, _, errb = ctl(t, env, "agents", "revoke", "agt-nope")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "not found")

	code, out, errb = ctl(t, env, "findings", "list", "--kind", "modified", "--severity", "critical", "--status", "open", "--type", "aws_instance")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "0 of 0 findings")
	code, out, _ = ctl(t, env, "--json", "findings", "list")
	require.Equal(t, ExitInSync, code)
	var js map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &js), out)
	for _, bad := range [][]string{{"--kind", "weird"}, {"--severity", "urgent"}, {"--status", "closed"}} {
		code, _, errb = ctl(t, env, append([]string{"findings", "list"}, bad...)...)
		assert.Equal(t, ExitError, code)
		assert.Contains(t, errb, bad[0])
	}
	code, _, errb = ctl(t, env, "findings", "list", "--order-by", "colour")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "order_by")
	code, _, errb = ctl(t, env, "findings", "get", "f-nope")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "not found")
	code, _, errb = ctl(t, env, "findings", "ack", "f-nope", "--note", "seen")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "not found")

	// Wrong credentials and addresses are named.
	env["DRIFTMGR_API_KEY"] = "dm_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	code, _, errb = ctl(t, env, "agents", "list")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "api key is not valid")
	code, _, errb = ctl(t, map[string]string{"DRIFTMGR_ADDR": "ftp://x"}, "members")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "--addr")
	code, _, errb = ctl(t, map[string]string{"DRIFTMGR_ADDR": c.URL(0), "DRIFTMGR_CA_FILE": filepath.Join(dir, "nope.pem")}, "members")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "--ca-file")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("nope"), 0o600))
	code, _, errb = ctl(t, map[string]string{"DRIFTMGR_ADDR": c.URL(0), "DRIFTMGR_CA_FILE": filepath.Join(dir, "bad.pem")}, "members")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "no PEM certificate")
}

// TestTLSAndControllerCommands creates a CA, a controller certificate and
// a gossip key with `driftmgr tls`, starts `driftmgr controller` from a
// YAML config built on them, and talks to it with ctl.
func TestTLSAndControllerCommands(t *testing.T) {
	dir := t.TempDir()
	tlsDir := filepath.Join(dir, "tls")
	run := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := Run(context.Background(), args, Streams{Out: &out, Err: &errb})
		return code, out.String(), errb.String()
	}
	code, out, errb := run("tls", "ca", "create", "--dir", tlsDir)
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "CA pin for agents: sha256:")
	code, _, errb = run("tls", "ca", "create", "--dir", tlsDir)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "refusing to replace a CA")
	code, _, errb = run("tls", "cert", "create", "--dir", tlsDir, "--name", "ctl-1", "--host", "127.0.0.1")
	require.Equal(t, ExitInSync, code, errb)
	code, _, errb = run("tls", "cert", "create", "--dir", tlsDir)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "--name is required")
	code, _, errb = run("tls", "cert", "create", "--dir", tlsDir, "--name", "ctl-2", "--host", "*.example.com")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "*.example.com")
	code, out, _ = run("tls", "gossip-key")
	require.Equal(t, ExitInSync, code)
	key := strings.TrimSpace(out)
	assert.Len(t, key, 44)

	ports := make([]string, 3)
	for i := range ports {
		p, err := devPort()
		require.NoError(t, err)
		ports[i] = p
	}
	cfg := fmt.Sprintf(`name: ctl-1
data_dir: %s
raft_addr: %s
gossip_addr: %s
api_addr: %s
bootstrap_expect: 1
gossip_key: %s
log_level: warn
tls: {ca_file: %s, ca_key_file: %s, cert_file: %s, key_file: %s}
`, filepath.Join(dir, "data"), ports[0], ports[1], ports[2], key, filepath.Join(tlsDir, "ca.pem"), filepath.Join(tlsDir, "ca-key.pem"),
		filepath.Join(tlsDir, "ctl-1.pem"), filepath.Join(tlsDir, "ctl-1-key.pem"))
	path := filepath.Join(dir, "controller.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var cerr syncBuffer
	go func() { done <- Run(ctx, []string{"controller", "--config", path}, Streams{Out: &cerr, Err: &cerr}) }()
	env := map[string]string{"DRIFTMGR_ADDR": "https://" + ports[2], "DRIFTMGR_CA_FILE": filepath.Join(tlsDir, "ca.pem"), "DRIFTMGR_API_KEY": ""}
	require.Eventually(t, func() bool {
		code, _, _ := ctl(t, env, "bootstrap")
		return code == ExitInSync
	}, 30*time.Second, 100*time.Millisecond, "controller log: %s", cerr.String())
	stop()
	select {
	case code := <-done:
		assert.Equal(t, ExitInSync, code, cerr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("controller did not stop")
	}

	for _, tc := range []struct{ name, yaml, want string }{
		{"missing fields", "name: x\n", "data_dir is required"},
		{"unknown field", "nmae: x\n", "field nmae not found"},
		{"bad gossip key", strings.Replace(cfg, "gossip_key: "+key, "gossip_key: '%%%'", 1), "gossip_key: not base64"},
		{"missing ca", strings.Replace(cfg, filepath.Join(tlsDir, "ca.pem"), filepath.Join(tlsDir, "nope.pem"), 1), "tls.ca_file"},
		{"bad expect", strings.Replace(cfg, "bootstrap_expect: 1", "bootstrap_expect: 2", 1), "bootstrap_expect 2"},
		{"bad quota", cfg + "quotas:\n  tenants:\n    acme:\n      burst: 5\n", "quota: tenants.acme.burst: needs requests_per_second"},
		{"unknown quota field", cfg + "quotas:\n  default:\n    rps: 5\n", "field rps not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			require.NoError(t, os.WriteFile(p, []byte(tc.yaml), 0o600))
			code, _, errb := run("controller", "--config", p)
			assert.Equal(t, ExitError, code)
			assert.Contains(t, errb, tc.want)
		})
	}
	code, _, errb = run("controller")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "--config is required")
}
