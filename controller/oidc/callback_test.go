package oidc

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/driftmgr/driftmgr/controller/oidc/oidctest"
)

// refused asserts a callback answer is a failure page with that status and
// reason, and that the browser was not signed in.
func refused(t *testing.T, b *browser, resp *http.Response, body string, status int, reason string) {
	t.Helper()
	assert.Equal(t, status, resp.StatusCode, body)
	assert.Equal(t, reason, failureOf(t, body))
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Nil(t, b.cookie(SessionCookie), "a refused sign-in set a session cookie")
	assert.Equal(t, 0, b.e.store.Len())
}

func TestCallbackTamperedState(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	cb := b.submitLogin(b.startLogin(""), "alice", "alice-pw")
	q := cb.Query()
	q.Set("state", q.Get("state")+"x")
	cb.RawQuery = q.Encode()
	resp, body := b.callback(cb.String(), nil)
	refused(t, b, resp, body, http.StatusBadRequest, "state_mismatch")
	assert.Contains(t, body, "answered a different sign-in than the one this browser started")
	assert.Contains(t, e.logs.String(), "reason=state_mismatch")
}

func TestCallbackTamperedFlowCookie(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	cb := b.submitLogin(b.startLogin(""), "alice", "alice-pw")
	f := b.cookie(flowCookie).Value
	// Flip one character of the sealed cookie: GCM refuses it.
	flipped := []byte(f)
	flipped[len(flipped)/2] ^= 1
	b.setCookie(flowCookie, string(flipped))
	resp, body := b.callback(cb.String(), nil)
	refused(t, b, resp, body, http.StatusBadRequest, "bad_login_state")
}

// A flow cookie sealed by another key (a controller not sharing
// Config.StateKey) does not open.
func TestCallbackFlowFromAnotherKey(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	cb := b.submitLogin(b.startLogin(""), "alice", "alice-pw")
	other, err := newFlowSealer(randomBytes(32))
	require.NoError(t, err)
	b.setCookie(flowCookie, other.seal(loginFlow{State: cb.Query().Get("state"), Expires: time.Now().Add(time.Hour).Unix()}))
	resp, body := b.callback(cb.String(), nil)
	refused(t, b, resp, body, http.StatusBadRequest, "bad_login_state")
}

func TestCallbackReplayed(t *testing.T) {
	key := randomBytes(32)
	e := newEnv(t, func(c *Config) { c.StateKey = key })
	b := e.browser()
	cb := b.submitLogin(b.startLogin(""), "alice", "alice-pw")
	flow := b.cookie(flowCookie).Value
	resp, body := b.callback(cb.String(), nil)
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	sessions := e.store.Len()

	t.Run("same browser", func(t *testing.T) {
		// The flow cookie is gone with the first use.
		resp, body := b.callback(cb.String(), nil)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Equal(t, "no_login_in_progress", failureOf(t, body))
	})
	t.Run("with a copy of the flow cookie", func(t *testing.T) {
		thief := e.browser()
		thief.setCookie(flowCookie, flow)
		resp, body := thief.callback(cb.String(), nil)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Equal(t, "login_replayed", failureOf(t, body))
		assert.Nil(t, thief.cookie(SessionCookie))
	})
	t.Run("at another controller sharing the state key", func(t *testing.T) {
		// That controller has not seen the state; the provider still
		// refuses a code it already redeemed.
		other, err := New(e.cfg, e.store, fakePasswords{})
		require.NoError(t, err)
		req := httptest.NewRequest(http.MethodGet, cb.String(), nil)
		req.Header.Set("Accept", "application/json")
		req.AddCookie(&http.Cookie{Name: flowCookie, Value: flow})
		rec := httptest.NewRecorder()
		other.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
		var eb errorBody
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &eb))
		assert.Equal(t, "code_rejected", eb.Error)
		assert.Contains(t, eb.Message, "invalid_grant")
	})
	assert.Equal(t, sessions, e.store.Len(), "a replay created a session")
}

// A controller sharing the state key finishes a login another one started.
func TestCallbackAtAnotherController(t *testing.T) {
	key := randomBytes(32)
	e := newEnv(t, func(c *Config) { c.StateKey = key })
	b := e.browser()
	cb := b.submitLogin(b.startLogin(""), "alice", "alice-pw")
	other, err := New(e.cfg, e.store, fakePasswords{})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, cb.String(), nil)
	req.AddCookie(b.cookie(flowCookie))
	rec := httptest.NewRecorder()
	other.ServeHTTP(rec, req)
	require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
	assert.Equal(t, 1, e.store.Len())
}

