package fsm

import (
	"time"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Command types of console sign-in sessions (in the tenancy and access
// range, 20-49).
const (
	CmdCreateSession CmdType = 34
	CmdTouchSession  CmdType = 35
	CmdDeleteSession CmdType = 36
	CmdSweepSessions CmdType = 37
)

var sessionNames = map[CmdType]string{
	CmdCreateSession: "create_session", CmdTouchSession: "touch_session",
	CmdDeleteSession: "delete_session", CmdSweepSessions: "sweep_sessions",
}

// sessionTypeOf is typeOf for the session commands.
func sessionTypeOf(c *pb.RaftCommand) (CmdType, bool) {
	switch c.GetCmd().(type) {
	case *pb.RaftCommand_CreateSession:
		return CmdCreateSession, true
	case *pb.RaftCommand_TouchSession:
		return CmdTouchSession, true
	case *pb.RaftCommand_DeleteSession:
		return CmdDeleteSession, true
	case *pb.RaftCommand_SweepSessions:
		return CmdSweepSessions, true
	}
	return 0, false
}

// applySession applies a session command; nil for other types.
func applySession(tx *state.Tx, at time.Time, t CmdType, c *pb.RaftCommand) *pb.ApplyResult {
	switch t {
	case CmdCreateSession:
		return applyCreateSession(tx, c.GetCreateSession())
	case CmdTouchSession:
		return applyTouchSession(tx, c.GetTouchSession())
	case CmdDeleteSession:
		return applyDeleteSession(tx, c.GetDeleteSession())
	case CmdSweepSessions:
		return applySweepSessions(tx, at, c.GetSweepSessions())
	}
	return nil
}

// applyCreateSession stores a session for an enabled user of an enabled
// tenant. The sign-in checked both before proposing; checking again here
// closes the race with a disable applied in between, which would
// otherwise leave a session its own disable never ended.
func applyCreateSession(tx *state.Tx, c *pb.CreateSessionCommand) *pb.ApplyResult {
	s := c.GetSession()
	if state.ValidTenant(s.GetTenant()) != nil || !tx.TenantKnown(s.GetTenant()) {
		return fail("not_found", "tenant "+s.GetTenant()+" not found")
	}
	if tx.TenantDisabled(s.GetTenant()) {
		return fail("failed_precondition", "tenant "+s.GetTenant()+" is disabled")
	}
	tt, err := tx.Tenant(s.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error())
	}
	u, err := tt.User(s.GetUserId())
	if err != nil {
		return fail("not_found", "user "+s.GetUserId()+" not found in tenant "+s.GetTenant())
	}
	if u.GetUser().GetDisabled() {
		return fail("failed_precondition", "user "+u.GetUser().GetUsername()+" is disabled")
	}
	if _, err := tx.Session(s.GetId()); err == nil {
		return fail("already_exists", "session exists")
	}
	if err := tx.PutSession(s); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{}
}

// applyTouchSession moves a session's last use forward, never back:
// touches proposed by different controllers interleave. A session ended
// meanwhile stays ended.
func applyTouchSession(tx *state.Tx, c *pb.TouchSessionCommand) *pb.ApplyResult {
	s, err := tx.Session(c.GetId())
	if err != nil {
		return &pb.ApplyResult{}
	}
	if s.GetLastSeen() != nil && !c.GetLastSeen().AsTime().After(s.GetLastSeen().AsTime()) {
		return &pb.ApplyResult{}
	}
	s.LastSeen = c.GetLastSeen()
	if err := tx.PutSession(s); err != nil {
		return fail("internal", err.Error())
	}
	return &pb.ApplyResult{}
}

func applyDeleteSession(tx *state.Tx, c *pb.DeleteSessionCommand) *pb.ApplyResult {
	var err error
	switch {
	case c.GetId() != "":
		_, err = tx.DeleteSession(c.GetId())
	case c.GetTenant() != "":
		_, err = tx.DeleteUserSessions(c.GetTenant(), c.GetUserId(), "")
	default:
		return fail("invalid_argument", "delete session: name a session id, or a tenant (and user)")
	}
	if err != nil {
		return fail("internal", err.Error())
	}
	return &pb.ApplyResult{}
}

// applySweepSessions forgets sessions expired at the leader's time, and
// those idle for longer than the idle timeout when one is set. Every node
// sweeps the same, whatever its own clock says.
func applySweepSessions(tx *state.Tx, at time.Time, c *pb.SweepSessionsCommand) *pb.ApplyResult {
	idle := time.Duration(c.GetIdleTimeoutSeconds()) * time.Second
	if _, err := tx.DeleteSessions(func(s *pb.StoredSession) bool { return SessionEnded(s, at, idle) }); err != nil {
		return fail("internal", err.Error())
	}
	return &pb.ApplyResult{}
}

// SessionEnded reports whether a session is past its expiry at now, or
// unused for idle (when idle is positive). The leader asks it before
// proposing a sweep, so a sweep with nothing to do is never written.
func SessionEnded(s *pb.StoredSession, now time.Time, idle time.Duration) bool {
	if !now.Before(s.GetExpiresAt().AsTime()) {
		return true
	}
	return idle > 0 && s.GetLastSeen() != nil && now.Sub(s.GetLastSeen().AsTime()) >= idle
}

// endSessions ends a user's sessions (or a whole tenant's, user empty)
// but for the session keep (empty: none) when the user or tenant is
// deleted or disabled, or the password changes, in the same transaction,
// so re-enabling does not bring them back.
func endSessions(tx *state.Tx, tenant, user, keep string) *pb.ApplyResult {
	if _, err := tx.DeleteUserSessions(tenant, user, keep); err != nil {
		return fail("internal", err.Error())
	}
	return nil
}
