package controller

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyUsageKeepsTheLatestUsePerKey(t *testing.T) {
	u := newKeyUsage()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 1000 {
		u.record("b", t0.Add(time.Duration(i)*time.Millisecond))
	}
	u.record("a", t0)
	u.record("a", t0.Add(-time.Hour)) // an older use arriving late
	uses := u.take()
	require.Len(t, uses, 2, "a thousand uses are one entry")
	assert.Equal(t, "a", uses[0].GetKeyId())
	assert.True(t, uses[0].GetAt().AsTime().Equal(t0))
	assert.Equal(t, "b", uses[1].GetKeyId())
	assert.True(t, uses[1].GetAt().AsTime().Equal(t0.Add(999*time.Millisecond)))
	assert.Empty(t, u.take(), "taken uses are gone")

	// A failed flush puts its uses back unless newer ones came meanwhile.
	u.record("b", t0.Add(time.Hour))
	u.restore(uses)
	again := u.take()
	require.Len(t, again, 2)
	assert.True(t, again[0].GetAt().AsTime().Equal(t0))
	assert.True(t, again[1].GetAt().AsTime().Equal(t0.Add(time.Hour)))
}

func TestKeyCacheHoldsAnEntryForItsGenerationOnly(t *testing.T) {
	c := newKeyCache()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c.put("k1", cachedKey{gen: 7, p: Principal{Kind: "key", Tenant: "acme", ID: "k1"}})
	e, ok := c.get("k1", 7, now)
	require.True(t, ok)
	assert.Equal(t, "acme", e.p.Tenant)
	_, ok = c.get("k1", 8, now)
	assert.False(t, ok, "the state changed since: resolve again")
	_, ok = c.get("k2", 7, now)
	assert.False(t, ok)

	c.put("k3", cachedKey{gen: 7, expires: now.Add(time.Second)})
	_, ok = c.get("k3", 7, now)
	assert.True(t, ok)
	_, ok = c.get("k3", 7, now.Add(time.Second))
	assert.False(t, ok, "an expired key is resolved again, to be refused as expired")

	for i := range keyCacheMax + 10 {
		c.put(fmt.Sprint("x", i), cachedKey{gen: 7})
	}
	assert.LessOrEqual(t, len(c.m), keyCacheMax, "bounded")
}
