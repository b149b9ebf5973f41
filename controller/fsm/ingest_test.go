package fsm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

func TestIngestSequencing(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.takeChanges()

	// seq 1: applied.
	b1 := batch(t, "acme", "ag1", 1, 1, scanStartedRec("scan-1"), findingRec("f1"), scanDoneRec("scan-1", false, time.Minute))
	out := n.ingest(b1)
	assert.Equal(t, &pb.IngestOutcome{Status: "applied", AckedSeq: 1}, stripState(out[0]))
	idx1 := n.index
	f := n.finding("acme", "f1")
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, f.GetStatus())
	assert.Equal(t, idx1, f.GetRevision())
	assert.Equal(t, "acme", f.GetTenant())
	assert.Equal(t, "ag1", f.GetAgentId())
	assert.True(t, proto.Equal(ts(0), f.GetFirstSeen()), "first_seen defaults to last_seen")
	require.Len(t, n.scans("acme"), 1)
	ch := n.takeChanges()
	require.Len(t, ch, 1)
	assert.Equal(t, "acme", ch[0].Tenant)
	assert.Equal(t, idx1, ch[0].Index)
	assert.Equal(t, []string{"f1"}, ids(ch[0].Findings))
	require.Len(t, ch[0].Scans, 1)
	assert.Equal(t, "ag1", ch[0].Scans[0].GetAgentId())

	// Resend of seq 1 (even with newer contents): duplicate, nothing counted twice.
	again := batch(t, "acme", "ag1", 1, 1, findingRec("f1", withSeen(time.Hour)), scanDoneRec("scan-1", false, time.Minute))
	out = n.ingest(again)
	assert.Equal(t, &pb.IngestOutcome{Status: "duplicate", AckedSeq: 1}, stripState(out[0]))
	f = n.finding("acme", "f1")
	assert.Equal(t, idx1, f.GetRevision(), "revision unchanged")
	assert.True(t, proto.Equal(ts(0), f.GetFirstSeen()))
	assert.True(t, proto.Equal(ts(0), f.GetLastSeen()))
	assert.Len(t, n.scans("acme"), 1, "scan stored once")
	assert.Empty(t, n.takeChanges())

	// seq 3 before seq 2: a gap, refused and not applied.
	b3 := batch(t, "acme", "ag1", 1, 3, findingRec("f3"))
	out = n.ingest(b3)
	assert.Equal(t, "gap", out[0].GetStatus())
	assert.Equal(t, uint64(1), out[0].GetAckedSeq())
	assert.Contains(t, out[0].GetError(), "seq 3 arrived before seq 2")
	_, ok := n.fsm.View().Finding("acme", "f3")
	assert.False(t, ok)
	assert.Empty(t, n.takeChanges())

	// Then 2 and 3, in order in one entry: both apply.
	b2 := batch(t, "acme", "ag1", 1, 2, findingRec("f2"))
	out = n.ingest(b2, b3)
	assert.Equal(t, "applied", out[0].GetStatus())
	assert.Equal(t, uint64(2), out[0].GetAckedSeq())
	assert.Equal(t, "applied", out[1].GetStatus())
	assert.Equal(t, uint64(3), out[1].GetAckedSeq())
	for _, id := range []string{"f1", "f2", "f3"} {
		_, ok := n.fsm.View().Finding("acme", id)
		assert.True(t, ok, id)
	}
	// A resent 2 is a duplicate now; 4 then 6 in one entry: 6 is a gap.
	out = n.ingest(b2, batch(t, "acme", "ag1", 1, 4), batch(t, "acme", "ag1", 1, 6))
	assert.Equal(t, []string{"duplicate", "applied", "gap"}, statuses(out))

	// A new boot epoch starts fresh, wherever its outbox starts.
	out = n.ingest(batch(t, "acme", "ag1", 2, 1, findingRec("f4")))
	assert.Equal(t, &pb.IngestOutcome{Status: "applied", AckedSeq: 1}, stripState(out[0]))
	// The old epoch is over: its batches never apply, even unseen ones,
	// and are refused loudly rather than acked as duplicates.
	out = n.ingest(batch(t, "acme", "ag1", 1, 5, findingRec("f5")))
	assert.Equal(t, "stale_epoch", out[0].GetStatus())
	assert.Contains(t, out[0].GetError(), "boot epoch 1 is older than epoch 2")
	assert.Equal(t, uint64(1), out[0].GetAckedSeq())
	_, ok = n.fsm.View().Finding("acme", "f5")
	assert.False(t, ok)
	// A new epoch starts at its first batch: a later one that overtook it
	// waits, or the first would later be dropped as a duplicate.
	out = n.ingest(batch(t, "acme", "ag1", 3, 2, findingRec("f6")))
	assert.Equal(t, "gap", out[0].GetStatus())
	assert.Equal(t, uint64(0), out[0].GetAckedSeq())
	out = n.ingest(batch(t, "acme", "ag1", 3, 1, findingRec("f6")), batch(t, "acme", "ag1", 3, 2, findingRec("f7")))
	assert.Equal(t, []string{"applied", "applied"}, statuses(out))
}

