package controller_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/audit"
	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// The parts of TestAttack about what tenant A sees: reads, streams,
// exports, the tenant header and its agent's writes; then whether B was
// touched and where every attempt was logged.

// requireAuditOfA checks audit events A read are A's own. Args and error
// are what A sent and was told (its probes name B's ids; their answers
// were checked when A got them), so the rest is searched for B.
func (w *atkWorld) requireAuditOfA(t testing.TB, what string, events []*pb.AuditEvent) {
	t.Helper()
	for _, e := range events {
		if e.GetTenant() != atkA || slices.Contains(w.bActors, e.GetActor().GetId()) {
			t.Errorf("%s: entry %d is not A's: %v", what, e.GetSeq(), e)
			continue
		}
		c := proto.Clone(e).(*pb.AuditEvent)
		c.ArgsJson, c.Error = "", ""
		w.requireNoLeak(t, what, atkJSON(t, c), false)
	}
}

// readsStayInTenant calls every read a key of A may make, with an empty
// request, as A's admin and viewer, and A's agent's policy read: no
// answer holds anything of B's, and the totals and facet counts are A's.
func (w *atkWorld) readsStayInTenant(t *testing.T) {
	ctx := timeout(t, 60*time.Second)
	read := 0
	for _, pr := range allProcedures(t) {
		method := pr.name[strings.LastIndex(pr.name, "/")+1:]
		if pr.clientStream || pr.serverStreaming || !(strings.HasPrefix(method, "List") || strings.HasPrefix(method, "Get") ||
			strings.HasPrefix(method, "Verify") || method == "WhoAmI") {
			continue
		}
		need, _ := controller.ProcedureAction(pr.name)
		for _, who := range []struct {
			name, key string
			role      controller.Role
		}{{"A's admin", w.aAdmin, controller.RoleAdmin}, {"A's viewer", w.aViewer, controller.RoleViewer}} {
			if !who.role.Can(need) {
				continue
			}
			what := who.name + ": " + pr.name
			m, err := w.callDynamic(ctx, pr.name, w.opts(who.key, "", "")...)
			if err != nil {
				// A Get without an id: not found, the same for every tenant.
				w.requireNoLeak(t, what, atkErrText(err), true)
				continue
			}
			read++
			if pr.name == driftmgrv1connect.AuditServiceListAuditEventsProcedure {
				var events pb.ListAuditEventsResponse
				require.NoError(t, protojson.Unmarshal([]byte(atkJSON(t, m)), &events))
				w.requireAuditOfA(t, what, events.GetEvents())
				continue
			}
			w.requireNoLeak(t, what, atkJSON(t, m), false)
		}
	}
	t.Logf("%d reads answered", read)

	// Totals and facets count A's findings only.
	a := w.as(w.aViewer)
	list, err := a.findings.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{Facets: atkFindingFacets}))
	require.NoError(t, err)
	w.requireNoLeak(t, "A's findings", atkJSON(t, list.Msg), false)
	assert.EqualValues(t, 2, list.Msg.GetTotalSize(), "A has two drift findings")
	atkRequireFacetsAdd(t, "findings", list.Msg.GetFacets(), list.Msg.GetTotalSize())
	sec, err := a.security.ListSecurityFindings(ctx, connect.NewRequest(&pb.ListSecurityFindingsRequest{Facets: atkSecurityFacets}))
	require.NoError(t, err)
	w.requireNoLeak(t, "A's security findings", atkJSON(t, sec.Msg), false)
	assert.EqualValues(t, 1, sec.Msg.GetTotalSize(), "A has one security finding")
	atkRequireFacetsAdd(t, "security findings", sec.Msg.GetFacets(), sec.Msg.GetTotalSize())
	comp, err := a.security.GetCompliance(ctx, connect.NewRequest(&pb.GetComplianceRequest{}))
	require.NoError(t, err)
	require.Len(t, comp.Msg.GetFrameworks(), 1, "A's scans tally one framework")
	assert.Equal(t, "CIS AWS Foundations v3.0", comp.Msg.GetFrameworks()[0].GetFramework())
	agents, err := a.agents.ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
	require.NoError(t, err)
	require.Len(t, agents.Msg.GetAgents(), 1)
	assert.Equal(t, w.aAgent.ID, agents.Msg.GetAgents()[0].GetId())

	// The agent-facing read too.
	pol, err := w.aAgent.client.GetPolicies(ctx, connect.NewRequest(&pb.GetPoliciesRequest{}))
	require.NoError(t, err)
	w.requireNoLeak(t, "A's agent: GetPolicies", atkJSON(t, pol.Msg), false)
	require.Len(t, pol.Msg.GetPolicies(), 1)
	assert.Equal(t, "acme-owner.rego", pol.Msg.GetPolicies()[0].GetName())
}

