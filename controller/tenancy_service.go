package controller

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/state"
)

// tenancyService is TenancyService: tenants and projects here, users and
// service accounts in tenancy_users.go, API keys in apikeys.go.
//
// Tenant-scoped calls act in PrincipalFrom(ctx).Tenant, which the
// authorizer set (the caller's own tenant, or the one a platform owner
// named); every read goes through that tenant's state.TenantTx, so another
// tenant's object reads exactly like a missing one.
type tenancyService struct{ s *Server }

// fresh catches a follower up with the leader's commit index, so a call
// sees the writes acknowledged before it (a user created through one
// node, then given a key through another).
func (s *Server) fresh(ctx context.Context) error {
	if s.node.IsLeader() {
		return nil
	}
	if err := s.node.ReadBarrier(ctx); err != nil {
		return connect.NewError(connect.CodeUnavailable, err)
	}
	return nil
}

// consistentTenancy makes every TenancyService call but ListRoles and
// WhoAmI (which read no state) start from fresh state: the access model
// changes rarely and is read right after it is written, so these calls
// pay the follower's round trip to the leader.
func (s *Server) consistentTenancy() connect.Option {
	return connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			switch req.Spec().Procedure {
			case driftmgrv1connect.TenancyServiceListRolesProcedure, driftmgrv1connect.TenancyServiceWhoAmIProcedure:
			default:
				if err := s.fresh(ctx); err != nil {
					return nil, err
				}
			}
			return next(ctx, req)
		}
	}))
}

var idShape = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// validID checks the id of a project or service account.
func validID(field, v string) error {
	if !idShape.MatchString(v) {
		return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("%s %q: want 1-63 of a-z 0-9 _ - starting with a letter or digit", field, clip(v, 80)))
	}
	return nil
}

// parseRoleField reads a role name given in a request.
func parseRoleField(field, v string) (Role, error) {
	r := ParseRole(v)
	if r == RoleNone {
		return r, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("%s %q: want viewer, operator, admin or owner", field, clip(v, 40)))
	}
	return r, nil
}

// canGrant refuses giving a role above the caller's own (an admin cannot
// make owners).
func canGrant(p Principal, r Role) error {
	if r > p.Role {
		return connect.NewError(connect.CodePermissionDenied, fmt.Errorf("role %s may not grant role %s", p.Role, r))
	}
	return nil
}

// asConnect passes Connect errors through and makes others internal.
func asConnect(err error) error {
	if ce := new(connect.Error); errors.As(err, &ce) {
		return err
	}
	return connect.NewError(connect.CodeInternal, err)
}

func validQuotas(q *pb.TenantQuotas) error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"max_agents", q.GetMaxAgents()}, {"max_resources", q.GetMaxResources()}, {"api_requests_per_second", q.GetApiRequestsPerSecond()},
		{"max_streams", q.GetMaxStreams()}, {"upload_bytes_per_minute", q.GetUploadBytesPerMinute()}, {"burst", q.GetBurst()}} {
		if f.v < 0 {
			return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("quotas.%s: %d is negative (0: the platform default)", f.name, f.v))
		}
	}
	return nil
}

func (t *tenancyService) CreateTenant(ctx context.Context, req *connect.Request[pb.CreateTenantRequest]) (*connect.Response[pb.CreateTenantResponse], error) {
	m := req.Msg
	if err := state.ValidTenant(m.GetId()); err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	if err := validQuotas(m.GetQuotas()); err != nil {
		return nil, err
	}
	name := clip(m.GetDisplayName(), 256)
	if name == "" {
		name = m.GetId()
	}
	res, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateTenant{CreateTenant: &pb.CreateTenantCommand{Tenant: &pb.Tenant{
		Id: m.GetId(), DisplayName: name, CreatedAt: timestamppb.Now(), Quotas: m.GetQuotas(), CreatedBy: PrincipalFrom(ctx).String()}}}})
	if err != nil {
		return nil, applyErr("create tenant", err)
	}
	t.s.tenantQuotasChanged()
	return connect.NewResponse(&pb.CreateTenantResponse{Tenant: res.(*pb.ApplyResult).GetTenant()}), nil
}