func statuses(out []*pb.IngestOutcome) []string {
	s := make([]string, len(out))
	for i, o := range out {
		s[i] = o.GetStatus()
	}
	return s
}

// stripState drops protobuf internals so outcomes compare with Equal.
func stripState(o *pb.IngestOutcome) *pb.IngestOutcome {
	return &pb.IngestOutcome{Status: o.GetStatus(), AckedSeq: o.GetAckedSeq(), Error: o.GetError()}
}

func TestIngestRejects(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.enroll("other", "ag2")

	good := payload(t, 1, 1, findingRec("f1"))
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)-1] ^= 0xff
	tests := []struct {
		name  string
		batch *pb.IngestBatch
		want  []string
	}{
		{"unknown agent", &pb.IngestBatch{Tenant: "acme", AgentId: "ghost", BootEpoch: 1, Seq: 1, Payload: good},
			[]string{"agent ghost is not enrolled in tenant acme"}},
		{"another tenant's agent", &pb.IngestBatch{Tenant: "acme", AgentId: "ag2", BootEpoch: 1, Seq: 1, Payload: good},
			[]string{"agent ag2 is not enrolled in tenant acme"}},
		{"invalid tenant", &pb.IngestBatch{Tenant: "ACME", AgentId: "ag1", BootEpoch: 1, Seq: 1, Payload: good},
			[]string{`tenant "ACME"`}},
		{"corrupt payload", &pb.IngestBatch{Tenant: "acme", AgentId: "ag1", BootEpoch: 1, Seq: 1, Payload: corrupt},
			[]string{"batch seq 1", "sha256 mismatch"}},
		{"truncated payload", &pb.IngestBatch{Tenant: "acme", AgentId: "ag1", BootEpoch: 1, Seq: 1, Payload: good[:10]},
			[]string{"batch seq 1", "truncated"}},
		{"empty payload", &pb.IngestBatch{Tenant: "acme", AgentId: "ag1", BootEpoch: 1, Seq: 1},
			[]string{"batch seq 1", "empty input"}},
		{"payload of another seq", &pb.IngestBatch{Tenant: "acme", AgentId: "ag1", BootEpoch: 1, Seq: 1, Payload: payload(t, 1, 2, findingRec("f1"))},
			[]string{"payload is epoch 1 seq 2, envelope says epoch 1 seq 1"}},
		{"payload of another epoch", &pb.IngestBatch{Tenant: "acme", AgentId: "ag1", BootEpoch: 1, Seq: 1, Payload: payload(t, 7, 1, findingRec("f1"))},
			[]string{"payload is epoch 7 seq 1"}},
		{"record not a Record", &pb.IngestBatch{Tenant: "acme", AgentId: "ag1", BootEpoch: 1, Seq: 1,
			Payload: outboxPayload(1, 1, []byte{0xff, 0xff, 0xff})}, []string{"record 0", "not a driftmgr.v1.Record"}},
		{"invalid record", &pb.IngestBatch{Tenant: "acme", AgentId: "ag1", BootEpoch: 1, Seq: 1,
			Payload: payload(t, 1, 1, findingRec("f1"), findingRec("f2", withKind(pb.DriftKind_DRIFT_KIND_UNSPECIFIED)))},
			[]string{"record 1", "finding f2: kind is unspecified"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n.takeChanges()
			out := n.ingest(tc.batch)
			assert.Equal(t, "rejected", out[0].GetStatus())
			for _, w := range tc.want {
				assert.Contains(t, out[0].GetError(), w)
			}
			assert.Empty(t, n.takeChanges())
			_, ok := n.fsm.View().Finding("acme", "f1")
			assert.False(t, ok, "nothing of a rejected batch is applied")
		})
	}
	// Rejections did not move the high-water mark: seq 1 still applies.
	out := n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1")))
	assert.Equal(t, "applied", out[0].GetStatus())
	// And a rejection is per batch: its neighbours in the entry apply.
	out = n.ingest(batch(t, "acme", "ag1", 1, 2, findingRec("f2")),
		&pb.IngestBatch{Tenant: "acme", AgentId: "ag1", BootEpoch: 1, Seq: 3, Payload: corrupt},
		batch(t, "other", "ag2", 1, 1, findingRec("g1")))
	assert.Equal(t, []string{"applied", "rejected", "applied"}, statuses(out))
}

