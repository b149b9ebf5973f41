package controller_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

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

// TestAuthTable calls every procedure of every served service as every
// kind of caller, over the real API, and checks the authorizer admits or
// refuses it exactly as the permission table says: role x procedure.
func TestAuthTable(t *testing.T) {
	procs := allProcedures(t)
	c := testcluster.Start(t, 1, testcluster.Options{})
	owner := c.APIKey(t)
	url := c.URL(0)
	agent := enrollAgent(t, c, url, owner)
	ctlCert, err := c.CA.IssueServer([]string{"ctl-peer", "127.0.0.1"}, time.Hour, time.Now())
	require.NoError(t, err)
	unknown, _, _, err := pki.NewAPIKey()
	require.NoError(t, err)
	wrongSecret := owner[:len(owner)-4] + "aaaa"
	if wrongSecret == owner {
		wrongSecret = owner[:len(owner)-4] + "bbbb"
	}
	keys := map[string]string{
		"viewer":   addKey(t, c, "default", "viewer"),
		"operator": addKey(t, c, "default", "operator"),
		"admin":    addKey(t, c, "default", "admin"),
		"no role":  addKey(t, c, "default", "auditor"),
		"expired":  storedKey(t, c, func(k *pb.StoredAPIKey) { k.ExpiresAt = timestamppb.New(time.Now().Add(-time.Minute)) }),
		"revoked":  storedKey(t, c, func(k *pb.StoredAPIKey) { k.Revoked = true }),
	}

	type caller struct {
		name string
		cert *tls.Certificate
		opts []connect.ClientOption
		// role is the key's role; RoleNone with key set for a key of an
		// unknown role.
		role controller.Role
		key  bool
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
		{name: "no-role key", opts: []connect.ClientOption{testcluster.Bearer(keys["no role"])}, key: true},
		{name: "viewer key", opts: []connect.ClientOption{testcluster.Bearer(keys["viewer"])}, key: true, role: controller.RoleViewer},
		{name: "operator key", opts: []connect.ClientOption{testcluster.Bearer(keys["operator"])}, key: true, role: controller.RoleOperator},
		{name: "admin key", opts: []connect.ClientOption{testcluster.Bearer(keys["admin"])}, key: true, role: controller.RoleAdmin},
		{name: "owner key", opts: []connect.ClientOption{testcluster.Bearer(owner)}, key: true, role: controller.RoleOwner},
		{name: "agent certificate", cert: &agent.Cert},
		{name: "controller certificate", cert: &ctlCert},
	}
	// authzMessages are what the authorizer says when it refuses; an
	// admitted call may still fail, but not unauthenticated nor with one
	// of these.
	authzMessages := []string{"is required", "controllers only", "may not call", "is not callable", "header names tenant"}

	served := map[string]bool{}
	for _, pr := range procs {
		err := callProcedure(timeout(t, 10*time.Second), c.HTTPClient(nil), url, pr, testcluster.Bearer(owner))
		if connect.CodeOf(err) == connect.CodeUnimplemented {
			t.Logf("%s is not served by this build: only its table entry is checked", pr.name)
			continue
		}
		served[pr.name] = true
	}
	for _, cl := range callers {
		t.Run(cl.name, func(t *testing.T) {
			hc := c.HTTPClient(cl.cert)
			for _, pr := range procs {
				if !served[pr.name] {
					continue
				}
				need, ok := controller.ProcedureAction(pr.name)
				require.True(t, ok, "%s has no action", pr.name)
				err := callProcedure(timeout(t, 10*time.Second), hc, url, pr, cl.opts...)
				admitted := func() {
					t.Helper()
					if err == nil {
						return
					}
					if need != controller.ActionPublic { // public calls check their own credentials
						require.NotEqual(t, connect.CodeUnauthenticated, connect.CodeOf(err), "%s: %s: %v", cl.name, pr.name, err)
					}
					for _, m := range authzMessages {
						require.NotContains(t, err.Error(), m, "%s: %s was refused by the authorizer", cl.name, pr.name)
					}
				}
				switch {
				case need == controller.ActionPublic:
					admitted()
				case cl.badAuth != "":
					requireCode(t, err, connect.CodeUnauthenticated, cl.badAuth)
				case need == controller.ActionAgent:
					if cl.name == "agent certificate" {
						admitted()
					} else {
						requireCode(t, err, connect.CodeUnauthenticated, "an agent client certificate is required")
					}
				case need == controller.ActionController:
					if cl.name == "controller certificate" {
						admitted()
					} else {
						requireCode(t, err, connect.CodePermissionDenied, "controllers only")
					}
				case !cl.key:
					requireCode(t, err, connect.CodeUnauthenticated, "an API key is required")
				case cl.role.Can(need):
					admitted()
				default:
					requireCode(t, err, connect.CodePermissionDenied,
						fmt.Sprintf("role %s may not call %s: it needs %s, which", cl.role, pr.name, need))
				}
			}
		})
	}
	t.Run("public procedures refuse on their own terms", func(t *testing.T) {
		hc := c.HTTPClient(nil)
		_, err := driftmgrv1connect.NewAgentServiceClient(hc, url).Enroll(timeout(t, 10*time.Second), connect.NewRequest(&pb.EnrollRequest{}))
		requireCode(t, err, connect.CodeUnauthenticated, "join token")
		_, err = clusterClient(c, url, "").Bootstrap(timeout(t, 10*time.Second), connect.NewRequest(&pb.BootstrapRequest{}))
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
		code, _, body = get(t, c, url+"/api/v1/tenants", keys["admin"])
		require.Equal(t, http.StatusForbidden, code, "%s", body)
		require.Contains(t, string(body), "it needs tenants.manage, which owner hold")
		code, _, _ = get(t, c, url+"/api/v1/tenants", owner)
		require.Equal(t, http.StatusOK, code)
	})
}

