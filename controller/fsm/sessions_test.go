package fsm

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

func sessionID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// createSessionCmd signs user in at t0+d for ttl.
func createSessionCmd(token, tenant, user string, d, ttl time.Duration) *pb.RaftCommand {
	return tenancyCmd(d, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_CreateSession{CreateSession: &pb.CreateSessionCommand{Session: &pb.StoredSession{
			Id: sessionID(token), Tenant: tenant, UserId: user, Role: "operator", Method: "password",
			CreatedAt: ts(d), ExpiresAt: ts(d + ttl), LastSeen: ts(d), CsrfSecret: []byte("secret-" + token)}}}
	})
}

func touchSessionCmd(token string, d time.Duration) *pb.RaftCommand {
	return tenancyCmd(d, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_TouchSession{TouchSession: &pb.TouchSessionCommand{Id: sessionID(token), LastSeen: ts(d)}}
	})
}

func deleteSessionCmd(del *pb.DeleteSessionCommand) *pb.RaftCommand {
	return tenancyCmd(0, func(c *pb.RaftCommand) { c.Cmd = &pb.RaftCommand_DeleteSession{DeleteSession: del} })
}

func sweepCmd(d, idle time.Duration) *pb.RaftCommand {
	return tenancyCmd(d, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_SweepSessions{SweepSessions: &pb.SweepSessionsCommand{IdleTimeoutSeconds: int64(idle / time.Second)}}
	})
}

// sessions lists the node's sessions as tenant/user/token-hash prefix.
func (n *node) sessions() map[string]*pb.StoredSession {
	n.t.Helper()
	out := map[string]*pb.StoredSession{}
	require.NoError(n.t, n.store.View(func(tx *state.Tx) error {
		return tx.ForEachSession(func(s *pb.StoredSession) error { out[s.GetId()] = s; return nil })
	}))
	return out
}

func (n *node) hasSessions(t *testing.T, tokens ...string) {
	t.Helper()
	got := n.sessions()
	want := map[string]bool{}
	for _, tok := range tokens {
		want[sessionID(tok)] = true
		assert.Contains(t, got, sessionID(tok), "session %s", tok)
	}
	for id, s := range got {
		assert.True(t, want[id], "unexpected session of %s/%s", s.GetTenant(), s.GetUserId())
	}
}

func TestSessionCommandsEncode(t *testing.T) {
	for want, c := range map[CmdType]*pb.RaftCommand{
		CmdCreateSession: createSessionCmd("a", "acme", "usr-a", 0, time.Hour),
		CmdTouchSession:  touchSessionCmd("a", time.Minute),
		CmdDeleteSession: deleteSessionCmd(&pb.DeleteSessionCommand{Id: sessionID("a")}),
		CmdSweepSessions: sweepCmd(0, 0),
	} {
		data, err := Encode(c)
		require.NoError(t, err, want.String())
		assert.Equal(t, byte(want), data[0])
		got, dec, err := Decode(data)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.True(t, proto.Equal(c, dec))
		assert.NotContains(t, want.String(), "unknown")
		_, clash := tenancyNames[want]
		assert.False(t, clash, "%d is also a tenancy command", want)
	}
}

func TestSessionCreateChecksTheUser(t *testing.T) {
	n := newNode(t)
	n.result(createTenantCmd("acme"))
	n.result(createUserCmd("acme", "usr-a", "alice", "local"))
	n.result(createUserCmd("acme", "usr-d", "dave", "local"))
	n.result(updateUserCmd("acme", "usr-d", 0, func(u *pb.UpdateUserCommand) { u.Disabled = proto.Bool(true) }))

	assert.Empty(t, n.result(createSessionCmd("a1", "acme", "usr-a", 0, time.Hour)).GetCode())
	for _, tc := range []struct {
		name string
		cmd  *pb.RaftCommand
		code string
		msg  string
	}{
		{"the same id twice", createSessionCmd("a1", "acme", "usr-a", 0, time.Hour), "already_exists", "session exists"},
		{"an unknown user", createSessionCmd("x", "acme", "usr-nobody", 0, time.Hour), "not_found", "user usr-nobody not found"},
		{"a disabled user", createSessionCmd("d1", "acme", "usr-d", 0, time.Hour), "failed_precondition", "user dave is disabled"},
		{"an unknown tenant", createSessionCmd("g1", "globex", "usr-a", 0, time.Hour), "not_found", "tenant globex not found"},
		{"a bad tenant id", createSessionCmd("g2", "Not A Tenant", "usr-a", 0, time.Hour), "not_found", "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := n.result(tc.cmd)
			assert.Equal(t, tc.code, r.GetCode())
			assert.Contains(t, r.GetMessage(), tc.msg)
		})
	}
	// Refusing a session in an unknown tenant did not make the tenant.
	require.NoError(t, n.store.View(func(tx *state.Tx) error {
		assert.False(t, tx.TenantKnown("globex"))
		return nil
	}))
	n.hasSessions(t, "a1")

	n.result(updateTenantCmd("acme", func(u *pb.UpdateTenantCommand) { u.Disabled = proto.Bool(true) }))
	r := n.result(createSessionCmd("a2", "acme", "usr-a", 0, time.Hour))
	assert.Equal(t, "failed_precondition", r.GetCode())
	assert.Contains(t, r.GetMessage(), "tenant acme is disabled")
}

