package controller_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/audit"
	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// TestAttack is the attacker of issue 5: for every procedure and REST
// route, every missing, broken, stolen or too-weak credential is refused;
// tenant A asking for tenant B's objects by id, in lists, filters, facets,
// streams and exports learns nothing, not even that they exist; and each
// attempt is in the audit log of the tenant it came from (or the
// platform's), in a chain that verifies. One cluster serves every subtest,
// in order.
func TestAttack(t *testing.T) {
	w := newAtkWorld(t)
	procs, routes := allProcedures(t), atkRoutes(t)

	t.Run("every procedure refuses the attacker's credentials", func(t *testing.T) {
		for _, cr := range w.creds() {
			t.Run(cr.name, func(t *testing.T) {
				for _, p := range atkProtocols {
					w.attackProcedures(t, cr, p, procs)
				}
			})
		}
	})
	t.Run("every REST route refuses the attacker's credentials", func(t *testing.T) {
		for _, cr := range w.creds() {
			t.Run(cr.name, func(t *testing.T) { w.attackRoutes(t, cr, routes) })
		}
	})
	t.Run("A asks for B's objects by id", func(t *testing.T) { w.probeRPC(t, false) })
	t.Run("A asks for B's objects by id over REST", func(t *testing.T) { w.probeREST(t, routes) })
	t.Run("A's reads show A's data only", func(t *testing.T) { w.readsStayInTenant(t) })
	t.Run("Watch carries none of B's events", func(t *testing.T) { w.watchStaysInTenant(t) })
	t.Run("the tenant header", func(t *testing.T) { w.tenantHeader(t) })
	t.Run("Enroll with B's join token id", func(t *testing.T) { w.enrollWithBsTokenID(t) })
	t.Run("A creates objects named like B's", func(t *testing.T) { w.probeRPC(t, true) })
	t.Run("A's agent writes B's ids", func(t *testing.T) { w.agentWritesStayInTenant(t) })
	t.Run("B is untouched", func(t *testing.T) { w.bUntouched(t) })
	t.Run("undecodable requests", func(t *testing.T) { w.undecodable(t, procs, routes) })
	t.Run("the public metrics show nothing of B's", func(t *testing.T) { w.metricsShowNothingOfB(t) })
	t.Run("every attempt is audited where it belongs", func(t *testing.T) { w.auditedWhereItBelongs(t) })
}

