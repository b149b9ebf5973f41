package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// Errors that end Run. Test with errors.Is.
var (
	// ErrPinMismatch means the controller's CA is not the pinned one: the
	// agent refuses to send its join token or anything else.
	ErrPinMismatch = errors.New("runner: controller CA does not match the pin")
	// ErrEnrollRefused means the controller refused the join token
	// (unknown, expired, used up) or the request.
	ErrEnrollRefused = errors.New("runner: enrollment refused")
	// ErrRevoked means the controller no longer accepts this agent's
	// certificate: it was revoked. Enroll again with a new join token.
	ErrRevoked = errors.New("runner: agent certificate revoked")
	// ErrCertExpired means the certificate expired before it could be
	// renewed. Enroll again with a new join token.
	ErrCertExpired = errors.New("runner: agent certificate expired")
	// ErrRunning means Run was called twice.
	ErrRunning = errors.New("runner: agent already running")
)

// Agent is one running agent. Create it with New, run it with Run, and
// release its files with Close.
type Agent struct {
	cfg Config
	log *slog.Logger

	ob    *outbox.Outbox
	delta *deltaStore

	// Set once identity is loaded or enrolled, before any goroutine reads
	// them.
	id   *identity
	cert atomic.Pointer[tls.Certificate]
	hc   *http.Client

	running atomic.Bool
	trigger chan string // pending scan, capacity 1: triggers coalesce
	up      *uploader

	mu         sync.Mutex
	connected  bool
	current    string // controller the control channel is on
	changed    chan struct{}
	scanEvery  time.Duration
	beatEvery  time.Duration
	intervalCh chan struct{}
	stats      counters
	// pol are the tenant's policies last fetched; polKnown is false until
	// a fetch succeeded.
	pol      Policies
	polKnown bool

	scanHist prometheus.Histogram
}

// New validates cfg and opens the agent's files in cfg.DataDir. Nothing
// touches the network until Run.
func New(cfg Config) (*Agent, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("runner: data dir: %w", err)
	}
	a := &Agent{cfg: cfg, log: cfg.Logger, trigger: make(chan string, 1), changed: make(chan struct{}),
		intervalCh: make(chan struct{}, 1), beatEvery: cfg.HeartbeatInterval,
		scanHist: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "driftmgr_agent_scan_duration_seconds",
			Help: "Duration of the agent's scans.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)})}
	a.scanEvery = cfg.ScanInterval
	if a.scanEvery == 0 {
		a.scanEvery = DefaultScanInterval
	}
	if a.ob, err = outbox.Open(filepath.Join(cfg.DataDir, "outbox.db"), cfg.Outbox); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	if a.delta, err = openDelta(filepath.Join(cfg.DataDir, "delta.db")); err != nil {
		a.ob.Close()
		return nil, fmt.Errorf("runner: %w", err)
	}
	a.up = newUploader(a)
	return a, nil
}

// Close releases the agent's files. Call it after Run has returned.
func (a *Agent) Close() error {
	return errors.Join(a.ob.Close(), a.delta.close())
}

// Run enrolls if needed and then works until ctx is done (it returns nil)
// or a fatal error: a pin mismatch, a refused enrollment, a revoked or
// expired certificate. Transport failures are never fatal: the agent keeps
// scanning into its outbox and reconnects with backoff.
func (a *Agent) Run(ctx context.Context) error {
	if !a.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	id, ok, err := loadIdentity(a.cfg.DataDir)
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	fresh := !ok
	if !ok {
		if id, err = a.enroll(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	} else {
		a.log.Info("agent identity loaded", "agent", id.AgentID, "tenant", id.Tenant, "cert_not_after", id.cert.Leaf.NotAfter)
	}
	if now := a.cfg.Now(); !now.Before(id.cert.Leaf.NotAfter) {
		return fmt.Errorf("%w at %s (now %s): remove %s and enroll with a new join token",
			ErrCertExpired, id.cert.Leaf.NotAfter.Format(time.RFC3339), now.Format(time.RFC3339), filepath.Join(a.cfg.DataDir, agentFile))
	}
	a.mu.Lock()
	a.id = id
	a.mu.Unlock()
	cert := id.cert
	a.cert.Store(&cert)
	a.hc = a.cfg.HTTPClient(a.mtlsConfig(), a.cfg.UseCheckin)
	defer a.hc.CloseIdleConnections()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	fatalOnce := sync.Once{}
	var fatal error
	spawn := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && ctx.Err() == nil {
				fatalOnce.Do(func() { fatal = err })
				a.log.Error("agent stopping", "in", name, "err", err)
				cancel(err)
			}
		}()
	}
	a.requestScan("startup")
	spawn("renew", func(ctx context.Context) error { return a.renewLoop(ctx, fresh) })
	if a.cfg.UseCheckin {
		spawn("checkin", a.checkinLoop)
	} else {
		spawn("control", a.controlLoop)
	}
	spawn("upload", a.up.run)
	spawn("prune", a.pruneLoop)
	spawn("scan", a.scanLoop)
	wg.Wait()
	a.setConnected("", false)
	return fatal
}

// client is the AgentService client for one controller.
func (a *Agent) client(base string) driftmgrv1connect.AgentServiceClient {
	return driftmgrv1connect.NewAgentServiceClient(a.hc, base)
}

// setConnected records whether the control channel is up, and where.
func (a *Agent) setConnected(base string, up bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.connected == up && (!up || a.current == base) {
		return
	}
	a.connected = up
	if up {
		a.current = base
	}
	close(a.changed)
	a.changed = make(chan struct{})
}

// connection returns where the control channel is, whether it is up, and
// a channel closed at the next change.
func (a *Agent) connection() (base string, up bool, changed <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	base = a.current
	if base == "" {
		base = a.cfg.Controllers[0]
	}
	return base, a.connected, a.changed
}

// setIntervals applies what the controller sent in Welcome.
func (a *Agent) setIntervals(scan, beat time.Duration) {
	a.mu.Lock()
	changed := false
	if a.cfg.ScanInterval == 0 && scan > 0 && scan != a.scanEvery {
		a.scanEvery, changed = scan, true
	}
	if beat > 0 {
		a.beatEvery = beat
	}
	a.mu.Unlock()
	if changed {
		select {
		case a.intervalCh <- struct{}{}:
		default:
		}
	}
}

func (a *Agent) intervals() (scan, beat time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.scanEvery, a.beatEvery
}

// pruneLoop drops batches past their maximum age, counting them as lost.
func (a *Agent) pruneLoop(ctx context.Context) error {
	t := time.NewTicker(a.cfg.PruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		a.prune(ctx)
	}
}

func (a *Agent) prune(ctx context.Context) {
	n, err := a.ob.Prune(ctx)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("outbox prune", "err", err)
		}
		return
	}
	if n > 0 {
		a.count(func(c *counters) { c.dropped += uint64(n) })
		a.lost("outbox batches pruned by age before delivery")
		a.up.wakeUp()
	}
}

// lost forgets what was sent after batches were lost, so the next scan is
// a full sync.
func (a *Agent) lost(why string) {
	a.log.Warn("delta state forgotten: the next scan is a full sync", "why", why)
	if err := a.delta.forget(); err != nil {
		a.log.Error("forget delta state", "err", err)
	}
}
