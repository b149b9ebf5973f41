package state

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func finding(tenant, id string) *pb.Finding {
	return &pb.Finding{Id: id, Tenant: tenant, Kind: pb.DriftKind_DRIFT_KIND_MODIFIED,
		Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_instance", Id: "i-" + id}}
}

func token(tenant, id string) *pb.StoredJoinToken {
	return &pb.StoredJoinToken{Token: &pb.JoinToken{Id: id, Tenant: tenant, MaxUses: 1}, SecretHash: []byte("h")}
}

func scan(tenant, id string, finished time.Time) *pb.Scan {
	return &pb.Scan{Id: id, Tenant: tenant, FinishedAt: timestamppb.New(finished)}
}

// seed writes one finding, agent, scan, token and high-water mark for each tenant.
func seed(t *testing.T, s *Store, tenants ...string) {
	t.Helper()
	require.NoError(t, s.Update(func(tx *Tx) error {
		for _, name := range tenants {
			tt, err := tx.Tenant(name)
			require.NoError(t, err)
			require.NoError(t, tt.PutFinding(finding(name, "f-"+name)))
			require.NoError(t, tt.PutAgent(&pb.Agent{Id: "a-" + name, Tenant: name}))
			require.NoError(t, tt.PutScan(scan(name, "s-"+name, time.Unix(100, 0))))
			require.NoError(t, tt.PutJoinToken(token(name, "t-"+name)))
			require.NoError(t, tt.SetHighWater("a-"+name, HWM{Epoch: 1, Seq: 7}))
		}
		return nil
	}))
}

func TestOpenBadPath(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "missing", "dir", "state.db"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "open state")
}

func TestTenantScoping(t *testing.T) {
	s := openStore(t)
	seed(t, s, "a", "b")

	require.NoError(t, s.View(func(tx *Tx) error {
		assert.ElementsMatch(t, []string{"a", "b"}, tx.Tenants())
		for _, tc := range []struct{ own, other string }{{"a", "b"}, {"b", "a"}} {
			tt, err := tx.Tenant(tc.own)
			require.NoError(t, err)
			assert.Equal(t, tc.own, tt.Name())

			_, err = tt.Finding("f-" + tc.other)
			assert.ErrorIs(t, err, ErrNotFound, "finding of %s seen from %s", tc.other, tc.own)
			_, err = tt.Agent("a-" + tc.other)
			assert.ErrorIs(t, err, ErrNotFound)
			_, err = tt.JoinToken("t-" + tc.other)
			assert.ErrorIs(t, err, ErrNotFound)
			assert.Equal(t, HWM{}, tt.HighWater("a-"+tc.other))

			f, err := tt.Finding("f-" + tc.own)
			require.NoError(t, err)
			assert.Equal(t, tc.own, f.GetTenant())
			assert.Equal(t, HWM{Epoch: 1, Seq: 7}, tt.HighWater("a-"+tc.own))

			var findings, agents, scans, tokens []string
			require.NoError(t, tt.ForEachFinding(func(f *pb.Finding) error { findings = append(findings, f.GetTenant()); return nil }))
			require.NoError(t, tt.ForEachAgent(func(a *pb.Agent) error { agents = append(agents, a.GetTenant()); return nil }))
			require.NoError(t, tt.ForEachScan(func(s *pb.Scan) error { scans = append(scans, s.GetTenant()); return nil }))
			require.NoError(t, tt.ForEachJoinToken(func(s *pb.StoredJoinToken) error {
				tokens = append(tokens, s.GetToken().GetTenant())
				return nil
			}))
			for what, got := range map[string][]string{"findings": findings, "agents": agents, "scans": scans, "tokens": tokens} {
				assert.Equal(t, []string{tc.own}, got, "%s of %s", what, tc.own)
			}
		}
		return nil
	}))
}

func TestPutRefusesOtherTenant(t *testing.T) {
	s := openStore(t)
	tests := []struct {
		name string
		put  func(*TenantTx) error
	}{
		{"finding", func(tt *TenantTx) error { return tt.PutFinding(finding("b", "f1")) }},
		{"agent", func(tt *TenantTx) error { return tt.PutAgent(&pb.Agent{Id: "a1", Tenant: "b"}) }},
		{"scan", func(tt *TenantTx) error { return tt.PutScan(scan("b", "s1", time.Unix(1, 0))) }},
		{"join token", func(tt *TenantTx) error { return tt.PutJoinToken(token("b", "t1")) }},
		{"finding without tenant", func(tt *TenantTx) error { return tt.PutFinding(finding("", "f1")) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Update(func(tx *Tx) error {
				tt, err := tx.Tenant("a")
				require.NoError(t, err)
				return tc.put(tt)
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), `not "a"`)
			assert.Contains(t, err.Error(), `tenant "`)
			if !strings.Contains(tc.name, "without") {
				assert.Contains(t, err.Error(), `"b"`)
			}
		})
	}
	// Nothing was written anywhere.
	require.NoError(t, s.View(func(tx *Tx) error {
		assert.NotContains(t, tx.Tenants(), "b")
		return nil
	}))
}