// atkRequireFacetsAdd checks each single-valued facet's counts add up to the
// total: a value of B's counted in would show.
func atkRequireFacetsAdd(t testing.TB, what string, facets []*pb.Facet, total int64) {
	t.Helper()
	require.NotEmpty(t, facets)
	for _, f := range facets {
		if f.GetField() == "framework" {
			continue // a finding maps to several
		}
		var n int64
		for _, v := range f.GetValues() {
			n += v.GetCount()
		}
		assert.Equal(t, total, n, "%s: facet %s counts %v", what, f.GetField(), f.GetValues())
	}
}

// watchStaysInTenant: while B changes findings, security findings,
// scans, its mutelist and policies, A's Watch delivers nothing; A's own
// change, committed after B's, is the first event it sees. Then A's
// audit export holds A's entries only, and B's none of A's attempts.
func (w *atkWorld) watchStaysInTenant(t *testing.T) {
	ctx := timeout(t, 60*time.Second)
	s, err := w.as(w.aViewer).events.Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
	require.NoError(t, err)
	defer s.Close()
	require.True(t, s.Receive(), "%v", s.Err())
	first := s.Msg().GetCounts()
	require.NotNil(t, first)

	w.bAgentSeq++
	_, err = w.bAgent.upload(ctx, batch(w.bAgent.Epoch, w.bAgentSeq, record(atkBFinding("gx-drift-9")), record(atkBSecFinding("gx-sec-9")),
		record(&pb.Record{Kind: &pb.Record_Resolved{Resolved: &pb.FindingResolved{FindingId: "gx-drift-1", At: timestamppb.Now()}}}),
		record(&pb.Record{Kind: &pb.Record_ScanCompleted{ScanCompleted: &pb.Scan{Id: "gx-scan-2", StartedAt: timestamppb.Now(), FinishedAt: timestamppb.Now()}}})))
	require.NoError(t, err)
	b := w.as(w.bAdmin)
	_, err = b.findings.AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{Id: "gx-drift-9", Note: "gx ack note"}))
	require.NoError(t, err)
	_, err = b.security.PutMutelist(ctx, connect.NewRequest(&pb.PutMutelistRequest{Yaml: atkBMutelist}))
	require.NoError(t, err)
	_, err = b.security.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "gx-policy.rego", Source: atkBPolicy}))
	require.NoError(t, err)
	_, err = w.aAgent.upload(ctx, findingsBatch(w.aAgent.Epoch, 2, "acme-sentinel", 1, 0))
	require.NoError(t, err)
	for {
		require.True(t, s.Receive(), "A's watch ended: %v", s.Err())
		m := s.Msg()
		w.requireNoLeak(t, "A's watch", atkJSON(t, m), false)
		if fc := m.GetFindingsChanged(); fc != nil {
			require.Equal(t, []string{"acme-sentinel-0"}, fc.GetIds(), "A's watch: the first change is A's own")
			break
		}
		require.NotNil(t, m.GetCounts(), "A's watch delivered an event of B's: %v", m)
		assert.True(t, proto.Equal(first, m.GetCounts()), "B's changes moved A's counts: %v, then %v", first, m.GetCounts())
	}

	// ExportAudit: A's entries, all of them, in a chain that verifies.
	atkFlushAudit(t, w.c)
	export := func(key string) []*pb.AuditEvent {
		t.Helper()
		st, err := w.as(key).audit.ExportAudit(ctx, connect.NewRequest(&pb.ExportAuditRequest{}))
		require.NoError(t, err)
		var out []*pb.AuditEvent
		for st.Receive() {
			out = append(out, st.Msg().GetEvents()...)
		}
		require.NoError(t, st.Err())
		return out
	}
	aEvents := export(w.aAdmin)
	w.requireAuditOfA(t, "A's ExportAudit", aEvents)
	var entries []audit.Entry
	seen := map[string]bool{}
	for _, e := range aEvents {
		entries = append(entries, fsm.EntryOf(e))
		seen[e.GetRequestId()] = true
	}
	require.NoError(t, audit.Verify(entries), "A's exported chain")
	w.mu.Lock()
	attempts := slices.Clone(w.attempts)
	w.mu.Unlock()
	missing := 0
	for _, a := range attempts {
		if a.log == atkA && !seen[a.reqID] {
			missing++
		}
	}
	assert.Zero(t, missing, "A's export lacks %d of A's attempts", missing)
	for _, e := range export(w.bAdmin) {
		assert.Equal(t, atkB, e.GetTenant())
		assert.NotContains(t, w.aKeyIDs, e.GetActor().GetId(), "B's export holds an entry of A's key: %v", e)
		assert.False(t, strings.HasPrefix(e.GetRequestId(), "atk-"), "B's export holds A's attempt: %v", e)
	}
}

