package fsm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

func TestEnroll(t *testing.T) {
	tests := []struct {
		name     string
		maxUses  int32
		pre      []string // agents enrolled with the token first
		tenant   string
		token    string
		agent    string
		at       time.Duration
		code     string
		msg      string
		wantUses int32
	}{
		{name: "enrolls", maxUses: 2, agent: "ag1", at: 10 * time.Minute, wantUses: 1},
		{name: "last instant before expiry", maxUses: 1, agent: "ag1", at: time.Hour - time.Nanosecond, wantUses: 1},
		{name: "second use", maxUses: 2, pre: []string{"ag0"}, agent: "ag1", wantUses: 2},
		{name: "unknown token", maxUses: 1, token: "nope", agent: "ag1", code: "not_found", msg: "unknown"},
		{name: "token of another tenant", maxUses: 1, tenant: "other", agent: "ag1", code: "not_found", msg: "unknown"},
		{name: "expires at the command time", maxUses: 1, agent: "ag1", at: time.Hour, code: "failed_precondition", msg: "expired"},
		{name: "expired", maxUses: 1, agent: "ag1", at: 2 * time.Hour, code: "failed_precondition", msg: "expired"},
		{name: "used up", maxUses: 1, pre: []string{"ag0"}, agent: "ag1", code: "failed_precondition", msg: "used up", wantUses: 1},
		{name: "no uses", maxUses: 0, agent: "ag1", code: "failed_precondition", msg: "used up"},
		{name: "agent exists", maxUses: 3, pre: []string{"ag1"}, agent: "ag1", code: "already_exists", msg: "agent ag1 exists", wantUses: 1},
		{name: "invalid tenant", maxUses: 1, tenant: "Bad Tenant", agent: "ag1", code: "invalid_argument", msg: "tenant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t)
			require.Empty(t, n.result(createToken("acme", "tok", time.Hour, tc.maxUses)).GetCode())
			require.Empty(t, n.result(createToken("other", "tok-other", time.Hour, 5)).GetCode())
			for _, a := range tc.pre {
				require.Empty(t, n.result(enrollCmd("acme", "tok", a, 0)).GetCode())
			}
			n.takeChanges()
			tenant, token := orDefault(tc.tenant, "acme"), orDefault(tc.token, "tok")
			if tc.name == "token of another tenant" {
				tenant, token = "acme", "tok-other"
			}
			r := n.result(enrollCmd(tenant, token, tc.agent, tc.at))
			assert.Equal(t, tc.code, r.GetCode(), r.GetMessage())
			assert.Contains(t, r.GetMessage(), tc.msg)

			var tok *pb.StoredJoinToken
			require.NoError(t, n.store.View(func(tx *state.Tx) error {
				tt, _ := tx.Tenant("acme")
				var err error
				tok, err = tt.JoinToken("tok")
				return err
			}))
			assert.Equal(t, tc.wantUses, tok.GetToken().GetUses(), "uses")

			ch := n.takeChanges()
			if tc.code != "" {
				assert.Empty(t, ch)
				if tc.code != "already_exists" {
					_, err := agentErr(n, "acme", tc.agent)
					assert.ErrorIs(t, err, state.ErrNotFound)
				}
				return
			}
			a := n.agent("acme", tc.agent)
			assert.Equal(t, "acme", a.GetTenant())
			assert.True(t, proto.Equal(ts(tc.at), a.GetEnrolledAt()), "enrolled at the command's time")
			require.Len(t, ch, 1)
			assert.Equal(t, []string{"acme/" + tc.agent}, agentIDs(ch[0].Agents))
			require.NoError(t, n.store.View(func(tx *state.Tx) error {
				o, ok := tx.Serial("serial-" + tc.agent)
				assert.True(t, ok)
				assert.Equal(t, state.SerialOwner{Tenant: "acme", Agent: tc.agent}, o)
				return nil
			}))
		})
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func agentErr(n *node, tenant, id string) (*pb.Agent, error) {
	var a *pb.Agent
	err := n.store.View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		a, err = tt.Agent(id)
		return err
	})
	return a, err
}

