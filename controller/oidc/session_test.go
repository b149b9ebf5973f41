package oidc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionExpires(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SessionTTL = time.Hour })
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	code, si, _ := b.session()
	require.Equal(t, http.StatusOK, code)
	assert.WithinDuration(t, e.clock.Now().Add(time.Hour), si.ExpiresAt, 5*time.Second)

	e.clock.Advance(59 * time.Minute)
	code, _ = b.api(http.MethodGet, "/api/x", nil)
	require.Equal(t, http.StatusOK, code)

	e.clock.Advance(2 * time.Minute)
	code, a := b.api(http.MethodGet, "/api/x", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, ErrSessionExpired.Error(), a.Error)
	assert.Equal(t, 0, e.store.Len(), "an expired session is deleted when met")

	// The console is told, and the stale cookie cleared.
	b.setCookie(SessionCookie, "whatever")
	code, _, anon := b.session()
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, "unauthenticated", anon.Error)
	assert.Nil(t, b.cookie(SessionCookie))
}

func TestSessionExpiredReported(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SessionTTL = time.Hour })
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	e.clock.Advance(2 * time.Hour)
	code, _, anon := b.session()
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, "session_expired", anon.Error)
	assert.Equal(t, "Your session has expired; sign in again.", anon.Message)
}

func TestSessionIdleTimeout(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.IdleTimeout = 30 * time.Minute })
	b := e.browser()
	resp, body := b.signIn("alice", "alice-pw", "")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	id := sessionID(b.cookie(SessionCookie).Value)

	// Used every 20 minutes, it lives on: each use is recorded.
	for range 3 {
		e.clock.Advance(20 * time.Minute)
		code, _ := b.api(http.MethodGet, "/api/x", nil)
		require.Equal(t, http.StatusOK, code)
	}
	s, err := e.store.Get(t.Context(), id)
	require.NoError(t, err)
	assert.WithinDuration(t, e.clock.Now(), s.LastSeen, 5*time.Second)

	// Uses within a minute are not written again.
	e.clock.Advance(30 * time.Second)
	code, _ := b.api(http.MethodGet, "/api/x", nil)
	require.Equal(t, http.StatusOK, code)
	s2, err := e.store.Get(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, s.LastSeen, s2.LastSeen)

	// Left alone past the idle timeout, it ends.
	e.clock.Advance(31 * time.Minute)
	code, a := b.api(http.MethodGet, "/api/x", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, ErrSessionExpired.Error(), a.Error)
}

// failingStore fails every call after a point, like a store that lost its
// leader.
type failingStore struct {
	*MemoryStore
	failGet, failTouch, failDelete, failCreate bool
}

var errStoreDown = errors.New("store down")

func (f *failingStore) Get(ctx context.Context, id string) (Session, error) {
	if f.failGet {
		return Session{}, errStoreDown
	}
	return f.MemoryStore.Get(ctx, id)
}

func (f *failingStore) Touch(ctx context.Context, id string, t time.Time) error {
	if f.failTouch {
		return errStoreDown
	}
	return f.MemoryStore.Touch(ctx, id, t)
}

func (f *failingStore) Delete(ctx context.Context, id string) error {
	if f.failDelete {
		return errStoreDown
	}
	return f.MemoryStore.Delete(ctx, id)
}

func (f *failingStore) Create(ctx context.Context, s Session) error {
	if f.failCreate {
		return errStoreDown
	}
	return f.MemoryStore.Create(ctx, s)
}

func newPasswordHandler(t *testing.T, store SessionStore, mod ...func(*Config)) *Handler {
	t.Helper()
	cfg := Config{AllowPasswordLogin: true, Logger: slogTo(&syncBuffer{})}
	for _, m := range mod {
		m(&cfg)
	}
	h, err := New(cfg, store, fakePasswords{})
	require.NoError(t, err)
	return h
}

