package oidc

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validConfig() Config {
	return Config{
		Issuer:      "https://id.example.com",
		ClientID:    "driftmgr",
		RedirectURL: "https://driftmgr.example.com" + CallbackPath,
		Mappings:    []Mapping{{Tenant: "acme", Group: "ops", Role: RoleAdmin}},
	}
}

func TestConfigDefaults(t *testing.T) {
	c := validConfig()
	require.NoError(t, c.Validate())
	assert.Equal(t, DefaultGroupsClaim, c.GroupsClaim)
	assert.Equal(t, DefaultSessionTTL, c.SessionTTL)
	assert.Equal(t, []string{"openid", "profile", "email"}, c.Scopes)
	assert.True(t, c.secure())
	assert.True(t, c.SSO())

	c = validConfig()
	c.Scopes = []string{"email", "groups"}
	require.NoError(t, c.Validate())
	assert.Equal(t, []string{"openid", "email", "groups"}, c.Scopes, "openid is always asked for")
}

func TestConfigValidate(t *testing.T) {
	no := false
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string // "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"password only", func(c *Config) { *c = Config{AllowPasswordLogin: true} }, ""},
		{"no way in", func(c *Config) { *c = Config{} }, "issuer: required unless allow_password_login is set"},
		{"http issuer", func(c *Config) { c.Issuer = "http://id.example.com" }, "issuer: \"http://id.example.com\" must be https"},
		{"http issuer on loopback", func(c *Config) { c.Issuer = "http://127.0.0.1:5556" }, ""},
		{"http issuer on localhost", func(c *Config) { c.Issuer = "http://localhost:5556/dex" }, ""},
		{"relative issuer", func(c *Config) { c.Issuer = "id.example.com" }, "issuer: \"id.example.com\" is not an absolute http(s) URL"},
		{"issuer with query", func(c *Config) { c.Issuer = "https://id.example.com/?x=1" }, "must not have a query or fragment"},
		{"issuer not a URL", func(c *Config) { c.Issuer = "https://id.example.com/%zz" }, "issuer: not a URL"},
		{"no client id", func(c *Config) { c.ClientID = "" }, "client_id: required with an issuer"},
		{"no redirect url", func(c *Config) { c.RedirectURL = "" }, "redirect_url: required with an issuer"},
		{"redirect url elsewhere", func(c *Config) { c.RedirectURL = "https://driftmgr.example.com/callback" }, "redirect_url: path must be /auth/oidc/callback"},
		{"http redirect with secure cookies", func(c *Config) { c.RedirectURL = "http://driftmgr.example.com" + CallbackPath }, "redirect_url: \"http://driftmgr.example.com/auth/oidc/callback\" must be https"},
		{"http redirect with insecure cookies", func(c *Config) {
			c.RedirectURL = "http://driftmgr.example.com" + CallbackPath
			c.CookieSecure = &no
		}, ""},
		{"no mappings yet", func(c *Config) { c.Mappings = nil }, ""},
		{"mapping without tenant", func(c *Config) { c.Mappings = []Mapping{{Group: "ops", Role: RoleAdmin}} }, "mappings[0].tenant: required"},
		{"mapping without group", func(c *Config) { c.Mappings = append(c.Mappings, Mapping{Tenant: "acme", Role: RoleAdmin}) }, "mappings[1].group: required"},
		{"mapping with unknown role", func(c *Config) { c.Mappings = []Mapping{{Tenant: "acme", Group: "ops", Role: "owner"}} }, "mappings[0].role: \"owner\" is not one of viewer, operator, admin"},
		{"any tenant without tenant claim", func(c *Config) { c.Mappings = []Mapping{{Tenant: AnyTenant, Group: "ops", Role: RoleViewer}} }, "mappings[0].tenant: \"*\" needs tenant_claim"},
		{"any tenant with tenant claim", func(c *Config) {
			c.Mappings = []Mapping{{Tenant: AnyTenant, Group: "ops", Role: RoleViewer}}
			c.TenantClaim = "org"
		}, ""},
		{"negative ttl", func(c *Config) { c.SessionTTL = -time.Hour }, "session_ttl: must be positive"},
		{"negative idle timeout", func(c *Config) { c.IdleTimeout = -time.Hour }, "idle_timeout: must be positive or zero"},
		{"short state key", func(c *Config) { c.StateKey = []byte("short") }, "state_key: must be 32 bytes, got 5"},
		{"allowed origin with path", func(c *Config) { c.AllowedOrigins = []string{"https://a.example.com/console"} }, "allowed_origins[0]: \"https://a.example.com/console\" is not an origin"},
		{"allowed origin", func(c *Config) { c.AllowedOrigins = []string{"https://a.example.com:8443"} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.mod(&c)
			err := c.Validate()
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNewRefuses(t *testing.T) {
	_, err := New(Config{}, NewMemoryStore(), nil)
	assert.ErrorIs(t, err, ErrConfig)
	_, err = New(validConfig(), nil, nil)
	assert.ErrorIs(t, err, ErrConfig)
	c := validConfig()
	c.AllowPasswordLogin = true
	_, err = New(c, NewMemoryStore(), nil)
	assert.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "allow_password_login")
}
