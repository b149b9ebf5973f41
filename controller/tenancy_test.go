package controller_test

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// tenancyClient talks to node i with a key, in tenant (the
// Driftmgr-Tenant header) when not empty.
func tenancyClient(c *testcluster.Cluster, i int, key, tenant string) driftmgrv1connect.TenancyServiceClient {
	opts := []connect.ClientOption{testcluster.Bearer(key)}
	if tenant != "" {
		opts = append(opts, connect.WithInterceptors(withHeader{controller.TenantHeader, tenant}))
	}
	return driftmgrv1connect.NewTenancyServiceClient(c.HTTPClient(nil), c.URL(i), opts...)
}

func tenancyAgents(c *testcluster.Cluster, i int, key, tenant string) driftmgrv1connect.AgentsServiceClient {
	return driftmgrv1connect.NewAgentsServiceClient(c.HTTPClient(nil), c.URL(i), testcluster.Bearer(key), controller.InTenant(tenant))
}

func whoami(t testing.TB, cl driftmgrv1connect.TenancyServiceClient) (*pb.WhoAmIResponse, error) {
	resp, err := cl.WhoAmI(timeout(t, 15*time.Second), connect.NewRequest(&pb.WhoAmIRequest{}))
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

// newUserKey creates a local user with a role and a key acting as it.
func newUserKey(t testing.TB, cl driftmgrv1connect.TenancyServiceClient, name, role string) (*pb.User, string) {
	t.Helper()
	ctx := timeout(t, 15*time.Second)
	u, err := cl.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: name, Role: role, Password: "correct horse battery"}))
	require.NoError(t, err)
	k, err := cl.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_UserId{UserId: u.Msg.GetUser().GetId()}}))
	require.NoError(t, err)
	return u.Msg.GetUser(), k.Msg.GetSecret()
}

