package controller_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// rpcCall calls one procedure with an empty (or minimal) request.
type rpcCall func(ctx context.Context, hc *http.Client, url string, opts ...connect.ClientOption) error

// calls has one entry per procedure of the permission table.
var calls = map[string]rpcCall{
	driftmgrv1connect.AgentServiceEnrollProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentServiceClient(hc, url, o...).Enroll(ctx, connect.NewRequest(&pb.EnrollRequest{}))
		return err
	},
	driftmgrv1connect.AgentServiceRenewProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentServiceClient(hc, url, o...).Renew(ctx, connect.NewRequest(&pb.RenewRequest{}))
		return err
	},
	driftmgrv1connect.AgentServiceControlProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		s := driftmgrv1connect.NewAgentServiceClient(hc, url, o...).Control(ctx)
		_ = s.Send(&pb.ControlRequest{Msg: &pb.ControlRequest_Hello{Hello: &pb.Hello{BootEpoch: 1}}})
		_, err := s.Receive()
		_ = s.CloseRequest()
		return err
	},
	driftmgrv1connect.AgentServiceUploadProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentServiceClient(hc, url, o...).Upload(ctx, connect.NewRequest(&pb.UploadRequest{}))
		return err
	},
	driftmgrv1connect.AgentServiceCheckinProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentServiceClient(hc, url, o...).Checkin(ctx, connect.NewRequest(&pb.CheckinRequest{}))
		return err
	},
	driftmgrv1connect.FindingsServiceListFindingsProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewFindingsServiceClient(hc, url, o...).ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
		return err
	},
	driftmgrv1connect.FindingsServiceGetFindingProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewFindingsServiceClient(hc, url, o...).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{}))
		return err
	},
	driftmgrv1connect.FindingsServiceListScansProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewFindingsServiceClient(hc, url, o...).ListScans(ctx, connect.NewRequest(&pb.ListScansRequest{}))
		return err
	},
	driftmgrv1connect.FindingsServiceAcknowledgeFindingProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewFindingsServiceClient(hc, url, o...).AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{}))
		return err
	},
	driftmgrv1connect.AgentServiceGetPoliciesProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentServiceClient(hc, url, o...).GetPolicies(ctx, connect.NewRequest(&pb.GetPoliciesRequest{}))
		return err
	},
	driftmgrv1connect.SecurityServiceListSecurityFindingsProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewSecurityServiceClient(hc, url, o...).ListSecurityFindings(ctx, connect.NewRequest(&pb.ListSecurityFindingsRequest{}))
		return err
	},
	driftmgrv1connect.SecurityServiceGetSecurityFindingProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewSecurityServiceClient(hc, url, o...).GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{}))
		return err
	},
	driftmgrv1connect.SecurityServiceGetComplianceProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewSecurityServiceClient(hc, url, o...).GetCompliance(ctx, connect.NewRequest(&pb.GetComplianceRequest{}))
		return err
	},
	driftmgrv1connect.SecurityServiceGetMutelistProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewSecurityServiceClient(hc, url, o...).GetMutelist(ctx, connect.NewRequest(&pb.GetMutelistRequest{}))
		return err
	},
	driftmgrv1connect.SecurityServicePutMutelistProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewSecurityServiceClient(hc, url, o...).PutMutelist(ctx, connect.NewRequest(&pb.PutMutelistRequest{}))
		return err
	},
	driftmgrv1connect.SecurityServiceListPoliciesProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewSecurityServiceClient(hc, url, o...).ListPolicies(ctx, connect.NewRequest(&pb.ListPoliciesRequest{}))
		return err
	},
	driftmgrv1connect.SecurityServicePutPolicyProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewSecurityServiceClient(hc, url, o...).PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{}))
		return err
	},
	driftmgrv1connect.SecurityServiceDeletePolicyProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewSecurityServiceClient(hc, url, o...).DeletePolicy(ctx, connect.NewRequest(&pb.DeletePolicyRequest{}))
		return err
	},
	driftmgrv1connect.AuditServiceListAuditEventsProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAuditServiceClient(hc, url, o...).ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{}))
		return err
	},
	driftmgrv1connect.AuditServiceVerifyAuditProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAuditServiceClient(hc, url, o...).VerifyAudit(ctx, connect.NewRequest(&pb.VerifyAuditRequest{}))
		return err
	},
	driftmgrv1connect.AuditServiceExportAuditProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		s, err := driftmgrv1connect.NewAuditServiceClient(hc, url, o...).ExportAudit(ctx, connect.NewRequest(&pb.ExportAuditRequest{}))
		if err != nil {
			return err
		}
		defer s.Close()
		for s.Receive() {
		}
		return s.Err()
	},
	driftmgrv1connect.ClusterServiceListMembersProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewClusterServiceClient(hc, url, o...).ListMembers(ctx, connect.NewRequest(&pb.ListMembersRequest{}))
		return err
	},
	driftmgrv1connect.ClusterServiceGetHealthProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewClusterServiceClient(hc, url, o...).GetHealth(ctx, connect.NewRequest(&pb.GetHealthRequest{}))
		return err
	},
	driftmgrv1connect.ClusterServiceBootstrapProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewClusterServiceClient(hc, url, o...).Bootstrap(ctx, connect.NewRequest(&pb.BootstrapRequest{}))
		return err
	},
	driftmgrv1connect.AgentsServiceListAgentsProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentsServiceClient(hc, url, o...).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
		return err
	},
	driftmgrv1connect.AgentsServiceListJoinTokensProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentsServiceClient(hc, url, o...).ListJoinTokens(ctx, connect.NewRequest(&pb.ListJoinTokensRequest{}))
		return err
	},
	driftmgrv1connect.AgentsServiceTriggerScanProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentsServiceClient(hc, url, o...).TriggerScan(ctx, connect.NewRequest(&pb.TriggerScanRequest{}))
		return err
	},
	driftmgrv1connect.AgentsServiceRevokeAgentProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentsServiceClient(hc, url, o...).RevokeAgent(ctx, connect.NewRequest(&pb.RevokeAgentRequest{}))
		return err
	},
	driftmgrv1connect.AgentsServiceCreateJoinTokenProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentsServiceClient(hc, url, o...).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
		return err
	},
	driftmgrv1connect.AgentsServiceDeleteJoinTokenProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewAgentsServiceClient(hc, url, o...).DeleteJoinToken(ctx, connect.NewRequest(&pb.DeleteJoinTokenRequest{}))
		return err
	},
	driftmgrv1connect.EventsServiceWatchProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		s, err := driftmgrv1connect.NewEventsServiceClient(hc, url, o...).Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
		if err != nil {
			return err
		}
		defer s.Close()
		if s.Receive() {
			return nil // the first counts arrived: the stream was admitted
		}
		return s.Err()
	},
	driftmgrv1connect.InternalServiceApplyProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewInternalServiceClient(hc, url, o...).Apply(ctx, connect.NewRequest(&pb.ApplyRequest{}))
		return err
	},
	driftmgrv1connect.InternalServiceDeliverProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewInternalServiceClient(hc, url, o...).Deliver(ctx, connect.NewRequest(&pb.DeliverRequest{}))
		return err
	},
	driftmgrv1connect.InternalServiceSessionsProcedure: func(ctx context.Context, hc *http.Client, url string, o ...connect.ClientOption) error {
		_, err := driftmgrv1connect.NewInternalServiceClient(hc, url, o...).Sessions(ctx, connect.NewRequest(&pb.SessionsRequest{}))
		return err
	},
}

