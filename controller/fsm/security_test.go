package fsm

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

var cisAWS = "CIS AWS Foundations v3.0"

type secOpt func(*pb.SecurityFinding)

func secRec(id, check string, opts ...secOpt) *pb.Record {
	f := &pb.SecurityFinding{
		Id: id, CheckId: check, Title: "title of " + check, Severity: pb.Severity_SEVERITY_HIGH,
		Status:   pb.SecurityStatus_SECURITY_STATUS_FAIL,
		Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_security_group", Id: "sg-" + id, Account: "111", Region: "eu-west-1"},
		Controls: []*pb.ControlRef{{Framework: cisAWS, Control: "5.2"}},
		Category: "check", LastSeen: ts(0), ScanId: "scan-1",
		Evidence: []*pb.Evidence{{Path: "ingress[0].cidr_blocks", ValueJson: `["0.0.0.0/0"]`}},
	}
	for _, o := range opts {
		o(f)
	}
	return &pb.Record{Kind: &pb.Record_SecurityFinding{SecurityFinding: f}}
}

func secResolvedRec(id string) *pb.Record {
	return &pb.Record{Kind: &pb.Record_SecurityResolved{SecurityResolved: &pb.SecurityResolved{FindingId: id, ScanId: "scan-2", At: ts(time.Hour)}}}
}

func tallyDoneRec(id string, fullSync bool, tallies ...*pb.CheckTally) *pb.Record {
	r := scanDoneRec(id, fullSync, time.Minute)
	r.GetScanCompleted().Security = &pb.SecurityTally{Checks: tallies}
	return r
}

func tally(check string, passed, failed int64, controls ...string) *pb.CheckTally {
	t := &pb.CheckTally{CheckId: check, Title: "title of " + check, Severity: pb.Severity_SEVERITY_HIGH, Passed: passed, Failed: failed}
	for _, c := range controls {
		t.Controls = append(t.Controls, &pb.ControlRef{Framework: cisAWS, Control: c})
	}
	return t
}

func mutelistCmd(tenant, yaml string) *pb.RaftCommand {
	c := cmdAt(0, "")
	c.Cmd = &pb.RaftCommand_PutMutelist{PutMutelist: &pb.PutMutelistCommand{Tenant: tenant, Mutelist: &pb.StoredMutelist{Yaml: yaml, UpdatedBy: "key:k1"}}}
	return c
}

func secIDs(fs []*pb.SecurityFinding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.GetId()
	}
	return out
}

func TestSecurityIngestAndResolve(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.enroll("other", "ag9")
	n.takeChanges()
	now := t0.Add(time.Hour)

	out := n.ingest(batch(t, "acme", "ag1", 1, 1, scanStartedRec("scan-1"),
		secRec("s1", "DM-AWS-EC2-001"), secRec("s2", "DM-AWS-S3-002", func(f *pb.SecurityFinding) { f.Severity = pb.Severity_SEVERITY_CRITICAL }),
		tallyDoneRec("scan-1", true, tally("DM-AWS-EC2-001", 3, 1, "5.2"), tally("DM-AWS-S3-002", 1, 1, "2.1.1"))))
	require.Equal(t, "applied", out[0].GetStatus(), out[0].GetError())
	idx := n.index
	f, ok := n.fsm.View().SecurityFinding("acme", "s1", now)
	require.True(t, ok)
	assert.Equal(t, "acme", f.GetTenant())
	assert.Equal(t, "ag1", f.GetAgentId())
	assert.Equal(t, idx, f.GetRevision())
	assert.Equal(t, ts(0).AsTime(), f.GetFirstSeen().AsTime(), "first_seen defaults to last_seen")
	_, ok = n.fsm.View().SecurityFinding("other", "s1", now)
	assert.False(t, ok, "another tenant does not see it")
	ch := n.takeChanges()
	require.Len(t, ch, 1)
	assert.Equal(t, []string{"s1", "s2"}, secIDs(ch[0].SecFindings))
	require.Len(t, ch[0].Postures, 1)

	// Seen again later: first_seen holds.
	n.ingest(batch(t, "acme", "ag1", 1, 2, secRec("s1", "DM-AWS-EC2-001", func(f *pb.SecurityFinding) { f.LastSeen = ts(time.Hour) })))
	f, _ = n.fsm.View().SecurityFinding("acme", "s1", now)
	assert.Equal(t, ts(0).AsTime(), f.GetFirstSeen().AsTime())
	assert.Equal(t, ts(time.Hour).AsTime(), f.GetLastSeen().AsTime())

	// Resolved: gone from listings; a resend of the resolution is harmless.
	n.ingest(batch(t, "acme", "ag1", 1, 3, secResolvedRec("s2"), secResolvedRec("s2")))
	_, ok = n.fsm.View().SecurityFinding("acme", "s2", now)
	assert.False(t, ok)
	ch = n.takeChanges()
	assert.Equal(t, []string{"s2"}, ch[len(ch)-1].SecResolved)

	// Restart: the view is rebuilt from bbolt with the same content.
	n.restart()
	f, ok = n.fsm.View().SecurityFinding("acme", "s1", now)
	require.True(t, ok)
	assert.Equal(t, ts(time.Hour).AsTime(), f.GetLastSeen().AsTime())
	c := n.fsm.View().Compliance("acme", "", now)
	assert.Equal(t, int64(1), c.GetAgents())

	// A full sync resolves the agent's failures the scan did not report.
	n.ingest(batch(t, "acme", "ag1", 2, 1, scanStartedRec("scan-3"), secRec("s3", "DM-AWS-EC2-001", func(f *pb.SecurityFinding) { f.ScanId = "scan-3" }),
		tallyDoneRec("scan-3", true, tally("DM-AWS-EC2-001", 3, 1, "5.2"))))
	_, ok = n.fsm.View().SecurityFinding("acme", "s1", now)
	assert.False(t, ok, "s1 was not in the full sync")
	_, ok = n.fsm.View().SecurityFinding("acme", "s3", now)
	assert.True(t, ok)
}

