package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/audit"
	"github.com/driftmgr/driftmgr/controller/fsm"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Audit batching: entries wait at most auditFlushEvery (or until
// auditBatch are pending) before they are proposed together, so auditing
// every call costs one raft entry per burst, not one per call. Each entry
// is an fsync on every node and a rewrite of the pages of each tenant in
// it, so the interval sets what auditing costs: at 100 ms it was most of
// a busy cluster's disk work and a third of its garbage. A reader never
// waits for it: Flush proposes at once.
const (
	auditFlushEvery = 250 * time.Millisecond
	auditBatch      = 1000
	// auditBacklog bounds what waits while the cluster cannot commit;
	// past it entries are dropped and counted, so a leaderless cluster
	// under attack does not run out of memory.
	auditBacklog = 100000
)

// quietOnSuccess are the agents' data-plane calls and the controllers'
// own: frequent, machine-made, and recorded elsewhere (scans, uploads).
// Their failures are audited like any call's.
var quietOnSuccess = map[string]bool{
	driftmgrv1connect.AgentServiceUploadProcedure:      true,
	driftmgrv1connect.AgentServiceCheckinProcedure:     true,
	driftmgrv1connect.AgentServiceControlProcedure:     true,
	driftmgrv1connect.AgentServiceGetPoliciesProcedure: true,
	driftmgrv1connect.InternalServiceApplyProcedure:    true,
	driftmgrv1connect.InternalServiceDeliverProcedure:  true,
	driftmgrv1connect.InternalServiceSessionsProcedure: true,
}

// auditor records every call's who, what, when, from where and outcome,
// and proposes them in batches.
type auditor struct {
	s      *Server
	sample *auditSampler
	flood  *floodGuard

	mu      sync.Mutex
	pending []*pb.AuditEvent
	wake    chan struct{}
	flushed chan struct{} // closed and replaced after each flush
}

func newAuditor(s *Server) *auditor {
	return &auditor{s: s, sample: newAuditSampler(), flood: newFloodGuard(), wake: make(chan struct{}, 1), flushed: make(chan struct{})}
}

// actorOf names the caller for the log.
func actorOf(p Principal) *pb.AuditActor {
	switch p.Kind {
	case "agent":
		return &pb.AuditActor{Kind: string(audit.ActorAgent), Id: p.ID}
	case "controller":
		return &pb.AuditActor{Kind: string(audit.ActorController), Id: p.ID}
	case "key":
		return &pb.AuditActor{Kind: string(audit.ActorKey), Id: p.ID, Name: p.Name}
	case "user":
		return &pb.AuditActor{Kind: string(audit.ActorUser), Id: p.ID, Name: p.Name}
	}
	return &pb.AuditActor{Kind: string(audit.ActorAnonymous), Id: p.ID}
}

func (a *auditor) record(ctx context.Context, procedure, remote, requestID string, req, resp proto.Message, err error) {
	if err == nil && quietOnSuccess[procedure] {
		return
	}
	p := PrincipalFrom(ctx)
	if who, ok := ctx.Value(refusedKeyCtx{}).(Principal); ok && p.Kind == "" {
		p = who
	}
	if e, ok := resp.(*pb.EnrollResponse); ok && p.Tenant == "" {
		// An enrollment is anonymous until it succeeds; then it is the
		// new agent's, in the token's tenant.
		p = Principal{Kind: "agent", Tenant: e.GetTenant(), ID: e.GetAgentId()}
	}
	markAudited(ctx)
	sampled := connect.CodeOf(err) == connect.CodeResourceExhausted
	key := p.Tenant + "\x00" + procedure
	if !sampled && unproven(p, err) && !a.flood.allow(audit.RemoteIP(remote), time.Now()) {
		sampled, key = true, "flood\x00"+audit.RemoteIP(remote)
	}
	held := 0
	if sampled {
		var ok bool
		if ok, held = a.sample.admit(key, time.Now()); !ok {
			a.s.metrics.auditSampled.Inc()
			return
		}
	}
	// Only now, past the sampler: a refusal left out costs no message.
	outcome, msg := audit.OutcomeOf(err)
	if held > 0 {
		msg = fmt.Sprintf("%s (and %d more refused since the last entry)", msg, held)
	}
	args := json.RawMessage("{}")
	if req != nil {
		args = audit.RedactMessage(req)
	}
	ev := &pb.AuditEvent{Tenant: p.Tenant, Time: timestamppb.Now(), Actor: actorOf(p), Action: procedure,
		ArgsJson: string(args), Remote: audit.RemoteIP(remote), RequestId: requestID, Outcome: outcome, Error: msg}
	a.mu.Lock()
	if len(a.pending) >= auditBacklog {
		a.mu.Unlock()
		a.s.metrics.auditDropped.Inc()
		return
	}
	a.pending = append(a.pending, ev)
	n := len(a.pending)
	a.mu.Unlock()
	if n >= auditBatch {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
}

// run proposes pending entries until the node stops (Shutdown flushes
// once more before stopping it).
func (a *auditor) run() {
	defer a.s.wg.Done()
	t := time.NewTicker(auditFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-a.s.node.Stopped():
			return
		case <-t.C:
		case <-a.wake:
		}
		select {
		case <-a.s.node.Stopped(): // a tick and the stop can be ready together
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		a.flush(ctx)
		cancel()
	}
}

// flush proposes what is pending; on failure the entries stay for the
// next try, in order.
func (a *auditor) flush(ctx context.Context) {
	a.mu.Lock()
	evs := a.pending
	if len(evs) > auditBatch {
		evs = evs[:auditBatch]
	}
	done := a.flushed
	a.mu.Unlock()
	if len(evs) > 0 {
		_, err := a.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_Audit{Audit: &pb.AuditCommand{Events: evs}}})
		if err != nil {
			a.s.log.Warn("audit entries not committed yet; retrying", "entries", len(evs), "err", err)
			return
		}
		a.mu.Lock()
		a.pending = a.pending[len(evs):]
		a.mu.Unlock()
	}
	a.mu.Lock()
	if a.flushed == done && len(a.pending) == 0 {
		close(done)
		a.flushed = make(chan struct{})
	}
	a.mu.Unlock()
}

