package oidc

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// loginFlowTTL is how long a user has between leaving for the provider and
// coming back: long enough for a password manager and a second factor.
const loginFlowTTL = 10 * time.Minute

// loginFlow is what the callback needs from the login that started it. It
// rides in the flow cookie, sealed, so no controller has to remember it.
type loginFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	// Tenant is the tenant asked for at login, if any.
	Tenant string `json:"t,omitempty"`
	// Next is the console path to land on afterwards.
	Next    string `json:"r,omitempty"`
	Expires int64  `json:"e"`
}

var errFlowCookie = errors.New("login flow cookie does not open")

// flowSealer encrypts and authenticates flow cookies with AES-256-GCM.
type flowSealer struct{ aead cipher.AEAD }

// flowAAD binds a sealed value to its purpose, so nothing else sealed with
// the same key passes for a flow.
var flowAAD = []byte("driftmgr oidc login flow v1")

func newFlowSealer(key []byte) (*flowSealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("flow cookie key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("flow cookie key: %w", err)
	}
	return &flowSealer{aead: aead}, nil
}

func (s *flowSealer) seal(f loginFlow) string {
	plain, _ := json.Marshal(f) // a struct of strings always marshals
	nonce := randomBytes(s.aead.NonceSize())
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, flowAAD))
}

func (s *flowSealer) open(v string) (loginFlow, error) {
	var f loginFlow
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return f, errFlowCookie
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], flowAAD)
	if err != nil {
		return f, errFlowCookie
	}
	if err := json.Unmarshal(plain, &f); err != nil {
		return f, errFlowCookie
	}
	return f, nil
}

// usedStates remembers the states of finished callbacks until their flow
// would have expired anyway, so a replayed callback is refused here before
// its code ever reaches the provider.
type usedStates struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// use marks a state used and reports whether it was fresh.
func (u *usedStates) use(state string, expires, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.seen == nil {
		u.seen = map[string]time.Time{}
	}
	for s, exp := range u.seen {
		if now.After(exp) {
			delete(u.seen, s)
		}
	}
	if _, ok := u.seen[state]; ok {
		return false
	}
	u.seen[state] = expires
	return true
}