func TestIngestFullSyncResolvesStaleFindingsOfThatAgentOnly(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.enroll("acme", "ag2")
	n.ingest(
		batch(t, "acme", "ag1", 1, 1, findingRec("f1"), findingRec("f2"), findingRec("f3")),
		batch(t, "acme", "ag2", 1, 1, findingRec("g1")),
	)
	n.ingest(batch(t, "acme", "ag1", 1, 2, resolvedRec("f3", time.Minute)))
	n.takeChanges()

	// A scan that is not a full sync resolves nothing it did not report.
	n.ingest(batch(t, "acme", "ag1", 1, 3, findingRec("f1", withScan("scan-2")), scanDoneRec("scan-2", false, time.Hour)))
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, n.finding("acme", "f2").GetStatus())

	n.takeChanges()
	n.ingest(batch(t, "acme", "ag1", 1, 4, findingRec("f1", withScan("scan-3")), scanDoneRec("scan-3", true, 2*time.Hour)))
	idx := n.index
	f1, f2, f3, g1 := n.finding("acme", "f1"), n.finding("acme", "f2"), n.finding("acme", "f3"), n.finding("acme", "g1")
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, f1.GetStatus(), "reported in the full sync")
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_RESOLVED, f2.GetStatus(), "stale")
	assert.True(t, proto.Equal(ts(2*time.Hour), f2.GetResolvedAt()), "resolved when the scan finished")
	assert.Equal(t, idx, f2.GetRevision())
	assert.True(t, proto.Equal(ts(time.Minute), f3.GetResolvedAt()), "already resolved: untouched")
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, g1.GetStatus(), "another agent's finding")
	ch := n.takeChanges()
	require.Len(t, ch, 1)
	assert.ElementsMatch(t, []string{"f1", "f2"}, ids(ch[0].Findings))
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_RESOLVED, mustView(t, n, "acme", "f2").GetStatus())
	assert.Len(t, n.scans("acme"), 2)
}

func TestIngestFindingResolved(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1", withSeen(-time.Hour)), findingRec("f2")))
	n.takeChanges()

	n.ingest(batch(t, "acme", "ag1", 1, 2, resolvedRec("f1", 5*time.Minute), resolvedRec("nope", 0)))
	f := n.finding("acme", "f1")
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_RESOLVED, f.GetStatus())
	assert.True(t, proto.Equal(ts(5*time.Minute), f.GetResolvedAt()))
	assert.Equal(t, n.index, f.GetRevision())
	ch := n.takeChanges()
	require.Len(t, ch, 1)
	assert.Equal(t, []string{"f1"}, ids(ch[0].Findings), "an unknown id resolves nothing")
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_RESOLVED, mustView(t, n, "acme", "f1").GetStatus())

	// Resolving again changes nothing.
	rev := f.GetRevision()
	n.ingest(batch(t, "acme", "ag1", 1, 3, resolvedRec("f1", time.Hour)))
	f = n.finding("acme", "f1")
	assert.Equal(t, rev, f.GetRevision())
	assert.True(t, proto.Equal(ts(5*time.Minute), f.GetResolvedAt()))
	ch = n.takeChanges()
	require.Len(t, ch, 1)
	assert.Empty(t, ch[0].Findings)

	// Reported again: open again, first seen kept, resolved_at cleared.
	n.ingest(batch(t, "acme", "ag1", 1, 4, findingRec("f1", withSeen(2*time.Hour))))
	f = n.finding("acme", "f1")
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, f.GetStatus())
	assert.Nil(t, f.GetResolvedAt())
	assert.True(t, proto.Equal(ts(-time.Hour), f.GetFirstSeen()))
	assert.True(t, proto.Equal(ts(2*time.Hour), f.GetLastSeen()))
}

