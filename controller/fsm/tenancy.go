package fsm

import (
	"errors"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Command types of tenancy and access (20-49 are reserved for them).
const (
	CmdCreateTenant         CmdType = 20
	CmdUpdateTenant         CmdType = 21
	CmdCreateProject        CmdType = 22
	CmdDeleteProject        CmdType = 23
	CmdCreateUser           CmdType = 24
	CmdUpdateUser           CmdType = 25
	CmdDeleteUser           CmdType = 26
	CmdUpsertFederatedUser  CmdType = 27
	CmdCreateServiceAccount CmdType = 28
	CmdDeleteServiceAccount CmdType = 29
	CmdIssueAPIKey          CmdType = 30
	CmdRevokeAPIKey         CmdType = 31
	CmdTouchAPIKeys         CmdType = 32
	CmdBootstrap            CmdType = 33
)

var tenancyNames = map[CmdType]string{
	CmdCreateTenant: "create_tenant", CmdUpdateTenant: "update_tenant", CmdCreateProject: "create_project",
	CmdDeleteProject: "delete_project", CmdCreateUser: "create_user", CmdUpdateUser: "update_user", CmdDeleteUser: "delete_user",
	CmdUpsertFederatedUser: "upsert_federated_user", CmdCreateServiceAccount: "create_service_account",
	CmdDeleteServiceAccount: "delete_service_account", CmdIssueAPIKey: "issue_api_key", CmdRevokeAPIKey: "revoke_api_key",
	CmdTouchAPIKeys: "touch_api_keys", CmdBootstrap: "bootstrap",
}

// tenancyTypeOf is typeOf for the tenancy commands.
func tenancyTypeOf(c *pb.RaftCommand) (CmdType, bool) {
	switch c.GetCmd().(type) {
	case *pb.RaftCommand_CreateTenant:
		return CmdCreateTenant, true
	case *pb.RaftCommand_UpdateTenant:
		return CmdUpdateTenant, true
	case *pb.RaftCommand_CreateProject:
		return CmdCreateProject, true
	case *pb.RaftCommand_DeleteProject:
		return CmdDeleteProject, true
	case *pb.RaftCommand_CreateUser:
		return CmdCreateUser, true
	case *pb.RaftCommand_UpdateUser:
		return CmdUpdateUser, true
	case *pb.RaftCommand_DeleteUser:
		return CmdDeleteUser, true
	case *pb.RaftCommand_UpsertFederatedUser:
		return CmdUpsertFederatedUser, true
	case *pb.RaftCommand_CreateServiceAccount:
		return CmdCreateServiceAccount, true
	case *pb.RaftCommand_DeleteServiceAccount:
		return CmdDeleteServiceAccount, true
	case *pb.RaftCommand_IssueApiKey:
		return CmdIssueAPIKey, true
	case *pb.RaftCommand_RevokeApiKey:
		return CmdRevokeAPIKey, true
	case *pb.RaftCommand_TouchApiKeys:
		return CmdTouchAPIKeys, true
	case *pb.RaftCommand_Bootstrap:
		return CmdBootstrap, true
	}
	return 0, false
}

// applyTenancy applies a tenancy command; nil for other types. Handlers
// validated the shapes and stamped ids, times and hashes; what is checked
// here is what depends on the state (existence, uniqueness, owners).
func applyTenancy(tx *state.Tx, at time.Time, t CmdType, c *pb.RaftCommand) *pb.ApplyResult {
	switch t {
	case CmdCreateTenant:
		return applyCreateTenant(tx, at, c.GetCreateTenant())
	case CmdUpdateTenant:
		return applyUpdateTenant(tx, c.GetUpdateTenant())
	case CmdCreateProject:
		return applyCreateProject(tx, at, c.GetCreateProject())
	case CmdDeleteProject:
		return applyDeleteProject(tx, c.GetDeleteProject())
	case CmdCreateUser:
		return applyCreateUser(tx, at, c.GetCreateUser())
	case CmdUpdateUser:
		return applyUpdateUser(tx, at, c.GetUpdateUser())
	case CmdDeleteUser:
		return applyDeleteUser(tx, at, c.GetDeleteUser())
	case CmdUpsertFederatedUser:
		return applyUpsertFederatedUser(tx, at, c.GetUpsertFederatedUser())
	case CmdCreateServiceAccount:
		return applyCreateServiceAccount(tx, at, c.GetCreateServiceAccount())
	case CmdDeleteServiceAccount:
		return applyDeleteServiceAccount(tx, at, c.GetDeleteServiceAccount())
	case CmdIssueAPIKey:
		return applyIssueAPIKey(tx, at, c.GetIssueApiKey())
	case CmdRevokeAPIKey:
		return applyRevokeAPIKey(tx, at, c.GetRevokeApiKey())
	case CmdTouchAPIKeys:
		return applyTouchAPIKeys(tx, c.GetTouchApiKeys())
	case CmdBootstrap:
		return applyBootstrap(tx, at, c.GetBootstrap())
	}
	return nil
}

// PublicAPIKey is a stored key as it may be shown: without its hash.
func PublicAPIKey(k *pb.StoredAPIKey) *pb.APIKey {
	return &pb.APIKey{Id: k.GetId(), Tenant: k.GetTenant(), UserId: k.GetUserId(), ServiceAccountId: k.GetServiceAccountId(),
		Role: k.GetRole(), Description: k.GetDescription(), CreatedAt: k.GetCreatedAt(), ExpiresAt: k.GetExpiresAt(),
		LastUsedAt: k.GetLastUsedAt(), Revoked: k.GetRevoked(), RevokedAt: k.GetRevokedAt(), CreatedBy: k.GetCreatedBy()}
}

// tenantFor opens a command's tenant for writing and gives a tenant of an
// older release (data, no record) its record, so the tenant list shows
// every tenant anything new was written to.
func tenantFor(tx *state.Tx, tenant string, at time.Time) (*state.TenantTx, *pb.ApplyResult) {
	tt, err := tx.Tenant(tenant)
	if err != nil {
		return nil, fail("invalid_argument", err.Error())
	}
	if _, err := tx.TenantRecord(tenant); errors.Is(err, state.ErrNotFound) {
		if err := tx.PutTenantRecord(&pb.Tenant{Id: tenant, DisplayName: tenant, CreatedAt: timestamppb.New(at)}); err != nil {
			return nil, fail("internal", err.Error())
		}
	}
	return tt, nil
}

func applyCreateTenant(tx *state.Tx, at time.Time, c *pb.CreateTenantCommand) *pb.ApplyResult {
	r := proto.Clone(c.GetTenant()).(*pb.Tenant)
	if err := state.ValidTenant(r.GetId()); err != nil {
		return fail("invalid_argument", err.Error())
	}
	if tx.TenantKnown(r.GetId()) {
		return fail("already_exists", "tenant "+r.GetId()+" exists")
	}
	if r.CreatedAt == nil {
		r.CreatedAt = timestamppb.New(at)
	}
	if err := tx.PutTenantRecord(r); err != nil {
		return fail("internal", err.Error())
	}
	if _, err := tx.Tenant(r.GetId()); err != nil {
		return fail("internal", err.Error())
	}
	return &pb.ApplyResult{Tenant: r}
}

func applyUpdateTenant(tx *state.Tx, c *pb.UpdateTenantCommand) *pb.ApplyResult {
	r, err := tx.TenantRecord(c.GetId())
	if errors.Is(err, state.ErrNotFound) {
		if state.ValidTenant(c.GetId()) != nil || !tx.TenantKnown(c.GetId()) {
			return fail("not_found", "tenant "+c.GetId()+" not found")
		}
		// A tenant of an older release gets its record now; when it was
		// created is not known.
		r = &pb.Tenant{Id: c.GetId(), DisplayName: c.GetId()}
	} else if err != nil {
		return fail("internal", err.Error())
	}
	if c.DisplayName != nil {
		r.DisplayName = c.GetDisplayName()
	}
	if c.Disabled != nil {
		r.Disabled = c.GetDisabled()
		if r.Disabled {
			if res := endSessions(tx, r.GetId(), "", ""); res != nil {
				return res
			}
		}
	}
	if c.Quotas != nil {
		r.Quotas = c.GetQuotas()
	}
	if c.PasswordLoginDisabled != nil {
		r.PasswordLoginDisabled = c.GetPasswordLoginDisabled()
	}
	if err := tx.PutTenantRecord(r); err != nil {
		return fail("internal", err.Error())
	}
	return &pb.ApplyResult{Tenant: r}
}

func applyCreateProject(tx *state.Tx, at time.Time, c *pb.CreateProjectCommand) *pb.ApplyResult {
	p := c.GetProject()
	tt, res := tenantFor(tx, p.GetTenant(), at)
	if res != nil {
		return res
	}
	if _, err := tt.Project(p.GetId()); err == nil {
		return fail("already_exists", "project "+p.GetId()+" exists")
	}
	if err := tt.PutProject(p); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{}
}

func applyDeleteProject(tx *state.Tx, c *pb.DeleteProjectCommand) *pb.ApplyResult {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error())
	}
	if _, err := tt.Project(c.GetId()); err != nil {
		return fail("not_found", "project "+c.GetId()+" not found")
	}
	var holders []string
	_ = tt.ForEachAgent(func(a *pb.Agent) error {
		if a.GetProject() == c.GetId() && !a.GetRevoked() {
			holders = append(holders, "agent "+a.GetId())
		}
		return nil
	})
	_ = tt.ForEachJoinToken(func(t *pb.StoredJoinToken) error {
		if t.GetToken().GetProject() == c.GetId() {
			holders = append(holders, "join token "+t.GetToken().GetId())
		}
		return nil
	})
	if len(holders) > 0 {
		return fail("failed_precondition", "project "+c.GetId()+" is still assigned to "+joinMax(holders, 5)+
			"; revoke those agents and delete those join tokens first")
	}
	if err := tt.DeleteProject(c.GetId()); err != nil {
		return fail("internal", err.Error())
	}
	return &pb.ApplyResult{}
}

