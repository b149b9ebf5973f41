package runner

import (
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// deltaStore remembers, per finding id, the hash of the content last
// appended to the outbox, so a scan sends only what changed and resolves
// what is gone. It is a bbolt file beside the outbox.
type deltaStore struct {
	db *bolt.DB

	mu  sync.Mutex
	gen uint64 // bumped by forget; a scan's updates from before it are void
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

// load returns the sent hashes, whether a full scan was ever recorded
// (without one, the agent has no memory of what the controller holds) and
// the generation to pass to apply.
func (d *deltaStore) load() (sent map[string][32]byte, synced bool, gen uint64, err error) {
	d.mu.Lock()
	gen = d.gen
	d.mu.Unlock()
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
	return sent, synced, gen, err
}

// apply records what one outbox Append made durable, unless the state was
// forgotten since gen was loaded.
func (d *deltaStore) apply(gen uint64, put map[string][32]byte, del []string, synced bool) error {
	if len(put) == 0 && len(del) == 0 && !synced {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if gen != d.gen {
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

// forget drops the record of what was sent, after batches were lost
// (pruned by age, or refused by the controller): what the controller holds
// is no longer known, so the next scan sends everything as a full sync and
// the controller resolves what that scan does not report.
func (d *deltaStore) forget() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gen++
	return d.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketSent); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bucketSent); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Delete(keySynced)
	})
}