func TestInvalidTenantNames(t *testing.T) {
	s := openStore(t)
	tests := []struct {
		tenant string
		ok     bool
	}{
		{"a", true},
		{"acme-prod_2", true},
		{"0tenant", true},
		{strings.Repeat("x", 63), true},
		{"", false},
		{strings.Repeat("x", 64), false},
		{"Acme", false},
		{"-acme", false},
		{"_acme", false},
		{"ac/me", false},
		{"ac me", false},
		{"../a", false},
		{"acmé", false},
	}
	for _, tc := range tests {
		t.Run(tc.tenant, func(t *testing.T) {
			err := ValidTenant(tc.tenant)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "tenant")
			}
			err = s.Update(func(tx *Tx) error {
				_, err := tx.Tenant(tc.tenant)
				return err
			})
			assert.Equal(t, tc.ok, err == nil, "Tenant(%q): %v", tc.tenant, err)
			err = s.Update(func(tx *Tx) error {
				return tx.PutAPIKey(&pb.StoredAPIKey{Id: "k-" + tc.tenant, Tenant: tc.tenant})
			})
			assert.Equal(t, tc.ok, err == nil, "PutAPIKey(%q): %v", tc.tenant, err)
		})
	}
}

func TestReadOnlyUnknownTenantReadsEmpty(t *testing.T) {
	s := openStore(t)
	seed(t, s, "a")
	require.NoError(t, s.View(func(tx *Tx) error {
		tt, err := tx.Tenant("nobody")
		require.NoError(t, err)
		_, err = tt.Finding("f-a")
		assert.ErrorIs(t, err, ErrNotFound)
		_, err = tt.Agent("a-a")
		assert.ErrorIs(t, err, ErrNotFound)
		_, err = tt.JoinToken("t-a")
		assert.ErrorIs(t, err, ErrNotFound)
		assert.Equal(t, HWM{}, tt.HighWater("a-a"))
		n := 0
		count := func() { n++ }
		require.NoError(t, tt.ForEachFinding(func(*pb.Finding) error { count(); return nil }))
		require.NoError(t, tt.ForEachAgent(func(*pb.Agent) error { count(); return nil }))
		require.NoError(t, tt.ForEachScan(func(*pb.Scan) error { count(); return nil }))
		require.NoError(t, tt.ForEachJoinToken(func(*pb.StoredJoinToken) error { count(); return nil }))
		assert.Zero(t, n)
		assert.ErrorIs(t, tt.DeleteJoinToken("t-a"), ErrNotFound)
		err = tt.PutFinding(finding("nobody", "f1"))
		require.Error(t, err, "a read-only tx cannot write")
		assert.Contains(t, err.Error(), "read-write")
		// Reading did not create the tenant.
		assert.Equal(t, []string{"a"}, tx.Tenants())
		return nil
	}))
}

func TestDeleteJoinToken(t *testing.T) {
	s := openStore(t)
	seed(t, s, "a")
	require.NoError(t, s.Update(func(tx *Tx) error {
		tt, err := tx.Tenant("a")
		require.NoError(t, err)
		require.NoError(t, tt.DeleteJoinToken("t-a"))
		_, err = tt.JoinToken("t-a")
		assert.ErrorIs(t, err, ErrNotFound)
		assert.ErrorIs(t, tt.DeleteJoinToken("t-a"), ErrNotFound)
		return nil
	}))
}

func TestScansListOldestFirst(t *testing.T) {
	s := openStore(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, s.Update(func(tx *Tx) error {
		tt, err := tx.Tenant("a")
		require.NoError(t, err)
		for i, off := range []int{3, 1, 2} {
			require.NoError(t, tt.PutScan(scan("a", string(rune('x'+i)), base.Add(time.Duration(off)*time.Hour))))
		}
		return nil
	}))
	var ids []string
	require.NoError(t, s.View(func(tx *Tx) error {
		tt, _ := tx.Tenant("a")
		return tt.ForEachScan(func(s *pb.Scan) error { ids = append(ids, s.GetId()); return nil })
	}))
	assert.Equal(t, []string{"y", "z", "x"}, ids)
}

func TestForEachStopsOnError(t *testing.T) {
	s := openStore(t)
	seed(t, s, "a")
	stop := errors.New("stop")
	require.NoError(t, s.View(func(tx *Tx) error {
		tt, _ := tx.Tenant("a")
		assert.ErrorIs(t, tt.ForEachFinding(func(*pb.Finding) error { return stop }), stop)
		return nil
	}))
}

