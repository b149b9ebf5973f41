package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validEntry() Entry {
	return Entry{Time: t0, Actor: Actor{Kind: ActorKey, ID: "k1"}, Action: "/driftmgr.v1.AgentsService/ListAgents", Outcome: OutcomeOK}
}

func TestChainAppendSealsEntries(t *testing.T) {
	c := NewChain("acme")
	assert.Equal(t, "acme", c.Tenant())
	seq, head := c.Head()
	assert.Zero(t, seq)
	assert.Empty(t, head)

	in := validEntry()
	in.Time = time.Date(2025, 3, 1, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	in.Args = json.RawMessage(`{ "b": 1, "a": {"y": "<x>", "x": 2.50} }`)
	in.Error = strings.Repeat("é", MaxErrorLen) // 2 bytes a rune
	first, err := c.Append(in)
	require.NoError(t, err)
	assert.Equal(t, "acme", first.Tenant, "filled in")
	assert.Equal(t, uint64(1), first.Seq)
	assert.Empty(t, first.PrevHash)
	assert.Equal(t, first.ComputeHash(), first.Hash)
	assert.Len(t, first.Hash, 64)
	assert.Equal(t, time.UTC, first.Time.Location())
	assert.True(t, first.Time.Equal(in.Time))
	assert.Equal(t, `{"a":{"x":2.50,"y":"<x>"},"b":1}`, string(first.Args), "canonical: sorted, compact, numbers as written")
	assert.Equal(t, strings.Repeat("é", MaxErrorLen/2)+"…(+512 bytes)", first.Error, "clipped on a rune boundary")

	second, err := c.Append(validEntry())
	require.NoError(t, err)
	assert.Equal(t, uint64(2), second.Seq)
	assert.Equal(t, first.Hash, second.PrevHash)
	assert.Equal(t, "{}", string(second.Args), "no args is an empty object")
	seq, head = c.Head()
	assert.Equal(t, uint64(2), seq)
	assert.Equal(t, second.Hash, head)
	require.NoError(t, Verify([]Entry{first, second}))
}

func TestChainAppendRefuses(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Entry)
		wantErr string
	}{
		{"another tenant", func(e *Entry) { e.Tenant = "globex" }, "audit: append to tenant acme: entry is for tenant globex: wrong tenant"},
		{"no time", func(e *Entry) { e.Time = time.Time{} }, "audit: append to tenant acme: time is required"},
		{"unknown actor", func(e *Entry) { e.Actor.Kind = "robot" }, `audit: append to tenant acme: actor kind "robot" is not one of user, key, agent, controller, anonymous`},
		{"no actor", func(e *Entry) { e.Actor = Actor{} }, `audit: append to tenant acme: actor kind "" is not one of`},
		{"no action", func(e *Entry) { e.Action = "" }, "audit: append to tenant acme: action is required"},
		{"no outcome", func(e *Entry) { e.Outcome = "" }, `audit: append to tenant acme: outcome is required`},
		{"args an array", func(e *Entry) { e.Args = json.RawMessage(`[1]`) }, "audit: append to tenant acme: args: want a JSON object"},
		{"args not JSON", func(e *Entry) { e.Args = json.RawMessage(`{"a":`) }, "audit: append to tenant acme: args: unexpected EOF"},
		{"args with a duplicate key", func(e *Entry) { e.Args = json.RawMessage(`{"a":1,"a":2}`) }, `audit: append to tenant acme: args: duplicate key "a"`},
		{"args with trailing data", func(e *Entry) { e.Args = json.RawMessage(`{"a":1} {}`) }, "audit: append to tenant acme: args: data after the object"},
		{"args nested too deep", func(e *Entry) {
			e.Args = json.RawMessage(`{"a":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`)
		}, "audit: append to tenant acme: args: nested deeper than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChain("acme")
			e := validEntry()
			tt.edit(&e)
			_, err := c.Append(e)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			seq, _ := c.Head()
			assert.Zero(t, seq, "a refused entry takes no seq")
		})
	}
}

func TestChainsAreDeterministic(t *testing.T) {
	a, b := sampleChain(t, "acme"), sampleChain(t, "acme")
	require.Equal(t, a, b, "the same appends give the same chain on every replica")
	other := sampleChain(t, "globex")
	assert.NotEqual(t, a[0].Hash, other[0].Hash, "the tenant is part of every hash")
}

func TestResumeChain(t *testing.T) {
	entries := sampleChain(t, "acme")
	c, err := ResumeChain(entries[len(entries)-1])
	require.NoError(t, err)
	next, err := c.Append(validEntry())
	require.NoError(t, err)
	assert.Equal(t, uint64(8), next.Seq)
	require.NoError(t, Verify(append(entries, next)))

	altered := entries[2]
	altered.Remote = "10.9.9.9"
	_, err = ResumeChain(altered)
	require.ErrorIs(t, err, ErrAltered)
	assert.Equal(t, "audit: tenant acme: entry 3 (position 0): altered: its contents do not match its hash", err.Error())

	_, err = ResumeChain(Entry{Tenant: "acme"})
	assert.EqualError(t, err, "audit: resume chain: entry has no seq")
}

func TestChainConcurrentAppends(t *testing.T) {
	c := NewChain("acme")
	var (
		mu  sync.Mutex
		all []Entry
		wg  sync.WaitGroup
	)
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				e := validEntry()
				e.RequestID = fmt.Sprintf("g%d-%d", g, i)
				sealed, err := c.Append(e)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				all = append(all, sealed)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(all, func(a, b Entry) int { return int(a.Seq) - int(b.Seq) })
	require.Len(t, all, 200)
	require.NoError(t, Verify(all), "concurrent appends still form one unbroken chain")
}
