package outbox

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// clock is an injectable Options.Now that tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func quietOptions(c *clock) Options {
	return Options{Now: c.Now, Logger: slog.New(slog.DiscardHandler)}
}

func openT(t *testing.T, path string, opts Options) *Outbox {
	t.Helper()
	o, err := Open(path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.Close() })
	return o
}

// records returns n distinct records of size bytes each, tagged so order can be checked.
func records(tag string, n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		r := bytes.Repeat([]byte{'.'}, size)
		copy(r, fmt.Sprintf("%s-%06d", tag, i))
		out[i] = r
	}
	return out
}

func pendingAll(t *testing.T, o *Outbox) []Batch {
	t.Helper()
	bs, err := o.Pending(context.Background(), 0, math.MaxInt)
	require.NoError(t, err)
	return bs
}

func seqsOf(bs []Batch) []uint64 {
	var out []uint64
	for _, b := range bs {
		out = append(out, b.Seq)
	}
	return out
}

func flatten(bs []Batch) [][]byte {
	var out [][]byte
	for _, b := range bs {
		out = append(out, b.Records...)
	}
	return out
}

func TestOptionsDefaultsAndValidation(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		want    Options
		wantErr string
	}{
		{name: "zero value", want: Options{MaxBytes: DefaultMaxBytes, MaxAge: DefaultMaxAge, BatchBytes: DefaultBatchBytes}},
		{name: "batch below minimum", opts: Options{BatchBytes: 1}, want: Options{MaxBytes: DefaultMaxBytes, MaxAge: DefaultMaxAge, BatchBytes: MinBatchBytes}},
		{name: "batch above maximum", opts: Options{BatchBytes: 1 << 30}, want: Options{MaxBytes: DefaultMaxBytes, MaxAge: DefaultMaxAge, BatchBytes: MaxBatchBytes}},
		{name: "explicit values kept", opts: Options{MaxBytes: 1 << 20, MaxAge: time.Hour, BatchBytes: 100 << 10}, want: Options{MaxBytes: 1 << 20, MaxAge: time.Hour, BatchBytes: 100 << 10}},
		{name: "negative MaxBytes", opts: Options{MaxBytes: -1}, wantErr: "Options.MaxBytes is -1"},
		{name: "MaxBytes below one batch", opts: Options{MaxBytes: 1000}, wantErr: "Options.MaxBytes is 1000, below one full batch"},
		{name: "negative MaxAge", opts: Options{MaxAge: -time.Second}, wantErr: "Options.MaxAge is -1s"},
		{name: "negative BatchBytes", opts: Options{BatchBytes: -5}, wantErr: "Options.BatchBytes is -5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.opts.withDefaults()
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				path := filepath.Join(t.TempDir(), "outbox.db")
				_, err := Open(path, tt.opts)
				require.ErrorContains(t, err, path)
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, got.Now)
			assert.NotNil(t, got.Logger)
			got.Now, got.Logger = nil, nil
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestOpenNewFile(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "outbox.db")
	o := openT(t, path, quietOptions(c))

	assert.Equal(t, uint64(c.Now().UnixNano()), o.Epoch())
	assert.Equal(t, path, o.Path())
	assert.Equal(t, Stats{}, o.Stats())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestOpenErrorsNamePath(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	require.NoError(t, os.WriteFile(garbage, bytes.Repeat([]byte("not a bbolt file "), 1000), 0o600))

	badEpoch := filepath.Join(dir, "bad-epoch.db")
	writeRaw(t, badEpoch, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		require.NoError(t, err)
		return b.Put(keyEpoch, []byte{1, 2, 3})
	})
	badSeq := filepath.Join(dir, "bad-seq.db")
	writeRaw(t, badSeq, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		require.NoError(t, err)
		return b.Put(keyLastSeq, []byte{1})
	})
	badAcked := filepath.Join(dir, "bad-acked.db")
	writeRaw(t, badAcked, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		require.NoError(t, err)
		return b.Put(keyAckedSeq, []byte{1})
	})
	badKey := filepath.Join(dir, "bad-key.db")
	writeRaw(t, badKey, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketBatches)
		require.NoError(t, err)
		return b.Put([]byte("short"), []byte{1})
	})
	badBatch := filepath.Join(dir, "bad-batch.db")
	writeRaw(t, badBatch, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketBatches)
		require.NoError(t, err)
		return b.Put(u64(4), []byte{9, 9, 9})
	})

	tests := []struct {
		name, path, want string
		corrupt          bool
	}{
		{name: "not a bbolt file", path: garbage, want: "invalid database"},
		{name: "missing directory", path: filepath.Join(dir, "no", "such", "dir", "outbox.db"), want: "no such file or directory"},
		{name: "epoch of wrong length", path: badEpoch, want: "meta epoch is 3 bytes, want 8", corrupt: true},
		{name: "last seq of wrong length", path: badSeq, want: "meta last_seq is 1 bytes", corrupt: true},
		{name: "acked seq of wrong length", path: badAcked, want: "meta acked_seq is 1 bytes", corrupt: true},
		{name: "malformed batch key", path: badKey, want: "malformed entry", corrupt: true},
		{name: "undecodable oldest batch", path: badBatch, want: "stored batch seq 4", corrupt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.path, quietOptions(newClock()))
			require.ErrorContains(t, err, tt.path)
			require.ErrorContains(t, err, tt.want)
			if tt.corrupt {
				require.ErrorIs(t, err, ErrCorrupt)
			}
		})
	}
}

