package fsm

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// listSpec is what one kind of record can be listed by: the fields its
// facets count and the keys it sorts on. Drift findings and security
// findings page, count and sort the same way through it.
type listSpec[T any] struct {
	facets    map[string]func(T) string
	orderings map[string]func(T) sortKey
	id        func(T) string
	// facetMulti, when set for a field, visits several values per record
	// (a security finding maps to several frameworks).
	facetMulti map[string]func(T, func(string))
}

// listQuery is a parsed listing request apart from its filter.
type listQuery struct {
	size, offset int
	order        string
	key          string
	desc         bool
	facets       []string
}

func (sp *listSpec[T]) parse(pageSize int32, token, orderBy string, facets []string) (listQuery, error) {
	q := listQuery{size: int(pageSize), facets: facets}
	switch {
	case q.size < 0:
		return q, &InvalidArgumentError{"page_size", fmt.Sprintf("%d is negative", q.size)}
	case q.size == 0:
		q.size = DefaultPageSize
	case q.size > MaxPageSize:
		q.size = MaxPageSize
	}
	q.order = strings.TrimSpace(orderBy)
	if q.order == "" {
		q.order = "severity desc"
	}
	q.key = q.order
	if k, ok := strings.CutSuffix(q.order, " desc"); ok {
		q.key, q.desc = strings.TrimSpace(k), true
	} else if k, ok := strings.CutSuffix(q.order, " asc"); ok {
		q.key = strings.TrimSpace(k)
	}
	if _, ok := sp.orderings[q.key]; !ok {
		return q, &InvalidArgumentError{"order_by", fmt.Sprintf("%q is not a sort key; want one of %s", q.key, keys(sp.orderings))}
	}
	for _, f := range facets {
		_, one := sp.facets[f]
		_, multi := sp.facetMulti[f]
		if !one && !multi {
			all := keys(sp.facets)
			if len(sp.facetMulti) > 0 {
				all += ", " + keys(sp.facetMulti)
			}
			return q, &InvalidArgumentError{"facets", fmt.Sprintf("%q is not a facet; want one of %s", f, all)}
		}
	}
	off, err := decodeToken(token, q.order)
	q.offset = off
	return q, err
}

// listing is one filtered, sorted, counted listing kept for its next
// pages: scrolling through 100,000 findings asks for page after page of
// the same query, and re-sorting them all for each is the cost.
type listing[T any] struct {
	key    string
	rev    uint64
	sorted []T
	facets []*pb.Facet
	// until, when set, is when the listing goes stale on its own (a mute
	// expires).
	until time.Time
}

// build counts the facets of the matching records and sorts them.
func (sp *listSpec[T]) build(q listQuery, key string, rev uint64, all []T) *listing[T] {
	var facets []*pb.Facet
	for _, field := range q.facets {
		counts := map[string]int64{}
		if get, ok := sp.facets[field]; ok {
			for _, r := range all {
				counts[get(r)]++
			}
		} else {
			visit, count := sp.facetMulti[field], func(v string) { counts[v]++ }
			for _, r := range all {
				visit(r, count)
			}
		}
		facet := &pb.Facet{Field: field}
		for val, n := range counts {
			facet.Values = append(facet.Values, &pb.FacetValue{Value: val, Count: n})
		}
		slices.SortFunc(facet.Values, func(a, b *pb.FacetValue) int {
			return cmp.Or(cmp.Compare(b.GetCount(), a.GetCount()), cmp.Compare(a.GetValue(), b.GetValue()))
		})
		facets = append(facets, facet)
	}
	sortBy := sp.orderings[q.key]
	type keyed struct {
		k  sortKey
		id string
		r  T
	}
	ks := make([]keyed, len(all))
	for i, r := range all {
		ks[i] = keyed{sortBy(r), sp.id(r), r}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		c := cmp.Or(cmp.Compare(a.k.n, b.k.n), cmp.Compare(a.k.s, b.k.s))
		if q.desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.id, b.id))
	})
	for i := range ks {
		all[i] = ks[i].r
	}
	return &listing[T]{key: key, rev: rev, sorted: all, facets: facets}
}

// page cuts one page out of a listing; next is the token of the one after.
func (l *listing[T]) page(offset, size int, order string) (items []T, next string) {
	offset = min(offset, len(l.sorted))
	end := min(offset+size, len(l.sorted))
	if end < len(l.sorted) {
		next = encodeToken(end, order)
	}
	return l.sorted[offset:end], next
}

// listCache keeps the last few listings (a few users' open queries).
type listCache[T any] struct {
	mu    sync.Mutex
	items []*listing[T]
}

func (c *listCache[T]) get(key string, rev uint64, now time.Time) *listing[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.items {
		if l.key == key && l.rev == rev && (l.until.IsZero() || now.Before(l.until)) {
			return l
		}
	}
	return nil
}

func (c *listCache[T]) put(l *listing[T]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.items[:0]
	for _, o := range c.items {
		if o.key != l.key {
			kept = append(kept, o)
		}
	}
	c.items = append(kept, l)
	if len(c.items) > maxListings {
		c.items = c.items[len(c.items)-maxListings:]
	}
}

// stringSet matches a value against a filter's list; an empty list
// matches everything.
func stringSet(vals []string) func(string) bool {
	if len(vals) == 0 {
		return func(string) bool { return true }
	}
	set := map[string]bool{}
	for _, v := range vals {
		set[v] = true
	}
	return func(s string) bool { return set[s] }
}

// enumSet is stringSet for enum values.
func enumSet[E comparable](vals []E) func(E) bool {
	if len(vals) == 0 {
		return func(E) bool { return true }
	}
	set := map[E]bool{}
	for _, v := range vals {
		set[v] = true
	}
	return func(e E) bool { return set[e] }
}
