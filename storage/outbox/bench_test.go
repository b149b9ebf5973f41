package outbox

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
)

// BenchmarkAppendAck measures the agent's steady state: scan records of ~1 KB appended as one
// batch per call, then acked, each step a fsynced bbolt transaction. "pending" adds the sender's
// read of the batch it uploads.
func BenchmarkAppendAck(b *testing.B) {
	for _, bc := range []struct {
		name        string
		batchBytes  int
		withPending bool
	}{
		{name: "64KiB", batchBytes: MinBatchBytes},
		{name: "256KiB", batchBytes: DefaultBatchBytes},
		{name: "256KiB/pending", batchBytes: DefaultBatchBytes, withPending: true},
		{name: "512KiB", batchBytes: MaxBatchBytes},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			o, err := Open(filepath.Join(b.TempDir(), "outbox.db"),
				Options{BatchBytes: bc.batchBytes, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			defer o.Close()
			// As many 1000-byte records as fill one batch.
			recs := records("bench", (bc.batchBytes-8)/1002, 1000)
			var bytes, batches int64
			for b.Loop() {
				n, err := o.Append(ctx, recs)
				if err != nil {
					b.Fatal(err)
				}
				last := o.Stats().LastSeq
				if bc.withPending {
					if _, err := o.Pending(ctx, last-uint64(n), n); err != nil {
						b.Fatal(err)
					}
				}
				if err := o.Ack(ctx, last); err != nil {
					b.Fatal(err)
				}
				bytes += int64(len(recs) * 1000)
				batches += int64(n)
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(bytes)/1e6/secs, "MB/s")
			b.ReportMetric(float64(batches)/secs, "batches/s")
			b.ReportMetric(float64(batches)/float64(b.N), "batches/op")
		})
	}
}
