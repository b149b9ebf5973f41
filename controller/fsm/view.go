package fsm

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// View is the in-memory read model of findings: every node keeps one,
// updated after each committed apply, so listing, sorting and counting
// 100,000 findings never touches the disk. bbolt stays the source of
// truth; the view is rebuilt from it on start and after a restore.
type View struct {
	mu      sync.RWMutex
	tenants map[string]map[string]*pb.Finding
	rev     uint64
	// trev is each tenant's revision: the index of the last change to its
	// findings, which is what a cached listing must match.
	trev map[string]uint64

	cache listCache[*pb.Finding]
	// live counts each tenant's findings that are not resolved: the
	// resources it tracks, which its quota caps.
	live map[string]int
	// sec is guarded by mu too.
	sec secView
	// intern is guarded by mu too.
	intern interner
}

// maxListings bounds the cache (a few users' open queries).
const maxListings = 8

func newView() *View {
	return &View{tenants: map[string]map[string]*pb.Finding{}, trev: map[string]uint64{}, live: map[string]int{}, sec: newSecView()}
}

func (v *View) load(s *state.Store) error {
	return s.View(func(tx *state.Tx) error {
		v.rev = tx.AppliedIndex()
		for _, t := range tx.Tenants() {
			tt, err := tx.Tenant(t)
			if err != nil {
				return err
			}
			m := map[string]*pb.Finding{}
			if err := tt.ForEachFinding(func(f *pb.Finding) error {
				v.intern.finding(f)
				m[f.GetId()] = f
				if f.GetStatus() != pb.FindingStatus_FINDING_STATUS_RESOLVED {
					v.live[t]++
				}
				return nil
			}); err != nil {
				return fmt.Errorf("load findings of %s: %w", t, err)
			}
			v.tenants[t] = m
			if err := v.sec.load(tt, &v.intern); err != nil {
				return err
			}
		}
		return nil
	})
}

func (v *View) replace(o *View) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.tenants, v.rev, v.live, v.intern = o.tenants, o.rev, o.live, o.intern
	gen := v.sec.gen
	sv, from := &v.sec, &o.sec
	sv.raw, sv.eff, sv.at, sv.until, sv.postures, sv.mutes, sv.gen = from.raw, from.eff, from.at, from.until, from.postures, from.mutes, from.gen
	// Generations only move forward, so no listing cached before the
	// restore is served after it.
	for t, g := range gen {
		sv.gen[t] += g + 1
	}
	// Every tenant's revision moves to the restored index, so no listing
	// cached before the restore is served after it.
	v.trev = map[string]uint64{}
	for t := range v.tenants {
		v.trev[t] = o.rev
	}
}

func (v *View) apply(c Change) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.rev = c.Index
	// The change is not shared yet: listeners get it after the view.
	for _, f := range c.SecFindings {
		v.intern.securityFinding(f)
	}
	v.sec.apply(c)
	for _, f := range c.Findings {
		v.intern.finding(f)
		m := v.tenants[f.GetTenant()]
		if m == nil {
			m = map[string]*pb.Finding{}
			v.tenants[f.GetTenant()] = m
		}
		old, had := m[f.GetId()]
		wasLive := had && old.GetStatus() != pb.FindingStatus_FINDING_STATUS_RESOLVED
		isLive := f.GetStatus() != pb.FindingStatus_FINDING_STATUS_RESOLVED
		switch {
		case isLive && !wasLive:
			v.live[f.GetTenant()]++
		case wasLive && !isLive:
			v.live[f.GetTenant()]--
		}
		m[f.GetId()] = f
		v.trev[f.GetTenant()] = c.Index
	}
}

// Tracked is how many of a tenant's findings are not resolved.
func (v *View) Tracked(tenant string) int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.live[tenant]
}

// Has reports whether the tenant holds a finding with this id (resolved or
// not).
func (v *View) Has(tenant, id string) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	_, ok := v.tenants[tenant][id]
	return ok
}

