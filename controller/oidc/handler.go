package oidc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Paths the Handler serves. Mount it at PathPrefix.
const (
	PathPrefix   = "/auth/"
	LoginPath    = "/auth/oidc/login"
	CallbackPath = "/auth/oidc/callback"
	LogoutPath   = "/auth/logout"
	SessionPath  = "/auth/session"
	PasswordPath = "/auth/password"
)

// CSRFHeader carries Session.CSRFToken on unsafe requests.
const CSRFHeader = "X-CSRF-Token"

// Cookie names. The __Host- prefix makes browsers refuse the cookie unless
// it is Secure, host-only and for Path=/, so a sibling subdomain cannot
// plant one; plain http (Config.CookieSecure false) cannot have it.
const (
	SessionCookie         = "__Host-driftmgr_session"
	InsecureSessionCookie = "driftmgr_session"
	// CSRFCookie holds the session's CSRF token, readable by the console's
	// script (not HttpOnly), for double submission in CSRFHeader.
	CSRFCookie         = "__Host-driftmgr_csrf"
	InsecureCSRFCookie = "driftmgr_csrf"
	flowCookie         = "__Host-driftmgr_oidc_flow"
	insecureFlowCookie = "driftmgr_oidc_flow"
)

// touchInterval bounds how often a session's LastSeen is written, so a
// replicated store is not written on every request.
const touchInterval = time.Minute

// Handler serves sign-in, sign-out and "who am I" for the console and
// authenticates requests by their session cookie.
type Handler struct {
	cfg       Config
	store     SessionStore
	passwords PasswordVerifier
	log       *slog.Logger
	client    *http.Client
	sealer    *flowSealer
	used      usedStates
	mux       *http.ServeMux
	now       func() time.Time

	mappings   atomic.Pointer[[]Mapping]
	passwordOn atomic.Bool

	sessionCookie, csrfCookie, flowCookie string

	// The provider is discovered at the first login, not at start, so a
	// controller starts while the provider is down; a failed discovery is
	// retried at the next login.
	provMu   sync.Mutex
	prov     *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
}

