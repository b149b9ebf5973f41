package controller_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

func securityClient(c *testcluster.Cluster, url, key string) driftmgrv1connect.SecurityServiceClient {
	return driftmgrv1connect.NewSecurityServiceClient(c.HTTPClient(nil), url, testcluster.Bearer(key))
}

func secFinding(id, check string, sev pb.Severity) *pb.Record {
	return &pb.Record{Kind: &pb.Record_SecurityFinding{SecurityFinding: &pb.SecurityFinding{
		Id: id, CheckId: check, Title: "Security group allows SSH from the world", Severity: sev,
		Status:   pb.SecurityStatus_SECURITY_STATUS_FAIL,
		Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_security_group", Id: "sg-" + id, Account: "111", Region: "eu-west-1"},
		Message:  "ingress[0] admits 0.0.0.0/0 to port 22", Category: "check", LastSeen: timestamppb.Now(), ScanId: "scan-1",
		Evidence: []*pb.Evidence{{Path: "ingress[0].cidr_blocks", ValueJson: `["0.0.0.0/0"]`}},
		Controls: []*pb.ControlRef{{Framework: "CIS AWS Foundations v3.0", Control: "5.2"}},
	}}}
}

func secTally(scanID string) *pb.Record {
	return &pb.Record{Kind: &pb.Record_ScanCompleted{ScanCompleted: &pb.Scan{Id: scanID, StartedAt: timestamppb.Now(), FinishedAt: timestamppb.Now(),
		Security: &pb.SecurityTally{Checks: []*pb.CheckTally{{CheckId: "DM-AWS-EC2-001", Title: "SSH from the world", Severity: pb.Severity_SEVERITY_HIGH,
			Passed: 6, Failed: 2, Controls: []*pb.ControlRef{{Framework: "CIS AWS Foundations v3.0", Control: "5.2"}}}}}}}}
}

const goodPolicy = `# METADATA
# title: Buckets carry an owner tag
# custom:
#   id: ACME-TAG-001
#   severity: low
#   frameworks: [ACME Baseline]
#   resource_types: [aws_s3_bucket]
package driftmgr.acme.owner

deny contains "bucket has no owner tag" if {
	not input.resource.attributes.tags.owner
}
`

