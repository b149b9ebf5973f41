package controller_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/node"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// The noisy-neighbour test's callers run in processes of their own, as
// they would in a deployment: a client's CPU and garbage are then not the
// controller's. The test binary re-runs itself with noisyLoadEnv naming a
// plan file, and TestMain hands that run to runNoisyLoad instead of the
// tests.
const noisyLoadEnv = "DRIFTMGR_NOISY_LOAD"

func TestMain(m *testing.M) {
	if plan := os.Getenv(noisyLoadEnv); plan != "" {
		if err := runNoisyLoad(context.Background(), plan); err != nil {
			fmt.Fprintln(os.Stderr, "noisy load:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// noisyPlan is one load process's part. Both processes follow the same
// clock: a warm-up, then rounds of a quiet phase and a noisy phase, each
// round in a random order (Noisy, one entry per phase). A fixed order
// would let anything periodic on the machine (garbage collection every
// few seconds, as it happens) lock onto one kind of phase.
type noisyPlan struct {
	Role   string // "quiet" measures; "noisy" floods in the noisy phases
	URL    string
	CAPEM  []byte
	Keys   []string
	Jobs   int // quiet role: callers at once
	Start  time.Time
	Warmup time.Duration
	Phase  time.Duration
	Noisy  []bool // per phase
	Out    string // where the result is written
}

// phaseAt is the phase at t: measured is false in the warm-up, done once
// the last round is over.
func (p noisyPlan) phaseAt(t time.Time) (noisy, measured, done bool) {
	d := t.Sub(p.Start) - p.Warmup
	if d < 0 {
		return false, false, false
	}
	i := int(d / p.Phase)
	if i >= len(p.Noisy) {
		return false, true, true
	}
	return p.Noisy[i], true, false
}

// shuffledPhases is rounds pairs of a quiet and a noisy phase, each pair
// in a random order.
func shuffledPhases(rounds int) []bool {
	out := make([]bool, 0, 2*rounds)
	for range rounds {
		first := rand.IntN(2) == 1
		out = append(out, first, !first)
	}
	return out
}

// boundaries are the phase starts, warm-up excluded, and the end.
func (p noisyPlan) boundaries() []time.Time {
	out := make([]time.Time, 0, len(p.Noisy)+1)
	for i := range len(p.Noisy) + 1 {
		out = append(out, p.Start.Add(p.Warmup+time.Duration(i)*p.Phase))
	}
	return out
}

// noisyResult is what a load process reports.
type noisyResult struct {
	Latency  [2][]time.Duration // quiet role: [0] quiet phases, [1] noisy
	Errors   int64
	Admitted int64 // noisy role
	Refused  int64
	Phases   phaseStats // this process's CPU and GC cycles in quiet and noisy phases
}

// phaseStats is what a process spent in each kind of phase.
type phaseStats struct {
	CPU [2]time.Duration
	GC  [2]uint64  // garbage collections completed
	MB  [2]float64 // heap allocated
}

// side indexes a result by phase.
func side(noisy bool) int {
	if noisy {
		return 1
	}
	return 0
}

// phaseCPU samples the process's CPU and GC count at each phase boundary
// and adds each phase's share to its side. It returns when the last phase
// ends.
func phaseCPU(t testing.TB, p noisyPlan) phaseStats {
	var out phaseStats
	gc := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/allocs:bytes"}}
	b := p.boundaries()
	time.Sleep(time.Until(b[0]))
	last := processCPU(t)
	metrics.Read(gc)
	lastGC, lastAlloc := gc[0].Value.Uint64(), gc[1].Value.Uint64()
	for i := 1; i < len(b); i++ {
		time.Sleep(time.Until(b[i]))
		now := processCPU(t)
		metrics.Read(gc)
		k := side(p.Noisy[i-1])
		out.CPU[k] += now - last
		out.GC[k] += gc[0].Value.Uint64() - lastGC
		out.MB[k] += float64(gc[1].Value.Uint64()-lastAlloc) / (1 << 20)
		last, lastGC, lastAlloc = now, gc[0].Value.Uint64(), gc[1].Value.Uint64()
	}
	return out
}

// processCPU is the CPU time this process has used, user and system.
func processCPU(t testing.TB) time.Duration {
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadT lets the load process use the helpers that report through a
// testing.TB: a failure ends the process with the message.
type loadT struct{ testing.TB }

func (loadT) Helper() {}
func (loadT) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
func (loadT) FailNow() { os.Exit(1) }

func runNoisyLoad(ctx context.Context, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read plan %s: %w", path, err)
	}
	var p noisyPlan
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("parse plan %s: %w", path, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.CAPEM) {
		return fmt.Errorf("plan %s: no CA certificate in CAPEM", path)
	}
	hc := &http.Client{Transport: node.H2Transport(&tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool, NextProtos: []string{"h2"}})}
	// The load processes are the instrument: collecting their small heaps
	// ten times a second would add its own noise to the latencies.
	debug.SetGCPercent(1000)
	var res noisyResult
	var cpu phaseStats
	cpuDone := make(chan struct{})
	go func() { defer close(cpuDone); cpu = phaseCPU(loadT{}, p) }()
	switch p.Role {
	case "quiet":
		quietLoad(ctx, p, hc, &res)
	case "noisy":
		noisyLoad(ctx, p, hc, &res)
	default:
		return fmt.Errorf("plan %s: role %q: want quiet or noisy", path, p.Role)
	}
	<-cpuDone
	res.Phases = cpu
	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return os.WriteFile(p.Out, out, 0o600)
}

// quietLoad is the quiet tenants' callers, p.Jobs at a time, each
// tenant well inside its limit. A call is counted in the phase it started
// in.
func quietLoad(ctx context.Context, p noisyPlan, hc *http.Client, res *noisyResult) {
	jobs := p.Jobs
	var mu sync.Mutex
	var errs atomic.Int64
	var wg sync.WaitGroup
	time.Sleep(time.Until(p.Start))
	for j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := j; ; k += jobs {
				t0 := time.Now()
				noisy, measured, done := p.phaseAt(t0)
				if done {
					return
				}
				cl := driftmgrv1connect.NewFindingsServiceClient(hc, p.URL, controller.BearerKey(p.Keys[k%len(p.Keys)]))
				_, err := cl.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{PageSize: 50, Facets: []string{"severity", "agent_id"}}))
				d := time.Since(t0)
				if err != nil {
					errs.Add(1)
					fmt.Fprintln(os.Stderr, "quiet call:", err)
				} else if measured {
					mu.Lock()
					res.Latency[side(noisy)] = append(res.Latency[side(noisy)], d)
					mu.Unlock()
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	res.Errors = errs.Load()
}

// noisyLoad is one tenant sending listings at 400 a second, twenty times
// its limit, in the noisy phases only.
func noisyLoad(ctx context.Context, p noisyPlan, hc *http.Client, res *noisyResult) {
	cl := driftmgrv1connect.NewFindingsServiceClient(hc, p.URL, controller.BearerKey(p.Keys[0]))
	var admitted, refused, other atomic.Int64
	var wg sync.WaitGroup
	time.Sleep(time.Until(p.Start))
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(10 * time.Millisecond) // 4 x 100/s
			defer tick.Stop()
			for now := range tick.C {
				noisy, measured, done := p.phaseAt(now)
				if done {
					return
				}
				if !measured {
					continue
				}
				if !noisy {
					// The same CPU in the quiet phases, spent here: on this
					// VM a busy CPU answers the others' calls sooner (it
					// does not sleep as deep), which would flatter the
					// noisy phases.
					spin(callCPU)
					continue
				}
				// A new filter each time: no listing cache to hide behind.
				_, err := cl.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{PageSize: 1000, Facets: []string{"type", "region", "agent_id"},
					Filter: &pb.FindingFilter{Text: fmt.Sprint(rand.IntN(10))}}))
				switch {
				case err == nil:
					admitted.Add(1)
				case connect.CodeOf(err) == connect.CodeResourceExhausted:
					refused.Add(1)
				default:
					other.Add(1)
					fmt.Fprintln(os.Stderr, "noisy call:", err)
				}
			}
		}()
	}
	wg.Wait()
	res.Admitted, res.Refused, res.Errors = admitted.Load(), refused.Load(), other.Load()
}

