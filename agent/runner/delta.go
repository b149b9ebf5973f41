package runner

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// deltaStore remembers, per finding id, the hash of the content last
// appended to the outbox, so a scan sends only what changed and resolves
// what is gone. It is a bbolt file beside the outbox.
type deltaStore struct {
	db *bolt.DB
}

var (
	bucketSent   = []byte("sent")
	bucketMeta   = []byte("meta")
	keySynced    = []byte("synced")
	deltaTimeout = 2 * time.Second
)

func openDelta(path string) (*deltaStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: deltaTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("delta state %s: still locked by another process after %s", path, deltaTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("delta state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketSent); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketMeta)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("delta state %s: %w", path, err)
	}
	return &deltaStore{db: db}, nil
}

func (d *deltaStore) close() error { return d.db.Close() }

// load returns the sent hashes and whether a full scan was ever recorded:
// without one, the agent has no memory of what the controller holds.
func (d *deltaStore) load() (sent map[string][32]byte, synced bool, err error) {
	sent = map[string][32]byte{}
	err = d.db.View(func(tx *bolt.Tx) error {
		synced = tx.Bucket(bucketMeta).Get(keySynced) != nil
		return tx.Bucket(bucketSent).ForEach(func(k, v []byte) error {
			if len(v) != 32 {
				return fmt.Errorf("delta state: finding %s: hash of %d bytes", k, len(v))
			}
			sent[string(k)] = [32]byte(v)
			return nil
		})
	})
	return sent, synced, err
}

// apply records what one outbox Append made durable.
func (d *deltaStore) apply(put map[string][32]byte, del []string, synced bool) error {
	if len(put) == 0 && len(del) == 0 && !synced {
		return nil
	}
	return d.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSent)
		for id, h := range put {
			if err := b.Put([]byte(id), h[:]); err != nil {
				return err
			}
		}
		for _, id := range del {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
		if synced {
			return tx.Bucket(bucketMeta).Put(keySynced, []byte{1})
		}
		return nil
	})
}
