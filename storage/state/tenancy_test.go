package state

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

func user(tenant, id, name string) *pb.StoredUser {
	return &pb.StoredUser{User: &pb.User{Id: id, Tenant: tenant, Username: name, Role: "viewer", Source: "local"}, PasswordHash: "$argon2id$..."}
}

func TestTenantRecords(t *testing.T) {
	s := openStore(t)
	// A store without the platform bucket (an older release's) reads empty.
	require.NoError(t, s.View(func(tx *Tx) error {
		_, err := tx.TenantRecord("acme")
		assert.ErrorIs(t, err, ErrNotFound)
		assert.False(t, tx.TenantDisabled("acme"))
		n := 0
		require.NoError(t, tx.ForEachTenantRecord(func(*pb.Tenant) error { n++; return nil }))
		assert.Zero(t, n)
		return nil
	}))
	require.NoError(t, s.Update(func(tx *Tx) error {
		require.NoError(t, tx.PutTenantRecord(&pb.Tenant{Id: "globex", DisplayName: "Globex", Disabled: true}))
		require.NoError(t, tx.PutTenantRecord(&pb.Tenant{Id: "acme", DisplayName: "Acme"}))
		assert.Error(t, tx.PutTenantRecord(&pb.Tenant{Id: "Bad Name"}))
		return nil
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		var ids []string
		require.NoError(t, tx.ForEachTenantRecord(func(r *pb.Tenant) error { ids = append(ids, r.GetId()); return nil }))
		assert.Equal(t, []string{"acme", "globex"}, ids)
		assert.True(t, tx.TenantDisabled("globex"))
		assert.False(t, tx.TenantDisabled("acme"))
		return nil
	}))
}

func TestUsersAndTheirIndexes(t *testing.T) {
	s := openStore(t)
	require.NoError(t, s.Update(func(tx *Tx) error {
		acme, err := tx.Tenant("acme")
		require.NoError(t, err)
		require.NoError(t, acme.PutUser(user("acme", "usr-1", "alice")))
		fed := user("acme", "usr-2", "bob@example.com")
		fed.User.Source, fed.User.Issuer, fed.User.Subject, fed.PasswordHash = "oidc", "https://idp", "sub-2", ""
		require.NoError(t, acme.PutUser(fed))
		// A username is one user's.
		assert.ErrorIs(t, acme.PutUser(user("acme", "usr-3", "alice")), ErrExists)
		// Another tenant's user record is refused here.
		assert.ErrorContains(t, acme.PutUser(user("globex", "usr-4", "carol")), `carries tenant "globex"`)
		globex, err := tx.Tenant("globex")
		require.NoError(t, err)
		// The same username in another tenant is another user.
		require.NoError(t, globex.PutUser(user("globex", "usr-5", "alice")))
		return nil
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		acme, _ := tx.Tenant("acme")
		u, err := acme.UserByName("alice")
		require.NoError(t, err)
		assert.Equal(t, "usr-1", u.GetUser().GetId())
		u, err = acme.UserBySubject("https://idp", "sub-2")
		require.NoError(t, err)
		assert.Equal(t, "usr-2", u.GetUser().GetId())
		_, err = acme.UserBySubject("https://other-idp", "sub-2")
		assert.ErrorIs(t, err, ErrNotFound)
		_, err = acme.User("usr-5")
		assert.ErrorIs(t, err, ErrNotFound, "globex's user is not acme's")
		var ids []string
		require.NoError(t, acme.ForEachUser(func(u *pb.StoredUser) error { ids = append(ids, u.GetUser().GetId()); return nil }))
		assert.Equal(t, []string{"usr-1", "usr-2"}, ids)
		return nil
	}))
	// Renaming frees the old name; deleting frees both indexes.
	require.NoError(t, s.Update(func(tx *Tx) error {
		acme, _ := tx.Tenant("acme")
		require.NoError(t, acme.PutUser(user("acme", "usr-1", "alice2")))
		_, err := acme.UserByName("alice")
		assert.ErrorIs(t, err, ErrNotFound)
		require.NoError(t, acme.DeleteUser("usr-2"))
		_, err = acme.UserBySubject("https://idp", "sub-2")
		assert.ErrorIs(t, err, ErrNotFound)
		_, err = acme.UserByName("bob@example.com")
		assert.ErrorIs(t, err, ErrNotFound)
		assert.ErrorIs(t, acme.DeleteUser("usr-2"), ErrNotFound)
		return nil
	}))
}

