package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
)

// Identity is who signs in, as a PasswordVerifier or the group mapping
// finds them.
type Identity struct {
	Tenant string
	UserID string
	Name   string
	Email  string
	// Role is RoleViewer, RoleOperator or RoleAdmin.
	Role   string
	Groups []string
}

// PasswordVerifier checks a local password; the tenancy layer implements it
// (argon2id, constant time). Verify returns an error wrapping
// ErrBadCredentials for an unknown tenant or user and a wrong password
// alike, ErrPasswordLoginDisabled for a tenant that turned password login
// off, anything else for a failure to check.
type PasswordVerifier interface {
	Verify(ctx context.Context, tenant, username, password string) (Identity, error)
}

// passwordRequest is POST /auth/password's body, as JSON or a form.
type passwordRequest struct {
	Tenant   string `json:"tenant"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// maxPasswordBody bounds a login body: three short strings.
const maxPasswordBody = 16 << 10

func (h *Handler) password(w http.ResponseWriter, r *http.Request) {
	if !h.passwordOn.Load() {
		respondFailure(w, r, h.passwordOff())
		return
	}
	// Login CSRF: another site must not sign this browser in as someone
	// else. There is no session yet, so the origin is all there is.
	if f := h.checkOrigin(r); f != nil {
		respondFailure(w, r, f)
		return
	}
	var req passwordRequest
	r.Body = http.MaxBytesReader(w, r.Body, maxPasswordBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			respondFailure(w, r, &failure{status: http.StatusBadRequest, code: "bad_request", msg: "The body is not JSON {tenant, username, password}."})
			return
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			respondFailure(w, r, &failure{status: http.StatusBadRequest, code: "bad_request", msg: "The form does not parse."})
			return
		}
		req = passwordRequest{Tenant: r.PostFormValue("tenant"), Username: r.PostFormValue("username"), Password: r.PostFormValue("password")}
	default:
		respondFailure(w, r, &failure{status: http.StatusUnsupportedMediaType, code: "bad_request", msg: "Send JSON or a urlencoded form."})
		return
	}
	if req.Tenant == "" || req.Username == "" || req.Password == "" {
		respondFailure(w, r, &failure{status: http.StatusBadRequest, code: "bad_request", msg: "tenant, username and password are all required."})
		return
	}
	id, err := h.passwords.Verify(r.Context(), req.Tenant, req.Username, req.Password)
	switch {
	case errors.Is(err, ErrPasswordLoginDisabled):
		respondFailure(w, r, h.passwordOff())
		return
	case errors.Is(err, ErrBadCredentials):
		h.log.InfoContext(r.Context(), "password sign-in refused", "tenant", req.Tenant, "username", req.Username)
		respondFailure(w, r, &failure{status: http.StatusUnauthorized, code: "bad_credentials", msg: "Wrong tenant, username or password."})
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "check password", "tenant", req.Tenant, "error", err)
		respondFailure(w, r, &failure{status: http.StatusInternalServerError, code: "password_check_failed", msg: "The password could not be checked; try again."})
		return
	}
	if id.Tenant == "" {
		id.Tenant = req.Tenant
	}
	if roleRank(id.Role) == 0 {
		respondFailure(w, r, &failure{status: http.StatusForbidden, code: "no_role", msg: "This user has no role in the tenant."})
		return
	}
	s, err := h.startSession(r.Context(), w, r, id, MethodPassword, "")
	if err != nil {
		h.log.ErrorContext(r.Context(), "start session", "error", err)
		respondFailure(w, r, &failure{status: http.StatusInternalServerError, code: "session_store", msg: "The session could not be stored; try again."})
		return
	}
	writeJSON(w, http.StatusOK, info(s))
}

func (h *Handler) passwordOff() *failure {
	msg := "Password login is turned off."
	if h.cfg.SSO() {
		msg += " Sign in with single sign-on at " + LoginPath + "."
	}
	return &failure{status: http.StatusForbidden, code: "password_login_disabled", err: ErrPasswordLoginDisabled, msg: msg}
}