func writeRaw(t *testing.T, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(fn))
	require.NoError(t, db.Close())
}

func TestOpenLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	openT(t, path, quietOptions(newClock()))
	start := time.Now()
	_, err := Open(path, quietOptions(newClock()))
	require.ErrorContains(t, err, path)
	require.ErrorContains(t, err, "locked by another process")
	assert.Less(t, time.Since(start), lockTimeout+5*time.Second)
}

func TestAppendGaplessAcrossCallsAndRestarts(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "outbox.db")
	opts := quietOptions(c)
	opts.BatchBytes = MinBatchBytes
	ctx := context.Background()

	o, err := Open(path, opts)
	require.NoError(t, err)
	epoch := o.Epoch()
	var want [][]byte
	for i := range 3 {
		recs := records(fmt.Sprintf("a%d", i), 100, 1000) // ~100 KB: two batches each
		n, err := o.Append(ctx, recs)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		want = append(want, recs...)
	}
	require.NoError(t, o.Ack(ctx, 2))
	before := o.Stats()
	require.NoError(t, o.Close())

	// A restart, later, with a clock that would give a different epoch: epoch, counter and
	// stats must all come back from the file.
	c.Add(time.Hour)
	o = openT(t, path, opts)
	assert.Equal(t, epoch, o.Epoch())
	assert.Equal(t, before.Depth, o.Stats().Depth)
	assert.Equal(t, before.Bytes, o.Stats().Bytes)
	assert.Equal(t, uint64(6), o.Stats().LastSeq)
	assert.Equal(t, uint64(2), o.Stats().AckedSeq)

	recs := records("b", 10, 1000)
	n, err := o.Append(ctx, recs)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	want = append(want, recs...)

	bs := pendingAll(t, o)
	assert.Equal(t, []uint64{3, 4, 5, 6, 7}, seqsOf(bs))
	assert.Equal(t, want[len(want)-len(flatten(bs)):], flatten(bs))
	for _, b := range bs {
		assert.Equal(t, epoch, b.Epoch)
		_, sum := encodeBatch(b)
		assert.Equal(t, sum, b.SHA256)
		assert.LessOrEqual(t, b.Size-headerSize(b), MinBatchBytes)
	}

	// Everything acked, then a restart: the counter must not fall back to the batches left.
	require.NoError(t, o.Ack(ctx, 7))
	require.NoError(t, o.Close())
	o = openT(t, path, opts)
	n, err = o.Append(ctx, records("c", 1, 10))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	assert.Equal(t, []uint64{8}, seqsOf(pendingAll(t, o)))
}