// Revision is the raft index the view reflects.
func (v *View) Revision() uint64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.rev
}

// Finding returns one finding of a tenant. The result is shared: callers
// must not modify it.
func (v *View) Finding(tenant, id string) (*pb.Finding, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	f, ok := v.tenants[tenant][id]
	return f, ok
}

// Counts are a tenant's findings by status, kind and severity.
func (v *View) Counts(tenant string) *pb.FindingCounts {
	v.mu.RLock()
	defer v.mu.RUnlock()
	c := &pb.FindingCounts{}
	for _, f := range v.tenants[tenant] {
		switch f.GetStatus() {
		case pb.FindingStatus_FINDING_STATUS_RESOLVED:
			continue
		case pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED:
			c.Acknowledged++
		default:
			c.Open++
		}
		switch f.GetKind() {
		case pb.DriftKind_DRIFT_KIND_MISSING:
			c.Missing++
		case pb.DriftKind_DRIFT_KIND_UNMANAGED:
			c.Unmanaged++
		case pb.DriftKind_DRIFT_KIND_MODIFIED:
			c.Modified++
		}
		switch f.GetSeverity() {
		case pb.Severity_SEVERITY_CRITICAL:
			c.Critical++
		case pb.Severity_SEVERITY_HIGH:
			c.High++
		}
	}
	return c
}

// Page limits.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// findingSpec is what drift findings list by.
var findingSpec = &listSpec[*pb.Finding]{facets: facetFields, orderings: orderings, id: (*pb.Finding).GetId}

// facetFields are the fields a listing can count values of.
var facetFields = map[string]func(*pb.Finding) string{
	"provider": func(f *pb.Finding) string { return f.GetResource().GetProvider() },
	"account":  func(f *pb.Finding) string { return f.GetResource().GetAccount() },
	"region":   func(f *pb.Finding) string { return f.GetResource().GetRegion() },
	"type":     func(f *pb.Finding) string { return f.GetResource().GetType() },
	"kind":     func(f *pb.Finding) string { return f.GetKind().String() },
	"severity": func(f *pb.Finding) string { return f.GetSeverity().String() },
	"status":   func(f *pb.Finding) string { return f.GetStatus().String() },
	"agent_id": func(f *pb.Finding) string { return f.GetAgentId() },
}

// sortKey is a finding's position under one ordering: a number or a
// string, computed once per finding rather than once per comparison (the
// comparator runs n log n times over 100,000 findings).
type sortKey struct {
	n int64
	s string
}

// orderings are the sort keys a listing accepts, each ascending; ties
// break by id so pages are stable.
var orderings = map[string]func(f *pb.Finding) sortKey{
	"severity":    func(f *pb.Finding) sortKey { return sortKey{n: int64(f.GetSeverity())} },
	"last_seen":   func(f *pb.Finding) sortKey { return sortKey{n: nanos(f.GetLastSeen())} },
	"first_seen":  func(f *pb.Finding) sortKey { return sortKey{n: nanos(f.GetFirstSeen())} },
	"type":        func(f *pb.Finding) sortKey { return sortKey{s: f.GetResource().GetType()} },
	"kind":        func(f *pb.Finding) sortKey { return sortKey{n: int64(f.GetKind())} },
	"resource_id": func(f *pb.Finding) sortKey { return sortKey{s: f.GetResource().GetId()} },
	"account":     func(f *pb.Finding) sortKey { return sortKey{s: f.GetResource().GetAccount()} },
	"region":      func(f *pb.Finding) sortKey { return sortKey{s: f.GetResource().GetRegion()} },
}

func nanos(t interface {
	GetSeconds() int64
	GetNanos() int32
}) int64 {
	return t.GetSeconds()*1e9 + int64(t.GetNanos())
}

// InvalidArgumentError names the request field that is wrong.
type InvalidArgumentError struct{ Field, Msg string }