// withHeader sets a request header on unary and streaming calls.
type withHeader [2]string

func (h withHeader) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set(h[0], h[1])
		return next(ctx, req)
	}
}

func (h withHeader) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set(h[0], h[1])
		return conn
	}
}

func (h withHeader) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// storedKey applies an API key with the given fields and returns it.
func storedKey(t *testing.T, c *testcluster.Cluster, edit func(*pb.StoredAPIKey)) string {
	t.Helper()
	key, id, hash, err := pki.NewAPIKey()
	require.NoError(t, err)
	k := &pb.StoredAPIKey{Id: id, Tenant: "default", Role: "admin", SecretHash: hash, CreatedAt: timestamppb.Now()}
	edit(k)
	_, err = c.WaitLeader(t, waitLong).Server().Node().Apply(timeout(t, 15*time.Second), &pb.RaftCommand{
		Cmd: &pb.RaftCommand_CreateApiKey{CreateApiKey: &pb.CreateAPIKeyCommand{Key: k}}})
	require.NoError(t, err)
	return key
}

func TestAuthTable(t *testing.T) {
	perms := controller.Permissions()
	for proc := range perms {
		require.Contains(t, calls, proc, "the auth table test does not call %s", proc)
	}
	for proc := range calls {
		require.Contains(t, perms, proc, "%s is not in the permission table", proc)
	}

	c := testcluster.Start(t, 1, testcluster.Options{})
	admin := c.APIKey(t)
	url := c.URL(0)
	agent := enrollAgent(t, c, url, admin)
	ctlCert, err := c.CA.IssueServer([]string{"ctl-peer", "127.0.0.1"}, time.Hour, time.Now())
	require.NoError(t, err)
	unknown, _, _, err := pki.NewAPIKey()
	require.NoError(t, err)
	wrongSecret := admin[:len(admin)-4] + "aaaa"
	if wrongSecret == admin {
		wrongSecret = admin[:len(admin)-4] + "bbbb"
	}
	keys := map[string]string{
		"viewer":   addKey(t, c, "default", "viewer"),
		"operator": addKey(t, c, "default", "operator"),
		"admin":    admin,
		"no role":  addKey(t, c, "default", "auditor"),
		"expired":  storedKey(t, c, func(k *pb.StoredAPIKey) { k.ExpiresAt = timestamppb.New(time.Now().Add(-time.Minute)) }),
		"revoked":  storedKey(t, c, func(k *pb.StoredAPIKey) { k.Revoked = true }),
	}

	type caller struct {
		name string
		cert *tls.Certificate
		opts []connect.ClientOption
		// role is the key's role; none for callers without a valid key.
		role string
		// badAuth is the authentication error every non-public call gets.
		badAuth string
	}
	callers := []caller{
		{name: "anonymous"},
		{name: "malformed key", opts: []connect.ClientOption{testcluster.Bearer("dm_nope")}, badAuth: "api key: token: want"},
		{name: "not a bearer header", opts: []connect.ClientOption{connect.WithInterceptors(withHeader{"Authorization", "Basic YWRtaW46YWRtaW4="})},
			badAuth: `want "Bearer <api key>"`},
		{name: "unknown key", opts: []connect.ClientOption{testcluster.Bearer(unknown)}, badAuth: "api key is not valid"},
		{name: "wrong secret", opts: []connect.ClientOption{testcluster.Bearer(wrongSecret)}, badAuth: "api key is not valid"},
		{name: "expired key", opts: []connect.ClientOption{testcluster.Bearer(keys["expired"])}, badAuth: "api key expired"},
		{name: "revoked key", opts: []connect.ClientOption{testcluster.Bearer(keys["revoked"])}, badAuth: "api key is revoked"},
		{name: "no-role key", opts: []connect.ClientOption{testcluster.Bearer(keys["no role"])}, role: "none"},
		{name: "viewer key", opts: []connect.ClientOption{testcluster.Bearer(keys["viewer"])}, role: "viewer"},
		{name: "operator key", opts: []connect.ClientOption{testcluster.Bearer(keys["operator"])}, role: "operator"},
		{name: "admin key", opts: []connect.ClientOption{testcluster.Bearer(admin)}, role: "admin"},
		{name: "agent certificate", cert: &agent.Cert},
		{name: "controller certificate", cert: &ctlCert},
	}
	rank := map[string]int{"none": 0, "viewer": 1, "operator": 2, "admin": 3}
	// authzMessages are what the authorizer says; an admitted call may
	// still fail, but never with one of these.
	authzMessages := []string{"is required", "controllers only", "may not call", "api key", "authorization header"}

	procs := make([]string, 0, len(perms))
	for p := range perms {
		procs = append(procs, p)
	}
	slices.Sort(procs)
	for _, cl := range callers {
		t.Run(cl.name, func(t *testing.T) {
			hc := c.HTTPClient(cl.cert)
			for _, proc := range procs {
				need := perms[proc]
				err := calls[proc](timeout(t, 10*time.Second), hc, url, cl.opts...)
				admitted := func() {
					t.Helper()
					if err == nil {
						return
					}
					for _, m := range authzMessages {
						require.NotContains(t, err.Error(), m, "%s: %s was refused by the authorizer", cl.name, proc)
					}
				}
				switch {
				case need == "public":
					admitted()
				case cl.badAuth != "":
					requireCode(t, err, connect.CodeUnauthenticated, cl.badAuth)
				case need == "agent":
					if cl.name == "agent certificate" {
						admitted()
					} else {
						requireCode(t, err, connect.CodeUnauthenticated, "an agent client certificate is required")
					}
				case need == "controller":
					if cl.name == "controller certificate" {
						admitted()
					} else {
						requireCode(t, err, connect.CodePermissionDenied, "controllers only")
					}
				case cl.role == "":
					requireCode(t, err, connect.CodeUnauthenticated, "an API key is required")
				case rank[cl.role] >= rank[need]:
					admitted()
				default:
					requireCode(t, err, connect.CodePermissionDenied,
						fmt.Sprintf("role %s may not call %s; it needs %s", cl.role, proc, need))
				}
			}
		})
	}
	t.Run("public procedures refuse on their own terms", func(t *testing.T) {
		hc := c.HTTPClient(nil)
		err := calls[driftmgrv1connect.AgentServiceEnrollProcedure](timeout(t, 10*time.Second), hc, url)
		requireCode(t, err, connect.CodeUnauthenticated, "join token")
		err = calls[driftmgrv1connect.ClusterServiceBootstrapProcedure](timeout(t, 10*time.Second), hc, url)
		requireCode(t, err, connect.CodeFailedPrecondition, "already bootstrapped")
	})
	t.Run("the REST mapping enforces the same table", func(t *testing.T) {
		code, _, body := get(t, c, url+"/api/v1/findings", "")
		require.Equal(t, http.StatusUnauthorized, code, "%s", body)
		require.Contains(t, string(body), "an API key is required")
		code, _, _ = get(t, c, url+"/api/v1/join-tokens", keys["no role"])
		require.Equal(t, http.StatusForbidden, code)
		code, _, _ = get(t, c, url+"/api/v1/join-tokens", keys["viewer"])
		require.Equal(t, http.StatusOK, code)
	})
}