// An attacker who gets hold of a victim's authorization code cannot redeem
// it in their own browser: their flow's PKCE verifier does not match the
// challenge the code was issued for.
func TestCallbackPKCEVerifierMismatch(t *testing.T) {
	e := newEnv(t)
	victim, attacker := e.browser(), e.browser()
	victimCB := victim.submitLogin(victim.startLogin(""), "alice", "alice-pw")
	attackerCB := attacker.submitLogin(attacker.startLogin(""), "bob", "bob-pw")

	stolen := *attackerCB
	q := stolen.Query()
	q.Set("code", victimCB.Query().Get("code"))
	stolen.RawQuery = q.Encode()
	resp, body := attacker.callback(stolen.String(), nil)
	refused(t, attacker, resp, body, http.StatusBadRequest, "code_rejected")
	assert.Contains(t, body, "invalid_grant")
	assert.Contains(t, body, "code_verifier")

	// The victim, holding the right verifier, still signs in.
	resp, body = victim.callback(victimCB.String(), nil)
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	_, si, _ := victim.session()
	assert.Equal(t, "u-alice", si.UserID)
}

func TestCallbackWrongNonce(t *testing.T) {
	e := newEnv(t)
	nonce := "not-the-nonce-we-sent"
	e.op.Nonce.Store(&nonce)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	refused(t, b, resp, body, http.StatusUnauthorized, "nonce_mismatch")
}

func TestCallbackWrongAudience(t *testing.T) {
	e := newEnv(t)
	reclaim := func(c map[string]any) { c["aud"] = []string{"some-other-client"}; c["azp"] = "some-other-client" }
	e.op.Reclaim.Store(&reclaim)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	refused(t, b, resp, body, http.StatusUnauthorized, "id_token_invalid")
	assert.Contains(t, body, "audience")
}

func TestCallbackWrongIssuer(t *testing.T) {
	e := newEnv(t)
	reclaim := func(c map[string]any) { c["iss"] = "https://evil.test" }
	e.op.Reclaim.Store(&reclaim)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	refused(t, b, resp, body, http.StatusUnauthorized, "id_token_invalid")
	assert.Contains(t, body, "issued by a different provider")
}

// The re-signing itself is sound: a token rewritten without a change still
// signs in.
func TestCallbackReclaimedUnchanged(t *testing.T) {
	e := newEnv(t)
	reclaim := func(map[string]any) {}
	e.op.Reclaim.Store(&reclaim)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
}

func TestCallbackExpiredIDToken(t *testing.T) {
	e := newEnv(t)
	e.op.IDTokenTTL.Store(int64(-time.Hour))
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	refused(t, b, resp, body, http.StatusUnauthorized, "id_token_invalid")
	assert.Contains(t, body, "expired")
}

func TestCallbackForgedSignature(t *testing.T) {
	e := newEnv(t)
	e.op.ForgeSignature.Store(true)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	refused(t, b, resp, body, http.StatusUnauthorized, "id_token_invalid")
	assert.Contains(t, body, "signature")
}

func TestCallbackExpiredFlow(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	cb := b.submitLogin(b.startLogin(""), "alice", "alice-pw")
	e.clock.Advance(loginFlowTTL + time.Minute)
	resp, body := b.callback(cb.String(), nil)
	refused(t, b, resp, body, http.StatusBadRequest, "login_expired")
	assert.Contains(t, body, "took longer than 10m0s")
}

func TestCallbackProviderError(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.startLogin("")
	// What a provider sends when the user declines.
	u := e.rpURL + CallbackPath + "?" + url.Values{
		"error":             {"access_denied"},
		"error_description": {"The user <b>declined</b>\n"},
		"state":             {"whatever"},
	}.Encode()
	resp, body := b.callback(u, nil)
	refused(t, b, resp, body, http.StatusForbidden, "access_denied")
	assert.Contains(t, body, "The identity provider denied access")
	assert.Contains(t, body, "The user &lt;b&gt;declined&lt;/b&gt;.", "quoted, escaped, without the newline")

	// The console's fetch gets the same as JSON.
	b.startLogin("")
	resp, body = b.callback(e.rpURL+CallbackPath+"?error=login_required&state=x", map[string]string{"Accept": "application/json"})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	var eb errorBody
	require.NoError(t, json.Unmarshal([]byte(body), &eb))
	assert.Equal(t, errorBody{Error: "login_required", Message: "The identity provider needs you to sign in there first."}, eb)
}