func TestAgentCommandsAndListenerOrder(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.enroll("acme", "ag2")
	n.enroll("other", "ag3")
	n.takeChanges()
	var second []uint64
	n.fsm.OnChange(func(c Change) { second = append(second, c.Index) })

	steps := []struct {
		name   string
		cmd    *pb.RaftCommand
		code   string
		change string // tenant/agent in the change, if any
	}{
		{"connected", statusCmd("acme", "ag1", true, "1.2.3", 4, 5*time.Minute), "", "acme/ag1"},
		{"disconnected keeps version and epoch", statusCmd("acme", "ag1", false, "", 0, 6*time.Minute), "", "acme/ag1"},
		{"status of unknown agent", statusCmd("acme", "ghost", true, "", 0, 0), "not_found", ""},
		{"status of another tenant's agent", statusCmd("acme", "ag3", true, "", 0, 0), "not_found", ""},
		{"status with invalid tenant", statusCmd("", "ag1", true, "", 0, 0), "invalid_argument", ""},
		{"renew", renewCmd("acme", "ag1", "serial-2", 48*time.Hour), "", "acme/ag1"},
		{"renew unknown", renewCmd("acme", "ghost", "serial-x", time.Hour), "not_found", ""},
		{"renew with invalid tenant", renewCmd("A", "ag1", "serial-x", time.Hour), "invalid_argument", ""},
		{"revoke", revokeCmd("acme", "ag1"), "", "acme/ag1"},
		{"renew revoked", renewCmd("acme", "ag1", "serial-3", 72*time.Hour), "failed_precondition", ""},
		{"revoke unknown", revokeCmd("acme", "ghost"), "not_found", ""},
		{"revoke another tenant's agent", revokeCmd("other", "ag1"), "not_found", ""},
		{"revoke with invalid tenant", revokeCmd("-x", "ag1"), "invalid_argument", ""},
		{"other tenant connected", statusCmd("other", "ag3", true, "2.0.0", 1, 7*time.Minute), "", "other/ag3"},
		{"ag2 connected", statusCmd("acme", "ag2", true, "", 0, 8*time.Minute), "", "acme/ag2"},
	}
	var wantChanges []string
	var wantIndexes []uint64
	for _, s := range steps {
		r := n.result(s.cmd)
		assert.Equal(t, s.code, r.GetCode(), "%s: %s", s.name, r.GetMessage())
		if s.change != "" {
			wantChanges = append(wantChanges, s.change)
			wantIndexes = append(wantIndexes, n.index)
		}
	}
	ch := n.takeChanges()
	var got []string
	var gotIndexes []uint64
	for _, c := range ch {
		require.Len(t, c.Agents, 1)
		assert.Equal(t, c.Tenant, c.Agents[0].GetTenant())
		got = append(got, agentIDs(c.Agents)...)
		gotIndexes = append(gotIndexes, c.Index)
	}
	assert.Equal(t, wantChanges, got, "changes in log order")
	assert.Equal(t, wantIndexes, gotIndexes)
	assert.Equal(t, wantIndexes, second, "every listener sees the same changes in the same order")

	a1 := n.agent("acme", "ag1")
	assert.True(t, a1.GetRevoked())
	assert.False(t, a1.GetConnected())
	assert.Equal(t, "1.2.3", a1.GetVersion())
	assert.Equal(t, uint64(4), a1.GetBootEpoch())
	assert.True(t, proto.Equal(ts(6*time.Minute), a1.GetLastSeen()))
	assert.Equal(t, "serial-2", a1.GetCertSerial())
	assert.True(t, proto.Equal(ts(48*time.Hour), a1.GetCertNotAfter()))
	a3 := n.agent("other", "ag3")
	assert.True(t, a3.GetConnected())
	assert.False(t, a3.GetRevoked())
	assert.Equal(t, "2.0.0", a3.GetVersion())
	require.NoError(t, n.store.View(func(tx *state.Tx) error {
		o, ok := tx.Serial("serial-2")
		require.True(t, ok)
		assert.Equal(t, state.SerialOwner{Tenant: "acme", Agent: "ag1", Revoked: true}, o)
		_, ok = tx.Serial("serial-3")
		assert.False(t, ok, "a refused renewal records no serial")
		o, _ = tx.Serial("serial-ag3")
		assert.False(t, o.Revoked)
		return nil
	}))
}

