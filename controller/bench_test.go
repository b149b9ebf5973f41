package controller_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/outbox"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Ingest shape: each simulated agent uploads its own gapless batches of
// benchBatchFindings findings (~200 KB), benchInFlight at a time, as the
// agent's uploader does.
const (
	benchAgents        = 8
	benchInFlight      = 4
	benchBatchFindings = 250
	benchBatches       = 25 // per agent per iteration
	benchFindingPad    = 600
)

// BenchmarkIngest3Nodes drives AgentService.Upload on the leader of a
// three-node cluster from several enrolled agents and reports findings
// committed per second and the upload latency from send to the ack sent
// after raft commit.
func BenchmarkIngest3Nodes(b *testing.B) {
	c := testcluster.Start(b, 3, testcluster.Options{})
	key := c.APIKey(b)
	leader := c.WaitLeader(b, waitLong)
	url := "https://" + leader.APIAddr
	tok := joinToken(b, c, url, key, benchAgents)
	ctx := context.Background()
	agents := make([]*testAgent, benchAgents)
	for i := range agents {
		a, err := enrollWith(b, c, url, tok, fmt.Sprintf("bench-%d", i))
		require.NoError(b, err)
		// The first batch alone opens the agent's epoch on the controller.
		_, err = a.upload(ctx, findingsBatch(a.Epoch, 1, a.ID+"-warm", 1, 0))
		require.NoError(b, err)
		agents[i] = a
	}
	// Keep the batch bytes of one iteration ready, so the timer sees the
	// cluster, not protobuf encoding in the test.
	build := func(a *testAgent, first uint64) []*pb.UploadRequest {
		reqs := make([]*pb.UploadRequest, benchBatches)
		for j := range reqs {
			seq := first + uint64(j)
			reqs[j] = findingsBatch(a.Epoch, seq, fmt.Sprintf("%s-%d", a.ID, seq), benchBatchFindings, benchFindingPad)
		}
		return reqs
	}
	var (
		latencies []time.Duration
		findings  int
		bytes     int
		gaps      atomic.Int64
		elapsed   time.Duration
	)
	next := uint64(2)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		work := make([][]*pb.UploadRequest, len(agents))
		for i, a := range agents {
			work[i] = build(a, next)
			for _, r := range work[i] {
				bytes += len(r.GetPayload())
			}
		}
		next += benchBatches
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, len(agents)*benchBatches)
		b.StartTimer()
		start := time.Now()
		for i, a := range agents {
			sem := make(chan struct{}, benchInFlight)
			wg.Add(1)
			go func() {
				defer wg.Done()
				var aw sync.WaitGroup
				for _, req := range work[i] {
					sem <- struct{}{}
					aw.Add(1)
					go func() {
						defer aw.Done()
						defer func() { <-sem }()
						sent := time.Now()
						for {
							resp, err := a.upload(ctx, req)
							if err != nil {
								errs <- fmt.Errorf("agent %s seq %d: %w", a.ID, req.GetSeq(), err)
								return
							}
							if resp.GetDuplicate() {
								errs <- fmt.Errorf("agent %s seq %d: acked as a duplicate on first delivery", a.ID, req.GetSeq())
								return
							}
							if resp.GetAckedSeq() >= req.GetSeq() {
								break
							}
							// It overtook an earlier batch still in flight:
							// the agent resends once that one is acked.
							gaps.Add(1)
							time.Sleep(5 * time.Millisecond)
						}
						mu.Lock()
						latencies = append(latencies, time.Since(sent))
						mu.Unlock()
					}()
				}
				aw.Wait()
			}()
		}
		wg.Wait()
		elapsed += time.Since(start)
		b.StopTimer()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		findings += len(agents) * benchBatches * benchBatchFindings
		b.StartTimer()
	}
	b.StopTimer()
	// Everything committed is in every node's state exactly once.
	want := findings + len(agents)
	for i := range c.Members() {
		require.Eventually(b, func() bool {
			got, err := findingsClient(c, c.URL(i), key).ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{
				PageSize: 1, Consistency: pb.Consistency_CONSISTENCY_STALE}))
			return err == nil && got.Msg.GetTotalSize() == int64(want)
		}, waitLong, 50*time.Millisecond, "node %d does not hold all %d findings", i, want)
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(findings)/elapsed.Seconds(), "findings/s")
	b.ReportMetric(float64(bytes)/float64(len(latencies))/1024, "KB/batch")
	b.ReportMetric(pct(0.5), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(gaps.Load())/float64(b.N), "gap_resends/op")
}

// BenchmarkFailover kills the leader of a three-node cluster running raft's
// default timeouts (kill -9: no leadership transfer, no gossip leave) and
// reports the time until the first write through a survivor succeeds.
func BenchmarkFailover(b *testing.B) {
	c := testcluster.Start(b, 3, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.Node.HeartbeatTimeout, cfg.Node.ElectionTimeout, cfg.Node.LeaderLeaseTimeout = 0, 0, 0
		cfg.Node.DeadServerTimeout = time.Hour
	}})
	key := c.APIKey(b)
	var total, worst time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		old := c.WaitLeader(b, 30*time.Second)
		var survivor *testcluster.Member
		for _, m := range c.Members() {
			if m != old {
				survivor = m
			}
		}
		cl := agentsClient(c, "https://"+survivor.APIAddr, key)
		// The survivor holds warm connections, as it would in service.
		_, err := cl.CreateJoinToken(context.Background(), connect.NewRequest(&pb.CreateJoinTokenRequest{}))
		require.NoError(b, err)
		b.StartTimer()
		start := time.Now()
		c.Kill(old.Index)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			_, err := cl.CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
			cancel()
			if err == nil {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatalf("no write succeeded within a minute: %v", err)
			}
		}
		took := time.Since(start)
		b.StopTimer()
		total += took
		worst = max(worst, took)
		// Bring the killed node back for the next round.
		c.Restart(b, old.Index)
		require.Eventually(b, func() bool {
			s := c.Member(old.Index).Server()
			return s != nil && s.Node().HasLeader() && !s.Node().IsLeader()
		}, 30*time.Second, 20*time.Millisecond)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/failover")
	b.ReportMetric(float64(worst.Milliseconds()), "max_ms")
}