func TestSecurityRecordValidation(t *testing.T) {
	cases := []struct {
		name string
		rec  *pb.Record
		want string
	}{
		{"no id", secRec("", "DM-AWS-EC2-001"), "security_finding.id is empty"},
		{"no check", secRec("s1", ""), "security_finding.check_id is empty"},
		{"pass sent", secRec("s1", "C", func(f *pb.SecurityFinding) { f.Status = pb.SecurityStatus_SECURITY_STATUS_PASS }), "agents send FAIL only"},
		{"muted sent", secRec("s1", "C", func(f *pb.SecurityFinding) { f.Status = pb.SecurityStatus_SECURITY_STATUS_MUTED }), "agents send FAIL only"},
		{"no severity", secRec("s1", "C", func(f *pb.SecurityFinding) { f.Severity = 0 }), "severity 0 is not one of"},
		{"bad severity", secRec("s1", "C", func(f *pb.SecurityFinding) { f.Severity = 42 }), "severity 42"},
		{"no resource", secRec("s1", "C", func(f *pb.SecurityFinding) { f.Resource = nil }), "resource needs provider, type and id"},
		{"huge evidence", secRec("s1", "C", func(f *pb.SecurityFinding) {
			f.Evidence = []*pb.Evidence{{Path: "user_data", ValueJson: string(make([]byte, maxFieldBytes+1))}}
		}), "evidence user_data exceeds"},
		{"too many evidence", secRec("s1", "C", func(f *pb.SecurityFinding) { f.Evidence = make([]*pb.Evidence, maxEvidence+1) }), "exceed the limits"},
		{"huge text", secRec("s1", "C", func(f *pb.SecurityFinding) { f.Remediation = string(make([]byte, maxTextLen+1)) }), "text field"},
		{"resolved without id", secResolvedRec(""), "security_resolved.finding_id is empty"},
		{"huge tally", tallyDoneRec("scan-1", false, make([]*pb.CheckTally, maxChecks+1)...), "security tally of"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeUpload(1, 1, nil, payload(t, 1, 1, tc.rec))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "batch seq 1 record 0")
		})
	}
	_, err := DecodeUpload(1, 1, nil, payload(t, 1, 1, secRec("s1", "C"), secResolvedRec("s1"), tallyDoneRec("scan-1", false, tally("C", 1, 1))))
	assert.NoError(t, err)
}