// New validates cfg and returns a Handler keeping sessions in store.
// passwords checks local passwords; it may be nil when password login is
// never to be turned on.
func New(cfg Config, store SessionStore, passwords PasswordVerifier) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, fmt.Errorf("%w: session store is nil", ErrConfig)
	}
	if cfg.AllowPasswordLogin && passwords == nil {
		return nil, fmt.Errorf("%w: allow_password_login: set, but no PasswordVerifier was given", ErrConfig)
	}
	key := cfg.StateKey
	if key == nil {
		key = randomBytes(32)
	}
	sealer, err := newFlowSealer(key)
	if err != nil {
		return nil, fmt.Errorf("%w: state_key: %v", ErrConfig, err)
	}
	h := &Handler{
		cfg:       cfg,
		store:     store,
		passwords: passwords,
		log:       cfg.Logger,
		client:    cfg.HTTPClient,
		sealer:    sealer,
		now:       time.Now,
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.client == nil {
		h.client = http.DefaultClient
	}
	ms := slices.Clone(cfg.Mappings)
	h.mappings.Store(&ms)
	if cfg.SSO() && len(ms) == 0 {
		h.log.Warn("oidc: no group to role mappings yet; every single sign-on is refused until some are set")
	}
	h.passwordOn.Store(cfg.AllowPasswordLogin)
	if cfg.secure() {
		h.sessionCookie, h.csrfCookie, h.flowCookie = SessionCookie, CSRFCookie, flowCookie
	} else {
		h.sessionCookie, h.csrfCookie, h.flowCookie = InsecureSessionCookie, InsecureCSRFCookie, insecureFlowCookie
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET "+LoginPath, h.login)
	h.mux.HandleFunc("GET "+CallbackPath, h.callback)
	h.mux.HandleFunc("POST "+LogoutPath, h.logout)
	h.mux.HandleFunc("GET "+SessionPath, h.session)
	h.mux.HandleFunc("POST "+PasswordPath, h.password)
	return h, nil
}

// ServeHTTP serves the paths under PathPrefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Nothing here may be cached: it is all about one person's session.
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// SessionCookieName is the cookie that carries the session token.
func (h *Handler) SessionCookieName() string { return h.sessionCookie }

// SetMappings replaces the group to role mappings, e.g. when an
// administrator edits them; sessions already signed in keep their role.
func (h *Handler) SetMappings(ms []Mapping) error {
	if err := checkMappings(ms, h.cfg.TenantClaim); err != nil {
		return err
	}
	ms = slices.Clone(ms)
	h.mappings.Store(&ms)
	return nil
}

// SetPasswordLogin turns password login on or off.
func (h *Handler) SetPasswordLogin(on bool) error {
	if on && h.passwords == nil {
		return fmt.Errorf("%w: password login cannot be turned on without a PasswordVerifier", ErrConfig)
	}
	h.passwordOn.Store(on)
	return nil
}

type sessionKey struct{}

// SessionFrom returns the session RequireCSRF or Authenticate found for a
// request.
func SessionFrom(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(*Session)
	return s, ok
}

// WithSession returns ctx carrying s, as SessionFrom reads it.
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// Authenticate returns the session a request's cookie names. It returns
// ErrNoSession when there is no cookie (the caller may have another
// credential), ErrSessionNotFound or ErrSessionExpired when the cookie is
// stale. It does not check CSRF: wrap unsafe routes in RequireCSRF.
func (h *Handler) Authenticate(r *http.Request) (*Session, error) {
	if s, ok := SessionFrom(r.Context()); ok {
		return s, nil
	}
	c, err := r.Cookie(h.sessionCookie)
	if err != nil || c.Value == "" {
		return nil, ErrNoSession
	}
	return h.lookup(r.Context(), c.Value)
}

// lookup finds the live session for a cookie token, ending it if expired
// and noting its use.
func (h *Handler) lookup(ctx context.Context, token string) (*Session, error) {
	id := sessionID(token)
	s, err := h.store.Get(ctx, id)
	if errors.Is(err, ErrSessionNotFound) {
		return nil, ErrSessionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	now := h.now()
	if !now.Before(s.ExpiresAt) || (h.cfg.IdleTimeout > 0 && now.Sub(s.LastSeen) >= h.cfg.IdleTimeout) {
		if err := h.store.Delete(ctx, id); err != nil {
			h.log.WarnContext(ctx, "delete expired session", "tenant", s.Tenant, "user", s.UserID, "error", err)
		}
		return nil, ErrSessionExpired
	}
	if now.Sub(s.LastSeen) >= touchInterval {
		if err := h.store.Touch(ctx, id, now); err != nil {
			// Not fatal: the session is valid; at worst it idles out early.
			h.log.WarnContext(ctx, "touch session", "tenant", s.Tenant, "user", s.UserID, "error", err)
		} else {
			s.LastSeen = now
		}
	}
	return &s, nil
}

// startSession signs id in: a new session and its cookies. A session the
// browser already had is ended, so a planted cookie never survives a login.
func (h *Handler) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, id Identity, method, issuer string) (*Session, error) {
	if c, err := r.Cookie(h.sessionCookie); err == nil && c.Value != "" {
		if err := h.store.Delete(ctx, sessionID(c.Value)); err != nil {
			h.log.WarnContext(ctx, "end previous session", "error", err)
		}
	}
	token, sid := newToken()
	now := h.now()
	s := Session{
		ID:         sid,
		Tenant:     id.Tenant,
		UserID:     id.UserID,
		Name:       id.Name,
		Email:      id.Email,
		Role:       id.Role,
		Groups:     slices.Clone(id.Groups),
		Method:     method,
		Issuer:     issuer,
		CreatedAt:  now,
		ExpiresAt:  now.Add(h.cfg.SessionTTL),
		LastSeen:   now,
		CSRFSecret: randomBytes(32),
	}
	if err := h.store.Create(ctx, s); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	maxAge := int(h.cfg.SessionTTL / time.Second)
	h.setCookie(w, h.sessionCookie, token, maxAge, true)
	h.setCookie(w, h.csrfCookie, s.CSRFToken(), maxAge, false)
	h.log.InfoContext(ctx, "console sign-in", "method", method, "tenant", s.Tenant, "user", s.UserID, "role", s.Role)
	return &s, nil
}

func (h *Handler) setCookie(w http.ResponseWriter, name, value string, maxAge int, httpOnly bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   h.cfg.secure(),
		HttpOnly: httpOnly,
		// Lax, not Strict: the provider's redirect back to the callback is
		// a cross-site navigation that must carry the flow cookie, and a
		// link into the console from a chat should land signed in.
		SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handler) clearCookie(w http.ResponseWriter, name string, httpOnly bool) {
	h.setCookie(w, name, "", -1, httpOnly)
}

// SessionInfo is GET /auth/session's answer for a signed-in browser.
type SessionInfo struct {
	UserID    string    `json:"user_id"`
	Name      string    `json:"name,omitempty"`
	Email     string    `json:"email,omitempty"`
	Tenant    string    `json:"tenant"`
	Role      string    `json:"role"`
	Groups    []string  `json:"groups,omitempty"`
	Method    string    `json:"method"`
	ExpiresAt time.Time `json:"expires_at"`
	// CSRFToken goes in CSRFHeader on unsafe requests.
	CSRFToken string `json:"csrf_token"`
}

// AnonymousInfo is GET /auth/session's answer (401) without a session: the
// ways the login page may offer.
type AnonymousInfo struct {
	Error         string `json:"error"`
	Message       string `json:"message"`
	SSO           bool   `json:"sso"`
	PasswordLogin bool   `json:"password_login"`
}

func info(s *Session) SessionInfo {
	return SessionInfo{UserID: s.UserID, Name: s.Name, Email: s.Email, Tenant: s.Tenant, Role: s.Role,
		Groups: s.Groups, Method: s.Method, ExpiresAt: s.ExpiresAt, CSRFToken: s.CSRFToken()}
}

func (h *Handler) session(w http.ResponseWriter, r *http.Request) {
	s, err := h.Authenticate(r)
	if err != nil {
		if !errors.Is(err, ErrNoSession) && !errors.Is(err, ErrSessionNotFound) && !errors.Is(err, ErrSessionExpired) {
			h.log.ErrorContext(r.Context(), "read session", "error", err)
			respondFailure(w, r, &failure{status: http.StatusInternalServerError, code: "session_store", msg: "The session store could not be read; try again."})
			return
		}
		code, msg := "unauthenticated", "Not signed in."
		if errors.Is(err, ErrSessionExpired) {
			code, msg = "session_expired", "Your session has expired; sign in again."
		}
		h.clearStale(w, r)
		writeJSON(w, http.StatusUnauthorized, AnonymousInfo{Error: code, Message: msg, SSO: h.cfg.SSO(), PasswordLogin: h.passwordOn.Load()})
		return
	}
	writeJSON(w, http.StatusOK, info(s))
}

// clearStale removes a session cookie that names no live session, so the
// browser stops sending it.
func (h *Handler) clearStale(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(h.sessionCookie); err == nil {
		h.clearCookie(w, h.sessionCookie, true)
		h.clearCookie(w, h.csrfCookie, false)
	}
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	s, err := h.Authenticate(r)
	switch {
	case errors.Is(err, ErrNoSession), errors.Is(err, ErrSessionNotFound), errors.Is(err, ErrSessionExpired):
		h.clearStale(w, r)
		w.WriteHeader(http.StatusNoContent)
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "read session", "error", err)
		respondFailure(w, r, &failure{status: http.StatusInternalServerError, code: "session_store", msg: "The session store could not be read; try again."})
		return
	}
	// Logging someone out is a state change another site must not force.
	if f := h.checkUnsafe(r, s); f != nil {
		respondFailure(w, r, f)
		return
	}
	if err := h.store.Delete(r.Context(), s.ID); err != nil {
		h.log.ErrorContext(r.Context(), "delete session", "error", err)
		respondFailure(w, r, &failure{status: http.StatusInternalServerError, code: "session_store", msg: "The session could not be ended; try again."})
		return
	}
	h.clearCookie(w, h.sessionCookie, true)
	h.clearCookie(w, h.csrfCookie, false)
	h.log.InfoContext(r.Context(), "console sign-out", "tenant", s.Tenant, "user", s.UserID)
	w.WriteHeader(http.StatusNoContent)
}

