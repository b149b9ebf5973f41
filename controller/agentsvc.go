package controller

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/node"
	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

type agentService struct{ s *Server }

// Enroll trades a join token and a CSR for a client certificate.
func (a *agentService) Enroll(ctx context.Context, req *connect.Request[pb.EnrollRequest]) (*connect.Response[pb.EnrollResponse], error) {
	s := a.s
	id, secret, err := pki.ParseToken("dmjt", req.Msg.GetJoinToken())
	if err != nil {
		return nil, connect.NewError(connect.CodeUnauthenticated, fmt.Errorf("join token: %w", err))
	}
	// The token may have been created a moment ago through another node.
	if !s.node.IsLeader() {
		_ = s.node.ReadBarrier(ctx)
	}
	tok, err := findToken(s, id)
	if err != nil || !pki.CheckSecret(secret, tok.GetSecretHash()) {
		s.metrics.enrollRefused.WithLabelValues("unknown").Inc()
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("join token is not recognized"))
	}
	t := tok.GetToken()
	if now := time.Now(); !now.Before(t.GetExpiresAt().AsTime()) {
		s.metrics.enrollRefused.WithLabelValues("expired").Inc()
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("join token %s expired at %s", t.GetId(), t.GetExpiresAt().AsTime().Format(time.RFC3339)))
	}
	if t.GetUses() >= t.GetMaxUses() {
		s.metrics.enrollRefused.WithLabelValues("used_up").Inc()
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("join token %s is used up (%d of %d uses)", t.GetId(), t.GetUses(), t.GetMaxUses()))
	}
	if s.tenantDisabled(t.GetTenant()) {
		s.metrics.enrollRefused.WithLabelValues("tenant_disabled").Inc()
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("join token %s: tenant %s is disabled", t.GetId(), t.GetTenant()))
	}
	if err := s.checkAgentQuota(t.GetTenant()); err != nil {
		s.metrics.enrollRefused.WithLabelValues("quota").Inc()
		return nil, err
	}
	agentID := newAgentID()
	certPEM, serial, notAfter, err := s.cfg.Node.CA.SignCSR(req.Msg.GetCsr(), pki.Identity{Tenant: t.GetTenant(), Agent: agentID, Kind: pki.KindAgent},
		s.cfg.AgentCertTTL, time.Now())
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("csr: %w", err))
	}
	agent := &pb.Agent{Id: agentID, Tenant: t.GetTenant(), Name: clip(req.Msg.GetName(), 128), Hostname: clip(req.Msg.GetHostname(), 255),
		Version: clip(req.Msg.GetVersion(), 64), CertSerial: serial, CertNotAfter: timestamppb.New(notAfter), Project: t.GetProject()}
	_, err = s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_Enroll{Enroll: &pb.EnrollCommand{
		Tenant: t.GetTenant(), TokenId: t.GetId(), Agent: agent}}})
	if err != nil {
		// The certificate was signed but is never handed out.
		return nil, applyErr("enroll", err)
	}
	s.log.Info("agent enrolled", "tenant", t.GetTenant(), "agent", agentID, "name", agent.GetName())
	return connect.NewResponse(&pb.EnrollResponse{AgentId: agentID, Tenant: t.GetTenant(), CertificatePem: certPEM,
		CaPem: s.cfg.Node.CA.CertPEM, NotAfter: timestamppb.New(notAfter)}), nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func newAgentID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "agt-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// findToken looks a join token up by id. Tokens live in their tenant's
// bucket and the id does not name the tenant, so every tenant is asked.
func findToken(s *Server, id string) (*pb.StoredJoinToken, error) {
	var found *pb.StoredJoinToken
	err := s.node.FSM().Store().View(func(tx *state.Tx) error {
		for _, t := range tx.Tenants() {
			tt, err := tx.Tenant(t)
			if err != nil {
				continue
			}
			if tok, err := tt.JoinToken(id); err == nil {
				found = tok
				return nil
			}
		}
		return state.ErrNotFound
	})
	return found, err
}