func updateTenantCmd(id string, edit func(*pb.UpdateTenantCommand)) *pb.RaftCommand {
	u := &pb.UpdateTenantCommand{Id: id}
	edit(u)
	return tenancyCmd(0, func(c *pb.RaftCommand) { c.Cmd = &pb.RaftCommand_UpdateTenant{UpdateTenant: u} })
}

func TestSessionTouchDeleteSweep(t *testing.T) {
	n := newNode(t)
	n.result(createTenantCmd("acme"))
	n.result(createUserCmd("acme", "usr-a", "alice", "local"))
	n.result(createUserCmd("acme", "usr-b", "bob", "local"))
	n.result(createSessionCmd("a1", "acme", "usr-a", 0, time.Hour))
	n.result(createSessionCmd("a2", "acme", "usr-a", 0, 2*time.Hour))
	n.result(createSessionCmd("b1", "acme", "usr-b", 0, 2*time.Hour))

	// Touches move forward only: two controllers' touches interleave.
	n.result(touchSessionCmd("a2", 20*time.Minute))
	n.result(touchSessionCmd("a2", 10*time.Minute))
	n.result(touchSessionCmd("a1", 25*time.Minute))
	assert.Equal(t, t0.Add(20*time.Minute), n.sessions()[sessionID("a2")].GetLastSeen().AsTime())
	// A touch of a session ended meanwhile does not bring it back.
	assert.Empty(t, n.result(touchSessionCmd("gone", time.Minute)).GetCode())
	n.hasSessions(t, "a1", "a2", "b1")

	// Nothing has expired yet; with an idle timeout of 30 minutes, at
	// +45m b1 (last seen at 0) idles out, a1 and a2 (seen since) do not.
	n.result(sweepCmd(30*time.Minute, 0))
	n.hasSessions(t, "a1", "a2", "b1")
	n.result(sweepCmd(45*time.Minute, 30*time.Minute))
	n.hasSessions(t, "a1", "a2")
	// At +1h a1's lifetime is over, whatever the idle timeout.
	n.result(sweepCmd(time.Hour, 0))
	n.hasSessions(t, "a2")
	assert.False(t, SessionEnded(n.sessions()[sessionID("a2")], t0.Add(time.Hour), 0))

	n.result(deleteSessionCmd(&pb.DeleteSessionCommand{Id: sessionID("a2")}))
	n.hasSessions(t)
	// Deleting an unknown session is no error (signing out twice).
	assert.Empty(t, n.result(deleteSessionCmd(&pb.DeleteSessionCommand{Id: sessionID("a2")})).GetCode())
	assert.Equal(t, "invalid_argument", n.result(deleteSessionCmd(&pb.DeleteSessionCommand{})).GetCode())

	// A user's sessions, then a tenant's.
	n.result(createTenantCmd("globex"))
	n.result(createUserCmd("globex", "usr-g", "gina", "local"))
	n.result(createSessionCmd("a3", "acme", "usr-a", 0, 2*time.Hour))
	n.result(createSessionCmd("a4", "acme", "usr-a", 0, 2*time.Hour))
	n.result(createSessionCmd("b2", "acme", "usr-b", 0, 2*time.Hour))
	n.result(createSessionCmd("g1", "globex", "usr-g", 0, 2*time.Hour))
	n.result(deleteSessionCmd(&pb.DeleteSessionCommand{Tenant: "acme", UserId: "usr-a"}))
	n.hasSessions(t, "b2", "g1")
	n.result(deleteSessionCmd(&pb.DeleteSessionCommand{Tenant: "acme"}))
	n.hasSessions(t, "g1")
}

