package fsm

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

func tenancyCmd(d time.Duration, set func(c *pb.RaftCommand)) *pb.RaftCommand {
	c := cmdAt(d, "")
	set(c)
	return c
}

func createTenantCmd(id string) *pb.RaftCommand {
	return tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_CreateTenant{CreateTenant: &pb.CreateTenantCommand{Tenant: &pb.Tenant{Id: id, DisplayName: "Tenant " + id}}}
	})
}

func createUserCmd(tenant, id, name, source string) *pb.RaftCommand {
	return tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_CreateUser{CreateUser: &pb.CreateUserCommand{User: &pb.StoredUser{
			User:         &pb.User{Id: id, Tenant: tenant, Username: name, Role: "operator", Source: source, CreatedAt: ts(0)},
			PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}}}
	})
}

func updateUserCmd(tenant, id string, d time.Duration, edit func(*pb.UpdateUserCommand)) *pb.RaftCommand {
	u := &pb.UpdateUserCommand{Tenant: tenant, Id: id}
	edit(u)
	return tenancyCmd(d, func(c *pb.RaftCommand) { c.Cmd = &pb.RaftCommand_UpdateUser{UpdateUser: u} })
}

func issueKeyCmd(tenant, id, user, sa string) *pb.RaftCommand {
	return tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_IssueApiKey{IssueApiKey: &pb.IssueAPIKeyCommand{Key: &pb.StoredAPIKey{Id: id, Tenant: tenant,
			UserId: user, ServiceAccountId: sa, Role: "viewer", SecretHash: []byte("h"), CreatedAt: ts(0)}}}
	})
}

func createSACmd(tenant, id string) *pb.RaftCommand {
	return tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_CreateServiceAccount{CreateServiceAccount: &pb.CreateServiceAccountCommand{
			ServiceAccount: &pb.ServiceAccount{Id: id, Tenant: tenant, Role: "operator", CreatedAt: ts(0)}}}
	})
}

func revokeKeyCmd(tenant, id string, d time.Duration) *pb.RaftCommand {
	return tenancyCmd(d, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_RevokeApiKey{RevokeApiKey: &pb.RevokeAPIKeyCommand{Tenant: tenant, Id: id}}
	})
}

func touchCmd(uses map[string]time.Duration) *pb.RaftCommand {
	t := &pb.TouchAPIKeysCommand{}
	for id, d := range uses {
		t.Uses = append(t.Uses, &pb.APIKeyUse{KeyId: id, At: ts(d)})
	}
	return tenancyCmd(0, func(c *pb.RaftCommand) { c.Cmd = &pb.RaftCommand_TouchApiKeys{TouchApiKeys: t} })
}

func upsertCmd(tenant, subject, username, newID string, d time.Duration) *pb.RaftCommand {
	return tenancyCmd(d, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_UpsertFederatedUser{UpsertFederatedUser: &pb.UpsertFederatedUserCommand{Tenant: tenant,
			Issuer: "https://idp.example.com", Subject: subject, Email: username, DisplayName: "Name " + subject,
			NewUserId: newID, Username: username, Role: "viewer"}}
	})
}

func bootstrapCmd(tenant, key string) *pb.RaftCommand {
	return tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_Bootstrap{Bootstrap: &pb.BootstrapCommand{Tenant: &pb.Tenant{Id: tenant, DisplayName: tenant, CreatedAt: ts(0)},
			ServiceAccount: &pb.ServiceAccount{Id: "bootstrap", Tenant: tenant, Role: "owner", CreatedAt: ts(0)},
			Key:            &pb.StoredAPIKey{Id: key, Tenant: tenant, ServiceAccountId: "bootstrap", Role: "owner", SecretHash: []byte("h"), CreatedAt: ts(0)}}}
	})
}

func (n *node) key(tenant, id string) *pb.StoredAPIKey {
	n.t.Helper()
	var k *pb.StoredAPIKey
	require.NoError(n.t, n.store.View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		k, err = tt.APIKey(id)
		return err
	}))
	return k
}