// TestAttackRevokedKeyOnFollowers: once RevokeAPIKey (or disabling the
// key's user) answers, the key is refused by every node at once,
// followers included, on every procedure, and the refusals are logged in
// the key's tenant.
func TestAttackRevokedKeyOnFollowers(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	owner := c.APIKey(t)
	ctx := timeout(t, 120*time.Second)
	leader, follower := c.WaitLeader(t, waitLong).Index, c.Follower(t).Index
	_, err := tenancyClient(c, leader, owner, "").CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: atkA}))
	require.NoError(t, err)
	_, admin := newUserKey(t, tenancyClient(c, leader, owner, atkA), "alice", "admin")
	acme := tenancyClient(c, follower, admin, "")
	_, err = acme.CreateServiceAccount(ctx, connect.NewRequest(&pb.CreateServiceAccountRequest{Id: "ci", Role: "operator"}))
	require.NoError(t, err)
	k, err := acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: "ci"}}))
	require.NoError(t, err)
	carol, carolKey := newUserKey(t, acme, "carol", "operator")
	for i := range 3 {
		for _, key := range []string{k.Msg.GetSecret(), carolKey} {
			_, err := whoami(t, tenancyClient(c, i, key, ""))
			require.NoError(t, err, "node %d knows the key before it is revoked", i)
		}
	}

	// Revoked through a follower, disabled through the leader: each
	// answer means every node refuses.
	_, err = acme.RevokeAPIKey(ctx, connect.NewRequest(&pb.RevokeAPIKeyRequest{Id: k.Msg.GetKey().GetId()}))
	require.NoError(t, err)
	_, err = tenancyClient(c, leader, admin, "").UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: carol.GetId(), Disabled: proto.Bool(true)}))
	require.NoError(t, err)

	hc := c.HTTPClient(nil)
	type sent struct{ reqID, actor, what string }
	var attempts []sent
	n := 0
	for _, key := range []struct{ secret, refusal string }{{k.Msg.GetSecret(), "api key is revoked"}, {carolKey, "api key's user carol is disabled"}} {
		for i := range 3 {
			for _, pr := range allProcedures(t) {
				n++
				id := fmt.Sprintf("revoked-%05d", n)
				what := fmt.Sprintf("node %d: %s with %q", i, pr.name, key.refusal)
				err := callProcedure(timeout(t, 15*time.Second), hc, c.URL(i), pr, testcluster.Bearer(key.secret),
					connect.WithInterceptors(withHeader{"X-Request-Id", id}))
				need, _ := controller.ProcedureAction(pr.name)
				if need == controller.ActionPublic {
					assert.Error(t, err, what)
					continue
				}
				if assert.Equal(t, connect.CodeUnauthenticated, connect.CodeOf(err), "%s: %v", what, err) {
					assert.Contains(t, err.Error(), key.refusal, what)
				}
				attempts = append(attempts, sent{id, "key:" + atkKeyID(key.secret), what})
			}
			res := atkRESTGet(t, c, i, "/api/v1/findings", key.secret)
			assert.Equal(t, 401, res.status, "node %d: REST: %s", i, res.body)
		}
	}
	atkFlushAudit(t, c)
	for i := range 3 {
		logs := atkReadAuditLogs(t, c, i, atkA)
		byID := map[string]audit.Entry{}
		for _, e := range logs[atkA] {
			byID[e.RequestID] = e
		}
		for _, a := range attempts {
			e, ok := byID[a.reqID]
			if assert.True(t, ok, "node %d's copy of acme's log lacks %s", i, a.what) {
				assert.Equal(t, a.actor, e.Actor.String(), a.what)
				assert.Equal(t, "unauthenticated", e.Outcome, a.what)
			}
		}
		for name, entries := range logs {
			assert.NoError(t, audit.Verify(entries), "node %d: the chain of %s", i, name)
		}
	}
}

func atkRESTGet(t testing.TB, c *testcluster.Cluster, i int, path, key string) atkHTTPResult {
	t.Helper()
	code, h, body := get(t, c, c.URL(i)+path, key)
	return atkHTTPResult{status: code, header: h, body: body}
}

// ---- credentials ----

// atkCred is one way of calling without being allowed to.
type atkCred struct {
	name string
	// key is a bearer key; raw are raw headers (a malformed Authorization).
	key string
	raw [][2]string
	// tenant is the Driftmgr-Tenant header; twin, when set, is a tenant
	// nobody has, which must be answered exactly like tenant.
	tenant, twin string
	// authErr is the authentication error every non-public call gets;
	// role is the key's role when it authenticates.
	authErr string
	role    controller.Role
	// log and actor are where the audit log must show the attempt.
	log, actor string
}

func (w *atkWorld) creds() []atkCred {
	forged := w.aAdmin[:len(w.aAdmin)-4] + "aaaa"
	if forged == w.aAdmin {
		forged = w.aAdmin[:len(w.aAdmin)-4] + "bbbb"
	}
	platform, anon := fsm.PlatformAuditTenant, string(audit.ActorAnonymous)
	keyOf := func(k string) string { return "key:" + atkKeyID(k) }
	return []atkCred{
		{name: "no credentials", log: platform, actor: anon},
		{name: "malformed Authorization scheme", raw: [][2]string{{"Authorization", "Basic YWRtaW46YWRtaW4="}},
			authErr: `authorization header: want "Bearer <api key>"`, log: platform, actor: anon},
		{name: "malformed key", raw: [][2]string{{"Authorization", "Bearer dm_nope"}}, authErr: "api key: token: want", log: platform, actor: anon},
		{name: "forged secret of A's admin key", key: forged, authErr: "api key is not valid", log: platform, actor: anon},
		{name: "expired key", key: w.aExpired, authErr: "api key expired", log: atkA, actor: keyOf(w.aExpired)},
		{name: "revoked key", key: w.aRevoked, authErr: "api key is revoked", log: atkA, actor: keyOf(w.aRevoked)},
		{name: "disabled user's key", key: w.aDisabled, authErr: "api key's user dave is disabled", log: atkA, actor: keyOf(w.aDisabled)},
		{name: "disabled tenant's key", key: w.offKey, authErr: "tenant " + atkOff + " is disabled", log: atkOff, actor: keyOf(w.offKey)},
		{name: "viewer key", key: w.aViewer, role: controller.RoleViewer, log: atkA, actor: keyOf(w.aViewer)},
		{name: "admin key naming tenant B", key: w.aAdmin, role: controller.RoleAdmin, tenant: atkB, twin: atkNowhere, log: atkA, actor: keyOf(w.aAdmin)},
	}
}

