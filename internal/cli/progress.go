package cli

import (
	"fmt"
	"io"
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
	drawn  bool
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

func (p *progress) draw(frame string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K%s %s", frame, p.msg)
	p.drawn = true
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
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}
