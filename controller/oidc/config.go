package oidc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Roles a session can carry, lowest first; each includes the ones before
// it. They are the names controller.ParseRole reads.
const (
	RoleViewer   = "viewer"
	RoleOperator = "operator"
	RoleAdmin    = "admin"
	// RoleOwner, the platform owner, signs in with a local password only:
	// no group mapping grants it, since a mapping is per tenant and an
	// owner acts in every tenant.
	RoleOwner = "owner"
)

// roleRank orders the roles; 0 is no role.
func roleRank(role string) int {
	switch role {
	case RoleViewer:
		return 1
	case RoleOperator:
		return 2
	case RoleAdmin:
		return 3
	case RoleOwner:
		return 4
	}
	return 0
}

// AnyTenant as a Mapping's tenant stands for the tenant the provider names
// in Config.TenantClaim, so one mapping serves every tenant of a provider
// that carries the tenant in its tokens.
const AnyTenant = "*"

// Defaults applied by Config.Validate.
const (
	DefaultGroupsClaim = "groups"
	DefaultSessionTTL  = 12 * time.Hour
)

// Mapping gives the members of one provider group a role in one tenant.
type Mapping struct {
	// Tenant is a tenant id, or AnyTenant with Config.TenantClaim set.
	Tenant string `yaml:"tenant" json:"tenant"`
	// Group is a value of the groups claim, compared exactly.
	Group string `yaml:"group" json:"group"`
	// Role is RoleViewer, RoleOperator or RoleAdmin.
	Role string `yaml:"role" json:"role"`
}

// Config is the console's sign-in settings.
type Config struct {
	// Issuer is the OpenID provider's issuer URL, exactly as its discovery
	// document states it. https, or http on a loopback host for local
	// testing. Empty turns single sign-on off: password login only.
	Issuer string `yaml:"issuer"`
	// ClientID is the client registered at the provider.
	ClientID string `yaml:"client_id"`
	// ClientSecret may stay empty for a public client: PKCE then stands
	// in for it.
	ClientSecret string `yaml:"client_secret"`
	// RedirectURL is the absolute URL of CallbackPath as the browser sees
	// the console, registered at the provider.
	RedirectURL string `yaml:"redirect_url"`
	// Scopes requested; "openid" is added when missing. Default: openid,
	// profile, email.
	Scopes []string `yaml:"scopes"`
	// GroupsClaim names the claim listing the user's groups; a dotted path
	// ("realm_access.roles") reaches into nested objects when no claim has
	// the whole name. Default "groups".
	GroupsClaim string `yaml:"groups_claim"`
	// TenantClaim, if set, names a claim holding the tenant id: sign-in is
	// then to that tenant only.
	TenantClaim string `yaml:"tenant_claim"`
	// Mappings give provider groups a role per tenant. A user in several
	// groups gets the highest role per tenant; a user no mapping matches is
	// refused. They may start empty and be set later (Handler.SetMappings),
	// e.g. from each tenant's replicated settings.
	Mappings []Mapping `yaml:"mappings"`
	// CookieSecure marks cookies Secure and gives the session cookie the
	// __Host- prefix. nil means true; set false only for local development
	// over plain http.
	CookieSecure *bool `yaml:"cookie_secure"`
	// SessionTTL is how long a session lasts from sign-in. Default 12h.
	SessionTTL time.Duration `yaml:"session_ttl"`
	// IdleTimeout, if set, ends a session unused for that long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// AllowPasswordLogin turns on POST /auth/password. It needs a
	// PasswordVerifier; Handler.SetPasswordLogin turns it on and off later.
	AllowPasswordLogin bool `yaml:"allow_password_login"`
	// AllowedOrigins lists more origins (scheme://host[:port]) allowed to
	// make unsafe requests, besides RedirectURL's and the request's own host.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// StateKey, 32 bytes, seals the login-flow cookie. Every controller
	// must share it so a callback can land on any of them; nil picks a
	// random key per process, which is enough for one controller.
	StateKey []byte `yaml:"-"`
	// Admit, if set, is called after a single sign-on mapped its identity
	// and before the session starts: the tenancy layer records the user
	// there and may rename it (Identity.UserID becomes its own user id) or
	// refuse it with Refuse. Any other error fails the sign-in as a server
	// error.
	Admit func(ctx context.Context, id Identity, issuer string) (Identity, error) `yaml:"-"`
	// HTTPClient talks to the provider (discovery, keys, token, userinfo).
	// Default http.DefaultClient.
	HTTPClient *http.Client `yaml:"-"`
	Logger     *slog.Logger `yaml:"-"`
}