func (n *node) tenantRecord(id string) (*pb.Tenant, error) {
	var r *pb.Tenant
	err := n.store.View(func(tx *state.Tx) error {
		var err error
		r, err = tx.TenantRecord(id)
		return err
	})
	return r, err
}

func requireFail(t *testing.T, r *pb.ApplyResult, code string, msg string) {
	t.Helper()
	assert.Equal(t, code, r.GetCode(), "result: %v", r)
	assert.Contains(t, r.GetMessage(), msg)
}

func TestEncodeDecodeTenancyCommands(t *testing.T) {
	cmds := map[CmdType]*pb.RaftCommand{
		CmdCreateTenant: createTenantCmd("a"),
		CmdUpdateTenant: tenancyCmd(0, func(c *pb.RaftCommand) {
			c.Cmd = &pb.RaftCommand_UpdateTenant{UpdateTenant: &pb.UpdateTenantCommand{Id: "a", Disabled: proto.Bool(true)}}
		}),
		CmdCreateProject: tenancyCmd(0, func(c *pb.RaftCommand) {
			c.Cmd = &pb.RaftCommand_CreateProject{CreateProject: &pb.CreateProjectCommand{Project: &pb.Project{Id: "p", Tenant: "a"}}}
		}),
		CmdDeleteProject: tenancyCmd(0, func(c *pb.RaftCommand) {
			c.Cmd = &pb.RaftCommand_DeleteProject{DeleteProject: &pb.DeleteProjectCommand{Tenant: "a", Id: "p"}}
		}),
		CmdCreateUser: createUserCmd("a", "u", "alice", "local"),
		CmdUpdateUser: updateUserCmd("a", "u", 0, func(u *pb.UpdateUserCommand) { u.Role = proto.String("admin") }),
		CmdDeleteUser: tenancyCmd(0, func(c *pb.RaftCommand) {
			c.Cmd = &pb.RaftCommand_DeleteUser{DeleteUser: &pb.DeleteUserCommand{Tenant: "a", Id: "u"}}
		}),
		CmdUpsertFederatedUser:  upsertCmd("a", "s", "bob", "u2", 0),
		CmdCreateServiceAccount: createSACmd("a", "ci"),
		CmdDeleteServiceAccount: tenancyCmd(0, func(c *pb.RaftCommand) {
			c.Cmd = &pb.RaftCommand_DeleteServiceAccount{DeleteServiceAccount: &pb.DeleteServiceAccountCommand{Tenant: "a", Id: "ci"}}
		}),
		CmdIssueAPIKey:  issueKeyCmd("a", "k", "u", ""),
		CmdRevokeAPIKey: revokeKeyCmd("a", "k", 0),
		CmdTouchAPIKeys: touchCmd(map[string]time.Duration{"k": 0}),
		CmdBootstrap:    bootstrapCmd("a", "k"),
	}
	require.Len(t, cmds, len(tenancyNames), "every tenancy command is tested")
	names := map[string]bool{}
	for want, c := range cmds {
		assert.GreaterOrEqual(t, byte(want), byte(20), "%s: tenancy types are 20-49", want)
		assert.LessOrEqual(t, byte(want), byte(49), "%s: tenancy types are 20-49", want)
		data, err := Encode(c)
		require.NoError(t, err, want.String())
		assert.Equal(t, byte(want), data[0])
		got, dec, err := Decode(data)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.True(t, proto.Equal(c, dec))
		assert.NotContains(t, want.String(), "unknown")
		names[want.String()] = true
	}
	assert.Len(t, names, len(cmds), "every type has its own name")
}