// refusal is the code and message a call of proc gets with the
// credential; attacked is false when the credential may make the call (a
// viewer reading).
func (cr atkCred) refusal(t testing.TB, proc string, need controller.Action, tenant string) (code connect.Code, msg string, attacked bool) {
	switch {
	case need == controller.ActionPublic:
		// Public calls ignore credentials and refuse on their own terms.
		switch proc {
		case driftmgrv1connect.AgentServiceEnrollProcedure:
			return connect.CodeUnauthenticated, `join token: token: want prefix "dmjt_"`, true
		case driftmgrv1connect.ClusterServiceBootstrapProcedure:
			return connect.CodeFailedPrecondition, "bootstrap: the cluster is already bootstrapped", true
		}
		t.Fatalf("%s is public: say how it refuses an attacker", proc)
	case cr.authErr != "":
		return connect.CodeUnauthenticated, cr.authErr, true
	case need == controller.ActionAgent:
		return connect.CodeUnauthenticated, "an agent client certificate is required", true
	case need == controller.ActionController:
		return connect.CodePermissionDenied, "controllers only", true
	case cr.role == controller.RoleNone:
		return connect.CodeUnauthenticated, "an API key is required", true
	case !cr.role.Can(need):
		return connect.CodePermissionDenied, fmt.Sprintf("role %s may not call %s: it needs %s, which ", cr.role, proc, need), true
	case cr.tenant != "":
		return connect.CodePermissionDenied, fmt.Sprintf("%s header names tenant %q: only a platform owner may act in another tenant than its own (%s)",
			controller.TenantHeader, tenant, atkA), true
	}
	return 0, "", false
}

// atkProtocol is one of the RPC protocols the API port speaks.
type atkProtocol struct {
	name string
	opts []connect.ClientOption
}

var atkProtocols = []atkProtocol{{"connect", nil}, {"grpc", []connect.ClientOption{connect.WithGRPC()}},
	{"grpc-web", []connect.ClientOption{connect.WithGRPCWeb()}}}

// attackProcedures calls every procedure with the credential over one
// protocol.
func (w *atkWorld) attackProcedures(t *testing.T, cr atkCred, proto atkProtocol, procs []procedure) {
	attacked := 0
	for _, pr := range procs {
		need, ok := controller.ProcedureAction(pr.name)
		require.True(t, ok, "%s is in the permission table", pr.name)
		if _, _, ok := cr.refusal(t, pr.name, need, cr.tenant); !ok {
			continue
		}
		attacked++
		call := func(tenant string) error {
			code, msg, _ := cr.refusal(t, pr.name, need, tenant)
			id := w.reqID()
			what := fmt.Sprintf("%s: %s over %s", cr.name, pr.name, proto.name)
			if tenant != cr.tenant {
				what += " naming tenant " + tenant
			}
			err := callProcedure(timeout(t, 15*time.Second), w.hc, w.url, pr, append(w.opts(cr.key, tenant, id, cr.raw...), proto.opts...)...)
			switch {
			case err == nil:
				t.Errorf("%s was admitted", what)
			case connect.CodeOf(err) != code || !strings.Contains(err.Error(), msg):
				t.Errorf("%s: got %v; want %s %q", what, err, code, msg)
			}
			w.requireNoLeak(t, what, atkErrText(err), true, tenant)
			w.expectAudit(atkAttempt{reqID: id, what: what, log: cr.log, actor: cr.actor, action: pr.name, outcome: code.String()})
			return err
		}
		err := call(cr.tenant)
		if cr.twin != "" {
			// Naming B reads exactly like naming a tenant nobody has.
			twin := call(cr.twin)
			assert.Equal(t, connect.CodeOf(err), connect.CodeOf(twin), "%s: %s over %s", cr.name, pr.name, proto.name)
			assert.Equal(t, strings.ReplaceAll(atkErrMessage(twin), cr.twin, cr.tenant), atkErrMessage(err),
				"%s: %s over %s: naming B answers unlike naming a tenant nobody has", cr.name, pr.name, proto.name)
		}
	}
	t.Logf("%s: %d of %d procedures attacked", proto.name, attacked, len(procs))
	require.NotZero(t, attacked)
}