// TestTenancyThroughTheAPI builds the access model through the API of a
// three-node cluster and uses what it built on every node.
func TestTenancyThroughTheAPI(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	owner := c.APIKey(t)
	ctx := timeout(t, 120*time.Second)
	leader := c.WaitLeader(t, waitLong).Index
	f := c.Follower(t).Index

	// The bootstrap key is a platform owner in the first tenant.
	me, err := whoami(t, tenancyClient(c, f, owner, ""))
	require.NoError(t, err)
	assert.Equal(t, "owner", me.GetRole())
	assert.Equal(t, "default", me.GetTenant())
	assert.Equal(t, "bootstrap", me.GetServiceAccountId())

	plat := tenancyClient(c, f, owner, "")
	for _, id := range []string{"acme", "globex"} {
		resp, err := plat.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: id, DisplayName: strings.ToUpper(id)}))
		require.NoError(t, err)
		assert.Equal(t, strings.ToUpper(id), resp.Msg.GetTenant().GetDisplayName())
		assert.NotNil(t, resp.Msg.GetTenant().GetCreatedAt())
	}
	_, err = plat.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: "acme"}))
	requireCode(t, err, connect.CodeAlreadyExists, "tenant acme exists")
	_, err = plat.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: "Bad Name"}))
	requireCode(t, err, connect.CodeInvalidArgument, `tenant "Bad Name": want`)
	tenants, err := plat.ListTenants(ctx, connect.NewRequest(&pb.ListTenantsRequest{}))
	require.NoError(t, err)
	var ids []string
	for _, tn := range tenants.Msg.GetTenants() {
		ids = append(ids, tn.GetId())
	}
	assert.Equal(t, []string{"acme", "default", "globex"}, ids)

	// The owner acts in acme only by naming it.
	acmeAsOwner := tenancyClient(c, leader, owner, "acme")
	_, err = acmeAsOwner.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "short", Password: "tooshort"}))
	requireCode(t, err, connect.CodeInvalidArgument, "password: at least 12 characters (got 8)")
	_, err = acmeAsOwner.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "x", Role: "superuser", Password: "correct horse battery"}))
	requireCode(t, err, connect.CodeInvalidArgument, `role "superuser": want viewer, operator, admin or owner`)
	_, err = acmeAsOwner.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "Not OK!", Password: "correct horse battery"}))
	requireCode(t, err, connect.CodeInvalidArgument, `username "not ok!": want`)
	alice, aliceKey := newUserKey(t, acmeAsOwner, "alice", "admin")
	assert.Equal(t, "acme", alice.GetTenant())
	assert.Equal(t, "local", alice.GetSource())
	_, err = acmeAsOwner.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "ALICE", Password: "correct horse battery"}))
	requireCode(t, err, connect.CodeAlreadyExists, "user name alice is taken")

	// alice's key works on every node, in acme, as admin.
	for i := range 3 {
		me, err := whoami(t, tenancyClient(c, i, aliceKey, ""))
		require.NoError(t, err, "node %d", i)
		assert.Equal(t, "acme", me.GetTenant())
		assert.Equal(t, "admin", me.GetRole())
		assert.Equal(t, alice.GetId(), me.GetUserId())
	}
	acme := tenancyClient(c, f, aliceKey, "")
	// An admin may not make owners, nor name another tenant.
	_, err = acme.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "mallory", Role: "owner", Password: "correct horse battery"}))
	requireCode(t, err, connect.CodePermissionDenied, "role admin may not grant role owner")
	_, err = whoami(t, tenancyClient(c, f, aliceKey, "globex"))
	requireCode(t, err, connect.CodePermissionDenied, "only a platform owner may act in another tenant than its own (acme)")
	_, err = acme.ListTenants(ctx, connect.NewRequest(&pb.ListTenantsRequest{}))
	requireCode(t, err, connect.CodePermissionDenied, "it needs tenants.manage")

	// A viewer is refused operator actions.
	bob, bobKey := newUserKey(t, acme, "bob", "viewer")
	_, err = findingsClient(c, c.URL(f), bobKey).ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
	require.NoError(t, err)
	_, err = findingsClient(c, c.URL(f), bobKey).AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{Id: "f-1"}))
	requireCode(t, err, connect.CodePermissionDenied, "role viewer may not call /driftmgr.v1.FindingsService/AcknowledgeFinding: it needs findings.ack")
	_, err = agentsClient(c, c.URL(f), bobKey).TriggerScan(ctx, connect.NewRequest(&pb.TriggerScanRequest{AgentId: "agt-x"}))
	requireCode(t, err, connect.CodePermissionDenied, "it needs scans.trigger")
	// A key may not exceed its owner's role.
	_, err = acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_UserId{UserId: bob.GetId()}, Role: "operator"}))
	requireCode(t, err, connect.CodeInvalidArgument, "role operator exceeds the viewer role of user bob")
	// Promoting bob takes effect on his existing key at once.
	up, err := acme.UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: bob.GetId(), Role: proto.String("operator")}))
	require.NoError(t, err)
	assert.Equal(t, "operator", up.Msg.GetUser().GetRole())
	me, err = whoami(t, tenancyClient(c, f, bobKey, ""))
	require.NoError(t, err)
	assert.Equal(t, "viewer", me.GetRole(), "the key was issued as viewer: it keeps the lower role")
	// Disabling bob refuses his key on every node at once.
	_, err = tenancyClient(c, leader, aliceKey, "").UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: bob.GetId(), Disabled: proto.Bool(true)}))
	require.NoError(t, err)
	for i := range 3 {
		_, err := whoami(t, tenancyClient(c, i, bobKey, ""))
		requireCode(t, err, connect.CodeUnauthenticated, "api key's user bob is disabled")
	}

	// Service accounts and keys; last use is recorded later, in batches.
	sa, err := acme.CreateServiceAccount(ctx, connect.NewRequest(&pb.CreateServiceAccountRequest{Id: "ci", Role: "operator", Description: "pipelines"}))
	require.NoError(t, err)
	assert.Equal(t, "operator", sa.Msg.GetServiceAccount().GetRole())
	ci, err := acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: "ci"},
		Description: "deploy", TtlSeconds: 3600}))
	require.NoError(t, err)
	assert.Regexp(t, `^dm_[a-z2-7]{12}_[a-z2-7]{32}$`, ci.Msg.GetSecret())
	assert.Equal(t, "operator", ci.Msg.GetKey().GetRole())
	assert.NotNil(t, ci.Msg.GetKey().GetExpiresAt())
	_, err = acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{}))
	requireCode(t, err, connect.CodeInvalidArgument, "owner: set user_id or service_account_id")
	_, err = acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_UserId{UserId: "usr-nope"}}))
	requireCode(t, err, connect.CodeNotFound, `user "usr-nope" not found`)
	_, err = acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: "ci"}, TtlSeconds: -1}))
	requireCode(t, err, connect.CodeInvalidArgument, "ttl_seconds: must not be negative")
	keys, err := acme.ListAPIKeys(ctx, connect.NewRequest(&pb.ListAPIKeysRequest{}))
	require.NoError(t, err)
	require.Len(t, keys.Msg.GetKeys(), 3, "alice's, bob's and ci's")
	for _, k := range keys.Msg.GetKeys() {
		assert.Equal(t, "acme", k.GetTenant())
		assert.True(t, k.GetUserId() != "" || k.GetServiceAccountId() != "")
	}

	// An expired key is refused.
	short, err := acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: "ci"}, TtlSeconds: 1}))
	require.NoError(t, err)
	_, err = whoami(t, tenancyClient(c, f, short.Msg.GetSecret(), ""))
	require.NoError(t, err)
	time.Sleep(time.Until(short.Msg.GetKey().GetExpiresAt().AsTime()) + 50*time.Millisecond)
	_, err = whoami(t, tenancyClient(c, f, short.Msg.GetSecret(), ""))
	requireCode(t, err, connect.CodeUnauthenticated, "api key expired")

	// A revoked key is refused on every node as soon as the revocation
	// answers, followers included.
	for round := range 3 {
		k, err := acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: "ci"}}))
		require.NoError(t, err)
		for i := range 3 {
			_, err := whoami(t, tenancyClient(c, i, k.Msg.GetSecret(), ""))
			require.NoError(t, err, "round %d node %d", round, i)
		}
		via := []int{leader, f, leader}[round]
		rev, err := tenancyClient(c, via, aliceKey, "").RevokeAPIKey(ctx, connect.NewRequest(&pb.RevokeAPIKeyRequest{Id: k.Msg.GetKey().GetId()}))
		require.NoError(t, err)
		assert.True(t, rev.Msg.GetKey().GetRevoked())
		for i := range 3 {
			_, err := whoami(t, tenancyClient(c, i, k.Msg.GetSecret(), ""))
			requireCode(t, err, connect.CodeUnauthenticated, "api key is revoked")
		}
	}
	// A key just resolved (and so remembered by the node) still needs its
	// secret: the same id with another secret is refused.
	_, err = whoami(t, tenancyClient(c, f, aliceKey, ""))
	require.NoError(t, err)
	wrong := aliceKey[:len(aliceKey)-1] + map[bool]string{true: "b", false: "a"}[strings.HasSuffix(aliceKey, "a")]
	_, err = whoami(t, tenancyClient(c, f, wrong, ""))
	requireCode(t, err, connect.CodeUnauthenticated, "api key is not valid")

	// Deleting the service account revokes its keys.
	_, err = acme.DeleteServiceAccount(ctx, connect.NewRequest(&pb.DeleteServiceAccountRequest{Id: "ci"}))
	require.NoError(t, err)
	_, err = whoami(t, tenancyClient(c, f, ci.Msg.GetSecret(), ""))
	requireCode(t, err, connect.CodeUnauthenticated, "api key is revoked")

	// Passwords: one's own needs the current one; an admin sets others'.
	_, err = tenancyClient(c, f, aliceKey, "").ChangePassword(ctx, connect.NewRequest(&pb.ChangePasswordRequest{Id: alice.GetId(),
		CurrentPassword: "not it at all", NewPassword: "a much better passphrase"}))
	requireCode(t, err, connect.CodePermissionDenied, "current_password: does not match")
	_, err = tenancyClient(c, f, aliceKey, "").ChangePassword(ctx, connect.NewRequest(&pb.ChangePasswordRequest{Id: alice.GetId(),
		CurrentPassword: "correct horse battery", NewPassword: "short"}))
	requireCode(t, err, connect.CodeInvalidArgument, "new_password: at least 12 characters (got 5)")
	_, err = tenancyClient(c, f, aliceKey, "").ChangePassword(ctx, connect.NewRequest(&pb.ChangePasswordRequest{Id: alice.GetId(),
		CurrentPassword: "correct horse battery", NewPassword: "a much better passphrase"}))
	require.NoError(t, err)
	srv := c.Member(f).Server()
	require.NoError(t, srv.Node().ReadBarrier(ctx))
	_, err = srv.VerifyPassword(ctx, "acme", "alice", "correct horse battery")
	require.ErrorIs(t, err, controller.ErrBadLogin)
	u, err := srv.VerifyPassword(ctx, "acme", "Alice", "a much better passphrase")
	require.NoError(t, err)
	assert.Equal(t, alice.GetId(), u.GetId())
	_, err = srv.VerifyPassword(ctx, "globex", "alice", "a much better passphrase")
	require.ErrorIs(t, err, controller.ErrBadLogin, "alice is acme's")

	// OIDC logins create a federated user once and find it after.
	fed, err := srv.LoginFederated(ctx, "acme", controller.FederatedLogin{Issuer: "https://idp.example.com", Subject: "1234",
		Email: "Carol@Example.com", Name: "Carol"})
	require.NoError(t, err)
	assert.Equal(t, "carol@example.com", fed.GetUsername())
	assert.Equal(t, "viewer", fed.GetRole())
	again, err := c.Member(leader).Server().LoginFederated(ctx, "acme", controller.FederatedLogin{Issuer: "https://idp.example.com", Subject: "1234"})
	require.NoError(t, err)
	assert.Equal(t, fed.GetId(), again.GetId())
	_, err = acme.ChangePassword(ctx, connect.NewRequest(&pb.ChangePasswordRequest{Id: fed.GetId(), NewPassword: "a much better passphrase"}))
	requireCode(t, err, connect.CodeFailedPrecondition, "signs in through oidc")

	// Projects, and join tokens and agents assigned to them.
	proj, err := acme.CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "prod", DisplayName: "Production",
		Accounts: []*pb.CloudAccount{{Provider: "aws", AccountId: "123456789012", Name: "prod"}, {Provider: "gcp", AccountId: "acme-prod"}}}))
	require.NoError(t, err)
	assert.Len(t, proj.Msg.GetProject().GetAccounts(), 2)
	_, err = acme.CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "dev", Accounts: []*pb.CloudAccount{{Provider: "ibm", AccountId: "x"}}}))
	requireCode(t, err, connect.CodeInvalidArgument, `accounts[0].provider "ibm": want aws, azure or gcp`)
	_, err = agentsClient(c, c.URL(f), aliceKey).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{Project: "nope"}))
	requireCode(t, err, connect.CodeNotFound, `project "nope" not found`)
	tok, err := agentsClient(c, c.URL(f), aliceKey).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{Project: "prod"}))
	require.NoError(t, err)
	assert.Equal(t, "prod", tok.Msg.GetToken().GetProject())
	ag, err := enrollWith(t, c, c.URL(f), tok.Msg.GetSecret(), "prod-agent")
	require.NoError(t, err)
	assert.Equal(t, "acme", ag.Tenant, "the agent's certificate carries the token's tenant")
	agents, err := agentsClient(c, c.URL(leader), aliceKey).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
	require.NoError(t, err)
	require.Len(t, agents.Msg.GetAgents(), 1)
	assert.Equal(t, "prod", agents.Msg.GetAgents()[0].GetProject())
	_, err = acme.DeleteProject(ctx, connect.NewRequest(&pb.DeleteProjectRequest{Id: "prod"}))
	requireCode(t, err, connect.CodeFailedPrecondition, "project prod is still assigned to agent "+ag.ID)

	// globex's admin sees none of acme's objects: by id they read exactly
	// like missing ones.
	_, globexKey := newUserKey(t, tenancyClient(c, leader, owner, "globex"), "gina", "admin")
	globex := tenancyClient(c, f, globexKey, "")
	sameAsMissing := func(what string, call func(id string) error, id string) {
		t.Helper()
		errOther, errMissing := call(id), call("nope-"+id)
		requireCode(t, errOther, connect.CodeNotFound)
		requireCode(t, errMissing, connect.CodeNotFound)
		assert.Equal(t, strings.ReplaceAll(errMissing.Error(), "nope-"+id, id), errOther.Error(), what)
	}
	sameAsMissing("user", func(id string) error {
		_, err := globex.GetUser(ctx, connect.NewRequest(&pb.GetUserRequest{Id: id}))
		return err
	}, alice.GetId())
	sameAsMissing("project", func(id string) error {
		_, err := globex.GetProject(ctx, connect.NewRequest(&pb.GetProjectRequest{Id: id}))
		return err
	}, "prod")
	sameAsMissing("key revocation", func(id string) error {
		_, err := globex.RevokeAPIKey(ctx, connect.NewRequest(&pb.RevokeAPIKeyRequest{Id: id}))
		return err
	}, keys.Msg.GetKeys()[0].GetId())
	sameAsMissing("user update", func(id string) error {
		_, err := globex.UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: id, Disabled: proto.Bool(true)}))
		return err
	}, alice.GetId())
	sameAsMissing("key for another tenant's user", func(id string) error {
		_, err := globex.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_UserId{UserId: id}}))
		return err
	}, alice.GetId())
	users, err := globex.ListUsers(ctx, connect.NewRequest(&pb.ListUsersRequest{}))
	require.NoError(t, err)
	require.Len(t, users.Msg.GetUsers(), 1)
	assert.Equal(t, "gina", users.Msg.GetUsers()[0].GetUsername())
	projects, err := globex.ListProjects(ctx, connect.NewRequest(&pb.ListProjectsRequest{}))
	require.NoError(t, err)
	assert.Empty(t, projects.Msg.GetProjects())
	gkeys, err := globex.ListAPIKeys(ctx, connect.NewRequest(&pb.ListAPIKeysRequest{}))
	require.NoError(t, err)
	require.Len(t, gkeys.Msg.GetKeys(), 1)

	// The platform owner reads acme's user only when it names acme.
	_, err = plat.GetUser(ctx, connect.NewRequest(&pb.GetUserRequest{Id: alice.GetId()}))
	requireCode(t, err, connect.CodeNotFound)
	got, err := tenancyClient(c, f, owner, "acme").GetUser(ctx, connect.NewRequest(&pb.GetUserRequest{Id: alice.GetId()}))
	require.NoError(t, err)
	assert.Equal(t, "alice", got.Msg.GetUser().GetUsername())
	_, err = whoami(t, tenancyClient(c, f, owner, "initech"))
	requireCode(t, err, connect.CodeNotFound, `Driftmgr-Tenant header: tenant "initech" not found`)
	// Over REST too, and on a stream.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL(f)+"/api/v1/users/"+alice.GetId(), nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+owner)
	req.Header.Set(controller.TenantHeader, "acme")
	resp, err := c.HTTPClient(nil).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	ws, err := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), c.URL(f), testcluster.Bearer(owner),
		connect.WithInterceptors(withHeader{controller.TenantHeader, "globex"})).Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
	require.NoError(t, err)
	require.True(t, ws.Receive(), "%v", ws.Err())
	_ = ws.Close()
	_, err = driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), c.URL(f), testcluster.Bearer(aliceKey),
		connect.WithInterceptors(withHeader{controller.TenantHeader, "globex"})).Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
	if err == nil {
		// Server streams report the refusal on the first receive.
		ws, _ := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), c.URL(f), testcluster.Bearer(aliceKey),
			connect.WithInterceptors(withHeader{controller.TenantHeader, "globex"})).Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
		require.False(t, ws.Receive())
		err = ws.Err()
	}
	requireCode(t, err, connect.CodePermissionDenied, "only a platform owner")

	// An agent writes its certificate's tenant only: a tenant header is
	// not for agents.
	sneaky := driftmgrv1connect.NewAgentServiceClient(ag.http, c.URL(f), connect.WithInterceptors(withHeader{controller.TenantHeader, "globex"}))
	_, err = sneaky.Upload(ctx, connect.NewRequest(findingsBatch(ag.Epoch, 1, "acme-agent", 1, 0)))
	require.NoError(t, err)
	gl, err := listAll(ctx, c, c.URL(f), globexKey, pb.Consistency_CONSISTENCY_CONSISTENT)
	require.NoError(t, err)
	assert.Zero(t, gl.GetTotalSize(), "nothing landed in globex")
	fd, err := driftmgrv1connect.NewFindingsServiceClient(c.HTTPClient(nil), c.URL(f), testcluster.Bearer(owner), controller.InTenant("acme")).
		GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "acme-agent-0", Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
	require.NoError(t, err)
	assert.Equal(t, "acme", fd.Msg.GetFinding().GetTenant())

	// A disabled tenant's keys and agents are refused; its data stays.
	_, err = plat.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: "acme", Disabled: proto.Bool(true)}))
	require.NoError(t, err)
	joinTok, err := tenancyAgents(c, f, owner, "acme").CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
	require.NoError(t, err)
	_, err = enrollWith(t, c, c.URL(f), joinTok.Msg.GetSecret(), "late")
	requireCode(t, err, connect.CodePermissionDenied, "tenant acme is disabled")
	for i := range 3 {
		_, err := whoami(t, tenancyClient(c, i, aliceKey, ""))
		requireCode(t, err, connect.CodeUnauthenticated, "tenant acme is disabled")
	}
	_, err = ag.upload(ctx, findingsBatch(ag.Epoch, 2, "x", 1, 0))
	requireCode(t, err, connect.CodeUnauthenticated, "tenant acme is disabled")
	_, err = tenancyClient(c, f, owner, "acme").GetUser(ctx, connect.NewRequest(&pb.GetUserRequest{Id: alice.GetId()}))
	require.NoError(t, err, "the owner still reaches a disabled tenant")
	_, err = plat.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: "acme", Disabled: proto.Bool(false)}))
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, err := whoami(t, tenancyClient(c, f, aliceKey, "")); return err == nil }, waitLong, tick)
}

