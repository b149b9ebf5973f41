package outbox

import (
	"bytes"
	"context"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"
)

// Pending returns up to limit unacked batches with seq > afterSeq, in seq order. After a
// reconnect the sender calls it with the controller's high-water mark to resend from the lowest
// unacked seq; while streaming it calls it with the last seq sent to keep 4-8 batches in
// flight. Each stored batch is verified (DecodeBatch) so damage on disk is reported here, with
// its seq, rather than refused by the controller. The returned batches own their memory.
func (o *Outbox) Pending(ctx context.Context, afterSeq uint64, limit int) ([]Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("outbox: pending: %w", err)
	}
	if limit <= 0 {
		return nil, fmt.Errorf("outbox: pending: limit is %d, must be positive", limit)
	}
	if _, err := o.snapshot(); err != nil {
		return nil, fmt.Errorf("outbox: pending: %w", err)
	}
	if afterSeq == math.MaxUint64 {
		return nil, nil
	}
	var out []Batch
	err := o.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketBatches).Cursor()
		for k, v := c.Seek(u64(afterSeq + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			// bbolt's values live in the mmap only for the transaction; the copy is also what
			// the decoded records alias.
			b, err := DecodeBatch(bytes.Clone(v))
			if err != nil {
				return fmt.Errorf("stored batch seq %d: %w", seqOf(k), err)
			}
			out = append(out, b)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: pending after seq %d: %w", afterSeq, mapClosed(err))
	}
	return out, nil
}

// Ack records that the controller has committed every batch up to and including seq, and
// removes them in one transaction. Acks are cumulative because the controller applies in seq
// order: an ack for seq implies all before it. Repeating an ack, or acking an older seq, is a
// no-op, since acks for resent duplicates arrive late and out of order. Acking a seq never
// written is ErrAckAhead.
func (o *Outbox) Ack(ctx context.Context, seq uint64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("outbox: ack seq %d: %w", seq, err)
	}
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	st, err := o.snapshot()
	if err != nil {
		return fmt.Errorf("outbox: ack seq %d: %w", seq, err)
	}
	if seq > st.lastSeq {
		return fmt.Errorf("%w: ack of seq %d, last written seq is %d (epoch %d)", ErrAckAhead, seq, st.lastSeq, o.epoch)
	}
	if seq <= st.ackedSeq {
		return nil
	}
	var r removal
	err = o.db.Update(func(tx *bolt.Tx) error {
		var err error
		r, err = removePrefix(tx, func(k, _ []byte) (bool, error) { return seqOf(k) <= seq, nil })
		if err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyAckedSeq, u64(seq))
	})
	if err != nil {
		return fmt.Errorf("outbox: ack seq %d: %w", seq, mapClosed(err))
	}
	o.mu.Lock()
	o.state.apply(r)
	o.state.ackedSeq = seq
	o.mu.Unlock()
	return nil
}