// attackRoutes calls every REST route with the credential.
func (w *atkWorld) attackRoutes(t *testing.T, cr atkCred, routes []atkRoute) {
	attacked := 0
	for _, rt := range routes {
		need, ok := controller.ProcedureAction(rt.procedure)
		require.True(t, ok, "%s (%s) is in the permission table", rt, rt.procedure)
		if _, _, ok := cr.refusal(t, rt.procedure, need, cr.tenant); !ok {
			continue
		}
		attacked++
		call := func(tenant string) atkHTTPResult {
			code, msg, _ := cr.refusal(t, rt.procedure, need, tenant)
			id := w.reqID()
			what := fmt.Sprintf("%s: %s", cr.name, rt)
			if tenant != cr.tenant {
				what += " naming tenant " + tenant
			}
			hdr := map[string]string{"X-Request-Id": id}
			if cr.key != "" {
				hdr["Authorization"] = "Bearer " + cr.key
			}
			for _, h := range cr.raw {
				hdr[h[0]] = h[1]
			}
			if tenant != "" {
				hdr[controller.TenantHeader] = tenant
			}
			res := w.rest(t, rt.method, rt.fill("atk-x1", nil), rt.body, hdr)
			if res.status != atkHTTPStatus[code] || res.code() != code.String() || !strings.Contains(res.message(), msg) {
				t.Errorf("%s: got %d %s; want %d %s %q", what, res.status, res.body, atkHTTPStatus[code], code, msg)
			}
			w.requireNoLeak(t, what, res.text(), true, tenant)
			w.expectAudit(atkAttempt{reqID: id, what: what, log: cr.log, actor: cr.actor, action: rt.procedure, outcome: code.String()})
			return res
		}
		res := call(cr.tenant)
		if cr.twin != "" {
			twin := call(cr.twin)
			assert.Equal(t, res.status, twin.status, "%s: %s", cr.name, rt)
			assert.Equal(t, strings.ReplaceAll(twin.message(), cr.twin, cr.tenant), res.message(),
				"%s: %s: naming B answers unlike naming a tenant nobody has", cr.name, rt)
		}
	}
	t.Logf("%d of %d routes attacked", attacked, len(routes))
	require.NotZero(t, attacked)
}

// ---- tenant A probes tenant B ----

// atkProbe is one call of tenant A's admin naming one of B's objects.
type atkProbe struct {
	proc string
	// kind is which of B's objects the call names (atkWorld.b).
	kind string
	// lists: the call answers for any id, and must answer for B's exactly
	// as for an id nobody has. Otherwise it must fail exactly so.
	lists bool
	// creates: the call makes an object of A's under the name; such
	// probes run last, and A deletes what they made.
	creates bool
	call    func(ctx context.Context, k atkClients, id string) (proto.Message, error)
}

var (
	atkFindingFacets  = []string{"provider", "account", "region", "type", "kind", "severity", "status", "agent_id"}
	atkSecurityFacets = []string{"provider", "account", "region", "type", "check_id", "severity", "status", "agent_id", "category", "framework"}
)

