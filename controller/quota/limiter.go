package quota

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// shardCount spreads tenants over this many maps, each with its own lock,
// so that a thousand busy tenants do not queue on one mutex. A power of
// two keeps the shard pick a mask.
const shardCount = 64

// Limiter holds every tenant's buckets and stream counts. It is safe for
// concurrent use. A tenant's state is created on its first call and
// evicted by Sweep once idle; limits come from the Config and can be
// changed while running (SetDefault, SetTenant).
type Limiter struct {
	now       func() time.Time
	idleAfter time.Duration
	seed      maphash.Seed
	shards    [shardCount]shard

	// limits is the current configuration; version counts its changes so
	// a tenant notices a change with one atomic load instead of a lookup.
	limitsMu sync.RWMutex
	def      Limits
	tenants  map[string]Limits
	version  atomic.Uint64
}

type shard struct {
	mu sync.RWMutex
	m  map[string]*tenantState
}

// tenantState is one tenant's live quota state, guarded by its own mutex:
// calls of different tenants never share a lock past the shard lookup.
type tenantState struct {
	mu       sync.Mutex
	name     string
	version  uint64
	limits   Limits
	requests bucket
	upload   bucket
	streams  int
	lastUsed time.Time
}

// NewLimiter builds a limiter. It panics on an invalid Config: validate
// configuration from files with Config.Validate first, where the error can
// be shown to an operator.
func NewLimiter(cfg Config) *Limiter {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	l := &Limiter{now: cfg.Now, idleAfter: cfg.IdleAfter, seed: maphash.MakeSeed(),
		def: cfg.Default, tenants: make(map[string]Limits, len(cfg.Tenants))}
	if l.now == nil {
		l.now = time.Now
	}
	if l.idleAfter == 0 {
		l.idleAfter = DefaultIdleAfter
	}
	for t, lim := range cfg.Tenants {
		l.tenants[t] = lim
	}
	for i := range l.shards {
		l.shards[i].m = make(map[string]*tenantState)
	}
	l.version.Store(1)
	return l
}

// SetDefault replaces the limits of every tenant without an override.
// Tenants keep what they have spent; see bucket.resize.
func (l *Limiter) SetDefault(lim Limits) error {
	if err := lim.Validate(); err != nil {
		return prefixField("default", err)
	}
	l.limitsMu.Lock()
	l.def = lim
	l.limitsMu.Unlock()
	l.version.Add(1)
	return nil
}

// SetTenant gives tenant its own limits in place of the default (for
// instance when a raft command changes its plan).
func (l *Limiter) SetTenant(tenant string, lim Limits) error {
	if tenant == "" {
		return fieldErr("tenants", "a tenant name is empty")
	}
	if err := lim.Validate(); err != nil {
		return prefixField("tenants."+tenant, err)
	}
	l.limitsMu.Lock()
	l.tenants[tenant] = lim
	l.limitsMu.Unlock()
	l.version.Add(1)
	return nil
}

// ClearTenant returns tenant to the default limits.
func (l *Limiter) ClearTenant(tenant string) {
	l.limitsMu.Lock()
	delete(l.tenants, tenant)
	l.limitsMu.Unlock()
	l.version.Add(1)
}

// LimitsFor returns the limits that apply to tenant.
func (l *Limiter) LimitsFor(tenant string) Limits {
	l.limitsMu.RLock()
	defer l.limitsMu.RUnlock()
	if lim, ok := l.tenants[tenant]; ok {
		return lim
	}
	return l.def
}

func (l *Limiter) shardOf(tenant string) *shard {
	return &l.shards[maphash.String(l.seed, tenant)&(shardCount-1)]
}

// lock returns tenant's state, created if need be, locked and with
// current limits. The caller unlocks it.
func (l *Limiter) lock(tenant string, now time.Time) *tenantState {
	sh := l.shardOf(tenant)
	for {
		sh.mu.RLock()
		ts := sh.m[tenant]
		sh.mu.RUnlock()
		if ts == nil {
			sh.mu.Lock()
			if ts = sh.m[tenant]; ts == nil {
				ts = &tenantState{name: tenant}
				sh.m[tenant] = ts
			}
			sh.mu.Unlock()
		}
		ts.mu.Lock()
		if ts.name == "" {
			// Evicted between the lookup and the lock: look again.
			ts.mu.Unlock()
			continue
		}
		if v := l.version.Load(); ts.version != v {
			l.apply(ts, l.LimitsFor(tenant), now)
			ts.version = v
		}
		ts.lastUsed = now
		return ts
	}
}

// apply sets a tenant's limits, the first time or after a change.
func (l *Limiter) apply(ts *tenantState, lim Limits, now time.Time) {
	rps, burst := lim.RequestsPerSecond, lim.burst()
	upRate, upSize := float64(lim.UploadBytesPerMinute)/60, float64(lim.UploadBytesPerMinute)
	if ts.version == 0 {
		ts.requests = newBucket(rps, burst, now)
		ts.upload = newBucket(upRate, upSize, now)
	} else {
		ts.requests.resize(rps, burst, now)
		ts.upload.resize(upRate, upSize, now)
	}
	ts.limits = lim
}

