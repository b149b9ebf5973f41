package discovery

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Options tune Run.
type Options struct {
	// Concurrency bounds the listers running at once (default 8).
	Concurrency int
	// Progress, when set, is called after each lister finishes. Calls are
	// serialized.
	Progress func(Progress)
}

// Progress reports how far a Run is.
type Progress struct {
	Done, Total int
	Resources   int
	Skipped     int
	Scope       Scope
	Service     string
	// ScopeDone and ScopeTotal count the listers of Scope alone, for a
	// progress bar per account and region.
	ScopeDone, ScopeTotal int
}

// Result is what Run found.
type Result struct {
	// Resources, sorted by type then id, deduplicated by key and scope.
	Resources []resource.Resource `json:"resources"`
	// Skipped lists what could not be seen, and why.
	Skipped []Skip `json:"skipped"`
}

type job struct {
	scope  Scope
	lister Lister
}

// Run discovers every lister of every provider over its scopes. Only a
// provider that cannot name its scopes fails the run; a lister that fails
// becomes a Skip and the rest of the cloud is still reported.
func Run(ctx context.Context, providers []Provider, opts Options) (*Result, error) {
	var jobs []job
	classify := map[string]Provider{}
	for _, p := range providers {
		scopes, err := p.Scopes(ctx)
		if err != nil {
			return nil, fmt.Errorf("discover %s: %w", p.Name(), err)
		}
		if len(scopes) == 0 {
			return nil, fmt.Errorf("discover %s: %w", p.Name(), ErrNoScopes)
		}
		classify[p.Name()] = p
		jobs = append(jobs, plan(p, scopes)...)
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 8
	}
	var (
		mu         sync.Mutex
		res        = &Result{}
		seen       = map[scopedKey]int{} // index in res.Resources
		prog       = Progress{Total: len(jobs)}
		scopeTotal = map[Scope]int{}
		scopeDone  = map[Scope]int{}
	)
	for _, j := range jobs {
		scopeTotal[j.scope]++
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	for _, j := range jobs {
		g.Go(func() error {
			var found []resource.Resource
			err := j.lister.List(gctx, j.scope, func(r resource.Resource) {
				if r.Account == "" {
					r.Account = j.scope.Account
				}
				if r.Region == "" && !j.lister.Global() {
					r.Region = j.scope.Region
				}
				r.Source = resource.SourceLive
				if r.Origin == "" {
					r.Origin = originOf(j.scope)
				}
				found = append(found, r)
			})
			mu.Lock()
			defer mu.Unlock()
			for _, r := range found {
				k := scopedKey{r.Key(), r.Account, r.Region}
				i, dup := seen[k]
				switch {
				case !dup:
					seen[k] = len(res.Resources)
					res.Resources = append(res.Resources, r)
				case richer(r, res.Resources[i]):
					// Two listers saw it (typed and generic tier): keep
					// the fuller one, whichever finished first.
					res.Resources[i] = r
				}
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				res.Skipped = append(res.Skipped, Skip{Scope: j.scope, Service: j.lister.Service(),
					Reason: classify[j.scope.Provider].Classify(err), Detail: err.Error()})
			}
			prog.Done++
			prog.Resources = len(res.Resources)
			prog.Skipped = len(res.Skipped)
			prog.Scope, prog.Service = j.scope, j.lister.Service()
			scopeDone[j.scope]++
			prog.ScopeDone, prog.ScopeTotal = scopeDone[j.scope], scopeTotal[j.scope]
			if opts.Progress != nil {
				opts.Progress(prog)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sortResult(res)
	return res, nil
}

type scopedKey struct {
	key             resource.Key
	account, region string
}

// plan pairs listers with scopes: regional listers in every scope, global
// ones once per account.
func plan(p Provider, scopes []Scope) []job {
	var jobs []job
	for _, l := range p.Listers() {
		if l.Global() {
			done := map[string]bool{}
			for _, s := range scopes {
				if done[s.Account] {
					continue
				}
				done[s.Account] = true
				jobs = append(jobs, job{scope: Scope{Provider: s.Provider, Account: s.Account}, lister: l})
			}
			continue
		}
		for _, s := range scopes {
			jobs = append(jobs, job{scope: s, lister: l})
		}
	}
	return jobs
}

func originOf(s Scope) string {
	if s.Region == "" {
		return s.Provider + "://" + s.Account
	}
	return s.Provider + "://" + s.Account + "/" + s.Region
}

func sortResult(r *Result) {
	sort.Slice(r.Resources, func(i, j int) bool {
		a, b := &r.Resources[i], &r.Resources[j]
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
	sort.Slice(r.Skipped, func(i, j int) bool {
		a, b := r.Skipped[i], r.Skipped[j]
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Service < b.Service
	})
}
