package controller

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// readable enforces a read's consistency: consistent waits for the
// leader's commit index, default needs a known leader, stale reads
// whatever this node has.
func (s *Server) readable(ctx context.Context, c pb.Consistency) error {
	switch c {
	case pb.Consistency_CONSISTENCY_CONSISTENT:
		if err := s.node.ReadBarrier(ctx); err != nil {
			return connect.NewError(connect.CodeUnavailable, err)
		}
	case pb.Consistency_CONSISTENCY_STALE:
	default:
		if !s.node.HasLeader() {
			return connect.NewError(connect.CodeUnavailable, errors.New("no cluster leader; ask with consistency STALE to read this node's possibly old state"))
		}
	}
	return nil
}

type findingsService struct{ s *Server }

func (f *findingsService) ListFindings(ctx context.Context, req *connect.Request[pb.ListFindingsRequest]) (*connect.Response[pb.ListFindingsResponse], error) {
	if err := f.s.readable(ctx, req.Msg.GetConsistency()); err != nil {
		return nil, err
	}
	resp, err := f.s.node.FSM().View().List(PrincipalFrom(ctx).Tenant, req.Msg)
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	return connect.NewResponse(resp), nil
}

func (f *findingsService) GetFinding(ctx context.Context, req *connect.Request[pb.GetFindingRequest]) (*connect.Response[pb.GetFindingResponse], error) {
	if err := f.s.readable(ctx, req.Msg.GetConsistency()); err != nil {
		return nil, err
	}
	// Another tenant's finding reads exactly like one that does not exist.
	fd, ok := f.s.node.FSM().View().Finding(PrincipalFrom(ctx).Tenant, req.Msg.GetId())
	if !ok {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("finding %q not found", clip(req.Msg.GetId(), 80)))
	}
	return connect.NewResponse(&pb.GetFindingResponse{Finding: fd}), nil
}

func (f *findingsService) AcknowledgeFinding(ctx context.Context, req *connect.Request[pb.AcknowledgeFindingRequest]) (*connect.Response[pb.AcknowledgeFindingResponse], error) {
	p := PrincipalFrom(ctx)
	if len(req.Msg.GetNote()) > 4096 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("note: at most 4096 bytes"))
	}
	res, err := f.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_AckFinding{AckFinding: &pb.AckFindingCommand{
		Tenant: p.Tenant, FindingId: req.Msg.GetId(), By: p.String(), Note: req.Msg.GetNote()}}})
	if err != nil {
		return nil, applyErr("acknowledge", err)
	}
	return connect.NewResponse(&pb.AcknowledgeFindingResponse{Finding: res.(*pb.ApplyResult).GetFinding()}), nil
}

func (f *findingsService) ListScans(ctx context.Context, req *connect.Request[pb.ListScansRequest]) (*connect.Response[pb.ListScansResponse], error) {
	if err := f.s.readable(ctx, req.Msg.GetConsistency()); err != nil {
		return nil, err
	}
	size := int(req.Msg.GetPageSize())
	if size <= 0 {
		size = 50
	}
	size = min(size, 1000)
	offset := 0
	if t := req.Msg.GetPageToken(); t != "" {
		raw, err := base64.RawURLEncoding.DecodeString(t)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 {
			return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("page_token: not a token this server issued"))
		}
		offset = n
	}
	var scans []*pb.Scan
	err := f.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		return tt.ForEachScan(func(sc *pb.Scan) error {
			if req.Msg.GetAgentId() == "" || sc.GetAgentId() == req.Msg.GetAgentId() {
				scans = append(scans, sc)
			}
			return nil
		})
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	slices.Reverse(scans) // newest first
	resp := &pb.ListScansResponse{}
	if offset < len(scans) {
		end := min(offset+size, len(scans))
		resp.Scans = scans[offset:end]
		if end < len(scans) {
			resp.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
		}
	}
	return connect.NewResponse(resp), nil
}

type clusterService struct{ s *Server }

