package outbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors returned by the outbox, wrapped with the details of the call. Test with errors.Is.
var (
	// ErrFull means Append would take the outbox past MaxBytes. Nothing of that Append was
	// written: the caller keeps its records and retries after acks or Prune free space.
	ErrFull = errors.New("outbox: full")
	// ErrRecordTooLarge means a record exceeds MaxRecordSize. Nothing of that Append was
	// written.
	ErrRecordTooLarge = errors.New("outbox: record too large")
	// ErrAckAhead means an ack named a seq this outbox has not written yet: the controller and
	// the agent disagree about the sequence, which must never be papered over.
	ErrAckAhead = errors.New("outbox: ack beyond last written seq")
	// ErrClosed means the outbox was used after Close.
	ErrClosed = errors.New("outbox: closed")
	// ErrCorrupt is wrapped by every DecodeBatch error and by errors about the file's own
	// contents: the bytes are not a valid batch, whether damaged on disk, cut short on the wire
	// or forged.
	ErrCorrupt = errors.New("outbox: corrupt")
)

// Defaults and bounds of Options.
const (
	DefaultMaxBytes   = 256 << 20
	DefaultMaxAge     = 7 * 24 * time.Hour
	DefaultBatchBytes = 256 << 10
	// MinBatchBytes and MaxBatchBytes bound the batch target. Below 64 KiB the per-batch cost
	// (an fsync here, a raft round trip at the controller) dominates; above 512 KiB a batch
	// holds a raft entry and an upload message long enough to stall others behind it.
	MinBatchBytes = 64 << 10
	MaxBatchBytes = 512 << 10
)

// lockTimeout bounds the wait for bbolt's file lock, so a second agent pointed at the same file
// fails at start with a clear error instead of hanging forever.
const lockTimeout = 2 * time.Second

var (
	bucketMeta    = []byte("meta")
	bucketBatches = []byte("batches")
	keyEpoch      = []byte("epoch")
	keyLastSeq    = []byte("last_seq")
	keyAckedSeq   = []byte("acked_seq")
)