func TestAckFinding(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.enroll("other", "ag2")
	n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1"), findingRec("f2")), batch(t, "other", "ag2", 1, 1, findingRec("g1")))
	n.ingest(batch(t, "acme", "ag1", 1, 2, resolvedRec("f2", 0)))
	n.takeChanges()

	r := n.result(ackCmd("acme", "f1", "alice", "known"))
	require.Empty(t, r.GetCode())
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED, r.GetFinding().GetStatus())
	assert.Equal(t, "alice", r.GetFinding().GetAcknowledgedBy())
	assert.Equal(t, "known", r.GetFinding().GetAckNote())
	assert.Equal(t, n.index, r.GetFinding().GetRevision())
	ch := n.takeChanges()
	require.Len(t, ch, 1)
	assert.Equal(t, "acme", ch[0].Tenant)
	assert.Equal(t, []string{"f1"}, ids(ch[0].Findings))
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED, mustView(t, n, "acme", "f1").GetStatus())
	assert.Equal(t, int64(1), n.fsm.View().Counts("acme").GetAcknowledged())

	for _, tc := range []struct {
		name, tenant, id, code string
	}{
		{"unknown finding", "acme", "nope", "not_found"},
		{"another tenant's finding", "acme", "g1", "not_found"},
		{"resolved finding", "acme", "f2", "failed_precondition"},
		{"invalid tenant", "", "f1", "invalid_argument"},
	} {
		r := n.result(ackCmd(tc.tenant, tc.id, "bob", ""))
		assert.Equal(t, tc.code, r.GetCode(), tc.name)
		assert.Nil(t, r.GetFinding(), tc.name)
	}
	assert.Empty(t, n.takeChanges())
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, n.finding("other", "g1").GetStatus())
}

func TestJoinTokenAndAPIKeyCommands(t *testing.T) {
	n := newNode(t)
	assert.Empty(t, n.result(createToken("acme", "t1", time.Hour, 1)).GetCode())
	assert.Equal(t, "invalid_argument", n.result(createToken("", "t2", time.Hour, 1)).GetCode())
	assert.Empty(t, n.result(deleteTokenCmd("acme", "t1")).GetCode())
	r := n.result(deleteTokenCmd("acme", "t1"))
	assert.Equal(t, "not_found", r.GetCode())
	assert.Contains(t, r.GetMessage(), "t1")
	assert.Equal(t, "invalid_argument", n.result(deleteTokenCmd("UPPER", "t1")).GetCode())
	assert.Equal(t, "not_found", n.result(enrollCmd("acme", "t1", "ag1", 0)).GetCode(), "a deleted token cannot enroll")

	assert.Empty(t, n.result(apiKeyCmd("acme", "k1")).GetCode())
	assert.Equal(t, "invalid_argument", n.result(apiKeyCmd("no/slash", "k2")).GetCode())
	require.NoError(t, n.store.View(func(tx *state.Tx) error {
		k, err := tx.APIKey("k1")
		require.NoError(t, err)
		assert.Equal(t, "acme", k.GetTenant())
		_, err = tx.APIKey("k2")
		assert.ErrorIs(t, err, state.ErrNotFound)
		return nil
	}))
	assert.Empty(t, n.takeChanges(), "tokens and keys are not findings or agents")
}

