package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// login starts single sign-on: it keeps state, nonce and PKCE verifier in
// the sealed flow cookie and sends the browser to the provider.
// ?tenant= picks a tenant for users with roles in several; ?next= is the
// console path to land on.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.SSO() {
		respondFailure(w, r, &failure{status: http.StatusNotFound, code: "sso_disabled", msg: "Single sign-on is not configured; sign in with a password."})
		return
	}
	tenant := r.URL.Query().Get("tenant")
	if len(tenant) > 128 || strings.ContainsFunc(tenant, func(c rune) bool { return !unicode.IsPrint(c) || c == ' ' }) {
		respondFailure(w, r, &failure{status: http.StatusBadRequest, code: "bad_tenant", msg: "The tenant parameter is not a tenant id."})
		return
	}
	p, _, err := h.provider(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "oidc discovery failed", "issuer", h.cfg.Issuer, "error", err)
		respondFailure(w, r, &failure{status: http.StatusBadGateway, code: "provider_unreachable", err: err,
			msg: fmt.Sprintf("The identity provider %s could not be reached or its discovery document is wrong (%v).", h.cfg.Issuer, err)})
		return
	}
	now := h.now()
	f := loginFlow{
		State:    rand.Text(),
		Nonce:    rand.Text(),
		Verifier: oauth2.GenerateVerifier(),
		Tenant:   tenant,
		Next:     safeNext(r.URL.Query().Get("next")),
		Expires:  now.Add(loginFlowTTL).Unix(),
	}
	h.setCookie(w, h.flowCookie, h.sealer.seal(f), int(loginFlowTTL/time.Second), true)
	u := h.oauthConfig(p).AuthCodeURL(f.State, oauth2.S256ChallengeOption(f.Verifier), gooidc.Nonce(f.Nonce))
	http.Redirect(w, r, u, http.StatusFound)
}

// safeNext keeps a post-login destination only if it is a path on this
// site, so the login cannot be made an open redirect.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

// callback finishes single sign-on. Every refusal names what went wrong;
// nothing logged here includes a code, a token or a cookie.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.SSO() {
		respondFailure(w, r, &failure{status: http.StatusNotFound, code: "sso_disabled", msg: "Single sign-on is not configured; sign in with a password."})
		return
	}
	s, f := h.finishLogin(w, r)
	if f != nil {
		attrs := []any{"reason", f.code}
		if f.err != nil {
			attrs = append(attrs, "error", f.err)
		}
		h.log.WarnContext(r.Context(), "oidc sign-in refused", attrs...)
		respondFailure(w, r, f)
		return
	}
	next := "/"
	if s.next != "" {
		next = s.next
	}
	http.Redirect(w, r, next, http.StatusFound)
}

type signedIn struct {
	*Session
	next string
}

func (h *Handler) finishLogin(w http.ResponseWriter, r *http.Request) (*signedIn, *failure) {
	q := r.URL.Query()
	c, err := r.Cookie(h.flowCookie)
	if err != nil || c.Value == "" {
		return nil, &failure{status: http.StatusBadRequest, code: "no_login_in_progress",
			msg: "No sign-in is in progress in this browser: it expired, was already completed, or cookies are blocked. Start again."}
	}
	// The flow cookie is single use whatever happens next.
	h.clearCookie(w, h.flowCookie, true)
	flow, err := h.sealer.open(c.Value)
	if err != nil {
		return nil, &failure{status: http.StatusBadRequest, code: "bad_login_state", err: err,
			msg: "The sign-in state in this browser is not one this console issued (or its key changed). Start again."}
	}
	if pe := q.Get("error"); pe != "" {
		return nil, providerError(pe, q.Get("error_description"))
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(flow.State)) != 1 {
		return nil, &failure{status: http.StatusBadRequest, code: "state_mismatch",
			msg: "The identity provider answered a different sign-in than the one this browser started. Start again."}
	}
	now := h.now()
	expires := time.Unix(flow.Expires, 0)
	if now.After(expires) {
		return nil, &failure{status: http.StatusBadRequest, code: "login_expired",
			msg: fmt.Sprintf("The sign-in took longer than %s. Start again.", loginFlowTTL)}
	}
	if !h.used.use(flow.State, expires, now) {
		return nil, &failure{status: http.StatusBadRequest, code: "login_replayed",
			msg: "This sign-in was already completed; its answer cannot be used twice. Start again."}
	}
	code := q.Get("code")
	if code == "" {
		return nil, &failure{status: http.StatusBadRequest, code: "no_code", msg: "The identity provider sent no authorization code. Start again."}
	}
	p, verifier, err := h.provider(r.Context())
	if err != nil {
		return nil, &failure{status: http.StatusBadGateway, code: "provider_unreachable", err: err,
			msg: fmt.Sprintf("The identity provider %s could not be reached (%v).", h.cfg.Issuer, err)}
	}
	ctx, cancel := context.WithTimeout(gooidc.ClientContext(r.Context(), h.client), 30*time.Second)
	defer cancel()
	tok, err := h.oauthConfig(p).Exchange(ctx, code, oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		return nil, exchangeFailure(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, &failure{status: http.StatusBadGateway, code: "no_id_token",
			msg: "The identity provider returned no ID token; is the \"openid\" scope allowed for this client?"}
	}
	idt, err := verifier.Verify(ctx, rawID)
	if err != nil {
		return nil, &failure{status: http.StatusUnauthorized, code: "id_token_invalid", err: err,
			msg: fmt.Sprintf("The identity provider's ID token did not verify: %v.", err)}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return nil, &failure{status: http.StatusUnauthorized, code: "nonce_mismatch",
			msg: "The ID token was issued for another sign-in (its nonce does not match). Start again."}
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, &failure{status: http.StatusUnauthorized, code: "id_token_invalid", err: err,
				msg: "The access token does not match the ID token's at_hash."}
		}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, &failure{status: http.StatusBadGateway, code: "id_token_invalid", err: err, msg: "The ID token's claims do not parse."}
	}
	h.addUserInfo(ctx, p, tok, idt.Subject, claims)
	id, fl := h.identity(idt.Subject, claims, flow.Tenant)
	if fl != nil {
		return nil, fl
	}
	if h.cfg.Admit != nil {
		admitted, err := h.cfg.Admit(r.Context(), id, idt.Issuer)
		var rf *refusal
		switch {
		case errors.As(err, &rf):
			return nil, &failure{status: http.StatusForbidden, code: "refused", err: err, msg: rf.reason}
		case err != nil:
			return nil, &failure{status: http.StatusInternalServerError, code: "admit_failed", err: err,
				msg: "Your sign-in could not be recorded; try again."}
		}
		id = admitted
	}
	s, err := h.startSession(r.Context(), w, r, id, MethodOIDC, idt.Issuer)
	if err != nil {
		return nil, &failure{status: http.StatusInternalServerError, code: "session_store", err: err, msg: "The session could not be stored; try again."}
	}
	return &signedIn{Session: s, next: flow.Next}, nil
}

