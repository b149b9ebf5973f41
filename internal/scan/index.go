package scan

import (
	"sync"
	"time"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Index holds one inventory, indexed by type once, so checks find related
// resources (a bucket's public access block, a group's rule resources)
// without scanning everything.
type Index struct {
	all    []*resource.Resource
	now    time.Time
	byType map[string][]*resource.Resource

	mu    sync.Mutex
	attrs map[string]*attrIndex
}

type attrIndex struct {
	once sync.Once
	m    map[string][]*resource.Resource
}

// NewIndex indexes rs. The resources are not copied; they must not change
// while the index is in use.
func NewIndex(rs []resource.Resource) *Index {
	ix := &Index{byType: map[string][]*resource.Resource{}, attrs: map[string]*attrIndex{}}
	ix.all = make([]*resource.Resource, len(rs))
	for i := range rs {
		r := &rs[i]
		ix.all[i] = r
		ix.byType[r.Type] = append(ix.byType[r.Type], r)
	}
	return ix
}

// Len is the number of resources indexed.
func (ix *Index) Len() int { return len(ix.all) }

// OfType returns the resources of one type, in input order.
func (ix *Index) OfType(typ string) []*resource.Resource { return ix.byType[typ] }

// Has reports whether the inventory carries any resource of typ: a check
// that looks for a related type can only conclude "none" when the
// inventory lists that type at all.
func (ix *Index) Has(typ string) bool { return len(ix.byType[typ]) > 0 }

// By returns the resources of typ whose attribute attr equals value; the
// per-(type, attr) map is built once, on first use.
func (ix *Index) By(typ, attr, value string) []*resource.Resource {
	if value == "" {
		return nil
	}
	k := typ + "\x00" + attr
	ix.mu.Lock()
	ai := ix.attrs[k]
	if ai == nil {
		ai = &attrIndex{}
		ix.attrs[k] = ai
	}
	ix.mu.Unlock()
	ai.once.Do(func() {
		ai.m = map[string][]*resource.Resource{}
		for _, r := range ix.byType[typ] {
			if v := str(r.Attrs[attr]); v != "" {
				ai.m[v] = append(ai.m[v], r)
			}
		}
	})
	return ai.m[value]
}

// Related returns the resources of typ that name subject through attr,
// by its id or, for S3-style children, by its name/bucket attribute.
func (ix *Index) Related(typ, attr string, subject *resource.Resource, alts ...string) []*resource.Resource {
	seen := map[*resource.Resource]bool{}
	var out []*resource.Resource
	for _, v := range append([]string{subject.ID}, alts...) {
		for _, r := range ix.By(typ, attr, v) {
			if !seen[r] && sameScope(r, subject) {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// sameScope keeps relations inside one account when both sides know it.
func sameScope(a, b *resource.Resource) bool {
	return a.Account == "" || b.Account == "" || a.Account == b.Account
}

// Now is the evaluation clock, for age-based checks.
func (ix *Index) Now() time.Time { return ix.now }