func TestRequestIDAppliesOnce(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1")))

	// CreateJoinToken retried after the token was used: the retry must not
	// reset its uses.
	create := createToken("acme", "tok", time.Hour, 1)
	create.RequestId = "req-create"
	first := n.result(create)
	require.Empty(t, first.GetCode())
	require.Empty(t, n.result(enrollCmd("acme", "tok", "ag2", 0)).GetCode())
	again := n.result(create)
	assert.True(t, proto.Equal(first, again))
	assert.Equal(t, "failed_precondition", n.result(enrollCmd("acme", "tok", "ag3", 0)).GetCode(),
		"the token is still used up: the retry did not apply")

	// AckFinding retried: the first result, no second change.
	n.takeChanges()
	ack := ackCmd("acme", "f1", "alice", "first")
	ack.RequestId = "req-ack"
	first = n.result(ack)
	firstIndex := n.index
	require.Empty(t, first.GetCode())
	retry := proto.Clone(ack).(*pb.RaftCommand)
	retry.GetAckFinding().Note = "second"
	again = n.result(retry)
	assert.True(t, proto.Equal(first, again), "the retry returns the first result")
	assert.Equal(t, firstIndex, again.GetFinding().GetRevision())
	f := n.finding("acme", "f1")
	assert.Equal(t, firstIndex, f.GetRevision())
	assert.Equal(t, "first", f.GetAckNote())
	assert.Len(t, n.takeChanges(), 1)

	// Twice in one batch: the same.
	ack2 := ackCmd("acme", "f1", "bob", "batch")
	ack2.RequestId = "req-ack-2"
	res := n.applyBatch(ack2, ack2)
	require.Len(t, res, 2)
	assert.True(t, proto.Equal(res[0].(*pb.ApplyResult), res[1].(*pb.ApplyResult)))
	assert.Len(t, n.takeChanges(), 1)

	// A refusal is a result too: its retry is refused the same way.
	missing := ackCmd("acme", "f9", "alice", "")
	missing.RequestId = "req-missing"
	assert.Equal(t, "not_found", n.result(missing).GetCode())
	n.ingest(batch(t, "acme", "ag1", 1, 2, findingRec("f9")))
	assert.Equal(t, "not_found", n.result(missing).GetCode())
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, n.finding("acme", "f9").GetStatus())

	// Ingest is deduplicated by sequence, not request ID.
	in1 := ingestCmd(batch(t, "acme", "ag1", 1, 3, findingRec("f3")))
	in1.RequestId = "req-ingest"
	in2 := ingestCmd(batch(t, "acme", "ag1", 1, 4, findingRec("f4")))
	in2.RequestId = "req-ingest"
	for _, c := range []*pb.RaftCommand{in1, in2} {
		r := n.apply(c).(*pb.IngestResult)
		assert.Equal(t, "applied", r.GetOutcomes()[0].GetStatus())
	}
}

