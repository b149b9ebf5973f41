// Package state is the controller's replicated state on bbolt: what the
// raft FSM applies to and what every read is answered from.
//
// Every record lives under its tenant's bucket and is reachable only
// through a TenantTx, so code holding a transaction cannot read or write
// another tenant's data by forgetting a filter: the scoping is the
// bucket path itself (DESIGN.md section 6).
package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

var (
	bMeta     = []byte("meta")
	bTenants  = []byte("tenants")
	bRequests = []byte("requests")
	bReqIndex = []byte("requests_by_index")
	bSerials  = []byte("serials")
	bKeys     = []byte("apikeys")

	kApplied = []byte("applied_index")
)

// Buckets inside a tenant's bucket.
var (
	tFindings = []byte("findings")
	tAgents   = []byte("agents")
	tScans    = []byte("scans")
	tTokens   = []byte("tokens")
	tHWM      = []byte("hwm")
	// Security scanning: failing checks, each agent's latest verdict
	// counts, and the tenant's mutelist and Rego policies.
	tSecFindings = []byte("security_findings")
	tPosture     = []byte("security_posture")
	tSecConfig   = []byte("security_config")
	tPolicies    = []byte("policies")
)

// tenantBuckets are created in every tenant; one added in a later release
// is created the first time an older tenant is written to.
var tenantBuckets = [][]byte{tFindings, tAgents, tScans, tTokens, tHWM, tSecFindings, tPosture, tSecConfig, tPolicies, tAudit}

// ErrNotFound is returned for a record that does not exist in the tenant.
var ErrNotFound = errors.New("not found")

var tenantName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// ValidTenant checks a tenant id's shape.
func ValidTenant(t string) error {
	if !tenantName.MatchString(t) {
		return fmt.Errorf("tenant %q: want 1-63 of a-z 0-9 _ - starting with a letter or digit", t)
	}
	return nil
}

// Store is one node's state file.
type Store struct {
	// mu guards db, which Replace swaps: transactions hold it shared so
	// a restore waits for them and they never see a closed file.
	mu   sync.RWMutex
	db   *bolt.DB
	path string
}

// Open opens or creates the state file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, NoFreelistSync: true})
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bMeta, bTenants, bRequests, bReqIndex, bSerials, bKeys} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("init state %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

// Close closes the file.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Close()
}