// AllowRequest spends one request token of tenant. When the tenant is over
// its rate it returns an *ExceededError whose RetryAfter says when the next
// token comes.
func (l *Limiter) AllowRequest(tenant string) error {
	now := l.now()
	ts := l.lock(tenant, now)
	ok, wait := ts.requests.take(now, 1)
	lim := ts.limits
	ts.mu.Unlock()
	if ok {
		return nil
	}
	return &ExceededError{Tenant: tenant, Limit: LimitRequests, Used: lim.burst(), Max: lim.RequestsPerSecond, RetryAfter: wait}
}

// AllowUpload spends n bytes of tenant's upload allowance, or refuses with
// an *ExceededError saying when n bytes will be available.
func (l *Limiter) AllowUpload(tenant string, n int64) error {
	if n <= 0 {
		return nil
	}
	now := l.now()
	ts := l.lock(tenant, now)
	ok, wait := ts.upload.take(now, float64(n))
	lim := ts.limits
	ts.mu.Unlock()
	if ok {
		return nil
	}
	return &ExceededError{Tenant: tenant, Limit: LimitUploadBytes, Used: float64(n), Max: float64(lim.UploadBytesPerMinute), RetryAfter: wait}
}

// AcquireStream counts one more open stream for tenant. Call release when
// the stream ends, however it ends; calling it again does nothing. At the
// limit it returns an *ExceededError and a no-op release.
func (l *Limiter) AcquireStream(tenant string) (release func(), err error) {
	now := l.now()
	ts := l.lock(tenant, now)
	max := ts.limits.MaxStreams
	if max > 0 && ts.streams >= max {
		open := ts.streams
		ts.mu.Unlock()
		return func() {}, &ExceededError{Tenant: tenant, Limit: LimitStreams, Used: float64(open), Max: float64(max)}
	}
	ts.streams++
	ts.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			now := l.now()
			// A tenant with open streams is never evicted, so ts is
			// still the live state.
			ts.mu.Lock()
			ts.streams--
			ts.lastUsed = now
			ts.mu.Unlock()
		})
	}, nil
}

// Kind is a counted resource with a cap.
type Kind int

// The capped kinds.
const (
	Agents    Kind = iota + 1 // Limits.MaxAgents
	Resources                 // Limits.MaxResources
)

// ErrUnknownKind is returned by CheckCount for a Kind it does not know.
var ErrUnknownKind = errors.New("quota: unknown kind")

// CheckCount reports whether tenant, having current of kind, may add
// adding more. The counts live in the replicated state, so the caller (a
// raft command applying an enrollment or an ingest) supplies them; this
// only compares, holds nothing and never evicts.
func (l *Limiter) CheckCount(tenant string, kind Kind, current, adding int64) error {
	lim := l.LimitsFor(tenant)
	var (
		max   int64
		limit Limit
	)
	switch kind {
	case Agents:
		max, limit = lim.MaxAgents, LimitAgents
	case Resources:
		max, limit = lim.MaxResources, LimitResources
	default:
		return fmt.Errorf("%w %d", ErrUnknownKind, kind)
	}
	if max == 0 || adding <= 0 || current+adding <= max {
		return nil
	}
	return &ExceededError{Tenant: tenant, Limit: limit, Used: float64(current + adding), Max: float64(max)}
}

// OpenStreams is how many streams tenant has open.
func (l *Limiter) OpenStreams(tenant string) int {
	sh := l.shardOf(tenant)
	sh.mu.RLock()
	ts := sh.m[tenant]
	sh.mu.RUnlock()
	if ts == nil {
		return 0
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.streams
}

// Tenants is how many tenants have state held (for metrics and tests).
func (l *Limiter) Tenants() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// Sweep forgets tenants idle for IdleAfter with no stream open and both
// buckets full again, so forgetting them changes no future answer. It
// returns how many it evicted.
func (l *Limiter) Sweep() int {
	now := l.now()
	evicted := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for name, ts := range sh.m {
			ts.mu.Lock()
			if ts.streams == 0 && now.Sub(ts.lastUsed) >= l.idleAfter && ts.requests.full(now) && ts.upload.full(now) {
				delete(sh.m, name)
				ts.name = "" // tells a caller that found it before the delete to look again
				evicted++
			}
			ts.mu.Unlock()
		}
		sh.mu.Unlock()
	}
	return evicted
}

// Run sweeps every IdleAfter/2 until ctx is done. Start it in a goroutine
// owned by whoever owns the limiter.
func (l *Limiter) Run(ctx context.Context) {
	t := time.NewTicker(l.idleAfter / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Sweep()
		}
	}
}