// tenantHeader: only a platform owner acts in another tenant by naming
// it; anyone else naming one, however spelled, is refused the same way
// whether or not it exists.
func (w *atkWorld) tenantHeader(t *testing.T) {
	ctx := timeout(t, 30*time.Second)
	me, err := w.clients(w.opts(w.owner, atkB, "")...).tenancy.WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
	require.NoError(t, err)
	assert.Equal(t, atkB, me.Msg.GetTenant(), "the owner acts in B by naming it")
	f, err := w.clients(w.opts(w.owner, atkB, "")...).findings.GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: w.b["finding"]}))
	require.NoError(t, err)
	assert.Equal(t, atkB, f.Msg.GetFinding().GetTenant())
	_, err = w.clients(w.opts(w.owner, atkNowhere, "")...).tenancy.WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
	requireCode(t, err, connect.CodeNotFound, `Driftmgr-Tenant header: tenant "initech" not found`)
	me, err = w.clients(w.opts(w.aAdmin, atkA, "")...).tenancy.WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
	require.NoError(t, err, "naming one's own tenant is no escape")
	assert.Equal(t, atkA, me.Msg.GetTenant())

	for _, tc := range []struct{ who, key, header string }{
		{"A's admin", w.aAdmin, " globex "},
		{"A's admin", w.aAdmin, "GLOBEX"},
		{"A's admin", w.aAdmin, "globex\t"},
		{"A's viewer", w.aViewer, atkB},
		{"A's viewer", w.aViewer, "default"},
	} {
		for _, call := range []struct {
			proc string
			do   func(k atkClients) error
		}{
			{driftmgrv1connect.TenancyServiceWhoAmIProcedure, func(k atkClients) error {
				_, err := k.tenancy.WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
				return err
			}},
			{driftmgrv1connect.EventsServiceWatchProcedure, func(k atkClients) error {
				s, err := k.events.Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
				if err != nil {
					return err
				}
				defer s.Close()
				if s.Receive() {
					return nil
				}
				return s.Err()
			}},
		} {
			rid := w.reqID()
			what := tc.who + " naming tenant " + tc.header + ": " + call.proc
			err := call.do(w.clients(w.opts(tc.key, tc.header, rid)...))
			requireCode(t, err, connect.CodePermissionDenied, "only a platform owner may act in another tenant than its own (acme)")
			w.requireNoLeak(t, what, atkErrText(err), true, strings.TrimSpace(tc.header))
			w.expectAudit(atkAttempt{reqID: rid, what: what, log: atkA, actor: "key:" + atkKeyID(tc.key), action: call.proc, outcome: "permission_denied"})
		}
	}
}