func TestAppendPacking(t *testing.T) {
	big := bytes.Repeat([]byte("B"), 500<<10)
	tests := []struct {
		name       string
		batchBytes int
		records    [][]byte
		want       []int // records per batch
	}{
		{name: "nothing", batchBytes: MinBatchBytes, want: nil},
		{name: "one small record", batchBytes: MinBatchBytes, records: records("r", 1, 10), want: []int{1}},
		{name: "fills 64 KiB batches", batchBytes: MinBatchBytes, records: records("r", 200, 1000), want: []int{65, 65, 65, 5}},
		{name: "fills 256 KiB batches", batchBytes: DefaultBatchBytes, records: records("r", 600, 1000), want: []int{261, 261, 78}},
		{name: "big record travels alone", batchBytes: MinBatchBytes,
			records: append(append(records("r", 2, 1000), big), records("s", 2, 1000)...), want: []int{2, 1, 2}},
		{name: "largest record", batchBytes: MaxBatchBytes, records: [][]byte{make([]byte, MaxRecordSize)}, want: []int{1}},
		{name: "record count limit", batchBytes: MaxBatchBytes, records: make([][]byte, MaxRecords+10), want: []int{MaxRecords, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := quietOptions(newClock())
			opts.BatchBytes = tt.batchBytes
			o := openT(t, filepath.Join(t.TempDir(), "outbox.db"), opts)
			n, err := o.Append(context.Background(), tt.records)
			require.NoError(t, err)
			require.Equal(t, len(tt.want), n)
			bs := pendingAll(t, o)
			var got []int
			var total int64
			for _, b := range bs {
				got = append(got, len(b.Records))
				total += int64(b.Size)
				if len(b.Records) > 1 {
					assert.LessOrEqual(t, recordsSectionSize(b.Records), tt.batchBytes)
				}
				assert.LessOrEqual(t, b.Size, MaxEncodedSize)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, len(tt.records), len(flatten(bs)))
			assert.Equal(t, total, o.Stats().Bytes)
		})
	}
}

func TestAppendOversizeRecord(t *testing.T) {
	o := openT(t, filepath.Join(t.TempDir(), "outbox.db"), quietOptions(newClock()))
	recs := records("r", 3, 100)
	recs[2] = make([]byte, MaxRecordSize+1)
	n, err := o.Append(context.Background(), recs)
	require.ErrorIs(t, err, ErrRecordTooLarge)
	assert.ErrorContains(t, err, "record 2 is 524289 bytes")
	assert.Zero(t, n)
	assert.Equal(t, Stats{}, o.Stats(), "nothing of a refused Append is written")
}

func TestCrashResendsSameBatches(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"close without ack", "file copied while open"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "outbox.db")
			opts := quietOptions(newClock())
			opts.BatchBytes = MinBatchBytes
			o, err := Open(path, opts)
			require.NoError(t, err)
			_, err = o.Append(ctx, records("r", 300, 1000))
			require.NoError(t, err)
			sent, err := o.Pending(ctx, 0, 8) // in flight when the agent dies
			require.NoError(t, err)
			require.NoError(t, o.Ack(ctx, 1))

			reopen := path
			if how == "file copied while open" {
				// The file as a power cut would leave it: every committed transaction is
				// fsynced, and nothing closed it.
				data, err := os.ReadFile(path)
				require.NoError(t, err)
				reopen = filepath.Join(dir, "crashed.db")
				require.NoError(t, os.WriteFile(reopen, data, 0o600))
			}
			require.NoError(t, o.Close())

			o = openT(t, reopen, opts)
			resent, err := o.Pending(ctx, 1, 8)
			require.NoError(t, err)
			require.Equal(t, seqsOf(sent[1:]), seqsOf(resent))
			for i, b := range resent {
				want := sent[i+1]
				assert.Equal(t, want.Epoch, b.Epoch)
				assert.Equal(t, want.SHA256, b.SHA256, "seq %d", b.Seq)
				assert.Equal(t, want.Records, b.Records)
				assert.True(t, want.Created.Equal(b.Created))
				assert.Equal(t, EncodeBatch(want), EncodeBatch(b), "the same bytes go on the wire")
			}
		})
	}
}