func TestSecurityListing(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	var recs []*pb.Record
	for i := range 30 {
		sev := pb.Severity_SEVERITY_LOW
		if i%3 == 0 {
			sev = pb.Severity_SEVERITY_CRITICAL
		}
		check := "DM-AWS-EC2-001"
		if i%2 == 0 {
			check = "DM-AWS-S3-002"
		}
		recs = append(recs, secRec(fmt.Sprintf("s%02d", i), check, func(f *pb.SecurityFinding) {
			f.Severity = sev
			if i == 7 {
				f.Category = "secret"
				f.Controls = nil
			}
		}))
	}
	n.ingest(batch(t, "acme", "ag1", 1, 1, recs...))
	v, now := n.fsm.View(), t0
	req := &pb.ListSecurityFindingsRequest{PageSize: 10, Facets: []string{"severity", "check_id", "framework", "category", "status"}}
	r, err := v.ListSecurity("acme", req, now)
	require.NoError(t, err)
	assert.Equal(t, int64(30), r.GetTotalSize())
	require.Len(t, r.GetFindings(), 10)
	assert.Equal(t, pb.Severity_SEVERITY_CRITICAL, r.GetFindings()[0].GetSeverity(), "default order: severity desc")
	facet := map[string]map[string]int64{}
	for _, f := range r.GetFacets() {
		facet[f.GetField()] = map[string]int64{}
		for _, fv := range f.GetValues() {
			facet[f.GetField()][fv.GetValue()] = fv.GetCount()
		}
	}
	assert.Equal(t, map[string]int64{"SEVERITY_CRITICAL": 10, "SEVERITY_LOW": 20}, facet["severity"])
	assert.Equal(t, map[string]int64{cisAWS: 29}, facet["framework"], "a finding without controls has no framework")
	assert.Equal(t, map[string]int64{"check": 29, "secret": 1}, facet["category"])

	// Pages walk the whole set once.
	seen := map[string]bool{}
	for tok := ""; ; {
		p, err := v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{PageSize: 7, PageToken: tok, OrderBy: "resource_id"}, now)
		require.NoError(t, err)
		for _, f := range p.GetFindings() {
			assert.False(t, seen[f.GetId()], "no duplicates across pages")
			seen[f.GetId()] = true
		}
		if tok = p.GetNextPageToken(); tok == "" {
			break
		}
	}
	assert.Len(t, seen, 30)

	// Filters.
	r, err = v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{Filter: &pb.SecurityFindingFilter{
		CheckId: []string{"DM-AWS-S3-002"}, Severity: []pb.Severity{pb.Severity_SEVERITY_CRITICAL}}}, now)
	require.NoError(t, err)
	assert.Equal(t, int64(5), r.GetTotalSize())
	r, err = v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{Filter: &pb.SecurityFindingFilter{Text: "SG-S07"}}, now)
	require.NoError(t, err)
	assert.Equal(t, []string{"s07"}, secIDs(r.GetFindings()))
	r, err = v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{Filter: &pb.SecurityFindingFilter{Framework: []string{"nope"}}}, now)
	require.NoError(t, err)
	assert.Zero(t, r.GetTotalSize())

	// Bad requests name the field.
	_, err = v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{OrderBy: "colour"}, now)
	assert.ErrorContains(t, err, `order_by: "colour" is not a sort key`)
	_, err = v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{Facets: []string{"kind"}}, now)
	assert.ErrorContains(t, err, `facets: "kind" is not a facet`)
	assert.ErrorContains(t, err, "framework")
	_, err = v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{PageToken: "!!"}, now)
	assert.ErrorContains(t, err, "page_token")

	// Another tenant sees nothing.
	r, err = v.ListSecurity("other", req, now)
	require.NoError(t, err)
	assert.Zero(t, r.GetTotalSize())
}

