package state

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// The platform bucket holds what is above any tenant: the tenant records.
// It and the tenancy buckets inside a tenant are created on first write
// (sub), so stores of older releases need no migration.
var (
	bPlatform = []byte("platform")
	pTenants  = []byte("tenants")

	tUsers           = []byte("users")
	tUserNames       = []byte("user_names")    // username -> user id
	tUserSubjects    = []byte("user_subjects") // issuer NUL subject -> user id
	tServiceAccounts = []byte("service_accounts")
	tProjects        = []byte("projects")
)

// ErrExists is returned for a record whose unique name is taken.
var ErrExists = errors.New("already exists")

// platform returns a bucket of the platform bucket, created on first
// write; nil in a read-only transaction of a store that has none yet.
func (t *Tx) platform(name []byte) *bolt.Bucket {
	b := t.tx.Bucket(bPlatform)
	if b == nil {
		if !t.tx.Writable() {
			return nil
		}
		var err error
		if b, err = t.tx.CreateBucket(bPlatform); err != nil {
			return nil
		}
	}
	return subBucket(b, name)
}

func subBucket(b *bolt.Bucket, name []byte) *bolt.Bucket {
	if b == nil {
		return nil
	}
	if s := b.Bucket(name); s != nil || !b.Tx().Writable() {
		return s
	}
	s, err := b.CreateBucket(name)
	if err != nil {
		return nil
	}
	return s
}

// TenantRecord reads a tenant's record. Tenants of older releases have
// data but no record until one is created for them.
func (t *Tx) TenantRecord(id string) (*pb.Tenant, error) {
	r := &pb.Tenant{}
	return r, getProto(t.platform(pTenants), id, r)
}

// PutTenantRecord writes a tenant's record.
func (t *Tx) PutTenantRecord(r *pb.Tenant) error {
	if err := ValidTenant(r.GetId()); err != nil {
		return err
	}
	return putProto(t.platform(pTenants), r.GetId(), r)
}

// ForEachTenantRecord visits the tenant records in id order.
func (t *Tx) ForEachTenantRecord(fn func(*pb.Tenant) error) error {
	return forEach(t.platform(pTenants), func() *pb.Tenant { return &pb.Tenant{} }, fn)
}

// TenantDisabled reports whether a tenant's record says it is disabled
// (a tenant without a record is not).
func (t *Tx) TenantDisabled(id string) bool {
	r, err := t.TenantRecord(id)
	return err == nil && r.GetDisabled()
}

// sub returns a bucket of the tenant's bucket, created on first write.
func (t *TenantTx) sub(name []byte) *bolt.Bucket { return subBucket(t.b, name) }

// User reads one user.
func (t *TenantTx) User(id string) (*pb.StoredUser, error) {
	u := &pb.StoredUser{}
	return u, getProto(t.sub(tUsers), id, u)
}

// UserByName reads the user with a username.
func (t *TenantTx) UserByName(username string) (*pb.StoredUser, error) {
	b := t.sub(tUserNames)
	if b == nil || b.Get([]byte(username)) == nil {
		return nil, fmt.Errorf("user name %s: %w", username, ErrNotFound)
	}
	return t.User(string(b.Get([]byte(username))))
}

func subjectKey(issuer, subject string) []byte { return []byte(issuer + "\x00" + subject) }

// UserBySubject reads the federated user with an OIDC issuer and subject.
func (t *TenantTx) UserBySubject(issuer, subject string) (*pb.StoredUser, error) {
	b := t.sub(tUserSubjects)
	if b == nil || b.Get(subjectKey(issuer, subject)) == nil {
		return nil, fmt.Errorf("subject %s at %s: %w", subject, issuer, ErrNotFound)
	}
	return t.User(string(b.Get(subjectKey(issuer, subject))))
}

// PutUser writes a user and its username (and OIDC subject) index; it
// must carry this tenant, and its username must not belong to another
// user.
func (t *TenantTx) PutUser(s *pb.StoredUser) error {
	u := s.GetUser()
	if u.GetTenant() != t.name {
		return fmt.Errorf("user %s carries tenant %q, not %q", u.GetId(), u.GetTenant(), t.name)
	}
	names := t.sub(tUserNames)
	if names == nil {
		return errWrite
	}
	if owner := names.Get([]byte(u.GetUsername())); owner != nil && string(owner) != u.GetId() {
		return fmt.Errorf("user name %s: %w", u.GetUsername(), ErrExists)
	}
	if old, err := t.User(u.GetId()); err == nil && old.GetUser().GetUsername() != u.GetUsername() {
		if err := names.Delete([]byte(old.GetUser().GetUsername())); err != nil {
			return err
		}
	}
	if err := names.Put([]byte(u.GetUsername()), []byte(u.GetId())); err != nil {
		return err
	}
	if u.GetSubject() != "" {
		if err := t.sub(tUserSubjects).Put(subjectKey(u.GetIssuer(), u.GetSubject()), []byte(u.GetId())); err != nil {
			return err
		}
	}
	return putProto(t.sub(tUsers), u.GetId(), s)
}

// DeleteUser removes a user and its index entries.
func (t *TenantTx) DeleteUser(id string) error {
	s, err := t.User(id)
	if err != nil {
		return err
	}
	u := s.GetUser()
	if err := t.sub(tUserNames).Delete([]byte(u.GetUsername())); err != nil {
		return err
	}
	if u.GetSubject() != "" {
		if err := t.sub(tUserSubjects).Delete(subjectKey(u.GetIssuer(), u.GetSubject())); err != nil {
			return err
		}
	}
	return t.sub(tUsers).Delete([]byte(id))
}