// Flush waits until every entry recorded before the call is committed
// (tests, and a graceful stop).
func (a *auditor) Flush(ctx context.Context) error {
	a.mu.Lock()
	if len(a.pending) == 0 {
		a.mu.Unlock()
		return nil
	}
	done := a.flushed
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FlushAudit waits until the audit entries recorded so far are committed.
func (s *Server) FlushAudit(ctx context.Context) error { return s.audit.Flush(ctx) }

// auditInterceptor is the outermost interceptor: it sees every call,
// including the ones authorization refuses.
type auditInterceptor struct{ a *auditor }

func callID(h interface {
	Get(string) string
	Set(string, string)
}) string {
	id := h.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		id = uuid.NewString()
		h.Set("X-Request-Id", id)
	}
	return id
}

func (i auditInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		id := callID(req.Header())
		resp, err := next(ctx, req)
		m, _ := req.Any().(proto.Message)
		var out proto.Message
		if resp != nil {
			out, _ = resp.Any().(proto.Message)
		}
		i.a.record(ctx, req.Spec().Procedure, req.Peer().Addr, id, m, out, err)
		return resp, err
	}
}

func (i auditInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i auditInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		id := callID(conn.RequestHeader())
		err := next(ctx, conn)
		// A stream ended by its client is not a failure of the call.
		if errors.Is(err, context.Canceled) || connect.CodeOf(err) == connect.CodeCanceled {
			err = nil
		}
		i.a.record(ctx, conn.Spec().Procedure, conn.Peer().Addr, id, nil, nil, err)
		return err
	}
}

// auditService reads the caller's tenant's audit log.
type auditService struct{ s *Server }

func auditQuery(m *pb.ListAuditEventsRequest) audit.Query {
	q := audit.Query{ActorKind: audit.ActorKind(m.GetActorKind()), ActorID: m.GetActorId(), ActionPrefix: m.GetActionPrefix(),
		Outcome: m.GetOutcome(), Newest: m.GetNewest(), PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()}
	if m.GetSince() != nil {
		q.Since = m.GetSince().AsTime()
	}
	if m.GetUntil() != nil {
		q.Until = m.GetUntil().AsTime()
	}
	return q
}

// auditLogOf opens the audit log the caller reads: its tenant's.
func auditLogOf(tx *state.Tx, tenant string) (state.AuditLog, error) {
	tt, err := tx.Tenant(tenant)
	if err != nil {
		return state.AuditLog{}, err
	}
	return tt.Audit(), nil
}

