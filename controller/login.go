package controller

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/controller/oidc"
	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Console sign-in (controller/oidc wired to the tenancy model).
//
// Config.OIDC nil: no /auth/ routes; a session cookie authenticates
// nothing. With it set, /auth/ is mounted on the API port and either way
// in ends in a replicated session (sessions.go):
//
//   - single sign-on when Issuer is set: the provider's groups map to a
//     role per tenant (Mappings); the user is recorded in the tenant as a
//     federated user (LoginFederated) at each sign-in, and for federated
//     users the provider decides: the stored role becomes the mapped role
//     at every sign-in, so a change of groups at the provider takes
//     effect at the next sign-in (a role set in DriftMgr in between caps
//     live sessions at once, and lasts until then). A mapping to a tenant
//     that does not exist refuses the sign-in rather than creating it.
//   - a local password (argon2id, VerifyPassword) when AllowPasswordLogin
//     is set, with or without single sign-on; turning it off is the
//     administrator's switch for every tenant (there is no per-tenant one
//     yet).
//
// Every controller must seal the login flow's cookie with the same key so
// a sign-in started on one can finish on another. Unless Config.OIDC sets
// StateKey, it is derived from the cluster CA's private key, which every
// controller holds (HKDF-SHA256): nothing more to distribute.

// newLogin builds the sign-in handler from s.cfg.OIDC.
func (s *Server) newLogin() (*oidc.Handler, error) {
	cfg := *s.cfg.OIDC
	if cfg.StateKey == nil {
		key, err := stateKey(s.cfg.Node.CA)
		if err != nil {
			// One controller still works: the handler picks a random key.
			s.log.Warn("oidc: the CA key cannot be read to derive the login state key; set oidc.state_key so a sign-in can finish on any controller", "err", err)
		}
		cfg.StateKey = key
	}
	if cfg.Logger == nil {
		cfg.Logger = s.log
	}
	cfg.Admit = s.admitSSO
	h, err := oidc.New(cfg, sessionStore{s}, passwordVerifier{s})
	if err != nil {
		return nil, fmt.Errorf("controller: oidc: %w", err)
	}
	return h, nil
}

// stateKey derives the login state key from the cluster CA's private key.
func stateKey(ca *pki.CA) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		return nil, err
	}
	return hkdf.Key(sha256.New, der, nil, "driftmgr oidc login state key v1", 32)
}

// passwordVerifier is a controller's oidc.PasswordVerifier: a local user's
// argon2id password.
type passwordVerifier struct{ s *Server }

// Verify implements oidc.PasswordVerifier.
func (v passwordVerifier) Verify(ctx context.Context, tenant, username, pw string) (oidc.Identity, error) {
	s := v.s
	s.catchUp(ctx)
	if s.tenantKnown(tenant) {
		signInFrom(ctx).attempt(tenant)
	}
	if s.passwordLoginOff(tenant) {
		return oidc.Identity{}, oidc.ErrPasswordLoginDisabled
	}
	u, err := s.VerifyPassword(ctx, tenant, username, pw)
	if errors.Is(err, ErrBadLogin) {
		return oidc.Identity{}, oidc.ErrBadCredentials
	}
	if err != nil {
		return oidc.Identity{}, err
	}
	// The user list shows when each user last signed in; a failure to
	// record it does not refuse the sign-in.
	if _, err := s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_UpdateUser{UpdateUser: &pb.UpdateUserCommand{
		Tenant: u.GetTenant(), Id: u.GetId(), SignedIn: true}}}); err != nil {
		s.log.Warn("sign-in time not recorded", "tenant", u.GetTenant(), "user", u.GetId(), "err", err)
	}
	name := u.GetDisplayName()
	if name == "" {
		name = u.GetUsername()
	}
	return oidc.Identity{Tenant: u.GetTenant(), UserID: u.GetId(), Name: name, Email: u.GetEmail(), Role: u.GetRole()}, nil
}

// admitSSO records a single sign-on in its tenant (oidc.Config.Admit):
// the federated user is created or updated, its stored role becomes the
// mapped one, and the session is the user's, by its DriftMgr id.
func (s *Server) admitSSO(ctx context.Context, id oidc.Identity, issuer string) (oidc.Identity, error) {
	s.catchUp(ctx)
	if !s.tenantKnown(id.Tenant) {
		return id, oidc.Refuse(fmt.Sprintf("Your groups map you to tenant %q, which does not exist in DriftMgr; ask an administrator to create it or fix the mapping.", id.Tenant))
	}
	signInFrom(ctx).attempt(id.Tenant)
	if s.tenantDisabled(id.Tenant) {
		return id, oidc.Refuse(fmt.Sprintf("Tenant %s is disabled.", id.Tenant))
	}
	role := ParseRole(id.Role)
	u, err := s.LoginFederated(ctx, id.Tenant, FederatedLogin{Issuer: issuer, Subject: id.UserID, Email: id.Email, Name: id.Name, Role: role})
	if connect.CodeOf(err) == connect.CodeFailedPrecondition {
		// A disabled user, or a username taken by a local user.
		var ce *connect.Error
		errors.As(err, &ce)
		return id, oidc.Refuse(fmt.Sprintf("DriftMgr refused the sign-in (%s).", ce.Message()))
	}
	if err != nil {
		return id, err
	}
	if u.GetRole() != role.String() {
		r := role.String()
		if _, err := s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_UpdateUser{UpdateUser: &pb.UpdateUserCommand{
			Tenant: id.Tenant, Id: u.GetId(), Role: &r}}}); err != nil {
			return id, applyErr("federated login: set role", err)
		}
	}
	id.UserID = u.GetId()
	return id, nil
}

