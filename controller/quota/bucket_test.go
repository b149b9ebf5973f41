package quota

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBucket(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		at       time.Duration // since t0
		n        float64
		ok       bool
		wantWait time.Duration
	}
	tests := []struct {
		name       string
		rate, size float64
		steps      []step
	}{
		{"unlimited", 0, 0, []step{{0, 1e9, true, 0}, {0, 1e9, true, 0}}},
		{"burst then refused", 50, 2, []step{
			{0, 1, true, 0}, {0, 1, true, 0},
			{0, 1, false, 20 * time.Millisecond}, // one token at 50/s
			{10 * time.Millisecond, 1, false, 10 * time.Millisecond},
			{20 * time.Millisecond, 1, true, 0}, // exactly the promised wait
			{20 * time.Millisecond, 1, false, 20 * time.Millisecond},
		}},
		{"refill is capped at size", 10, 3, []step{
			{0, 3, true, 0},
			{time.Hour, 3, true, 0},
			{time.Hour, 1, false, 100 * time.Millisecond},
		}},
		{"wait rounds up to a millisecond", 3, 1, []step{
			{0, 1, true, 0},
			{0, 1, false, 334 * time.Millisecond}, // 333.33ms
		}},
		{"fractional rate", 0.5, 1, []step{
			{0, 1, true, 0},
			{time.Second, 1, false, time.Second},
			{2 * time.Second, 1, true, 0},
		}},
		{"oversized take only when full, then debt", 100, 1000, []step{
			{0, 10, true, 0},
			{0, 5000, false, 100 * time.Millisecond}, // waits until full
			{100 * time.Millisecond, 5000, true, 0},  // into debt: -4000
			{100 * time.Millisecond, 1, false, 40010 * time.Millisecond},
			{40110 * time.Millisecond, 1, true, 0},
		}},
		{"clock stepping back earns nothing", 1, 1, []step{
			{10 * time.Second, 1, true, 0},
			{5 * time.Second, 1, false, time.Second},
			{11 * time.Second, 1, true, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBucket(tt.rate, tt.size, t0)
			for i, s := range tt.steps {
				ok, wait := b.take(t0.Add(s.at), s.n)
				assert.Equal(t, s.ok, ok, "step %d", i)
				assert.Equal(t, s.wantWait, wait, "step %d", i)
			}
		})
	}
}

func TestBucketResizeKeepsWhatWasSpent(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBucket(10, 10, t0)
	ok, _ := b.take(t0, 8)
	assert.True(t, ok)

	b.resize(100, 100, t0) // raised: still 2 tokens, not a fresh 100
	ok, _ = b.take(t0, 3)
	assert.False(t, ok)
	ok, _ = b.take(t0.Add(10*time.Millisecond), 3)
	assert.True(t, ok, "the new rate refills")

	b.resize(1, 1, t0.Add(time.Hour)) // cut: capped at the new size
	ok, _ = b.take(t0.Add(time.Hour), 1)
	assert.True(t, ok)
	ok, _ = b.take(t0.Add(time.Hour), 1)
	assert.False(t, ok)

	b.resize(0, 0, t0) // unlimited
	ok, _ = b.take(t0, 1e9)
	assert.True(t, ok)
	b.resize(1, 1, t0) // limited again: starts full
	ok, _ = b.take(t0, 1)
	assert.True(t, ok)
	ok, _ = b.take(t0, 1)
	assert.False(t, ok)
}

func TestBucketFull(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBucket(1, 2, t0)
	assert.True(t, b.full(t0))
	b.take(t0, 1)
	assert.False(t, b.full(t0))
	assert.False(t, b.full(t0.Add(999*time.Millisecond)))
	assert.True(t, b.full(t0.Add(time.Second)))
	unlimited := newBucket(0, 0, t0)
	assert.True(t, unlimited.full(t0))
}
