package scan

import (
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Engine runs a set of checks over an inventory.
type Engine struct {
	checks []*Check
	byID   map[string]*Check
	byType map[string][]*Check
	// Now is the clock for age-based checks (key rotation); tests pin it.
	Now time.Time
	// Workers bounds the goroutines evaluating checks (default GOMAXPROCS).
	Workers int
}

// NewEngine prepares checks for evaluation; nil means every built-in check.
func NewEngine(checks []*Check) *Engine {
	if checks == nil {
		checks = Builtin()
	}
	e := &Engine{byID: map[string]*Check{}, byType: map[string][]*Check{}, Now: time.Now().UTC()}
	for _, c := range checks {
		e.checks = append(e.checks, c)
		e.byID[c.ID] = c
		if c.Eval == nil {
			continue
		}
		for _, t := range c.Types {
			e.byType[t] = append(e.byType[t], c)
		}
	}
	return e
}

// Checks returns the engine's checks in ID order.
func (e *Engine) Checks() []*Check { return e.checks }

// Check returns a check by ID.
func (e *Engine) Check(id string) *Check { return e.byID[id] }

// job is one check over a run of resources of its type.
type job struct {
	check *Check
	rs    []*resource.Resource
}

const jobSize = 2048

// Evaluate runs every check over the indexed inventory. Results are
// de-duplicated (a resource read twice, e.g. from two states, is judged
// once) and sorted by check, then resource.
func (e *Engine) Evaluate(ix *Index) []Result {
	ix.now = e.Now
	var jobs []job
	for _, typ := range resource.SortedKeys(e.byType) {
		rs := ix.OfType(typ)
		if len(rs) == 0 {
			continue
		}
		for _, c := range e.byType[typ] {
			for lo := 0; lo < len(rs); lo += jobSize {
				jobs = append(jobs, job{check: c, rs: rs[lo:min(lo+jobSize, len(rs))]})
			}
		}
	}
	out := make([][]Result, len(jobs))
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = runJob(ix, jobs[i])
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	n := 0
	for _, rs := range out {
		n += len(rs)
	}
	all := make([]Result, 0, n)
	for _, rs := range out {
		all = append(all, rs...)
	}
	return Dedupe(all)
}

func runJob(ix *Index, j job) []Result {
	var out []Result
	for _, r := range j.rs {
		o := j.check.Eval(ix, r)
		if o == nil {
			continue
		}
		out = append(out, newResult(j.check, r, o))
	}
	return out
}

// newResult turns an outcome into a result, redacting any evidence value
// that lies at a sensitive path of the subject.
func newResult(c *Check, r *resource.Resource, o *Outcome) Result {
	st := Fail
	if o.Pass {
		st = Pass
	}
	ev := o.Evidence
	for i := range ev {
		if ev[i].Resource == "" && resource.IsSensitive(ev[i].Path, r.Sensitive) && ev[i].Value != nil {
			ev[i].Value = resource.Redacted
		}
	}
	if ev == nil {
		ev = []Evidence{}
	}
	res := subjectResult(c, r)
	res.Status, res.Message, res.Evidence = st, o.Message, ev
	return res
}

func subjectResult(c *Check, r *resource.Resource) Result {
	return Result{CheckID: c.ID, Title: c.Title, Severity: c.Severity,
		Provider: r.Provider, Type: r.Type, ID: r.ID, Address: r.Address, Account: r.Account,
		Region: r.Region, Source: r.Source, Origin: r.Origin}
}

// Dedupe drops results that repeat an earlier one's check, resource and
// location, then sorts them.
func Dedupe(rs []Result) []Result {
	seen := make(map[string]bool, len(rs))
	out := rs[:0]
	for _, r := range rs {
		k := r.key()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	Sort(out)
	return out
}

// Sort orders results by check ID, provider, type, id and location.
func Sort(rs []Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := &rs[i], &rs[j]
		if a.CheckID != b.CheckID {
			return a.CheckID < b.CheckID
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return locLess(a.Location, b.Location)
	})
}

func locLess(a, b *Location) bool {
	switch {
	case a == nil:
		return b != nil
	case b == nil:
		return false
	case a.Path != b.Path:
		return a.Path < b.Path
	}
	return a.Line < b.Line
}
