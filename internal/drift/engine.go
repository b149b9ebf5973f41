// Package drift compares Terraform state with the live cloud and reports
// what differs: resources MISSING from the cloud, UNMANAGED by any state,
// and MODIFIED attribute by attribute. It is pure (no I/O, no clocks, no
// randomness): the same inputs always give the same Result.
package drift

import (
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Options tune a comparison. The zero value compares everything.
type Options struct {
	// Ignore drops resources and attributes the user asked not to hear
	// about. Nil ignores nothing.
	Ignore Ignorer
	// Filter keeps only the resources it matches, on both sides. Nil keeps
	// all.
	Filter Filter
	// Workers bounds the goroutines that diff attributes; zero means
	// GOMAXPROCS.
	Workers int
}

// KindIgnorer is optionally implemented by an Ignorer whose rules can be
// scoped to one kind of drift (ignore UNMANAGED IAM users, still report
// them MISSING).
type KindIgnorer interface {
	IgnoreKind(k Kind, r *resource.Resource) bool
}

// Compare matches state against live resources with a hash join on
// (provider, type, identity) and reports the drift. Neither input is
// modified. A resource listed by several states is compared once.
func Compare(state, live []resource.Resource, opts Options) *Result {
	e := engine{opts: opts}
	st := e.selectResources(state)
	lv := e.selectResources(live)
	st = dedupe(st)
	st, lv = reconcile(st, lv)
	return e.run(st, lv)
}

type engine struct {
	opts Options
}

func (e *engine) selectResources(in []resource.Resource) []*resource.Resource {
	out := make([]*resource.Resource, 0, len(in))
	for i := range in {
		r := &in[i]
		if e.opts.Filter != nil && !e.opts.Filter.Match(r) {
			continue
		}
		if e.opts.Ignore != nil && e.opts.Ignore.IgnoreResource(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// dedupe drops state resources that an earlier state already listed: the
// same object in two states (a shared module, a copied workspace) is one
// object in the cloud.
func dedupe(st []*resource.Resource) []*resource.Resource {
	idx := newIndex(len(st))
	out := make([]*resource.Resource, 0, len(st))
	for _, r := range st {
		k := matchKey(r)
		if _, dup := idx.lookup(k, func(i int) bool { return sameScope(out[i], r) }); dup {
			continue
		}
		idx.add(k, len(out))
		out = append(out, r)
	}
	return out
}

type pair struct{ s, l int }

func (e *engine) run(st, lv []*resource.Resource) *Result {
	idx := newIndex(len(lv))
	for j, r := range lv {
		idx.add(matchKey(r), j)
	}
	claimed := make([]bool, len(lv))
	pairs := make([]pair, 0, len(st))
	var findings []Finding
	for i, s := range st {
		j, ok := idx.lookup(matchKey(s), func(j int) bool { return !claimed[j] && sameScope(s, lv[j]) })
		if !ok {
			if !e.kindIgnored(Missing, s) {
				findings = append(findings, newFinding(Missing, s, nil))
			}
			continue
		}
		claimed[j] = true
		pairs = append(pairs, pair{i, j})
	}
	unmanaged := 0
	for j, l := range lv {
		if claimed[j] {
			continue
		}
		if e.kindIgnored(Unmanaged, l) {
			continue
		}
		unmanaged++
		findings = append(findings, newFinding(Unmanaged, l, nil))
	}
	missing := len(findings) - unmanaged
	modified := e.diffAll(st, lv, pairs)
	findings = append(findings, modified...)
	sortFindings(findings)

	managed := len(pairs)
	sum := Summary{
		Total:     managed + unmanaged + missing,
		Managed:   managed,
		Unmanaged: unmanaged,
		Missing:   missing,
		Modified:  len(modified),
		Coverage:  coverage(managed, unmanaged),
	}
	if findings == nil {
		findings = []Finding{}
	}
	return &Result{Summary: sum, Findings: findings}
}

func (e *engine) kindIgnored(k Kind, r *resource.Resource) bool {
	ki, ok := e.opts.Ignore.(KindIgnorer)
	return ok && ki.IgnoreKind(k, r)
}

// coverage is managed / (managed + unmanaged) in percent, two decimals. A
// cloud with nothing in it is fully covered.
func coverage(managed, unmanaged int) float64 {
	if managed+unmanaged == 0 {
		return 100
	}
	return math.Round(float64(managed)*10000/float64(managed+unmanaged)) / 100
}

// diffAll compares matched pairs on a bounded pool of goroutines. Each
// worker takes a contiguous chunk so results need no locking; chunks are
// concatenated in order, so the output does not depend on scheduling.
func (e *engine) diffAll(st, lv []*resource.Resource, pairs []pair) []Finding {
	rules := map[string]*Rules{}
	for _, p := range pairs {
		t := st[p.s].Type
		if _, ok := rules[t]; !ok {
			rules[t] = rulesFor(t)
		}
	}
	workers := e.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const minChunk = 2048
	workers = max(1, min(workers, (len(pairs)+minChunk-1)/minChunk))
	chunk := (len(pairs) + workers - 1) / workers
	out := make([][]Finding, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(pairs))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range pairs[lo:hi] {
				if f, ok := e.diffPair(st[p.s], lv[p.l], rules[st[p.s].Type]); ok {
					out[w] = append(out[w], f)
				}
			}
		}()
	}
	wg.Wait()
	var all []Finding
	for _, fs := range out {
		all = append(all, fs...)
	}
	return all
}

func (e *engine) diffPair(s, l *resource.Resource, rules *Rules) (Finding, bool) {
	if strictEqual(s.Attrs, l.Attrs) {
		return Finding{}, false
	}
	c := comparer{rules: rules}
	c.attrs(s.Attrs, l.Attrs)
	if len(c.diffs) == 0 {
		return Finding{}, false
	}
	diffs := c.diffs[:0]
	for _, d := range c.diffs {
		if e.opts.Ignore != nil && e.opts.Ignore.IgnoreAttr(s, d.Path) {
			continue
		}
		if resource.IsSensitive(d.Path, s.Sensitive) || resource.IsSensitive(d.Path, l.Sensitive) {
			d.Expected, d.Actual = redactValue(d.Expected), redactValue(d.Actual)
		}
		diffs = append(diffs, d)
	}
	if len(diffs) == 0 || e.kindIgnored(Modified, s) {
		return Finding{}, false
	}
	return newFinding(Modified, s, diffs), true
}

func redactValue(v any) any {
	if v == nil {
		return nil
	}
	return resource.Redacted
}

func newFinding(k Kind, r *resource.Resource, diffs []Diff) Finding {
	f := Finding{
		Kind:     k,
		Provider: r.Provider,
		Type:     r.Type,
		ID:       r.ID,
		Address:  r.Address,
		Account:  r.Account,
		Region:   r.Region,
		Origin:   r.Origin,
		Diffs:    diffs,
	}
	f.Severity = severity(k, r.Type, diffs)
	return f
}

var kindOrder = map[Kind]int{Missing: 0, Modified: 1, Unmanaged: 2}

// sortFindings orders findings by kind, then most severe first, then type
// and id, so every output is stable.
func sortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Kind != b.Kind {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		if a.Severity != b.Severity {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		return a.Region < b.Region
	})
}