// callCPU is about what one noisy call costs its caller (its CPU over
// 400 calls a second).
const callCPU = 250 * time.Microsecond

// spin keeps a CPU busy for d.
func spin(d time.Duration) {
	var sum [32]byte
	for t0 := time.Now(); time.Since(t0) < d; {
		sum = sha256.Sum256(sum[:])
	}
	spinSink.Store(uint32(sum[0]))
}

var spinSink atomic.Uint32

// startNoisyLoad runs the plans, each in its own process, and returns
// their results once all are done.
func startNoisyLoad(t *testing.T, ctx context.Context, plans ...noisyPlan) []noisyResult {
	t.Helper()
	dir := t.TempDir()
	cmds := make([]*exec.Cmd, len(plans))
	for i := range plans {
		plans[i].Out = filepath.Join(dir, fmt.Sprintf("result-%d.json", i))
		b, err := json.Marshal(plans[i])
		require.NoError(t, err)
		path := filepath.Join(dir, fmt.Sprintf("plan-%d.json", i))
		require.NoError(t, os.WriteFile(path, b, 0o600))
		cmds[i] = exec.CommandContext(ctx, os.Args[0])
		if nice, err := exec.LookPath("nice"); err == nil && plans[i].Role == "noisy" {
			// The noisy tenant's client would run on machines of its own;
			// here it shares the controllers' two cores. At the lowest
			// priority it takes only CPU nobody else wants, which is
			// plenty for its 400 calls a second (the test checks it sent
			// them), and the comparison is of the controllers' work.
			cmds[i] = exec.CommandContext(ctx, nice, "-n", "19", os.Args[0])
		}
		cmds[i].Env = append(os.Environ(), noisyLoadEnv+"="+path)
		cmds[i].Stderr = os.Stderr
		require.NoError(t, cmds[i].Start())
	}
	out := make([]noisyResult, len(plans))
	for i, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "load process %s", plans[i].Role)
		b, err := os.ReadFile(plans[i].Out)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &out[i]))
	}
	return out
}

// caPEM is the cluster CA certificate for a load process to trust.
func caPEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}
