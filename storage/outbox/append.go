package outbox

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Append packs records, in order, into batches of about Options.BatchBytes and writes each batch
// in its own bbolt transaction together with the seq counter, so a crash leaves whole batches
// and no burned seq. It returns the number of batches written.
//
// Everything that can be known in advance is checked before the first write, so these errors
// leave nothing behind and the caller can keep and retry its records: a record over
// MaxRecordSize (ErrRecordTooLarge, naming the record's index and size), MaxBytes exceeded
// (ErrFull: the outbox never drops data to make room), a cancelled ctx. Only a disk error can
// stop Append part way; the returned count then says how many batches are durable. Because
// admission is all or nothing, one Append must stay well below MaxBytes: the agent appends per
// chunk of scan results, not a whole scan at once.
func (o *Outbox) Append(ctx context.Context, records [][]byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("outbox: append: %w", err)
	}
	for i, r := range records {
		if len(r) > MaxRecordSize {
			return 0, fmt.Errorf("outbox: append: record %d is %d bytes, limit %d: %w", i, len(r), MaxRecordSize, ErrRecordTooLarge)
		}
	}
	groups := pack(records, o.opts.BatchBytes)
	if len(groups) == 0 {
		return 0, nil
	}

	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	st, err := o.snapshot()
	if err != nil {
		return 0, fmt.Errorf("outbox: append: %w", err)
	}
	now := o.opts.Now()
	batches := make([]Batch, len(groups))
	var need int64
	for i, g := range groups {
		batches[i] = Batch{Epoch: o.epoch, Seq: st.lastSeq + 1 + uint64(i), Records: g, Created: now}
		need += int64(headerSize(batches[i]) + recordsSectionSize(g))
	}
	if st.bytes+need > o.opts.MaxBytes {
		return 0, fmt.Errorf("outbox: append %d records: %w: holding %d bytes in %d batches, %d more needed, MaxBytes %d",
			len(records), ErrFull, st.bytes, st.depth, need, o.opts.MaxBytes)
	}

	for i := range batches {
		b := &batches[i]
		data, _ := encodeBatch(*b)
		err := o.db.Update(func(tx *bolt.Tx) error {
			if err := tx.Bucket(bucketBatches).Put(u64(b.Seq), data); err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(keyLastSeq, u64(b.Seq))
		})
		if err != nil {
			return i, fmt.Errorf("outbox: append batch seq %d: %w", b.Seq, mapClosed(err))
		}
		o.mu.Lock()
		if o.state.depth == 0 {
			o.state.oldest = b.Created
		}
		o.state.depth++
		o.state.bytes += int64(len(data))
		o.state.lastSeq = b.Seq
		o.mu.Unlock()
	}
	return len(batches), nil
}

// pack splits records into consecutive groups whose records section stays within target bytes
// and MaxRecords records. A record bigger than target travels alone. The groups alias records.
func pack(records [][]byte, target int) [][][]byte {
	var groups [][][]byte
	start, size := 0, 0 // size: the group's length-prefixed records, without the count
	for i, r := range records {
		rs := uvarintLen(uint64(len(r))) + len(r)
		if n := i - start; n > 0 && (n == MaxRecords || size+rs+uvarintLen(uint64(n+1)) > target) {
			groups = append(groups, records[start:i:i])
			start, size = i, 0
		}
		size += rs
	}
	if start < len(records) {
		groups = append(groups, records[start:])
	}
	return groups
}

// seqOf reads a batch's key: big-endian, so bbolt's byte order is seq order.
func seqOf(k []byte) uint64 { return binary.BigEndian.Uint64(k) }