func TestAppliedIndexSkipsReplay(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1"), findingRec("f2")))
	n.applyBatch(
		statusCmd("acme", "ag1", true, "1.0.0", 1, time.Minute),
		ackCmd("acme", "f1", "alice", ""),
		ingestCmd(batch(t, "acme", "ag1", 1, 2, findingRec("f3"))),
	)
	n.apply(statusCmd("acme", "ag1", false, "", 0, 2*time.Minute))
	last := n.index
	assert.Equal(t, last, n.fsm.AppliedIndex())
	assert.Equal(t, last, n.fsm.View().Revision())
	before := dump(t, n.store)
	beforeList := listAll(t, n.fsm.View(), "acme")
	n.takeChanges()

	// raft replays the log after a restart in batches of its own choosing;
	// every entry already in the state is skipped, whatever the batching.
	replay := func() {
		for _, chunk := range [][]*raft.Log{n.logs[:2], n.logs[2:5], n.logs[5:]} {
			for _, r := range n.fsm.ApplyBatch(chunk) {
				assert.Equal(t, alreadyApplied{}, r)
			}
			assert.Equal(t, last, n.fsm.AppliedIndex(), "the applied index never goes back")
		}
	}
	replay()
	assert.Empty(t, n.takeChanges())
	assert.Equal(t, before, dump(t, n.store))

	// Entries that are not commands advance the index and change nothing.
	res := n.fsm.ApplyBatch([]*raft.Log{
		{Index: last + 1, Type: raft.LogNoop},
		{Index: last + 2, Type: raft.LogConfiguration, Data: []byte("cfg")},
	})
	assert.Equal(t, []any{nil, nil}, res)
	// An undecodable command is skipped the same way on every node.
	r := n.fsm.Apply(&raft.Log{Index: last + 3, Type: raft.LogCommand, Data: []byte{byte(CmdAckFinding), 0xff}})
	assert.Equal(t, "invalid_argument", r.(*pb.ApplyResult).GetCode())
	last += 3
	n.index = last
	assert.Equal(t, last, n.fsm.AppliedIndex())
	assert.Empty(t, n.takeChanges())

	// A restarted node rebuilds the same view from the file.
	n.restart()
	assert.Equal(t, last, n.fsm.AppliedIndex())
	assert.Equal(t, last, n.fsm.View().Revision())
	assertSameFindings(t, beforeList, listAll(t, n.fsm.View(), "acme"))
	assert.True(t, proto.Equal(countsOf(beforeList), n.fsm.View().Counts("acme")))
	replay()
	assert.Empty(t, n.takeChanges())

	// And goes on from there.
	out := n.ingest(batch(t, "acme", "ag1", 1, 3, findingRec("f4")))
	assert.Equal(t, "applied", out[0].GetStatus())
	assert.Equal(t, n.index, n.fsm.AppliedIndex())
}

func countsOf(fs []*pb.Finding) *pb.FindingCounts {
	v := newView()
	v.apply(Change{Findings: fs})
	var tenant string
	if len(fs) > 0 {
		tenant = fs[0].GetTenant()
	}
	return v.Counts(tenant)
}

func TestSnapshotRestore(t *testing.T) {
	a := newNode(t)
	a.enroll("acme", "ag1")
	a.enroll("other", "ag2")
	a.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1"), findingRec("f2"), scanDoneRec("s1", false, time.Minute)),
		batch(t, "other", "ag2", 1, 1, findingRec("g1")))
	a.result(ackCmd("acme", "f1", "alice", "ok"))
	a.result(apiKeyCmd("acme", "k1"))
	a.result(revokeCmd("other", "ag2"))

	snapIndex := a.index
	snap, err := a.fsm.Snapshot()
	require.NoError(t, err)
	// Applies go on while the snapshot is written.
	a.ingest(batch(t, "acme", "ag1", 1, 2, resolvedRec("f2", time.Hour)))

	store, err := raft.NewFileSnapshotStore(t.TempDir(), 2, io.Discard)
	require.NoError(t, err)
	sink, err := store.Create(raft.SnapshotVersionMax, snapIndex, 1, raft.Configuration{}, 1, nil)
	require.NoError(t, err)
	require.NoError(t, snap.Persist(sink))
	snap.Release()

	metas, err := store.List()
	require.NoError(t, err)
	require.Len(t, metas, 1)
	_, rc, err := store.Open(metas[0].ID)
	require.NoError(t, err)

	b := newNode(t)
	b.enroll("zzz", "old") // replaced entirely
	b.takeChanges()
	require.NoError(t, b.fsm.Restore(rc))
	assert.Equal(t, dump(t, a.store), dump(t, b.store))
	assert.Equal(t, a.fsm.AppliedIndex(), b.fsm.AppliedIndex())
	assert.Equal(t, a.fsm.View().Revision(), b.fsm.View().Revision())
	for _, tenant := range []string{"acme", "other", "zzz"} {
		assertSameFindings(t, listAll(t, a.fsm.View(), tenant), listAll(t, b.fsm.View(), tenant))
		assert.True(t, proto.Equal(a.fsm.View().Counts(tenant), b.fsm.View().Counts(tenant)))
	}
	_, ok := b.fsm.View().Finding("zzz", "anything")
	assert.False(t, ok)
	assert.Empty(t, b.takeChanges(), "a restore is not a change")

	// raft replays the entries after the snapshot's index: those the
	// snapshot already holds are skipped, the rest apply as on the leader.
	a.apply(statusCmd("acme", "ag1", true, "9", 0, time.Hour))
	for _, r := range b.fsm.ApplyBatch(a.logs[snapIndex-1 : len(a.logs)-1]) {
		assert.Equal(t, alreadyApplied{}, r)
	}
	b.fsm.Apply(a.logs[len(a.logs)-1])
	assert.Equal(t, dump(t, a.store), dump(t, b.store))
	ch := b.takeChanges()
	require.Len(t, ch, 1)
	assert.Equal(t, a.index, ch[0].Index)
}