func TestSecurityMutelist(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.ingest(batch(t, "acme", "ag1", 1, 1, secRec("s1", "DM-AWS-EC2-001"), secRec("s2", "DM-AWS-EC2-001"),
		tallyDoneRec("scan-1", false, tally("DM-AWS-EC2-001", 4, 2, "5.2", "5.3"))))
	v := n.fsm.View()
	now := t0.Add(24 * time.Hour)

	// A bad list is refused at apply too, naming the line.
	res := n.result(mutelistCmd("acme", "mutelist:\n  - check: DM-AWS-EC2-001\n    resource: x\n"))
	assert.Equal(t, "invalid_argument", res.GetCode())
	assert.Contains(t, res.GetMessage(), "mutelist:2: entry 1 needs reason, owner")

	listing := func() *pb.ListSecurityFindingsResponse {
		r, err := v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{Facets: []string{"status"}, OrderBy: "resource_id"}, now)
		require.NoError(t, err)
		return r
	}
	before := listing()
	assert.Equal(t, pb.SecurityStatus_SECURITY_STATUS_FAIL, before.GetFindings()[0].GetStatus())

	yaml := "mutelist:\n  - check: DM-AWS-EC2-*\n    resource: aws_security_group.sg-s1\n    reason: bastion, restricted by NACL\n    owner: platform\n    expires: \"2026-12-31\"\n"
	res = n.result(mutelistCmd("acme", yaml))
	require.Empty(t, res.GetCode(), res.GetMessage())
	ch := n.takeChanges()
	require.NotNil(t, ch[len(ch)-1].Mutelist)

	after := listing()
	require.Len(t, after.GetFindings(), 2)
	m := after.GetFindings()[0]
	assert.Equal(t, "s1", m.GetId())
	assert.Equal(t, pb.SecurityStatus_SECURITY_STATUS_MUTED, m.GetStatus(), "the mutelist change applies without a rescan")
	assert.Equal(t, "bastion, restricted by NACL", m.GetMute().GetReason())
	assert.Equal(t, int32(2), m.GetMute().GetLine())
	assert.Equal(t, "2026-12-31", m.GetMute().GetExpires().AsTime().Format("2006-01-02"))
	assert.Equal(t, pb.SecurityStatus_SECURITY_STATUS_FAIL, after.GetFindings()[1].GetStatus())
	stored, _ := n.fsm.View().SecurityFinding("acme", "s2", now)
	assert.Nil(t, stored.GetMute())

	r, err := v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{Filter: &pb.SecurityFindingFilter{Status: []pb.SecurityStatus{pb.SecurityStatus_SECURITY_STATUS_MUTED}}}, now)
	require.NoError(t, err)
	assert.Equal(t, []string{"s1"}, secIDs(r.GetFindings()))

	c := v.Compliance("acme", "", now)
	assert.Equal(t, int64(1), c.GetMuted())
	assert.Equal(t, int64(1), c.GetFailed())
	assert.Equal(t, 5.0, c.GetRiskScore(), "one unmuted high failure")

	// After the expiry the same cached query shows it failing again, and
	// the expired entry is reported.
	later := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	r, err = v.ListSecurity("acme", &pb.ListSecurityFindingsRequest{Facets: []string{"status"}, OrderBy: "resource_id"}, later)
	require.NoError(t, err)
	assert.Equal(t, pb.SecurityStatus_SECURITY_STATUS_FAIL, r.GetFindings()[0].GetStatus())
	assert.Len(t, v.ExpiredMutes("acme", later), 1)
	assert.Contains(t, v.ExpiredMutes("acme", later)[0], "line 2")
	assert.Empty(t, v.ExpiredMutes("acme", now))

	// Survives a restart.
	n.restart()
	f, _ := n.fsm.View().SecurityFinding("acme", "s1", now)
	assert.Equal(t, pb.SecurityStatus_SECURITY_STATUS_MUTED, f.GetStatus())
}

