package oidc

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// NewTestSession signs id in directly, as a successful login would, and
// returns the session cookie to send and the session's CSRF token. It is
// for tests of code that authenticates by session (the controller's
// authentication hook), which should not need an OpenID provider.
func NewTestSession(tb testing.TB, h *Handler, id Identity) (*http.Cookie, string) {
	tb.Helper()
	token, sid := newToken()
	now := h.now()
	s := Session{
		ID: sid, Tenant: id.Tenant, UserID: id.UserID, Name: id.Name, Email: id.Email, Role: id.Role,
		Groups: id.Groups, Method: MethodPassword, CreatedAt: now, ExpiresAt: now.Add(h.cfg.SessionTTL),
		LastSeen: now, CSRFSecret: randomBytes(32),
	}
	if err := h.store.Create(context.Background(), s); err != nil {
		tb.Fatalf("create test session: %v", err)
	}
	return &http.Cookie{Name: h.sessionCookie, Value: token, Path: "/", MaxAge: int(h.cfg.SessionTTL / time.Second)}, s.CSRFToken()
}