func TestCallbackWithoutCode(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	// The state is in the URL the login sends the browser to.
	b.stopAt = "*"
	resp, _ := b.get(e.rpURL + LoginPath)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := resp.Location()
	require.NoError(t, err)
	state := loc.Query().Get("state")
	assert.Equal(t, "S256", loc.Query().Get("code_challenge_method"))
	assert.NotEmpty(t, loc.Query().Get("code_challenge"))
	assert.NotEmpty(t, loc.Query().Get("nonce"))
	assert.Equal(t, oidctest.ClientID, loc.Query().Get("client_id"))
	resp, body := b.callback(e.rpURL+CallbackPath+"?state="+url.QueryEscape(state), nil)
	refused(t, b, resp, body, http.StatusBadRequest, "no_code")
}

func TestLoginProviderUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	e := newEnv(t, func(c *Config) { c.Issuer = dead })
	b := e.browser()
	b.stopAt = "*"
	resp, body := b.get(e.rpURL + LoginPath)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, "provider_unreachable", failureOf(t, body))
	assert.Contains(t, body, dead)
	assert.Nil(t, b.cookie(flowCookie))
}

// A provider whose discovery document names another issuer is refused.
func TestLoginIssuerMismatch(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Issuer += "/" })
	b := e.browser()
	b.stopAt = "*"
	resp, body := b.get(e.rpURL + LoginPath)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, "provider_unreachable", failureOf(t, body))
	assert.Contains(t, body, "did not match")
}

func TestLoginBadParameters(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.stopAt = "*"
	resp, body := b.get(e.rpURL + LoginPath + "?tenant=" + url.QueryEscape("acme corp"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "bad_tenant", failureOf(t, body))

	// An off-site next is dropped: the login lands on the console.
	resp, body = b.signIn("alice", "alice-pw", "?next="+url.QueryEscape("//evil.test/x"))
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	assert.Equal(t, "/", resp.Header.Get("Location"))
}

// Groups only in the userinfo answer, as some providers do, still count.
func TestCallbackGroupsFromUserinfo(t *testing.T) {
	e := newEnv(t)
	reclaim := func(c map[string]any) { delete(c, "groups") }
	e.op.Reclaim.Store(&reclaim)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	_, si, _ := b.session()
	assert.Equal(t, RoleAdmin, si.Role)
}

// A userinfo answer about someone else is not used (OpenID Connect Core
// 5.3.2): here that leaves no groups, so no role.
func TestCallbackUserinfoForAnotherSubject(t *testing.T) {
	e := newEnv(t)
	reclaim := func(c map[string]any) { delete(c, "groups") }
	e.op.Reclaim.Store(&reclaim)
	reinfo := func(c map[string]any) { c["sub"] = "u-somebody-else" }
	e.op.Reinfo.Store(&reinfo)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	refused(t, b, resp, body, http.StatusForbidden, "no_role")
	assert.Contains(t, body, "the provider sent no groups")
	assert.Contains(t, e.logs.String(), "userinfo is for another subject")
}

// A failing userinfo endpoint leaves the ID token's claims to decide.
func TestCallbackUserinfoFails(t *testing.T) {
	e := newEnv(t)
	broken := func(c map[string]any) { c["fail"] = true }
	e.op.Reinfo.Store(&broken)
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	_, si, _ := b.session()
	assert.Equal(t, RoleAdmin, si.Role, "groups came from the ID token")
	assert.Empty(t, si.Email, "the ID token of this provider carries no email")
	assert.Contains(t, e.logs.String(), "oidc userinfo failed")
}

// A wrong client secret is named as a configuration problem.
func TestCallbackWrongClientSecret(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ClientSecret = "not-the-secret" })
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	refused(t, b, resp, body, http.StatusBadGateway, "token_exchange_failed")
	assert.Contains(t, body, "invalid_client")
	assert.Contains(t, body, "check client_id, client_secret and redirect_url")
	assert.NotContains(t, e.logs.String(), "not-the-secret")
}

// A token endpoint that fails without an OAuth error is reported by status.
func TestExchangeFailure(t *testing.T) {
	f := exchangeFailure(&oauth2.RetrieveError{Response: &http.Response{Status: "500 Internal Server Error"}, Body: []byte("secret stuff")})
	assert.Equal(t, "token_exchange_failed", f.code)
	assert.Contains(t, f.msg, "500 Internal Server Error")
	assert.NotContains(t, f.Error(), "secret stuff")
	f = exchangeFailure(errors.New("dial tcp: connection refused"))
	assert.Equal(t, http.StatusBadGateway, f.status)
	assert.Contains(t, f.msg, "could not be reached")
}