type failingSink struct {
	bytes.Buffer
	cancelled bool
}

func (s *failingSink) Write([]byte) (int, error) { return 0, errors.New("disk full") }
func (s *failingSink) Close() error              { return nil }
func (s *failingSink) ID() string                { return "failing" }
func (s *failingSink) Cancel() error             { s.cancelled = true; return nil }

func TestSnapshotPersistFailureCancels(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	snap, err := n.fsm.Snapshot()
	require.NoError(t, err)
	sink := &failingSink{}
	err = snap.Persist(sink)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "persist snapshot")
	assert.Contains(t, err.Error(), "disk full")
	assert.True(t, sink.cancelled)
}

func TestRestoreGarbageKeepsState(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1")))
	before := dump(t, n.store)
	err := n.fsm.Restore(io.NopCloser(strings.NewReader(strings.Repeat("garbage!", 2048))))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "restore state")
	assert.Equal(t, before, dump(t, n.store))
	mustView(t, n, "acme", "f1")
	out := n.ingest(batch(t, "acme", "ag1", 1, 2, findingRec("f2")))
	assert.Equal(t, "applied", out[0].GetStatus(), "the node goes on applying")
}

// dump renders everything the state holds that the tests can reach.
func dump(t *testing.T, s *state.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	det := proto.MarshalOptions{Deterministic: true}
	put := func(key string, m proto.Message) {
		b, err := det.Marshal(m)
		require.NoError(t, err)
		out[key] = string(b)
	}
	require.NoError(t, s.View(func(tx *state.Tx) error {
		out["applied"] = fmt.Sprint(tx.AppliedIndex())
		for _, name := range tx.Tenants() {
			tt, err := tx.Tenant(name)
			require.NoError(t, err)
			require.NoError(t, tt.ForEachFinding(func(f *pb.Finding) error { put(name+"/finding/"+f.GetId(), f); return nil }))
			require.NoError(t, tt.ForEachScan(func(sc *pb.Scan) error { put(name+"/scan/"+sc.GetId(), sc); return nil }))
			require.NoError(t, tt.ForEachJoinToken(func(j *pb.StoredJoinToken) error {
				put(name+"/token/"+j.GetToken().GetId(), j)
				return nil
			}))
			require.NoError(t, tt.ForEachAgent(func(a *pb.Agent) error {
				put(name+"/agent/"+a.GetId(), a)
				h := tt.HighWater(a.GetId())
				out[name+"/hwm/"+a.GetId()] = fmt.Sprint(h.Epoch, "/", h.Seq)
				if o, ok := tx.Serial(a.GetCertSerial()); ok {
					out["serial/"+a.GetCertSerial()] = o.Tenant + "/" + o.Agent + "/" + map[bool]string{true: "revoked"}[o.Revoked]
				}
				return nil
			}))
		}
		if k, err := tx.APIKey("k1"); err == nil {
			put("apikey/k1", k)
		}
		return nil
	}))
	return out
}