// catchUp, on a follower, waits until it has applied what the leader had
// committed: a sign-in checks the tenant, user or password as they are
// now, not as they were before a change made a moment ago through another
// controller. Sign-ins are rare enough to pay the round trip.
func (s *Server) catchUp(ctx context.Context) {
	if s.node.IsLeader() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_ = s.node.ReadBarrier(ctx)
}

// sessionPrincipal authenticates a request by its console session cookie.
// The user's current record caps the session's role, as an API key's
// owner caps the key, and a user deleted or disabled, or a tenant disabled
// (for anyone but a platform owner), is refused: those end the sessions
// in the state too, so this is the second lock on the same door.
func (s *Server) sessionPrincipal(r *http.Request) (Principal, error) {
	if s.login == nil {
		return Principal{}, nil
	}
	x, err := s.login.Authenticate(r)
	switch {
	case errors.Is(err, oidc.ErrNoSession):
		return Principal{}, nil
	case errors.Is(err, oidc.ErrSessionNotFound), errors.Is(err, oidc.ErrSessionExpired):
		return Principal{}, errors.New("console session has ended: sign in again")
	case err != nil:
		return Principal{}, fmt.Errorf("console session: %w", err)
	}
	p := Principal{Kind: "user", Tenant: x.Tenant, Home: x.Tenant, ID: x.UserID, User: x.UserID, Role: ParseRole(x.Role), Session: x.ID}
	err = s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(x.Tenant)
		if err != nil {
			return errors.New("console session's tenant is not valid")
		}
		u, err := tt.User(x.UserID)
		if err != nil {
			return errors.New("console session's user no longer exists")
		}
		if u.GetUser().GetDisabled() {
			return fmt.Errorf("user %s is disabled", u.GetUser().GetUsername())
		}
		p.Role = min(p.Role, ParseRole(u.GetUser().GetRole()))
		p.Name = u.GetUser().GetUsername()
		if p.Role != RoleOwner && tx.TenantDisabled(x.Tenant) {
			return fmt.Errorf("tenant %s is disabled", x.Tenant)
		}
		return nil
	})
	if err != nil {
		return Principal{}, err
	}
	return p, nil
}

// signIn is who a request to /auth/ signed in as, filled in by the store
// and the verifiers for the audit log.
type signIn struct{ tenant, user string }

type signInKey struct{}

func signInFrom(ctx context.Context) *signIn {
	if si, ok := ctx.Value(signInKey{}).(*signIn); ok {
		return si
	}
	return &signIn{}
}

// attempt notes the (existing) tenant someone tries to sign in to.
func (si *signIn) attempt(tenant string) { si.tenant = tenant }

func (si *signIn) done(tenant, user string) { si.tenant, si.user = tenant, user }

// auditedSignIn records sign-ins, refused ones included, and sign-outs in
// the tenant's audit log (the platform's when no tenant is known).
func (s *Server) auditedSignIn(next http.Handler) http.Handler {
	actions := map[string]string{
		"POST " + oidc.PasswordPath: "console.sign_in.password",
		"GET " + oidc.CallbackPath:  "console.sign_in.oidc",
		"POST " + oidc.LogoutPath:   "console.sign_out",
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action, ok := actions[r.Method+" "+r.URL.Path]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		si := &signIn{}
		var before Principal
		if action == "console.sign_out" {
			// Who signs out is whoever the cookie names, before it ends.
			before, _ = s.sessionPrincipal(r)
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), signInKey{}, si)))
		p := Principal{Tenant: si.tenant, Home: si.tenant}
		if si.user != "" {
			p = Principal{Kind: "user", Tenant: si.tenant, Home: si.tenant, ID: si.user, User: si.user}
		}
		if action == "console.sign_out" {
			if before.Kind == "" {
				return // no session: nothing happened
			}
			p = before
		}
		var err error
		if rec.status >= 400 {
			err = connect.NewError(httpCode(rec.status), fmt.Errorf("%s refused (HTTP %d)", action, rec.status))
		}
		s.audit.record(context.WithValue(r.Context(), principalKey{}, p), action, r.RemoteAddr, r.Header.Get("X-Request-Id"), nil, nil, err)
	})
}

func httpCode(status int) connect.Code {
	switch status {
	case http.StatusBadRequest, http.StatusUnsupportedMediaType:
		return connect.CodeInvalidArgument
	case http.StatusUnauthorized:
		return connect.CodeUnauthenticated
	case http.StatusForbidden:
		return connect.CodePermissionDenied
	case http.StatusNotFound:
		return connect.CodeNotFound
	case http.StatusConflict:
		return connect.CodeFailedPrecondition
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		return connect.CodeUnavailable
	}
	return connect.CodeInternal
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// passwordLoginOff reports whether a tenant's admins turned password
// sign-in off.
func (s *Server) passwordLoginOff(tenant string) bool {
	var off bool
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		if r, err := tx.TenantRecord(tenant); err == nil {
			off = r.GetPasswordLoginDisabled()
		}
		return nil
	})
	return off
}