func (w *atkWorld) probes() []atkProbe {
	req := connect.NewRequest[pb.ListFindingsRequest]
	sreq := connect.NewRequest[pb.ListSecurityFindingsRequest]
	policyN := 0
	return []atkProbe{
		{proc: driftmgrv1connect.FindingsServiceGetFindingProcedure, kind: "finding", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.findings.GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.FindingsServiceAcknowledgeFindingProcedure, kind: "finding", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.findings.AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{Id: id, Note: "mine now"})))
		}},
		{proc: driftmgrv1connect.FindingsServiceListScansProcedure, kind: "agent", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.findings.ListScans(ctx, connect.NewRequest(&pb.ListScansRequest{AgentId: id})))
		}},
		{proc: driftmgrv1connect.FindingsServiceListFindingsProcedure, kind: "agent", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.findings.ListFindings(ctx, req(&pb.ListFindingsRequest{Filter: &pb.FindingFilter{AgentId: []string{id}}, Facets: atkFindingFacets})))
		}},
		{proc: driftmgrv1connect.FindingsServiceListFindingsProcedure, kind: "resource", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.findings.ListFindings(ctx, req(&pb.ListFindingsRequest{Filter: &pb.FindingFilter{Text: id}, Facets: atkFindingFacets})))
		}},
		{proc: driftmgrv1connect.FindingsServiceListFindingsProcedure, kind: "account", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.findings.ListFindings(ctx, req(&pb.ListFindingsRequest{Filter: &pb.FindingFilter{Account: []string{id}}, Facets: atkFindingFacets})))
		}},
		{proc: driftmgrv1connect.SecurityServiceGetSecurityFindingProcedure, kind: "secfinding", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.security.GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.SecurityServiceListSecurityFindingsProcedure, kind: "check", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.security.ListSecurityFindings(ctx, sreq(&pb.ListSecurityFindingsRequest{Filter: &pb.SecurityFindingFilter{CheckId: []string{id}}, Facets: atkSecurityFacets})))
		}},
		{proc: driftmgrv1connect.SecurityServiceListSecurityFindingsProcedure, kind: "agent", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.security.ListSecurityFindings(ctx, sreq(&pb.ListSecurityFindingsRequest{Filter: &pb.SecurityFindingFilter{AgentId: []string{id}}, Facets: atkSecurityFacets})))
		}},
		{proc: driftmgrv1connect.SecurityServiceListSecurityFindingsProcedure, kind: "framework", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.security.ListSecurityFindings(ctx, sreq(&pb.ListSecurityFindingsRequest{Filter: &pb.SecurityFindingFilter{Framework: []string{id}}, Facets: atkSecurityFacets})))
		}},
		{proc: driftmgrv1connect.SecurityServiceListSecurityFindingsProcedure, kind: "secresource", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.security.ListSecurityFindings(ctx, sreq(&pb.ListSecurityFindingsRequest{Filter: &pb.SecurityFindingFilter{Text: id}, Facets: atkSecurityFacets})))
		}},
		{proc: driftmgrv1connect.SecurityServiceGetComplianceProcedure, kind: "framework", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.security.GetCompliance(ctx, connect.NewRequest(&pb.GetComplianceRequest{Framework: id})))
		}},
		{proc: driftmgrv1connect.SecurityServiceDeletePolicyProcedure, kind: "policy", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.security.DeletePolicy(ctx, connect.NewRequest(&pb.DeletePolicyRequest{Name: id})))
		}},
		{proc: driftmgrv1connect.SecurityServicePutPolicyProcedure, kind: "policy", creates: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			policyN++
			src := strings.NewReplacer("ACME-TAG-001", fmt.Sprintf("ATK-PROBE-%d", policyN), "acme.owner", fmt.Sprintf("acme.probe%d", policyN)).Replace(goodPolicy)
			return atkMsg(k.security.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: id, Source: src})))
		}},
		{proc: driftmgrv1connect.AgentsServiceTriggerScanProcedure, kind: "agent", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.agents.TriggerScan(ctx, connect.NewRequest(&pb.TriggerScanRequest{AgentId: id})))
		}},
		{proc: driftmgrv1connect.AgentsServiceRevokeAgentProcedure, kind: "agent", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.agents.RevokeAgent(ctx, connect.NewRequest(&pb.RevokeAgentRequest{AgentId: id})))
		}},
		{proc: driftmgrv1connect.AgentsServiceDeleteJoinTokenProcedure, kind: "token", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.agents.DeleteJoinToken(ctx, connect.NewRequest(&pb.DeleteJoinTokenRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.AgentsServiceCreateJoinTokenProcedure, kind: "project", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.agents.CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{Project: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceCreateTenantProcedure, kind: "tenant", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceGetTenantProcedure, kind: "tenant", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.GetTenant(ctx, connect.NewRequest(&pb.GetTenantRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceUpdateTenantProcedure, kind: "tenant", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: id, Disabled: proto.Bool(true)})))
		}},
		{proc: driftmgrv1connect.TenancyServiceGetProjectProcedure, kind: "project", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.GetProject(ctx, connect.NewRequest(&pb.GetProjectRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceDeleteProjectProcedure, kind: "project", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.DeleteProject(ctx, connect.NewRequest(&pb.DeleteProjectRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceCreateProjectProcedure, kind: "project", creates: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceGetUserProcedure, kind: "user", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.GetUser(ctx, connect.NewRequest(&pb.GetUserRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceUpdateUserProcedure, kind: "user", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: id, Disabled: proto.Bool(true), Role: proto.String("viewer")})))
		}},
		{proc: driftmgrv1connect.TenancyServiceDeleteUserProcedure, kind: "user2", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.DeleteUser(ctx, connect.NewRequest(&pb.DeleteUserRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceChangePasswordProcedure, kind: "user", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.ChangePassword(ctx, connect.NewRequest(&pb.ChangePasswordRequest{Id: id, NewPassword: "attacker was here 123"})))
		}},
		{proc: driftmgrv1connect.TenancyServiceCreateAPIKeyProcedure, kind: "user", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_UserId{UserId: id}})))
		}},
		{proc: driftmgrv1connect.TenancyServiceCreateAPIKeyProcedure, kind: "sa", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: id}})))
		}},
		{proc: driftmgrv1connect.TenancyServiceDeleteServiceAccountProcedure, kind: "sa", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.DeleteServiceAccount(ctx, connect.NewRequest(&pb.DeleteServiceAccountRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceCreateServiceAccountProcedure, kind: "sa", creates: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.CreateServiceAccount(ctx, connect.NewRequest(&pb.CreateServiceAccountRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceRevokeAPIKeyProcedure, kind: "key", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.RevokeAPIKey(ctx, connect.NewRequest(&pb.RevokeAPIKeyRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.TenancyServiceRevokeAPIKeyProcedure, kind: "sakey", call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.tenancy.RevokeAPIKey(ctx, connect.NewRequest(&pb.RevokeAPIKeyRequest{Id: id})))
		}},
		{proc: driftmgrv1connect.AuditServiceListAuditEventsProcedure, kind: "key", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.audit.ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{ActorId: id})))
		}},
		{proc: driftmgrv1connect.AuditServiceListAuditEventsProcedure, kind: "agent", lists: true, call: func(ctx context.Context, k atkClients, id string) (proto.Message, error) {
			return atkMsg(k.audit.ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{ActorKind: "agent", ActorId: id})))
		}},
	}
}