// applyErr maps a failed write to a Connect error.
func applyErr(what string, err error) error {
	var ae *node.ApplyError
	if errors.As(err, &ae) {
		code := map[string]connect.Code{"not_found": connect.CodeNotFound, "failed_precondition": connect.CodeFailedPrecondition,
			"invalid_argument": connect.CodeInvalidArgument, "already_exists": connect.CodeAlreadyExists}[ae.Code]
		if code == 0 {
			code = connect.CodeInternal
		}
		if what == "enroll" && (ae.Code == "not_found" || ae.Code == "failed_precondition") {
			code = connect.CodePermissionDenied
		}
		return connect.NewError(code, fmt.Errorf("%s: %s", what, ae.Message))
	}
	if errors.Is(err, node.ErrNoLeader) || errors.Is(err, context.DeadlineExceeded) {
		return connect.NewError(connect.CodeUnavailable, fmt.Errorf("%s: %w", what, err))
	}
	if ce := new(connect.Error); errors.As(err, &ce) {
		return err
	}
	return connect.NewError(connect.CodeUnavailable, fmt.Errorf("%s: %w", what, err))
}

// Renew issues a fresh certificate to an enrolled, unrevoked agent.
func (a *agentService) Renew(ctx context.Context, req *connect.Request[pb.RenewRequest]) (*connect.Response[pb.RenewResponse], error) {
	s, p := a.s, PrincipalFrom(ctx)
	certPEM, serial, notAfter, err := s.cfg.Node.CA.SignCSR(req.Msg.GetCsr(), pki.Identity{Tenant: p.Tenant, Agent: p.ID, Kind: pki.KindAgent},
		s.cfg.AgentCertTTL, time.Now())
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("csr: %w", err))
	}
	_, err = s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_RenewAgent{RenewAgent: &pb.RenewAgentCommand{
		Tenant: p.Tenant, AgentId: p.ID, CertSerial: serial, NotAfter: timestamppb.New(notAfter)}}})
	if err != nil {
		return nil, applyErr("renew", err)
	}
	return connect.NewResponse(&pb.RenewResponse{CertificatePem: certPEM, NotAfter: timestamppb.New(notAfter)}), nil
}

// Upload applies one outbox batch through raft (group-committed on the
// leader) and acknowledges it only once committed.
func (a *agentService) Upload(ctx context.Context, req *connect.Request[pb.UploadRequest]) (*connect.Response[pb.UploadResponse], error) {
	s, p := a.s, PrincipalFrom(ctx)
	m := req.Msg
	start := time.Now()
	recs, err := fsm.DecodeUpload(m.GetBootEpoch(), m.GetSeq(), m.GetSha256(), m.GetPayload())
	if err != nil {
		s.metrics.uploadsRejected.Inc()
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("upload from agent %s: %w", p.ID, err))
	}
	if err := s.checkResourceQuota(p.Tenant, recs); err != nil {
		s.metrics.uploadsRejected.Inc()
		return nil, err
	}
	res, err := s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_Ingest{Ingest: &pb.IngestCommand{Batches: []*pb.IngestBatch{{
		Tenant: p.Tenant, AgentId: p.ID, BootEpoch: m.GetBootEpoch(), Seq: m.GetSeq(), Payload: m.GetPayload(), LostThrough: m.GetLostThrough()}}}}})
	if err != nil {
		return nil, applyErr("upload", err)
	}
	outs := res.(*pb.IngestResult).GetOutcomes()
	if len(outs) != 1 {
		return nil, connect.NewError(connect.CodeInternal, errors.New("upload: no outcome"))
	}
	out := outs[0]
	switch out.GetStatus() {
	case "applied":
		s.metrics.ingested.Add(float64(len(recs)))
		s.metrics.ingestLatency.Observe(time.Since(start).Seconds())
	case "duplicate":
		s.metrics.uploadsDuplicate.Inc()
	case "gap":
		// Not an error: acked_seq tells the agent where to resend from.
	case "stale_epoch":
		// Aborted, not FailedPrecondition: the batch is fine, the agent's
		// epoch is not; it must start a new one rather than skip batches.
		s.metrics.uploadsRejected.Inc()
		return nil, connect.NewError(connect.CodeAborted, fmt.Errorf("upload from agent %s: %s", p.ID, out.GetError()))
	default:
		s.metrics.uploadsRejected.Inc()
		return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("upload from agent %s: %s", p.ID, out.GetError()))
	}
	return connect.NewResponse(&pb.UploadResponse{AckedSeq: out.GetAckedSeq(), Duplicate: out.GetStatus() == "duplicate"}), nil
}

