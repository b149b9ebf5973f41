package node

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/fsm"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// leaderWait is how long a write waits for a leader during an election
// before it fails (DESIGN.md section 5).
const leaderWait = 5 * time.Second

// ErrNoLeader means no leader was elected within the wait.
var ErrNoLeader = errors.New("no cluster leader")

// ApplyError is a command's own failure (unknown object, used-up token),
// as opposed to a failure to reach the cluster.
type ApplyError struct{ Code, Message string }

func (e *ApplyError) Error() string { return e.Message }

// Apply commits a command through raft and returns the FSM's result
// (*pb.ApplyResult, or *pb.IngestResult for ingest). On a follower it is
// forwarded to the leader. A request ID is set if missing and kept across
// retries, so a write retried after a lost leadership applies once.
func (n *Node) Apply(ctx context.Context, c *pb.RaftCommand) (_ proto.Message, err error) {
	if c.RequestId == "" {
		// Time-ordered, so the FSM's table of recent request ids grows at
		// its end instead of rewriting a random page of it per entry.
		c.RequestId = uuid.Must(uuid.NewV7()).String()
	}
	if obs := n.cfg.ObserveApply; obs != nil {
		start := time.Now()
		defer func() {
			t, _ := typeName(c)
			obs(t, time.Since(start), err)
		}()
	}
	ctx, cancel := context.WithTimeout(ctx, leaderWait+5*time.Second)
	defer cancel()
	deadline := time.Now().Add(leaderWait)
	for {
		var (
			res proto.Message
			err error
		)
		if n.IsLeader() {
			res, err = n.applyLocal(ctx, c)
		} else {
			res, err = n.fwd.apply(ctx, c)
		}
		if err == nil {
			if r, ok := res.(*pb.ApplyResult); ok && r.GetCode() != "" {
				return r, &ApplyError{Code: r.GetCode(), Message: r.GetMessage()}
			}
			return res, nil
		}
		if !retryable(err) || time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("apply %s: %w", c.GetRequestId(), ctx.Err())
		case <-n.stop:
			// A node that stopped (or left the cluster on its way out)
			// will find no leader: waiting would only hold up its stop.
			return nil, fmt.Errorf("apply %s: %w", c.GetRequestId(), raft.ErrRaftShutdown)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func retryable(err error) bool {
	return errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) ||
		errors.Is(err, ErrNoLeader) || errors.Is(err, raft.ErrLeadershipTransferInProgress) ||
		connect.CodeOf(err) == connect.CodeUnavailable
}

// await waits for a raft future, or for the node to stop. Raft never
// answers a future still queued when it shuts down, so without the stop a
// caller (the audit flusher, during shutdown) would wait forever, and the
// shutdown with it.
func (n *Node) await(f raft.Future) error {
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		return err
	case <-n.stop:
		select {
		case err := <-done: // answered as the node stopped
			return err
		case <-time.After(100 * time.Millisecond):
			return raft.ErrRaftShutdown
		}
	}
}

// applyLocal proposes on this node, which believes it leads.
func (n *Node) applyLocal(ctx context.Context, c *pb.RaftCommand) (proto.Message, error) {
	if ing := c.GetIngest(); ing != nil && len(ing.GetBatches()) == 1 {
		out, err := n.ing.submit(ctx, ing.GetBatches()[0])
		if err != nil {
			return nil, err
		}
		return &pb.IngestResult{Outcomes: []*pb.IngestOutcome{out}}, nil
	}
	if c.At == nil {
		c.At = timestamppb.Now()
	}
	data, err := fsm.Encode(c)
	if err != nil {
		return nil, err
	}
	f := n.raft.Apply(data, leaderWait)
	if err := n.await(f); err != nil {
		return nil, err
	}
	switch r := f.Response().(type) {
	case proto.Message:
		return r, nil
	case nil:
		return &pb.ApplyResult{}, nil
	default:
		// Entries at or below the applied index are not re-applied; the
		// request ID's stored result is the answer.
		return &pb.ApplyResult{}, nil
	}
}