func serve(h http.Handler, method, path string, body string, hdr map[string]string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestSessionStoreFailures(t *testing.T) {
	fs := &failingStore{MemoryStore: NewMemoryStore()}
	h := newPasswordHandler(t, fs)
	cookie, csrf := NewTestSession(t, h, Identity{Tenant: "acme", UserID: "u1", Role: RoleViewer})

	fs.failGet = true
	rec := serve(h, http.MethodGet, SessionPath, "", nil, cookie)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Body.String(), "session_store")
	rec = serve(h, http.MethodPost, LogoutPath, "", map[string]string{CSRFHeader: csrf}, cookie)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	req := httptest.NewRequest(http.MethodGet, "/api", nil)
	req.AddCookie(cookie)
	_, err := h.Authenticate(req)
	assert.ErrorIs(t, err, errStoreDown)
	fs.failGet = false

	// A failed touch does not end a valid session.
	fs.failTouch = true
	h.now = func() time.Time { return time.Now().Add(5 * time.Minute) }
	rec = serve(h, http.MethodGet, SessionPath, "", nil, cookie)
	assert.Equal(t, http.StatusOK, rec.Code)
	fs.failTouch = false

	fs.failDelete = true
	rec = serve(h, http.MethodPost, LogoutPath, "", map[string]string{CSRFHeader: csrf}, cookie)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Body.String(), "could not be ended")
	// An expired session that cannot be deleted is still refused.
	h.now = func() time.Time { return time.Now().Add(DefaultSessionTTL + time.Minute) }
	_, err = h.Authenticate(req)
	assert.ErrorIs(t, err, ErrSessionExpired)
	h.now = time.Now

	fs.failDelete, fs.failCreate = false, true
	rec = serve(h, http.MethodPost, PasswordPath, `{"tenant":"acme","username":"root","password":"root-pw"}`,
		map[string]string{"Content-Type": "application/json"})
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Body.String(), "session could not be stored")
}

func TestNewTestSession(t *testing.T) {
	h := newPasswordHandler(t, NewMemoryStore())
	cookie, csrf := NewTestSession(t, h, Identity{Tenant: "acme", UserID: "u1", Role: RoleOperator, Groups: []string{"g"}})
	assert.Equal(t, SessionCookie, cookie.Name)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(cookie)
	s, err := h.Authenticate(req)
	require.NoError(t, err)
	assert.Equal(t, "acme", s.Tenant)
	assert.Equal(t, RoleOperator, s.Role)
	assert.Equal(t, csrf, s.CSRFToken())

	req = httptest.NewRequest(http.MethodGet, "/", nil)
	_, err = h.Authenticate(req)
	assert.ErrorIs(t, err, ErrNoSession)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: "unknown"})
	_, err = h.Authenticate(req)
	assert.ErrorIs(t, err, ErrSessionNotFound)
}

func TestCSRFToken(t *testing.T) {
	a := Session{ID: "a", CSRFSecret: []byte("secret-1")}
	assert.Equal(t, a.CSRFToken(), a.CSRFToken(), "stable")
	b := a
	b.ID = "b"
	assert.NotEqual(t, a.CSRFToken(), b.CSRFToken(), "bound to the session id")
	c := a
	c.CSRFSecret = []byte("secret-2")
	assert.NotEqual(t, a.CSRFToken(), c.CSRFToken(), "keyed by the session's secret")
}