// Control is the agent's stream: Hello first, then heartbeats; commands
// go down as they come.
func (a *agentService) Control(ctx context.Context, stream *connect.BidiStream[pb.ControlRequest, pb.ControlResponse]) error {
	s, p := a.s, PrincipalFrom(ctx)
	first, err := stream.Receive()
	if err != nil {
		return err
	}
	hello := first.GetHello()
	if hello == nil {
		return connect.NewError(connect.CodeInvalidArgument, errors.New("control stream: first message must be hello"))
	}
	sess := s.sessions.open(p.Tenant, p.ID)
	defer s.closeSession(sess)
	if err := s.markConnected(ctx, p, true, hello.GetVersion(), hello.GetBootEpoch()); err != nil {
		return err
	}
	var hwm state.HWM
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(p.Tenant)
		if err == nil {
			hwm = tt.HighWater(p.ID)
		}
		return nil
	})
	acked := hwm.Seq
	if hwm.Epoch != hello.GetBootEpoch() {
		acked = 0
	}
	if err := stream.Send(&pb.ControlResponse{Msg: &pb.ControlResponse_Welcome{Welcome: &pb.Welcome{AgentId: p.ID,
		AckedSeq: acked, AckedEpoch: hwm.Epoch, HeartbeatIntervalSeconds: int64(s.cfg.HeartbeatInterval / time.Second),
		ScanIntervalSeconds: int64(s.cfg.ScanInterval / time.Second)}}}); err != nil {
		return err
	}
	still := s.newRecheck(PrincipalFrom(ctx))
	recv := make(chan *pb.ControlRequest)
	recvErr := make(chan error, 1)
	go func() {
		for {
			m, err := stream.Receive()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case recv <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	timeout := 3 * s.cfg.HeartbeatInterval
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sess.done:
			why := sess.reason()
			if why == reasonRevoked {
				return connect.NewError(connect.CodePermissionDenied, errors.New("agent stream closed: "+why))
			}
			// Replaced or shutting down: the agent should just reconnect.
			return connect.NewError(connect.CodeUnavailable, errors.New("agent stream closed: "+why))
		case err := <-recvErr:
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return nil
		case m := <-recv:
			if hb := m.GetHeartbeat(); hb != nil {
				// A tenant disabled since the stream opened ends it here.
				if err := still.ok(); err != nil {
					return err
				}
				sess.heartbeat(hb)
				if err := stream.Send(&pb.ControlResponse{Msg: &pb.ControlResponse_HeartbeatAck{HeartbeatAck: &pb.HeartbeatAck{}}}); err != nil {
					return err
				}
			}
			timer.Reset(timeout)
		case c := <-sess.cmds:
			if err := stream.Send(&pb.ControlResponse{Msg: &pb.ControlResponse_Command{Command: c}}); err != nil {
				return err
			}
		case <-timer.C:
			return connect.NewError(connect.CodeDeadlineExceeded, fmt.Errorf("no heartbeat from agent %s in %s", p.ID, timeout))
		}
	}
}

