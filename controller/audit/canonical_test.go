package audit

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sealedEntry(t *testing.T) Entry {
	t.Helper()
	e := validEntry()
	e.Args = json.RawMessage(`{"agent_id":"a-1","n":1}`)
	e.Remote, e.RequestID = "10.0.0.1", "r-1"
	sealed, err := NewChain("acme").Append(e)
	require.NoError(t, err)
	return sealed
}

func TestMarshalJSONFixedOrderAllFields(t *testing.T) {
	e := sealedEntry(t)
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Equal(t, `{"tenant":"acme","seq":1,"time":"2025-03-01T09:30:00.123456789Z",`+
		`"actor":{"kind":"key","id":"k1","name":""},"action":"/driftmgr.v1.AgentsService/ListAgents",`+
		`"args":{"agent_id":"a-1","n":1},"remote":"10.0.0.1","request_id":"r-1","outcome":"ok","error":"",`+
		`"prev_hash":"","hash":"`+e.Hash+`"}`, string(b))
}

func TestHashIgnoresPresentationOnly(t *testing.T) {
	e := sealedEntry(t)
	same := []func(Entry) Entry{
		func(e Entry) Entry { e.Args = json.RawMessage("{\n  \"n\": 1,\n  \"agent_id\": \"a-1\"\n}"); return e },
		func(e Entry) Entry { e.Time = e.Time.In(time.FixedZone("X", -7*3600)); return e },
		func(e Entry) Entry { e.Args = json.RawMessage(`{"agent_id":"\u0061-1","n":1}`); return e },
	}
	for i, f := range same {
		assert.Equal(t, e.Hash, f(e).ComputeHash(), "variant %d", i)
	}
}

func TestHashCoversEveryField(t *testing.T) {
	e := sealedEntry(t)
	changes := map[string]func(*Entry){
		"tenant":     func(e *Entry) { e.Tenant = "acme2" },
		"seq":        func(e *Entry) { e.Seq = 2 },
		"time":       func(e *Entry) { e.Time = e.Time.Add(time.Nanosecond) },
		"actor kind": func(e *Entry) { e.Actor.Kind = ActorUser },
		"actor id":   func(e *Entry) { e.Actor.ID = "k2" },
		"actor name": func(e *Entry) { e.Actor.Name = "x" },
		"action":     func(e *Entry) { e.Action += "x" },
		"args value": func(e *Entry) { e.Args = json.RawMessage(`{"agent_id":"a-1","n":2}`) },
		"args num":   func(e *Entry) { e.Args = json.RawMessage(`{"agent_id":"a-1","n":1.0}`) },
		"args key":   func(e *Entry) { e.Args = json.RawMessage(`{"agent_id":"a-1","m":1}`) },
		"remote":     func(e *Entry) { e.Remote = "10.0.0.2" },
		"request id": func(e *Entry) { e.RequestID = "r-2" },
		"outcome":    func(e *Entry) { e.Outcome = "internal" },
		"error":      func(e *Entry) { e.Error = "x" },
		"prev hash":  func(e *Entry) { e.PrevHash = "00" },
		"field boundary": func(e *Entry) { // moving text between fields
			e.Remote, e.RequestID = "10.0.0.1r", "-1"
		},
	}
	seen := map[string]string{e.Hash: "original"}
	for name, change := range changes {
		c := e
		change(&c)
		h := c.ComputeHash()
		if other, dup := seen[h]; dup {
			t.Errorf("changing %s gives the same hash as %s", name, other)
		}
		seen[h] = name
	}
}

func TestCanonicalArgs(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{``, `{}`},
		{`  `, `{}`},
		{`{}`, `{}`},
		{`{"b":[3,{"z":null,"a":true}],"a":"x"}`, `{"a":"x","b":[3,{"a":true,"z":null}]}`},
		{`{"n":1e3,"m":-0.10}`, `{"m":-0.10,"n":1e3}`},
		{`{"html":"<a href='x'>&</a>"}`, `{"html":"<a href='x'>&</a>"}`},
		{`{"u":"\u00e9\n"}`, `{"u":"é\n"}`},
	}
	for _, tt := range tests {
		got, err := canonicalArgs(json.RawMessage(tt.in))
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, string(got), tt.in)
	}
	for _, bad := range []string{`[]`, `"s"`, `{"a":1,"a":1}`, `{"a":1}x`, `{1:2}`, `{"a"`, `{"a":[}`} {
		for range 2 { // the second time too: a refusal is not remembered as an answer
			_, err := canonicalArgs(json.RawMessage(bad))
			assert.Error(t, err, bad)
		}
	}
}

func TestCanonicalArgsCacheHandsOutCopies(t *testing.T) {
	in := json.RawMessage(`{"b":2,"a":1}`)
	first, err := canonicalArgs(in)
	require.NoError(t, err)
	first[2] = 'X' // a caller scribbling on its Args
	again, err := canonicalArgs(in)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1,"b":2}`, string(again))

	big := json.RawMessage(`{"s":"` + strings.Repeat("x", argsCacheMaxSize) + `"}`)
	_, err = canonicalArgs(big)
	require.NoError(t, err)
	_, kept := canonicalCache.get(big)
	assert.False(t, kept, "large Args are not kept")
	for i := range argsCacheMax + 1 {
		_, err := canonicalArgs(json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)))
		require.NoError(t, err)
	}
	canonicalCache.mu.Lock()
	defer canonicalCache.mu.Unlock()
	assert.LessOrEqual(t, len(canonicalCache.m), argsCacheMax)
}

func TestInvalidArgsStillEncodeAndFailVerification(t *testing.T) {
	e := sealedEntry(t)
	for _, args := range []string{`[1, 2]`, `not json`, `{"a":1,"a":2}`} {
		c := e
		c.Args = json.RawMessage(args)
		b, err := c.MarshalJSON()
		require.NoError(t, err)
		assert.True(t, json.Valid(b), "%s encodes as JSON: %s", args, b)
		assert.ErrorIs(t, Verify([]Entry{c}), ErrAltered)
	}
}
