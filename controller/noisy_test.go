package controller_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/controller/quota"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// Noisy-neighbour scale: tenants, agents per tenant, findings per agent.
const (
	noisyTenants   = 1000
	noisyAgents    = 10
	noisyFindings  = 10
	noisyPhase     = 1500 * time.Millisecond
	noisyRounds    = 12
	noisyQuiet     = 40 // tenants measured
	noisyQuietJobs = 4
)

// applyAll proposes commands through the leader, many at once (raft
// batches them), and fails the test on the first error. A proposal lost
// to a leader change (the machine is loaded) is retried with its request
// id, so it applies once.
func applyAll(t *testing.T, c *testcluster.Cluster, cmds []*pb.RaftCommand) []any {
	t.Helper()
	ctx := timeout(t, 5*time.Minute)
	out := make([]any, len(cmds))
	var wg sync.WaitGroup
	var first atomic.Pointer[error]
	sem := make(chan struct{}, 16)
	for i, cmd := range cmds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var res any
			var err error
			for try := 0; try < 5; try++ {
				if res, err = c.WaitLeader(t, waitLong).Server().Node().Apply(ctx, cmd); err == nil || ctx.Err() != nil {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			if err == nil {
				if r, ok := res.(*pb.ApplyResult); ok && r.GetCode() != "" {
					err = fmt.Errorf("%s: %s", r.GetCode(), r.GetMessage())
				}
			}
			if err != nil {
				first.CompareAndSwap(nil, &err)
			}
			out[i] = res
		}()
	}
	wg.Wait()
	if e := first.Load(); e != nil {
		t.Fatalf("apply: %v", *e)
	}
	return out
}

// seedTenants creates tenants t0000.. with an admin key each, noisyAgents
// agents each (enrolled through raft as Enroll would) and noisyFindings
// findings per agent (ingested as their uploads would be).
func seedTenants(t *testing.T, c *testcluster.Cluster) []string {
	t.Helper()
	keys := make([]string, noisyTenants)
	var cmds []*pb.RaftCommand
	for i := range noisyTenants {
		tenant := fmt.Sprintf("t%04d", i)
		key, id, hash, err := pki.NewAPIKey()
		require.NoError(t, err)
		keys[i] = key
		cmds = append(cmds, &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateApiKey{CreateApiKey: &pb.CreateAPIKeyCommand{
			Key: &pb.StoredAPIKey{Id: id, Tenant: tenant, Role: "admin", SecretHash: hash, CreatedAt: timestamppb.Now()}}}},
			&pb.RaftCommand{Cmd: &pb.RaftCommand_CreateJoinToken{CreateJoinToken: &pb.CreateJoinTokenCommand{Token: &pb.StoredJoinToken{
				Token:      &pb.JoinToken{Id: "tok-" + tenant, Tenant: tenant, MaxUses: noisyAgents, ExpiresAt: timestamppb.New(time.Now().Add(time.Hour))},
				SecretHash: hash}}}})
	}
	applyAll(t, c, cmds)
	cmds = cmds[:0]
	for i := range noisyTenants {
		tenant := fmt.Sprintf("t%04d", i)
		for a := range noisyAgents {
			cmds = append(cmds, &pb.RaftCommand{At: timestamppb.Now(), Cmd: &pb.RaftCommand_Enroll{Enroll: &pb.EnrollCommand{Tenant: tenant, TokenId: "tok-" + tenant,
				Agent: &pb.Agent{Id: fmt.Sprintf("agt-%s-%d", tenant, a), Name: "agent", CertSerial: fmt.Sprintf("%s-%d", tenant, a)}}}})
		}
	}
	applyAll(t, c, cmds)
	cmds = cmds[:0]
	var batches []*pb.IngestBatch
	for i := range noisyTenants {
		tenant := fmt.Sprintf("t%04d", i)
		for a := range noisyAgents {
			agent := fmt.Sprintf("agt-%s-%d", tenant, a)
			recs := make([][]byte, noisyFindings)
			for f := range recs {
				fd := finding(fmt.Sprintf("%s-%d", agent, f), pb.Severity(1+f%5), 0)
				recs[f] = record(fd)
			}
			payload := outbox.EncodeBatch(outbox.Batch{Epoch: 1, Seq: 1, Records: recs, Created: time.Now()})
			batches = append(batches, &pb.IngestBatch{Tenant: tenant, AgentId: agent, BootEpoch: 1, Seq: 1, Payload: payload})
			if len(batches) == 200 {
				cmds = append(cmds, &pb.RaftCommand{Cmd: &pb.RaftCommand_Ingest{Ingest: &pb.IngestCommand{Batches: batches}}})
				batches = nil
			}
		}
	}
	for _, res := range applyAll(t, c, cmds) {
		for _, o := range res.(*pb.IngestResult).GetOutcomes() {
			require.Equal(t, "applied", o.GetStatus(), o.GetError())
		}
	}
	return keys
}

func p99(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[len(d)*99/100]
}

