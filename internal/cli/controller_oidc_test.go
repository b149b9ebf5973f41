package cli

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/oidc"
)

// TestControllerOIDCConfig reads controller.yaml's oidc section: every
// key, the secret from the environment, the state key, and refusals that
// name the field.
func TestControllerOIDCConfig(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	full := `oidc:
  issuer: https://idp.example.com
  client_id: driftmgr-console
  redirect_url: https://driftmgr.example.com/auth/oidc/callback
  scopes: [profile, email, groups]
  groups_claim: realm_access.roles
  tenant_claim: org
  mappings:
    - {tenant: acme, group: acme-admins, role: admin}
    - {tenant: "*", group: engineers, role: operator}
  cookie_secure: true
  session_ttl: 8h
  idle_timeout: 30m
  allow_password_login: true
  allowed_origins: [https://console.example.com]
  state_key: ` + key + "\n"
	load := func(t *testing.T, text string) (*oidc.Config, error) {
		t.Helper()
		p := filepath.Join(t.TempDir(), "controller.yaml")
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		var cc controllerConfig
		if err := loadYAML(p, &cc); err != nil {
			return nil, err
		}
		require.NotNil(t, cc.OIDC)
		return cc.OIDC.config()
	}

	t.Setenv(oidcSecretEnv, "from-the-env")
	c, err := load(t, full)
	require.NoError(t, err)
	assert.Equal(t, "https://idp.example.com", c.Issuer)
	assert.Equal(t, "driftmgr-console", c.ClientID)
	assert.Equal(t, "from-the-env", c.ClientSecret, "client_secret may come from "+oidcSecretEnv)
	assert.Equal(t, []string{"openid", "profile", "email", "groups"}, c.Scopes)
	assert.Equal(t, "realm_access.roles", c.GroupsClaim)
	assert.Equal(t, "org", c.TenantClaim)
	assert.Equal(t, []oidc.Mapping{{Tenant: "acme", Group: "acme-admins", Role: "admin"}, {Tenant: "*", Group: "engineers", Role: "operator"}}, c.Mappings)
	require.NotNil(t, c.CookieSecure)
	assert.True(t, *c.CookieSecure)
	assert.Equal(t, 8*time.Hour, c.SessionTTL)
	assert.Equal(t, 30*time.Minute, c.IdleTimeout)
	assert.True(t, c.AllowPasswordLogin)
	assert.Equal(t, []string{"https://console.example.com"}, c.AllowedOrigins)
	assert.Equal(t, []byte(strings.Repeat("k", 32)), c.StateKey)

	c, err = load(t, strings.Replace(full, "  client_id:", "  client_secret: in-the-file\n  client_id:", 1))
	require.NoError(t, err)
	assert.Equal(t, "in-the-file", c.ClientSecret, "the file wins over the environment")

	// Password login alone needs nothing else; defaults fill in.
	c, err = load(t, "oidc:\n  allow_password_login: true\n")
	require.NoError(t, err)
	assert.False(t, c.SSO())
	assert.Equal(t, oidc.DefaultSessionTTL, c.SessionTTL)
	assert.Nil(t, c.StateKey, "derived from the CA key at start")

	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "oidc:\n  isuer: https://idp.example.com\n", "field isuer not found"},
		{"no way in", "oidc:\n  session_ttl: 1h\n", "issuer: required unless allow_password_login is set"},
		{"no client", strings.Replace(full, "  client_id: driftmgr-console\n", "", 1), "client_id: required with an issuer"},
		{"bad role", strings.Replace(full, "role: operator", "role: root", 1), `mappings[1].role: "root"`},
		{"bad state key", strings.Replace(full, key, "not base64!", 1), "oidc.state_key: not base64"},
		{"short state key", strings.Replace(full, key, base64.StdEncoding.EncodeToString([]byte("short")), 1), "oidc.state_key: want 32 bytes, got 5"},
		{"bad duration", strings.Replace(full, "8h", "a day", 1), "a day"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.yaml)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