func (c *clusterService) ListMembers(ctx context.Context, _ *connect.Request[pb.ListMembersRequest]) (*connect.Response[pb.ListMembersResponse], error) {
	resp := &pb.ListMembersResponse{}
	resp.Leader, _ = c.s.node.Leader()
	for _, m := range c.s.node.Members() {
		resp.Members = append(resp.Members, &pb.Member{Name: m.Name, RaftAddress: m.RaftAddr, ApiAddress: m.APIAddr,
			Status: m.Status, Leader: m.Leader, Voter: m.Voter})
	}
	return connect.NewResponse(resp), nil
}

func (c *clusterService) GetHealth(ctx context.Context, _ *connect.Request[pb.GetHealthRequest]) (*connect.Response[pb.GetHealthResponse], error) {
	r := c.s.node.Raft()
	st := r.Stats()
	num := func(k string) uint64 { n, _ := strconv.ParseUint(st[k], 10, 64); return n }
	leader, _ := c.s.node.Leader()
	// A tenant sees its own agents; only a platform owner the node's all.
	agents := c.s.sessions.count()
	if p := PrincipalFrom(ctx); p.Role != RoleOwner {
		agents = c.s.sessions.countTenant(p.Tenant)
	}
	return connect.NewResponse(&pb.GetHealthResponse{Node: c.s.node.Name(), RaftState: r.State().String(), Leader: leader,
		AppliedIndex: r.AppliedIndex(), CommitIndex: num("commit_index"), LastLogIndex: r.LastIndex(), Term: num("term"),
		AgentsConnected: int32(agents), Ready: c.s.node.HasLeader()}), nil
}

func (c *clusterService) Bootstrap(ctx context.Context, req *connect.Request[pb.BootstrapRequest]) (*connect.Response[pb.BootstrapResponse], error) {
	tenant := req.Msg.GetTenant()
	if tenant == "" {
		tenant = "default"
	}
	if err := state.ValidTenant(tenant); err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	key, id, hash, err := pki.NewAPIKey()
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	// The first key is a platform owner's (like `consul acl bootstrap`'s
	// global-management token): someone must be able to create tenants and
	// their admins. It acts as the service account "bootstrap" of the
	// first tenant, and can be revoked once other owners exist.
	now := timestamppb.Now()
	_, err = c.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_Bootstrap{Bootstrap: &pb.BootstrapCommand{
		Tenant: &pb.Tenant{Id: tenant, DisplayName: tenant, CreatedAt: now, CreatedBy: "bootstrap"},
		ServiceAccount: &pb.ServiceAccount{Id: "bootstrap", Tenant: tenant, Role: RoleOwner.String(), CreatedAt: now, CreatedBy: "bootstrap",
			Description: "made by bootstrap for the first platform-owner key"},
		Key: &pb.StoredAPIKey{Id: id, Tenant: tenant, ServiceAccountId: "bootstrap", Role: RoleOwner.String(), SecretHash: hash,
			Description: "bootstrap", CreatedAt: now, CreatedBy: "bootstrap"}}}})
	if err != nil {
		return nil, applyErr("bootstrap", err)
	}
	c.s.log.Info("cluster bootstrapped: platform-owner API key created", "tenant", tenant, "key_id", id)
	return connect.NewResponse(&pb.BootstrapResponse{ApiKey: key, Tenant: tenant}), nil
}

type agentsService struct{ s *Server }

func (a *agentsService) ListAgents(ctx context.Context, req *connect.Request[pb.ListAgentsRequest]) (*connect.Response[pb.ListAgentsResponse], error) {
	if err := a.s.readable(ctx, req.Msg.GetConsistency()); err != nil {
		return nil, err
	}
	resp := &pb.ListAgentsResponse{}
	err := a.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		return tt.ForEachAgent(func(ag *pb.Agent) error {
			ag.AckedSeq = tt.HighWater(ag.GetId()).Seq
			resp.Agents = append(resp.Agents, ag)
			return nil
		})
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(resp), nil
}