// enrollWithBsTokenID: enrollment is public and finds a token in any
// tenant, so a join token naming B's token id with a wrong secret must be
// answered exactly like one naming an id nobody has.
func (w *atkWorld) enrollWithBsTokenID(t *testing.T) {
	ctx := timeout(t, 30*time.Second)
	_, nobody, _, err := pki.NewJoinToken()
	require.NoError(t, err)
	secret := strings.Repeat("a", 32)
	enroll := func(id string) error {
		rid := w.reqID()
		what := "no credentials: Enroll with join token id " + id + " and a wrong secret"
		_, err := driftmgrv1connect.NewAgentServiceClient(w.hc, w.url, w.opts("", "", rid)...).Enroll(ctx,
			connect.NewRequest(&pb.EnrollRequest{JoinToken: pki.JoinTokenPrefix + "_" + id + "_" + secret, Name: "intruder"}))
		requireCode(t, err, connect.CodeUnauthenticated)
		w.requireNoLeak(t, what, atkErrText(err), true, id)
		w.expectAudit(atkAttempt{reqID: rid, what: what, log: fsm.PlatformAuditTenant, actor: "anonymous",
			action: driftmgrv1connect.AgentServiceEnrollProcedure, outcome: "unauthenticated"})
		return err
	}
	errB, errX := enroll(w.b["token"]), enroll(nobody)
	assert.Equal(t, strings.ReplaceAll(atkErrMessage(errX), nobody, w.b["token"]), atkErrMessage(errB), "B's token id reads unlike one nobody has")
}

// agentWritesStayInTenant: A's agent uploading records with B's ids
// (a finding, a resolution, a security resolution, a scan), even naming B
// in the tenant header, writes A's namespace only.
func (w *atkWorld) agentWritesStayInTenant(t *testing.T) {
	ctx := timeout(t, 30*time.Second)
	sneaky := driftmgrv1connect.NewAgentServiceClient(w.aAgent.http, w.url, controller.InTenant(atkB))
	_, err := sneaky.Upload(ctx, connect.NewRequest(batch(w.aAgent.Epoch, 3, record(finding("gx-drift-0", pb.Severity_SEVERITY_LOW, 0)),
		record(&pb.Record{Kind: &pb.Record_Resolved{Resolved: &pb.FindingResolved{FindingId: "gx-drift-2", At: timestamppb.Now()}}}),
		record(&pb.Record{Kind: &pb.Record_SecurityResolved{SecurityResolved: &pb.SecurityResolved{FindingId: "gx-sec-1"}}}),
		record(&pb.Record{Kind: &pb.Record_ScanCompleted{ScanCompleted: &pb.Scan{Id: "gx-scan-1", StartedAt: timestamppb.Now(), FinishedAt: timestamppb.Now()}}}))))
	require.NoError(t, err)
	mine, err := w.as(w.aViewer).findings.GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "gx-drift-0"}))
	require.NoError(t, err, "A's agent wrote A's own finding of that id")
	assert.Equal(t, atkA, mine.Msg.GetFinding().GetTenant())
	assert.Equal(t, w.aAgent.ID, mine.Msg.GetFinding().GetAgentId())
}

