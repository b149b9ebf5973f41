package fsm

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/outbox"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Group commit shape (DESIGN.md section 5): one entry of about 512 KB
// carrying ~40 agent batches of ~250 findings each.
const (
	benchAgents   = 40
	benchFindings = 250
	// benchDistinct findings per agent: after the first ten entries every
	// report is an upsert of a finding already stored, as in steady state.
	benchDistinct = 2500
)

// BenchmarkIngest applies IngestCommands through Apply, as raft does, on
// a real bbolt file, and reports findings applied per second.
func BenchmarkIngest(b *testing.B) {
	s, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	f, err := New(s, quiet)
	require.NoError(b, err)

	var index uint64
	next := func(c *pb.RaftCommand) *raft.Log {
		index++
		return entry(b, index, c)
	}
	for a := range benchAgents {
		id := fmt.Sprintf("ag%02d", a)
		r := f.Apply(next(createToken("acme", "tok-"+id, time.Hour, 1))).(*pb.ApplyResult)
		require.Empty(b, r.GetCode())
		r = f.Apply(next(enrollCmd("acme", "tok-"+id, id, 0))).(*pb.ApplyResult)
		require.Empty(b, r.GetCode())
	}

	build := func(seq uint64) *raft.Log {
		batches := make([]*pb.IngestBatch, benchAgents)
		for a := range benchAgents {
			agent := fmt.Sprintf("ag%02d", a)
			raw := make([][]byte, benchFindings)
			for k := range benchFindings {
				n := (int(seq-1)*benchFindings + k) % benchDistinct
				rec := &pb.Record{Kind: &pb.Record_Finding{Finding: &pb.Finding{
					Id:       fmt.Sprintf("%s-%05d", agent, n),
					Kind:     pb.DriftKind_DRIFT_KIND_MODIFIED,
					Severity: pb.Severity(1 + n%5),
					Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_s3_bucket", Id: fmt.Sprintf("b-%05d", n)},
					LastSeen: ts(time.Duration(seq) * time.Minute),
				}}}
				raw[k], _ = proto.Marshal(rec)
			}
			batches[a] = &pb.IngestBatch{Tenant: "acme", AgentId: agent, BootEpoch: 1, Seq: seq,
				Payload: outbox.EncodeBatch(outbox.Batch{Epoch: 1, Seq: seq, Records: raw, Created: t0})}
		}
		return next(ingestCmd(batches...))
	}

	first := build(1)
	b.SetBytes(int64(len(first.Data)))
	var applied int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l := first
		if i > 0 {
			b.StopTimer()
			l = build(uint64(i + 1))
			b.StartTimer()
		}
		r := f.Apply(l).(*pb.IngestResult)
		for _, o := range r.GetOutcomes() {
			if o.GetStatus() != "applied" {
				b.Fatalf("batch %s: %s", o.GetStatus(), o.GetError())
			}
		}
		applied += benchAgents * benchFindings
	}
	b.ReportMetric(float64(applied)/b.Elapsed().Seconds(), "findings/s")
	// After the loop: ResetTimer drops metrics reported before it.
	b.ReportMetric(float64(len(first.Data))/1024, "KB/entry")
}

// BenchmarkList100k lists one page of 100,000 findings with a filter, two
// facets and a sort, and reports milliseconds per listing.
func BenchmarkList100k(b *testing.B) {
	const n = 100000
	v := newView()
	fs := make([]*pb.Finding, n)
	for i := range fs {
		fs[i] = viewFinding("acme", i, n)
	}
	v.apply(Change{Index: 1, Findings: fs})
	req := &pb.ListFindingsRequest{
		Filter: &pb.FindingFilter{
			Provider: []string{"aws", "azure"},
			Status:   []pb.FindingStatus{pb.FindingStatus_FINDING_STATUS_OPEN, pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED},
		},
		Facets:   []string{"type", "region"},
		OrderBy:  "last_seen desc",
		PageSize: 100,
	}
	r, err := v.List("acme", req)
	require.NoError(b, err)
	require.Len(b, r.GetFindings(), 100)
	b.Run("first page", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			v.cache.items = nil // a new query: filter, count and sort all of them
			if _, err := v.List("acme", req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
		b.ReportMetric(float64(r.GetTotalSize()), "matched")
	})
	b.Run("next pages", func(b *testing.B) {
		next := proto.Clone(req).(*pb.ListFindingsRequest)
		next.PageToken = r.GetNextPageToken()
		for i := 0; i < b.N; i++ {
			if _, err := v.List("acme", next); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
	})
}

// BenchmarkListSecurity100k lists one page of 100,000 security failures
// with a mutelist of 50 entries applied, three facets (one of them the
// many-valued framework) and a sort; and the compliance posture over them.
func BenchmarkListSecurity100k(b *testing.B) {
	const n = 100000
	v := newView()
	fs := make([]*pb.SecurityFinding, n)
	checks := []string{"DM-AWS-EC2-001", "DM-AWS-S3-001", "DM-AWS-IAM-004", "DM-SECRET-001", "DM-AZ-NET-001"}
	for i := range fs {
		fs[i] = &pb.SecurityFinding{Id: fmt.Sprintf("s%06d", i), Tenant: "acme", CheckId: checks[i%len(checks)], Title: "t",
			Severity: pb.Severity(1 + i%5), Status: pb.SecurityStatus_SECURITY_STATUS_FAIL, Category: "check",
			Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_security_group", Id: fmt.Sprintf("sg-%06d", i), Account: "111", Region: "eu-west-1"},
			Controls: []*pb.ControlRef{{Framework: "CIS AWS Foundations v3.0", Control: fmt.Sprint(i % 7)}, {Framework: "AWS Foundational Security Best Practices", Control: "EC2.13"}},
			LastSeen: ts(time.Duration(i) * time.Second)}
	}
	var ml strings.Builder
	ml.WriteString("mutelist:\n")
	for i := range 50 {
		fmt.Fprintf(&ml, "  - check: DM-AWS-*\n    resource: aws_security_group.sg-%06d\n    reason: r\n    owner: o\n", i*97)
	}
	v.apply(Change{Index: 1, Tenant: "acme", SecFindings: fs, Mutelist: &pb.StoredMutelist{Yaml: ml.String()},
		Postures: []*pb.Scan{{AgentId: "ag1", Security: &pb.SecurityTally{Checks: []*pb.CheckTally{{CheckId: "DM-AWS-EC2-001", Passed: 5000,
			Controls: []*pb.ControlRef{{Framework: "CIS AWS Foundations v3.0", Control: "5.2"}}}}}}}})
	req := &pb.ListSecurityFindingsRequest{Facets: []string{"severity", "check_id", "framework"}, OrderBy: "last_seen desc", PageSize: 100,
		Filter: &pb.SecurityFindingFilter{Severity: []pb.Severity{pb.Severity_SEVERITY_CRITICAL, pb.Severity_SEVERITY_HIGH, pb.Severity_SEVERITY_MEDIUM}}}
	now := t0
	r, err := v.ListSecurity("acme", req, now)
	require.NoError(b, err)
	require.Len(b, r.GetFindings(), 100)
	b.Run("first page", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			v.sec.cache.items = nil
			if _, err := v.ListSecurity("acme", req, now); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
		b.ReportMetric(float64(r.GetTotalSize()), "matched")
	})
	b.Run("compliance", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if c := v.Compliance("acme", "", now); len(c.GetFrameworks()) != 2 {
				b.Fatalf("frameworks: %d", len(c.GetFrameworks()))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
	})
}