// ForEachUser visits the tenant's users in id order.
func (t *TenantTx) ForEachUser(fn func(*pb.StoredUser) error) error {
	return forEach(t.sub(tUsers), func() *pb.StoredUser { return &pb.StoredUser{} }, fn)
}

// ServiceAccount reads one service account.
func (t *TenantTx) ServiceAccount(id string) (*pb.ServiceAccount, error) {
	a := &pb.ServiceAccount{}
	return a, getProto(t.sub(tServiceAccounts), id, a)
}

// PutServiceAccount writes a service account; it must carry this tenant.
func (t *TenantTx) PutServiceAccount(a *pb.ServiceAccount) error {
	if a.GetTenant() != t.name {
		return fmt.Errorf("service account %s carries tenant %q, not %q", a.GetId(), a.GetTenant(), t.name)
	}
	return putProto(t.sub(tServiceAccounts), a.GetId(), a)
}

// DeleteServiceAccount removes a service account.
func (t *TenantTx) DeleteServiceAccount(id string) error {
	return deleteKey(t.sub(tServiceAccounts), "service account", id)
}

// ForEachServiceAccount visits the tenant's service accounts in id order.
func (t *TenantTx) ForEachServiceAccount(fn func(*pb.ServiceAccount) error) error {
	return forEach(t.sub(tServiceAccounts), func() *pb.ServiceAccount { return &pb.ServiceAccount{} }, fn)
}

// Project reads one project.
func (t *TenantTx) Project(id string) (*pb.Project, error) {
	p := &pb.Project{}
	return p, getProto(t.sub(tProjects), id, p)
}

// PutProject writes a project; it must carry this tenant.
func (t *TenantTx) PutProject(p *pb.Project) error {
	if p.GetTenant() != t.name {
		return fmt.Errorf("project %s carries tenant %q, not %q", p.GetId(), p.GetTenant(), t.name)
	}
	return putProto(t.sub(tProjects), p.GetId(), p)
}

// DeleteProject removes a project.
func (t *TenantTx) DeleteProject(id string) error { return deleteKey(t.sub(tProjects), "project", id) }

// ForEachProject visits the tenant's projects in id order.
func (t *TenantTx) ForEachProject(fn func(*pb.Project) error) error {
	return forEach(t.sub(tProjects), func() *pb.Project { return &pb.Project{} }, fn)
}

// APIKey reads one of the tenant's API keys. Keys live outside the tenant
// buckets (authentication finds them by id before the tenant is known),
// so the tenant is checked here: another tenant's key reads as missing.
func (t *TenantTx) APIKey(id string) (*pb.StoredAPIKey, error) {
	k := &pb.StoredAPIKey{}
	if err := getProto(t.tx.Bucket(bKeys), id, k); err != nil {
		return nil, err
	}
	if k.GetTenant() != t.name {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return k, nil
}

// PutAPIKey writes one of the tenant's API keys.
func (t *TenantTx) PutAPIKey(k *pb.StoredAPIKey) error {
	if k.GetTenant() != t.name {
		return fmt.Errorf("api key %s carries tenant %q, not %q", k.GetId(), k.GetTenant(), t.name)
	}
	return putProto(t.tx.Bucket(bKeys), k.GetId(), k)
}

// ForEachAPIKey visits the tenant's API keys in id order.
func (t *TenantTx) ForEachAPIKey(fn func(*pb.StoredAPIKey) error) error {
	return forEach(t.tx.Bucket(bKeys), func() *pb.StoredAPIKey { return &pb.StoredAPIKey{} }, func(k *pb.StoredAPIKey) error {
		if k.GetTenant() != t.name {
			return nil
		}
		return fn(k)
	})
}

func deleteKey(b *bolt.Bucket, what, id string) error {
	if b == nil || b.Get([]byte(id)) == nil {
		return fmt.Errorf("%s %s: %w", what, id, ErrNotFound)
	}
	return b.Delete([]byte(id))
}

// TenantKnown reports whether a tenant exists: it has a record, or (made
// before tenants had records) data or API keys.
func (t *Tx) TenantKnown(id string) bool {
	if _, err := t.TenantRecord(id); err == nil {
		return true
	}
	if t.tx.Bucket(bTenants).Bucket([]byte(id)) != nil {
		return true
	}
	found := false
	_ = t.tx.Bucket(bKeys).ForEach(func(_, v []byte) error {
		k := &pb.StoredAPIKey{}
		if proto.Unmarshal(v, k) == nil && k.GetTenant() == id {
			found = true
			return errStop
		}
		return nil
	})
	return found
}

var errStop = errors.New("stop")

// KnownTenants are the ids TenantKnown is true for, sorted.
func (t *Tx) KnownTenants() []string {
	set := map[string]bool{}
	_ = t.ForEachTenantRecord(func(r *pb.Tenant) error { set[r.GetId()] = true; return nil })
	for _, id := range t.Tenants() {
		set[id] = true
	}
	_ = forEach(t.tx.Bucket(bKeys), func() *pb.StoredAPIKey { return &pb.StoredAPIKey{} }, func(k *pb.StoredAPIKey) error {
		set[k.GetTenant()] = true
		return nil
	})
	return slices.Sorted(maps.Keys(set))
}