// bUntouched reads B's objects as B's admin: nothing A did changed them.
func (w *atkWorld) bUntouched(t *testing.T) {
	ctx := timeout(t, 30*time.Second)
	b := w.as(w.bAdmin)
	for id, status := range map[string]pb.FindingStatus{"gx-drift-0": pb.FindingStatus_FINDING_STATUS_OPEN,
		"gx-drift-2": pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED} {
		f, err := b.findings.GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: id, Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
		require.NoError(t, err, id)
		assert.Equal(t, status, f.Msg.GetFinding().GetStatus(), id)
		assert.Equal(t, "key-"+id, f.Msg.GetFinding().GetResource().GetId(), id)
		assert.Equal(t, w.bAgent.ID, f.Msg.GetFinding().GetAgentId(), id)
	}
	_, err := b.security.GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{Id: "gx-sec-1"}))
	require.NoError(t, err, "A's agent did not resolve B's security finding")
	scans, err := b.findings.ListScans(ctx, connect.NewRequest(&pb.ListScansRequest{}))
	require.NoError(t, err)
	for _, sc := range scans.Msg.GetScans() {
		assert.Equal(t, w.bAgent.ID, sc.GetAgentId(), "B's scans are its agent's: %v", sc)
	}
	agents, err := b.agents.ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
	require.NoError(t, err)
	require.Len(t, agents.Msg.GetAgents(), 1)
	assert.False(t, agents.Msg.GetAgents()[0].GetRevoked(), "B's agent is not revoked")
	toks, err := b.agents.ListJoinTokens(ctx, connect.NewRequest(&pb.ListJoinTokensRequest{}))
	require.NoError(t, err)
	require.Len(t, toks.Msg.GetTokens(), 1)
	assert.Equal(t, w.b["token"], toks.Msg.GetTokens()[0].GetId())
	for _, kind := range []string{"user", "user2"} {
		u, err := b.tenancy.GetUser(ctx, connect.NewRequest(&pb.GetUserRequest{Id: w.b[kind]}))
		require.NoError(t, err, kind)
		assert.False(t, u.Msg.GetUser().GetDisabled(), kind)
	}
	keys, err := b.tenancy.ListAPIKeys(ctx, connect.NewRequest(&pb.ListAPIKeysRequest{}))
	require.NoError(t, err)
	for _, k := range keys.Msg.GetKeys() {
		assert.False(t, k.GetRevoked(), "B's key %s", k.GetId())
	}
	sas, err := b.tenancy.ListServiceAccounts(ctx, connect.NewRequest(&pb.ListServiceAccountsRequest{}))
	require.NoError(t, err)
	require.Len(t, sas.Msg.GetServiceAccounts(), 1)
	_, err = b.tenancy.GetProject(ctx, connect.NewRequest(&pb.GetProjectRequest{Id: w.b["project"]}))
	require.NoError(t, err)
	pols, err := b.security.ListPolicies(ctx, connect.NewRequest(&pb.ListPoliciesRequest{}))
	require.NoError(t, err)
	require.Len(t, pols.Msg.GetPolicies(), 1)
	assert.Equal(t, atkBPolicy, pols.Msg.GetPolicies()[0].GetSource())
	ml, err := b.security.GetMutelist(ctx, connect.NewRequest(&pb.GetMutelistRequest{}))
	require.NoError(t, err)
	assert.Equal(t, atkBMutelist, ml.Msg.GetYaml())
	for _, key := range []string{w.bAdmin, w.bSAKey} {
		me, err := w.as(key).tenancy.WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
		require.NoError(t, err, "B's keys still work")
		assert.Equal(t, atkB, me.Msg.GetTenant())
	}
	tn, err := w.as(w.owner).tenancy.GetTenant(ctx, connect.NewRequest(&pb.GetTenantRequest{Id: atkB}))
	require.NoError(t, err)
	assert.False(t, tn.Msg.GetTenant().GetDisabled())
}