// oauthConfig is the client's side of the code flow.
func (h *Handler) oauthConfig(p *gooidc.Provider) *oauth2.Config {
	ep := p.Endpoint()
	if h.cfg.ClientSecret == "" {
		// A public client identifies itself by client_id in the form;
		// HTTP Basic with an empty password is refused by some providers.
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     h.cfg.ClientID,
		ClientSecret: h.cfg.ClientSecret,
		Endpoint:     ep,
		RedirectURL:  h.cfg.RedirectURL,
		Scopes:       h.cfg.Scopes,
	}
}

// provider returns the discovered provider and its ID token verifier.
func (h *Handler) provider(ctx context.Context) (*gooidc.Provider, *gooidc.IDTokenVerifier, error) {
	h.provMu.Lock()
	defer h.provMu.Unlock()
	if h.prov != nil {
		return h.prov, h.verifier, nil
	}
	ctx, cancel := context.WithTimeout(gooidc.ClientContext(ctx, h.client), 15*time.Second)
	defer cancel()
	p, err := gooidc.NewProvider(ctx, h.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discover %s: %w", h.cfg.Issuer, err)
	}
	// The key set fetches keys long after this request: give it the
	// client, not this request's deadline.
	h.verifier = p.VerifierContext(gooidc.ClientContext(context.Background(), h.client), &gooidc.Config{ClientID: h.cfg.ClientID, Now: h.now})
	h.prov = p
	return h.prov, h.verifier, nil
}
