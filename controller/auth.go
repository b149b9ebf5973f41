package controller

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/controller/pki"
)

// Role is a user's, service account's or API key's level of access.
type Role int

// Roles, each holding the actions of the ones below it (permissions.go).
const (
	RoleNone Role = iota
	RoleViewer
	RoleOperator
	RoleAdmin
	// RoleOwner is the platform owner: every action in every tenant.
	RoleOwner
)

// ParseRole reads a stored role name; unknown names are RoleNone.
func ParseRole(s string) Role {
	switch s {
	case "viewer":
		return RoleViewer
	case "operator":
		return RoleOperator
	case "admin":
		return RoleAdmin
	case "owner":
		return RoleOwner
	}
	return RoleNone
}

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleOperator:
		return "operator"
	case RoleAdmin:
		return "admin"
	case RoleOwner:
		return "owner"
	}
	return "none"
}

// Principal is who is calling.
type Principal struct {
	// Kind is "agent", "controller", "key", "user" (a console session) or
	// "" (anonymous).
	Kind string
	// Tenant is the tenant the call acts in: the caller's own, or for a
	// platform owner the one it named in the Driftmgr-Tenant header.
	Tenant string
	// Home is the caller's own tenant.
	Home string
	// ID is the agent id, controller name, API key id or user id.
	ID string
	// Role is a key's or session's effective role: the lower of its own
	// and its owner's current one.
	Role Role
	// User or ServiceAccount is the owner a key acts as; User is the
	// session's user.
	User, ServiceAccount string
	// Session is a console session's id (the hash of its cookie), so an
	// open stream can end when the session does.
	Session string
	// Name is what people call the caller, for the audit log: a user's
	// username; for a key, its owner's username or service account id.
	Name string
}

func (p Principal) String() string {
	switch p.Kind {
	case "agent":
		return "agent:" + p.Tenant + "/" + p.ID
	case "controller":
		return "controller:" + p.ID
	case "key":
		return "key:" + p.ID
	case "user":
		return "user:" + p.ID
	}
	return "anonymous"
}

// TenantHeader names the tenant a platform owner acts in. Anyone else
// acts in their own tenant only; naming another is refused.
const TenantHeader = "Driftmgr-Tenant"

type principalKey struct{}
type authErrKey struct{}

// refusedKeyCtx carries whose refused key a call presented: for the
// audit log, never for authorization.
type refusedKeyCtx struct{}
type tenantErrKey struct{}

// PrincipalFrom returns the caller of a request that passed authorization.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// authenticate resolves the caller from the TLS client certificate, the
// bearer API key or the console session cookie (in that order) and puts
// it in the request context. It rejects nothing itself: the interceptor
// decides per procedure, for unary and streaming calls alike.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		var terr error
		if err == nil {
			p, terr = s.actingTenant(p, r.Header)
		}
		ctx := context.WithValue(r.Context(), principalKey{}, p)
		if err != nil {
			ctx = context.WithValue(ctx, authErrKey{}, err)
			if rk := (*refusedKey)(nil); errors.As(err, &rk) {
				ctx = context.WithValue(ctx, refusedKeyCtx{}, rk.who)
			}
		}
		if terr != nil {
			ctx = context.WithValue(ctx, tenantErrKey{}, terr)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// actingTenant applies the Driftmgr-Tenant header: a platform owner's key
// or session acts in the tenant it names. Resolved here, before any
// interceptor, so every layer (the authorizer, handlers, audit, quotas)
// sees the tenant the call acts in. The error, for a header nobody else may send or a
// tenant that does not exist, is the authorizer's to return: calls that
// need no key ignore the header.
func (s *Server) actingTenant(p Principal, h http.Header) (Principal, error) {
	t := strings.TrimSpace(h.Get(TenantHeader))
	if t == "" || t == p.Tenant || (p.Kind != "key" && p.Kind != "user") {
		return p, nil
	}
	if !p.Role.Can(ActionTenantsManage) {
		return p, connect.NewError(connect.CodePermissionDenied, fmt.Errorf(
			"%s header names tenant %q: only a platform owner may act in another tenant than its own (%s)", TenantHeader, clip(t, 80), p.Tenant))
	}
	if !s.tenantKnown(t) {
		return p, connect.NewError(connect.CodeNotFound, fmt.Errorf("%s header: tenant %q not found", TenantHeader, clip(t, 80)))
	}
	p.Tenant = t
	return p, nil
}

func (s *Server) principal(r *http.Request) (Principal, error) {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		id, err := pki.IdentityFromConn(&tls.ConnectionState{VerifiedChains: r.TLS.VerifiedChains, PeerCertificates: r.TLS.PeerCertificates})
		if err != nil {
			return Principal{}, err
		}
		if id.Kind == pki.KindController {
			return Principal{Kind: "controller", ID: id.Agent}, nil
		}
		if s.agentRevoked(r.TLS.VerifiedChains[0][0]) {
			return Principal{}, errors.New("agent certificate is revoked")
		}
		if s.tenantDisabled(id.Tenant) {
			return Principal{}, fmt.Errorf("tenant %s is disabled", id.Tenant)
		}
		return Principal{Kind: "agent", Tenant: id.Tenant, Home: id.Tenant, ID: id.Agent}, nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return s.sessionPrincipal(r)
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return Principal{}, errors.New("authorization header: want \"Bearer <api key>\"")
	}
	id, secret, err := pki.ParseToken("dm", strings.TrimSpace(tok))
	if err != nil {
		return Principal{}, fmt.Errorf("api key: %w", err)
	}
	return s.keyPrincipal(r.Context(), id, secret)
}

// authorizer is the Connect interceptor that enforces the permission
// table. It implements the streaming hooks too: an interceptor built with
// connect.UnaryInterceptorFunc silently lets streams through.
type authorizer struct{}

func (authorizer) check(ctx context.Context, procedure string) error {
	need, ok := procedureActions[procedure]
	if !ok {
		return connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s is not callable", procedure))
	}
	if err, _ := ctx.Value(authErrKey{}).(error); err != nil && need != ActionPublic {
		return connect.NewError(connect.CodeUnauthenticated, err)
	}
	p := PrincipalFrom(ctx)
	switch need {
	case ActionPublic:
		return nil
	case ActionAgent:
		if p.Kind != "agent" {
			return connect.NewError(connect.CodeUnauthenticated, errors.New("an agent client certificate is required"))
		}
		return nil
	case ActionController:
		if p.Kind != "controller" {
			return connect.NewError(connect.CodePermissionDenied, errors.New("controllers only"))
		}
		return nil
	}
	if p.Kind != "key" && p.Kind != "user" {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("an API key is required (Authorization: Bearer dm_...), or a console session"))
	}
	if !p.Role.Can(need) {
		return connect.NewError(connect.CodePermissionDenied, fmt.Errorf("role %s may not call %s: it needs %s, which %s hold",
			p.Role, procedure, need, rolesWith(need)))
	}
	if err, _ := ctx.Value(tenantErrKey{}).(error); err != nil {
		return err
	}
	return nil
}

func (a authorizer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		if err := a.check(ctx, req.Spec().Procedure); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (authorizer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (a authorizer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := a.check(ctx, conn.Spec().Procedure); err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
