package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressSilentWhenDisabled(t *testing.T) {
	var buf syncBuffer
	p := newProgress(&buf, false)
	p.start()
	p.set("working %d", 1)
	p.stop()
	assert.Empty(t, buf.String())
}

func TestProgressQuietForShortWork(t *testing.T) {
	var buf syncBuffer
	p := newProgress(&buf, true)
	p.delay = time.Hour
	p.start()
	p.set("reading")
	p.stop()
	assert.Empty(t, buf.String(), "work shorter than the delay prints nothing")
}

func TestProgressDrawsAndClears(t *testing.T) {
	var buf syncBuffer
	p := newProgress(&buf, true)
	p.delay, p.tick = time.Millisecond, time.Millisecond
	p.set("reading states: %d/%d", 1, 2)
	p.start()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "reading states: 1/2") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.stop()
	out := buf.String()
	assert.Contains(t, out, "reading states: 1/2")
	assert.True(t, strings.HasSuffix(out, "\r\033[J"), "the line is cleared at the end: %q", out)
	p.stop() // a second stop is harmless
}

func TestIsTerminal(t *testing.T) {
	assert.False(t, isTerminal(&bytes.Buffer{}))
}

func TestProgressLinesPerScope(t *testing.T) {
	var buf syncBuffer
	p := newProgress(&buf, true)
	p.delay, p.tick = time.Millisecond, time.Millisecond
	p.set("discovering")
	p.setLines([]string{"aws 1/us-east-1 " + bar(1, 2, 4), "aws 1/eu-west-1 " + bar(2, 2, 4)})
	p.start()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(buf.String(), "eu-west-1") < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.stop()
	out := buf.String()
	assert.Contains(t, out, "aws 1/us-east-1 ██░░")
	assert.Contains(t, out, "aws 1/eu-west-1 ████")
	assert.Contains(t, out, "\033[1A", "redraws move back up over the bars")
	assert.True(t, strings.HasSuffix(out, "\033[J"), "everything drawn is cleared")
}

func TestBar(t *testing.T) {
	assert.Equal(t, "░░░░", bar(0, 0, 4))
	assert.Equal(t, "██░░", bar(1, 2, 4))
	assert.Equal(t, "████", bar(9, 2, 4), "never wider than the bar")
}

func TestScopeLines(t *testing.T) {
	scopes := map[discovery.Scope][2]int{
		{Provider: "aws", Account: "111", Region: "us-east-1"}: {3, 11},
		{Provider: "aws", Account: "111"}:                      {7, 7},
		{Provider: "aws", Account: "222", Region: "us-east-1"}: {0, 11},
	}
	lines := scopeLines(scopes, 2)
	require.Len(t, lines, 3)
	assert.Contains(t, lines[0], "global")
	assert.Contains(t, lines[0], "7/7")
	assert.Contains(t, lines[1], "us-east-1")
	assert.Contains(t, lines[1], "3/11")
	assert.Equal(t, "… and 1 more", lines[2])
}