func TestProjectsAndServiceAccounts(t *testing.T) {
	s := openStore(t)
	require.NoError(t, s.Update(func(tx *Tx) error {
		acme, _ := tx.Tenant("acme")
		require.NoError(t, acme.PutProject(&pb.Project{Id: "prod", Tenant: "acme"}))
		require.NoError(t, acme.PutServiceAccount(&pb.ServiceAccount{Id: "ci", Tenant: "acme", Role: "operator"}))
		assert.Error(t, acme.PutProject(&pb.Project{Id: "x", Tenant: "globex"}))
		assert.Error(t, acme.PutServiceAccount(&pb.ServiceAccount{Id: "x", Tenant: "globex"}))
		return nil
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		globex, _ := tx.Tenant("globex")
		_, err := globex.Project("prod")
		assert.ErrorIs(t, err, ErrNotFound)
		_, err = globex.ServiceAccount("ci")
		assert.ErrorIs(t, err, ErrNotFound)
		acme, _ := tx.Tenant("acme")
		p, err := acme.Project("prod")
		require.NoError(t, err)
		assert.Equal(t, "acme", p.GetTenant())
		return nil
	}))
	require.NoError(t, s.Update(func(tx *Tx) error {
		acme, _ := tx.Tenant("acme")
		require.NoError(t, acme.DeleteProject("prod"))
		assert.ErrorIs(t, acme.DeleteProject("prod"), ErrNotFound)
		require.NoError(t, acme.DeleteServiceAccount("ci"))
		assert.ErrorIs(t, acme.DeleteServiceAccount("ci"), ErrNotFound)
		return nil
	}))
}

func TestTenantScopedAPIKeys(t *testing.T) {
	s := openStore(t)
	require.NoError(t, s.Update(func(tx *Tx) error {
		acme, _ := tx.Tenant("acme")
		require.NoError(t, acme.PutAPIKey(&pb.StoredAPIKey{Id: "k1", Tenant: "acme"}))
		require.NoError(t, acme.PutAPIKey(&pb.StoredAPIKey{Id: "k3", Tenant: "acme"}))
		assert.Error(t, acme.PutAPIKey(&pb.StoredAPIKey{Id: "k2", Tenant: "globex"}))
		// The unscoped writer (bootstrap, authentication's lookups) still works.
		require.NoError(t, tx.PutAPIKey(&pb.StoredAPIKey{Id: "k2", Tenant: "globex"}))
		return nil
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		acme, _ := tx.Tenant("acme")
		_, err := acme.APIKey("k2")
		assert.ErrorIs(t, err, ErrNotFound, "globex's key reads as missing in acme")
		k, err := acme.APIKey("k1")
		require.NoError(t, err)
		assert.Equal(t, "acme", k.GetTenant())
		var ids []string
		require.NoError(t, acme.ForEachAPIKey(func(k *pb.StoredAPIKey) error { ids = append(ids, k.GetId()); return nil }))
		assert.Equal(t, []string{"k1", "k3"}, ids)
		// A tenant with keys only (no bucket of its own) lists them too.
		globex, _ := tx.Tenant("globex")
		ids = nil
		require.NoError(t, globex.ForEachAPIKey(func(k *pb.StoredAPIKey) error { ids = append(ids, k.GetId()); return nil }))
		assert.Equal(t, []string{"k2"}, ids)
		return nil
	}))
}