// Update runs fn in one read-write transaction.
func (s *Store) Update(fn func(*Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
}

// View runs fn in one read-only transaction.
func (s *Store) View(fn func(*Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.View(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
}

// WriteSnapshot writes a consistent copy of the whole file to w.
func (s *Store) WriteSnapshot(w io.Writer) (int64, error) {
	var n int64
	s.mu.RLock()
	defer s.mu.RUnlock()
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Replace swaps the store's file for the snapshot read from r. The
// snapshot goes to a temporary file first and is opened to check it
// before it replaces anything, so a bad snapshot leaves the state as it
// was.
func (s *Store) Replace(r io.Reader) error {
	tmp := s.path + ".restore"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("restore state: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("restore state: copy snapshot: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("restore state: %w", err)
	}
	f.Close()
	// bbolt trusts the meta page: opening a file shorter than the pages
	// it names faults in the mmap and kills the process, so check first.
	if err := checkComplete(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore state: snapshot is not a state file: %w", err)
	}
	check, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore state: snapshot is not a state file: %w", err)
	}
	check.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("restore state: close current: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("restore state: %w", err)
	}
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: 5 * time.Second, NoFreelistSync: true})
	if err != nil {
		return fmt.Errorf("restore state: reopen %s: %w", s.path, err)
	}
	s.db = db
	return nil
}

// checkComplete reads the bbolt meta pages of the file at path and
// checks that the file holds every page the newest valid meta names.
func checkComplete(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	const (
		magic   = 0xED0CDAED
		version = 2
		hdr     = 16 // page header before the meta
		sumAt   = 56 // meta bytes covered by the checksum
	)
	var need uint64
	found := false
	// Meta page 0 is at offset 0, meta page 1 one page size later.
	for _, off := range []int64{0, 1 << 10, 2 << 10, 4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10} {
		buf := make([]byte, hdr+sumAt+8)
		if _, err := f.ReadAt(buf, off); err != nil {
			continue
		}
		m := buf[hdr:]
		ne := binary.NativeEndian
		pageSize := int64(ne.Uint32(m[8:]))
		if ne.Uint32(m[0:]) != magic || ne.Uint32(m[4:]) != version || (off != 0 && off != pageSize) {
			continue
		}
		h := fnv.New64a()
		h.Write(m[:sumAt])
		if h.Sum64() != ne.Uint64(m[sumAt:]) {
			continue
		}
		found = true
		need = max(need, ne.Uint64(m[40:])*uint64(pageSize)) // pgid: the high-water page
	}
	if !found {
		return errors.New("no valid bbolt meta page")
	}
	if uint64(info.Size()) < need {
		return fmt.Errorf("truncated: %d bytes, its meta names %d", info.Size(), need)
	}
	return nil
}

// Tx is one transaction over the whole store.
type Tx struct{ tx *bolt.Tx }

// AppliedIndex is the raft index last applied, stored in the same
// transaction as the data it produced.
func (t *Tx) AppliedIndex() uint64 {
	v := t.tx.Bucket(bMeta).Get(kApplied)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// SetAppliedIndex records the raft index applied.
func (t *Tx) SetAppliedIndex(i uint64) error {
	return t.tx.Bucket(bMeta).Put(kApplied, u64(i))
}

// Request returns the stored result of a request already applied.
func (t *Tx) Request(id string) ([]byte, bool) {
	v := t.tx.Bucket(bRequests).Get([]byte(id))
	if v == nil {
		return nil, false
	}
	return append([]byte(nil), v...), true
}

// PutRequest remembers a request's result at a raft index and forgets
// requests older than keep entries, so a retry within that window (the
// seconds of an election) returns the first result instead of applying
// twice. Pruning by index keeps every node's state identical.
func (t *Tx) PutRequest(id string, index uint64, result []byte, keep uint64) error {
	if id == "" {
		return nil
	}
	if err := t.tx.Bucket(bRequests).Put([]byte(id), result); err != nil {
		return err
	}
	byIdx := t.tx.Bucket(bReqIndex)
	if err := byIdx.Put(append(u64(index), id...), nil); err != nil {
		return err
	}
	if index <= keep {
		return nil
	}
	c := byIdx.Cursor()
	limit := u64(index - keep)
	for k, _ := c.First(); k != nil && string(k[:8]) < string(limit); k, _ = c.First() {
		if err := t.tx.Bucket(bRequests).Delete(k[8:]); err != nil {
			return err
		}
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// SerialOwner is who a certificate serial was issued to.
type SerialOwner struct {
	Tenant, Agent string
	Revoked       bool
}

// PutSerial records a certificate serial's owner.
func (t *Tx) PutSerial(serial string, o SerialOwner) error {
	v := []byte(o.Tenant + "/" + o.Agent)
	if o.Revoked {
		v = append(v, "/revoked"...)
	}
	return t.tx.Bucket(bSerials).Put([]byte(serial), v)
}

// Serial looks a certificate serial up.
func (t *Tx) Serial(serial string) (SerialOwner, bool) {
	v := t.tx.Bucket(bSerials).Get([]byte(serial))
	if v == nil {
		return SerialOwner{}, false
	}
	parts := append(strings.SplitN(string(v), "/", 3), "", "")
	return SerialOwner{Tenant: parts[0], Agent: parts[1], Revoked: parts[2] == "revoked"}, true
}

// RevokeSerials marks every certificate serial issued to an agent
// revoked: a renewed agent still holds its earlier certificates, valid
// until they expire, and revocation is checked by the serial presented.
func (t *Tx) RevokeSerials(tenant, agent string) error {
	b := t.tx.Bucket(bSerials)
	var serials []string
	err := b.ForEach(func(k, _ []byte) error {
		if o, _ := t.Serial(string(k)); o.Tenant == tenant && o.Agent == agent && !o.Revoked {
			serials = append(serials, string(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Written after the walk: bbolt forbids changing a bucket under a cursor.
	for _, s := range serials {
		if err := t.PutSerial(s, SerialOwner{Tenant: tenant, Agent: agent, Revoked: true}); err != nil {
			return err
		}
	}
	return nil
}

// PutAPIKey stores an API key by id. Keys are looked up by id before the
// tenant is known (the id is in the bearer token), so they live outside
// the tenant buckets; each record carries its tenant.
func (t *Tx) PutAPIKey(k *pb.StoredAPIKey) error {
	if err := ValidTenant(k.GetTenant()); err != nil {
		return err
	}
	return putProto(t.tx.Bucket(bKeys), k.GetId(), k)
}

// HasAPIKeys reports whether any API key exists.
func (t *Tx) HasAPIKeys() bool {
	k, _ := t.tx.Bucket(bKeys).Cursor().First()
	return k != nil
}

// APIKey looks an API key up by id.
func (t *Tx) APIKey(id string) (*pb.StoredAPIKey, error) {
	k := &pb.StoredAPIKey{}
	return k, getProto(t.tx.Bucket(bKeys), id, k)
}

// Tenants lists the tenants with any data.
func (t *Tx) Tenants() []string {
	var out []string
	_ = t.tx.Bucket(bTenants).ForEachBucket(func(k []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out
}

// Tenant opens a tenant's scope for reading. A tenant that has no data
// yet reads as empty.
func (t *Tx) Tenant(tenant string) (*TenantTx, error) {
	if err := ValidTenant(tenant); err != nil {
		return nil, err
	}
	b := t.tx.Bucket(bTenants).Bucket([]byte(tenant))
	if t.tx.Writable() {
		var err error
		if b, err = t.tx.Bucket(bTenants).CreateBucketIfNotExists([]byte(tenant)); err != nil {
			return nil, fmt.Errorf("tenant %s: %w", tenant, err)
		}
		for _, n := range tenantBuckets {
			if b.Bucket(n) != nil {
				continue
			}
			if _, err := b.CreateBucket(n); err != nil {
				return nil, fmt.Errorf("tenant %s: %w", tenant, err)
			}
		}
	}
	return &TenantTx{name: tenant, b: b, tx: t.tx}, nil
}

// TenantTx is a transaction scoped to one tenant.
type TenantTx struct {
	name string
	b    *bolt.Bucket // nil: the tenant has no data (read-only tx)
	// tx reaches the records kept outside the tenant's bucket because they
	// are found by id first (API keys); tenancy.go filters them by tenant.
	tx *bolt.Tx
}

// Name is the tenant's id.
func (t *TenantTx) Name() string { return t.name }

func (t *TenantTx) bucket(n []byte) *bolt.Bucket {
	if t.b == nil {
		return nil
	}
	return t.b.Bucket(n)
}

// Finding reads one finding.
func (t *TenantTx) Finding(id string) (*pb.Finding, error) {
	f := &pb.Finding{}
	return f, getProto(t.bucket(tFindings), id, f)
}

// PutFinding writes a finding; it must carry this tenant.
func (t *TenantTx) PutFinding(f *pb.Finding) error {
	if f.GetTenant() != t.name {
		return fmt.Errorf("finding %s carries tenant %q, not %q", f.GetId(), f.GetTenant(), t.name)
	}
	return putProto(t.bucket(tFindings), f.GetId(), f)
}

// ForEachFinding visits every finding of the tenant.
func (t *TenantTx) ForEachFinding(fn func(*pb.Finding) error) error {
	return forEach(t.bucket(tFindings), func() *pb.Finding { return &pb.Finding{} }, fn)
}

// Agent reads one agent.
func (t *TenantTx) Agent(id string) (*pb.Agent, error) {
	a := &pb.Agent{}
	return a, getProto(t.bucket(tAgents), id, a)
}

// PutAgent writes an agent; it must carry this tenant.
func (t *TenantTx) PutAgent(a *pb.Agent) error {
	if a.GetTenant() != t.name {
		return fmt.Errorf("agent %s carries tenant %q, not %q", a.GetId(), a.GetTenant(), t.name)
	}
	return putProto(t.bucket(tAgents), a.GetId(), a)
}

// ForEachAgent visits every agent of the tenant.
func (t *TenantTx) ForEachAgent(fn func(*pb.Agent) error) error {
	return forEach(t.bucket(tAgents), func() *pb.Agent { return &pb.Agent{} }, fn)
}

// PutScan writes a completed scan, keyed so scans list oldest first.
func (t *TenantTx) PutScan(s *pb.Scan) error {
	if s.GetTenant() != t.name {
		return fmt.Errorf("scan %s carries tenant %q, not %q", s.GetId(), s.GetTenant(), t.name)
	}
	key := string(u64(uint64(s.GetFinishedAt().AsTime().UnixNano()))) + s.GetId()
	return putProto(t.bucket(tScans), key, s)
}

// ForEachScan visits the tenant's scans oldest first.
func (t *TenantTx) ForEachScan(fn func(*pb.Scan) error) error {
	return forEach(t.bucket(tScans), func() *pb.Scan { return &pb.Scan{} }, fn)
}

// JoinToken reads one join token.
func (t *TenantTx) JoinToken(id string) (*pb.StoredJoinToken, error) {
	s := &pb.StoredJoinToken{}
	return s, getProto(t.bucket(tTokens), id, s)
}

// PutJoinToken writes a join token.
func (t *TenantTx) PutJoinToken(s *pb.StoredJoinToken) error {
	if s.GetToken().GetTenant() != t.name {
		return fmt.Errorf("join token %s carries tenant %q, not %q", s.GetToken().GetId(), s.GetToken().GetTenant(), t.name)
	}
	return putProto(t.bucket(tTokens), s.GetToken().GetId(), s)
}

// DeleteJoinToken removes a join token.
func (t *TenantTx) DeleteJoinToken(id string) error {
	b := t.bucket(tTokens)
	if b == nil || b.Get([]byte(id)) == nil {
		return fmt.Errorf("join token %s: %w", id, ErrNotFound)
	}
	return b.Delete([]byte(id))
}

// ForEachJoinToken visits the tenant's join tokens.
func (t *TenantTx) ForEachJoinToken(fn func(*pb.StoredJoinToken) error) error {
	return forEach(t.bucket(tTokens), func() *pb.StoredJoinToken { return &pb.StoredJoinToken{} }, fn)
}

// HWM is an agent's high-water mark: the last sequence applied within its
// boot epoch.
type HWM struct{ Epoch, Seq uint64 }

// HighWater reads an agent's high-water mark.
func (t *TenantTx) HighWater(agent string) HWM {
	b := t.bucket(tHWM)
	if b == nil {
		return HWM{}
	}
	v := b.Get([]byte(agent))
	if len(v) != 16 {
		return HWM{}
	}
	return HWM{binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])}
}

// SetHighWater writes an agent's high-water mark.
func (t *TenantTx) SetHighWater(agent string, h HWM) error {
	return t.bucket(tHWM).Put([]byte(agent), append(u64(h.Epoch), u64(h.Seq)...))
}

func u64(i uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, i)
	return b
}

var marshal = proto.MarshalOptions{Deterministic: true}

var errWrite = errors.New("write outside a read-write transaction")

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func putProto(b *bolt.Bucket, key string, m proto.Message) error {
	if b == nil {
		return errWrite
	}
	v, err := marshal.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put([]byte(key), v)
}

func getProto(b *bolt.Bucket, key string, m proto.Message) error {
	if b == nil {
		return fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	v := b.Get([]byte(key))
	if v == nil {
		return fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err := proto.Unmarshal(v, m); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

func forEach[M proto.Message](b *bolt.Bucket, mk func() M, fn func(M) error) error {
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		m := mk()
		if err := proto.Unmarshal(v, m); err != nil {
			return fmt.Errorf("decode %q: %w", k, err)
		}
		return fn(m)
	})
}