func (e *InvalidArgumentError) Error() string { return e.Field + ": " + e.Msg }

// List answers a findings listing for one tenant: filter, facet counts over
// the filtered set, sort, and one page. The page token is an offset bound
// to the query's order, so a token from another order is refused.
func (v *View) List(tenant string, req *pb.ListFindingsRequest) (*pb.ListFindingsResponse, error) {
	q, err := findingSpec.parse(req.GetPageSize(), req.GetPageToken(), req.GetOrderBy(), req.GetFacets())
	if err != nil {
		return nil, err
	}
	match := compileFilter(req.GetFilter())
	lkey := listingKey(tenant, q.order, req.GetFacets(), req.GetFilter())
	v.mu.RLock()
	rev, trev := v.rev, v.trev[tenant]
	l := v.cache.get(lkey, trev, time.Time{})
	if l == nil {
		all := make([]*pb.Finding, 0, len(v.tenants[tenant]))
		for _, f := range v.tenants[tenant] {
			if match(f) {
				all = append(all, f)
			}
		}
		v.mu.RUnlock()
		l = findingSpec.build(q, lkey, trev, all)
		v.cache.put(l)
	} else {
		v.mu.RUnlock()
	}
	items, next := l.page(q.offset, q.size, q.order)
	return &pb.ListFindingsResponse{Findings: items, NextPageToken: next, TotalSize: int64(len(l.sorted)), Revision: rev, Facets: l.facets}, nil
}

// listingKey identifies a query apart from its page: tenant, order,
// facets and filter.
func listingKey(tenant, order string, facets []string, filter proto.Message) string {
	flt, _ := proto.MarshalOptions{Deterministic: true}.Marshal(filter)
	return tenant + "\x00" + order + "\x00" + strings.Join(facets, ",") + "\x00" + string(flt)
}

func keys[V any](m map[string]V) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ", ")
}

func encodeToken(offset int, order string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "|" + order))
}

func decodeToken(tok, order string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, &InvalidArgumentError{"page_token", "not a token this server issued"}
	}
	n, o, ok := strings.Cut(string(raw), "|")
	off, err := strconv.Atoi(n)
	if !ok || err != nil || off < 0 {
		return 0, &InvalidArgumentError{"page_token", "not a token this server issued"}
	}
	if o != order {
		return 0, &InvalidArgumentError{"page_token", "was issued for order_by " + strconv.Quote(o) + ", not " + strconv.Quote(order)}
	}
	return off, nil
}

func compileFilter(flt *pb.FindingFilter) func(*pb.Finding) bool {
	provider, account, region, typ, agent := stringSet(flt.GetProvider()), stringSet(flt.GetAccount()), stringSet(flt.GetRegion()), stringSet(flt.GetType()), stringSet(flt.GetAgentId())
	kinds, sevs, statuses := enumSet(flt.GetKind()), enumSet(flt.GetSeverity()), enumSet(flt.GetStatus())
	text := strings.ToLower(flt.GetText())
	return func(f *pb.Finding) bool {
		r := f.GetResource()
		if !provider(r.GetProvider()) || !account(r.GetAccount()) || !region(r.GetRegion()) || !typ(r.GetType()) || !agent(f.GetAgentId()) {
			return false
		}
		if !kinds(f.GetKind()) || !sevs(f.GetSeverity()) || !statuses(f.GetStatus()) {
			return false
		}
		if flt.GetSince() != nil && f.GetLastSeen().AsTime().Before(flt.GetSince().AsTime()) {
			return false
		}
		if flt.GetUntil() != nil && f.GetLastSeen().AsTime().After(flt.GetUntil().AsTime()) {
			return false
		}
		if text != "" && !strings.Contains(strings.ToLower(r.GetId()), text) &&
			!strings.Contains(strings.ToLower(r.GetAddress()), text) && !strings.Contains(strings.ToLower(r.GetType()), text) {
			return false
		}
		return true
	}
}