func TestTenants(t *testing.T) {
	n := newNode(t)
	r := n.result(createTenantCmd("acme"))
	require.Empty(t, r.GetCode())
	assert.Equal(t, "Tenant acme", r.GetTenant().GetDisplayName())
	assert.True(t, r.GetTenant().GetCreatedAt().AsTime().Equal(t0), "the leader's time is the creation time")
	requireFail(t, n.result(createTenantCmd("acme")), "already_exists", "tenant acme exists")
	requireFail(t, n.result(createTenantCmd("Not Valid")), "invalid_argument", "tenant")

	// A tenant of an older release (data, no record) exists: creating it
	// again is refused, updating it gives it its record.
	n.result(apiKeyCmd("legacy", "k-legacy"))
	_, err := n.tenantRecord("legacy")
	require.ErrorIs(t, err, state.ErrNotFound)
	requireFail(t, n.result(createTenantCmd("legacy")), "already_exists", "tenant legacy exists")
	update := func(id string, edit func(*pb.UpdateTenantCommand)) *pb.ApplyResult {
		u := &pb.UpdateTenantCommand{Id: id}
		edit(u)
		return n.result(tenancyCmd(0, func(c *pb.RaftCommand) { c.Cmd = &pb.RaftCommand_UpdateTenant{UpdateTenant: u} }))
	}
	r = update("legacy", func(u *pb.UpdateTenantCommand) { u.DisplayName = proto.String("Legacy Inc") })
	require.Empty(t, r.GetCode())
	rec, err := n.tenantRecord("legacy")
	require.NoError(t, err)
	assert.Equal(t, "Legacy Inc", rec.GetDisplayName())
	requireFail(t, update("nope", func(u *pb.UpdateTenantCommand) {}), "not_found", "tenant nope not found")

	// Only the fields set change.
	r = update("acme", func(u *pb.UpdateTenantCommand) {
		u.Disabled = proto.Bool(true)
		u.Quotas = &pb.TenantQuotas{MaxAgents: 5}
	})
	require.Empty(t, r.GetCode())
	assert.True(t, r.GetTenant().GetDisabled())
	assert.Equal(t, "Tenant acme", r.GetTenant().GetDisplayName())
	assert.EqualValues(t, 5, r.GetTenant().GetQuotas().GetMaxAgents())
	r = update("acme", func(u *pb.UpdateTenantCommand) { u.Disabled = proto.Bool(false) })
	assert.False(t, r.GetTenant().GetDisabled())
	assert.EqualValues(t, 5, r.GetTenant().GetQuotas().GetMaxAgents(), "quotas kept when not set")
}

func TestUsers(t *testing.T) {
	n := newNode(t)
	r := n.result(createUserCmd("acme", "usr-1", "alice", "local"))
	require.Empty(t, r.GetCode())
	assert.Equal(t, "alice", r.GetUser().GetUsername())
	assert.Equal(t, "operator", r.GetUser().GetRole())
	_, err := n.tenantRecord("acme")
	require.NoError(t, err, "the first write to a tenant gives it a record")
	requireFail(t, n.result(createUserCmd("acme", "usr-2", "alice", "local")), "already_exists", "user name alice is taken")
	requireFail(t, n.result(createUserCmd("acme", "usr-1", "alice2", "local")), "already_exists", "user usr-1 exists")
	require.Empty(t, n.result(createUserCmd("globex", "usr-2", "alice", "local")).GetCode(), "names are per tenant")

	r = n.result(updateUserCmd("acme", "usr-1", time.Hour, func(u *pb.UpdateUserCommand) {
		u.Role, u.PasswordHash = proto.String("admin"), proto.String("$argon2id$new")
	}))
	require.Empty(t, r.GetCode())
	assert.Equal(t, "admin", r.GetUser().GetRole())
	assert.True(t, r.GetUser().GetPasswordChangedAt().AsTime().Equal(t0.Add(time.Hour)))
	requireFail(t, n.result(updateUserCmd("globex", "usr-1", 0, func(u *pb.UpdateUserCommand) { u.Disabled = proto.Bool(true) })),
		"not_found", "user usr-1 not found")

	// Deleting a user revokes its keys, and only its keys.
	require.Empty(t, n.result(issueKeyCmd("acme", "k-alice", "usr-1", "")).GetCode())
	require.Empty(t, n.result(createUserCmd("acme", "usr-3", "carol", "local")).GetCode())
	require.Empty(t, n.result(issueKeyCmd("acme", "k-carol", "usr-3", "")).GetCode())
	del := tenancyCmd(2*time.Hour, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_DeleteUser{DeleteUser: &pb.DeleteUserCommand{Tenant: "acme", Id: "usr-1"}}
	})
	require.Empty(t, n.result(del).GetCode())
	assert.True(t, n.key("acme", "k-alice").GetRevoked())
	assert.True(t, n.key("acme", "k-alice").GetRevokedAt().AsTime().Equal(t0.Add(2*time.Hour)))
	assert.False(t, n.key("acme", "k-carol").GetRevoked())
	// The name is free again.
	require.Empty(t, n.result(createUserCmd("acme", "usr-4", "alice", "local")).GetCode())
}