func listAll(t *testing.T, v *View, tenant string) []*pb.Finding {
	t.Helper()
	r, err := v.List(tenant, &pb.ListFindingsRequest{PageSize: MaxPageSize, OrderBy: "resource_id"})
	require.NoError(t, err)
	require.Empty(t, r.GetNextPageToken())
	return r.GetFindings()
}

func assertSameFindings(t *testing.T, want, got []*pb.Finding) {
	t.Helper()
	require.Equal(t, ids(want), ids(got))
	for i := range want {
		assert.True(t, proto.Equal(want[i], got[i]), "finding %s differs", want[i].GetId())
	}
}

func TestCreateAPIKeyOnlyIfNone(t *testing.T) {
	n := newNode(t)
	bootstrap := func(id string) *pb.RaftCommand {
		c := apiKeyCmd("acme", id)
		c.GetCreateApiKey().OnlyIfNone = true
		return c
	}
	assert.Empty(t, n.result(bootstrap("k1")).GetCode(), "the first bootstrap key")
	r := n.result(bootstrap("k2"))
	assert.Equal(t, "failed_precondition", r.GetCode())
	assert.Contains(t, r.GetMessage(), "already bootstrapped")
	assert.Empty(t, n.result(apiKeyCmd("acme", "k3")).GetCode(), "ordinary keys are not limited")
	require.NoError(t, n.store.View(func(tx *state.Tx) error {
		_, err := tx.APIKey("k2")
		assert.ErrorIs(t, err, state.ErrNotFound)
		_, err = tx.APIKey("k3")
		assert.NoError(t, err)
		return nil
	}))
}

// The API checks revocation by the serial of the certificate presented, and
// a renewed agent still holds its earlier, unexpired certificates: revoking
// the agent must revoke every serial it was issued, not only the latest.
func TestRevokeRevokesEverySerialOfTheAgent(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.enroll("acme", "ag2")
	require.Empty(t, n.result(renewCmd("acme", "ag1", "serial-2", 48*time.Hour)).GetCode())
	require.Empty(t, n.result(renewCmd("acme", "ag1", "serial-3", 72*time.Hour)).GetCode())
	require.Empty(t, n.result(revokeCmd("acme", "ag1")).GetCode())
	require.NoError(t, n.store.View(func(tx *state.Tx) error {
		for _, serial := range []string{"serial-ag1", "serial-2", "serial-3"} {
			o, ok := tx.Serial(serial)
			require.True(t, ok, serial)
			assert.Equal(t, state.SerialOwner{Tenant: "acme", Agent: "ag1", Revoked: true}, o, serial)
		}
		o, _ := tx.Serial("serial-ag2")
		assert.False(t, o.Revoked, "another agent's certificate stays valid")
		return nil
	}))
}

// A command the leader built without a certificate serial is refused
// before it writes anything, so its result and the state agree.
func TestEnrollAndRenewNeedASerial(t *testing.T) {
	n := newNode(t)
	require.Empty(t, n.result(createToken("acme", "tok", time.Hour, 2)).GetCode())
	c := enrollCmd("acme", "tok", "ag1", 0)
	c.GetEnroll().GetAgent().CertSerial = ""
	r := n.result(c)
	assert.Equal(t, "invalid_argument", r.GetCode())
	assert.Contains(t, r.GetMessage(), "serial")
	_, err := agentErr(n, "acme", "ag1")
	assert.ErrorIs(t, err, state.ErrNotFound, "no agent was written")
	require.Empty(t, n.result(enrollCmd("acme", "tok", "ag1", 0)).GetCode(), "the token use was not consumed")
	require.Empty(t, n.result(enrollCmd("acme", "tok", "ag2", 0)).GetCode())

	r = n.result(renewCmd("acme", "ag1", "", time.Hour))
	assert.Equal(t, "invalid_argument", r.GetCode())
	assert.Equal(t, "serial-ag1", n.agent("acme", "ag1").GetCertSerial(), "the agent keeps its serial")
}
