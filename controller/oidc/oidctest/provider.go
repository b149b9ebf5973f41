// Package oidctest runs a real OpenID provider in the test process:
// zitadel/oidc's example OP (its login form, its in-memory storage) on
// 127.0.0.1 over TLS, with users that carry groups, and knobs that make it
// misbehave the ways a provider, or someone in between, can.
//
// It is for tests only (controller/oidc's and the controller's): nothing
// but _test.go files may import it, so the provider never links into the
// driftmgr binary (TestNotInTheBinary checks).
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// The clients every provider has registered.
const (
	// ClientID is a confidential client with ClientSecret.
	ClientID     = "driftmgr-console"
	ClientSecret = "console-secret"
	// PublicClientID is a public (native) client: PKCE, no secret.
	PublicClientID = "driftmgr-public"
)

// LoginFormPath is where the provider's login form posts: id (the auth
// request, see AuthRequestID), username and password as a urlencoded form.
const LoginFormPath = "/login/username"

var authReqID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// AuthRequestID reads the auth request id out of the provider's login
// page, "" when body is not that page.
func AuthRequestID(body string) string {
	m := authReqID.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// User is a user of the provider; Claims go into both the ID token and
// the userinfo answer.
type User struct {
	ID, Username, Password, Email, First, Last string
	Claims                                     map[string]any
}

// Users are the provider's users unless Options.Users names others.
var Users = []User{
	{ID: "u-alice", Username: "alice", Password: "alice-pw", Email: "alice@acme.test", First: "Alice", Last: "Admin",
		Claims: map[string]any{"groups": []string{"acme-viewers", "acme-admins", "unrelated"}}},
	{ID: "u-bob", Username: "bob", Password: "bob-pw", Email: "bob@acme.test", First: "Bob", Last: "Nobody",
		Claims: map[string]any{"groups": []string{"marketing", "everyone"}}},
	{ID: "u-carol", Username: "carol", Password: "carol-pw", Email: "carol@multi.test", First: "Carol", Last: "Multi",
		Claims: map[string]any{"groups": []string{"acme-operators", "globex-admins"}}},
	{ID: "u-dave", Username: "dave", Password: "dave-pw", Email: "dave@initech.test", First: "Dave", Last: "Org",
		Claims: map[string]any{"groups": []string{"engineers"}, "org": "initech"}},
}

// Options tune a provider.
type Options struct {
	// RedirectURLs are registered for both clients; AllowRedirect adds
	// more once the relying party's address is known.
	RedirectURLs []string
	// Insecure serves plain http instead of TLS.
	Insecure bool
	// Users replaces Users.
	Users []User
}

// Provider is a running OpenID provider.
type Provider struct {
	// Issuer is the provider's issuer URL (https://127.0.0.1:port).
	Issuer string

	srv    *httptest.Server
	store  *storage.Storage
	claims map[string]map[string]any

	mu        sync.Mutex
	redirects []string

	// Misbehaviour, set by tests; zero values behave.

	// Nonce, if set, is the ID token's nonce instead of the request's.
	Nonce atomic.Pointer[string]
	// Reclaim rewrites the ID token's claims on their way out of the token
	// endpoint and signs them again with the provider's own key: a
	// provider that issues tokens it should not.
	Reclaim atomic.Pointer[func(claims map[string]any)]
	// Reinfo rewrites the userinfo endpoint's answers; "fail": true makes
	// it answer 500.
	Reinfo atomic.Pointer[func(claims map[string]any)]
	// IDTokenTTL, nanoseconds, overrides ID tokens' lifetime when not 0.
	IDTokenTTL atomic.Int64
	// ForgeSignature signs ID tokens with a key not in the JWKS.
	ForgeSignature atomic.Bool

	forgeOnce sync.Once
	forged    op.SigningKey
}

// Start starts a provider on 127.0.0.1 and stops it when the test ends.
// The example provider logs every request through the process's default
// slog logger: tests that mind set it to discard in TestMain.
func Start(tb testing.TB, opts Options) *Provider {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("oidctest: listen: %v", err)
	}
	scheme := "https"
	if opts.Insecure {
		scheme = "http"
	}
	users := opts.Users
	if users == nil {
		users = Users
	}
	p := &Provider{Issuer: scheme + "://" + ln.Addr().String(), claims: map[string]map[string]any{},
		redirects: slices.Clone(opts.RedirectURLs)}
	byID := opUsers{}
	for _, u := range users {
		byID[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: u.First, LastName: u.Last,
			Email: u.Email, EmailVerified: true, PreferredLanguage: language.English}
		p.claims[u.ID] = u.Claims
	}
	clients := map[string]*storage.Client{}
	for _, c := range []*storage.Client{storage.WebClient(ClientID, ClientSecret, opts.RedirectURLs...),
		storage.NativeClient(PublicClientID, opts.RedirectURLs...)} {
		clients[c.GetID()] = c
	}
	p.store = storage.NewStorageWithClients(byID, clients)
	p.srv = httptest.NewUnstartedServer(p.misbehaving(exampleop.SetupServer(p.Issuer, &opStorage{Storage: p.store, p: p}, nil, false)))
	p.srv.Listener.Close()
	p.srv.Listener = ln
	if opts.Insecure {
		p.srv.Start()
	} else {
		p.srv.StartTLS()
	}
	tb.Cleanup(p.srv.Close)
	return p
}