// Checkin is the long-poll fallback of Control for HTTP/1.1-only paths.
func (a *agentService) Checkin(ctx context.Context, req *connect.Request[pb.CheckinRequest]) (*connect.Response[pb.CheckinResponse], error) {
	s, p := a.s, PrincipalFrom(ctx)
	sess, fresh := s.sessions.poll(p.Tenant, p.ID)
	if fresh {
		if err := s.markConnected(ctx, p, true, "", req.Msg.GetBootEpoch()); err != nil {
			return nil, err
		}
	}
	if hb := req.Msg.GetHeartbeat(); hb != nil {
		sess.heartbeat(hb)
	}
	wait := min(time.Duration(req.Msg.GetWaitSeconds())*time.Second, 30*time.Second)
	resp := &pb.CheckinResponse{}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case c := <-sess.cmds:
		resp.Commands = append(resp.Commands, c)
	case <-timer.C:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var hwm state.HWM
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		if tt, err := tx.Tenant(p.Tenant); err == nil {
			hwm = tt.HighWater(p.ID)
		}
		return nil
	})
	if hwm.Epoch == req.Msg.GetBootEpoch() {
		resp.AckedSeq = hwm.Seq
	}
	return connect.NewResponse(resp), nil
}

// markConnected replicates an up/down transition (heartbeats themselves
// stay in memory, as in Nomad).
func (s *Server) markConnected(ctx context.Context, p Principal, up bool, version string, epoch uint64) error {
	_, err := s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_AgentStatus{AgentStatus: &pb.AgentStatusCommand{
		Tenant: p.Tenant, AgentId: p.ID, Connected: up, Version: version, BootEpoch: epoch}}})
	if err != nil {
		return applyErr("agent status", err)
	}
	return nil
}

func (s *Server) closeSession(sess *session) {
	if s.sessions.close(sess) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.markConnected(ctx, Principal{Tenant: sess.tenant, ID: sess.agent}, false, "", 0); err != nil {
			s.log.Warn("mark agent disconnected", "agent", sess.agent, "err", err)
		}
	}
}

// deliverLocal hands a command to an agent whose stream or poll this node
// holds.
func (s *Server) deliverLocal(_ context.Context, r *pb.DeliverRequest) bool {
	return s.sessions.deliver(r.GetTenant(), r.GetAgentId(), &pb.Command{Id: r.GetCommandId(),
		Kind: &pb.Command_ScanNow{ScanNow: &pb.ScanNow{Reason: r.GetReason()}}})
}

// reasonRevoked is why a revoked agent's stream is closed.
const reasonRevoked = "agent certificate revoked"

// sessions are the agent streams and polls this node holds.
type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

type session struct {
	tenant, agent string
	poll          bool
	cmds          chan *pb.Command
	done          chan struct{}
	closeOnce     sync.Once

	mu       sync.Mutex
	lastSeen time.Time
	outbox   *pb.Heartbeat
	why      string
}

func newSessions() *sessions { return &sessions{m: map[string]*session{}} }

func skey(tenant, agent string) string { return tenant + "/" + agent }

func newSession(tenant, agent string, poll bool) *session {
	return &session{tenant: tenant, agent: agent, poll: poll, cmds: make(chan *pb.Command, 16), done: make(chan struct{}), lastSeen: time.Now()}
}

// open registers a stream, replacing an older one of the same agent (a
// reconnect that beat the old stream's timeout).
func (ss *sessions) open(tenant, agent string) *session {
	sess := newSession(tenant, agent, false)
	ss.mu.Lock()
	old := ss.m[skey(tenant, agent)]
	ss.m[skey(tenant, agent)] = sess
	ss.mu.Unlock()
	if old != nil {
		old.stop("replaced by a new stream")
	}
	return sess
}

// poll returns the agent's poll session, creating it if needed.
func (ss *sessions) poll(tenant, agent string) (*session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.m[skey(tenant, agent)]; ok {
		s.mu.Lock()
		s.lastSeen = time.Now()
		s.mu.Unlock()
		return s, false
	}
	s := newSession(tenant, agent, true)
	ss.m[skey(tenant, agent)] = s
	return s, true
}

// close unregisters a session; it reports whether it was the agent's
// current one (so the agent is now disconnected).
func (ss *sessions) close(s *session) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.stop("closed")
	if ss.m[skey(s.tenant, s.agent)] == s {
		delete(ss.m, skey(s.tenant, s.agent))
		return true
	}
	return false
}

func (ss *sessions) deliver(tenant, agent string, c *pb.Command) bool {
	ss.mu.Lock()
	s := ss.m[skey(tenant, agent)]
	ss.mu.Unlock()
	if s == nil {
		return false
	}
	select {
	case s.cmds <- c:
		return true
	default:
		return false
	}
}

