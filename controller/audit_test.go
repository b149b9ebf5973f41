package controller_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/audit"
	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

func auditClient(c *testcluster.Cluster, url, key string) driftmgrv1connect.AuditServiceClient {
	return driftmgrv1connect.NewAuditServiceClient(c.HTTPClient(nil), url, testcluster.Bearer(key))
}

func TestAuditLog(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	c.APIKey(t)
	leader := c.WaitLeader(t, waitLong)
	f := c.Follower(t)
	lurl, furl := "https://"+leader.APIAddr, "https://"+f.APIAddr
	ctx := timeout(t, 90*time.Second)
	acmeAdmin, acmeViewer, globexAdmin := addKey(t, c, "acme", "admin"), addKey(t, c, "acme", "viewer"), addKey(t, c, "globex", "admin")

	// Calls through a follower are audited there and replicated.
	_, err := findingsClient(c, furl, acmeViewer).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "f-nope"}))
	requireCode(t, err, connect.CodeNotFound)
	_, err = agentsClient(c, furl, acmeViewer).RevokeAgent(ctx, connect.NewRequest(&pb.RevokeAgentRequest{AgentId: "agt-x"}))
	requireCode(t, err, connect.CodePermissionDenied)
	tok := joinToken(t, c, lurl, acmeAdmin, 1)
	_, err = enrollWith(t, c, furl, tok, "audited-agent")
	require.NoError(t, err)
	_, err = findingsClient(c, lurl, globexAdmin).ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
	require.NoError(t, err)
	_, err = findingsClient(c, lurl, "").ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
	requireCode(t, err, connect.CodeUnauthenticated)
	revoked := storedKey(t, c, func(k *pb.StoredAPIKey) { k.Tenant, k.Revoked = "acme", true })
	_, err = findingsClient(c, furl, revoked).ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
	requireCode(t, err, connect.CodeUnauthenticated, "revoked")
	wrong := revoked[:len(revoked)-4] + "zzzz"
	_, err = findingsClient(c, furl, wrong).ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
	requireCode(t, err, connect.CodeUnauthenticated, "not valid")
	for _, n := range c.Members() {
		require.NoError(t, n.Server().FlushAudit(ctx))
	}

	list := func(key string, req *pb.ListAuditEventsRequest) []*pb.AuditEvent {
		t.Helper()
		req.Consistency = pb.Consistency_CONSISTENCY_CONSISTENT
		resp, err := auditClient(c, lurl, key).ListAuditEvents(ctx, connect.NewRequest(req))
		require.NoError(t, err)
		return resp.Msg.GetEvents()
	}
	evs := list(acmeAdmin, &pb.ListAuditEventsRequest{PageSize: 1000})
	byAction := map[string]*pb.AuditEvent{}
	for _, e := range evs {
		assert.Equal(t, "acme", e.GetTenant(), "only acme's entries")
		byAction[e.GetAction()] = e
	}
	get := byAction[driftmgrv1connect.FindingsServiceGetFindingProcedure]
	require.NotNil(t, get, "%v", evs)
	assert.Equal(t, "not_found", get.GetOutcome())
	assert.Equal(t, "key", get.GetActor().GetKind())
	assert.Equal(t, "127.0.0.1", get.GetRemote())
	assert.NotEmpty(t, get.GetRequestId())
	assert.JSONEq(t, `{"id":"f-nope"}`, get.GetArgsJson())
	revoke := byAction[driftmgrv1connect.AgentsServiceRevokeAgentProcedure]
	require.NotNil(t, revoke)
	assert.Equal(t, "permission_denied", revoke.GetOutcome())
	assert.Contains(t, revoke.GetError(), "role viewer may not call")
	assert.NotNil(t, byAction[driftmgrv1connect.AgentsServiceCreateJoinTokenProcedure])
	enroll := byAction[driftmgrv1connect.AgentServiceEnrollProcedure]
	require.NotNil(t, enroll, "an enrollment is logged in the token's tenant")
	assert.Equal(t, "agent", enroll.GetActor().GetKind())
	assert.Contains(t, enroll.GetArgsJson(), "audited-agent")
	assert.NotContains(t, enroll.GetArgsJson(), tok, "the join token is redacted")
	for _, e := range evs {
		assert.NotContains(t, e.GetArgsJson(), tok)
	}
	// A revoked key's use is in its tenant's log; a wrong secret proves
	// nothing about whose key it is and goes to the platform's.
	var revokedUse, wrongUse int
	for _, e := range evs {
		if e.GetOutcome() == "unauthenticated" && e.GetActor().GetKind() == "key" && strings.Contains(revoked, e.GetActor().GetId()) {
			revokedUse++
			assert.Contains(t, e.GetError(), "revoked")
		}
		if strings.Contains(e.GetError(), "not valid") {
			wrongUse++
		}
	}
	assert.Equal(t, 1, revokedUse)
	assert.Zero(t, wrongUse)

	// Filters and paging.
	failed := list(acmeAdmin, &pb.ListAuditEventsRequest{Outcome: "failed"})
	for _, e := range failed {
		assert.NotEqual(t, "ok", e.GetOutcome())
	}
	assert.GreaterOrEqual(t, len(failed), 2)
	newest := list(acmeAdmin, &pb.ListAuditEventsRequest{Newest: true, PageSize: 1})
	require.Len(t, newest, 1)
	// The listings are audited too, and may land between two of them.
	after := list(acmeAdmin, &pb.ListAuditEventsRequest{PageSize: 1000})
	assert.GreaterOrEqual(t, newest[0].GetSeq(), evs[len(evs)-1].GetSeq())
	assert.LessOrEqual(t, newest[0].GetSeq(), after[len(after)-1].GetSeq())
	resp, err := auditClient(c, lurl, acmeAdmin).ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{PageSize: 2}))
	require.NoError(t, err)
	require.NotEmpty(t, resp.Msg.GetNextPageToken())
	next, err := auditClient(c, lurl, acmeAdmin).ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{PageSize: 2, PageToken: resp.Msg.GetNextPageToken()}))
	require.NoError(t, err)
	assert.Equal(t, resp.Msg.GetEvents()[1].GetSeq()+1, next.Msg.GetEvents()[0].GetSeq())
	_, err = auditClient(c, lurl, acmeAdmin).ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{PageToken: resp.Msg.GetNextPageToken(), Newest: true}))
	requireCode(t, err, connect.CodeInvalidArgument, "page_token")
	_, err = auditClient(c, lurl, acmeAdmin).ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{ActorKind: "robot"}))
	requireCode(t, err, connect.CodeInvalidArgument, "actor_kind")

	// globex sees its own only.
	for _, e := range list(globexAdmin, &pb.ListAuditEventsRequest{PageSize: 1000}) {
		assert.Equal(t, "globex", e.GetTenant())
	}

	// A viewer may not read the log, and the attempt is itself audited.
	_, err = auditClient(c, lurl, acmeViewer).ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{}))
	requireCode(t, err, connect.CodePermissionDenied)
	require.NoError(t, leader.Server().FlushAudit(ctx))
	denied := list(acmeAdmin, &pb.ListAuditEventsRequest{ActionPrefix: "/driftmgr.v1.AuditService/", Outcome: "permission_denied"})
	require.Len(t, denied, 1)

	// The export verifies as a chain, and the server's verification
	// names the same head.
	stream, err := auditClient(c, furl, acmeAdmin).ExportAudit(ctx, connect.NewRequest(&pb.ExportAuditRequest{}))
	require.NoError(t, err)
	var entries []audit.Entry
	for stream.Receive() {
		for _, e := range stream.Msg().GetEvents() {
			entries = append(entries, fsm.EntryOf(e))
		}
	}
	require.NoError(t, stream.Err())
	require.NotEmpty(t, entries)
	require.NoError(t, audit.Verify(entries))
	v, err := auditClient(c, lurl, acmeAdmin).VerifyAudit(ctx, connect.NewRequest(&pb.VerifyAuditRequest{}))
	require.NoError(t, err)
	assert.Empty(t, v.Msg.GetError())
	assert.GreaterOrEqual(t, v.Msg.GetEntries(), uint64(len(entries)))
	assert.NotEmpty(t, v.Msg.GetHeadHash())
}
