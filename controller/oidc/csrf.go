package oidc

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// safeMethod reports whether a method must not change state, so a request
// with it needs no CSRF token.
func safeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// RequireCSRF refuses unsafe requests (POST, PUT, PATCH, DELETE ...) that
// carry a session cookie unless they come from the console's own origin
// and carry the session's token in X-CSRF-Token. Requests without the
// cookie (API keys, client certificates) pass untouched: they hold no
// ambient credential a browser would attach for another site. A request
// that passes has its session in the context (SessionFrom), so the
// authentication behind it need not read the store again; a stale cookie
// passes through for that authentication to refuse.
func (h *Handler) RequireCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(h.sessionCookie)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		if f := h.checkOrigin(r); f != nil {
			respondFailure(w, r, f)
			return
		}
		s, err := h.lookup(r.Context(), c.Value)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		if f := h.checkUnsafe(r, s); f != nil {
			respondFailure(w, r, f)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithSession(r.Context(), s)))
	})
}

// checkUnsafe checks an unsafe request made with session s: its origin and
// its CSRF token.
func (h *Handler) checkUnsafe(r *http.Request, s *Session) *failure {
	if f := h.checkOrigin(r); f != nil {
		return f
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRFToken())) != 1 {
		h.log.WarnContext(r.Context(), "csrf token refused", "tenant", s.Tenant, "user", s.UserID, "method", r.Method, "path", r.URL.Path)
		return &failure{status: http.StatusForbidden, code: "csrf", err: ErrCSRF,
			msg: "This request needs the session's CSRF token in the " + CSRFHeader + " header (GET " + SessionPath + " returns it)."}
	}
	return nil
}

// checkOrigin refuses a request a browser says another site made. Browsers
// send Origin on every cross-origin POST and Sec-Fetch-Site on every
// request; a client that sends neither is not a browser, and the CSRF
// token still guards it.
func (h *Handler) checkOrigin(r *http.Request) *failure {
	refuse := func(from string) *failure {
		h.log.WarnContext(r.Context(), "cross-site request refused", "from", from, "method", r.Method, "path", r.URL.Path)
		return &failure{status: http.StatusForbidden, code: "cross_site", err: ErrCrossSite,
			msg: "Requests from another site may not use the console's session."}
	}
	if o := r.Header.Get("Origin"); o != "" {
		if h.originAllowed(o, r) {
			return nil
		}
		return refuse(o)
	}
	switch sfs := r.Header.Get("Sec-Fetch-Site"); sfs {
	case "", "same-origin", "none":
		return nil
	default:
		return refuse(sfs)
	}
}

func (h *Handler) originAllowed(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return false // includes "null", sent by sandboxed frames and file: pages
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	if h.cfg.RedirectURL != "" {
		if ru, err := url.Parse(h.cfg.RedirectURL); err == nil && sameOrigin(u, ru) {
			return true
		}
	}
	for _, a := range h.cfg.AllowedOrigins {
		if au, err := url.Parse(a); err == nil && sameOrigin(u, au) {
			return true
		}
	}
	return false
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}
