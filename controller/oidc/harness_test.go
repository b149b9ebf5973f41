package oidc

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/oidc/oidctest"
)

// testClock is a clock tests move forward; safe to read from the servers'
// goroutines.
type testClock struct{ off atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *testClock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// syncBuffer collects the handler's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var testMappings = []Mapping{
	{Tenant: "acme", Group: "acme-viewers", Role: RoleViewer},
	{Tenant: "acme", Group: "acme-admins", Role: RoleAdmin},
	{Tenant: "acme", Group: "acme-operators", Role: RoleOperator},
	{Tenant: "globex", Group: "globex-admins", Role: RoleAdmin},
}

// fakePasswords stands in for the tenancy layer's argon2id check.
type fakePasswords struct{}

func (fakePasswords) Verify(_ context.Context, tenant, username, password string) (Identity, error) {
	switch {
	case tenant == "locked":
		return Identity{}, ErrPasswordLoginDisabled
	case tenant == "broken":
		return Identity{}, errors.New("tenancy store unavailable")
	case tenant == "acme" && username == "norole" && password == "pw":
		return Identity{UserID: "u-norole"}, nil
	case tenant == "acme" && username == "root" && password == "root-pw":
		return Identity{UserID: "u-root", Name: "Root", Email: "root@acme.test", Role: RoleAdmin}, nil
	}
	return Identity{}, ErrBadCredentials
}

// env is a console (the relying party) and a provider, both on 127.0.0.1.
type env struct {
	t      *testing.T
	op     *oidctest.Provider
	h      *Handler
	cfg    Config
	store  *MemoryStore
	rp     *httptest.Server
	rpURL  string
	clock  *testClock
	logs   *syncBuffer
	client *http.Client // trusts both servers
}

func newEnv(t *testing.T, mod ...func(*Config)) *env { return startEnv(t, false, mod...) }

// startEnv starts provider and console over TLS, or plain http when
// insecure (with CookieSecure false).
func startEnv(t *testing.T, insecure bool, mod ...func(*Config)) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	scheme := "https"
	if insecure {
		scheme = "http"
	}
	e := &env{t: t, rpURL: scheme + "://" + ln.Addr().String(), clock: &testClock{}, logs: &syncBuffer{}, store: NewMemoryStore()}
	e.op = oidctest.Start(t, oidctest.Options{RedirectURLs: []string{e.rpURL + CallbackPath}, Insecure: insecure})
	e.client = &http.Client{Timeout: 20 * time.Second}
	if !insecure {
		pool := x509.NewCertPool()
		pool.AddCert(e.op.Certificate())
		e.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	}
	e.cfg = Config{
		Issuer:             e.op.Issuer,
		ClientID:           oidctest.ClientID,
		ClientSecret:       oidctest.ClientSecret,
		RedirectURL:        e.rpURL + CallbackPath,
		Mappings:           testMappings,
		AllowPasswordLogin: true,
		HTTPClient:         e.client,
		Logger:             slogTo(e.logs),
	}
	if insecure {
		off := false
		e.cfg.CookieSecure = &off
	}
	for _, m := range mod {
		m(&e.cfg)
	}
	e.h, err = New(e.cfg, e.store, fakePasswords{})
	require.NoError(t, err)
	e.h.now = e.clock.Now
	e.store.now = e.clock.Now

	mux := http.NewServeMux()
	mux.Handle(PathPrefix, e.h)
	mux.Handle("/api/", e.h.RequireCSRF(http.HandlerFunc(e.api)))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "the console") })
	e.rp = httptest.NewUnstartedServer(mux)
	e.rp.Listener.Close()
	e.rp.Listener = ln
	if insecure {
		e.rp.Start()
	} else {
		e.rp.StartTLS()
	}
	t.Cleanup(e.rp.Close)
	return e
}

// apiAnswer is what the stand-in for the controller's API says.
type apiAnswer struct {
	Tenant, Role, User, Method string
	FromContext                bool
	Error                      string
}

// api stands in for the controller's API behind its authentication hook.
func (e *env) api(w http.ResponseWriter, r *http.Request) {
	_, fromCtx := SessionFrom(r.Context())
	s, err := e.h.Authenticate(r)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, apiAnswer{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, apiAnswer{Tenant: s.Tenant, Role: s.Role, User: s.UserID, Method: r.Method, FromContext: fromCtx})
}