func TestFederatedUsers(t *testing.T) {
	n := newNode(t)
	r := n.result(upsertCmd("acme", "sub-1", "bob@example.com", "usr-b", time.Minute))
	require.Empty(t, r.GetCode())
	u := r.GetUser()
	assert.Equal(t, "oidc", u.GetSource())
	assert.Equal(t, "viewer", u.GetRole())
	assert.True(t, u.GetLastLoginAt().AsTime().Equal(t0.Add(time.Minute)))

	// The next login finds the same user by issuer and subject, whatever
	// new id the login proposed; the role stays what an admin set.
	n.result(updateUserCmd("acme", "usr-b", 0, func(u *pb.UpdateUserCommand) { u.Role = proto.String("operator") }))
	r = n.result(upsertCmd("acme", "sub-1", "bob@example.com", "usr-other", time.Hour))
	require.Empty(t, r.GetCode())
	assert.Equal(t, "usr-b", r.GetUser().GetId())
	assert.Equal(t, "operator", r.GetUser().GetRole())
	assert.True(t, r.GetUser().GetLastLoginAt().AsTime().Equal(t0.Add(time.Hour)))

	// Federated users have no password here.
	requireFail(t, n.result(updateUserCmd("acme", "usr-b", 0, func(u *pb.UpdateUserCommand) { u.PasswordHash = proto.String("x") })),
		"failed_precondition", "signs in through oidc")
	// A disabled user's login is refused.
	n.result(updateUserCmd("acme", "usr-b", 0, func(u *pb.UpdateUserCommand) { u.Disabled = proto.Bool(true) }))
	requireFail(t, n.result(upsertCmd("acme", "sub-1", "bob@example.com", "usr-x", 0)), "failed_precondition", "disabled")
	// Another subject cannot take a username that is in use.
	n.result(createUserCmd("acme", "usr-l", "carol@example.com", "local"))
	requireFail(t, n.result(upsertCmd("acme", "sub-2", "carol@example.com", "usr-c", 0)), "failed_precondition", "is taken")
}

func TestAPIKeysAndServiceAccounts(t *testing.T) {
	n := newNode(t)
	requireFail(t, n.result(issueKeyCmd("acme", "k1", "usr-nope", "")), "not_found", "user usr-nope not found")
	requireFail(t, n.result(issueKeyCmd("acme", "k1", "", "sa-nope")), "not_found", "service account sa-nope not found")
	requireFail(t, n.result(issueKeyCmd("acme", "k1", "", "")), "invalid_argument", "exactly one")
	requireFail(t, n.result(issueKeyCmd("acme", "k1", "u", "ci")), "invalid_argument", "exactly one")

	require.Empty(t, n.result(createSACmd("acme", "ci")).GetCode())
	requireFail(t, n.result(createSACmd("acme", "ci")), "already_exists", "service account ci exists")
	r := n.result(issueKeyCmd("acme", "k1", "", "ci"))
	require.Empty(t, r.GetCode())
	assert.Equal(t, "ci", r.GetApiKey().GetServiceAccountId())
	requireFail(t, n.result(issueKeyCmd("acme", "k1", "", "ci")), "already_exists", "api key k1 exists")
	require.Empty(t, n.result(createSACmd("globex", "ci")).GetCode())
	requireFail(t, n.result(issueKeyCmd("globex", "k1", "", "ci")), "already_exists", "api key k1 exists")
	require.Empty(t, n.result(issueKeyCmd("globex", "k2", "", "ci")).GetCode())

	n.result(createUserCmd("acme", "usr-d", "dave", "local"))
	n.result(updateUserCmd("acme", "usr-d", 0, func(u *pb.UpdateUserCommand) { u.Disabled = proto.Bool(true) }))
	requireFail(t, n.result(issueKeyCmd("acme", "k3", "usr-d", "")), "failed_precondition", "user dave is disabled")

	// Revocation is tenant-scoped: another tenant's key is not found.
	requireFail(t, n.result(revokeKeyCmd("globex", "k1", 0)), "not_found", "api key k1 not found")
	r = n.result(revokeKeyCmd("acme", "k1", time.Minute))
	require.Empty(t, r.GetCode())
	assert.True(t, r.GetApiKey().GetRevoked())
	// Revoking again keeps the first time.
	r = n.result(revokeKeyCmd("acme", "k1", time.Hour))
	require.Empty(t, r.GetCode())
	assert.True(t, r.GetApiKey().GetRevokedAt().AsTime().Equal(t0.Add(time.Minute)))

	// Deleting a service account revokes its keys in its tenant only.
	del := tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_DeleteServiceAccount{DeleteServiceAccount: &pb.DeleteServiceAccountCommand{Tenant: "globex", Id: "ci"}}
	})
	require.Empty(t, n.result(del).GetCode())
	assert.True(t, n.key("globex", "k2").GetRevoked())
	requireFail(t, n.result(del), "not_found", "service account ci not found")
}

