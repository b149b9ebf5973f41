package quota

import (
	"math"
	"time"
)

// bucket is a token bucket: it holds up to size tokens and gains rate per
// second. It is not safe for concurrent use; the tenant's mutex guards it.
//
// Written here rather than taken from golang.org/x/time/rate because a
// refusal must say how long to wait without reserving tokens, a byte
// bucket must let one oversized upload through into debt, and tests drive
// it with a manual clock.
type bucket struct {
	rate   float64 // tokens per second; 0 means unlimited
	size   float64
	tokens float64
	last   time.Time
}

func newBucket(rate, size float64, now time.Time) bucket {
	return bucket{rate: rate, size: size, tokens: size, last: now}
}

// refill adds what was earned since the last call. A clock that steps
// backwards earns nothing rather than taking tokens away.
func (b *bucket) refill(now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = math.Min(b.size, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
}

// take removes n tokens if it can. If it cannot, it removes nothing and
// returns how long until it could. An n larger than the bucket is let
// through only when the bucket is full, leaving it in debt.
func (b *bucket) take(now time.Time, n float64) (ok bool, wait time.Duration) {
	if b.rate == 0 {
		return true, 0
	}
	b.refill(now)
	if b.tokens+epsilon >= n || (n > b.size && b.tokens+epsilon >= b.size) {
		b.tokens -= n
		return true, 0
	}
	need := math.Min(n, b.size) - b.tokens
	return false, ceilMillis(time.Duration(need / b.rate * float64(time.Second)))
}

// full reports whether the bucket would be full at now, i.e. whether
// forgetting it and starting afresh would change nothing.
func (b *bucket) full(now time.Time) bool {
	if b.rate == 0 {
		return true
	}
	b.refill(now)
	return b.tokens+epsilon >= b.size
}

// epsilon absorbs float rounding, so that waiting exactly the returned
// wait (0.02s x 50/s) always earns the token.
const epsilon = 1e-9

// resize applies new limits, keeping what was spent: a tenant whose rate
// is cut does not get a fresh bucket, and one whose rate is raised keeps
// its current tokens (capped at the new size).
func (b *bucket) resize(rate, size float64, now time.Time) {
	if b.rate == 0 || rate == 0 {
		*b = newBucket(rate, size, now)
		return
	}
	b.refill(now)
	b.rate, b.size = rate, size
	b.tokens = math.Min(b.tokens, size)
}

// ceilMillis rounds up to a whole millisecond, so a retry after the
// returned wait finds the tokens there and messages stay readable.
func ceilMillis(d time.Duration) time.Duration {
	if r := d % time.Millisecond; r != 0 {
		d += time.Millisecond - r
	}
	return d
}
