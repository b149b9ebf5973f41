package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/oidc"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Console sign-in sessions (controller/oidc) live in the replicated state:
// a browser signed in through one controller is signed in on every one,
// and signing out, or being disabled, ends the session on all of them.
// (The agents' stream sessions of agentsvc.go are another thing.)
//
// Writes go through raft: a sign-in, a sign-out, a touch at most once a
// minute per session (oidc.Handler rate-limits them) and the leader's
// periodic sweep of expired sessions. Reads are local, so authenticating
// a request by its cookie costs one bbolt lookup.

// sessionStore is a controller's oidc.SessionStore.
type sessionStore struct{ s *Server }

func storedSession(x oidc.Session) *pb.StoredSession {
	return &pb.StoredSession{Id: x.ID, Tenant: x.Tenant, UserId: x.UserID, Name: x.Name, Email: x.Email, Role: x.Role,
		Groups: slices.Clone(x.Groups), Method: x.Method, Issuer: x.Issuer, CreatedAt: timestamppb.New(x.CreatedAt),
		ExpiresAt: timestamppb.New(x.ExpiresAt), LastSeen: timestamppb.New(x.LastSeen), CsrfSecret: slices.Clone(x.CSRFSecret)}
}

func oidcSession(x *pb.StoredSession) oidc.Session {
	return oidc.Session{ID: x.GetId(), Tenant: x.GetTenant(), UserID: x.GetUserId(), Name: x.GetName(), Email: x.GetEmail(),
		Role: x.GetRole(), Groups: x.GetGroups(), Method: x.GetMethod(), Issuer: x.GetIssuer(), CreatedAt: x.GetCreatedAt().AsTime(),
		ExpiresAt: x.GetExpiresAt().AsTime(), LastSeen: x.GetLastSeen().AsTime(), CSRFSecret: x.GetCsrfSecret()}
}

// Create implements oidc.SessionStore. The state machine checks again
// that the user exists and is enabled in an enabled tenant.
func (st sessionStore) Create(ctx context.Context, x oidc.Session) error {
	_, err := st.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateSession{CreateSession: &pb.CreateSessionCommand{
		Session: storedSession(x)}}})
	if err != nil {
		return applyErr("create session", err)
	}
	signInFrom(ctx).done(x.Tenant, x.UserID)
	return nil
}

func (st sessionStore) read(id string) (*pb.StoredSession, error) {
	var x *pb.StoredSession
	err := st.s.node.FSM().Store().View(func(tx *state.Tx) error {
		var err error
		x, err = tx.Session(id)
		return err
	})
	return x, err
}

// Get implements oidc.SessionStore.
func (st sessionStore) Get(ctx context.Context, id string) (oidc.Session, error) {
	x, err := st.read(id)
	if errors.Is(err, state.ErrNotFound) && !st.s.node.IsLeader() {
		// A session signed in a moment ago through another controller may
		// not have reached this one yet: catch up with the leader once.
		bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_ = st.s.node.ReadBarrier(bctx)
		cancel()
		x, err = st.read(id)
	}
	if errors.Is(err, state.ErrNotFound) {
		return oidc.Session{}, oidc.ErrSessionNotFound
	}
	if err != nil {
		return oidc.Session{}, fmt.Errorf("read session: %w", err)
	}
	return oidcSession(x), nil
}

// Touch implements oidc.SessionStore.
func (st sessionStore) Touch(ctx context.Context, id string, lastSeen time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := st.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_TouchSession{TouchSession: &pb.TouchSessionCommand{
		Id: id, LastSeen: timestamppb.New(lastSeen)}}})
	if err != nil {
		return applyErr("touch session", err)
	}
	return nil
}

// Delete implements oidc.SessionStore, and answers once every reachable
// controller has applied it: a signed-out cookie is refused everywhere
// by the time the browser hears back.
func (st sessionStore) Delete(ctx context.Context, id string) error {
	_, err := st.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_DeleteSession{DeleteSession: &pb.DeleteSessionCommand{Id: id}}})
	if err != nil {
		return applyErr("delete session", err)
	}
	st.s.propagate(ctx, "end session")
	return nil
}

// sessionIdle is the configured idle timeout of console sessions.
func (s *Server) sessionIdle() time.Duration {
	if s.cfg.OIDC == nil {
		return 0
	}
	return s.cfg.OIDC.IdleTimeout
}

// sweepSessions, on the leader, proposes a sweep when some session has
// ended by its clock; a sweep with nothing to forget is never written.
func (s *Server) sweepSessions(ctx context.Context) error {
	if !s.node.IsLeader() {
		return nil
	}
	now, idle := time.Now(), s.sessionIdle()
	ended := false
	err := s.node.FSM().Store().View(func(tx *state.Tx) error {
		return tx.ForEachSession(func(x *pb.StoredSession) error {
			if fsm.SessionEnded(x, now, idle) {
				ended = true
				return errFound
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, errFound) {
		return fmt.Errorf("read sessions: %w", err)
	}
	if !ended {
		return nil
	}
	_, err = s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_SweepSessions{SweepSessions: &pb.SweepSessionsCommand{
		IdleTimeoutSeconds: int64(idle / time.Second)}}})
	if err != nil {
		return fmt.Errorf("sweep sessions: %w", err)
	}
	return nil
}

var errFound = errors.New("found")

// sessionSweepLoop sweeps every SessionSweepInterval until the node stops.
func (s *Server) sessionSweepLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.SessionSweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.node.Stopped():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		if err := s.sweepSessions(ctx); err != nil {
			s.log.Warn("expired console sessions not swept; retrying next interval", "err", err)
		}
		cancel()
	}
}
