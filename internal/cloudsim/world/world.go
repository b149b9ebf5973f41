// Package world holds the simulated cloud's state: the resources that exist,
// in DriftMgr's resource model (Terraform type names and attribute shapes),
// and the faults to inject. The protocol packages (awssim, azuresim,
// gcpsim) render it in each provider's wire format; listers read it back
// through the real SDKs, so a resource that round-trips unchanged proves
// the lister's mapping.
//
// A world file is a live inventory: the JSON array `driftmgr state list
// --output json` prints. Every resource needs provider, type, id, account
// and (for regional types) region.
package world

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// World is safe for concurrent use.
type World struct {
	mu     sync.RWMutex
	res    map[resource.Key]*resource.Resource
	faults Faults
	calls  atomic.Int64
	seq    atomic.Uint64
}

// Faults are injected by the protocol handlers before they answer.
type Faults struct {
	// ThrottleRate is the fraction of calls (0..1) answered with the
	// service's throttling error.
	ThrottleRate float64
	// Deny lists services answered with access denied, as
	// "aws:iam", "azure:Microsoft.KeyVault", "gcp:sqladmin"; "aws:iam@123456789012"
	// limits it to one account.
	Deny map[string]bool
	// Disabled lists services answered as not enabled / not subscribed,
	// in the same form.
	Disabled map[string]bool
}

// Fault is what a handler must do with one call.
type Fault int

// Faults a call can meet.
const (
	None Fault = iota
	Throttle
	Deny
	Disabled
)

// New returns a world holding copies of rs.
func New(rs []resource.Resource) *World {
	w := &World{res: make(map[resource.Key]*resource.Resource, len(rs))}
	for _, r := range rs {
		w.Put(r)
	}
	return w
}

// Load reads a world file (a JSON resource array).
func Load(path string) (*World, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	defer f.Close()
	rs, err := resource.DecodeInventory(path, f, resource.InventoryLimits{})
	if err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	return New(rs), nil
}

// Put creates or replaces a resource.
func (w *World) Put(r resource.Resource) {
	cp := r
	cp.Attrs = deepCopy(r.Attrs).(map[string]any)
	cp.Source = resource.SourceLive
	w.mu.Lock()
	w.res[cp.Key()] = &cp
	w.mu.Unlock()
}

// Delete removes a resource and reports whether it existed.
func (w *World) Delete(k resource.Key) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.res[k]
	delete(w.res, k)
	return ok
}

// Patch sets top-level attributes of a resource (nil deletes one).
func (w *World) Patch(k resource.Key, attrs map[string]any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.res[k]
	if !ok {
		return fmt.Errorf("patch %s: no such resource", k)
	}
	next := deepCopy(r.Attrs).(map[string]any)
	for a, v := range attrs {
		if v == nil {
			delete(next, a)
			continue
		}
		next[a] = deepCopy(v)
	}
	cp := *r
	cp.Attrs = next
	w.res[k] = &cp
	return nil
}

// Get returns a copy of one resource.
func (w *World) Get(k resource.Key) (resource.Resource, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	r, ok := w.res[k]
	if !ok {
		return resource.Resource{}, false
	}
	return copyOf(r), true
}

// List returns copies of the resources of one type in one account and
// region, sorted by id. An empty account or region matches every one.
func (w *World) List(provider, typ, account, region string) []resource.Resource {
	w.mu.RLock()
	var out []resource.Resource
	for _, r := range w.res {
		if r.Provider != provider || r.Type != typ {
			continue
		}
		if account != "" && r.Account != account {
			continue
		}
		if region != "" && r.Region != "" && r.Region != region {
			continue
		}
		out = append(out, copyOf(r))
	}
	w.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// All returns copies of every resource, sorted by key.
func (w *World) All() []resource.Resource {
	w.mu.RLock()
	out := make([]resource.Resource, 0, len(w.res))
	for _, r := range w.res {
		out = append(out, copyOf(r))
	}
	w.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ID < b.ID
	})
	return out
}

// Len is the number of resources.
func (w *World) Len() int {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return len(w.res)
}

// SetFaults replaces the fault configuration.
func (w *World) SetFaults(f Faults) {
	w.mu.Lock()
	w.faults = f
	w.mu.Unlock()
}

// Calls counts the API calls answered so far (faulted ones included).
func (w *World) Calls() int64 { return w.calls.Load() }

// Check counts one call to service (e.g. "aws:ec2") from account and says
// which fault, if any, the handler must answer with. Throttling is spread
// evenly and deterministically over calls (a hash of the call number), so
// a benchmark run is repeatable.
func (w *World) Check(service, account string) Fault {
	n := w.calls.Add(1)
	w.mu.RLock()
	f := w.faults
	w.mu.RUnlock()
	switch {
	case f.Deny[service] || f.Deny[service+"@"+account]:
		return Deny
	case f.Disabled[service] || f.Disabled[service+"@"+account]:
		return Disabled
	}
	if f.ThrottleRate > 0 && float64(mix(uint64(n))%10000) < f.ThrottleRate*10000 {
		return Throttle
	}
	return None
}

// mix is splitmix64's finalizer: deterministic, and well spread even for
// consecutive inputs. (FNV over the decimal call number was not: a call
// and its retries, numbered one after another, were throttled together
// far more often than the rate says.)
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// NextID returns a fresh id with the given prefix, for resources the
// handlers create (request ids, ETags).
func (w *World) NextID(prefix string) string {
	return fmt.Sprintf("%s%012x", prefix, w.seq.Add(1))
}

func copyOf(r *resource.Resource) resource.Resource {
	cp := *r
	cp.Attrs = deepCopy(r.Attrs).(map[string]any)
	return cp
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	case nil:
		return nil
	default:
		return t
	}
}