// Certificate is the provider's TLS certificate (nil when insecure).
func (p *Provider) Certificate() *x509.Certificate { return p.srv.Certificate() }

// Transport is an HTTP transport that trusts the provider and, if given,
// more roots (the relying party's).
func (p *Provider) Transport(more ...*x509.Certificate) *http.Transport {
	pool := x509.NewCertPool()
	if c := p.Certificate(); c != nil {
		pool.AddCert(c)
	}
	for _, c := range more {
		pool.AddCert(c)
	}
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
}

// AllowRedirect registers another redirect URL for both clients.
func (p *Provider) AllowRedirect(u string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirects = append(p.redirects, u)
}

type opUsers map[string]*storage.User

func (u opUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u opUsers) GetUserByUsername(name string) *storage.User {
	for _, user := range u {
		if user.Username == name {
			return user
		}
	}
	return nil
}
func (u opUsers) ExampleClientID() string { return storage.ServiceUserID }

// opStorage is the example storage with the provider's extra claims and
// misbehaviour.
type opStorage struct {
	*storage.Storage
	p *Provider
}

func (s *opStorage) addClaims(userinfo *zoidc.UserInfo, subject string) {
	for k, v := range s.p.claims[subject] {
		userinfo.AppendClaims(k, v)
	}
}

// SetUserinfoFromRequest feeds the ID token.
func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, userinfo *zoidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, userinfo, token, scopes); err != nil {
		return err
	}
	s.addClaims(userinfo, token.GetSubject())
	return nil
}

// SetUserinfoFromToken feeds the userinfo endpoint.
func (s *opStorage) SetUserinfoFromToken(ctx context.Context, userinfo *zoidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, userinfo, tokenID, subject, origin); err != nil {
		return err
	}
	s.addClaims(userinfo, subject)
	return nil
}

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if n := s.p.Nonce.Load(); n != nil {
		return skewedRequest{AuthRequest: r, nonce: *n}, nil
	}
	return r, nil
}

func (s *opStorage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	s.p.mu.Lock()
	extra := slices.Clone(s.p.redirects)
	s.p.mu.Unlock()
	return client{Client: c, ttl: time.Duration(s.p.IDTokenTTL.Load()), extra: extra}, nil
}

// SigningKey hands out, when forging, a key with the real key's id that the
// JWKS does not publish: a signature no verifier should accept.
func (s *opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	genuine, err := s.Storage.SigningKey(ctx)
	if err != nil || !s.p.ForgeSignature.Load() {
		return genuine, err
	}
	s.p.forgeOnce.Do(func() {
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		s.p.forged = forgedKey{id: genuine.ID(), key: key}
	})
	return s.p.forged, nil
}

type skewedRequest struct {
	op.AuthRequest
	nonce string
}

func (r skewedRequest) GetNonce() string { return r.nonce }

type client struct {
	op.Client
	ttl   time.Duration
	extra []string
}

func (c client) IDTokenLifetime() time.Duration {
	if c.ttl != 0 {
		return c.ttl
	}
	return c.Client.IDTokenLifetime()
}

func (c client) RedirectURIs() []string {
	return append(slices.Clone(c.Client.RedirectURIs()), c.extra...)
}

type forgedKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k forgedKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k forgedKey) Key() any                                    { return k.key }
func (k forgedKey) ID() string                                  { return k.id }

// misbehaving applies Reclaim and Reinfo to the token and userinfo
// endpoints' answers.
func (p *Provider) misbehaving(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := p.Reinfo.Load(); info != nil && r.URL.Path == "/userinfo" {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var claims map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &claims); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			(*info)(claims)
			if claims["fail"] == true {
				http.Error(w, "userinfo broke", http.StatusInternalServerError)
				return
			}
			writeJSON(w, rec.Code, claims)
			return
		}
		fn := p.Reclaim.Load()
		if fn == nil || r.URL.Path != "/oauth/token" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		raw, _ := body["id_token"].(string)
		jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256}) // an ID token is a compact JWS
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var claims map[string]any
		if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		(*fn)(claims)
		key, err := p.store.SigningKey(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key.Key(), KeyID: key.ID()}}, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		payload, _ := json.Marshal(claims)
		signed, err := signer.Sign(payload)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		body["id_token"], _ = signed.CompactSerialize()
		writeJSON(w, http.StatusOK, body)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