// auditedWhereItBelongs: every attempt is in its tenant's chain (or the
// platform's for ones that prove no tenant), as the right actor, action
// and outcome; none of A's is in B's; every chain verifies.
func (w *atkWorld) auditedWhereItBelongs(t *testing.T) {
	atkFlushAudit(t, w.c)
	logs := w.auditLogs(t, 0)
	w.mu.Lock()
	attempts := slices.Clone(w.attempts)
	w.mu.Unlock()
	atkRequireAudited(t, logs, attempts)
	byLog := map[string]int{}
	for _, a := range attempts {
		byLog[a.log]++
	}
	t.Logf("%d attempts: %d in A's chain, %d in the platform's", len(attempts), byLog[atkA], byLog[fsm.PlatformAuditTenant])
	for name, entries := range logs {
		require.NotEmpty(t, entries, "the chain of %s", name)
		assert.NoError(t, audit.Verify(entries), "the chain of %s", name)
	}
	for _, e := range logs[atkB] {
		assert.NotContains(t, w.aKeyIDs, e.Actor.ID, "B's chain holds an entry of A's key: %+v", e)
	}
	for _, e := range logs[fsm.PlatformAuditTenant] {
		assert.Equal(t, audit.ActorAnonymous, e.Actor.Kind, "the platform's chain holds only calls that prove no tenant: %+v", e)
	}
}

// undecodable sends every unary procedure and every REST route with a
// body a body that does not decode, with no credentials: refused, and
// nothing of B's in the answer.
func (w *atkWorld) undecodable(t *testing.T, procs []procedure, routes []atkRoute) {
	var sent []atkAttempt
	for _, pr := range procs {
		if pr.clientStream || pr.serverStreaming {
			continue
		}
		rid := w.reqID()
		res := w.raw(t, http.MethodPost, pr.name, "{not json", map[string]string{"Content-Type": "application/json",
			"Connect-Protocol-Version": "1", "X-Request-Id": rid})
		what := "no credentials, undecodable body: " + pr.name
		assert.NotEqual(t, 2, res.status/100, "%s was answered: %s", what, res.body)
		w.requireNoLeak(t, what, res.text(), true)
		sent = append(sent, atkAttempt{reqID: rid, what: what, log: fsm.PlatformAuditTenant, actor: "anonymous", action: pr.name})
	}
	for _, rt := range routes {
		if !rt.body {
			continue
		}
		rid := w.reqID()
		res := w.raw(t, rt.method, rt.fill("atk-x1", nil), "{not json", map[string]string{"Content-Type": "application/json", "X-Request-Id": rid})
		what := "no credentials, undecodable body: " + rt.String()
		assert.NotEqual(t, 2, res.status/100, "%s was answered: %s", what, res.body)
		w.requireNoLeak(t, what, res.text(), true)
		// Answered before the route is matched to its procedure, so it
		// is logged by method and path.
		sent = append(sent, atkAttempt{reqID: rid, what: what, log: fsm.PlatformAuditTenant, actor: "anonymous", action: rt.method + " " + rt.fill("atk-x1", nil)})
	}
	t.Run("and audited", func(t *testing.T) {
		// Connect decodes a unary request before it runs the interceptors;
		// the HTTP layer logs what they never saw.
		atkFlushAudit(t, w.c)
		logged := map[string]bool{}
		for _, e := range w.auditLogs(t, 0)[fsm.PlatformAuditTenant] {
			logged[e.RequestID] = true
		}
		for _, a := range sent {
			assert.True(t, logged[a.reqID], "%s is not in the platform's audit log", a.what)
		}
	})
}

// metricsShowNothingOfB: B's calls refused over its request rate are
// counted in the public /metrics without their paths, which hold B's ids.
func (w *atkWorld) metricsShowNothingOfB(t *testing.T) {
	path := "/api/v1/findings/" + w.b["finding"]
	refused := 0
	for i := 0; i < atkBBurst+50 && refused < 3; i++ {
		res := w.rest(t, http.MethodGet, path, false, map[string]string{"Authorization": "Bearer " + w.bAdmin})
		if res.status == http.StatusTooManyRequests {
			refused++
			continue
		}
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	}
	require.Equal(t, 3, refused, "B's calls reach its request rate")
	res := w.raw(t, http.MethodGet, "/metrics", "", nil)
	require.Equal(t, http.StatusOK, res.status)
	w.requireNoLeak(t, "anonymous GET /metrics", res.text(), true)
	assert.Contains(t, string(res.body), `procedure="GET /api/v1/*"`, "the refusals are counted")
}