func (a *agentsService) TriggerScan(ctx context.Context, req *connect.Request[pb.TriggerScanRequest]) (*connect.Response[pb.TriggerScanResponse], error) {
	p := PrincipalFrom(ctx)
	if _, err := a.agent(p.Tenant, req.Msg.GetAgentId()); err != nil {
		return nil, err
	}
	id := uuid.NewString()
	dr := &pb.DeliverRequest{Tenant: p.Tenant, AgentId: req.Msg.GetAgentId(), CommandId: id, Reason: "requested by " + p.String()}
	ok := a.s.deliverLocal(ctx, dr) || a.s.node.Deliver(ctx, dr)
	return connect.NewResponse(&pb.TriggerScanResponse{CommandId: id, Delivered: ok}), nil
}

func (a *agentsService) agent(tenant, id string) (*pb.Agent, error) {
	var ag *pb.Agent
	err := a.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		ag, err = tt.Agent(id)
		return err
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("agent %q not found", clip(id, 80)))
	}
	return ag, nil
}

func (a *agentsService) RevokeAgent(ctx context.Context, req *connect.Request[pb.RevokeAgentRequest]) (*connect.Response[pb.RevokeAgentResponse], error) {
	p := PrincipalFrom(ctx)
	if _, err := a.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_RevokeAgent{RevokeAgent: &pb.RevokeAgentCommand{
		Tenant: p.Tenant, AgentId: req.Msg.GetAgentId()}}}); err != nil {
		return nil, applyErr("revoke", err)
	}
	return connect.NewResponse(&pb.RevokeAgentResponse{}), nil
}

func (a *agentsService) CreateJoinToken(ctx context.Context, req *connect.Request[pb.CreateJoinTokenRequest]) (*connect.Response[pb.CreateJoinTokenResponse], error) {
	p := PrincipalFrom(ctx)
	ttl := time.Duration(req.Msg.GetTtlSeconds()) * time.Second
	switch {
	case ttl < 0:
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("ttl_seconds: must not be negative"))
	case ttl == 0:
		ttl = time.Hour
	case ttl > 30*24*time.Hour:
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("ttl_seconds: at most 30 days"))
	}
	uses := req.Msg.GetMaxUses()
	if uses < 0 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("max_uses: must not be negative"))
	}
	if uses == 0 {
		uses = 1
	}
	secret, id, hash, err := pki.NewJoinToken()
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	if pr := req.Msg.GetProject(); pr != "" {
		if err := a.s.projectExists(ctx, p.Tenant, pr); err != nil {
			return nil, asConnect(err)
		}
	}
	tok := &pb.JoinToken{Id: id, Tenant: p.Tenant, ExpiresAt: timestamppb.New(time.Now().Add(ttl)), MaxUses: uses,
		Description: clip(req.Msg.GetDescription(), 256), Project: req.Msg.GetProject()}
	if _, err := a.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateJoinToken{CreateJoinToken: &pb.CreateJoinTokenCommand{
		Token: &pb.StoredJoinToken{Token: tok, SecretHash: hash}}}}); err != nil {
		return nil, applyErr("create join token", err)
	}
	return connect.NewResponse(&pb.CreateJoinTokenResponse{Token: tok, Secret: secret, CaPin: a.s.cfg.Node.CA.Pin()}), nil
}

func (a *agentsService) ListJoinTokens(ctx context.Context, _ *connect.Request[pb.ListJoinTokensRequest]) (*connect.Response[pb.ListJoinTokensResponse], error) {
	resp := &pb.ListJoinTokensResponse{}
	err := a.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		return tt.ForEachJoinToken(func(t *pb.StoredJoinToken) error {
			resp.Tokens = append(resp.Tokens, t.GetToken())
			return nil
		})
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(resp), nil
}

func (a *agentsService) DeleteJoinToken(ctx context.Context, req *connect.Request[pb.DeleteJoinTokenRequest]) (*connect.Response[pb.DeleteJoinTokenResponse], error) {
	if _, err := a.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_DeleteJoinToken{DeleteJoinToken: &pb.DeleteJoinTokenCommand{
		Tenant: PrincipalFrom(ctx).Tenant, Id: req.Msg.GetId()}}}); err != nil {
		return nil, applyErr("delete join token", err)
	}
	return connect.NewResponse(&pb.DeleteJoinTokenResponse{}), nil
}