func TestIngestKeepsAcknowledgementWhileDriftIsTheSame(t *testing.T) {
	change := withChange("instance_type", `"t3.micro"`, `"t3.large"`)
	tests := []struct {
		name       string
		again      *pb.Record
		wantStatus pb.FindingStatus
	}{
		{"same drift", findingRec("f1", change, withSeen(time.Hour)), pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED},
		{"same drift, other severity and scan", func() *pb.Record {
			r := findingRec("f1", change, withScan("scan-9"))
			r.GetFinding().Severity = pb.Severity_SEVERITY_LOW
			return r
		}(), pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED},
		{"changed value", findingRec("f1", withChange("instance_type", `"t3.micro"`, `"t3.xlarge"`)), pb.FindingStatus_FINDING_STATUS_OPEN},
		{"another attribute too", findingRec("f1", change, withChange("tags.env", `"a"`, `"b"`)), pb.FindingStatus_FINDING_STATUS_OPEN},
		{"no changes", findingRec("f1"), pb.FindingStatus_FINDING_STATUS_OPEN},
		{"other kind", findingRec("f1", change, withKind(pb.DriftKind_DRIFT_KIND_MISSING)), pb.FindingStatus_FINDING_STATUS_OPEN},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t)
			n.enroll("acme", "ag1")
			n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1", change)))
			r := n.result(ackCmd("acme", "f1", "alice", "planned resize"))
			require.Empty(t, r.GetCode(), r.GetMessage())

			n.ingest(batch(t, "acme", "ag1", 1, 2, tc.again))
			f := n.finding("acme", "f1")
			assert.Equal(t, tc.wantStatus, f.GetStatus())
			if tc.wantStatus == pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED {
				assert.Equal(t, "alice", f.GetAcknowledgedBy())
				assert.Equal(t, "planned resize", f.GetAckNote())
			}
			assert.Equal(t, n.index, f.GetRevision())
			assert.Equal(t, tc.wantStatus, mustView(t, n, "acme", "f1").GetStatus())
		})
	}
}

func TestIngestOverwritesTenantAndAgentOfRecords(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	rec := findingRec("f1")
	rec.GetFinding().Tenant, rec.GetFinding().AgentId, rec.GetFinding().Revision = "other", "ag9", 999
	done := scanDoneRec("s1", false, 0)
	done.GetScanCompleted().Tenant = "other"
	n.ingest(batch(t, "acme", "ag1", 1, 1, rec, done))
	f := n.finding("acme", "f1")
	assert.Equal(t, "acme", f.GetTenant())
	assert.Equal(t, "ag1", f.GetAgentId())
	assert.Equal(t, n.index, f.GetRevision())
	s := n.scans("acme")
	require.Len(t, s, 1)
	assert.Equal(t, "acme", s[0].GetTenant())
}

// One entry may carry several tenants' batches; each tenant's listeners
// must see only its own findings.
func TestIngestChangePerTenant(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.enroll("other", "ag2")
	n.takeChanges()
	n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1")), batch(t, "other", "ag2", 1, 1, findingRec("g1")),
		batch(t, "acme", "ag1", 1, 2, findingRec("f2"), scanDoneRec("s1", false, 0)))
	ch := n.takeChanges()
	require.Len(t, ch, 2, "one change per tenant, in order of first appearance")
	for i, want := range []struct {
		tenant   string
		findings []string
		scans    int
	}{{"acme", []string{"f1", "f2"}, 1}, {"other", []string{"g1"}, 0}} {
		assert.Equal(t, want.tenant, ch[i].Tenant)
		assert.Equal(t, want.findings, ids(ch[i].Findings))
		assert.Len(t, ch[i].Scans, want.scans)
		assert.Equal(t, n.index, ch[i].Index)
		for _, f := range ch[i].Findings {
			assert.Equal(t, ch[i].Tenant, f.GetTenant())
		}
	}
}

func mustView(t *testing.T, n *node, tenant, id string) *pb.Finding {
	t.Helper()
	f, ok := n.fsm.View().Finding(tenant, id)
	require.True(t, ok, "finding %s/%s in the view", tenant, id)
	return f
}

func TestIngestLostThrough(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.ingest(batch(t, "acme", "ag1", 1, 1), batch(t, "acme", "ag1", 1, 2))

	lost := func(seq, through uint64, recs ...*pb.Record) *pb.IngestBatch {
		b := batch(t, "acme", "ag1", 1, seq, recs...)
		b.LostThrough = through
		return b
	}
	tests := []struct {
		name   string
		batch  *pb.IngestBatch
		status string
		acked  uint64
	}{
		{"a gap without a declared loss waits", batch(t, "acme", "ag1", 1, 6), "gap", 2},
		{"a loss not ending right before the batch is still a gap", lost(7, 5), "gap", 2},
		{"a declared loss skips the lost seqs", lost(6, 5, findingRec("f6")), "applied", 6},
		{"a resent skip is a duplicate", lost(6, 5), "duplicate", 6},
		{"a stale loss below the mark changes nothing", lost(7, 3, findingRec("f7")), "applied", 7},
		{"after the skip, seqs continue gapless", batch(t, "acme", "ag1", 1, 9), "gap", 7},
	}
	for _, tc := range tests {
		out := n.ingest(tc.batch)
		assert.Equal(t, tc.status, out[0].GetStatus(), "%s: %s", tc.name, out[0].GetError())
		assert.Equal(t, tc.acked, out[0].GetAckedSeq(), tc.name)
	}
	mustView(t, n, "acme", "f6")
	mustView(t, n, "acme", "f7")
}