// atkObjectFields are the request fields that name an object: a procedure
// taking one must be probed with B's.
func atkObjectFields(md protoreflect.MessageDescriptor) []string {
	var out []string
	for i := 0; i < md.Fields().Len(); i++ {
		f := md.Fields().Get(i)
		n := string(f.Name())
		if f.Kind() == protoreflect.StringKind && (n == "id" || n == "name" || n == "project" || strings.HasSuffix(n, "_id")) ||
			f.Kind() == protoreflect.MessageKind && n == "filter" {
			out = append(out, n)
		}
	}
	return out
}

// probeRPC runs the probes that read, change or delete (or, with creates,
// the ones that create), each with B's id and with a look-alike id
// nobody has, as A's admin.
func (w *atkWorld) probeRPC(t *testing.T, creates bool) {
	ctx := timeout(t, 60*time.Second)
	probed := map[string]bool{}
	for _, p := range w.probes() {
		probed[p.proc] = true
		if p.creates != creates {
			continue
		}
		idB := w.b[p.kind]
		require.NotEmpty(t, idB, "B has a %s", p.kind)
		idX := atkLookalike(idB)
		run := func(id string) (proto.Message, error) {
			rid := w.reqID()
			what := fmt.Sprintf("A's admin: %s naming %s %q", p.proc, p.kind, id)
			m, err := p.call(ctx, w.clients(w.opts(w.aAdmin, "", rid)...), id)
			outcome := audit.OutcomeOK
			if err != nil {
				outcome = connect.CodeOf(err).String()
				w.requireNoLeak(t, what, atkErrText(err), true, id)
			} else {
				w.requireNoLeak(t, what, atkJSON(t, m), false, id)
			}
			w.expectAudit(atkAttempt{reqID: rid, what: what, log: atkA, actor: "key:" + atkKeyID(w.aAdmin), action: p.proc, outcome: outcome})
			return m, err
		}
		mB, errB := run(idB)
		mX, errX := run(idX)
		what := fmt.Sprintf("%s naming B's %s %q", p.proc, p.kind, idB)
		switch {
		case p.lists || p.creates:
			require.NoError(t, errB, what)
			require.NoError(t, errX, "%s naming %q", p.proc, idX)
			if p.lists {
				assert.Equal(t, strings.ReplaceAll(atkNormalJSON(t, []byte(atkJSON(t, mX))), idX, idB), atkNormalJSON(t, []byte(atkJSON(t, mB))),
					"%s: B's id is answered unlike an id nobody has", what)
			}
		default:
			if !assert.Error(t, errB, "%s succeeded: %v", what, mB) {
				continue
			}
			require.Error(t, errX, "%s naming %q", p.proc, idX)
			assert.Equal(t, connect.CodeOf(errX), connect.CodeOf(errB), "%s: %v vs %v", what, errB, errX)
			assert.Equal(t, strings.ReplaceAll(atkErrMessage(errX), idX, idB), atkErrMessage(errB),
				"%s: B's id is answered unlike an id nobody has", what)
		}
		if p.creates {
			w.deleteCreated(t, p, idB, idX)
		}
	}
	if creates {
		return
	}
	// Every procedure a key may call that names an object is probed.
	for _, pr := range allProcedures(t) {
		need, _ := controller.ProcedureAction(pr.name)
		if need == controller.ActionPublic || need == controller.ActionAgent || need == controller.ActionController {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(pr.name, "/"), "/")
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(parts[0]))
		require.NoError(t, err)
		md := d.(protoreflect.ServiceDescriptor).Methods().ByName(protoreflect.Name(parts[1])).Input()
		if fields := atkObjectFields(md); len(fields) > 0 && !probed[pr.name] && pr.name != driftmgrv1connect.AuditServiceExportAuditProcedure {
			t.Errorf("%s takes %v but no probe names one of B's objects with it: add one to probes()", pr.name, fields)
		}
	}
}