// procedure is one RPC of a generated service.
type procedure struct {
	name                          string
	clientStream, serverStreaming bool
}

// allProcedures lists every procedure of every service in package
// driftmgr.v1, from the generated descriptors.
func allProcedures(t testing.TB) []procedure {
	t.Helper()
	var out []procedure
	protoregistry.GlobalFiles.RangeFilesByPackage("driftmgr.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			svc := fd.Services().Get(i)
			for j := 0; j < svc.Methods().Len(); j++ {
				m := svc.Methods().Get(j)
				out = append(out, procedure{name: "/" + string(svc.FullName()) + "/" + string(m.Name()),
					clientStream: m.IsStreamingClient(), serverStreaming: m.IsStreamingServer()})
			}
		}
		return true
	})
	slices.SortFunc(out, func(a, b procedure) int { return strings.Compare(a.name, b.name) })
	require.NotEmpty(t, out)
	return out
}

// callProcedure calls any procedure with an empty request: enough to see
// whether the authorizer admits it. A stream counts as admitted once its
// first message arrives.
func callProcedure(ctx context.Context, hc *http.Client, url string, pr procedure, opts ...connect.ClientOption) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cl := connect.NewClient[emptypb.Empty, emptypb.Empty](hc, url+pr.name, opts...)
	switch {
	case pr.clientStream:
		s := cl.CallBidiStream(ctx)
		_ = s.Send(&emptypb.Empty{})
		_, err := s.Receive()
		_ = s.CloseRequest()
		return err
	case pr.serverStreaming:
		s, err := cl.CallServerStream(ctx, connect.NewRequest(&emptypb.Empty{}))
		if err != nil {
			return err
		}
		defer s.Close()
		if s.Receive() {
			return nil
		}
		return s.Err()
	}
	_, err := cl.CallUnary(ctx, connect.NewRequest(&emptypb.Empty{}))
	return err
}

// TestEveryProcedureHasAnAction fails when a service gains a procedure the
// permission table does not list (it would be refused to everyone), or the
// table lists one that no longer exists.
func TestEveryProcedureHasAnAction(t *testing.T) {
	listed := map[string]bool{}
	for _, a := range controller.Actions() {
		for _, p := range controller.ProceduresOf(a) {
			listed[p] = true
		}
	}
	for _, pr := range allProcedures(t) {
		_, ok := controller.ProcedureAction(pr.name)
		assert.True(t, ok, "%s is not in the permission table (controller/permissions.go)", pr.name)
		delete(listed, pr.name)
	}
	assert.Empty(t, listed, "the permission table lists procedures no service has")
}

// TestRoleActionTable is the permission table written out: the least role
// holding each action. Every role is checked against every action.
func TestRoleActionTable(t *testing.T) {
	const none = controller.RoleNone
	least := map[controller.Action]controller.Role{
		controller.ActionPublic:         none,
		controller.ActionAgent:          none,
		controller.ActionController:     none,
		controller.ActionProfile:        controller.RoleViewer,
		controller.ActionRolesRead:      controller.RoleViewer,
		controller.ActionFindingsRead:   controller.RoleViewer,
		controller.ActionAgentsRead:     controller.RoleViewer,
		controller.ActionTokensRead:     controller.RoleViewer,
		controller.ActionClusterRead:    controller.RoleViewer,
		controller.ActionSecurityRead:   controller.RoleViewer,
		controller.ActionProjectsRead:   controller.RoleViewer,
		controller.ActionFindingsAck:    controller.RoleOperator,
		controller.ActionScansTrigger:   controller.RoleOperator,
		controller.ActionWorkflowsRun:   controller.RoleOperator,
		controller.ActionAgentsRevoke:   controller.RoleAdmin,
		controller.ActionTokensManage:   controller.RoleAdmin,
		controller.ActionSecurityManage: controller.RoleAdmin,
		controller.ActionProjectsManage: controller.RoleAdmin,
		controller.ActionUsersRead:      controller.RoleAdmin,
		controller.ActionUsersManage:    controller.RoleAdmin,
		controller.ActionKeysManage:     controller.RoleAdmin,
		controller.ActionSettingsManage: controller.RoleAdmin,
		controller.ActionAuditRead:      controller.RoleAdmin,
		controller.ActionTenantsManage:  controller.RoleOwner,
	}
	require.ElementsMatch(t, controller.Actions(), slices.Collect(maps.Keys(least)), "every action is in this table")
	roles := append([]controller.Role{none}, controller.Roles()...)
	for _, r := range roles {
		for _, a := range controller.Actions() {
			want := least[a] != none && r >= least[a]
			assert.Equal(t, want, r.Can(a), "role %s, action %s", r, a)
		}
	}
	// viewer ⊂ operator ⊂ admin ⊂ owner, each strictly.
	for i := 1; i < len(controller.Roles()); i++ {
		lo, hi := controller.RoleActions(controller.Roles()[i-1]), controller.RoleActions(controller.Roles()[i])
		for _, a := range lo {
			assert.Contains(t, hi, a)
		}
		assert.Greater(t, len(hi), len(lo))
	}
	assert.Empty(t, controller.RoleActions(none))
	for _, r := range roles {
		assert.Equal(t, r, controller.ParseRole(r.String()), "role names round-trip")
	}
	assert.Equal(t, none, controller.ParseRole("auditor"))
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
