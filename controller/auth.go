package controller

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Role is an operator's level of access within a tenant.
type Role int

// Roles, each including the ones below it.
const (
	RoleNone Role = iota
	RoleViewer
	RoleOperator
	RoleAdmin
)

// ParseRole reads a stored role name.
func ParseRole(s string) Role {
	switch s {
	case "viewer":
		return RoleViewer
	case "operator":
		return RoleOperator
	case "admin":
		return RoleAdmin
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
	}
	return "none"
}

// Principal is who is calling.
type Principal struct {
	// Kind is "agent", "controller", "key" or "" (anonymous).
	Kind   string
	Tenant string
	// ID is the agent id, controller name or API key id.
	ID   string
	Role Role
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

// access is what a procedure requires.
type access int

const (
	accessPublic access = iota + 1
	accessAgent
	accessController
	accessViewer
	accessOperator
	accessAdmin
)

// permissions is the one table of who may call what; a procedure missing
// from it is refused to everyone.
var permissions = map[string]access{
	driftmgrv1connect.AgentServiceEnrollProcedure:      accessPublic,
	driftmgrv1connect.AgentServiceRenewProcedure:       accessAgent,
	driftmgrv1connect.AgentServiceControlProcedure:     accessAgent,
	driftmgrv1connect.AgentServiceUploadProcedure:      accessAgent,
	driftmgrv1connect.AgentServiceCheckinProcedure:     accessAgent,
	driftmgrv1connect.AgentServiceGetPoliciesProcedure: accessAgent,

	driftmgrv1connect.FindingsServiceListFindingsProcedure:       accessViewer,
	driftmgrv1connect.FindingsServiceGetFindingProcedure:         accessViewer,
	driftmgrv1connect.FindingsServiceListScansProcedure:          accessViewer,
	driftmgrv1connect.FindingsServiceAcknowledgeFindingProcedure: accessOperator,

	driftmgrv1connect.SecurityServiceListSecurityFindingsProcedure: accessViewer,
	driftmgrv1connect.SecurityServiceGetSecurityFindingProcedure:   accessViewer,
	driftmgrv1connect.SecurityServiceGetComplianceProcedure:        accessViewer,
	driftmgrv1connect.SecurityServiceGetMutelistProcedure:          accessViewer,
	driftmgrv1connect.SecurityServiceListPoliciesProcedure:         accessViewer,
	driftmgrv1connect.SecurityServicePutMutelistProcedure:          accessAdmin,
	driftmgrv1connect.SecurityServicePutPolicyProcedure:            accessAdmin,
	driftmgrv1connect.SecurityServiceDeletePolicyProcedure:         accessAdmin,

	driftmgrv1connect.AuditServiceListAuditEventsProcedure: accessAdmin,
	driftmgrv1connect.AuditServiceExportAuditProcedure:     accessAdmin,
	driftmgrv1connect.AuditServiceVerifyAuditProcedure:     accessAdmin,

	driftmgrv1connect.ClusterServiceListMembersProcedure: accessViewer,
	driftmgrv1connect.ClusterServiceGetHealthProcedure:   accessViewer,
	driftmgrv1connect.ClusterServiceBootstrapProcedure:   accessPublic,

	driftmgrv1connect.AgentsServiceListAgentsProcedure:      accessViewer,
	driftmgrv1connect.AgentsServiceListJoinTokensProcedure:  accessViewer,
	driftmgrv1connect.AgentsServiceTriggerScanProcedure:     accessOperator,
	driftmgrv1connect.AgentsServiceRevokeAgentProcedure:     accessAdmin,
	driftmgrv1connect.AgentsServiceCreateJoinTokenProcedure: accessAdmin,
	driftmgrv1connect.AgentsServiceDeleteJoinTokenProcedure: accessAdmin,

	driftmgrv1connect.EventsServiceWatchProcedure: accessViewer,

	driftmgrv1connect.InternalServiceApplyProcedure:    accessController,
	driftmgrv1connect.InternalServiceDeliverProcedure:  accessController,
	driftmgrv1connect.InternalServiceSessionsProcedure: accessController,
}

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
		return Principal{Kind: "agent", Tenant: id.Tenant, ID: id.Agent}, nil
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
	var p Principal
	known := func() bool {
		var ok bool
		_ = s.node.FSM().Store().View(func(tx *state.Tx) error { _, err := tx.APIKey(id); ok = err == nil; return nil })
		return ok
	}
	if !known() && !s.node.IsLeader() {
		// A key created a moment ago through another node may not have
		// reached this one yet: catch up with the leader once.
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		_ = s.node.ReadBarrier(ctx)
		cancel()
	}
	err = s.node.FSM().Store().View(func(tx *state.Tx) error {
		k, err := tx.APIKey(id)
		if err != nil {
			return errors.New("api key is not valid")
		}
		// Same answer for unknown and wrong secrets, so a caller cannot
		// probe which key ids exist.
		if !pki.CheckSecret(secret, k.GetSecretHash()) {
			return errors.New("api key is not valid")
		}
		if k.GetRevoked() {
			return errors.New("api key is revoked")
		}
		if k.GetExpiresAt() != nil && !time.Now().Before(k.GetExpiresAt().AsTime()) {
			return errors.New("api key expired")
		}
		p = Principal{Kind: "key", Tenant: k.GetTenant(), ID: k.GetId(), Role: ParseRole(k.GetRole())}
		return nil
	})
	return p, err
}

// authorizer is the Connect interceptor that enforces the permission
// table. It implements the streaming hooks too: an interceptor built with
// connect.UnaryInterceptorFunc silently lets streams through.
type authorizer struct{}

func (authorizer) check(ctx context.Context, procedure string) error {
	need, ok := permissions[procedure]
	if !ok {
		return connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s is not callable", procedure))
	}
	if err, _ := ctx.Value(authErrKey{}).(error); err != nil && need != accessPublic {
		return connect.NewError(connect.CodeUnauthenticated, err)
	}
	p := PrincipalFrom(ctx)
	switch need {
	case accessPublic:
		return nil
	case accessAgent:
		if p.Kind != "agent" {
			return connect.NewError(connect.CodeUnauthenticated, errors.New("an agent client certificate is required"))
		}
		return nil
	case accessController:
		if p.Kind != "controller" {
			return connect.NewError(connect.CodePermissionDenied, errors.New("controllers only"))
		}
		return nil
	}
	if p.Kind != "key" {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("an API key is required (Authorization: Bearer dm_...)"))
	}
	want := map[access]Role{accessViewer: RoleViewer, accessOperator: RoleOperator, accessAdmin: RoleAdmin}[need]
	if p.Role < want {
		return connect.NewError(connect.CodePermissionDenied, fmt.Errorf("role %s may not call %s; it needs %s", p.Role, procedure, want))
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
