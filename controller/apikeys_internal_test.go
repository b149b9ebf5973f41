package controller

import (
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
