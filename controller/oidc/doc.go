// Package oidc signs people in to the console and keeps their browser
// sessions.
//
// Two ways in, one session:
//
//   - single sign-on with an OpenID provider: authorization code flow with
//     PKCE (S256) and a nonce, the ID token verified for signature, issuer,
//     audience, expiry and nonce; the provider's groups claim is mapped to a
//     role per tenant by Config.Mappings (highest role wins);
//   - a local password, checked by a PasswordVerifier the tenancy layer
//     provides, as a fallback an administrator can turn off.
//
// Either ends in a Session kept by a SessionStore and named by an opaque
// random token in an HttpOnly, Secure, SameSite=Lax cookie
// (__Host-driftmgr_session). The store is keyed by a SHA-256 of that token,
// never the token itself, so a replicated store or a snapshot of it holds
// nothing a thief could replay.
//
// A cookie is sent by the browser whoever made the page, so unsafe requests
// made with one must carry the session's CSRF token in X-CSRF-Token
// (RequireCSRF), and are refused when Origin or Sec-Fetch-Site say they come
// from another site.
//
// Handler serves the /auth/ endpoints; Handler.Authenticate and SessionFrom
// are what the controller's authentication hook calls. The login flow's
// state, nonce and PKCE verifier travel in a short-lived cookie sealed with
// AES-GCM, so any controller sharing Config.StateKey can finish a login
// another one started.
package oidc
