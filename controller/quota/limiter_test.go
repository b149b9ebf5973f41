package quota

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestLimiter(t *testing.T, cfg Config) (*Limiter, *manualClock) {
	t.Helper()
	clk := newManualClock()
	cfg.Now = clk.Now
	return NewLimiter(cfg), clk
}

func exceeded(t *testing.T, err error) *ExceededError {
	t.Helper()
	var qe *ExceededError
	require.ErrorAs(t, err, &qe)
	require.ErrorIs(t, err, ErrExceeded)
	return qe
}

func TestAllowRequestRefusesOverRateAndSaysWhenToRetry(t *testing.T) {
	l, clk := newTestLimiter(t, Config{Default: Limits{RequestsPerSecond: 50, Burst: 5}})
	for i := range 5 {
		require.NoError(t, l.AllowRequest("acme"), "call %d within the burst", i)
	}
	qe := exceeded(t, l.AllowRequest("acme"))
	assert.Equal(t, &ExceededError{Tenant: "acme", Limit: LimitRequests, Used: 5, Max: 50, RetryAfter: 20 * time.Millisecond}, qe)

	clk.Advance(qe.RetryAfter)
	require.NoError(t, l.AllowRequest("acme"), "a retry after RetryAfter succeeds")
	require.Error(t, l.AllowRequest("acme"))
}

func TestTenantsAreIsolated(t *testing.T) {
	l, _ := newTestLimiter(t, Config{Default: Limits{RequestsPerSecond: 1, MaxStreams: 1, UploadBytesPerMinute: 100}})
	// acme exhausts everything it has.
	require.NoError(t, l.AllowRequest("acme"))
	require.Error(t, l.AllowRequest("acme"))
	_, err := l.AcquireStream("acme")
	require.NoError(t, err)
	_, err = l.AcquireStream("acme")
	require.Error(t, err)
	require.NoError(t, l.AllowUpload("acme", 100))
	require.Error(t, l.AllowUpload("acme", 1))

	// globex is untouched by it.
	require.NoError(t, l.AllowRequest("globex"))
	_, err = l.AcquireStream("globex")
	require.NoError(t, err)
	require.NoError(t, l.AllowUpload("globex", 100))
}

