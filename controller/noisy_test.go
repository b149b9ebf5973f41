package controller_test

import (
	"context"
	"fmt"
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
	noisyRounds    = 160
	noisyQuiet     = 40 // tenants measured, each well inside its limit
	noisyQuietJobs = 4  // their callers at once
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
// 160 rounds (about 74,000 calls a side) each hold a quiet and a noisy
// phase in a random order, so drift of the machine's load and anything
// periodic fall on both. The slowest calls come in clusters, most of
// them while the controllers' collector marks (every 7 s or so, for
// about 100 ms), so a p99 rests on a few dozen such events a side: at 80
// rounds their chance split alone moved the ratio by ±0.1 from run to
// run, and the rounds are what averages it. The callers run in two
// processes of their own (noisyload_test.go), on the same cores: their
// CPU still competes with the controllers', but their garbage is not the
// controllers'.
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
		// A deployment's gossip, not the test clusters' quick failure
		// detection: its packets are garbage the controllers would not
		// make.
		cfg.Node.FastGossip = false
	}})
	start := time.Now()
	keys := seedTenants(t, c)
	t.Logf("seeded %d tenants, %d agents, %d findings in %s", noisyTenants, noisyTenants*noisyAgents,
		noisyTenants*noisyAgents*noisyFindings, time.Since(start).Round(time.Millisecond))
	// The followers apply the seed behind the leader; measuring before
	// they are done would charge their catching up to the first phases.
	leader := c.WaitLeader(t, waitLong)
	seeded := leader.Server().Node().FSM().View().Revision()
	require.Eventually(t, func() bool {
		for _, m := range c.Members() {
			if m.Server().Node().FSM().View().Revision() < seeded {
				return false
			}
		}
		return true
	}, time.Minute, 50*time.Millisecond, "the followers apply the seed")
	t.Logf("all nodes applied the seed %s after it began", time.Since(start).Round(time.Millisecond))
	ctx := timeout(t, 3*time.Minute+2*noisyRounds*noisyPhase)
	base := noisyPlan{URL: c.URL(leader.Index), CAPEM: caPEM(c.CA.Cert),
		Start: time.Now().Add(2 * time.Second), Warmup: time.Second, Phase: noisyPhase,
		Noisy: shuffledPhases(noisyRounds)}
	quiet, noisy := base, base
	quiet.Role, quiet.Keys, quiet.Jobs = "quiet", keys[1:1+noisyQuiet], noisyQuietJobs
	noisy.Role, noisy.Keys = "noisy", keys[:1]
	var server phaseStats
	cpuDone := make(chan struct{})
	go func() { defer close(cpuDone); server = phaseCPU(t, base) }()
	res := startNoisyLoad(t, ctx, quiet, noisy)
	<-cpuDone
	q, n := res[0], res[1]

	secs := noisyRounds * noisyPhase.Seconds()
	cores := func(s phaseStats) string {
		return fmt.Sprintf("%.2f quiet, %.2f noisy (allocating %.0f, %.0f MB/s; GC cycles %d, %d)", s.CPU[0].Seconds()/secs, s.CPU[1].Seconds()/secs,
			s.MB[0]/secs, s.MB[1]/secs, s.GC[0], s.GC[1])
	}
	t.Logf("CPU in cores: controllers %s; quiet callers %s; noisy caller %s", cores(server), cores(q.Phases), cores(n.Phases))
	for i, name := range []string{"alone", "beside the noisy tenant"} {
		d := q.Latency[i]
		slices.Sort(d)
		require.NotEmpty(t, d)
		t.Logf("quiet tenants %s: %d calls, p50 %s p90 %s p99 %s p99.9 %s max %s", name, len(d),
			d[len(d)/2], d[len(d)*9/10], p99(d), d[len(d)*999/1000], d[len(d)-1])
	}
	alone, beside := p99(q.Latency[0]), p99(q.Latency[1])
	ratio := float64(beside) / float64(alone)
	t.Logf("quiet tenants' p99: %s alone, %s beside the noisy tenant: x%.2f; noisy tenant: %d admitted, %d refused, %d other errors; quiet errors: %d",
		alone, beside, ratio, n.Admitted, n.Refused, n.Errors, q.Errors)
	require.Zero(t, q.Errors, "no quiet tenant is refused")
	require.Zero(t, n.Errors, "the noisy tenant is refused for its rate, nothing else")
	require.Positive(t, n.Refused, "the noisy tenant hit its limit")
	require.GreaterOrEqual(t, n.Admitted+n.Refused, int64(0.9*400*secs), "the noisy tenant sent its 400 calls a second")
	// Its admitted calls are its rate over the noisy phases, plus bursts.
	require.LessOrEqual(t, n.Admitted, int64(20*secs+20*noisyRounds+20))
	if perf {
		require.LessOrEqual(t, ratio, 1.2, "a noisy tenant raised the others' p99 by more than 20%%")
	}
}

// BenchmarkRefusedCall measures what a tenant over its request rate costs
// the process per call, client included: TLS, HTTP/2, authentication and
// the refusal. cpu-µs/op is the figure the noisy-neighbour bound rests on.
func BenchmarkRefusedCall(b *testing.B) {
	c := testcluster.Start(b, 1, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.Quotas = quota.Config{Default: quota.Limits{RequestsPerSecond: 1, Burst: 1}}
	}})
	key, id, hash, err := pki.NewAPIKey()
	require.NoError(b, err)
	_, err = c.WaitLeader(b, waitLong).Server().Node().Apply(context.Background(), &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateApiKey{CreateApiKey: &pb.CreateAPIKeyCommand{
		Key: &pb.StoredAPIKey{Id: id, Tenant: "noisy", Role: "admin", SecretHash: hash, CreatedAt: timestamppb.Now()}}}})
	require.NoError(b, err)
	cl := driftmgrv1connect.NewFindingsServiceClient(c.HTTPClient(nil), c.URL(0), testcluster.Bearer(key))
	req := &pb.ListFindingsRequest{PageSize: 1000, Facets: []string{"type", "region", "agent_id"}}
	var refused atomic.Int64
	b.SetParallelism(2)
	b.ResetTimer()
	cpu0 := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := cl.ListFindings(context.Background(), connect.NewRequest(req))
			if connect.CodeOf(err) == connect.CodeResourceExhausted {
				refused.Add(1)
			}
		}
	})
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	if b.N >= 100 { // the first calls are the burst's
		require.Greater(b, refused.Load(), int64(b.N)*9/10, "the calls are refused")
	}
}
