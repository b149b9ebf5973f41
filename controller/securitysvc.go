package controller

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/internal/scan/regopolicy"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Bounds on what a tenant stores for its security scans.
const (
	maxMutelistBytes = 256 << 10
	maxPolicyBytes   = 256 << 10
	maxPolicies      = 200
)

// policyName is a stored policy's file name: what `policy test` and
// error messages show.
var policyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.rego$`)

// securityService serves security findings, the compliance posture, and
// the tenant's mutelist and Rego policies.
type securityService struct{ s *Server }

func (v *securityService) ListSecurityFindings(ctx context.Context, req *connect.Request[pb.ListSecurityFindingsRequest]) (*connect.Response[pb.ListSecurityFindingsResponse], error) {
	if err := v.s.readable(ctx, req.Msg.GetConsistency()); err != nil {
		return nil, err
	}
	resp, err := v.s.node.FSM().View().ListSecurity(PrincipalFrom(ctx).Tenant, req.Msg, time.Now())
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	return connect.NewResponse(resp), nil
}

func (v *securityService) GetSecurityFinding(ctx context.Context, req *connect.Request[pb.GetSecurityFindingRequest]) (*connect.Response[pb.GetSecurityFindingResponse], error) {
	if err := v.s.readable(ctx, req.Msg.GetConsistency()); err != nil {
		return nil, err
	}
	// Another tenant's finding reads exactly like one that does not exist.
	f, ok := v.s.node.FSM().View().SecurityFinding(PrincipalFrom(ctx).Tenant, req.Msg.GetId(), time.Now())
	if !ok {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("security finding %q not found", clip(req.Msg.GetId(), 80)))
	}
	return connect.NewResponse(&pb.GetSecurityFindingResponse{Finding: f}), nil
}

func (v *securityService) GetCompliance(ctx context.Context, req *connect.Request[pb.GetComplianceRequest]) (*connect.Response[pb.GetComplianceResponse], error) {
	if err := v.s.readable(ctx, req.Msg.GetConsistency()); err != nil {
		return nil, err
	}
	return connect.NewResponse(v.s.node.FSM().View().Compliance(PrincipalFrom(ctx).Tenant, req.Msg.GetFramework(), time.Now())), nil
}

func (v *securityService) GetMutelist(ctx context.Context, _ *connect.Request[pb.GetMutelistRequest]) (*connect.Response[pb.GetMutelistResponse], error) {
	if err := v.s.readable(ctx, pb.Consistency_CONSISTENCY_UNSPECIFIED); err != nil {
		return nil, err
	}
	tenant := PrincipalFrom(ctx).Tenant
	var ml *pb.StoredMutelist
	err := v.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		ml, err = tt.Mutelist()
		return err
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, fmt.Errorf("read mutelist: %w", err))
	}
	return connect.NewResponse(&pb.GetMutelistResponse{Yaml: ml.GetYaml(), UpdatedAt: ml.GetUpdatedAt(), UpdatedBy: ml.GetUpdatedBy(),
		Expired: v.s.node.FSM().View().ExpiredMutes(tenant, time.Now())}), nil
}

func (v *securityService) PutMutelist(ctx context.Context, req *connect.Request[pb.PutMutelistRequest]) (*connect.Response[pb.PutMutelistResponse], error) {
	p := PrincipalFrom(ctx)
	y := req.Msg.GetYaml()
	if len(y) > maxMutelistBytes {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("yaml: %d bytes; a mutelist is at most %d", len(y), maxMutelistBytes))
	}
	ml, err := fsm.ParseMutelist(y)
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	_, err = v.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_PutMutelist{PutMutelist: &pb.PutMutelistCommand{
		Tenant: p.Tenant, Mutelist: &pb.StoredMutelist{Yaml: y, UpdatedAt: timestamppb.Now(), UpdatedBy: p.String()}}}})
	if err != nil {
		return nil, applyErr("put mutelist", err)
	}
	return connect.NewResponse(&pb.PutMutelistResponse{Entries: int32(len(ml.Entries))}), nil
}

func (v *securityService) ListPolicies(ctx context.Context, _ *connect.Request[pb.ListPoliciesRequest]) (*connect.Response[pb.ListPoliciesResponse], error) {
	if err := v.s.readable(ctx, pb.Consistency_CONSISTENCY_UNSPECIFIED); err != nil {
		return nil, err
	}
	rev, ps, err := v.s.tenantPolicies(PrincipalFrom(ctx).Tenant)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(&pb.ListPoliciesResponse{Policies: ps, Revision: rev}), nil
}

// PutPolicy compiles the module with the tenant's other policies (they
// share helper packages and must not reuse a policy id) before storing it,
// so an agent never receives a set that does not load.
func (v *securityService) PutPolicy(ctx context.Context, req *connect.Request[pb.PutPolicyRequest]) (*connect.Response[pb.PutPolicyResponse], error) {
	p := PrincipalFrom(ctx)
	name, src := req.Msg.GetName(), req.Msg.GetSource()
	if !policyName.MatchString(name) {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("name %q: want a file name ending in .rego (letters, digits, _ . -; at most 105 characters)", clip(name, 120)))
	}
	if len(src) > maxPolicyBytes {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("source: %d bytes; a policy is at most %d", len(src), maxPolicyBytes))
	}
	_, existing, err := v.s.tenantPolicies(p.Tenant)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	sources := map[string]string{}
	for _, e := range existing {
		sources[e.GetName()] = e.GetSource()
	}
	if _, replacing := sources[name]; !replacing && len(sources) >= maxPolicies {
		return nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("tenant %s has %d policies, the most it may store", p.Tenant, maxPolicies))
	}
	sources[name] = src
	set, err := regopolicy.Load(ctx, sources)
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	stored := &pb.Policy{Name: name, Source: src, UpdatedAt: timestamppb.Now(), UpdatedBy: p.String()}
	for _, pol := range set.Policies {
		if pol.File == name {
			stored.CheckIds = append(stored.CheckIds, pol.ID)
		}
	}
	res, err := v.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_PutPolicy{PutPolicy: &pb.PutPolicyCommand{Tenant: p.Tenant, Policy: stored}}})
	if err != nil {
		return nil, applyErr("put policy", err)
	}
	return connect.NewResponse(&pb.PutPolicyResponse{Policy: res.(*pb.ApplyResult).GetPolicy()}), nil
}

func (v *securityService) DeletePolicy(ctx context.Context, req *connect.Request[pb.DeletePolicyRequest]) (*connect.Response[pb.DeletePolicyResponse], error) {
	p := PrincipalFrom(ctx)
	name := req.Msg.GetName()
	_, existing, err := v.s.tenantPolicies(p.Tenant)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	sources := map[string]string{}
	for _, e := range existing {
		sources[e.GetName()] = e.GetSource()
	}
	if _, ok := sources[name]; ok {
		// The rest must still load without it (a helper others import).
		rest := maps.Clone(sources)
		delete(rest, name)
		if _, err := regopolicy.Load(ctx, rest); err != nil {
			return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("the tenant's other policies need %s: %w", name, err))
		}
	}
	if _, err := v.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_DeletePolicy{DeletePolicy: &pb.DeletePolicyCommand{Tenant: p.Tenant, Name: name}}}); err != nil {
		return nil, applyErr("delete policy", err)
	}
	return connect.NewResponse(&pb.DeletePolicyResponse{}), nil
}

// tenantPolicies reads a tenant's Rego policies and their revision.
func (s *Server) tenantPolicies(tenant string) (rev uint64, out []*pb.Policy, err error) {
	err = s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		rev = tt.PolicyRevision()
		return tt.ForEachPolicy(func(p *pb.Policy) error { out = append(out, p); return nil })
	})
	if err != nil {
		return 0, nil, fmt.Errorf("read policies of %s: %w", tenant, err)
	}
	return rev, out, nil
}

// GetPolicies gives an agent its tenant's policies, unless it holds them
// already.
func (a *agentService) GetPolicies(ctx context.Context, req *connect.Request[pb.GetPoliciesRequest]) (*connect.Response[pb.GetPoliciesResponse], error) {
	rev, ps, err := a.s.tenantPolicies(PrincipalFrom(ctx).Tenant)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	if rev == req.Msg.GetKnownRevision() {
		return connect.NewResponse(&pb.GetPoliciesResponse{Revision: rev, Unchanged: true}), nil
	}
	return connect.NewResponse(&pb.GetPoliciesResponse{Revision: rev, Policies: ps}), nil
}
