package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
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

// The in-process OpenID provider: zitadel/oidc's example OP (its login
// form, its in-memory storage) on 127.0.0.1 over TLS, with users that carry
// groups and knobs that make it misbehave the ways a provider, or someone in
// between, can.

const (
	testClientID     = "driftmgr-console"
	testClientSecret = "console-secret"
	testPublicClient = "driftmgr-public"
)

// testUser is a user of the test provider; claims go into both the ID token
// and the userinfo answer.
type testUser struct {
	id, username, password, email, first, last string
	claims                                     map[string]any
}

var testUsers = []testUser{
	{id: "u-alice", username: "alice", password: "alice-pw", email: "alice@acme.test", first: "Alice", last: "Admin",
		claims: map[string]any{"groups": []string{"acme-viewers", "acme-admins", "unrelated"}}},
	{id: "u-bob", username: "bob", password: "bob-pw", email: "bob@acme.test", first: "Bob", last: "Nobody",
		claims: map[string]any{"groups": []string{"marketing", "everyone"}}},
	{id: "u-carol", username: "carol", password: "carol-pw", email: "carol@multi.test", first: "Carol", last: "Multi",
		claims: map[string]any{"groups": []string{"acme-operators", "globex-admins"}}},
	{id: "u-dave", username: "dave", password: "dave-pw", email: "dave@initech.test", first: "Dave", last: "Org",
		claims: map[string]any{"groups": []string{"engineers"}, "org": "initech"}},
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

// opStorage is the example storage plus extra claims and misbehaviour.
type opStorage struct {
	*storage.Storage
	claims map[string]map[string]any

	// Misbehaviour, set by tests; zero values behave.
	nonce atomic.Pointer[string] // the ID token's nonce instead of the request's
	// reclaim rewrites the ID token's claims on its way out of the token
	// endpoint and signs it again with the provider's own key: a provider
	// that issues tokens it should not.
	reclaim atomic.Pointer[func(claims map[string]any)]
	// reinfo rewrites the userinfo endpoint's answers; "fail": true makes
	// it answer 500.
	reinfo     atomic.Pointer[func(claims map[string]any)]
	idTokenTTL atomic.Int64 // nanoseconds; non-zero overrides the lifetime
	forgeSig   atomic.Bool  // sign ID tokens with a key not in the JWKS

	forgeOnce sync.Once
	forged    op.SigningKey
}

func (s *opStorage) addClaims(userinfo *zoidc.UserInfo, subject string) {
	for k, v := range s.claims[subject] {
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

type skewedRequest struct {
	op.AuthRequest
	nonce string
}

func (r skewedRequest) GetNonce() string { return r.nonce }

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if n := s.nonce.Load(); n != nil {
		return skewedRequest{AuthRequest: r, nonce: *n}, nil
	}
	return r, nil
}

// reclaiming applies opStorage.reclaim and reinfo to the token and
// userinfo endpoints' answers.
func (s *opStorage) reclaiming(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := s.reinfo.Load(); info != nil && r.URL.Path == "/userinfo" {
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
		fn := s.reclaim.Load()
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
		jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
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
		key, err := s.Storage.SigningKey(r.Context())
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

type shortLivedClient struct {
	op.Client
	ttl time.Duration
}

func (c shortLivedClient) IDTokenLifetime() time.Duration { return c.ttl }

func (s *opStorage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if ttl := s.idTokenTTL.Load(); ttl != 0 {
		return shortLivedClient{Client: c, ttl: time.Duration(ttl)}, nil
	}
	return c, nil
}

type forgedKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k forgedKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k forgedKey) Key() any                                    { return k.key }
func (k forgedKey) ID() string                                  { return k.id }

// SigningKey hands out, when forging, a key with the real key's id that the
// JWKS does not publish: a signature no verifier should accept.
func (s *opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	genuine, err := s.Storage.SigningKey(ctx)
	if err != nil || !s.forgeSig.Load() {
		return genuine, err
	}
	s.forgeOnce.Do(func() {
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		s.forged = forgedKey{id: genuine.ID(), key: key}
	})
	return s.forged, nil
}

// testOP is a running test provider.
type testOP struct {
	*opStorage
	srv    *httptest.Server
	issuer string
}

// startOP starts the provider over TLS (plain http when insecure), with the
// confidential and the public client both registered for redirectURL.
func startOP(t *testing.T, redirectURL string, insecure bool) *testOP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scheme := "https"
	if insecure {
		scheme = "http"
	}
	issuer := scheme + "://" + ln.Addr().String()
	users := opUsers{}
	claims := map[string]map[string]any{}
	for _, u := range testUsers {
		users[u.id] = &storage.User{ID: u.id, Username: u.username, Password: u.password, FirstName: u.first, LastName: u.last,
			Email: u.email, EmailVerified: true, PreferredLanguage: language.English}
		claims[u.id] = u.claims
	}
	clients := map[string]*storage.Client{}
	for _, c := range []*storage.Client{
		storage.WebClient(testClientID, testClientSecret, redirectURL),
		storage.NativeClient(testPublicClient, redirectURL),
	} {
		clients[c.GetID()] = c
	}
	st := &opStorage{Storage: storage.NewStorageWithClients(users, clients), claims: claims}
	srv := httptest.NewUnstartedServer(st.reclaiming(exampleop.SetupServer(issuer, st, nil, false)))
	srv.Listener.Close()
	srv.Listener = ln
	if insecure {
		srv.Start()
	} else {
		srv.StartTLS()
	}
	t.Cleanup(srv.Close)
	return &testOP{opStorage: st, srv: srv, issuer: issuer}
}