func TestCompliance(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.enroll("acme", "ag2")
	drifted := func(f *pb.SecurityFinding) {
		f.CheckId, f.Category = "DM-DRIFT-AWS-EC2-001", "drift"
		f.Drift = &pb.SecurityDrift{CheckId: "DM-AWS-EC2-001", Kind: pb.DriftKind_DRIFT_KIND_MODIFIED}
		f.Severity = pb.Severity_SEVERITY_CRITICAL
	}
	n.ingest(batch(t, "acme", "ag1", 1, 1, secRec("s1", "DM-AWS-EC2-001"), secRec("s2", "x", drifted),
		tallyDoneRec("scan-1", false, tally("DM-AWS-EC2-001", 8, 2, "5.2", "5.10"), tally("DM-AWS-IAM-001", 3, 0, "1.4"))))
	n.ingest(batch(t, "acme", "ag2", 1, 1, tallyDoneRec("scan-2", false, tally("DM-AWS-IAM-001", 2, 0, "1.4"))))
	c := n.fsm.View().Compliance("acme", "", t0)
	assert.Equal(t, int64(2), c.GetAgents())
	assert.Equal(t, int64(13), c.GetPassed())
	assert.Equal(t, int64(2), c.GetFailed())
	assert.Equal(t, 15.0, c.GetRiskScore(), "high 5 + critical 10")
	require.Len(t, c.GetFrameworks(), 1)
	fw := c.GetFrameworks()[0]
	assert.Equal(t, cisAWS, fw.GetFramework())
	// Control 5.2 and 5.10 each count EC2-001: 8 passed, 2 failed (the
	// drift finding counts against the check it broke); 1.4: 5 passed.
	require.Len(t, fw.GetControls(), 3)
	assert.Equal(t, []string{"1.4", "5.2", "5.10"}, []string{fw.GetControls()[0].GetControl(), fw.GetControls()[1].GetControl(), fw.GetControls()[2].GetControl()})
	ctl := fw.GetControls()[1]
	assert.Equal(t, pb.SecurityStatus_SECURITY_STATUS_FAIL, ctl.GetStatus())
	assert.Equal(t, []string{"DM-AWS-EC2-001"}, ctl.GetCheckIds())
	assert.Equal(t, int64(8), ctl.GetPassed())
	assert.Equal(t, int64(2), ctl.GetFailed())
	assert.Equal(t, []string{"s1", "s2"}, ctl.GetFindingIds())
	assert.Equal(t, pb.SecurityStatus_SECURITY_STATUS_PASS, fw.GetControls()[0].GetStatus())
	assert.Equal(t, int64(5), fw.GetControls()[0].GetPassed())
	assert.Equal(t, int64(1), fw.GetControlsPassing())
	assert.Equal(t, int64(2), fw.GetControlsFailing())
	assert.InDelta(t, 21.0/25.0, fw.GetScore(), 1e-9, "(8+8+5) / (8+8+5 + 2+2)")

	assert.Empty(t, n.fsm.View().Compliance("acme", "CIS GCP Foundations v2.0", t0).GetFrameworks())
	assert.Empty(t, n.fsm.View().Compliance("other", "", t0).GetFrameworks())
}

func TestPolicyCommands(t *testing.T) {
	n := newNode(t)
	put := func(name, src string) *pb.ApplyResult {
		c := cmdAt(0, "")
		c.Cmd = &pb.RaftCommand_PutPolicy{PutPolicy: &pb.PutPolicyCommand{Tenant: "acme", Policy: &pb.Policy{Name: name, Source: src}}}
		return n.result(c)
	}
	del := func(name string) *pb.ApplyResult {
		c := cmdAt(0, "")
		c.Cmd = &pb.RaftCommand_DeletePolicy{DeletePolicy: &pb.DeletePolicyCommand{Tenant: "acme", Name: name}}
		return n.result(c)
	}
	require.Empty(t, put("a.rego", "package a").GetCode())
	idx := n.index
	require.Empty(t, put("b.rego", "package b").GetCode())
	ch := n.takeChanges()
	assert.True(t, ch[len(ch)-1].Policies)
	assert.Equal(t, "not_found", del("zzz.rego").GetCode())
	require.Empty(t, del("a.rego").GetCode())
	require.NoError(t, n.store.View(func(tx *state.Tx) error {
		tt, err := tx.Tenant("acme")
		require.NoError(t, err)
		assert.Equal(t, n.index, tt.PolicyRevision())
		assert.Greater(t, tt.PolicyRevision(), idx)
		var names []string
		require.NoError(t, tt.ForEachPolicy(func(p *pb.Policy) error { names = append(names, p.GetName()); return nil }))
		assert.Equal(t, []string{"b.rego"}, names)
		return nil
	}))
	assert.Equal(t, "invalid_argument", func() string {
		c := cmdAt(0, "")
		c.Cmd = &pb.RaftCommand_PutPolicy{PutPolicy: &pb.PutPolicyCommand{Tenant: "Bad Tenant", Policy: &pb.Policy{Name: "x"}}}
		return n.result(c).GetCode()
	}())
}

func TestCompareControls(t *testing.T) {
	assert.Negative(t, compareControls("1.9", "1.10"))
	assert.Positive(t, compareControls("2.1", "1.10"))
	assert.Negative(t, compareControls("5", "5.1"))
	assert.Zero(t, compareControls("3.1.1", "3.1.1"))
	assert.Negative(t, compareControls("A.1", "B.1"))
}

func TestKeepSmallest(t *testing.T) {
	var ids []string
	for _, id := range []string{"m", "c", "x", "a", "k", "b", "z"} {
		ids = keepSmallest(ids, id, 4)
	}
	assert.Equal(t, []string{"a", "b", "c", "k"}, ids)
	assert.Equal(t, []string{"q"}, keepSmallest(nil, "q", 1))
}
