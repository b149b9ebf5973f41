package controller

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

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