func TestListRolesIsThePermissionTable(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	resp, err := tenancyClient(c, 0, addKey(t, c, "default", "viewer"), "").ListRoles(timeout(t, 15*time.Second),
		connect.NewRequest(&pb.ListRolesRequest{}))
	require.NoError(t, err)
	var names []string
	for i, r := range resp.Msg.GetRoles() {
		names = append(names, r.GetName())
		role := controller.ParseRole(r.GetName())
		require.Len(t, r.GetActions(), len(controller.RoleActions(role)))
		for _, a := range r.GetActions() {
			assert.True(t, role.Can(controller.Action(a)), "%s %s", r.GetName(), a)
		}
		assert.Equal(t, r.GetName() == "owner", r.GetPlatform())
		assert.NotEmpty(t, r.GetDescription())
		if i > 0 {
			assert.Subset(t, r.GetActions(), resp.Msg.GetRoles()[i-1].GetActions())
		}
	}
	assert.Equal(t, []string{"viewer", "operator", "admin", "owner"}, names)
	byName := map[string]*pb.Action{}
	for _, a := range resp.Msg.GetActions() {
		byName[a.GetName()] = a
	}
	assert.Contains(t, byName["findings.ack"].GetProcedures(), driftmgrv1connect.FindingsServiceAcknowledgeFindingProcedure)
	assert.Contains(t, byName["tenants.manage"].GetProcedures(), driftmgrv1connect.TenancyServiceCreateTenantProcedure)

	// The REST mapping is in the OpenAPI document.
	code, _, body := get(t, c, c.URL(0)+"/api/v1/openapi.json", "")
	require.Equal(t, http.StatusOK, code)
	for _, path := range []string{`"/api/v1/tenants"`, `"/api/v1/users/{id}:password"`, `"/api/v1/api-keys/{id}:revoke"`, `"/api/v1/roles"`} {
		assert.Contains(t, string(body), path)
	}
}

