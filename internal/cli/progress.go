package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress shows what a long scan is doing on a terminal's stderr. It stays
// silent for the first second, so quick scans print nothing extra, and it
// is a no-op when stderr is not a terminal, so logs and CI output stay
// clean.
type progress struct {
	w       io.Writer
	enabled bool
	delay   time.Duration
	tick    time.Duration

	mu     sync.Mutex
	msg    string
	lines  []string // shown under msg, one per account/region
	drawn  int      // lines on screen now
	done   chan struct{}
	wg     sync.WaitGroup
	frames []string
}

func newProgress(w io.Writer, enabled bool) *progress {
	return &progress{w: w, enabled: enabled, delay: time.Second, tick: 100 * time.Millisecond,
		frames: []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}}
}

// start begins drawing after the delay; stop must be called.
func (p *progress) start() {
	if !p.enabled {
		return
	}
	p.done = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case <-p.done:
			return
		case <-time.After(p.delay):
		}
		t := time.NewTicker(p.tick)
		defer t.Stop()
		for i := 0; ; i++ {
			p.draw(p.frames[i%len(p.frames)])
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	}()
}

func (p *progress) set(format string, args ...any) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	p.msg = fmt.Sprintf(format, args...)
	p.mu.Unlock()
}

// setLines shows one line per item (a bar per account and region) under
// the message.
func (p *progress) setLines(lines []string) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	p.lines = lines
	p.mu.Unlock()
}

func (p *progress) draw(frame string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	p.rewind(&b)
	fmt.Fprintf(&b, "\033[K%s %s", frame, p.msg)
	for _, l := range p.lines {
		fmt.Fprintf(&b, "\n\033[K  %s", l)
	}
	p.drawn = 1 + len(p.lines)
	io.WriteString(p.w, b.String())
}

// rewind moves the cursor back to the start of what was drawn.
func (p *progress) rewind(b *strings.Builder) {
	b.WriteString("\r")
	for range max(0, p.drawn-1) {
		b.WriteString("\033[1A")
	}
}

// stop ends drawing and clears the line.
func (p *progress) stop() {
	if !p.enabled || p.done == nil {
		return
	}
	close(p.done)
	p.wg.Wait()
	p.done = nil
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn > 0 {
		var b strings.Builder
		p.rewind(&b)
		b.WriteString("\033[J") // clear to the end of the screen
		io.WriteString(p.w, b.String())
		p.drawn = 0
	}
}

// bar renders done/total as a fixed-width bar.
func bar(done, total, width int) string {
	if total <= 0 {
		return strings.Repeat("░", width)
	}
	n := min(width, done*width/total)
	return strings.Repeat("█", n) + strings.Repeat("░", width-n)
}