// ReadBarrier waits until this node has applied everything the leader had
// committed when it was asked: a consistent read after it sees every write
// acknowledged before it.
func (n *Node) ReadBarrier(ctx context.Context) error {
	var target uint64
	if n.IsLeader() {
		i, err := n.readIndex()
		if err != nil {
			return fmt.Errorf("consistent read: %w", err)
		}
		target = i
	} else {
		resp, err := n.fwd.readIndex(ctx)
		if err != nil {
			return fmt.Errorf("consistent read: %w", err)
		}
		target = resp
	}
	for n.applied.index() < target {
		select {
		case <-ctx.Done():
			return fmt.Errorf("consistent read: waiting for index %d: %w", target, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// readIndex, on the leader, is the index a consistent read waits for: the
// last entry the FSM applied once everything committed so far is applied.
// It is not the commit index itself, which is often a no-op or barrier
// entry (always right after an election) that raft never hands the FSM,
// so no node would ever report it applied.
func (n *Node) readIndex() (uint64, error) {
	if err := n.await(n.raft.VerifyLeader()); err != nil {
		return 0, err
	}
	if n.applied.index() < commitIndex(n.raft) {
		if err := n.await(n.raft.Barrier(leaderWait)); err != nil {
			return 0, err
		}
	}
	return n.applied.index(), nil
}

// appliedFSM records the last index whose apply has fully finished: the
// bbolt transaction, the in-memory view and the listeners. The FSM's own
// AppliedIndex is committed before the view is updated, so a read that
// waited for it could still see the older view.
type appliedFSM struct {
	*fsm.FSM
	done atomic.Uint64
}

func newAppliedFSM(f *fsm.FSM) *appliedFSM {
	a := &appliedFSM{FSM: f}
	a.done.Store(f.AppliedIndex())
	return a
}

// ApplyBatch implements raft.BatchingFSM.
func (a *appliedFSM) ApplyBatch(logs []*raft.Log) []any {
	out := a.FSM.ApplyBatch(logs)
	a.advance(logs[len(logs)-1].Index)
	return out
}

// Apply implements raft.FSM.
func (a *appliedFSM) Apply(l *raft.Log) any { return a.ApplyBatch([]*raft.Log{l})[0] }

// Restore implements raft.FSM.
func (a *appliedFSM) Restore(rc io.ReadCloser) error {
	if err := a.FSM.Restore(rc); err != nil {
		return err
	}
	a.advance(a.FSM.AppliedIndex())
	return nil
}

func (a *appliedFSM) advance(i uint64) {
	for {
		cur := a.done.Load()
		if i <= cur || a.done.CompareAndSwap(cur, i) {
			return
		}
	}
}

func (a *appliedFSM) index() uint64 { return a.done.Load() }

// HasLeader reports whether a leader is known.
func (n *Node) HasLeader() bool {
	addr, _ := n.raft.LeaderWithID()
	return addr != ""
}

func commitIndex(r *raft.Raft) uint64 {
	i, _ := strconv.ParseUint(r.Stats()["commit_index"], 10, 64)
	return i
}

// forwarder sends writes to the leader over the internal Connect service,
// authenticated with this controller's certificate.
type forwarder struct {
	n      *Node
	http   *http.Client
	mu     sync.Mutex
	byAddr map[string]driftmgrv1connect.InternalServiceClient
}

func newForwarder(n *Node) *forwarder {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: n.cfg.CA.Pool(), Certificates: []tls.Certificate{n.cfg.Cert},
		InsecureSkipVerify: true, VerifyConnection: verifyController(n.cfg.CA), NextProtos: []string{"h2"}}
	return &forwarder{n: n, http: &http.Client{Transport: H2Transport(tlsCfg)}, byAddr: map[string]driftmgrv1connect.InternalServiceClient{}}
}

func (f *forwarder) client() (driftmgrv1connect.InternalServiceClient, error) {
	name, api := f.n.Leader()
	if name == "" {
		return nil, ErrNoLeader
	}
	if api == "" {
		return nil, fmt.Errorf("%w: leader %s has not gossiped its API address yet", ErrNoLeader, name)
	}
	return f.clientAt(api), nil
}

func (f *forwarder) clientAt(api string) driftmgrv1connect.InternalServiceClient {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.byAddr[api]
	if !ok {
		c = driftmgrv1connect.NewInternalServiceClient(f.http, "https://"+api)
		f.byAddr[api] = c
	}
	return c
}

func (f *forwarder) apply(ctx context.Context, c *pb.RaftCommand) (proto.Message, error) {
	cl, err := f.client()
	if err != nil {
		return nil, err
	}
	data, err := fsm.Encode(c)
	if err != nil {
		return nil, err
	}
	resp, err := cl.Apply(ctx, connect.NewRequest(&pb.ApplyRequest{Command: data}))
	if err != nil {
		return nil, fmt.Errorf("forward to leader: %w", err)
	}
	var out proto.Message = &pb.ApplyResult{}
	if c.GetIngest() != nil {
		out = &pb.IngestResult{}
	}
	if err := proto.Unmarshal(resp.Msg.GetResult(), out); err != nil {
		return nil, fmt.Errorf("forward to leader: decode result: %w", err)
	}
	return out, nil
}

func (f *forwarder) readIndex(ctx context.Context) (uint64, error) {
	cl, err := f.client()
	if err != nil {
		return 0, err
	}
	resp, err := cl.Apply(ctx, connect.NewRequest(&pb.ApplyRequest{}))
	if err != nil {
		return 0, err
	}
	return resp.Msg.GetIndex(), nil
}

// InternalService is the handler of InternalService for peers; the
// server's authorizer admits only controller certificates to it. deliver
// hands a command to an agent stream held by this node.
func (n *Node) InternalService(deliver func(ctx context.Context, r *pb.DeliverRequest) bool, sessions func() []string) driftmgrv1connect.InternalServiceHandler {
	return &internal{n: n, deliver: deliver, sessions: sessions}
}

type internal struct {
	n        *Node
	deliver  func(ctx context.Context, r *pb.DeliverRequest) bool
	sessions func() []string
}

func (s *internal) Sessions(ctx context.Context, _ *connect.Request[pb.SessionsRequest]) (*connect.Response[pb.SessionsResponse], error) {
	var out []string
	if s.sessions != nil {
		out = s.sessions()
	}
	return connect.NewResponse(&pb.SessionsResponse{Agents: out}), nil
}

func (s *internal) Apply(ctx context.Context, req *connect.Request[pb.ApplyRequest]) (*connect.Response[pb.ApplyResponse], error) {
	if !s.n.IsLeader() {
		return nil, connect.NewError(connect.CodeUnavailable, raft.ErrNotLeader)
	}
	if len(req.Msg.GetCommand()) == 0 {
		i, err := s.n.readIndex()
		if err != nil {
			return nil, connect.NewError(connect.CodeUnavailable, err)
		}
		return connect.NewResponse(&pb.ApplyResponse{Index: i}), nil
	}
	_, c, err := fsm.Decode(req.Msg.GetCommand())
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	res, err := s.n.applyLocal(ctx, c)
	if err != nil {
		if retryable(err) {
			return nil, connect.NewError(connect.CodeUnavailable, err)
		}
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	b, err := proto.Marshal(res)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(&pb.ApplyResponse{Result: b}), nil
}

func (s *internal) Deliver(ctx context.Context, req *connect.Request[pb.DeliverRequest]) (*connect.Response[pb.DeliverResponse], error) {
	ok := s.deliver != nil && s.deliver(ctx, req.Msg)
	return connect.NewResponse(&pb.DeliverResponse{Delivered: ok}), nil
}

// Deliver asks every other controller to hand a command to an agent whose
// stream it holds; it reports whether one did.
func (n *Node) Deliver(ctx context.Context, r *pb.DeliverRequest) bool {
	for _, m := range n.Members() {
		if m.Name == n.cfg.Name || m.APIAddr == "" || m.Status != "alive" {
			continue
		}
		resp, err := n.fwd.clientAt(m.APIAddr).Deliver(ctx, connect.NewRequest(r))
		if err == nil && resp.Msg.GetDelivered() {
			return true
		}
	}
	return false
}

// PeerSessions gathers the agent sessions every other alive controller
// holds. ok is false if any alive peer could not be asked: the caller
// must then not conclude that an agent is held nowhere.
func (n *Node) PeerSessions(ctx context.Context) (held map[string]bool, ok bool) {
	held, ok = map[string]bool{}, true
	for _, m := range n.Members() {
		if m.Name == n.cfg.Name || m.Status != "alive" {
			continue
		}
		if m.APIAddr == "" {
			ok = false
			continue
		}
		resp, err := n.fwd.clientAt(m.APIAddr).Sessions(ctx, connect.NewRequest(&pb.SessionsRequest{}))
		if err != nil {
			ok = false
			continue
		}
		for _, a := range resp.Msg.GetAgents() {
			held[a] = true
		}
	}
	return held, ok
}

// typeName names a command for metrics.
func typeName(c *pb.RaftCommand) (string, error) {
	t, err := fsm.TypeOf(c)
	if err != nil {
		return "unknown", err
	}
	return t.String(), nil
}

// H2Transport is an HTTP/2-only client transport over TLS with cfg (gRPC
// and bidirectional streams need HTTP/2).
func H2Transport(cfg *tls.Config) *http.Transport {
	t := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true, IdleConnTimeout: 90 * time.Second}
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP2(true)
	return t
}
