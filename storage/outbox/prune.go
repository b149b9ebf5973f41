package outbox

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Prune drops batches older than Options.MaxAge and returns how many it dropped. It is the only
// way the outbox ever drops unacked data: the caller must count the result as lost in its
// metrics. Call it periodically and when Append returns ErrFull.
//
// Only a prefix of the queue is dropped: Prune stops at the first batch that is young enough,
// even if a later one is older (the clock went back). What remains is then still one contiguous
// seq range, so the controller, whose high-water mark now sits below the first remaining seq,
// sees a single gap; the sender detects it (the first Pending seq is above hwm+1) and must tell
// the controller those seqs were lost, or they would be refused forever.
func (o *Outbox) Prune(ctx context.Context) (dropped int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("outbox: prune: %w", err)
	}
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	st, err := o.snapshot()
	if err != nil {
		return 0, fmt.Errorf("outbox: prune: %w", err)
	}
	cutoff := o.opts.Now().Add(-o.opts.MaxAge)
	// The in-memory oldest time lets the common case, nothing expired, skip the write
	// transaction and its fsync.
	if st.depth == 0 || !st.oldest.Before(cutoff) {
		return 0, nil
	}
	var r removal
	err = o.db.Update(func(tx *bolt.Tx) error {
		var err error
		r, err = removePrefix(tx, func(k, v []byte) (bool, error) {
			h, err := decodeHeader(v)
			if err != nil {
				return false, fmt.Errorf("stored batch seq %d: %w", seqOf(k), err)
			}
			return h.created.Before(cutoff), nil
		})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("outbox: prune: %w", mapClosed(err))
	}
	o.mu.Lock()
	o.state.apply(r)
	o.mu.Unlock()
	if r.count > 0 {
		o.opts.Logger.Warn("outbox dropped unacked batches older than max age",
			"path", o.path, "epoch", o.epoch, "batches", r.count, "bytes", r.bytes,
			"first_seq", r.first, "last_seq", r.last, "max_age", o.opts.MaxAge)
	}
	return r.count, nil
}

// removal is what removePrefix took out, for updating the in-memory state.
type removal struct {
	count       int
	bytes       int64
	first, last uint64    // seq range removed, when count > 0
	oldest      time.Time // created time of the new lowest batch; zero when none is left
}

func (s *state) apply(r removal) {
	s.depth -= r.count
	s.bytes -= r.bytes
	s.oldest = r.oldest
}

// removePrefix deletes batches from the lowest seq up while remove says so, and reads the
// creation time of the first batch it keeps. Ack and Prune both use it, which is what keeps the
// queue one contiguous seq range.
func removePrefix(tx *bolt.Tx, remove func(k, v []byte) (bool, error)) (removal, error) {
	var r removal
	c := tx.Bucket(bucketBatches).Cursor()
	// Re-seek with First after each Delete: Next after Cursor.Delete can skip an entry.
	k, v := c.First()
	for ; k != nil; k, v = c.First() {
		ok, err := remove(k, v)
		if err != nil {
			return r, err
		}
		if !ok {
			break
		}
		if r.count == 0 {
			r.first = seqOf(k)
		}
		r.last = seqOf(k)
		r.count++
		r.bytes += int64(len(v))
		if err := c.Delete(); err != nil {
			return r, fmt.Errorf("delete batch seq %d: %w", seqOf(k), err)
		}
	}
	if k != nil {
		h, err := decodeHeader(v)
		if err != nil {
			return r, fmt.Errorf("stored batch seq %d: %w", seqOf(k), err)
		}
		r.oldest = h.created
	}
	return r, nil
}