// tenantOrImplicit is a tenant's record; a tenant of an older release
// (data but no record) reads as one with its id for a name.
func tenantOrImplicit(tx *state.Tx, id string) (*pb.Tenant, bool) {
	if r, err := tx.TenantRecord(id); err == nil {
		return r, true
	}
	if state.ValidTenant(id) == nil && tx.TenantKnown(id) {
		return &pb.Tenant{Id: id, DisplayName: id}, true
	}
	return nil, false
}

func (t *tenancyService) ListTenants(ctx context.Context, _ *connect.Request[pb.ListTenantsRequest]) (*connect.Response[pb.ListTenantsResponse], error) {
	resp := &pb.ListTenantsResponse{}
	_ = t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		for _, id := range tx.KnownTenants() {
			if r, ok := tenantOrImplicit(tx, id); ok {
				resp.Tenants = append(resp.Tenants, r)
			}
		}
		return nil
	})
	return connect.NewResponse(resp), nil
}

func (t *tenancyService) GetTenant(ctx context.Context, req *connect.Request[pb.GetTenantRequest]) (*connect.Response[pb.GetTenantResponse], error) {
	var r *pb.Tenant
	var ok bool
	_ = t.s.node.FSM().Store().View(func(tx *state.Tx) error { r, ok = tenantOrImplicit(tx, req.Msg.GetId()); return nil })
	if !ok {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("tenant %q not found", clip(req.Msg.GetId(), 80)))
	}
	return connect.NewResponse(&pb.GetTenantResponse{Tenant: r}), nil
}

func (t *tenancyService) UpdateTenant(ctx context.Context, req *connect.Request[pb.UpdateTenantRequest]) (*connect.Response[pb.UpdateTenantResponse], error) {
	m := req.Msg
	if m.Quotas != nil {
		if err := validQuotas(m.GetQuotas()); err != nil {
			return nil, err
		}
	}
	c := &pb.UpdateTenantCommand{Id: m.GetId(), Disabled: m.Disabled, Quotas: m.GetQuotas()}
	if m.DisplayName != nil {
		name := clip(m.GetDisplayName(), 256)
		if name == "" {
			return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("display_name: must not be empty"))
		}
		c.DisplayName = &name
	}
	res, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_UpdateTenant{UpdateTenant: c}})
	if err != nil {
		return nil, applyErr("update tenant", err)
	}
	if m.GetDisabled() {
		t.s.propagate(ctx, "disable tenant "+m.GetId())
	}
	t.s.tenantQuotasChanged()
	return connect.NewResponse(&pb.UpdateTenantResponse{Tenant: res.(*pb.ApplyResult).GetTenant()}), nil
}

// SetPasswordLogin turns password sign-in off (or on again) for the
// caller's tenant: an admin's fallback switch once single sign-on works.
func (t *tenancyService) SetPasswordLogin(ctx context.Context, req *connect.Request[pb.SetPasswordLoginRequest]) (*connect.Response[pb.SetPasswordLoginResponse], error) {
	p := PrincipalFrom(ctx)
	res, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_UpdateTenant{UpdateTenant: &pb.UpdateTenantCommand{
		Id: p.Tenant, PasswordLoginDisabled: proto.Bool(!req.Msg.GetEnabled())}}})
	if err != nil {
		return nil, applyErr("set password login", err)
	}
	return connect.NewResponse(&pb.SetPasswordLoginResponse{Tenant: res.(*pb.ApplyResult).GetTenant()}), nil
}

var providers = map[string]bool{"aws": true, "azure": true, "gcp": true}

