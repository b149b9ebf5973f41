package fsm

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/audit"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

func auditEv(tenant, action, outcome string) *pb.AuditEvent {
	return &pb.AuditEvent{Tenant: tenant, Time: timestamppb.New(t0), Actor: &pb.AuditActor{Kind: "key", Id: "k1"},
		Action: action, ArgsJson: `{"id":"f1"}`, Remote: "127.0.0.1", Outcome: outcome}
}

func auditCmd(req string, evs ...*pb.AuditEvent) *pb.RaftCommand {
	c := cmdAt(0, req)
	c.Cmd = &pb.RaftCommand_Audit{Audit: &pb.AuditCommand{Events: evs}}
	return c
}

func (n *node) auditEntries(tenant string) []audit.Entry {
	n.t.Helper()
	var out []audit.Entry
	require.NoError(n.t, n.store.View(func(tx *state.Tx) error {
		l, err := auditLog(tx, tenant)
		require.NoError(n.t, err)
		return l.ForEach(0, func(seq uint64, raw []byte) (bool, error) {
			var e audit.Entry
			require.NoError(n.t, json.Unmarshal(raw, &e))
			assert.Equal(n.t, seq, e.Seq)
			out = append(out, e)
			return true, nil
		})
	}))
	return out
}

func TestAuditChains(t *testing.T) {
	n := newNode(t)
	res := n.result(auditCmd("r1", auditEv("acme", "/driftmgr.v1.FindingsService/GetFinding", "ok"),
		auditEv("globex", "/driftmgr.v1.FindingsService/GetFinding", "not_found"),
		auditEv("acme", "/driftmgr.v1.AgentsService/RevokeAgent", "permission_denied"),
		auditEv("", "/driftmgr.v1.FindingsService/ListFindings", "unauthenticated")))
	require.Empty(t, res.GetCode(), res.GetMessage())
	// A retried proposal (same request id) appends nothing twice.
	n.result(auditCmd("r1", auditEv("acme", "x", "ok")))
	n.result(auditCmd("r2", auditEv("acme", "/driftmgr.v1.FindingsService/ListFindings", "ok")))

	acme := n.auditEntries("acme")
	require.Len(t, acme, 3)
	assert.Equal(t, []uint64{1, 2, 3}, []uint64{acme[0].Seq, acme[1].Seq, acme[2].Seq})
	assert.Equal(t, "permission_denied", acme[1].Outcome)
	assert.Equal(t, acme[0].Hash, acme[1].PrevHash)
	require.NoError(t, audit.Verify(acme))
	require.Len(t, n.auditEntries("globex"), 1)
	platform := n.auditEntries(PlatformAuditTenant)
	require.Len(t, platform, 1)
	assert.Equal(t, PlatformAuditTenant, platform[0].Tenant)

	// The chain continues across a restart from what is stored.
	n.restart()
	n.result(auditCmd("r3", auditEv("acme", "/driftmgr.v1.FindingsService/ListScans", "ok")))
	acme = n.auditEntries("acme")
	require.Len(t, acme, 4)
	require.NoError(t, audit.Verify(acme))

	// Round trip through the wire form keeps the hash.
	ev := EventOf(acme[3])
	back := EntryOf(ev)
	assert.Equal(t, acme[3].ComputeHash(), back.ComputeHash())

	// A bad event is refused and nothing half-made is stored.
	bad := auditEv("acme", "", "ok")
	res = n.result(auditCmd("r4", bad))
	assert.Equal(t, "invalid_argument", res.GetCode())
	assert.Contains(t, res.GetMessage(), "action is required")
	res = n.result(auditCmd("r5", auditEv("Bad Tenant", "x", "ok")))
	assert.Equal(t, "invalid_argument", res.GetCode())
	assert.Len(t, n.auditEntries("acme"), 4)

}