// applyCount reads driftmgr_raft_apply_seconds_count for one command
// proposed through node i.
func applyCount(t testing.TB, c *testcluster.Cluster, i int, command string) int {
	t.Helper()
	code, _, body := get(t, c, c.URL(i)+"/metrics", "")
	require.Equal(t, http.StatusOK, code)
	sc := bufio.NewScanner(bytes.NewReader(body))
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "driftmgr_raft_apply_seconds_count{") && strings.Contains(line, `command="`+command+`"`) {
			v, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
			require.NoError(t, err)
			n += int(v)
		}
	}
	return n
}

// TestKeyLastUseIsBatched: using keys does not write raft per request;
// each node proposes one batch per flush interval, whatever the traffic.
func TestKeyLastUseIsBatched(t *testing.T) {
	const interval = 300 * time.Millisecond
	c := testcluster.Start(t, 3, testcluster.Options{Tune: func(cfg *controller.Config) { cfg.KeyUseFlushInterval = interval }})
	owner := c.APIKey(t)
	ctx := timeout(t, 60*time.Second)
	acme := tenancyClient(c, 0, owner, "")
	_, err := acme.CreateServiceAccount(ctx, connect.NewRequest(&pb.CreateServiceAccountRequest{Id: "ci", Role: "viewer"}))
	require.NoError(t, err)
	var keys []string
	for range 3 {
		k, err := acme.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: "ci"}}))
		require.NoError(t, err)
		keys = append(keys, k.Msg.GetSecret())
	}
	before := make([]int, 3)
	for i := range 3 {
		before[i] = applyCount(t, c, i, "touch_api_keys")
	}
	// One client per node and key, made once: a client per call would
	// spend each call on a TLS handshake, and a slow machine would then
	// make fewer calls than there are batches to compare them with.
	var clients []driftmgrv1connect.TenancyServiceClient
	for i := range 3 {
		for _, k := range keys {
			clients = append(clients, tenancyClient(c, i, k, ""))
		}
	}
	start := time.Now()
	requests := 0
	for time.Since(start) < 4*interval {
		for _, cl := range clients {
			_, err := whoami(t, cl)
			require.NoError(t, err)
			requests++
		}
	}
	elapsed := time.Since(start)
	time.Sleep(2 * interval) // the last batch
	maxBatches := int(elapsed/interval) + 3
	for i := range 3 {
		n := applyCount(t, c, i, "touch_api_keys") - before[i]
		assert.Positive(t, n, "node %d recorded its uses", i)
		assert.LessOrEqual(t, n, maxBatches, "node %d: %d batches for %d requests in %s", i, n, requests, elapsed)
	}
	assert.Greater(t, requests, 3*maxBatches, "the test made more requests than batches")
	list, err := tenancyClient(c, 1, owner, "").ListAPIKeys(ctx, connect.NewRequest(&pb.ListAPIKeysRequest{}))
	require.NoError(t, err)
	seen := 0
	for _, k := range list.Msg.GetKeys() {
		if k.GetServiceAccountId() != "ci" {
			continue
		}
		require.NotNil(t, k.GetLastUsedAt(), "key %s", k.GetId())
		assert.WithinDuration(t, time.Now(), k.GetLastUsedAt().AsTime(), elapsed+5*interval)
		seen++
	}
	assert.Equal(t, 3, seen)

	// An explicit flush with nothing pending proposes nothing.
	n := applyCount(t, c, 2, "touch_api_keys")
	require.NoError(t, controller.FlushKeyUse(context.Background(), c.Member(2).Server()))
	require.NoError(t, controller.FlushKeyUse(context.Background(), c.Member(2).Server()))
	assert.LessOrEqual(t, applyCount(t, c, 2, "touch_api_keys")-n, 1)
}