// Options configures an Outbox. The zero value gives the defaults.
type Options struct {
	// MaxBytes bounds the encoded bytes held (0: 256 MiB). It counts batch bytes, not bbolt's
	// page overhead, so the file can be somewhat larger. It must hold at least one full batch.
	MaxBytes int64
	// MaxAge is how long an unacked batch is kept before Prune drops it (0: 7 days).
	MaxAge time.Duration
	// BatchBytes is the target encoded size of a batch (0: 256 KiB), clamped to 64-512 KiB.
	BatchBytes int
	// Now is the clock for creation times, ages and a new file's epoch (nil: time.Now).
	// Tests inject it to age batches without sleeping.
	Now func() time.Time
	// Logger receives open and prune events (nil: slog.Default()).
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.MaxBytes < 0:
		return o, fmt.Errorf("Options.MaxBytes is %d, must not be negative", o.MaxBytes)
	case o.MaxBytes == 0:
		o.MaxBytes = DefaultMaxBytes
	case o.MaxBytes < MaxEncodedSize:
		return o, fmt.Errorf("Options.MaxBytes is %d, below one full batch of %d bytes", o.MaxBytes, MaxEncodedSize)
	}
	switch {
	case o.MaxAge < 0:
		return o, fmt.Errorf("Options.MaxAge is %s, must not be negative", o.MaxAge)
	case o.MaxAge == 0:
		o.MaxAge = DefaultMaxAge
	}
	switch {
	case o.BatchBytes < 0:
		return o, fmt.Errorf("Options.BatchBytes is %d, must not be negative", o.BatchBytes)
	case o.BatchBytes == 0:
		o.BatchBytes = DefaultBatchBytes
	default:
		o.BatchBytes = min(max(o.BatchBytes, MinBatchBytes), MaxBatchBytes)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

// Stats is a snapshot of the queue, kept in memory so metrics can read it on every scrape.
type Stats struct {
	// Depth is the number of unacked batches.
	Depth int
	// Bytes is their encoded size.
	Bytes int64
	// OldestAge is the age of the oldest unacked batch, 0 when empty.
	OldestAge time.Duration
	// LastSeq is the seq of the last batch written in this epoch, 0 before the first.
	LastSeq uint64
	// AckedSeq is the highest seq the controller has acked.
	AckedSeq uint64
}

// Outbox is a durable queue of batches in one bbolt file. See the package documentation.
type Outbox struct {
	db    *bolt.DB
	path  string
	opts  Options
	epoch uint64

	// writeMu serializes Append, Ack and Prune so that the in-memory state is updated in the
	// order the transactions committed; bbolt serializes the transactions themselves.
	writeMu sync.Mutex

	mu     sync.Mutex // guards the fields below; never held across disk I/O
	state  state
	closed bool
}

// state mirrors what is on disk, so Stats never opens a transaction.
type state struct {
	depth    int
	bytes    int64
	oldest   time.Time // created time of the lowest pending batch
	lastSeq  uint64
	ackedSeq uint64
}

// Open opens or creates the outbox file at path (mode 0600). A new file gets a fresh epoch, the
// unix nanoseconds of Options.Now; an existing file keeps its epoch and seq counter, because the
// controller has already applied seqs of that epoch and must see the sequence continue. A file
// that is locked, unreadable or not an outbox gives an error naming path.
func Open(path string, opts Options) (ob *Outbox, err error) {
	opts, err = opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	var db *bolt.DB
	// bbolt reports some kinds of on-disk damage by panicking; the agent must get an error it
	// can log and act on (move the file aside) rather than crash at every start.
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				_ = db.Close()
			}
			ob, err = nil, fmt.Errorf("outbox: open %s: %w: unreadable file: %v", path, ErrCorrupt, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{
		Timeout: lockTimeout,
		// Ack and Prune free pages from the front of the file while Append allocates at the
		// back; the hashmap freelist keeps that cheap as the file grows (etcd's choice too).
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("outbox: open %s: still locked by another process after %s: %w", path, lockTimeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	o := &Outbox{db: db, path: path, opts: opts}
	if err := db.Update(o.load); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	opts.Logger.Info("outbox opened", "path", path, "epoch", o.epoch, "depth", o.state.depth,
		"bytes", o.state.bytes, "last_seq", o.state.lastSeq, "acked_seq", o.state.ackedSeq)
	return o, nil
}

// load creates the buckets, reads or creates the epoch and rebuilds the in-memory state.
func (o *Outbox) load(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return fmt.Errorf("create meta bucket: %w", err)
	}
	batches, err := tx.CreateBucketIfNotExists(bucketBatches)
	if err != nil {
		return fmt.Errorf("create batches bucket: %w", err)
	}
	if v := meta.Get(keyEpoch); v == nil {
		o.epoch = uint64(max(o.opts.Now().UnixNano(), 1))
		if err := meta.Put(keyEpoch, u64(o.epoch)); err != nil {
			return fmt.Errorf("store epoch: %w", err)
		}
	} else if o.epoch, err = metaU64(meta, keyEpoch); err != nil {
		return err
	}
	if o.state.lastSeq, err = metaU64(meta, keyLastSeq); err != nil {
		return err
	}
	if o.state.ackedSeq, err = metaU64(meta, keyAckedSeq); err != nil {
		return err
	}
	c := batches.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 || len(v) == 0 {
			return fmt.Errorf("%w: batch key %x: malformed entry", ErrCorrupt, k)
		}
		if o.state.depth == 0 {
			h, err := decodeHeader(v)
			if err != nil {
				return fmt.Errorf("stored batch seq %d: %w", binary.BigEndian.Uint64(k), err)
			}
			o.state.oldest = h.created
		}
		o.state.depth++
		o.state.bytes += int64(len(v))
		// The counter and the batch are written in one transaction, so this only matters for
		// a file damaged by hand; a reused seq would be taken for a duplicate and lost.
		o.state.lastSeq = max(o.state.lastSeq, binary.BigEndian.Uint64(k))
	}
	return nil
}

// Epoch returns the boot epoch: the controller keys its high-water mark by it.
func (o *Outbox) Epoch() uint64 { return o.epoch }

// Path returns the file the outbox lives in.
func (o *Outbox) Path() string { return o.path }

// Stats returns a snapshot of the queue without touching the disk.
func (o *Outbox) Stats() Stats {
	now := o.opts.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	s := Stats{Depth: o.state.depth, Bytes: o.state.bytes, LastSeq: o.state.lastSeq, AckedSeq: o.state.ackedSeq}
	if s.Depth > 0 && !o.state.oldest.IsZero() {
		s.OldestAge = max(now.Sub(o.state.oldest), 0)
	}
	return s
}

// Close waits for a running Append, Ack or Prune, then closes the file. Unacked batches stay on
// disk for the next Open. Closing twice is a no-op.
func (o *Outbox) Close() error {
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	o.mu.Unlock()
	if err := o.db.Close(); err != nil {
		return fmt.Errorf("outbox: close %s: %w", o.path, err)
	}
	return nil
}

// snapshot returns the in-memory state, or ErrClosed.
func (o *Outbox) snapshot() (state, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return state{}, ErrClosed
	}
	return o.state, nil
}

// mapClosed turns bbolt's error for a closed database into ErrClosed, for a read that raced
// with Close.
func mapClosed(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func metaU64(meta *bolt.Bucket, key []byte) (uint64, error) {
	v := meta.Get(key)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: meta %s is %d bytes, want 8", ErrCorrupt, key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}
