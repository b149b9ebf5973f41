package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

func sid(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func session(token, tenant, user string) *pb.StoredSession {
	return &pb.StoredSession{Id: sid(token), Tenant: tenant, UserId: user, Role: "viewer", Method: "password"}
}

func sessionIDs(t *testing.T, s *Store) []string {
	t.Helper()
	var ids []string
	require.NoError(t, s.View(func(tx *Tx) error {
		return tx.ForEachSession(func(s *pb.StoredSession) error { ids = append(ids, s.GetTenant()+"/"+s.GetUserId()); return nil })
	}))
	return ids
}

func TestSessions(t *testing.T) {
	s := openStore(t)
	// A store of an older release has no session buckets: reads are empty.
	require.NoError(t, s.View(func(tx *Tx) error {
		_, err := tx.Session(sid("a"))
		assert.ErrorIs(t, err, ErrNotFound)
		return tx.ForEachSession(func(*pb.StoredSession) error { t.Fatal("no sessions expected"); return nil })
	}))
	require.NoError(t, s.Update(func(tx *Tx) error {
		for _, ss := range []*pb.StoredSession{
			session("a1", "acme", "usr-a"), session("a2", "acme", "usr-a"), session("b1", "acme", "usr-b"),
			// A tenant whose name extends another's, and a user whose id
			// extends another's: neither is caught by the other's prefix.
			session("x1", "acme-x", "usr-a"), session("c1", "acme", "usr-a2"),
		} {
			require.NoError(t, tx.PutSession(ss))
		}
		assert.ErrorContains(t, tx.PutSession(&pb.StoredSession{Id: "raw-token", Tenant: "acme", UserId: "u"}), "hex SHA-256")
		assert.ErrorContains(t, tx.PutSession(&pb.StoredSession{Id: sid("z"), Tenant: "Bad Tenant", UserId: "u"}), "tenant")
		assert.ErrorContains(t, tx.PutSession(&pb.StoredSession{Id: sid("z"), Tenant: "acme"}), "no user")
		return nil
	}))
	require.NoError(t, s.View(func(tx *Tx) error {
		got, err := tx.Session(sid("b1"))
		require.NoError(t, err)
		assert.Equal(t, "usr-b", got.GetUserId())
		return nil
	}))
	assert.Len(t, sessionIDs(t, s), 5)

	require.NoError(t, s.Update(func(tx *Tx) error {
		n, err := tx.DeleteUserSessions("acme", "usr-a", sid("a2"))
		require.NoError(t, err)
		assert.Equal(t, 1, n, "all but the one kept")
		n, err = tx.DeleteUserSessions("acme", "usr-a", "")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		ok, err := tx.DeleteSession(sid("b1"))
		require.NoError(t, err)
		assert.True(t, ok)
		// Unknown ids are no error.
		ok, err = tx.DeleteSession(sid("b1"))
		require.NoError(t, err)
		assert.False(t, ok)
		return nil
	}))
	assert.ElementsMatch(t, []string{"acme-x/usr-a", "acme/usr-a2"}, sessionIDs(t, s))

	// Moving a session to another user moves its index entry: ending the
	// old user's sessions leaves it alone.
	require.NoError(t, s.Update(func(tx *Tx) error {
		require.NoError(t, tx.PutSession(session("c1", "acme", "usr-c")))
		n, err := tx.DeleteUserSessions("acme", "usr-a2", "")
		require.NoError(t, err)
		assert.Zero(t, n)
		n, err = tx.DeleteUserSessions("acme", "", "")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		return nil
	}))
	assert.Equal(t, []string{"acme-x/usr-a"}, sessionIDs(t, s))

	require.NoError(t, s.Update(func(tx *Tx) error {
		require.NoError(t, tx.PutSession(session("d1", "acme", "usr-d")))
		n, err := tx.DeleteSessions(func(s *pb.StoredSession) bool { return s.GetTenant() == "acme-x" })
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		// The index went with the record.
		n, err = tx.DeleteUserSessions("acme-x", "", "")
		require.NoError(t, err)
		assert.Zero(t, n)
		return nil
	}))
	assert.Equal(t, []string{"acme/usr-d"}, sessionIDs(t, s))

	// Sessions survive a reopen and travel in a snapshot.
	path := s.Path()
	require.NoError(t, s.Close())
	s, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	assert.Equal(t, []string{"acme/usr-d"}, sessionIDs(t, s))
	other, err := Open(filepath.Join(t.TempDir(), "other.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	var snap bytes.Buffer
	_, err = s.WriteSnapshot(&snap)
	require.NoError(t, err)
	require.NoError(t, other.Replace(&snap))
	assert.Equal(t, []string{"acme/usr-d"}, sessionIDs(t, other))
}
