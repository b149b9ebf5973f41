package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Methods a session was signed in with.
const (
	MethodOIDC     = "oidc"
	MethodPassword = "password"
)

// Session is one signed-in browser. It is a plain record so a replicated
// store can serialize it as it is (JSON tags included).
type Session struct {
	// ID is the store's key: hex SHA-256 of the token in the cookie. The
	// token itself is never stored.
	ID     string `json:"id"`
	Tenant string `json:"tenant"`
	// UserID is the PasswordVerifier's user id for a password login; for
	// single sign-on, the provider's subject, or the id Config.Admit gave.
	UserID string   `json:"user_id"`
	Name   string   `json:"name,omitempty"`
	Email  string   `json:"email,omitempty"`
	Role   string   `json:"role"`
	Groups []string `json:"groups,omitempty"`
	// Method is MethodOIDC or MethodPassword.
	Method string `json:"method"`
	// Issuer is the provider that signed the user in (single sign-on only).
	Issuer    string    `json:"issuer,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// LastSeen is updated at most once a minute (see Handler.Authenticate),
	// so a replicated store is not written on every request.
	LastSeen time.Time `json:"last_seen"`
	// CSRFSecret keys the session's CSRF token.
	CSRFSecret []byte `json:"csrf_secret"`
}

// CSRFToken is the value unsafe requests made with this session must send
// in X-CSRF-Token: an HMAC of the session id under the session's secret, so
// it is worthless for any other session.
func (s *Session) CSRFToken() string {
	m := hmac.New(sha256.New, s.CSRFSecret)
	m.Write([]byte("driftmgr csrf v1\x00"))
	m.Write([]byte(s.ID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Session) clone() Session {
	c := *s
	c.Groups = slices.Clone(s.Groups)
	c.CSRFSecret = slices.Clone(s.CSRFSecret)
	return c
}

// SessionStore keeps sessions by id (Session.ID). The controller's store is
// replicated through raft; MemoryStore is for one process and tests.
type SessionStore interface {
	// Create stores a new session.
	Create(ctx context.Context, s Session) error
	// Get returns the session or an error wrapping ErrSessionNotFound.
	// It need not check expiry: Handler.Authenticate does.
	Get(ctx context.Context, id string) (Session, error)
	// Touch records that the session was used at lastSeen.
	Touch(ctx context.Context, id string, lastSeen time.Time) error
	// Delete forgets a session; deleting an unknown one is not an error.
	Delete(ctx context.Context, id string) error
}

// newToken returns a fresh session token for the cookie and the store id
// derived from it.
func newToken() (token, id string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, sessionID(token)
}

// sessionID maps a cookie token to the store key.
func sessionID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// MemoryStore is a SessionStore in one process's memory. It forgets
// sessions past ExpiresAt when new ones are created, so it stays bounded by
// the sign-in rate times the session lifetime.
type MemoryStore struct {
	mu       sync.Mutex
	sessions map[string]Session
	now      func() time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{sessions: map[string]Session{}, now: time.Now}
}

// Create implements SessionStore.
func (m *MemoryStore) Create(_ context.Context, s Session) error {
	if s.ID == "" {
		return fmt.Errorf("create session: empty id")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for id, old := range m.sessions {
		if now.After(old.ExpiresAt) {
			delete(m.sessions, id)
		}
	}
	m.sessions[s.ID] = s.clone()
	return nil
}

// Get implements SessionStore.
func (m *MemoryStore) Get(_ context.Context, id string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return Session{}, ErrSessionNotFound
	}
	return s.clone(), nil
}

// Touch implements SessionStore.
func (m *MemoryStore) Touch(_ context.Context, id string, lastSeen time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return ErrSessionNotFound
	}
	s.LastSeen = lastSeen
	m.sessions[id] = s
	return nil
}

// Delete implements SessionStore.
func (m *MemoryStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, id)
	return nil
}

// Len returns how many sessions are stored.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}