func TestRequireCSRF(t *testing.T) {
	h := newPasswordHandler(t, NewMemoryStore(), func(c *Config) { c.AllowedOrigins = []string{"https://console.example.com"} })
	cookie, csrf := NewTestSession(t, h, Identity{Tenant: "acme", UserID: "u1", Role: RoleViewer})
	var reached bool
	var fromCtx *Session
	next := h.RequireCSRF(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		fromCtx, _ = SessionFrom(r.Context())
	}))
	stale := &http.Cookie{Name: SessionCookie, Value: "stale"}
	for _, tc := range []struct {
		name    string
		method  string
		hdr     map[string]string
		cookie  *http.Cookie
		reached bool
		withCtx bool
		code    string
	}{
		{"safe method", http.MethodGet, nil, cookie, true, false, ""},
		{"no cookie: an API key or certificate caller", http.MethodPost, nil, nil, true, false, ""},
		{"stale cookie: left to authentication", http.MethodPost, nil, stale, true, false, ""},
		{"missing token", http.MethodPost, nil, cookie, false, false, "csrf"},
		{"wrong token", http.MethodPut, map[string]string{CSRFHeader: csrf + "x"}, cookie, false, false, "csrf"},
		{"right token", http.MethodPatch, map[string]string{CSRFHeader: csrf}, cookie, true, true, ""},
		{"same host origin", http.MethodPost, map[string]string{CSRFHeader: csrf, "Origin": "https://example.com"}, cookie, true, true, ""},
		{"allowed origin", http.MethodPost, map[string]string{CSRFHeader: csrf, "Origin": "https://console.example.com", "Sec-Fetch-Site": "same-site"}, cookie, true, true, ""},
		{"foreign origin", http.MethodPost, map[string]string{CSRFHeader: csrf, "Origin": "https://evil.test"}, cookie, false, false, "cross_site"},
		{"null origin", http.MethodDelete, map[string]string{CSRFHeader: csrf, "Origin": "null"}, cookie, false, false, "cross_site"},
		{"same-site fetch without origin", http.MethodPost, map[string]string{CSRFHeader: csrf, "Sec-Fetch-Site": "same-site"}, cookie, false, false, "cross_site"},
		{"user-typed navigation", http.MethodPost, map[string]string{CSRFHeader: csrf, "Sec-Fetch-Site": "none"}, cookie, true, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reached, fromCtx = false, nil
			var cookies []*http.Cookie
			if tc.cookie != nil {
				cookies = append(cookies, tc.cookie)
			}
			rec := serve(next, tc.method, "https://example.com/api/x", "", tc.hdr, cookies...)
			assert.Equal(t, tc.reached, reached)
			assert.Equal(t, tc.withCtx, fromCtx != nil)
			if tc.code != "" {
				assert.Equal(t, http.StatusForbidden, rec.Code)
				assert.Contains(t, rec.Body.String(), `"error":"`+tc.code+`"`)
			}
		})
	}
}

func TestMemoryStore(t *testing.T) {
	ctx := t.Context()
	m := NewMemoryStore()
	now := time.Now()
	m.now = func() time.Time { return now }
	require.Error(t, m.Create(ctx, Session{}))
	s := Session{ID: "a", Tenant: "acme", Groups: []string{"g"}, CSRFSecret: []byte{1}, ExpiresAt: now.Add(time.Hour)}
	require.NoError(t, m.Create(ctx, s))
	s.Groups[0] = "changed"
	got, err := m.Get(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, []string{"g"}, got.Groups, "the store keeps its own copy")
	got.CSRFSecret[0] = 9
	again, _ := m.Get(ctx, "a")
	assert.Equal(t, []byte{1}, again.CSRFSecret)

	require.NoError(t, m.Touch(ctx, "a", now.Add(time.Minute)))
	got, _ = m.Get(ctx, "a")
	assert.Equal(t, now.Add(time.Minute), got.LastSeen)
	assert.ErrorIs(t, m.Touch(ctx, "nope", now), ErrSessionNotFound)
	_, err = m.Get(ctx, "nope")
	assert.ErrorIs(t, err, ErrSessionNotFound)

	// Expired sessions are swept when new ones come.
	now = now.Add(2 * time.Hour)
	require.NoError(t, m.Create(ctx, Session{ID: "b", ExpiresAt: now.Add(time.Hour)}))
	assert.Equal(t, 1, m.Len())
	require.NoError(t, m.Delete(ctx, "b"))
	require.NoError(t, m.Delete(ctx, "b"))
	assert.Equal(t, 0, m.Len())
}

func TestSessionTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		token, id := newToken()
		assert.Len(t, token, 43, "32 random bytes, base64url")
		assert.Equal(t, sessionID(token), id)
		assert.NotEqual(t, token, id)
		assert.False(t, seen[token])
		seen[token] = true
	}
}