func TestCorruptRecordIsReported(t *testing.T) {
	s := openStore(t)
	seed(t, s, "a")
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bTenants).Bucket([]byte("a")).Bucket(tFindings).Put([]byte("bad"), []byte{0xff, 0xff})
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		tt, _ := tx.Tenant("a")
		_, err := tt.Finding("bad")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "decode bad")
		err = tt.ForEachFinding(func(*pb.Finding) error { return nil })
		require.Error(t, err)
		assert.Contains(t, err.Error(), `decode "bad"`)
		return nil
	}))
}

func TestAppliedIndex(t *testing.T) {
	s := openStore(t)
	require.NoError(t, s.View(func(tx *Tx) error {
		assert.Zero(t, tx.AppliedIndex())
		return nil
	}))
	require.NoError(t, s.Update(func(tx *Tx) error { return tx.SetAppliedIndex(42) }))
	require.NoError(t, s.View(func(tx *Tx) error {
		assert.Equal(t, uint64(42), tx.AppliedIndex())
		return nil
	}))
}

func TestPutRequestPruningWindow(t *testing.T) {
	s := openStore(t)
	const keep = 10
	require.NoError(t, s.Update(func(tx *Tx) error {
		for i := uint64(1); i <= 30; i++ {
			require.NoError(t, tx.PutRequest(reqID(i), i, []byte{byte(i)}, keep))
		}
		require.NoError(t, tx.PutRequest("", 31, []byte("ignored"), keep), "an empty id is not remembered")
		return nil
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		for i := uint64(1); i <= 30; i++ {
			got, ok := tx.Request(reqID(i))
			// The last put was at index 30: everything at 30-keep or later is kept.
			if i >= 30-keep {
				require.True(t, ok, "request at index %d is within the window", i)
				assert.Equal(t, []byte{byte(i)}, got)
			} else {
				assert.False(t, ok, "request at index %d is older than the window", i)
			}
		}
		_, ok := tx.Request("")
		assert.False(t, ok)
		n := 0
		_ = tx.tx.Bucket(bReqIndex).ForEach(func(k, v []byte) error { n++; return nil })
		assert.Equal(t, keep+1, n, "the index bucket is pruned with the requests")
		return nil
	}))
}

func TestRequestResultIsACopy(t *testing.T) {
	s := openStore(t)
	require.NoError(t, s.Update(func(tx *Tx) error { return tx.PutRequest("r", 1, []byte("abc"), 10) }))
	var got []byte
	require.NoError(t, s.View(func(tx *Tx) error {
		got, _ = tx.Request("r")
		return nil
	}))
	// Reading after the transaction ended must not fault or change.
	assert.Equal(t, []byte("abc"), got)
}

func reqID(i uint64) string { return "req-" + string(rune('A'+i)) }

func TestSerialOwnerRoundTrip(t *testing.T) {
	s := openStore(t)
	tests := []struct {
		serial string
		owner  SerialOwner
	}{
		{"01", SerialOwner{Tenant: "a", Agent: "agent-1"}},
		{"02", SerialOwner{Tenant: "b", Agent: "agent-2", Revoked: true}},
		{"03", SerialOwner{Tenant: "a", Agent: ""}},
	}
	require.NoError(t, s.Update(func(tx *Tx) error {
		for _, tc := range tests {
			require.NoError(t, tx.PutSerial(tc.serial, tc.owner))
		}
		return nil
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		for _, tc := range tests {
			got, ok := tx.Serial(tc.serial)
			require.True(t, ok, tc.serial)
			assert.Equal(t, tc.owner, got, tc.serial)
		}
		_, ok := tx.Serial("unknown")
		assert.False(t, ok)
		return nil
	}))
	// Revoking overwrites the owner in place.
	require.NoError(t, s.Update(func(tx *Tx) error {
		return tx.PutSerial("01", SerialOwner{Tenant: "a", Agent: "agent-1", Revoked: true})
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		got, _ := tx.Serial("01")
		assert.True(t, got.Revoked)
		return nil
	}))
}

func TestAPIKeys(t *testing.T) {
	s := openStore(t)
	k := &pb.StoredAPIKey{Id: "k1", Tenant: "a", Role: "admin", SecretHash: []byte("h")}
	require.NoError(t, s.View(func(tx *Tx) error {
		assert.False(t, tx.HasAPIKeys())
		return nil
	}))
	require.NoError(t, s.Update(func(tx *Tx) error { return tx.PutAPIKey(k) }))
	require.NoError(t, s.View(func(tx *Tx) error {
		assert.True(t, tx.HasAPIKeys())
		got, err := tx.APIKey("k1")
		require.NoError(t, err)
		assert.Equal(t, "a", got.GetTenant())
		assert.Equal(t, "admin", got.GetRole())
		_, err = tx.APIKey("k2")
		assert.ErrorIs(t, err, ErrNotFound)
		return nil
	}))
}