func TestPendingOrderAfterAndLimit(t *testing.T) {
	ctx := context.Background()
	opts := quietOptions(newClock())
	opts.BatchBytes = MinBatchBytes
	o := openT(t, filepath.Join(t.TempDir(), "outbox.db"), opts)
	for i := range 10 {
		_, err := o.Append(ctx, records(fmt.Sprint(i), 10, 1000))
		require.NoError(t, err)
	}
	tests := []struct {
		name     string
		ackFirst uint64
		after    uint64
		limit    int
		want     []uint64
	}{
		{name: "from the start", after: 0, limit: 3, want: []uint64{1, 2, 3}},
		{name: "after a seq", after: 4, limit: 100, want: []uint64{5, 6, 7, 8, 9, 10}},
		{name: "window in the middle", after: 6, limit: 2, want: []uint64{7, 8}},
		{name: "after the last", after: 10, limit: 8, want: nil},
		{name: "after the largest seq", after: math.MaxUint64, limit: 8, want: nil},
		{name: "acked batches are gone", ackFirst: 5, after: 0, limit: 2, want: []uint64{6, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ackFirst > 0 {
				require.NoError(t, o.Ack(ctx, tt.ackFirst))
			}
			bs, err := o.Pending(ctx, tt.after, tt.limit)
			require.NoError(t, err)
			assert.Equal(t, tt.want, seqsOf(bs))
			for _, b := range bs {
				assert.Equal(t, []byte(fmt.Sprintf("%d-000000", b.Seq-1)), b.Records[0][:8])
			}
		})
	}
	_, err := o.Pending(ctx, 0, 0)
	require.ErrorContains(t, err, "limit is 0")
}

func TestAckCumulativeAndIdempotent(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	opts := quietOptions(c)
	opts.BatchBytes = MinBatchBytes
	path := filepath.Join(t.TempDir(), "outbox.db")
	o := openT(t, path, opts)
	require.NoError(t, o.Ack(ctx, 0), "acking nothing on an empty outbox")
	sizes := map[uint64]int64{}
	for i := range 10 {
		c.Add(time.Minute)
		_, err := o.Append(ctx, records(fmt.Sprint(i), 10, 1000))
		require.NoError(t, err)
		sizes[uint64(i+1)] = int64(o.Stats().Bytes) - sumBelow(sizes, uint64(i+1))
	}
	tests := []struct {
		ack       uint64
		wantDepth int
		wantAcked uint64
		wantErr   error
	}{
		{ack: 3, wantDepth: 7, wantAcked: 3},
		{ack: 3, wantDepth: 7, wantAcked: 3},
		{ack: 1, wantDepth: 7, wantAcked: 3},
		{ack: 11, wantDepth: 7, wantAcked: 3, wantErr: ErrAckAhead},
		{ack: 9, wantDepth: 1, wantAcked: 9},
		{ack: 10, wantDepth: 0, wantAcked: 10},
		{ack: 10, wantDepth: 0, wantAcked: 10},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("ack ", tt.ack), func(t *testing.T) {
			err := o.Ack(ctx, tt.ack)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.ErrorContains(t, err, "ack of seq 11, last written seq is 10")
			} else {
				require.NoError(t, err)
			}
			st := o.Stats()
			assert.Equal(t, tt.wantDepth, st.Depth)
			assert.Equal(t, tt.wantAcked, st.AckedSeq)
			assert.Equal(t, uint64(10), st.LastSeq)
			assert.Equal(t, sumAbove(sizes, tt.wantAcked), st.Bytes)
			if st.Depth > 0 {
				// The oldest left is seq acked+1, appended (acked+1) minutes after the start.
				assert.Equal(t, time.Duration(10-tt.wantAcked-1)*time.Minute, st.OldestAge)
			} else {
				assert.Zero(t, st.OldestAge)
			}
		})
	}
	require.NoError(t, o.Close())
	o = openT(t, path, opts)
	assert.Equal(t, Stats{LastSeq: 10, AckedSeq: 10}, o.Stats())
}

func sumBelow(sizes map[uint64]int64, seq uint64) int64 {
	var n int64
	for s, v := range sizes {
		if s < seq {
			n += v
		}
	}
	return n
}

func sumAbove(sizes map[uint64]int64, seq uint64) int64 {
	var n int64
	for s, v := range sizes {
		if s > seq {
			n += v
		}
	}
	return n
}