func (t *tenancyService) CreateProject(ctx context.Context, req *connect.Request[pb.CreateProjectRequest]) (*connect.Response[pb.CreateProjectResponse], error) {
	p, m := PrincipalFrom(ctx), req.Msg
	if err := validID("id", m.GetId()); err != nil {
		return nil, err
	}
	if len(m.GetAccounts()) > 1000 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("accounts: at most 1000"))
	}
	seen := map[string]bool{}
	for i, a := range m.GetAccounts() {
		switch {
		case !providers[a.GetProvider()]:
			return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("accounts[%d].provider %q: want aws, azure or gcp", i, clip(a.GetProvider(), 40)))
		case a.GetAccountId() == "" || len(a.GetAccountId()) > 128:
			return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("accounts[%d].account_id: want 1-128 characters", i))
		case seen[a.GetProvider()+"/"+a.GetAccountId()]:
			return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("accounts[%d]: %s account %s is listed twice", i, a.GetProvider(), a.GetAccountId()))
		}
		seen[a.GetProvider()+"/"+a.GetAccountId()] = true
		a.Name = clip(a.GetName(), 256)
	}
	name := clip(m.GetDisplayName(), 256)
	if name == "" {
		name = m.GetId()
	}
	proj := &pb.Project{Id: m.GetId(), Tenant: p.Tenant, DisplayName: name, Accounts: m.GetAccounts(),
		CreatedAt: timestamppb.New(time.Now()), CreatedBy: p.String()}
	if _, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateProject{CreateProject: &pb.CreateProjectCommand{Project: proj}}}); err != nil {
		return nil, applyErr("create project", err)
	}
	return connect.NewResponse(&pb.CreateProjectResponse{Project: proj}), nil
}

func (t *tenancyService) ListProjects(ctx context.Context, _ *connect.Request[pb.ListProjectsRequest]) (*connect.Response[pb.ListProjectsResponse], error) {
	resp := &pb.ListProjectsResponse{}
	err := t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		return tt.ForEachProject(func(p *pb.Project) error { resp.Projects = append(resp.Projects, p); return nil })
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(resp), nil
}

func (t *tenancyService) GetProject(ctx context.Context, req *connect.Request[pb.GetProjectRequest]) (*connect.Response[pb.GetProjectResponse], error) {
	var proj *pb.Project
	err := t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		proj, err = tt.Project(req.Msg.GetId())
		return err
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("project %q not found", clip(req.Msg.GetId(), 80)))
	}
	return connect.NewResponse(&pb.GetProjectResponse{Project: proj}), nil
}

func (t *tenancyService) DeleteProject(ctx context.Context, req *connect.Request[pb.DeleteProjectRequest]) (*connect.Response[pb.DeleteProjectResponse], error) {
	if _, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_DeleteProject{DeleteProject: &pb.DeleteProjectCommand{
		Tenant: PrincipalFrom(ctx).Tenant, Id: req.Msg.GetId()}}}); err != nil {
		return nil, applyErr("delete project", err)
	}
	return connect.NewResponse(&pb.DeleteProjectResponse{}), nil
}

// projectExists checks a project id given for a join token.
func (s *Server) projectExists(ctx context.Context, tenant, id string) error {
	if err := s.fresh(ctx); err != nil {
		return err
	}
	return s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		if _, err := tt.Project(id); err != nil {
			return connect.NewError(connect.CodeNotFound, fmt.Errorf("project %q not found", clip(id, 80)))
		}
		return nil
	})
}

// ListRoles is the permission table as data.
func (t *tenancyService) ListRoles(ctx context.Context, _ *connect.Request[pb.ListRolesRequest]) (*connect.Response[pb.ListRolesResponse], error) {
	resp := &pb.ListRolesResponse{}
	for _, r := range Roles() {
		pr := &pb.Role{Name: r.String(), Description: roleDescriptions[r], Platform: r == RoleOwner}
		for _, a := range RoleActions(r) {
			pr.Actions = append(pr.Actions, string(a))
		}
		resp.Roles = append(resp.Roles, pr)
	}
	for _, a := range Actions() {
		resp.Actions = append(resp.Actions, &pb.Action{Name: string(a), Description: describe(a), Procedures: ProceduresOf(a)})
	}
	return connect.NewResponse(resp), nil
}

func (t *tenancyService) WhoAmI(ctx context.Context, _ *connect.Request[pb.WhoAmIRequest]) (*connect.Response[pb.WhoAmIResponse], error) {
	p := PrincipalFrom(ctx)
	resp := &pb.WhoAmIResponse{Principal: p.String(), Tenant: p.Tenant, HomeTenant: p.Home, Role: p.Role.String(),
		UserId: p.User, ServiceAccountId: p.ServiceAccount}
	if p.Kind == "key" {
		resp.ApiKeyId = p.ID
	}
	for _, a := range RoleActions(p.Role) {
		resp.Actions = append(resp.Actions, string(a))
	}
	return connect.NewResponse(resp), nil
}
