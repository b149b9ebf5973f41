package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/oidc/oidctest"
)

// The done-when of the issue: a browser signs in through the in-process
// provider, the console knows who it is from the groups claim, unsafe
// requests need the CSRF token, and logout ends it all.
func TestSSOEndToEnd(t *testing.T) {
	e := newEnv(t)
	b := e.browser()

	// Anonymous: the login page learns which ways in there are.
	code, _, anon := b.session()
	require.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, AnonymousInfo{Error: "unauthenticated", Message: "Not signed in.", SSO: true, PasswordLogin: true}, anon)

	id := b.startLogin("?next=/drift/findings")
	// The flow cookie rides along to the provider and back; the browser
	// cannot read it and it expires within the flow's lifetime.
	flow := b.cookie(flowCookie)
	require.NotNil(t, flow, "no flow cookie after login")
	cb := b.submitLogin(id, "alice", "alice-pw")
	assert.NotEmpty(t, cb.Query().Get("code"))
	assert.NotEmpty(t, cb.Query().Get("state"))

	resp, body := b.callback(cb.String(), nil)
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	assert.Equal(t, "/drift/findings", resp.Header.Get("Location"), "lands where the login was asked for")
	cookies := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		cookies[c.Name] = c
	}
	sc := cookies[SessionCookie]
	require.NotNil(t, sc, "no session cookie set: %v", resp.Header["Set-Cookie"])
	assert.True(t, sc.Secure)
	assert.True(t, sc.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, sc.SameSite)
	assert.Equal(t, "/", sc.Path)
	assert.Empty(t, sc.Domain, "__Host- cookies are host-only")
	assert.Equal(t, int(DefaultSessionTTL.Seconds()), sc.MaxAge)
	csrfc := cookies[CSRFCookie]
	require.NotNil(t, csrfc)
	assert.False(t, csrfc.HttpOnly, "the console's script reads the CSRF cookie")
	assert.True(t, csrfc.Secure)
	require.NotNil(t, cookies[flowCookie])
	assert.Negative(t, cookies[flowCookie].MaxAge, "the flow cookie is deleted once used")

	// Who am I: tenant and role come from the groups claim; acme-admins
	// beats acme-viewers. Name and email came from userinfo, the ID token
	// of this provider carrying neither.
	code, si, _ := b.session()
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "acme", si.Tenant)
	assert.Equal(t, RoleAdmin, si.Role)
	assert.Equal(t, "u-alice", si.UserID)
	assert.Equal(t, "alice@acme.test", si.Email)
	assert.Equal(t, "Alice Admin", si.Name)
	assert.Equal(t, MethodOIDC, si.Method)
	assert.ElementsMatch(t, []string{"acme-viewers", "acme-admins", "unrelated"}, si.Groups)
	require.NotEmpty(t, si.CSRFToken)
	assert.Equal(t, csrfc.Value, si.CSRFToken)
	require.Equal(t, 1, e.store.Len())

	// Reads need no token.
	code, a := b.api(http.MethodGet, "/api/findings", nil)
	require.Equal(t, http.StatusOK, code, a.Error)
	assert.Equal(t, "acme", a.Tenant)
	assert.False(t, a.FromContext)

	// An unsafe request without the token is refused ...
	code, a = b.api(http.MethodPost, "/api/ack", nil)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, "csrf", a.Error)
	code, a = b.api(http.MethodDelete, "/api/ack", map[string]string{CSRFHeader: "forged"})
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, "csrf", a.Error)
	// ... and accepted with it, the session handed on in the context.
	code, a = b.api(http.MethodPost, "/api/ack", map[string]string{CSRFHeader: si.CSRFToken, "Origin": e.rpURL, "Sec-Fetch-Site": "same-origin"})
	require.Equal(t, http.StatusOK, code, a.Error)
	assert.Equal(t, apiAnswer{Tenant: "acme", Role: RoleAdmin, User: "u-alice", Method: http.MethodPost, FromContext: true}, a)
	// The right token from another site is still refused.
	code, a = b.api(http.MethodPost, "/api/ack", map[string]string{CSRFHeader: si.CSRFToken, "Origin": "https://evil.test"})
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, "cross_site", a.Error)
	code, a = b.api(http.MethodPost, "/api/ack", map[string]string{CSRFHeader: si.CSRFToken, "Sec-Fetch-Site": "cross-site"})
	assert.Equal(t, http.StatusForbidden, code)
	assert.Equal(t, "cross_site", a.Error)

	// Logout is unsafe too: without the token it does nothing.
	resp, _ = b.do(http.MethodPost, e.rpURL+LogoutPath, nil, map[string]string{"Accept": "application/json"})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, 1, e.store.Len())
	stolen := b.cookie(SessionCookie)
	require.NotNil(t, stolen)
	resp, _ = b.do(http.MethodPost, e.rpURL+LogoutPath, nil, map[string]string{CSRFHeader: si.CSRFToken})
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, 0, e.store.Len())
	assert.Nil(t, b.cookie(SessionCookie), "logout clears the cookie")
	code, _, anon = b.session()
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, "unauthenticated", anon.Error)

	// A copy of the cookie taken before logout is worthless after it.
	b.setCookie(SessionCookie, stolen.Value)
	code, a = b.api(http.MethodGet, "/api/findings", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, ErrSessionNotFound.Error(), a.Error)
	// Logging out again is harmless.
	resp, _ = b.do(http.MethodPost, e.rpURL+LogoutPath, nil, nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)

	// Nothing secret reached the log.
	logs := e.logs.String()
	assert.Contains(t, logs, "console sign-in")
	for what, secret := range map[string]string{"code": cb.Query().Get("code"), "state": cb.Query().Get("state"),
		"session cookie": stolen.Value, "csrf token": si.CSRFToken, "flow cookie": flow.Value} {
		assert.NotContains(t, logs, secret, "the log holds the %s", what)
	}
	// The store holds a hash of the cookie, never the cookie.
	assert.NotEqual(t, stolen.Value, sessionID(stolen.Value))
}