func TestMaxBytesFull(t *testing.T) {
	ctx := context.Background()
	opts := quietOptions(newClock())
	opts.BatchBytes = MinBatchBytes
	opts.MaxBytes = MaxEncodedSize + 100<<10 // room for about 9 batches of 64 KiB
	o := openT(t, filepath.Join(t.TempDir(), "outbox.db"), opts)

	n, err := o.Append(ctx, records("a", 520, 1000)) // 8 batches
	require.NoError(t, err)
	require.Equal(t, 8, n)
	before := o.Stats()

	n, err = o.Append(ctx, records("b", 130, 1000)) // 2 more do not fit
	require.ErrorIs(t, err, ErrFull)
	assert.ErrorContains(t, err, fmt.Sprintf("holding %d bytes in 8 batches", before.Bytes))
	assert.Zero(t, n)
	assert.Equal(t, before, o.Stats(), "a refused Append writes nothing")
	assert.Len(t, pendingAll(t, o), 8)

	require.NoError(t, o.Ack(ctx, 2))
	n, err = o.Append(ctx, records("b", 130, 1000))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, uint64(10), o.Stats().LastSeq)
	assert.LessOrEqual(t, o.Stats().Bytes, opts.MaxBytes)
}

func TestPruneByAge(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	var logs bytes.Buffer
	opts := Options{Now: c.Now, MaxAge: 7 * 24 * time.Hour, BatchBytes: MinBatchBytes,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	path := filepath.Join(t.TempDir(), "outbox.db")
	o := openT(t, path, opts)

	dropped, err := o.Prune(ctx)
	require.NoError(t, err)
	assert.Zero(t, dropped, "empty outbox")

	for range 4 { // seqs 1-4, a day apart
		_, err := o.Append(ctx, records("r", 10, 1000))
		require.NoError(t, err)
		c.Add(24 * time.Hour)
	}
	// Now: day 4. Nothing is older than 7 days.
	dropped, err = o.Prune(ctx)
	require.NoError(t, err)
	assert.Zero(t, dropped)
	assert.Equal(t, 4*24*time.Hour, o.Stats().OldestAge)

	c.Add(4*24*time.Hour + time.Hour) // day 8 + 1h: seqs 1 and 2 are older than 7 days
	dropped, err = o.Prune(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, dropped)
	st := o.Stats()
	assert.Equal(t, 2, st.Depth)
	assert.Equal(t, 6*24*time.Hour+time.Hour, st.OldestAge)
	assert.Equal(t, uint64(0), st.AckedSeq, "dropped is not acked")
	assert.Equal(t, []uint64{3, 4}, seqsOf(pendingAll(t, o)))
	assert.Contains(t, logs.String(), "batches=2")
	assert.Contains(t, logs.String(), "first_seq=1 last_seq=2")

	// A late ack for dropped seqs is harmless; the counter still continues.
	require.NoError(t, o.Ack(ctx, 2))
	require.NoError(t, o.Close())
	o = openT(t, path, opts)
	assert.Equal(t, 2, o.Stats().Depth)
	assert.Equal(t, 6*24*time.Hour+time.Hour, o.Stats().OldestAge, "oldest rebuilt on open")

	c.Add(30 * 24 * time.Hour)
	dropped, err = o.Prune(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, dropped)
	assert.Equal(t, Stats{LastSeq: 4, AckedSeq: 2}, o.Stats())
}

func TestPruneDropsOnlyAPrefix(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	opts := quietOptions(c)
	opts.MaxAge = 24 * time.Hour
	o := openT(t, filepath.Join(t.TempDir(), "outbox.db"), opts)

	c.Add(10 * 24 * time.Hour)
	_, err := o.Append(ctx, records("young", 1, 10)) // seq 1, day 10
	require.NoError(t, err)
	c.Add(-10 * 24 * time.Hour)                   // the clock jumps back
	_, err = o.Append(ctx, records("old", 1, 10)) // seq 2, day 0
	require.NoError(t, err)

	c.Add(5 * 24 * time.Hour) // day 5: seq 2 is expired, seq 1 is not
	dropped, err := o.Prune(ctx)
	require.NoError(t, err)
	assert.Zero(t, dropped, "dropping seq 2 alone would leave a hole the controller cannot skip")
	assert.Equal(t, []uint64{1, 2}, seqsOf(pendingAll(t, o)))
}

func TestCorruptStoredBatchIsReportedWithItsSeq(t *testing.T) {
	ctx := context.Background()
	opts := quietOptions(newClock())
	opts.BatchBytes = MinBatchBytes
	o := openT(t, filepath.Join(t.TempDir(), "outbox.db"), opts)
	_, err := o.Append(ctx, records("r", 200, 1000))
	require.NoError(t, err)
	require.NoError(t, o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBatches)
		v := bytes.Clone(b.Get(u64(2)))
		v[len(v)-1] ^= 1
		if err := b.Put(u64(2), v); err != nil {
			return err
		}
		return b.Put(u64(3), []byte{7})
	}))

	_, err = o.Pending(ctx, 0, 8)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorContains(t, err, "stored batch seq 2")
	assert.ErrorContains(t, err, "batch seq 2: sha256 mismatch")

	err = o.Ack(ctx, 2)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorContains(t, err, "stored batch seq 3", "ack reads the new oldest batch")

	o.opts.MaxAge = time.Nanosecond
	o.opts.Now = func() time.Time { return time.Now().Add(time.Hour) }
	_, err = o.Prune(ctx)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorContains(t, err, "stored batch seq 3")
}