func TestSecurityService(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	c.APIKey(t)
	url := c.URL(0)
	ctx := timeout(t, 90*time.Second)
	acmeAdmin, acmeViewer := addKey(t, c, "acme", "admin"), addKey(t, c, "acme", "viewer")
	globexViewer := addKey(t, c, "globex", "viewer")
	agent := enrollAgent(t, c, url, acmeAdmin)

	watch, err := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), url, testcluster.Bearer(acmeViewer)).Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
	require.NoError(t, err)
	defer watch.Close()
	require.True(t, watch.Receive())

	_, err = agent.upload(ctx, batch(agent.Epoch, 1, record(secFinding("s1", "DM-AWS-EC2-001", pb.Severity_SEVERITY_HIGH)),
		record(secFinding("s2", "DM-AWS-EC2-001", pb.Severity_SEVERITY_CRITICAL)), record(secTally("scan-1"))))
	require.NoError(t, err)
	var changed *pb.SecurityChanged
	for changed == nil && watch.Receive() {
		changed = watch.Msg().GetSecurityChanged()
	}
	require.NotNil(t, changed, "watch: %v", watch.Err())
	assert.ElementsMatch(t, []string{"s1", "s2"}, changed.GetIds())
	assert.True(t, changed.GetPosture())

	sv := securityClient(c, url, acmeViewer)
	t.Run("list, facets and get", func(t *testing.T) {
		list, err := sv.ListSecurityFindings(ctx, connect.NewRequest(&pb.ListSecurityFindingsRequest{Facets: []string{"severity", "framework"},
			Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
		require.NoError(t, err)
		require.EqualValues(t, 2, list.Msg.GetTotalSize())
		assert.Equal(t, "s2", list.Msg.GetFindings()[0].GetId(), "critical first")
		assert.Equal(t, "acme", list.Msg.GetFindings()[0].GetTenant())
		assert.Equal(t, agent.ID, list.Msg.GetFindings()[0].GetAgentId())
		require.Len(t, list.Msg.GetFacets(), 2)
		assert.Equal(t, "CIS AWS Foundations v3.0", list.Msg.GetFacets()[1].GetValues()[0].GetValue())
		got, err := sv.GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{Id: "s1"}))
		require.NoError(t, err)
		assert.Equal(t, "ingress[0] admits 0.0.0.0/0 to port 22", got.Msg.GetFinding().GetMessage())
		_, err = sv.ListSecurityFindings(ctx, connect.NewRequest(&pb.ListSecurityFindingsRequest{OrderBy: "colour"}))
		requireCode(t, err, connect.CodeInvalidArgument, `order_by: "colour" is not a sort key`)
	})
	t.Run("compliance", func(t *testing.T) {
		comp, err := sv.GetCompliance(ctx, connect.NewRequest(&pb.GetComplianceRequest{}))
		require.NoError(t, err)
		require.Len(t, comp.Msg.GetFrameworks(), 1)
		fw := comp.Msg.GetFrameworks()[0]
		assert.EqualValues(t, 6, fw.GetPassed())
		assert.EqualValues(t, 2, fw.GetFailed())
		assert.InDelta(t, 0.75, fw.GetScore(), 1e-9)
		assert.Equal(t, []string{"s1", "s2"}, fw.GetControls()[0].GetFindingIds())
		assert.EqualValues(t, 15, comp.Msg.GetRiskScore())
		code, _, body := get(t, c, url+"/api/v1/security/compliance?framework=CIS%20AWS%20Foundations%20v3.0", acmeViewer)
		require.Equal(t, http.StatusOK, code, "%s", body)
		assert.Contains(t, string(body), `"controlsFailing":"1"`)
	})
	t.Run("another tenant sees nothing and learns nothing", func(t *testing.T) {
		gs := securityClient(c, url, globexViewer)
		_, errOther := gs.GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{Id: "s1"}))
		_, errMissing := gs.GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{Id: "zz"}))
		requireCode(t, errOther, connect.CodeNotFound)
		require.Equal(t, strings.ReplaceAll(errMissing.Error(), "zz", "s1"), errOther.Error())
		list, err := gs.ListSecurityFindings(ctx, connect.NewRequest(&pb.ListSecurityFindingsRequest{Facets: []string{"check_id"}}))
		require.NoError(t, err)
		assert.Zero(t, list.Msg.GetTotalSize())
		assert.Empty(t, list.Msg.GetFacets()[0].GetValues(), "no facet value leaks")
		comp, err := gs.GetCompliance(ctx, connect.NewRequest(&pb.GetComplianceRequest{}))
		require.NoError(t, err)
		assert.Empty(t, comp.Msg.GetFrameworks())
		code, _, _ := get(t, c, url+"/api/v1/security/findings/s1", globexViewer)
		assert.Equal(t, http.StatusNotFound, code)
	})
	t.Run("mutelist", func(t *testing.T) {
		admin := securityClient(c, url, acmeAdmin)
		_, err := admin.PutMutelist(ctx, connect.NewRequest(&pb.PutMutelistRequest{Yaml: "mutelist:\n  - check: DM-AWS-EC2-001\n    resource: '*'\n    owner: sec\n"}))
		requireCode(t, err, connect.CodeInvalidArgument, "mutelist:2: entry 1 needs reason")
		_, err = admin.PutMutelist(ctx, connect.NewRequest(&pb.PutMutelistRequest{Yaml: strings.Repeat("#", 300<<10)}))
		requireCode(t, err, connect.CodeInvalidArgument, "at most")
		yaml := "mutelist:\n  - check: DM-AWS-EC2-001\n    resource: aws_security_group.sg-s1\n    reason: bastion behind a NACL\n    owner: platform\n" +
			"  - check: DM-AWS-S3-*\n    resource: '*'\n    reason: old\n    owner: x\n    expires: 2020-01-01\n"
		put, err := admin.PutMutelist(ctx, connect.NewRequest(&pb.PutMutelistRequest{Yaml: yaml}))
		require.NoError(t, err)
		assert.EqualValues(t, 2, put.Msg.GetEntries())
		got, err := sv.GetMutelist(ctx, connect.NewRequest(&pb.GetMutelistRequest{}))
		require.NoError(t, err)
		assert.Equal(t, yaml, got.Msg.GetYaml())
		assert.Contains(t, got.Msg.GetUpdatedBy(), "key:")
		require.Len(t, got.Msg.GetExpired(), 1)
		assert.Contains(t, got.Msg.GetExpired()[0], "line 6")
		f, err := sv.GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{Id: "s1"}))
		require.NoError(t, err)
		assert.Equal(t, pb.SecurityStatus_SECURITY_STATUS_MUTED, f.Msg.GetFinding().GetStatus())
		assert.Equal(t, "bastion behind a NACL", f.Msg.GetFinding().GetMute().GetReason())
		comp, err := sv.GetCompliance(ctx, connect.NewRequest(&pb.GetComplianceRequest{}))
		require.NoError(t, err)
		assert.EqualValues(t, 1, comp.Msg.GetMuted())
		assert.EqualValues(t, 10, comp.Msg.GetRiskScore(), "the muted high failure no longer counts")
		// The other tenant's mutelist is its own.
		gm, err := securityClient(c, url, globexViewer).GetMutelist(ctx, connect.NewRequest(&pb.GetMutelistRequest{}))
		require.NoError(t, err)
		assert.Empty(t, gm.Msg.GetYaml())
	})
	t.Run("policies", func(t *testing.T) {
		admin := securityClient(c, url, acmeAdmin)
		_, err := admin.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "../etc/passwd", Source: goodPolicy}))
		requireCode(t, err, connect.CodeInvalidArgument, "want a file name ending in .rego")
		_, err = admin.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "bad.rego", Source: "package x\n\ndeny contains msg if {\n  msg := \n}\n"}))
		requireCode(t, err, connect.CodeInvalidArgument, "bad.rego:")
		put, err := admin.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "owner.rego", Source: goodPolicy}))
		require.NoError(t, err)
		assert.Equal(t, []string{"ACME-TAG-001"}, put.Msg.GetPolicy().GetCheckIds())
		// A second module declaring the same id is refused: the set must load.
		_, err = admin.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "dup.rego", Source: strings.Replace(goodPolicy, "acme.owner", "acme.owner2", 1)}))
		requireCode(t, err, connect.CodeInvalidArgument, "ACME-TAG-001 already declared")

		list, err := sv.ListPolicies(ctx, connect.NewRequest(&pb.ListPoliciesRequest{}))
		require.NoError(t, err)
		require.Len(t, list.Msg.GetPolicies(), 1)
		rev := list.Msg.GetRevision()
		require.NotZero(t, rev)

		// The tenant's agent receives them, and nothing when it is current.
		pol, err := agent.client.GetPolicies(ctx, connect.NewRequest(&pb.GetPoliciesRequest{}))
		require.NoError(t, err)
		require.Len(t, pol.Msg.GetPolicies(), 1)
		assert.Equal(t, goodPolicy, pol.Msg.GetPolicies()[0].GetSource())
		pol, err = agent.client.GetPolicies(ctx, connect.NewRequest(&pb.GetPoliciesRequest{KnownRevision: rev}))
		require.NoError(t, err)
		assert.True(t, pol.Msg.GetUnchanged())
		assert.Empty(t, pol.Msg.GetPolicies())

		// A helper other policies import cannot be deleted from under them.
		lib := "package driftmgr.lib.tags\n\nhas_owner(r) if r.attributes.tags.owner\n"
		user := strings.Replace(strings.Replace(goodPolicy, "acme.owner", "acme.owner3", 1), "ACME-TAG-001", "ACME-TAG-003", 1)
		user = strings.Replace(user, "not input.resource.attributes.tags.owner", "not data.driftmgr.lib.tags.has_owner(input.resource)", 1)
		_, err = admin.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "lib.rego", Source: lib}))
		require.NoError(t, err)
		_, err = admin.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "user.rego", Source: user}))
		require.NoError(t, err)
		_, err = admin.DeletePolicy(ctx, connect.NewRequest(&pb.DeletePolicyRequest{Name: "lib.rego"}))
		requireCode(t, err, connect.CodeFailedPrecondition, "need lib.rego")
		_, err = admin.DeletePolicy(ctx, connect.NewRequest(&pb.DeletePolicyRequest{Name: "nope.rego"}))
		requireCode(t, err, connect.CodeNotFound, `policy "nope.rego" not found`)
		_, err = admin.DeletePolicy(ctx, connect.NewRequest(&pb.DeletePolicyRequest{Name: "owner.rego"}))
		require.NoError(t, err)
		pol, err = agent.client.GetPolicies(ctx, connect.NewRequest(&pb.GetPoliciesRequest{KnownRevision: rev}))
		require.NoError(t, err)
		assert.False(t, pol.Msg.GetUnchanged())
		assert.Len(t, pol.Msg.GetPolicies(), 2)
		// Another tenant's agent-facing and admin-facing lists are empty.
		gl, err := securityClient(c, url, globexViewer).ListPolicies(ctx, connect.NewRequest(&pb.ListPoliciesRequest{}))
		require.NoError(t, err)
		assert.Empty(t, gl.Msg.GetPolicies())
	})
	t.Run("resolved", func(t *testing.T) {
		_, err := agent.upload(ctx, batch(agent.Epoch, 2, record(&pb.Record{Kind: &pb.Record_SecurityResolved{SecurityResolved: &pb.SecurityResolved{FindingId: "s2"}}})))
		require.NoError(t, err)
		_, err = sv.GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{Id: "s2", Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
		requireCode(t, err, connect.CodeNotFound)
	})
	t.Run("a bad security record refuses the batch with a reason", func(t *testing.T) {
		bad := secFinding("s9", "DM-AWS-EC2-001", pb.Severity_SEVERITY_HIGH)
		bad.GetSecurityFinding().Status = pb.SecurityStatus_SECURITY_STATUS_MUTED
		_, err := agent.upload(ctx, batch(agent.Epoch, 3, record(bad)))
		requireCode(t, err, connect.CodeInvalidArgument, "agents send FAIL only")
	})
}