func TestSnapshotReplaceRoundTrip(t *testing.T) {
	src := openStore(t)
	seed(t, src, "a", "b")
	require.NoError(t, src.Update(func(tx *Tx) error { return tx.SetAppliedIndex(17) }))
	var snap bytes.Buffer
	n, err := src.WriteSnapshot(&snap)
	require.NoError(t, err)
	assert.Equal(t, int64(snap.Len()), n)

	dst := openStore(t)
	seed(t, dst, "c")
	require.NoError(t, dst.Replace(&snap))
	assert.NoFileExists(t, dst.Path()+".restore")
	require.NoError(t, dst.View(func(tx *Tx) error {
		assert.Equal(t, uint64(17), tx.AppliedIndex())
		assert.ElementsMatch(t, []string{"a", "b"}, tx.Tenants(), "the old contents are gone")
		tt, _ := tx.Tenant("b")
		f, err := tt.Finding("f-b")
		require.NoError(t, err)
		assert.Equal(t, "b", f.GetTenant())
		assert.Equal(t, HWM{Epoch: 1, Seq: 7}, tt.HighWater("a-b"))
		return nil
	}))
	// The replaced store is writable.
	require.NoError(t, dst.Update(func(tx *Tx) error { return tx.SetAppliedIndex(18) }))
}

func TestReplaceRefusesBadSnapshot(t *testing.T) {
	valid := func(t *testing.T) []byte {
		src := openStore(t)
		seed(t, src, "x")
		var b bytes.Buffer
		_, err := src.WriteSnapshot(&b)
		require.NoError(t, err)
		return b.Bytes()
	}
	tests := []struct {
		name string
		data func(t *testing.T) []byte
	}{
		{"garbage", func(*testing.T) []byte { return bytes.Repeat([]byte("not a bolt file "), 1024) }},
		{"empty", func(*testing.T) []byte { return nil }},
		{"truncated", func(t *testing.T) []byte { v := valid(t); return v[:len(v)/2] }},
		{"header only", func(t *testing.T) []byte { return valid(t)[:100] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			seed(t, s, "a")
			err := s.Replace(bytes.NewReader(tc.data(t)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "restore state")
			assert.NoFileExists(t, s.Path()+".restore")
			require.NoError(t, s.View(func(tx *Tx) error {
				tt, _ := tx.Tenant("a")
				_, err := tt.Finding("f-a")
				return err
			}), "the original state is still readable")
			require.NoError(t, s.Update(func(tx *Tx) error { return tx.SetAppliedIndex(2) }), "and writable")
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("network down") }

func TestReplaceReadError(t *testing.T) {
	s := openStore(t)
	seed(t, s, "a")
	err := s.Replace(failingReader{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "network down")
	require.NoError(t, s.View(func(tx *Tx) error {
		assert.Equal(t, []string{"a"}, tx.Tenants())
		return nil
	}))
}

// Readers (the API answering from local state) run while raft restores a
// snapshot: they must see the old or the new state, never a closed file.
func TestReplaceWhileReading(t *testing.T) {
	src := openStore(t)
	seed(t, src, "a")
	var snap bytes.Buffer
	_, err := src.WriteSnapshot(&snap)
	require.NoError(t, err)

	s := openStore(t)
	seed(t, s, "a")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(func(tx *Tx) error {
					tt, err := tx.Tenant("a")
					if err != nil {
						return err
					}
					_, err = tt.Finding("f-a")
					return err
				})
				if !assert.NoError(t, err) {
					return
				}
			}
		}()
	}
	for range 10 {
		require.NoError(t, s.Replace(bytes.NewReader(snap.Bytes())))
	}
	close(stop)
	wg.Wait()
}

func TestRevokeSerials(t *testing.T) {
	s := openStore(t)
	owners := map[string]SerialOwner{
		"s1": {Tenant: "a", Agent: "ag1"},
		"s2": {Tenant: "a", Agent: "ag1"},
		"s3": {Tenant: "a", Agent: "ag1", Revoked: true},
		"s4": {Tenant: "a", Agent: "ag2"},
		"s5": {Tenant: "b", Agent: "ag1"},
		"s6": {Tenant: "a", Agent: "ag10"},
	}
	require.NoError(t, s.Update(func(tx *Tx) error {
		for serial, o := range owners {
			require.NoError(t, tx.PutSerial(serial, o))
		}
		return tx.RevokeSerials("a", "ag1")
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		for serial, o := range owners {
			got, ok := tx.Serial(serial)
			require.True(t, ok)
			want := o
			if o.Tenant == "a" && o.Agent == "ag1" {
				want.Revoked = true
			}
			assert.Equal(t, want, got, serial)
		}
		return nil
	}))
}