// SSO reports whether single sign-on is configured.
func (c *Config) SSO() bool { return c.Issuer != "" }

func (c *Config) secure() bool { return c.CookieSecure == nil || *c.CookieSecure }

// Validate fills in defaults and checks the settings; each error names the
// field at fault (by its YAML key) and wraps ErrConfig.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...)))
	}
	if c.GroupsClaim == "" {
		c.GroupsClaim = DefaultGroupsClaim
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	if len(c.Scopes) == 0 {
		c.Scopes = []string{"openid", "profile", "email"}
	} else if !slices.Contains(c.Scopes, "openid") {
		c.Scopes = append([]string{"openid"}, c.Scopes...)
	}
	if c.SessionTTL < 0 {
		bad("session_ttl", "must be positive, got %s", c.SessionTTL)
	}
	if c.IdleTimeout < 0 {
		bad("idle_timeout", "must be positive or zero, got %s", c.IdleTimeout)
	}
	if c.StateKey != nil && len(c.StateKey) != 32 {
		bad("state_key", "must be 32 bytes, got %d", len(c.StateKey))
	}
	for i, o := range c.AllowedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad(fmt.Sprintf("allowed_origins[%d]", i), "%q is not an origin (scheme://host[:port])", o)
		}
	}
	if c.SSO() {
		if err := checkURL(c.Issuer, true); err != nil {
			bad("issuer", "%v", err)
		}
		if c.ClientID == "" {
			bad("client_id", "required with an issuer")
		}
		if c.RedirectURL == "" {
			bad("redirect_url", "required with an issuer")
		} else if err := checkURL(c.RedirectURL, c.secure()); err != nil {
			bad("redirect_url", "%v", err)
		} else if u, _ := url.Parse(c.RedirectURL); u.Path != CallbackPath {
			bad("redirect_url", "path must be %s, got %q", CallbackPath, u.Path)
		}
	} else if !c.AllowPasswordLogin {
		bad("issuer", "required unless allow_password_login is set: no way to sign in")
	}
	if err := checkMappings(c.Mappings, c.TenantClaim); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func checkMappings(ms []Mapping, tenantClaim string) error {
	var errs []error
	for i, m := range ms {
		field := fmt.Sprintf("mappings[%d]", i)
		switch {
		case strings.TrimSpace(m.Tenant) == "":
			errs = append(errs, fmt.Errorf("%w: %s.tenant: required", ErrConfig, field))
		case m.Tenant == AnyTenant && tenantClaim == "":
			errs = append(errs, fmt.Errorf("%w: %s.tenant: %q needs tenant_claim", ErrConfig, field, AnyTenant))
		}
		if m.Group == "" {
			errs = append(errs, fmt.Errorf("%w: %s.group: required", ErrConfig, field))
		}
		if r := roleRank(m.Role); r == 0 || r > roleRank(RoleAdmin) {
			errs = append(errs, fmt.Errorf("%w: %s.role: %q is not one of viewer, operator, admin", ErrConfig, field, m.Role))
		}
	}
	return errors.Join(errs...)
}

// checkURL accepts an absolute http(s) URL without fragment; plain http
// only on a loopback host when https is required.
func checkURL(raw string, needHTTPS bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if u.Fragment != "" || u.RawQuery != "" {
		return fmt.Errorf("%q must not have a query or fragment", raw)
	}
	if u.Scheme == "http" && needHTTPS && !loopback(u.Hostname()) {
		return fmt.Errorf("%q must be https (plain http only on a loopback host)", raw)
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