// A public client (no secret) signs in with PKCE alone.
func TestSSOPublicClient(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ClientID, c.ClientSecret = oidctest.PublicClientID, "" })
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	assert.Equal(t, "/", resp.Header.Get("Location"))
	code, si, _ := b.session()
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, RoleAdmin, si.Role)
}

// A sign-in with a session already in the browser replaces it: a cookie
// planted before login does not survive it.
func TestSSOReplacesPreviousSession(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	first := b.cookie(SessionCookie).Value
	resp, body = b.signIn("carol", "carol-pw", "?tenant=globex")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	assert.NotEqual(t, first, b.cookie(SessionCookie).Value)
	assert.Equal(t, 1, e.store.Len(), "the first session was ended")
	_, err := e.store.Get(t.Context(), sessionID(first))
	assert.ErrorIs(t, err, ErrSessionNotFound)
}

func TestSSOGroupsToTenantRoles(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Mappings = append(c.Mappings, Mapping{Tenant: "acme", Group: "acme-viewers", Role: RoleOperator})
	})

	t.Run("no group mapped", func(t *testing.T) {
		b := e.browser()
		resp, body := b.signIn("bob", "bob-pw", "")
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, "no_role", failureOf(t, body))
		assert.Contains(t, body, "none of your groups (marketing, everyone) is mapped to a DriftMgr role")
		assert.Nil(t, b.cookie(SessionCookie))
		code, _, _ := b.session()
		assert.Equal(t, http.StatusUnauthorized, code)
	})
	t.Run("roles in several tenants need a choice", func(t *testing.T) {
		b := e.browser()
		resp, body := b.signIn("carol", "carol-pw", "")
		assert.Equal(t, http.StatusConflict, resp.StatusCode)
		assert.Equal(t, "choose_tenant", failureOf(t, body))
		assert.Contains(t, body, "several tenants (acme, globex)")
	})
	t.Run("the tenant chosen at login", func(t *testing.T) {
		for tenant, role := range map[string]string{"globex": RoleAdmin, "acme": RoleOperator} {
			b := e.browser()
			resp, body := b.signIn("carol", "carol-pw", "?tenant="+tenant)
			require.Equal(t, http.StatusFound, resp.StatusCode, body)
			_, si, _ := b.session()
			assert.Equal(t, tenant, si.Tenant)
			assert.Equal(t, role, si.Role)
		}
	})
	t.Run("a tenant the groups give nothing in", func(t *testing.T) {
		b := e.browser()
		resp, body := b.signIn("carol", "carol-pw", "?tenant=initech")
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, "no_role", failureOf(t, body))
		assert.Contains(t, body, "no role in tenant &#34;initech&#34;; they do in: acme, globex")
	})
	t.Run("highest role wins", func(t *testing.T) {
		// alice: acme-viewers (viewer, and operator by the extra mapping)
		// and acme-admins (admin).
		b := e.browser()
		resp, body := b.signIn("alice", "alice-pw", "")
		require.Equal(t, http.StatusFound, resp.StatusCode, body)
		_, si, _ := b.session()
		assert.Equal(t, RoleAdmin, si.Role)
	})
	t.Run("mappings changed at run time", func(t *testing.T) {
		require.NoError(t, e.h.SetMappings([]Mapping{{Tenant: "acme", Group: "everyone", Role: RoleViewer}}))
		defer func() { require.NoError(t, e.h.SetMappings(e.cfg.Mappings)) }()
		b := e.browser()
		resp, body := b.signIn("bob", "bob-pw", "")
		require.Equal(t, http.StatusFound, resp.StatusCode, body)
		_, si, _ := b.session()
		assert.Equal(t, "acme", si.Tenant)
		assert.Equal(t, RoleViewer, si.Role)
		assert.ErrorIs(t, e.h.SetMappings([]Mapping{{Tenant: "acme", Group: "x", Role: "root"}}), ErrConfig)
	})
}

