package state

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

func TestSecurityRecords(t *testing.T) {
	s := openStore(t)
	require.NoError(t, s.Update(func(tx *Tx) error {
		tt, err := tx.Tenant("acme")
		require.NoError(t, err)
		require.NoError(t, tt.PutSecurityFinding(&pb.SecurityFinding{Id: "s1", Tenant: "acme", CheckId: "C"}))
		require.ErrorContains(t, tt.PutSecurityFinding(&pb.SecurityFinding{Id: "s2", Tenant: "globex"}), `carries tenant "globex", not "acme"`)
		require.NoError(t, tt.PutPosture(&pb.Scan{Id: "scan-1", Tenant: "acme", AgentId: "ag1"}))
		require.ErrorContains(t, tt.PutPosture(&pb.Scan{Id: "scan-2", Tenant: "globex", AgentId: "ag2"}), "not \"acme\"")
		require.NoError(t, tt.PutMutelist(&pb.StoredMutelist{Yaml: "mutelist: []\n"}))
		require.NoError(t, tt.PutPolicy(&pb.Policy{Name: "a.rego", Source: "package a"}, 7))
		require.NoError(t, tt.PutPolicy(&pb.Policy{Name: "b.rego", Source: "package b"}, 8))
		require.NoError(t, tt.DeletePolicy("a.rego", 9))
		assert.ErrorIs(t, tt.DeletePolicy("a.rego", 10), ErrNotFound)
		return nil
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		tt, err := tx.Tenant("acme")
		require.NoError(t, err)
		f, err := tt.SecurityFinding("s1")
		require.NoError(t, err)
		assert.Equal(t, "C", f.GetCheckId())
		_, err = tt.SecurityFinding("nope")
		assert.ErrorIs(t, err, ErrNotFound)
		var n int
		require.NoError(t, tt.ForEachSecurityFinding(func(*pb.SecurityFinding) error { n++; return nil }))
		assert.Equal(t, 1, n)
		var agents []string
		require.NoError(t, tt.ForEachPosture(func(p *pb.Scan) error { agents = append(agents, p.GetAgentId()); return nil }))
		assert.Equal(t, []string{"ag1"}, agents)
		ml, err := tt.Mutelist()
		require.NoError(t, err)
		assert.Equal(t, "mutelist: []\n", ml.GetYaml())
		assert.Equal(t, uint64(9), tt.PolicyRevision())
		p, err := tt.Policy("b.rego")
		require.NoError(t, err)
		assert.Equal(t, "package b", p.GetSource())
		_, err = tt.Policy("a.rego")
		assert.ErrorIs(t, err, ErrNotFound)

		// A tenant with no data reads as empty.
		other, err := tx.Tenant("globex")
		require.NoError(t, err)
		ml, err = other.Mutelist()
		require.NoError(t, err)
		assert.Empty(t, ml.GetYaml())
		assert.Zero(t, other.PolicyRevision())
		assert.ErrorIs(t, other.DeletePolicy("a.rego", 1), errWrite)
		assert.ErrorIs(t, other.DeleteSecurityFinding("s1"), errWrite)
		assert.ErrorIs(t, other.DeletePosture("ag1"), errWrite)
		return nil
	}))
	require.NoError(t, s.Update(func(tx *Tx) error {
		tt, _ := tx.Tenant("acme")
		require.NoError(t, tt.DeleteSecurityFinding("s1"))
		require.NoError(t, tt.DeleteSecurityFinding("s1"), "a resent resolution is harmless")
		require.NoError(t, tt.DeletePosture("ag1"))
		return nil
	}))
}

func TestAuditLogs(t *testing.T) {
	s := openStore(t)
	require.NoError(t, s.View(func(tx *Tx) error {
		l, err := tx.PlatformAudit()
		require.NoError(t, err)
		seq, raw := l.Last()
		assert.Zero(t, seq, "no platform log yet reads as empty")
		assert.Nil(t, raw)
		assert.ErrorIs(t, l.Append(1, []byte("x")), errWrite)
		return l.ForEach(0, func(uint64, []byte) (bool, error) { t.Fatal("no entries"); return false, nil })
	}))
	require.NoError(t, s.Update(func(tx *Tx) error {
		tt, err := tx.Tenant("acme")
		require.NoError(t, err)
		l := tt.Audit()
		for i := uint64(1); i <= 5; i++ {
			require.NoError(t, l.Append(i, []byte{byte('a' + i - 1)}))
		}
		assert.ErrorContains(t, l.Append(7, []byte("g")), "audit entry 7 does not follow 5")
		p, err := tx.PlatformAudit()
		require.NoError(t, err)
		return p.Append(1, []byte("p"))
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		tt, _ := tx.Tenant("acme")
		l := tt.Audit()
		seq, raw := l.Last()
		assert.Equal(t, uint64(5), seq)
		assert.Equal(t, []byte("e"), raw)
		collect := func(each func(uint64, func(uint64, []byte) (bool, error)) error, from uint64, limit int) string {
			var out []byte
			require.NoError(t, each(from, func(_ uint64, b []byte) (bool, error) {
				out = append(out, b...)
				return len(out) < limit, nil
			}))
			return string(out)
		}
		assert.Equal(t, "abcde", collect(l.ForEach, 0, 99))
		assert.Equal(t, "cd", collect(l.ForEach, 2, 2))
		assert.Equal(t, "edcba", collect(l.ForEachReverse, 0, 99))
		assert.Equal(t, "cb", collect(l.ForEachReverse, 4, 2))
		assert.Equal(t, "edcba", collect(l.ForEachReverse, 99, 99), "before past the end starts at the newest")
		bad := errors.New("stop")
		assert.ErrorIs(t, l.ForEach(0, func(uint64, []byte) (bool, error) { return false, bad }), bad)
		p, err := tx.PlatformAudit()
		require.NoError(t, err)
		seq, _ = p.Last()
		assert.Equal(t, uint64(1), seq)
		return nil
	}))
}