// browser is a cookie-keeping client that follows redirects like a browser
// does, unless told to stop at a path.
type browser struct {
	t      *testing.T
	e      *env
	jar    *cookiejar.Jar
	c      *http.Client
	stopAt string // "" follows all; "*" stops at the first redirect; else a path
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(e.t, err)
	b := &browser{t: e.t, e: e, jar: jar}
	b.c = &http.Client{Jar: jar, Transport: e.client.Transport, Timeout: 20 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if b.stopAt == "*" || (b.stopAt != "" && req.URL.Path == b.stopAt) {
				return http.ErrUseLastResponse
			}
			if len(via) > 10 {
				return errors.New("too many redirects")
			}
			return nil
		}}
	return b
}

// do sends a request; hdr may set Accept, Origin, X-CSRF-Token ...
func (b *browser) do(method, rawURL string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	require.NoError(b.t, err)
	if method == http.MethodGet {
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return resp, string(data)
}

func (b *browser) get(rawURL string) (*http.Response, string) {
	return b.do(http.MethodGet, rawURL, nil, nil)
}

// startLogin goes to the console's login and on to the provider's login
// form, and returns the provider's auth request id from it.
func (b *browser) startLogin(query string) string {
	b.t.Helper()
	b.stopAt = ""
	resp, body := b.get(b.e.rpURL + LoginPath + query)
	require.Equal(b.t, http.StatusOK, resp.StatusCode, body)
	require.True(b.t, strings.HasPrefix(resp.Request.URL.String(), b.e.op.Issuer), "landed on %s, not the provider", resp.Request.URL)
	id := oidctest.AuthRequestID(body)
	require.NotEmpty(b.t, id, "no login form at the provider: %s", body)
	return id
}

// submitLogin fills in the provider's form and returns the callback URL the
// provider sends the browser to, without following it.
func (b *browser) submitLogin(id, username, password string) *url.URL {
	b.t.Helper()
	b.stopAt = CallbackPath
	form := url.Values{"id": {id}, "username": {username}, "password": {password}}
	resp, body := b.do(http.MethodPost, b.e.op.Issuer+oidctest.LoginFormPath, strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	require.Equal(b.t, http.StatusFound, resp.StatusCode, "provider refused the login: %s", body)
	u, err := resp.Location()
	require.NoError(b.t, err)
	require.Equal(b.t, CallbackPath, u.Path)
	return u
}

// callback requests the callback URL and stops at its redirect.
func (b *browser) callback(u string, hdr map[string]string) (*http.Response, string) {
	b.t.Helper()
	b.stopAt = "*"
	return b.do(http.MethodGet, u, nil, hdr)
}

// signIn runs the whole flow and returns the callback's answer.
func (b *browser) signIn(username, password, query string) (*http.Response, string) {
	b.t.Helper()
	return b.callback(b.submitLogin(b.startLogin(query), username, password).String(), nil)
}

// api calls the stand-in API as the console's script would.
func (b *browser) api(method, path string, hdr map[string]string) (int, apiAnswer) {
	b.t.Helper()
	b.stopAt = "*"
	h := map[string]string{"Accept": "application/json"}
	for k, v := range hdr {
		h[k] = v
	}
	resp, body := b.do(method, b.e.rpURL+path, nil, h)
	// Failures from this package ({"error": code}) and the stand-in's
	// answers both decode here: JSON keys match case-insensitively.
	var a apiAnswer
	require.NoError(b.t, json.Unmarshal([]byte(body), &a), body)
	return resp.StatusCode, a
}

// session reads GET /auth/session.
func (b *browser) session() (int, SessionInfo, AnonymousInfo) {
	b.t.Helper()
	b.stopAt = "*"
	resp, body := b.do(http.MethodGet, b.e.rpURL+SessionPath, nil, map[string]string{"Accept": "application/json"})
	var si SessionInfo
	var ai AnonymousInfo
	if resp.StatusCode == http.StatusOK {
		require.NoError(b.t, json.Unmarshal([]byte(body), &si), body)
	} else {
		require.NoError(b.t, json.Unmarshal([]byte(body), &ai), body)
	}
	return resp.StatusCode, si, ai
}

// cookie returns the browser's cookie of that name for the console.
func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.e.rpURL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.e.rpURL)
	b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// failureOf reads a failure page's reason code.
var failCode = regexp.MustCompile(`<code id="code">([^<]*)</code>`)

func failureOf(t *testing.T, body string) string {
	t.Helper()
	m := failCode.FindStringSubmatch(body)
	require.NotNil(t, m, "not a failure page: %s", body)
	return m[1]
}

func TestMain(m *testing.M) {
	// The example provider logs every request through the default logger.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}