func TestClosedAndCancelled(t *testing.T) {
	o, err := Open(filepath.Join(t.TempDir(), "outbox.db"), quietOptions(newClock()))
	require.NoError(t, err)
	_, err = o.Append(context.Background(), records("r", 1, 10))
	require.NoError(t, err)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = o.Append(cancelled, records("r", 1, 10))
	require.ErrorIs(t, err, context.Canceled)
	_, err = o.Pending(cancelled, 0, 1)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, o.Ack(cancelled, 1), context.Canceled)
	_, err = o.Prune(cancelled)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, o.Stats().Depth)

	require.NoError(t, o.Close())
	require.NoError(t, o.Close(), "closing twice")
	ctx := context.Background()
	_, err = o.Append(ctx, records("r", 1, 10))
	require.ErrorIs(t, err, ErrClosed)
	_, err = o.Pending(ctx, 0, 1)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, o.Ack(ctx, 1), ErrClosed)
	_, err = o.Prune(ctx)
	require.ErrorIs(t, err, ErrClosed)
	assert.Equal(t, ErrClosed, mapClosed(o.db.View(func(*bolt.Tx) error { return nil })))
}

// TestConcurrentProducerAndSender runs the agent's real pattern under -race: one goroutine
// appends, one streams with a window of in-flight batches and acks, a third reads Stats. Every
// record must arrive exactly once and in order.
func TestConcurrentProducerAndSender(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := Options{BatchBytes: MinBatchBytes, Logger: slog.New(slog.DiscardHandler)}
	o := openT(t, filepath.Join(t.TempDir(), "outbox.db"), opts)

	const appends = 60
	var want [][]byte
	for i := range appends {
		want = append(want, records(fmt.Sprint("p", i), 10+i%50, 200+i*37%3000)...)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var producerErr error
	wg.Go(func() {
		defer close(done)
		off := 0
		for i := range appends {
			n := 10 + i%50
			if _, err := o.Append(ctx, want[off:off+n]); err != nil {
				producerErr = err
				return
			}
			off += n
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				st := o.Stats()
				if st.Depth < 0 || st.Bytes < 0 || st.AckedSeq > st.LastSeq {
					panic(fmt.Sprintf("inconsistent stats %+v", st))
				}
			}
		}
	})

	var got [][]byte
	var sent, acked uint64
	for {
		window, err := o.Pending(ctx, sent, 8-int(sent-acked))
		require.NoError(t, err)
		for _, b := range window {
			require.Equal(t, sent+1, b.Seq, "gapless")
			sent = b.Seq
			got = append(got, b.Records...)
		}
		if sent > acked {
			acked = sent - (sent-acked)/2 // ack part of the window, like acks trickling in
			require.NoError(t, o.Ack(ctx, acked))
		}
		if len(window) == 0 {
			select {
			case <-done:
			default:
				continue
			}
			if sent == o.Stats().LastSeq {
				break
			}
		}
	}
	require.NoError(t, o.Ack(ctx, sent))
	wg.Wait()
	require.NoError(t, producerErr)
	assert.Equal(t, want, got)
	st := o.Stats()
	assert.Equal(t, Stats{LastSeq: sent, AckedSeq: sent}, st)
}