func (ss *sessions) keys() []string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	out := make([]string, 0, len(ss.m))
	for k := range ss.m {
		out = append(out, k)
	}
	return out
}

func (ss *sessions) count() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.m)
}

// countTenant is how many of one tenant's agents this node holds.
func (ss *sessions) countTenant(tenant string) int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	n := 0
	for k := range ss.m {
		if strings.HasPrefix(k, tenant+"/") {
			n++
		}
	}
	return n
}

func (ss *sessions) closeAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, s := range ss.m {
		s.stop("controller shutting down")
		delete(ss.m, k)
	}
}

// onChange cuts the streams of agents revoked anywhere in the cluster.
func (ss *sessions) onChange(c fsm.Change) {
	for _, a := range c.Agents {
		if !a.GetRevoked() {
			continue
		}
		ss.mu.Lock()
		s := ss.m[skey(a.GetTenant(), a.GetId())]
		ss.mu.Unlock()
		if s != nil {
			s.stop(reasonRevoked)
		}
	}
}

// reap marks poll sessions that stopped checking in as disconnected.
func (ss *sessions) reap(srv *Server) {
	defer srv.wg.Done()
	t := time.NewTicker(srv.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-srv.node.Stopped():
			return
		case <-t.C:
		}
		var stale []*session
		ss.mu.Lock()
		for _, s := range ss.m {
			s.mu.Lock()
			if s.poll && time.Since(s.lastSeen) > 3*srv.cfg.HeartbeatInterval {
				stale = append(stale, s)
			}
			s.mu.Unlock()
		}
		ss.mu.Unlock()
		for _, s := range stale {
			srv.closeSession(s)
		}
	}
}

func (s *session) heartbeat(hb *pb.Heartbeat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastSeen, s.outbox = time.Now(), hb
}

func (s *session) stop(why string) {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.why = why
		s.mu.Unlock()
		close(s.done)
	})
}

func (s *session) reason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.why
}

// markOrphansDown runs on the leader: an agent the state says is
// connected, whose stream no controller holds (its node died with it), is
// marked disconnected. Heartbeat timers live with the streams, so only
// this sweep can notice a node that vanished without saying goodbye. It
// waits three heartbeat intervals after gaining leadership so agents have
// time to reconnect first.
func (s *Server) markOrphansDown() {
	defer s.wg.Done()
	interval := 3 * s.cfg.HeartbeatInterval
	t := time.NewTicker(interval)
	defer t.Stop()
	var leaderSince time.Time
	for {
		select {
		case <-s.node.Stopped():
			return
		case <-t.C:
		}
		if !s.node.IsLeader() {
			leaderSince = time.Time{}
			continue
		}
		if leaderSince.IsZero() {
			leaderSince = time.Now()
		}
		if time.Since(leaderSince) < interval {
			continue
		}
		s.sweepOrphans(interval)
	}
}

func (s *Server) sweepOrphans(timeout time.Duration) {
	type ref struct{ tenant, agent string }
	var up []ref
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		for _, t := range tx.Tenants() {
			tt, err := tx.Tenant(t)
			if err != nil {
				continue
			}
			_ = tt.ForEachAgent(func(a *pb.Agent) error {
				if a.GetConnected() {
					up = append(up, ref{t, a.GetId()})
				}
				return nil
			})
		}
		return nil
	})
	if len(up) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	held, ok := s.node.PeerSessions(ctx)
	if !ok {
		return
	}
	for _, k := range s.sessions.keys() {
		held[k] = true
	}
	for _, r := range up {
		if held[skey(r.tenant, r.agent)] {
			continue
		}
		s.log.Info("agent's stream is held by no controller: marking it disconnected", "tenant", r.tenant, "agent", r.agent)
		if err := s.markConnected(ctx, Principal{Tenant: r.tenant, ID: r.agent}, false, "", 0); err != nil {
			s.log.Warn("mark orphaned agent down", "agent", r.agent, "err", err)
		}
	}
}