// addUserInfo fills the claims the ID token lacks (often email, name or
// groups) from the provider's userinfo endpoint. It is best effort: the ID
// token alone may be enough.
func (h *Handler) addUserInfo(ctx context.Context, p *gooidc.Provider, tok *oauth2.Token, subject string, claims map[string]any) {
	_, haveGroups := claim(claims, h.cfg.GroupsClaim)
	needTenant := h.cfg.TenantClaim != "" && stringClaim(claims, h.cfg.TenantClaim) == ""
	if haveGroups && claims["email"] != nil && claims["name"] != nil && !needTenant {
		return
	}
	if p.UserInfoEndpoint() == "" {
		return
	}
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		h.log.WarnContext(ctx, "oidc userinfo failed; using the ID token's claims only", "error", err)
		return
	}
	if ui.Subject != subject {
		// OpenID Connect Core 5.3.2: a userinfo answer for someone else
		// must not be used.
		h.log.WarnContext(ctx, "oidc userinfo is for another subject; ignored")
		return
	}
	var more map[string]any
	if err := ui.Claims(&more); err != nil {
		return
	}
	for k, v := range more {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
}

// identity maps verified claims to who signs in, with which role in which
// tenant.
func (h *Handler) identity(subject string, claims map[string]any, askedTenant string) (Identity, *failure) {
	groups := stringsClaim(claims, h.cfg.GroupsClaim)
	claimTenant := ""
	if h.cfg.TenantClaim != "" {
		if claimTenant = stringClaim(claims, h.cfg.TenantClaim); claimTenant == "" {
			return Identity{}, &failure{status: http.StatusForbidden, code: "no_tenant", err: ErrNoRole,
				msg: fmt.Sprintf("The identity provider's token has no %q claim naming your tenant.", h.cfg.TenantClaim)}
		}
	}
	tenant, role, err := chooseTenant(rolesFor(*h.mappings.Load(), groups, claimTenant), askedTenant, groups)
	if err != nil {
		var f *failure
		if errors.As(err, &f) {
			return Identity{}, f
		}
		return Identity{}, &failure{status: http.StatusForbidden, code: "no_role", err: err, msg: err.Error()}
	}
	name := stringClaim(claims, "name")
	if name == "" {
		name = stringClaim(claims, "preferred_username")
	}
	return Identity{Tenant: tenant, UserID: subject, Name: name, Email: stringClaim(claims, "email"), Role: role, Groups: groups}, nil
}

// providerError explains an error the provider sent back instead of a code.
func providerError(code, desc string) *failure {
	code = clip(code, 64)
	desc = clip(desc, 300)
	msg := "The identity provider refused the sign-in"
	switch code {
	case "access_denied":
		msg = "The identity provider denied access (you declined, or are not allowed to use DriftMgr)"
	case "login_required", "interaction_required", "consent_required":
		msg = "The identity provider needs you to sign in there first"
	}
	if desc != "" {
		msg += ": " + desc
	}
	return &failure{status: http.StatusForbidden, code: code, msg: msg + "."}
}

// exchangeFailure explains a refused token exchange without quoting
// anything but the provider's error code and description.
func exchangeFailure(err error) *failure {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode != "" {
		desc := clip(re.ErrorDescription, 300)
		why := re.ErrorCode
		if desc != "" {
			why += ": " + desc
		}
		if re.ErrorCode == "invalid_grant" {
			return &failure{status: http.StatusBadRequest, code: "code_rejected", err: errors.New(why),
				msg: fmt.Sprintf("The identity provider refused the authorization code (%s). It may have been used already, "+
					"have expired, or belong to another sign-in. Start again.", why)}
		}
		return &failure{status: http.StatusBadGateway, code: "token_exchange_failed", err: errors.New(why),
			msg: fmt.Sprintf("The identity provider refused to exchange the authorization code (%s); check client_id, client_secret and redirect_url.", why)}
	}
	if errors.As(err, &re) {
		// Its message quotes the response body: keep to the status.
		status := "no status"
		if re.Response != nil {
			status = re.Response.Status
		}
		return &failure{status: http.StatusBadGateway, code: "token_exchange_failed", err: errors.New(status),
			msg: fmt.Sprintf("The identity provider's token endpoint failed (%s).", status)}
	}
	return &failure{status: http.StatusBadGateway, code: "token_exchange_failed", err: err,
		msg: "The identity provider's token endpoint could not be reached; try again."}
}

// clip bounds text quoted from the provider and drops control characters.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}
