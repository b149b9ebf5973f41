// Package stateload turns state source names into resources: it fetches
// every document a source names (agent/statesource), parses each one
// (internal/tfstate) and, when no source is given, finds the sources in the
// Terraform or Terragrunt configuration of a directory
// (agent/backendconfig). The CLI and the agent both load states through it.
package stateload

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/driftmgr/driftmgr/agent/backendconfig"
	"github.com/driftmgr/driftmgr/agent/statesource"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/tfstate"
)

// ErrNoSources is returned when no source was given and the directory's
// configuration names none.
var ErrNoSources = errors.New("stateload: no state source")

// Options configure a Load.
type Options struct {
	// Fetch configures the remote sources.
	Fetch statesource.Options
	// Limits bound each parsed document.
	Limits tfstate.Limits
	// Concurrency bounds sources read at once; zero means 4.
	Concurrency int
	// Progress, when set, is called after each document is parsed. It may
	// be called from several goroutines, never at the same time.
	Progress func(Progress)
}

// Progress reports how far a Load is.
type Progress struct {
	SourcesDone, Sources int
	Documents, Resources int
}

// StateInfo describes one parsed state document.
type StateInfo struct {
	Source           string `json:"source"`
	Version          int    `json:"version"`
	TerraformVersion string `json:"terraform_version,omitempty"`
	Resources        int    `json:"resources"`
}

// Loaded is what a Load read.
type Loaded struct {
	// Resources from every state, in source order then document order.
	Resources []resource.Resource
	// States lists each document read.
	States []StateInfo
}

// Load reads every source. Any unreadable or invalid document fails the
// whole load: comparing against part of the state would report what is in
// the missing part as UNMANAGED.
func Load(ctx context.Context, sources []string, opts Options) (*Loaded, error) {
	if len(sources) == 0 {
		return nil, ErrNoSources
	}
	type result struct {
		states []*tfstate.State
	}
	results := make([]result, len(sources))
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 4
	}
	var (
		mu   sync.Mutex
		prog = Progress{Sources: len(sources)}
	)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	for i, src := range sources {
		g.Go(func() error {
			docs, err := statesource.Fetch(ctx, src, opts.Fetch)
			if err != nil {
				return err
			}
			for _, d := range docs {
				st, err := tfstate.Parse(d.Source, d.Data, opts.Limits)
				if err != nil {
					return err
				}
				results[i].states = append(results[i].states, st)
				if opts.Progress != nil {
					mu.Lock()
					prog.Documents++
					prog.Resources += len(st.Resources)
					opts.Progress(prog)
					mu.Unlock()
				}
			}
			if opts.Progress != nil {
				mu.Lock()
				prog.SourcesDone++
				opts.Progress(prog)
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := &Loaded{}
	for _, r := range results {
		for _, st := range r.states {
			out.Resources = append(out.Resources, st.Resources...)
			out.States = append(out.States, StateInfo{Source: st.Source, Version: st.Version,
				TerraformVersion: st.TerraformVersion, Resources: len(st.Resources)})
		}
	}
	return out, nil
}

// Discover finds the state sources that the Terraform (backend or cloud
// block) or Terragrunt (remote_state) configuration under dir names.
func Discover(ctx context.Context, dir string, opts backendconfig.Options) ([]string, error) {
	locs, err := backendconfig.Discover(ctx, dir, opts)
	if err != nil && len(locs) == 0 {
		return nil, fmt.Errorf("find state sources in %s: %w", dir, err)
	}
	if len(locs) == 0 {
		return nil, fmt.Errorf("find state sources in %s: %w: no backend, cloud or terragrunt remote_state configuration found; pass --state", dir, ErrNoSources)
	}
	urls := make([]string, len(locs))
	for i, l := range locs {
		urls[i] = l.URL
	}
	return urls, err
}