// deleteCreated removes what a creating probe made in A.
func (w *atkWorld) deleteCreated(t *testing.T, p atkProbe, ids ...string) {
	ctx := timeout(t, 30*time.Second)
	a := w.as(w.aAdmin)
	for _, id := range ids {
		var err error
		switch p.proc {
		case driftmgrv1connect.SecurityServicePutPolicyProcedure:
			_, err = a.security.DeletePolicy(ctx, connect.NewRequest(&pb.DeletePolicyRequest{Name: id}))
		case driftmgrv1connect.TenancyServiceCreateProjectProcedure:
			_, err = a.tenancy.DeleteProject(ctx, connect.NewRequest(&pb.DeleteProjectRequest{Id: id}))
		case driftmgrv1connect.TenancyServiceCreateServiceAccountProcedure:
			_, err = a.tenancy.DeleteServiceAccount(ctx, connect.NewRequest(&pb.DeleteServiceAccountRequest{Id: id}))
		default:
			t.Fatalf("say how to delete what %s made", p.proc)
		}
		require.NoError(t, err, "A deletes its own %s %q", p.kind, id)
	}
}

// probeREST calls every route with a path variable naming one of B's
// objects, and the listing routes with B's ids as filters.
func (w *atkWorld) probeREST(t *testing.T, routes []atkRoute) {
	kindOf := map[string]string{}
	for _, p := range w.probes() {
		if _, ok := kindOf[p.proc]; !ok {
			kindOf[p.proc] = p.kind
		}
	}
	call := func(what, method, path string, body bool, id string, procedure string) atkHTTPResult {
		rid := w.reqID()
		res := w.rest(t, method, path, body, map[string]string{"Authorization": "Bearer " + w.aAdmin, "X-Request-Id": rid})
		w.requireNoLeak(t, what, res.text(), res.status/100 != 2, id, url.PathEscape(id), url.QueryEscape(id))
		w.expectAudit(atkAttempt{reqID: rid, what: what, log: atkA, actor: "key:" + atkKeyID(w.aAdmin), action: procedure, outcome: res.code()})
		return res
	}
	probed := 0
	for _, rt := range routes {
		params := rt.params()
		if len(params) == 0 {
			continue
		}
		kind, ok := kindOf[rt.procedure]
		require.True(t, ok, "%s has a path variable but %s has no probe", rt, rt.procedure)
		probed++
		idB := w.b[kind]
		idX := atkLookalike(idB)
		fill := func(id string) string {
			values := map[string]string{}
			for _, p := range params {
				values[p] = id
			}
			return rt.fill(id, values)
		}
		what := fmt.Sprintf("A's admin: %s naming B's %s %q", rt, kind, idB)
		resB := call(what, rt.method, fill(idB), rt.body, idB, rt.procedure)
		resX := call(what+" (look-alike)", rt.method, fill(idX), rt.body, idX, rt.procedure)
		assert.NotEqual(t, 2, resB.status/100, "%s succeeded: %s", what, resB.body)
		assert.Equal(t, resX.status, resB.status, "%s: %s vs %s", what, resB.body, resX.body)
		assert.Equal(t, strings.ReplaceAll(resX.message(), idX, idB), resB.message(), "%s: B's id is answered unlike an id nobody has", what)
	}
	t.Logf("%d routes with a path variable probed", probed)

	lists := []struct {
		kind, procedure, path string
	}{
		{"agent", driftmgrv1connect.FindingsServiceListFindingsProcedure, "/api/v1/findings?filter.agentId=%s&facets=agent_id&facets=account&facets=type"},
		{"account", driftmgrv1connect.FindingsServiceListFindingsProcedure, "/api/v1/findings?filter.account=%s&facets=account"},
		{"agent", driftmgrv1connect.FindingsServiceListScansProcedure, "/api/v1/scans?agentId=%s"},
		{"check", driftmgrv1connect.SecurityServiceListSecurityFindingsProcedure, "/api/v1/security/findings?filter.checkId=%s&facets=check_id&facets=framework&facets=category"},
		{"framework", driftmgrv1connect.SecurityServiceGetComplianceProcedure, "/api/v1/security/compliance?framework=%s"},
		{"key", driftmgrv1connect.AuditServiceListAuditEventsProcedure, "/api/v1/audit/events?actorId=%s"},
	}
	for _, l := range lists {
		idB := w.b[l.kind]
		idX := atkLookalike(idB)
		what := fmt.Sprintf("A's admin: GET %s naming B's %s %q", l.path, l.kind, idB)
		resB := call(what, "GET", fmt.Sprintf(l.path, url.QueryEscape(idB)), false, idB, l.procedure)
		resX := call(what+" (look-alike)", "GET", fmt.Sprintf(l.path, url.QueryEscape(idX)), false, idX, l.procedure)
		if assert.Equal(t, 200, resB.status, "%s: %s", what, resB.body) && assert.Equal(t, 200, resX.status, "%s: %s", what, resX.body) {
			assert.Equal(t, strings.ReplaceAll(atkNormalJSON(t, resX.body), idX, idB), atkNormalJSON(t, resB.body), "%s: B's id is answered unlike an id nobody has", what)
		}
	}
}