func TestTenantIsolation(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	c.APIKey(t)
	url := c.URL(0)
	ctx := timeout(t, 60*time.Second)
	acmeAdmin, globexAdmin := addKey(t, c, "acme", "admin"), addKey(t, c, "globex", "admin")
	acmeViewer, globexViewer := addKey(t, c, "acme", "viewer"), addKey(t, c, "globex", "viewer")
	acmeAgent, globexAgent := enrollAgent(t, c, url, acmeAdmin), enrollAgent(t, c, url, globexAdmin)

	watch := func(key string) *connect.ServerStreamForClient[pb.WatchResponse] {
		s, err := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), url, testcluster.Bearer(key)).Watch(ctx,
			connect.NewRequest(&pb.WatchRequest{}))
		require.NoError(t, err)
		require.True(t, s.Receive(), "first counts: %v", s.Err())
		require.NotNil(t, s.Msg().GetCounts())
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	acmeWatch, globexWatch := watch(acmeViewer), watch(globexViewer)
	// changed reads events up to the next findings_changed.
	changed := func(s *connect.ServerStreamForClient[pb.WatchResponse]) []string {
		for s.Receive() {
			if fc := s.Msg().GetFindingsChanged(); fc != nil {
				return fc.GetIds()
			}
		}
		t.Fatalf("watch ended: %v", s.Err())
		return nil
	}

	_, err := acmeAgent.upload(ctx, findingsBatch(acmeAgent.Epoch, 1, "acme", 3, 0))
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"acme-0", "acme-1", "acme-2"}, changed(acmeWatch))
	_, err = globexAgent.upload(ctx, findingsBatch(globexAgent.Epoch, 1, "globex", 2, 0))
	require.NoError(t, err)
	// Events are delivered in log order: had acme's change reached the
	// globex watcher, it would come before globex's own.
	require.ElementsMatch(t, []string{"globex-0", "globex-1"}, changed(globexWatch))
	require.True(t, globexWatch.Receive())
	require.EqualValues(t, 2, globexWatch.Msg().GetCounts().GetOpen(), "counts are globex's only")

	// Another tenant's finding reads exactly like a missing one.
	gf := findingsClient(c, url, globexViewer)
	_, errOther := gf.GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "acme-1"}))
	_, errMissing := gf.GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "nope-1"}))
	requireCode(t, errOther, connect.CodeNotFound)
	requireCode(t, errMissing, connect.CodeNotFound)
	require.Equal(t, strings.ReplaceAll(errMissing.Error(), "nope-1", "acme-1"), errOther.Error())
	code, _, _ := get(t, c, url+"/api/v1/findings/acme-1", globexViewer)
	require.Equal(t, http.StatusNotFound, code)

	for _, cons := range []pb.Consistency{pb.Consistency_CONSISTENCY_UNSPECIFIED, pb.Consistency_CONSISTENCY_STALE, pb.Consistency_CONSISTENCY_CONSISTENT} {
		list, err := listAll(ctx, c, url, globexViewer, cons)
		require.NoError(t, err)
		require.EqualValues(t, 2, list.GetTotalSize())
		for _, f := range list.GetFindings() {
			require.Equal(t, "globex", f.GetTenant())
		}
	}
	// Nor can it be acknowledged from the other tenant.
	_, err = findingsClient(c, url, globexAdmin).AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{Id: "acme-1"}))
	requireCode(t, err, connect.CodeNotFound, `finding acme-1 not found`)
	f, err := findingsClient(c, url, acmeViewer).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "acme-1"}))
	require.NoError(t, err)
	require.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, f.Msg.GetFinding().GetStatus())
	// Agents and join tokens are scoped too.
	agents, err := agentsClient(c, url, globexViewer).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
	require.NoError(t, err)
	require.Len(t, agents.Msg.GetAgents(), 1)
	require.Equal(t, globexAgent.ID, agents.Msg.GetAgents()[0].GetId())
	_, err = agentsClient(c, url, globexAdmin).RevokeAgent(ctx, connect.NewRequest(&pb.RevokeAgentRequest{AgentId: acmeAgent.ID}))
	requireCode(t, err, connect.CodeNotFound)
	_, err = acmeAgent.upload(ctx, findingsBatch(acmeAgent.Epoch, 2, "acme-still", 1, 0))
	require.NoError(t, err, "acme's agent was revoked from another tenant")
}