// TestSessionsEndWithTheirUserOrTenant: disabling or deleting a user, or
// disabling a tenant, ends the sessions in the same entry; enabling again
// does not bring them back.
func TestSessionsEndWithTheirUserOrTenant(t *testing.T) {
	n := newNode(t)
	for _, tn := range []string{"acme", "globex"} {
		n.result(createTenantCmd(tn))
	}
	n.result(createUserCmd("acme", "usr-a", "alice", "local"))
	n.result(createUserCmd("acme", "usr-b", "bob", "local"))
	n.result(createUserCmd("globex", "usr-g", "gina", "local"))
	for _, s := range [][3]string{{"a1", "acme", "usr-a"}, {"a2", "acme", "usr-a"}, {"b1", "acme", "usr-b"}, {"g1", "globex", "usr-g"}} {
		n.result(createSessionCmd(s[0], s[1], s[2], 0, time.Hour))
	}
	disable := func(on bool) func(*pb.UpdateUserCommand) {
		return func(u *pb.UpdateUserCommand) { u.Disabled = proto.Bool(on) }
	}

	// A role change leaves sessions alone: authentication caps them.
	n.result(updateUserCmd("acme", "usr-a", 0, func(u *pb.UpdateUserCommand) { u.Role = proto.String("viewer") }))
	n.hasSessions(t, "a1", "a2", "b1", "g1")

	n.result(updateUserCmd("acme", "usr-a", 0, disable(true)))
	n.hasSessions(t, "b1", "g1")
	n.result(updateUserCmd("acme", "usr-a", 0, disable(false)))
	n.hasSessions(t, "b1", "g1")

	// A new password ends the user's sessions in the same entry, but for
	// the one that made the change.
	n.result(createSessionCmd("a5", "acme", "usr-a", 0, time.Hour))
	n.result(createSessionCmd("a6", "acme", "usr-a", 0, time.Hour))
	n.result(updateUserCmd("acme", "usr-a", 0, func(u *pb.UpdateUserCommand) {
		u.PasswordHash, u.KeepSession = proto.String("$argon2id$new"), sessionID("a6")
	}))
	n.hasSessions(t, "a6", "b1", "g1")
	n.result(updateUserCmd("acme", "usr-a", 0, func(u *pb.UpdateUserCommand) { u.PasswordHash = proto.String("$argon2id$newer") }))
	n.hasSessions(t, "b1", "g1")

	n.result(createSessionCmd("b2", "acme", "usr-b", 0, time.Hour))
	n.result(tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_DeleteUser{DeleteUser: &pb.DeleteUserCommand{Tenant: "acme", Id: "usr-b"}}
	}))
	n.hasSessions(t, "g1")

	n.result(createSessionCmd("a3", "acme", "usr-a", 0, time.Hour))
	n.result(updateTenantCmd("acme", func(u *pb.UpdateTenantCommand) { u.Disabled = proto.Bool(true) }))
	n.hasSessions(t, "g1")
	n.result(updateTenantCmd("acme", func(u *pb.UpdateTenantCommand) { u.Disabled = proto.Bool(false) }))
	n.hasSessions(t, "g1")
}

// TestSessionsSurviveRestartAndReplay: sessions are in the state file; a
// restarted node that is fed its log again (raft replays entries past the
// snapshot) does not apply them twice, and a fresh node applying the same
// log ends with the same sessions.
func TestSessionsSurviveRestartAndReplay(t *testing.T) {
	n := newNode(t)
	n.result(createTenantCmd("acme"))
	n.result(createUserCmd("acme", "usr-a", "alice", "local"))
	n.result(createSessionCmd("a1", "acme", "usr-a", 0, time.Hour))
	n.result(createSessionCmd("a2", "acme", "usr-a", 0, 2*time.Hour))
	n.result(touchSessionCmd("a2", 30*time.Minute))
	n.result(createSessionCmd("a3", "acme", "usr-a", 0, 2*time.Hour))
	n.result(deleteSessionCmd(&pb.DeleteSessionCommand{Id: sessionID("a3")}))
	n.result(sweepCmd(time.Hour, 0))
	want := n.sessions()
	n.hasSessions(t, "a2")

	n.restart()
	for _, l := range n.logs {
		n.fsm.Apply(l)
	}
	got := n.sessions()
	require.Len(t, got, len(want))
	for id, s := range want {
		assert.True(t, proto.Equal(s, got[id]), "session %s after restart and replay", id)
	}
	assert.Equal(t, t0.Add(30*time.Minute), got[sessionID("a2")].GetLastSeen().AsTime())

	fresh := newNode(t)
	for _, l := range n.logs {
		fresh.fsm.Apply(l)
	}
	got = fresh.sessions()
	require.Len(t, got, len(want))
	for id, s := range want {
		assert.True(t, proto.Equal(s, got[id]), "session %s on a fresh node", id)
	}
}
