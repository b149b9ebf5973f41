package cli

import (
	"context"
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

// TestCtlTenancy drives `ctl tenant|project|user|service-account|key|role`
// against a real controller: the platform owner from bootstrap sets up a
// tenant and its admin, who then works in it with its own key.
func TestCtlTenancy(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, c.CA.CertPEM, 0o600))
	env := map[string]string{"DRIFTMGR_ADDR": c.URL(0), "DRIFTMGR_CA_FILE": caFile, "DRIFTMGR_API_KEY": "", "DRIFTMGR_TENANT": ""}
	for k, v := range env {
		t.Setenv(k, v)
	}
	// run runs ctl with stdin and the given key.
	run := func(stdin, key string, args ...string) (int, string, string) {
		t.Helper()
		t.Setenv("DRIFTMGR_API_KEY", key)
		var out, errb strings.Builder
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		code := Run(ctx, append([]string{"ctl"}, args...), Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
		return code, out.String(), errb.String()
	}
	keyRE := regexp.MustCompile(`dm_[a-z2-7]{12}_[a-z2-7]{32}`)

	code, out, errb := run("", "", "bootstrap")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "platform owner")
	owner := keyRE.FindString(out)
	require.NotEmpty(t, owner)

	code, out, errb = run("", owner, "tenant", "create", "acme", "--name", "Acme Corp", "--max-agents", "10")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "tenant acme created")
	code, out, _ = run("", owner, "tenant", "list")
	require.Equal(t, ExitInSync, code)
	assert.Regexp(t, `acme\s+Acme Corp\s+false`, out)
	assert.Regexp(t, `default\s+default\s+false`, out)

	// The owner works in acme with --tenant.
	code, _, errb = run("tiny\ntiny\n", owner, "--tenant", "acme", "user", "create", "alice", "--role", "admin")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "password: at least 12 characters (got 4)")
	code, _, errb = run("correct horse battery\n", owner, "--tenant", "acme", "user", "create", "alice", "--role", "admin")
	require.Equal(t, ExitInSync, code, errb)
	code, _, errb = run("", owner, "--tenant", "acme", "user", "create", "bob")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "password for bob: want one line on standard input")
	code, out, errb = run("", owner, "--tenant", "acme", "key", "create", "--user", "alice", "--ttl", "720h", "--description", "laptop")
	require.Equal(t, ExitInSync, code, errb)
	assert.Regexp(t, `API key [a-z2-7]{12} \(tenant acme, admin, expires \S+\), shown once:`, out)
	alice := keyRE.FindString(out)
	require.NotEmpty(t, alice)

	// alice is acme's admin; she cannot see other tenants.
	code, out, _ = run("", alice, "whoami")
	require.Equal(t, ExitInSync, code)
	assert.Regexp(t, `tenant\s+acme`, out)
	assert.Regexp(t, `role\s+admin`, out)
	code, _, errb = run("", alice, "tenant", "list")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "it needs tenants.manage")
	code, _, errb = run("", alice, "--tenant", "default", "user", "list")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "only a platform owner may act in another tenant")

	code, _, errb = run("correct horse battery\n", alice, "user", "create", "bob", "--email", "bob@example.com")
	require.Equal(t, ExitInSync, code, errb)
	code, out, _ = run("", alice, "user", "list")
	require.Equal(t, ExitInSync, code)
	assert.Regexp(t, `usr-\S+\s+alice\s+admin\s+local\s+false`, out)
	assert.Regexp(t, `usr-\S+\s+bob\s+viewer\s+local\s+false\s+bob@example.com`, out)
	code, out, errb = run("", alice, "user", "set-role", "bob", "operator")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "user bob role set")
	code, _, errb = run("", alice, "user", "set-role", "bob", "god")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, `role "god": want viewer, operator, admin or owner`)
	code, _, errb = run("", alice, "user", "set-role", "zed", "viewer")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, `user "zed": no user with that username`)
	code, out, errb = run("", alice, "user", "disable", "bob")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "user bob disabled")
	// Her own password: the current one first, then the new one twice.
	code, _, errb = run("correct horse battery\na better passphrase\n", alice, "user", "passwd", "alice")
	require.Equal(t, ExitInSync, code, errb)
	code, _, errb = run("wrong current password\nanother passphrase\n", alice, "user", "passwd", "alice")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "current_password: does not match")

	code, _, errb = run("", alice, "project", "create", "prod", "--account", "aws:123456789012:prod", "--account", "gcp:acme-prod")
	require.Equal(t, ExitInSync, code, errb)
	code, _, errb = run("", alice, "project", "create", "dev", "--account", "aws")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, `--account "aws": want PROVIDER:ACCOUNT_ID[:NAME]`)
	code, out, _ = run("", alice, "project", "list")
	require.Equal(t, ExitInSync, code)
	assert.Regexp(t, `prod\s+prod\s+aws:123456789012,gcp:acme-prod`, out)
	code, out, errb = run("", alice, "tokens", "create", "--project", "prod")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "join token (shown once)")
	code, _, errb = run("", alice, "tokens", "create", "--project", "nope")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, `project "nope" not found`)

	code, _, errb = run("", alice, "service-account", "create", "ci", "--role", "operator", "--description", "pipelines")
	require.Equal(t, ExitInSync, code, errb)
	code, out, errb = run("", alice, "key", "create", "--service-account", "ci")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "operator, never expires")
	ci := keyRE.FindString(out)
	code, _, errb = run("", alice, "key", "create")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "--user or --service-account: give exactly one")
	code, _, errb = run("", alice, "key", "create", "--service-account", "ci", "--role", "admin")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "role admin exceeds the operator role of service account ci")
	code, out, _ = run("", alice, "key", "list")
	require.Equal(t, ExitInSync, code)
	assert.Regexp(t, `user:usr-\S+\s+admin\s+\S+\s+\S+\s+\S+\s+no\s+laptop`, out)
	ciID := regexp.MustCompile(`(?m)^([a-z2-7]{12})\s+sa:ci`).FindStringSubmatch(out)
	require.NotNil(t, ciID, out)
	code, out, errb = run("", alice, "key", "revoke", ciID[1])
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "revoked")
	code, _, errb = run("", ci, "whoami")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "api key is revoked")

	code, out, errb = run("", alice, "role", "list")
	require.Equal(t, ExitInSync, code, errb)
	assert.Regexp(t, `ACTION\s+VIEWER\s+OPERATOR\s+ADMIN\s+OWNER\s+DESCRIPTION`, out)
	assert.Regexp(t, `findings\.read\s+yes\s+yes\s+yes\s+yes`, out)
	assert.Regexp(t, `findings\.ack\s+-\s+yes\s+yes\s+yes`, out)
	assert.Regexp(t, `tenants\.manage\s+-\s+-\s+-\s+yes`, out)
	assert.NotContains(t, out, "controller ")

	code, out, errb = run("", alice, "settings", "password-login", "off")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "password sign-in off for tenant acme")
	code, _, errb = run("", alice, "settings", "password-login", "maybe")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, `password-login "maybe": want on or off`)
	code, out, errb = run("", alice, "settings", "password-login", "on")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "password sign-in on")

	code, out, errb = run("", owner, "tenant", "disable", "acme")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "tenant acme disabled")
	code, _, errb = run("", alice, "whoami")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "tenant acme is disabled")
	code, _, _ = run("", owner, "tenant", "enable", "acme")
	require.Equal(t, ExitInSync, code)
	code, _, errb = run("", alice, "whoami")
	require.Equal(t, ExitInSync, code, errb)
	code, _, errb = run("", owner, "--tenant", "initech", "user", "list")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, `tenant "initech" not found`)
}
