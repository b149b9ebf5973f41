package runner

import (
	"context"
	"errors"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/testcluster"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/scan"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// secScanner is a fakeScanner whose security step returns scripted
// results and records the policies it was given.
type secScanner struct {
	fakeScanner
	smu      sync.Mutex
	results  []scan.Result
	policy   map[string]bool
	secErr   error
	policies []Policies
}

func (s *secScanner) setResults(err error, rs ...scan.Result) {
	s.smu.Lock()
	defer s.smu.Unlock()
	s.results, s.secErr = rs, err
}

func (s *secScanner) Security(_ context.Context, p Policies) (*SecurityReport, error) {
	s.smu.Lock()
	defer s.smu.Unlock()
	s.policies = append(s.policies, p)
	if s.secErr != nil {
		return nil, s.secErr
	}
	checks := append(scan.NewEngine(nil).Checks(), scan.SecretChecks()...)
	return &SecurityReport{Report: &scan.Report{Results: append([]scan.Result(nil), s.results...), Checks: checks}, PolicyChecks: s.policy}, nil
}

func sgResult(id string, st scan.Status) scan.Result {
	return scan.Result{CheckID: "DM-AWS-EC2-001", Title: "SSH open to the world", Severity: scan.High, Status: st, Provider: "aws",
		Type: "aws_security_group", ID: id, Account: "123456789012", Region: "eu-west-1", Source: "live",
		Message: "ingress[0] admits 0.0.0.0/0 to port 22", Evidence: []scan.Evidence{{Path: "ingress[0].cidr_blocks", Value: []any{"0.0.0.0/0"}}}}
}

func (c *cluster) security(t *testing.T) driftmgrv1connect.SecurityServiceClient {
	return driftmgrv1connect.NewSecurityServiceClient(c.HTTPClient(nil), c.URL(c.running(t)), testcluster.Bearer(c.key))
}

func (c *cluster) securityFindings(t *testing.T) map[string]*pb.SecurityFinding {
	t.Helper()
	resp, err := c.security(t).ListSecurityFindings(context.Background(), connect.NewRequest(&pb.ListSecurityFindingsRequest{PageSize: 1000,
		Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
	require.NoError(t, err)
	out := map[string]*pb.SecurityFinding{}
	for _, f := range resp.Msg.GetFindings() {
		out[f.GetCheckId()+" "+f.GetResource().GetId()] = f
	}
	return out
}

func TestSecurityScanDeliveredAsDeltas(t *testing.T) {
	c := startCluster(t, 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	policy := "# METADATA\n# title: Buckets carry an owner tag\n# custom:\n#   id: ACME-TAG-001\n#   severity: low\n#   resource_types: [aws_s3_bucket]\n" +
		"package driftmgr.acme.owner\n\ndeny contains \"no owner tag\" if {\n\tnot input.resource.attributes.tags.owner\n}\n"
	_, err := c.security(t).PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "owner.rego", Source: policy}))
	require.NoError(t, err)

	sc := &secScanner{policy: map[string]bool{"ACME-TAG-001": true}}
	sc.set(finding("b1", drift.Modified, "prod", "dev"))
	secret := scan.Result{CheckID: "DM-SECRET-001", Title: "AWS access key ID exposed", Severity: scan.Critical, Status: scan.Fail, Provider: "aws",
		Type: "aws_instance", ID: "i-1", Account: "123456789012", Region: "eu-west-1", Message: "AWS access key ID in user_data line 3",
		Location: &scan.Location{Path: "user_data", Line: 3}}
	pol := scan.Result{CheckID: "ACME-TAG-001", Title: "Buckets carry an owner tag", Severity: scan.Low, Status: scan.Fail, Provider: "aws",
		Type: "aws_s3_bucket", ID: "b1", Account: "123456789012", Region: "eu-west-1", Message: "no owner tag"}
	sc.setResults(nil, sgResult("sg-1", scan.Fail), sgResult("sg-2", scan.Pass), sgResult("sg-3", scan.Pass), secret, pol)
	a, _ := enrolledAgent(t, c, sc, nil)
	id := a.Stats().AgentID
	scans := waitDelivered(t, c, a, 1)
	tally := scans[0].GetSecurity()
	require.NotNil(t, tally, "the scan carries its security tally")
	assert.Empty(t, tally.GetError())
	assert.NotZero(t, tally.GetPolicyRevision())
	byCheck := map[string]*pb.CheckTally{}
	for _, ct := range tally.GetChecks() {
		byCheck[ct.GetCheckId()] = ct
	}
	require.Contains(t, byCheck, "DM-AWS-EC2-001")
	assert.EqualValues(t, 2, byCheck["DM-AWS-EC2-001"].GetPassed())
	assert.EqualValues(t, 1, byCheck["DM-AWS-EC2-001"].GetFailed())
	assert.NotEmpty(t, byCheck["DM-AWS-EC2-001"].GetControls(), "controls come from the check's CIS references")

	sc.smu.Lock()
	require.Len(t, sc.policies, 1)
	assert.Equal(t, policy, sc.policies[0].Sources["owner.rego"], "the tenant's policy reached the scanner")
	sc.smu.Unlock()

	fs := c.securityFindings(t)
	require.Len(t, fs, 3, "failures only: %v", fs)
	sg := fs["DM-AWS-EC2-001 sg-1"]
	require.NotNil(t, sg)
	assert.Equal(t, id, sg.GetAgentId())
	assert.Equal(t, "check", sg.GetCategory())
	assert.Equal(t, pb.Severity_SEVERITY_HIGH, sg.GetSeverity())
	assert.Equal(t, `["0.0.0.0/0"]`, sg.GetEvidence()[0].GetValueJson())
	assert.NotEmpty(t, sg.GetRemediation())
	assert.NotEmpty(t, sg.GetTerraform())
	sec := fs["DM-SECRET-001 i-1"]
	require.NotNil(t, sec)
	assert.Equal(t, "secret", sec.GetCategory())
	assert.Equal(t, "user_data", sec.GetLocationPath())
	assert.EqualValues(t, 3, sec.GetLocationLine())
	assert.Equal(t, "policy", fs["ACME-TAG-001 b1"].GetCategory())
	rev := fs["ACME-TAG-001 b1"].GetRevision()

	// Second scan: sg-1 fixed, the rest unchanged. The fix resolves its
	// finding; unchanged failures are not sent again.
	sc.setResults(nil, sgResult("sg-1", scan.Pass), secret, pol)
	c.triggerScan(t, 0, id)
	waitDelivered(t, c, a, 2)
	fs = c.securityFindings(t)
	assert.Len(t, fs, 2)
	assert.NotContains(t, fs, "DM-AWS-EC2-001 sg-1")
	assert.Equal(t, rev, fs["ACME-TAG-001 b1"].GetRevision(), "an unchanged failure is not resent")

	// A failed security scan says so and resolves nothing.
	sc.setResults(errors.New("policy engine blew up"))
	c.triggerScan(t, 0, id)
	scans = waitDelivered(t, c, a, 3)
	var last *pb.Scan
	for _, s := range scans {
		if last == nil || s.GetFinishedAt().AsTime().After(last.GetFinishedAt().AsTime()) {
			last = s
		}
	}
	assert.Contains(t, last.GetSecurity().GetError(), "policy engine blew up")
	assert.Len(t, c.securityFindings(t), 2)
	sc.smu.Lock()
	assert.Len(t, sc.policies, 3)
	assert.Equal(t, sc.policies[0].Revision, sc.policies[2].Revision, "unchanged policies are reused")
	sc.smu.Unlock()
}

func TestSecurityFindingConversion(t *testing.T) {
	checks := map[string]*scan.Check{}
	for _, c := range scan.NewEngine(nil).Checks() {
		checks[c.ID] = c
	}
	r := sgResult("sg-9", scan.Fail)
	r.CheckID = scan.DriftCheckID("DM-AWS-EC2-001")
	r.Drift = &scan.DriftLink{Kind: drift.Modified, Check: "DM-AWS-EC2-001",
		State: scan.DriftSide{Status: scan.Pass, Message: "no ingress rule opens port 22"},
		Live:  scan.DriftSide{Status: scan.Fail, Message: "ingress[0] admits 0.0.0.0/0", Evidence: r.Evidence},
		Diffs: []drift.Diff{{Path: "ingress[0].cidr_blocks", Expected: []any{"10.0.0.0/8"}, Actual: []any{"0.0.0.0/0"}}}}
	f := toSecurityFinding(&r, checks, "scn-1", nil)
	assert.Equal(t, "drift", f.GetCategory())
	assert.Equal(t, "DM-AWS-EC2-001", f.GetDrift().GetCheckId())
	assert.Equal(t, FindingID("aws", "123456789012", "eu-west-1", "aws_security_group", "sg-9"), f.GetDrift().GetFindingId(),
		"the drift finding of the same resource")
	assert.Equal(t, "PASS", f.GetDrift().GetState().GetStatus())
	assert.Equal(t, "FAIL", f.GetDrift().GetLive().GetStatus())
	require.Len(t, f.GetDrift().GetChanges(), 1)
	assert.Equal(t, `["10.0.0.0/8"]`, f.GetDrift().GetChanges()[0].GetStateJson())
	assert.NotEmpty(t, f.GetControls(), "controls of the check the drift broke")
	assert.NotEqual(t, SecurityFindingID(&r), SecurityFindingID(&scan.Result{CheckID: r.CheckID, ID: "sg-9", Location: &scan.Location{Path: "x", Line: 1}}))
	long := sgResult("sg-8", scan.Fail)
	for range maxEvidence + 5 {
		long.Evidence = append(long.Evidence, scan.Evidence{Path: "p", Value: 1})
	}
	assert.Len(t, toSecurityFinding(&long, checks, "s", nil).GetEvidence(), maxEvidence)
	assert.Len(t, clipText(string(make([]byte, maxText+10))), maxText)

}