func joinMax(s []string, n int) string {
	out := ""
	for i, v := range s {
		if i == n {
			return out + " and " + strconv.Itoa(len(s)-n) + " more"
		}
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

func applyCreateUser(tx *state.Tx, at time.Time, c *pb.CreateUserCommand) *pb.ApplyResult {
	u := c.GetUser().GetUser()
	tt, res := tenantFor(tx, u.GetTenant(), at)
	if res != nil {
		return res
	}
	if _, err := tt.User(u.GetId()); err == nil {
		return fail("already_exists", "user "+u.GetId()+" exists")
	}
	if _, err := tt.UserByName(u.GetUsername()); err == nil {
		return fail("already_exists", "user name "+u.GetUsername()+" is taken")
	}
	if err := tt.PutUser(c.GetUser()); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{User: u}
}

func loadUser(tx *state.Tx, tenant, id string) (*state.TenantTx, *pb.StoredUser, *pb.ApplyResult) {
	tt, err := tx.Tenant(tenant)
	if err != nil {
		return nil, nil, fail("invalid_argument", err.Error())
	}
	u, err := tt.User(id)
	if err != nil {
		return nil, nil, fail("not_found", "user "+id+" not found")
	}
	return tt, u, nil
}

func applyUpdateUser(tx *state.Tx, at time.Time, c *pb.UpdateUserCommand) *pb.ApplyResult {
	tt, s, res := loadUser(tx, c.GetTenant(), c.GetId())
	if res != nil {
		return res
	}
	u := s.GetUser()
	if c.GetSignedIn() {
		u.LastLoginAt = timestamppb.New(at)
	}
	if c.PasswordHash != nil {
		if u.GetSource() != "local" {
			return fail("failed_precondition", "user "+u.GetUsername()+" signs in through "+u.GetSource()+"; it has no password here")
		}
		s.PasswordHash, u.PasswordChangedAt = c.GetPasswordHash(), timestamppb.New(at)
		// Whoever held the old password loses what it opened with it.
		if res := endSessions(tx, u.GetTenant(), u.GetId(), c.GetKeepSession()); res != nil {
			return res
		}
	}
	if c.Role != nil {
		u.Role = c.GetRole()
	}
	if c.Disabled != nil {
		u.Disabled = c.GetDisabled()
		if u.Disabled {
			if res := endSessions(tx, u.GetTenant(), u.GetId(), ""); res != nil {
				return res
			}
		}
	}
	if c.DisplayName != nil {
		u.DisplayName = c.GetDisplayName()
	}
	if c.Email != nil {
		u.Email = c.GetEmail()
	}
	if err := tt.PutUser(s); err != nil {
		return fail("internal", err.Error())
	}
	return &pb.ApplyResult{User: u}
}

// revokeOwnedKeys revokes every key of the tenant acting as the owner.
func revokeOwnedKeys(tt *state.TenantTx, at time.Time, owned func(*pb.StoredAPIKey) bool) error {
	var keys []*pb.StoredAPIKey
	err := tt.ForEachAPIKey(func(k *pb.StoredAPIKey) error {
		if owned(k) && !k.GetRevoked() {
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Written after the walk: bbolt forbids changing a bucket under a cursor.
	for _, k := range keys {
		k.Revoked, k.RevokedAt = true, timestamppb.New(at)
		if err := tt.PutAPIKey(k); err != nil {
			return err
		}
	}
	return nil
}

func applyDeleteUser(tx *state.Tx, at time.Time, c *pb.DeleteUserCommand) *pb.ApplyResult {
	tt, _, res := loadUser(tx, c.GetTenant(), c.GetId())
	if res != nil {
		return res
	}
	if err := tt.DeleteUser(c.GetId()); err != nil {
		return fail("internal", err.Error())
	}
	if err := revokeOwnedKeys(tt, at, func(k *pb.StoredAPIKey) bool { return k.GetUserId() == c.GetId() }); err != nil {
		return fail("internal", err.Error())
	}
	if res := endSessions(tx, c.GetTenant(), c.GetId(), ""); res != nil {
		return res
	}
	return &pb.ApplyResult{}
}

func applyUpsertFederatedUser(tx *state.Tx, at time.Time, c *pb.UpsertFederatedUserCommand) *pb.ApplyResult {
	if c.GetIssuer() == "" || c.GetSubject() == "" {
		return fail("invalid_argument", "a federated user needs an issuer and a subject")
	}
	tt, res := tenantFor(tx, c.GetTenant(), at)
	if res != nil {
		return res
	}
	s, err := tt.UserBySubject(c.GetIssuer(), c.GetSubject())
	if err == nil {
		u := s.GetUser()
		if u.GetDisabled() {
			return fail("failed_precondition", "user "+u.GetUsername()+" is disabled")
		}
		if c.GetEmail() != "" {
			u.Email = c.GetEmail()
		}
		if c.GetDisplayName() != "" {
			u.DisplayName = c.GetDisplayName()
		}
		u.LastLoginAt = timestamppb.New(at)
		if err := tt.PutUser(s); err != nil {
			return fail("internal", err.Error())
		}
		return &pb.ApplyResult{User: u}
	}
	if _, err := tt.UserByName(c.GetUsername()); err == nil {
		return fail("failed_precondition", "user name "+c.GetUsername()+" is taken by another user of tenant "+c.GetTenant())
	}
	if _, err := tt.User(c.GetNewUserId()); err == nil || c.GetNewUserId() == "" {
		return fail("invalid_argument", "new user id "+c.GetNewUserId()+" is empty or taken")
	}
	u := &pb.User{Id: c.GetNewUserId(), Tenant: c.GetTenant(), Username: c.GetUsername(), DisplayName: c.GetDisplayName(),
		Email: c.GetEmail(), Role: c.GetRole(), Source: "oidc", Issuer: c.GetIssuer(), Subject: c.GetSubject(),
		CreatedAt: timestamppb.New(at), LastLoginAt: timestamppb.New(at), CreatedBy: "oidc:" + c.GetIssuer()}
	if err := tt.PutUser(&pb.StoredUser{User: u}); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{User: u}
}

func applyCreateServiceAccount(tx *state.Tx, at time.Time, c *pb.CreateServiceAccountCommand) *pb.ApplyResult {
	a := c.GetServiceAccount()
	tt, res := tenantFor(tx, a.GetTenant(), at)
	if res != nil {
		return res
	}
	if _, err := tt.ServiceAccount(a.GetId()); err == nil {
		return fail("already_exists", "service account "+a.GetId()+" exists")
	}
	if err := tt.PutServiceAccount(a); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{}
}

func applyDeleteServiceAccount(tx *state.Tx, at time.Time, c *pb.DeleteServiceAccountCommand) *pb.ApplyResult {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error())
	}
	if err := tt.DeleteServiceAccount(c.GetId()); err != nil {
		return fail("not_found", "service account "+c.GetId()+" not found")
	}
	if err := revokeOwnedKeys(tt, at, func(k *pb.StoredAPIKey) bool { return k.GetServiceAccountId() == c.GetId() }); err != nil {
		return fail("internal", err.Error())
	}
	return &pb.ApplyResult{}
}

func applyIssueAPIKey(tx *state.Tx, at time.Time, c *pb.IssueAPIKeyCommand) *pb.ApplyResult {
	k := c.GetKey()
	if (k.GetUserId() == "") == (k.GetServiceAccountId() == "") {
		return fail("invalid_argument", "an API key acts as exactly one user or service account")
	}
	tt, res := tenantFor(tx, k.GetTenant(), at)
	if res != nil {
		return res
	}
	if _, err := tx.APIKey(k.GetId()); err == nil {
		return fail("already_exists", "api key "+k.GetId()+" exists")
	}
	if id := k.GetUserId(); id != "" {
		u, err := tt.User(id)
		if err != nil {
			return fail("not_found", "user "+id+" not found")
		}
		if u.GetUser().GetDisabled() {
			return fail("failed_precondition", "user "+u.GetUser().GetUsername()+" is disabled")
		}
	} else if _, err := tt.ServiceAccount(k.GetServiceAccountId()); err != nil {
		return fail("not_found", "service account "+k.GetServiceAccountId()+" not found")
	}
	if err := tt.PutAPIKey(k); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{ApiKey: PublicAPIKey(k)}
}

func applyRevokeAPIKey(tx *state.Tx, at time.Time, c *pb.RevokeAPIKeyCommand) *pb.ApplyResult {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error())
	}
	k, err := tt.APIKey(c.GetId())
	if err != nil {
		return fail("not_found", "api key "+c.GetId()+" not found")
	}
	if !k.GetRevoked() {
		k.Revoked, k.RevokedAt = true, timestamppb.New(at)
		if err := tt.PutAPIKey(k); err != nil {
			return fail("internal", err.Error())
		}
	}
	return &pb.ApplyResult{ApiKey: PublicAPIKey(k)}
}

// applyTouchAPIKeys moves keys' last use forward (never back: batches of
// different nodes interleave). Unknown keys were deleted meanwhile.
func applyTouchAPIKeys(tx *state.Tx, c *pb.TouchAPIKeysCommand) *pb.ApplyResult {
	for _, u := range c.GetUses() {
		k, err := tx.APIKey(u.GetKeyId())
		if err != nil {
			continue
		}
		if k.GetLastUsedAt() != nil && !u.GetAt().AsTime().After(k.GetLastUsedAt().AsTime()) {
			continue
		}
		k.LastUsedAt = u.GetAt()
		if err := tx.PutAPIKey(k); err != nil {
			return fail("internal", err.Error())
		}
	}
	return &pb.ApplyResult{}
}

func applyBootstrap(tx *state.Tx, at time.Time, c *pb.BootstrapCommand) *pb.ApplyResult {
	if tx.HasAPIKeys() {
		return fail("failed_precondition", "the cluster is already bootstrapped")
	}
	r := c.GetTenant()
	if err := state.ValidTenant(r.GetId()); err != nil {
		return fail("invalid_argument", err.Error())
	}
	if old, err := tx.TenantRecord(r.GetId()); err == nil {
		r = old
	} else if err := tx.PutTenantRecord(r); err != nil {
		return fail("internal", err.Error())
	}
	tt, err := tx.Tenant(r.GetId())
	if err != nil {
		return fail("invalid_argument", err.Error())
	}
	if _, err := tt.ServiceAccount(c.GetServiceAccount().GetId()); err != nil {
		if err := tt.PutServiceAccount(c.GetServiceAccount()); err != nil {
			return fail("invalid_argument", err.Error())
		}
	}
	if err := tt.PutAPIKey(c.GetKey()); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{Tenant: r, ApiKey: PublicAPIKey(c.GetKey())}
}