// Roles and the tenant header hold on every protocol, for unary calls and
// streams alike.
func TestRolesAndTenantHeaderOnEveryProtocol(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	owner := c.APIKey(t)
	ctx := timeout(t, 60*time.Second)
	_, err := tenancyClient(c, 0, owner, "").CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: "acme"}))
	require.NoError(t, err)
	viewer := addKey(t, c, "default", "viewer")
	for _, tc := range []struct {
		name string
		opt  connect.ClientOption
	}{
		{"connect", connect.WithProtoJSON()},
		{"grpc", connect.WithGRPC()},
		{"grpc-web", connect.WithGRPCWeb()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := c.HTTPClient(nil)
			_, err := driftmgrv1connect.NewFindingsServiceClient(hc, c.URL(0), tc.opt, testcluster.Bearer(viewer)).
				AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{Id: "f"}))
			requireCode(t, err, connect.CodePermissionDenied, "it needs findings.ack")
			me, err := driftmgrv1connect.NewTenancyServiceClient(hc, c.URL(0), tc.opt, testcluster.Bearer(owner), controller.InTenant("acme")).
				WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
			require.NoError(t, err)
			assert.Equal(t, "acme", me.Msg.GetTenant())
			assert.Equal(t, "default", me.Msg.GetHomeTenant())

			watch := func(opts ...connect.ClientOption) error {
				s, err := driftmgrv1connect.NewEventsServiceClient(hc, c.URL(0), append([]connect.ClientOption{tc.opt}, opts...)...).
					Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
				if err != nil {
					return err
				}
				defer s.Close()
				if s.Receive() {
					return nil
				}
				return s.Err()
			}
			require.NoError(t, watch(testcluster.Bearer(owner), controller.InTenant("acme")))
			requireCode(t, watch(testcluster.Bearer(viewer), controller.InTenant("acme")), connect.CodePermissionDenied, "only a platform owner")
			requireCode(t, watch(testcluster.Bearer(owner), controller.InTenant("initech")), connect.CodeNotFound, `tenant "initech" not found`)
		})
	}
}
