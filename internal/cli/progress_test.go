package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
	assert.True(t, strings.HasSuffix(out, "\r\033[K"), "the line is cleared at the end: %q", out)
	p.stop() // a second stop is harmless
}

func TestIsTerminal(t *testing.T) {
	assert.False(t, isTerminal(&bytes.Buffer{}))
}