func TestTouchAPIKeysMovesForwardOnly(t *testing.T) {
	n := newNode(t)
	n.result(createSACmd("acme", "ci"))
	n.result(issueKeyCmd("acme", "k1", "", "ci"))
	n.result(issueKeyCmd("acme", "k2", "", "ci"))
	require.Empty(t, n.result(touchCmd(map[string]time.Duration{"k1": time.Minute, "k-gone": time.Minute})).GetCode())
	assert.True(t, n.key("acme", "k1").GetLastUsedAt().AsTime().Equal(t0.Add(time.Minute)))
	assert.Nil(t, n.key("acme", "k2").GetLastUsedAt())
	// Another node's older batch arriving later does not move it back.
	n.result(touchCmd(map[string]time.Duration{"k1": 30 * time.Second, "k2": 2 * time.Minute}))
	assert.True(t, n.key("acme", "k1").GetLastUsedAt().AsTime().Equal(t0.Add(time.Minute)))
	assert.True(t, n.key("acme", "k2").GetLastUsedAt().AsTime().Equal(t0.Add(2*time.Minute)))
}

func TestBootstrapOnce(t *testing.T) {
	n := newNode(t)
	r := n.result(bootstrapCmd("default", "k-boot"))
	require.Empty(t, r.GetCode())
	assert.Equal(t, "default", r.GetTenant().GetId())
	assert.Equal(t, "owner", n.key("default", "k-boot").GetRole())
	requireFail(t, n.result(bootstrapCmd("other", "k-2")), "failed_precondition", "already bootstrapped")
	_, err := n.tenantRecord("other")
	assert.ErrorIs(t, err, state.ErrNotFound, "a refused bootstrap writes nothing")
}

func TestDeleteProjectRefusedWhileAssigned(t *testing.T) {
	n := newNode(t)
	create := tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_CreateProject{CreateProject: &pb.CreateProjectCommand{Project: &pb.Project{Id: "prod", Tenant: "acme",
			Accounts: []*pb.CloudAccount{{Provider: "aws", AccountId: "123456789012"}}}}}
	})
	require.Empty(t, n.result(create).GetCode())
	requireFail(t, n.result(create), "already_exists", "project prod exists")
	tok := createToken("acme", "tok", time.Hour, 1)
	tok.GetCreateJoinToken().GetToken().GetToken().Project = "prod"
	require.Empty(t, n.result(tok).GetCode())
	enroll := enrollCmd("acme", "tok", "agt-1", 0)
	enroll.GetEnroll().GetAgent().Project = "prod"
	require.Empty(t, n.result(enroll).GetCode())
	del := tenancyCmd(0, func(c *pb.RaftCommand) {
		c.Cmd = &pb.RaftCommand_DeleteProject{DeleteProject: &pb.DeleteProjectCommand{Tenant: "acme", Id: "prod"}}
	})
	requireFail(t, n.result(del), "failed_precondition", "project prod is still assigned to agent agt-1, join token tok")
	n.result(revokeCmd("acme", "agt-1"))
	n.result(deleteTokenCmd("acme", "tok"))
	require.Empty(t, n.result(del).GetCode())
	requireFail(t, n.result(del), "not_found", "project prod not found")
}