func TestNoisyTenantDoesNotConsumeOthersAllowance(t *testing.T) {
	l, _ := newTestLimiter(t, Config{Default: Limits{RequestsPerSecond: 10, Burst: 10}})
	var wg sync.WaitGroup
	var refusedNoisy atomic.Int64
	var refusedQuiet sync.Map
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if err := l.AllowRequest("noisy"); err != nil {
					refusedNoisy.Add(1)
				}
			}
		})
	}
	for q := range 100 {
		wg.Go(func() {
			tenant := fmt.Sprintf("quiet-%d", q)
			for range 10 {
				if err := l.AllowRequest(tenant); err != nil {
					refusedQuiet.Store(tenant, err)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(8000-10), refusedNoisy.Load(), "the noisy tenant gets its burst and no more")
	refusedQuiet.Range(func(k, v any) bool {
		t.Errorf("quiet tenant %v refused: %v", k, v)
		return true
	})
}

func TestAllowUpload(t *testing.T) {
	l, clk := newTestLimiter(t, Config{Default: Limits{UploadBytesPerMinute: 6000}})
	require.NoError(t, l.AllowUpload("acme", 0), "nothing to charge")
	require.NoError(t, l.AllowUpload("acme", 6000))
	qe := exceeded(t, l.AllowUpload("acme", 600))
	assert.Equal(t, &ExceededError{Tenant: "acme", Limit: LimitUploadBytes, Used: 600, Max: 6000, RetryAfter: 6 * time.Second}, qe)
	clk.Advance(6 * time.Second)
	require.NoError(t, l.AllowUpload("acme", 600))

	// One upload bigger than a minute's allowance goes through once the
	// allowance is full, and then the tenant waits off the excess.
	clk.Advance(time.Minute)
	require.NoError(t, l.AllowUpload("acme", 12000))
	qe = exceeded(t, l.AllowUpload("acme", 1))
	assert.Equal(t, 60*time.Second+10*time.Millisecond, qe.RetryAfter)
}

func TestUnlimitedTenant(t *testing.T) {
	l, _ := newTestLimiter(t, Config{})
	for range 1000 {
		require.NoError(t, l.AllowRequest("acme"))
		require.NoError(t, l.AllowUpload("acme", 1<<30))
	}
	for range 1000 {
		_, err := l.AcquireStream("acme")
		require.NoError(t, err)
	}
	require.NoError(t, l.CheckCount("acme", Agents, 1e9, 1))
}

func TestAcquireStream(t *testing.T) {
	l, _ := newTestLimiter(t, Config{Default: Limits{MaxStreams: 2}})
	r1, err := l.AcquireStream("acme")
	require.NoError(t, err)
	r2, err := l.AcquireStream("acme")
	require.NoError(t, err)
	assert.Equal(t, 2, l.OpenStreams("acme"))

	r3, err := l.AcquireStream("acme")
	qe := exceeded(t, err)
	assert.Equal(t, &ExceededError{Tenant: "acme", Limit: LimitStreams, Used: 2, Max: 2}, qe)
	r3() // the no-op release of a refusal frees nothing
	assert.Equal(t, 2, l.OpenStreams("acme"))

	r1()
	r1() // twice is once
	assert.Equal(t, 1, l.OpenStreams("acme"))
	r4, err := l.AcquireStream("acme")
	require.NoError(t, err)
	r2()
	r4()
	assert.Equal(t, 0, l.OpenStreams("acme"))
	assert.Equal(t, 0, l.OpenStreams("never-seen"))
}

func TestCheckCount(t *testing.T) {
	l, _ := newTestLimiter(t, Config{Default: Limits{MaxAgents: 10, MaxResources: 100}})
	tests := []struct {
		name              string
		kind              Kind
		current, adding   int64
		wantUsed, wantMax float64
	}{
		{"agents below", Agents, 5, 1, 0, 0},
		{"agents up to the cap", Agents, 9, 1, 0, 0},
		{"agents over", Agents, 10, 1, 11, 10},
		{"nothing added while over (after a cut)", Agents, 20, 0, 0, 0},
		{"removing while over", Resources, 200, -5, 0, 0},
		{"resources batch over", Resources, 90, 20, 110, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.CheckCount("acme", tt.kind, tt.current, tt.adding)
			if tt.wantMax == 0 {
				require.NoError(t, err)
				return
			}
			qe := exceeded(t, err)
			assert.Equal(t, tt.wantUsed, qe.Used)
			assert.Equal(t, tt.wantMax, qe.Max)
			assert.Zero(t, qe.RetryAfter, "waiting does not make room")
		})
	}
	require.ErrorIs(t, l.CheckCount("acme", Kind(99), 0, 1), ErrUnknownKind)
	assert.Zero(t, l.Tenants(), "counting holds no state")
}

func TestLimitsChangeWhileRunning(t *testing.T) {
	l, clk := newTestLimiter(t, Config{
		Default: Limits{RequestsPerSecond: 1},
		Tenants: map[string]Limits{"big": {RequestsPerSecond: 100}},
	})
	assert.Equal(t, Limits{RequestsPerSecond: 100}, l.LimitsFor("big"))
	assert.Equal(t, Limits{RequestsPerSecond: 1}, l.LimitsFor("small"))
	require.NoError(t, l.AllowRequest("small"))
	require.Error(t, l.AllowRequest("small"))

	// Raising the plan takes effect on the next call, with what was spent
	// kept: the bucket refills at the new rate.
	require.NoError(t, l.SetTenant("small", Limits{RequestsPerSecond: 100, MaxStreams: 1}))
	require.Error(t, l.AllowRequest("small"))
	clk.Advance(10 * time.Millisecond)
	require.NoError(t, l.AllowRequest("small"))
	_, err := l.AcquireStream("small")
	require.NoError(t, err)
	_, err = l.AcquireStream("small")
	require.Error(t, err)

	l.ClearTenant("small")
	assert.Equal(t, Limits{RequestsPerSecond: 1}, l.LimitsFor("small"))
	require.NoError(t, l.SetDefault(Limits{}))
	for range 100 {
		require.NoError(t, l.AllowRequest("small"), "unlimited now")
	}
	require.NoError(t, l.AllowRequest("big"))

	assert.EqualError(t, l.SetDefault(Limits{MaxAgents: -1}), "quota: default.max_agents: must not be negative (got -1)")
	assert.EqualError(t, l.SetTenant("acme", Limits{MaxAgents: -1}), "quota: tenants.acme.max_agents: must not be negative (got -1)")
	assert.EqualError(t, l.SetTenant("", Limits{}), "quota: tenants: a tenant name is empty")
}

func TestSweepEvictsOnlyIdleTenantsItCanForget(t *testing.T) {
	l, clk := newTestLimiter(t, Config{Default: Limits{RequestsPerSecond: 1, Burst: 1, MaxStreams: 5}, IdleAfter: time.Minute})
	require.NoError(t, l.AllowRequest("idle"))
	release, err := l.AcquireStream("streaming")
	require.NoError(t, err)
	require.Equal(t, 2, l.Tenants())

	clk.Advance(30 * time.Second)
	assert.Zero(t, l.Sweep(), "not idle long enough")
	require.NoError(t, l.AllowRequest("busy"))
	clk.Advance(30 * time.Second)
	assert.Equal(t, 1, l.Sweep(), "idle for a minute goes; an open stream keeps a tenant; busy was seen 30s ago")
	assert.Equal(t, 2, l.Tenants())

	release()
	clk.Advance(time.Minute)
	assert.Equal(t, 2, l.Sweep())
	assert.Zero(t, l.Tenants())

	// An evicted tenant comes back with a fresh, full allowance, which it
	// had earned anyway.
	require.NoError(t, l.AllowRequest("idle"))
	assert.Equal(t, 1, l.Tenants())
}

func TestSweepKeepsATenantStillPayingOffDebt(t *testing.T) {
	l, clk := newTestLimiter(t, Config{Default: Limits{UploadBytesPerMinute: 60}, IdleAfter: time.Second})
	require.NoError(t, l.AllowUpload("acme", 600)) // ten minutes of debt
	clk.Advance(5 * time.Minute)
	assert.Zero(t, l.Sweep(), "forgetting it would forgive the debt")
	clk.Advance(6 * time.Minute)
	assert.Equal(t, 1, l.Sweep())
}

func TestEvictionRacesWithCalls(t *testing.T) {
	clk := newManualClock()
	l := NewLimiter(Config{Default: Limits{RequestsPerSecond: 1e9, MaxStreams: 1000}, IdleAfter: time.Nanosecond, Now: clk.Now})
	ctx, cancel := context.WithCancel(context.Background())
	var sweeper, wg sync.WaitGroup
	sweeper.Go(func() {
		for ctx.Err() == nil {
			clk.Advance(time.Second)
			l.Sweep()
		}
	})
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				tenant := fmt.Sprintf("t%d", (g+i)%7)
				if err := l.AllowRequest(tenant); err != nil {
					t.Error(err)
				}
				release, err := l.AcquireStream(tenant)
				if err != nil {
					t.Error(err)
				}
				release()
			}
		})
	}
	wg.Wait()
	cancel()
	sweeper.Wait()
	for i := range 7 {
		assert.Zero(t, l.OpenStreams(fmt.Sprintf("t%d", i)))
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	l := NewLimiter(Config{IdleAfter: 2 * time.Millisecond})
	require.NoError(t, l.AllowRequest("acme"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	require.Eventually(t, func() bool { return l.Tenants() == 0 }, 5*time.Second, time.Millisecond, "Run sweeps")
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	assert.True(t, errors.Is(ctx.Err(), context.Canceled))
}