func (v *auditService) ListAuditEvents(ctx context.Context, req *connect.Request[pb.ListAuditEventsRequest]) (*connect.Response[pb.ListAuditEventsResponse], error) {
	if err := v.s.readable(ctx, req.Msg.GetConsistency()); err != nil {
		return nil, err
	}
	q := auditQuery(req.Msg)
	if err := q.Validate(); err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	pos, err := q.Position()
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("page_token: %w", err))
	}
	size := q.PageSize
	if size == 0 {
		size = audit.DefaultPageSize
	}
	resp := &pb.ListAuditEventsResponse{}
	err = v.s.node.FSM().Store().View(func(tx *state.Tx) error {
		l, err := auditLogOf(tx, PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		visit := func(seq uint64, raw []byte) (bool, error) {
			var e audit.Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				return false, fmt.Errorf("audit entry %d: %w", seq, err)
			}
			if !q.Match(e) {
				return true, nil
			}
			if len(resp.Events) == size {
				resp.NextPageToken = audit.NextPageToken(resp.Events[size-1].GetSeq(), q.Newest)
				return false, nil
			}
			resp.Events = append(resp.Events, fsm.EventOf(e))
			return true, nil
		}
		if q.Newest {
			return l.ForEachReverse(pos, visit)
		}
		return l.ForEach(pos, visit)
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, fmt.Errorf("read audit log: %w", err))
	}
	return connect.NewResponse(resp), nil
}

// exportChunk is how many entries one stream message carries.
const exportChunk = 500

func (v *auditService) ExportAudit(ctx context.Context, req *connect.Request[pb.ExportAuditRequest], stream *connect.ServerStream[pb.ExportAuditResponse]) error {
	tenant, after := PrincipalFrom(ctx).Tenant, req.Msg.GetAfterSeq()
	for {
		var chunk []*pb.AuditEvent
		err := v.s.node.FSM().Store().View(func(tx *state.Tx) error {
			l, err := auditLogOf(tx, tenant)
			if err != nil {
				return err
			}
			return l.ForEach(after, func(seq uint64, raw []byte) (bool, error) {
				var e audit.Entry
				if err := json.Unmarshal(raw, &e); err != nil {
					return false, fmt.Errorf("audit entry %d: %w", seq, err)
				}
				chunk = append(chunk, fsm.EventOf(e))
				return len(chunk) < exportChunk, nil
			})
		})
		if err != nil {
			return connect.NewError(connect.CodeInternal, fmt.Errorf("read audit log: %w", err))
		}
		if len(chunk) == 0 {
			return nil
		}
		if err := stream.Send(&pb.ExportAuditResponse{Events: chunk}); err != nil {
			return err
		}
		after = chunk[len(chunk)-1].GetSeq()
	}
}

// VerifyAudit checks the whole stored chain, a chunk at a time, each
// chunk against the last entry of the one before.
func (v *auditService) VerifyAudit(ctx context.Context, _ *connect.Request[pb.VerifyAuditRequest]) (*connect.Response[pb.VerifyAuditResponse], error) {
	resp := &pb.VerifyAuditResponse{}
	var anchor *audit.Entry
	var chunk []audit.Entry
	check := func() error {
		if len(chunk) == 0 {
			return nil
		}
		var err error
		if anchor == nil {
			err = audit.Verify(chunk)
		} else {
			err = audit.VerifyAfter(*anchor, chunk)
		}
		if err != nil {
			return err
		}
		last := chunk[len(chunk)-1]
		anchor, chunk = &last, chunk[:0]
		return nil
	}
	var verr error
	err := v.s.node.FSM().Store().View(func(tx *state.Tx) error {
		l, err := auditLogOf(tx, PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		return l.ForEach(0, func(seq uint64, raw []byte) (bool, error) {
			var e audit.Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				verr = fmt.Errorf("entry %d does not decode: %v", seq, err)
				return false, nil
			}
			resp.Entries++
			chunk = append(chunk, e)
			if len(chunk) == exportChunk {
				if verr = check(); verr != nil {
					return false, nil
				}
			}
			return true, nil
		})
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, fmt.Errorf("read audit log: %w", err))
	}
	if verr == nil {
		verr = check()
	}
	if verr != nil {
		resp.Error = verr.Error()
	} else if anchor != nil {
		resp.HeadSeq, resp.HeadHash = anchor.Seq, anchor.Hash
	}
	return connect.NewResponse(resp), nil
}