// BenchmarkSnapshotRestore1M fills an FSM with 1,000,000 findings through
// batched ingest entries, then reports the seconds to snapshot it into a
// raft file snapshot sink and to restore that snapshot into a fresh FSM,
// and the snapshot's size.
func BenchmarkSnapshotRestore1M(b *testing.B) {
	const (
		total    = 1_000_000
		agents   = 40
		perBatch = 250
	)
	dir := b.TempDir()
	quiet := slog.New(slog.DiscardHandler)
	store, err := state.Open(filepath.Join(dir, "state.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = store.Close() })
	f, err := fsm.New(store, quiet)
	require.NoError(b, err)

	var index uint64
	apply := func(c *pb.RaftCommand) any {
		index++
		c.At = timestamppb.Now()
		data, err := fsm.Encode(c)
		require.NoError(b, err)
		return f.Apply(&raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: data})
	}
	for a := range agents {
		id := fmt.Sprintf("agt-%02d", a)
		r := apply(&pb.RaftCommand{Cmd: &pb.RaftCommand_CreateJoinToken{CreateJoinToken: &pb.CreateJoinTokenCommand{
			Token: &pb.StoredJoinToken{SecretHash: []byte("x"), Token: &pb.JoinToken{Id: "tok-" + id, Tenant: "acme", MaxUses: 1,
				ExpiresAt: timestamppb.New(time.Now().Add(time.Hour))}}}}}).(*pb.ApplyResult)
		require.Empty(b, r.GetCode(), r.GetMessage())
		r = apply(&pb.RaftCommand{Cmd: &pb.RaftCommand_Enroll{Enroll: &pb.EnrollCommand{Tenant: "acme", TokenId: "tok-" + id,
			Agent: &pb.Agent{Id: id, CertSerial: fmt.Sprintf("%02x", a+1)}}}}).(*pb.ApplyResult)
		require.Empty(b, r.GetCode(), r.GetMessage())
	}
	// One entry carries one batch per agent: 10,000 findings.
	for seq, n := uint64(1), 0; n < total; seq++ {
		cmd := &pb.IngestCommand{}
		for a := range agents {
			raw := make([][]byte, perBatch)
			for k := range raw {
				fd := finding(fmt.Sprintf("f-%07d", n), pb.Severity(1+n%5), 64)
				fd.Resource.Type = []string{"aws_s3_bucket", "aws_instance", "aws_iam_role", "azurerm_storage_account"}[n%4]
				raw[k], err = proto.Marshal(&pb.Record{Kind: &pb.Record_Finding{Finding: fd}})
				require.NoError(b, err)
				n++
			}
			cmd.Batches = append(cmd.Batches, &pb.IngestBatch{Tenant: "acme", AgentId: fmt.Sprintf("agt-%02d", a), BootEpoch: 1, Seq: seq,
				Payload: outbox.EncodeBatch(outbox.Batch{Epoch: 1, Seq: seq, Records: raw})})
		}
		res := apply(&pb.RaftCommand{Cmd: &pb.RaftCommand_Ingest{Ingest: cmd}}).(*pb.IngestResult)
		for _, o := range res.GetOutcomes() {
			require.Equal(b, "applied", o.GetStatus(), o.GetError())
		}
	}
	require.EqualValues(b, total, f.View().Counts("acme").GetOpen())

	snaps, err := raft.NewFileSnapshotStoreWithLogger(filepath.Join(dir, "snapshots"), 1, hclog.NewNullLogger())
	require.NoError(b, err)
	var persist, restore time.Duration
	var size int64
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		snap, err := f.Snapshot()
		require.NoError(b, err)
		sink, err := snaps.Create(raft.SnapshotVersionMax, index, 1, raft.Configuration{}, 1, nil)
		require.NoError(b, err)
		require.NoError(b, snap.Persist(sink))
		snap.Release()
		persist += time.Since(start)

		b.StopTimer()
		restoreDir := filepath.Join(dir, fmt.Sprintf("restore-%d", i))
		require.NoError(b, os.MkdirAll(restoreDir, 0o700))
		fresh, err := state.Open(filepath.Join(restoreDir, "state.db"))
		require.NoError(b, err)
		f2, err := fsm.New(fresh, quiet)
		require.NoError(b, err)
		meta, rc, err := snaps.Open(sink.ID())
		require.NoError(b, err)
		size = meta.Size
		b.StartTimer()

		start = time.Now()
		require.NoError(b, f2.Restore(rc))
		restore += time.Since(start)

		b.StopTimer()
		require.EqualValues(b, total, f2.View().Counts("acme").GetOpen())
		require.Equal(b, index, f2.AppliedIndex())
		require.NoError(b, fresh.Close())
		require.NoError(b, os.RemoveAll(restoreDir))
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(persist.Seconds()/float64(b.N), "snapshot_s")
	b.ReportMetric(restore.Seconds()/float64(b.N), "restore_s")
	b.ReportMetric(float64(size)/(1<<20), "snapshot_MB")
}
