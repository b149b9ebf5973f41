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
	// Kind is "agent", "controller", "key" or "" (anonymous).
	Kind string
	// Tenant is the tenant the call acts in: the caller's own, or for a
	// platform owner the one it named in the Driftmgr-Tenant header.
	Tenant string
	// Home is the caller's own tenant.
	Home string
	// ID is the agent id, controller name or API key id.
	ID string
	// Role is a key's effective role: the lower of its own and its owner's.
	Role Role
	// User or ServiceAccount is the owner a key acts as.
	User, ServiceAccount string
}

func (p Principal) String() string {
	switch p.Kind {
	case "agent":
		return "agent:" + p.Tenant + "/" + p.ID
	case "controller":
		return "controller:" + p.ID
	case "key":
		return "key:" + p.ID
	}
	return "anonymous"
}

// TenantHeader names the tenant a platform owner acts in. Anyone else
// acts in their own tenant only; naming another is refused.
const TenantHeader = "Driftmgr-Tenant"

type principalKey struct{}
type authErrKey struct{}

// PrincipalFrom returns the caller of a request that passed authorization.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// authenticate resolves the caller from the TLS client certificate or the
// bearer API key and puts it in the request context. It rejects nothing
// itself: the interceptor decides per procedure, for unary and streaming
// calls alike.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		ctx := context.WithValue(r.Context(), principalKey{}, p)
		if err != nil {
			ctx = context.WithValue(ctx, authErrKey{}, err)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
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
		return Principal{}, nil
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
type authorizer struct{ s *Server }

// check admits a call to procedure or says why not, and returns the
// context the handler runs with: its principal's Tenant is the tenant the
// call acts in.
func (a authorizer) check(ctx context.Context, procedure string, h http.Header) (context.Context, error) {
	need, ok := procedureActions[procedure]
	if !ok {
		return ctx, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s is not callable", procedure))
	}
	if err, _ := ctx.Value(authErrKey{}).(error); err != nil && need != ActionPublic {
		return ctx, connect.NewError(connect.CodeUnauthenticated, err)
	}
	p := PrincipalFrom(ctx)
	switch need {
	case ActionPublic:
		return ctx, nil
	case ActionAgent:
		if p.Kind != "agent" {
			return ctx, connect.NewError(connect.CodeUnauthenticated, errors.New("an agent client certificate is required"))
		}
		return ctx, nil
	case ActionController:
		if p.Kind != "controller" {
			return ctx, connect.NewError(connect.CodePermissionDenied, errors.New("controllers only"))
		}
		return ctx, nil
	}
	if p.Kind != "key" {
		return ctx, connect.NewError(connect.CodeUnauthenticated, errors.New("an API key is required (Authorization: Bearer dm_...)"))
	}
	if !p.Role.Can(need) {
		return ctx, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("role %s may not call %s: it needs %s, which %s hold",
			p.Role, procedure, need, rolesWith(need)))
	}
	if t := strings.TrimSpace(h.Get(TenantHeader)); t != "" && t != p.Tenant {
		if !p.Role.Can(ActionTenantsManage) {
			return ctx, connect.NewError(connect.CodePermissionDenied, fmt.Errorf(
				"%s header names tenant %q: only a platform owner may act in another tenant than its own (%s)", TenantHeader, clip(t, 80), p.Tenant))
		}
		if !a.s.tenantKnown(t) {
			return ctx, connect.NewError(connect.CodeNotFound, fmt.Errorf("%s header: tenant %q not found", TenantHeader, clip(t, 80)))
		}
		p.Tenant = t
		ctx = context.WithValue(ctx, principalKey{}, p)
	}
	return ctx, nil
}

func (a authorizer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := a.check(ctx, req.Spec().Procedure, req.Header())
		if err != nil {
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
		ctx, err := a.check(ctx, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
