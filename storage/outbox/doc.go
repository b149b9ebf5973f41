// Package outbox is the agent's durable queue of upload batches, kept in a bbolt file.
//
// The agent turns scan results into records, Append packs them into batches of 64-512 KiB and
// gives every batch the next sequence number of the agent's boot epoch. The uploader reads
// batches with Pending, streams them to the controller (4-8 in flight), and calls Ack only after
// the controller has acked them, which it does after raft commit. A batch leaves the file only
// through Ack, or through Prune when it has outlived MaxAge: nothing is lost while the
// controller is away, and a crash between send and ack resends the very same bytes.
//
// The controller dedupes by (agent_id, boot_epoch, seq) with a gapless high-water mark: it
// applies seq == hwm+1, acks seq <= hwm as a duplicate and refuses seq > hwm+1. That is why the
// outbox guarantees:
//
//   - seqs are gapless and start at 1 within an epoch;
//   - the epoch and the seq counter survive Close/Open, so a restarted agent continues its
//     sequence instead of reusing seqs the controller has already applied;
//   - a new file gets a new epoch, so an agent whose disk was wiped starts at seq 1 without its
//     batches being mistaken for duplicates;
//   - a batch is written in one bbolt transaction together with the seq counter, so a crash
//     never leaves a half batch or a burned seq;
//   - Ack is cumulative and Prune drops only a prefix of the queue, so what remains is always
//     one contiguous seq range.
//
// EncodeBatch and DecodeBatch define the byte format used both on disk and on the wire;
// DecodeBatch is safe on hostile input because the controller runs it on uploads.
//
// An Outbox is safe for concurrent use by one producer (Append) and one sender (Pending, Ack);
// Prune and Stats may be called from either or from a third goroutine.
package outbox