// With a tenant claim, the provider names the tenant and AnyTenant
// mappings apply to it.
func TestSSOTenantClaim(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.TenantClaim = "org"
		c.Mappings = []Mapping{{Tenant: AnyTenant, Group: "engineers", Role: RoleOperator}, {Tenant: "acme", Group: "acme-admins", Role: RoleAdmin}}
	})
	b := e.browser()
	resp, body := b.signIn("dave", "dave-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	_, si, _ := b.session()
	assert.Equal(t, "initech", si.Tenant)
	assert.Equal(t, RoleOperator, si.Role)

	// alice's token names no tenant: refused, whatever her groups.
	b = e.browser()
	resp, body = b.signIn("alice", "alice-pw", "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "no_tenant", failureOf(t, body))
	assert.Contains(t, body, `no &#34;org&#34; claim`)
}

// Plain http for local development: no __Host- prefix, no Secure flag.
func TestSSOInsecureCookies(t *testing.T) {
	e := startEnv(t, true)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == InsecureSessionCookie {
			sc = c
		}
	}
	require.NotNil(t, sc, "no %s cookie: %v", InsecureSessionCookie, resp.Header["Set-Cookie"])
	assert.False(t, sc.Secure)
	assert.True(t, sc.HttpOnly)
	assert.Equal(t, InsecureSessionCookie, e.h.SessionCookieName())
	code, si, _ := b.session()
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "acme", si.Tenant)
	assert.True(t, strings.HasPrefix(e.op.Issuer, "http://127.0.0.1:"))
}

// Mappings may come later (from each tenant's settings); until then every
// sign-on is refused, and the log says why at start.
func TestSSOWithoutMappingsYet(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Mappings = nil })
	assert.Contains(t, e.logs.String(), "no group to role mappings yet")
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "no_role", failureOf(t, body))
	require.NoError(t, e.h.SetMappings(testMappings))
	resp, body = b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
}

// Config.Admit records the sign-in in the tenancy layer: it renames the
// user to its own id, refuses a disabled one with a sentence shown to the
// person, and a failure to record is a server error. No session starts
// unless it admits.
func TestSSOAdmit(t *testing.T) {
	var admitted []Identity
	refuse, broken := false, false
	e := newEnv(t, func(c *Config) {
		c.Admit = func(_ context.Context, id Identity, issuer string) (Identity, error) {
			switch {
			case refuse:
				return Identity{}, Refuse("User alice@acme.test is disabled in tenant acme.")
			case broken:
				return Identity{}, errors.New("raft: no leader")
			}
			assert.True(t, strings.HasPrefix(issuer, "https://127.0.0.1:"), issuer)
			admitted = append(admitted, id)
			id.UserID = "usr-alice"
			return id, nil
		}
	})
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	require.Len(t, admitted, 1)
	assert.Equal(t, "u-alice", admitted[0].UserID, "Admit sees the provider's subject")
	assert.Equal(t, RoleAdmin, admitted[0].Role)
	_, si, _ := b.session()
	assert.Equal(t, "usr-alice", si.UserID, "the session is the tenancy layer's user")

	refuse = true
	b = e.browser()
	resp, body = b.signIn("alice", "alice-pw", "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "refused", failureOf(t, body))
	assert.Contains(t, body, "User alice@acme.test is disabled in tenant acme.")
	assert.True(t, errors.Is(Refuse("x"), ErrRefused))

	refuse, broken = false, true
	b = e.browser()
	resp, body = b.signIn("alice", "alice-pw", "")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "admit_failed", failureOf(t, body))
	assert.NotContains(t, body, "raft", "the cause is logged, not shown")
	assert.Equal(t, 1, e.store.Len(), "only the admitted sign-in has a session")
}

// A platform owner signs in with a password; no group mapping grants owner.
func TestOwnerSignsInByPasswordOnly(t *testing.T) {
	h := newPasswordHandler(t, NewMemoryStore())
	h.passwords = ownerPasswords{}
	rec := serve(h, http.MethodPost, PasswordPath, `{"tenant":"default","username":"admin","password":"pw"}`,
		map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var si SessionInfo
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &si))
	assert.Equal(t, RoleOwner, si.Role)
	assert.ErrorContains(t, h.SetMappings([]Mapping{{Tenant: "acme", Group: "root", Role: RoleOwner}}),
		`mappings[0].role: "owner" is not one of viewer, operator, admin`)
}

type ownerPasswords struct{}

func (ownerPasswords) Verify(context.Context, string, string, string) (Identity, error) {
	return Identity{UserID: "usr-admin", Role: RoleOwner}, nil
}
