package state

import (
	"bytes"
	"fmt"
	"regexp"

	bolt "go.etcd.io/bbolt"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// Console sign-in sessions live outside the tenant buckets, like API
// keys: a request names its session by id (the hash of its cookie) before
// its tenant is known. Each record carries its tenant and user, and an
// index by tenant and user ends all of a user's or a tenant's sessions
// without reading the others. Both buckets are created on first write, so
// stores of older releases need no migration.
var (
	bSessions      = []byte("sessions")
	bSessionsByWho = []byte("sessions_by_user") // tenant NUL user NUL id -> nil
)

// sessionIDShape is a hex SHA-256: the store never sees a cookie's token.
var sessionIDShape = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (t *Tx) sessionBucket(name []byte) *bolt.Bucket {
	if b := t.tx.Bucket(name); b != nil || !t.tx.Writable() {
		return b
	}
	b, err := t.tx.CreateBucket(name)
	if err != nil {
		return nil
	}
	return b
}

func sessionWhoPrefix(tenant, user string) []byte {
	if user == "" {
		return []byte(tenant + "\x00")
	}
	return []byte(tenant + "\x00" + user + "\x00")
}

func sessionWhoKey(s *pb.StoredSession) []byte {
	return append(sessionWhoPrefix(s.GetTenant(), s.GetUserId()), s.GetId()...)
}

// Session reads a session by id.
func (t *Tx) Session(id string) (*pb.StoredSession, error) {
	s := &pb.StoredSession{}
	if err := getProto(t.sessionBucket(bSessions), id, s); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// PutSession writes a session and its index entry. Its id must be a hex
// SHA-256 and it must carry a valid tenant and a user.
func (t *Tx) PutSession(s *pb.StoredSession) error {
	if !sessionIDShape.MatchString(s.GetId()) {
		return fmt.Errorf("session id %.16q: want the hex SHA-256 of the cookie's token", s.GetId())
	}
	if err := ValidTenant(s.GetTenant()); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	if s.GetUserId() == "" {
		return fmt.Errorf("session %.12s…: no user", s.GetId())
	}
	b, who := t.sessionBucket(bSessions), t.sessionBucket(bSessionsByWho)
	if b == nil || who == nil {
		return errWrite
	}
	if old, err := t.Session(s.GetId()); err == nil && !bytes.Equal(sessionWhoKey(old), sessionWhoKey(s)) {
		if err := who.Delete(sessionWhoKey(old)); err != nil {
			return err
		}
	}
	if err := who.Put(sessionWhoKey(s), nil); err != nil {
		return err
	}
	return putProto(b, s.GetId(), s)
}

// DeleteSession forgets a session; it reports whether there was one.
func (t *Tx) DeleteSession(id string) (bool, error) {
	s, err := t.Session(id)
	if err != nil {
		return false, nil
	}
	if err := t.sessionBucket(bSessionsByWho).Delete(sessionWhoKey(s)); err != nil {
		return false, err
	}
	return true, t.sessionBucket(bSessions).Delete([]byte(id))
}

// DeleteUserSessions ends every session of a user of a tenant, or of the
// whole tenant when user is empty, but for the session except (empty:
// none), and returns how many it ended.
func (t *Tx) DeleteUserSessions(tenant, user, except string) (int, error) {
	who := t.sessionBucket(bSessionsByWho)
	if who == nil {
		return 0, nil
	}
	prefix := sessionWhoPrefix(tenant, user)
	var ids []string
	c := who.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if id := string(k[bytes.LastIndexByte(k, 0)+1:]); id != except {
			ids = append(ids, id)
		}
	}
	// Deleted after the walk: bbolt forbids changing a bucket under a cursor.
	for _, id := range ids {
		if _, err := t.DeleteSession(id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// DeleteSessions ends every session match selects and returns how many.
func (t *Tx) DeleteSessions(match func(*pb.StoredSession) bool) (int, error) {
	var ids []string
	err := t.ForEachSession(func(s *pb.StoredSession) error {
		if match(s) {
			ids = append(ids, s.GetId())
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := t.DeleteSession(id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// ForEachSession visits every session in id order.
func (t *Tx) ForEachSession(fn func(*pb.StoredSession) error) error {
	return forEach(t.sessionBucket(bSessions), func() *pb.StoredSession { return &pb.StoredSession{} }, fn)
}