// TestNoisyNeighbour runs 1,000 tenants with 10 agents each on three
// nodes. One tenant sends its listings at 20 times its rate limit; the
// p99 latency of 40 other tenants' calls must not rise by more than 20%.
// Phases alternate (quiet, noisy, twelve times each) so drift of the
// machine's load falls on both.
//
// The latency bound is a performance target, so it is asserted where
// timings mean something: with DRIFTMGR_PERF=1 (`make perf`, run alone,
// without the race detector). In the regular suite the test still checks
// the isolation itself (the noisy tenant is refused, no other is) and logs
// the ratio; under the race detector or coverage it is skipped, its scale
// being a performance test's.
func TestNoisyNeighbour(t *testing.T) {
	perf := os.Getenv("DRIFTMGR_PERF") == "1"
	if testing.Short() || (raceDetector || testing.CoverMode() != "") && !perf {
		t.Skip("seeds 10,000 agents and 100,000 findings: run with DRIFTMGR_PERF=1 (make perf)")
	}
	c := testcluster.Start(t, 3, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.Quotas = quota.Config{Default: quota.Limits{RequestsPerSecond: 20, Burst: 20}}
	}})
	start := time.Now()
	keys := seedTenants(t, c)
	t.Logf("seeded %d tenants, %d agents, %d findings in %s", noisyTenants, noisyTenants*noisyAgents,
		noisyTenants*noisyAgents*noisyFindings, time.Since(start).Round(time.Millisecond))
	url := c.URL(c.WaitLeader(t, waitLong).Index)
	ctx := timeout(t, 5*time.Minute)

	// Separate connections: the noisy tenant's and the others'.
	quietHC, noisyHC := c.HTTPClient(nil), c.HTTPClient(nil)
	quietKeys := keys[1 : 1+noisyQuiet]
	var (
		mu       sync.Mutex
		lat      = map[bool][]time.Duration{}
		noisy    atomic.Bool
		refused  atomic.Int64
		admitted atomic.Int64
		quietErr atomic.Int64
	)
	measure := func(phaseNoisy bool, d time.Duration) {
		noisy.Store(phaseNoisy)
		stop := time.Now().Add(d)
		var wg sync.WaitGroup
		for j := range noisyQuietJobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := j; time.Now().Before(stop); k += noisyQuietJobs {
					key := quietKeys[k%len(quietKeys)]
					cl := driftmgrv1connect.NewFindingsServiceClient(quietHC, url, testcluster.Bearer(key))
					t0 := time.Now()
					_, err := cl.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{PageSize: 50, Facets: []string{"severity", "agent_id"}}))
					d := time.Since(t0)
					if err != nil {
						quietErr.Add(1)
						continue
					}
					mu.Lock()
					lat[phaseNoisy] = append(lat[phaseNoisy], d)
					mu.Unlock()
					// 40 tenants, each well inside its own limit.
					time.Sleep(10 * time.Millisecond)
				}
			}()
		}
		wg.Wait()
	}
	done := make(chan struct{})
	var nwg sync.WaitGroup
	for range 4 {
		nwg.Add(1)
		go func() {
			defer nwg.Done()
			cl := driftmgrv1connect.NewFindingsServiceClient(noisyHC, url, testcluster.Bearer(keys[0]))
			tick := time.NewTicker(10 * time.Millisecond) // 4 x 100/s = 400/s, 20x its limit
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
				}
				if !noisy.Load() {
					continue
				}
				// A new filter each time: no listing cache to hide behind.
				_, err := cl.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{PageSize: 1000, Facets: []string{"type", "region", "agent_id"},
					Filter: &pb.FindingFilter{Text: fmt.Sprint(rand.IntN(10))}}))
				if connect.CodeOf(err) == connect.CodeResourceExhausted {
					refused.Add(1)
				} else if err == nil {
					admitted.Add(1)
				}
			}
		}()
	}
	measure(false, time.Second) // warm up connections and caches
	clear(lat)
	// Short phases, many times: a burst of load from elsewhere on the
	// machine then falls on both sides instead of deciding the result.
	for range noisyRounds {
		measure(false, noisyPhase)
		measure(true, noisyPhase)
	}
	close(done)
	nwg.Wait()

	base, loud := p99(lat[false]), p99(lat[true])
	ratio := float64(loud) / float64(base)
	t.Logf("quiet tenants' p99: %s alone (%d calls), %s beside the noisy tenant (%d calls): x%.2f; noisy tenant: %d admitted, %d refused; quiet errors: %d",
		base, len(lat[false]), loud, len(lat[true]), ratio, admitted.Load(), refused.Load(), quietErr.Load())
	require.Zero(t, quietErr.Load(), "no quiet tenant is refused")
	require.Positive(t, refused.Load(), "the noisy tenant hit its limit")
	// Its admitted calls are its rate over the noisy phases, plus bursts.
	require.LessOrEqual(t, admitted.Load(), int64(20*noisyRounds*noisyPhase.Seconds()+20*noisyRounds+20))
	if perf {
		require.LessOrEqual(t, ratio, 1.2, "a noisy tenant raised the others' p99 by more than 20%%")
	}
}
