package oidc

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them, so the
// controller maps them to status codes with errors.Is.
var (
	// ErrConfig marks a Config that does not validate; the message names
	// the field.
	ErrConfig = errors.New("oidc: bad config")
	// ErrNoSession marks a request that carries no session cookie: the
	// caller is anonymous as far as this package is concerned, and another
	// credential (API key, client certificate) may still apply.
	ErrNoSession = errors.New("oidc: no session cookie")
	// ErrSessionNotFound marks a session id the store does not know:
	// logged out, expired and swept, or never issued.
	ErrSessionNotFound = errors.New("oidc: session not found")
	// ErrSessionExpired marks a session past its lifetime or idle timeout.
	ErrSessionExpired = errors.New("oidc: session expired")
	// ErrCSRF marks an unsafe request made with a session cookie but
	// without the session's CSRF token in X-CSRF-Token.
	ErrCSRF = errors.New("oidc: missing or wrong csrf token")
	// ErrCrossSite marks an unsafe request whose Origin or Sec-Fetch-Site
	// says another site made it.
	ErrCrossSite = errors.New("oidc: cross-site request")
	// ErrPasswordLoginDisabled marks a password login while password login
	// is turned off. A PasswordVerifier may return it too, for a tenant
	// whose administrator turned it off.
	ErrPasswordLoginDisabled = errors.New("oidc: password login is turned off")
	// ErrBadCredentials is what a PasswordVerifier returns for an unknown
	// tenant or user and for a wrong password alike, so a caller cannot
	// probe which exist.
	ErrBadCredentials = errors.New("oidc: wrong tenant, username or password")
	// ErrNoRole marks a signed-in identity that no mapping gives a role.
	ErrNoRole = errors.New("oidc: no role for this user")
	// ErrRefused marks an identity the provider vouched for that may still
	// not sign in (a disabled user or tenant): see Refuse.
	ErrRefused = errors.New("oidc: sign-in refused")
)

// Refuse is how Config.Admit refuses an identity: reason, a sentence, is
// shown to the person signing in. The error wraps ErrRefused.
func Refuse(reason string) error { return &refusal{reason: reason} }

type refusal struct{ reason string }

func (r *refusal) Error() string { return ErrRefused.Error() + ": " + r.reason }
func (r *refusal) Unwrap() error { return ErrRefused }