// TestTenancyReplayIsDeterministic applies the same log to a second node
// and finds the same records.
func TestTenancyReplayIsDeterministic(t *testing.T) {
	a := newNode(t)
	a.result(bootstrapCmd("default", "k-boot"))
	a.result(createTenantCmd("acme"))
	a.result(createUserCmd("acme", "usr-1", "alice", "local"))
	a.result(upsertCmd("acme", "sub-1", "bob", "usr-2", time.Minute))
	a.result(createSACmd("acme", "ci"))
	a.result(issueKeyCmd("acme", "k1", "usr-1", ""))
	a.result(touchCmd(map[string]time.Duration{"k1": time.Minute}))
	a.result(revokeKeyCmd("acme", "k1", time.Hour))

	b := newNode(t)
	for _, l := range a.logs {
		b.fsm.Apply(l)
	}
	dump := func(n *node) []proto.Message {
		var out []proto.Message
		require.NoError(t, n.store.View(func(tx *state.Tx) error {
			_ = tx.ForEachTenantRecord(func(r *pb.Tenant) error { out = append(out, r); return nil })
			for _, name := range []string{"default", "acme"} {
				tt, _ := tx.Tenant(name)
				_ = tt.ForEachUser(func(u *pb.StoredUser) error { out = append(out, u); return nil })
				_ = tt.ForEachServiceAccount(func(a *pb.ServiceAccount) error { out = append(out, a); return nil })
				_ = tt.ForEachAPIKey(func(k *pb.StoredAPIKey) error { out = append(out, k); return nil })
			}
			return nil
		}))
		return out
	}
	da, db := dump(a), dump(b)
	require.Len(t, db, len(da))
	require.Len(t, da, 8)
	for i := range da {
		assert.True(t, proto.Equal(da[i], db[i]), "record %d: %v vs %v", i, da[i], db[i])
	}
}

// The identity generation moves with every entry that may change what a
// credential resolves to, and with a restore, but not with the frequent
// entries that cannot (ingest, audit, agent heartbeats, key last-use).
func TestIdentityGeneration(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	n.result(createSACmd("acme", "ci"))
	n.result(issueKeyCmd("acme", "k1", "", "ci"))
	g := n.fsm.IdentityGeneration()

	n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1")))
	n.apply(statusCmd("acme", "ag1", true, "1.0", 1, time.Minute))
	n.apply(auditCmd("req-1", &pb.AuditEvent{Tenant: "acme", Action: "/x", Outcome: "ok"}))
	n.result(touchCmd(map[string]time.Duration{"k1": time.Minute}))
	assert.Equal(t, g, n.fsm.IdentityGeneration(), "neutral entries leave it")

	for _, c := range []*pb.RaftCommand{
		revokeKeyCmd("acme", "k1", time.Minute),
		updateUserCmd("acme", "usr-nope", 0, func(u *pb.UpdateUserCommand) { u.Disabled = proto.Bool(true) }), // refused: moves all the same
		updateTenantCmd("acme", func(u *pb.UpdateTenantCommand) { u.Disabled = proto.Bool(true) }),
	} {
		n.apply(c)
		assert.Greater(t, n.fsm.IdentityGeneration(), g, "%T", c.GetCmd())
		g = n.fsm.IdentityGeneration()
	}
	// One batch, however many entries, moves it once.
	n.applyBatch(createSACmd("acme", "a"), createSACmd("acme", "b"), ingestCmd())
	assert.Equal(t, g+1, n.fsm.IdentityGeneration())
	g++

	require.Error(t, n.fsm.Restore(io.NopCloser(strings.NewReader("garbage"))))
	assert.Greater(t, n.fsm.IdentityGeneration(), g, "a restore, even a failed one")
}
