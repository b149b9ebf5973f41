package fsm

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/internal/scan"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// secView is the security half of the read model: each tenant's failing
// checks, its agents' latest verdict counts and its parsed mutelist. The
// mutelist is applied when a failure arrives and again when the list
// changes or one of its entries expires, so a read never matches 100,000
// failures against the list.
type secView struct {
	// raw are the failures as stored; eff the same with the mutelist
	// applied as of at, valid until until (zero: until the list changes).
	raw, eff  map[string]map[string]*pb.SecurityFinding
	at, until map[string]time.Time
	postures  map[string]map[string]*pb.Scan
	mutes     map[string]*scan.Mutelist
	// gen counts each tenant's changes to eff; a cached listing must match.
	gen   map[string]uint64
	cache listCache[*pb.SecurityFinding]
}

func newSecView() secView {
	return secView{raw: map[string]map[string]*pb.SecurityFinding{}, eff: map[string]map[string]*pb.SecurityFinding{},
		at: map[string]time.Time{}, until: map[string]time.Time{}, postures: map[string]map[string]*pb.Scan{},
		mutes: map[string]*scan.Mutelist{}, gen: map[string]uint64{}}
}

func (sv *secView) load(tt *state.TenantTx, in *interner) error {
	t := tt.Name()
	m := map[string]*pb.SecurityFinding{}
	if err := tt.ForEachSecurityFinding(func(f *pb.SecurityFinding) error {
		in.securityFinding(f)
		m[f.GetId()] = f
		return nil
	}); err != nil {
		return fmt.Errorf("load security findings of %s: %w", t, err)
	}
	sv.raw[t] = m
	ps := map[string]*pb.Scan{}
	if err := tt.ForEachPosture(func(s *pb.Scan) error { ps[s.GetAgentId()] = s; return nil }); err != nil {
		return fmt.Errorf("load security posture of %s: %w", t, err)
	}
	sv.postures[t] = ps
	ml, err := tt.Mutelist()
	if err != nil {
		return fmt.Errorf("load mutelist of %s: %w", t, err)
	}
	sv.setMutelist(t, ml)
	sv.recompute(t, time.Now())
	return nil
}

func (sv *secView) setMutelist(tenant string, ml *pb.StoredMutelist) {
	parsed, err := ParseMutelist(ml.GetYaml())
	if err != nil {
		// Stored lists were parsed before they were applied; one that no
		// longer parses (an older binary's syntax) mutes nothing.
		parsed = &scan.Mutelist{}
	}
	sv.mutes[tenant] = parsed
}

// recompute applies the tenant's mutelist to all its failures as of now.
func (sv *secView) recompute(tenant string, now time.Time) {
	ml := sv.mutes[tenant]
	eff := make(map[string]*pb.SecurityFinding, len(sv.raw[tenant]))
	for id, f := range sv.raw[tenant] {
		eff[id] = sv.muted(ml, f, now)
	}
	sv.eff[tenant], sv.at[tenant], sv.until[tenant] = eff, now, time.Time{}
	if ml != nil {
		sv.until[tenant] = nextExpiry(ml, now)
	}
	sv.gen[tenant]++
}

// fresh reports whether the tenant's effective statuses hold at now.
func (sv *secView) fresh(tenant string, now time.Time) bool {
	if ml := sv.mutes[tenant]; ml == nil || len(ml.Entries) == 0 {
		return true
	}
	u := sv.until[tenant]
	return !now.Before(sv.at[tenant]) && (u.IsZero() || now.Before(u))
}

func (sv *secView) apply(c Change) {
	t := c.Tenant
	if c.Mutelist != nil {
		sv.setMutelist(t, c.Mutelist)
	}
	if len(c.SecFindings) > 0 || len(c.SecResolved) > 0 {
		raw, eff := sv.raw[t], sv.eff[t]
		if raw == nil {
			raw, eff = map[string]*pb.SecurityFinding{}, map[string]*pb.SecurityFinding{}
			sv.raw[t], sv.eff[t] = raw, eff
		}
		at := sv.at[t]
		if at.IsZero() {
			at = time.Now()
			sv.at[t] = at
		}
		for _, f := range c.SecFindings {
			raw[f.GetId()] = f
			eff[f.GetId()] = sv.muted(sv.mutes[t], f, at)
		}
		for _, id := range c.SecResolved {
			delete(raw, id)
			delete(eff, id)
		}
		sv.gen[t]++
	}
	if c.Mutelist != nil {
		sv.recompute(t, time.Now())
	}
	if len(c.Postures) > 0 {
		ps := sv.postures[t]
		if ps == nil {
			ps = map[string]*pb.Scan{}
			sv.postures[t] = ps
		}
		for _, p := range c.Postures {
			ps[p.GetAgentId()] = p
		}
	}
}

// rlockFresh takes the read lock with the tenant's effective statuses
// current at now, recomputing them first when a mute expired since.
func (v *View) rlockFresh(tenant string, now time.Time) {
	v.mu.RLock()
	if v.sec.fresh(tenant, now) {
		return
	}
	v.mu.RUnlock()
	v.mu.Lock()
	if !v.sec.fresh(tenant, now) {
		v.sec.recompute(tenant, now)
	}
	v.mu.Unlock()
	v.mu.RLock()
}

// muted returns the finding as a tenant sees it: MUTED with the entry that
// accepts it, or as stored.
func (sv *secView) muted(ml *scan.Mutelist, f *pb.SecurityFinding, now time.Time) *pb.SecurityFinding {
	if ml == nil || len(ml.Entries) == 0 {
		return f
	}
	r := f.GetResource()
	res := &scan.Result{CheckID: f.GetCheckId(), Status: scan.Fail, Provider: r.GetProvider(), Type: r.GetType(), ID: r.GetId(),
		Address: r.GetAddress(), Account: r.GetAccount(), Region: r.GetRegion()}
	e := ml.Match(res, now)
	if e == nil {
		return f
	}
	c := proto.Clone(f).(*pb.SecurityFinding)
	c.Status = pb.SecurityStatus_SECURITY_STATUS_MUTED
	c.Mute = &pb.Mute{Reason: e.Reason, Owner: e.Owner, Line: int32(e.Line())}
	if !e.Expiry().IsZero() {
		c.Mute.Expires = timestamppb.New(e.Expiry())
	}
	return c
}

// nextExpiry is when the first active mute of a list ends (zero: never),
// after which a listing computed now is stale.
func nextExpiry(ml *scan.Mutelist, now time.Time) time.Time {
	var next time.Time
	for i := range ml.Entries {
		x := ml.Entries[i].Expiry()
		if !x.IsZero() && now.Before(x) && (next.IsZero() || x.Before(next)) {
			next = x
		}
	}
	return next
}

// secSpec is what security findings list by.
var secSpec = &listSpec[*pb.SecurityFinding]{
	facets: map[string]func(*pb.SecurityFinding) string{
		"provider": func(f *pb.SecurityFinding) string { return f.GetResource().GetProvider() },
		"account":  func(f *pb.SecurityFinding) string { return f.GetResource().GetAccount() },
		"region":   func(f *pb.SecurityFinding) string { return f.GetResource().GetRegion() },
		"type":     func(f *pb.SecurityFinding) string { return f.GetResource().GetType() },
		"check_id": (*pb.SecurityFinding).GetCheckId,
		"severity": func(f *pb.SecurityFinding) string { return f.GetSeverity().String() },
		"status":   func(f *pb.SecurityFinding) string { return f.GetStatus().String() },
		"agent_id": (*pb.SecurityFinding).GetAgentId,
		"category": (*pb.SecurityFinding).GetCategory,
	},
	facetMulti: map[string]func(*pb.SecurityFinding, func(string)){"framework": eachFramework},
	orderings: map[string]func(*pb.SecurityFinding) sortKey{
		"severity":    func(f *pb.SecurityFinding) sortKey { return sortKey{n: int64(f.GetSeverity())} },
		"last_seen":   func(f *pb.SecurityFinding) sortKey { return sortKey{n: nanos(f.GetLastSeen())} },
		"first_seen":  func(f *pb.SecurityFinding) sortKey { return sortKey{n: nanos(f.GetFirstSeen())} },
		"type":        func(f *pb.SecurityFinding) sortKey { return sortKey{s: f.GetResource().GetType()} },
		"check_id":    func(f *pb.SecurityFinding) sortKey { return sortKey{s: f.GetCheckId()} },
		"resource_id": func(f *pb.SecurityFinding) sortKey { return sortKey{s: f.GetResource().GetId()} },
		"account":     func(f *pb.SecurityFinding) sortKey { return sortKey{s: f.GetResource().GetAccount()} },
		"region":      func(f *pb.SecurityFinding) sortKey { return sortKey{s: f.GetResource().GetRegion()} },
	},
	id: (*pb.SecurityFinding).GetId,
}

// eachFramework visits the distinct frameworks a finding's controls
// belong to, without allocating (it runs for every finding of a listing).
func eachFramework(f *pb.SecurityFinding, fn func(string)) {
	cs := f.GetControls()
	for i, c := range cs {
		fw, dup := c.GetFramework(), false
		for _, p := range cs[:i] {
			if p.GetFramework() == fw {
				dup = true
				break
			}
		}
		if !dup {
			fn(fw)
		}
	}
}

// hasFramework reports whether a finding maps to one of fws.
func hasFramework(f *pb.SecurityFinding, fws []string) bool {
	for _, c := range f.GetControls() {
		if slices.Contains(fws, c.GetFramework()) {
			return true
		}
	}
	return false
}

func compileSecFilter(flt *pb.SecurityFindingFilter) func(*pb.SecurityFinding) bool {
	provider, account, region, typ := stringSet(flt.GetProvider()), stringSet(flt.GetAccount()), stringSet(flt.GetRegion()), stringSet(flt.GetType())
	check, agent, category := stringSet(flt.GetCheckId()), stringSet(flt.GetAgentId()), stringSet(flt.GetCategory())
	sevs, statuses := enumSet(flt.GetSeverity()), enumSet(flt.GetStatus())
	fws := flt.GetFramework()
	text := strings.ToLower(flt.GetText())
	return func(f *pb.SecurityFinding) bool {
		r := f.GetResource()
		if !provider(r.GetProvider()) || !account(r.GetAccount()) || !region(r.GetRegion()) || !typ(r.GetType()) ||
			!check(f.GetCheckId()) || !agent(f.GetAgentId()) || !category(f.GetCategory()) ||
			!sevs(f.GetSeverity()) || !statuses(f.GetStatus()) {
			return false
		}
		if len(fws) > 0 && !hasFramework(f, fws) {
			return false
		}
		if text != "" {
			hit := false
			for _, s := range []string{r.GetId(), r.GetAddress(), r.GetType(), f.GetCheckId(), f.GetTitle()} {
				if strings.Contains(strings.ToLower(s), text) {
					hit = true
					break
				}
			}
			if !hit {
				return false
			}
		}
		return true
	}
}

// ListSecurity answers a security findings listing for one tenant, with
// the tenant's mutelist applied as of now: the same paging, facets and
// sort as drift findings.
func (v *View) ListSecurity(tenant string, req *pb.ListSecurityFindingsRequest, now time.Time) (*pb.ListSecurityFindingsResponse, error) {
	q, err := secSpec.parse(req.GetPageSize(), req.GetPageToken(), req.GetOrderBy(), req.GetFacets())
	if err != nil {
		return nil, err
	}
	lkey := listingKey(tenant, q.order, req.GetFacets(), req.GetFilter())
	v.rlockFresh(tenant, now)
	sv := &v.sec
	rev, gen := v.rev, sv.gen[tenant]
	l := sv.cache.get(lkey, gen, now)
	if l == nil {
		match := compileSecFilter(req.GetFilter())
		all := make([]*pb.SecurityFinding, 0, len(sv.eff[tenant]))
		for _, f := range sv.eff[tenant] {
			if match(f) {
				all = append(all, f)
			}
		}
		v.mu.RUnlock()
		l = secSpec.build(q, lkey, gen, all)
		sv.cache.put(l)
	} else {
		v.mu.RUnlock()
	}
	items, next := l.page(q.offset, q.size, q.order)
	return &pb.ListSecurityFindingsResponse{Findings: items, NextPageToken: next, TotalSize: int64(len(l.sorted)), Revision: rev, Facets: l.facets}, nil
}

// SecurityFinding returns one of a tenant's failures as the tenant sees it
// now. The result is shared: callers must not modify it.
func (v *View) SecurityFinding(tenant, id string, now time.Time) (*pb.SecurityFinding, bool) {
	v.rlockFresh(tenant, now)
	defer v.mu.RUnlock()
	f, ok := v.sec.eff[tenant][id]
	return f, ok
}

// ExpiredMutes lists the tenant's mutelist entries past their expiry.
func (v *View) ExpiredMutes(tenant string, now time.Time) []string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	var out []string
	ml := v.sec.mutes[tenant]
	if ml == nil {
		return nil
	}
	for i := range ml.Entries {
		e := &ml.Entries[i]
		if x := e.Expiry(); !x.IsZero() && !now.Before(x) {
			out = append(out, fmt.Sprintf("line %d: %s on %s (owner %s) expired %s", e.Line(), e.Check, e.Resource, e.Owner, e.Expires))
		}
	}
	return out
}

// riskWeights weigh unmuted failures, as `driftmgr security scan` does.
var riskWeights = map[pb.Severity]float64{pb.Severity_SEVERITY_CRITICAL: 10, pb.Severity_SEVERITY_HIGH: 5,
	pb.Severity_SEVERITY_MEDIUM: 2, pb.Severity_SEVERITY_LOW: 1}

// maxEvidenceIDs bounds the failing findings a control lists.
const maxEvidenceIDs = 20

// Compliance adds up a tenant's posture: passes from each agent's latest
// tally, failures and mutes from the stored findings with the mutelist
// applied now, per framework and control. A drift x security finding
// counts against the check the drift broke.
func (v *View) Compliance(tenant, framework string, now time.Time) *pb.GetComplianceResponse {
	v.rlockFresh(tenant, now)
	defer v.mu.RUnlock()
	sv := &v.sec
	type checkAgg struct {
		title           string
		passed          int64
		failed, muted   int64
		ids             []string // the smallest maxEvidenceIDs, sorted
		controls        []*pb.ControlRef
		controlsByKnown map[string]bool
		seenFinding     bool
	}
	checks := map[string]*checkAgg{}
	get := func(id string) *checkAgg {
		c := checks[id]
		if c == nil {
			c = &checkAgg{controlsByKnown: map[string]bool{}}
			checks[id] = c
		}
		return c
	}
	addControls := func(c *checkAgg, refs []*pb.ControlRef) {
		for _, r := range refs {
			k := r.GetFramework() + "\x00" + r.GetControl()
			if !c.controlsByKnown[k] {
				c.controlsByKnown[k] = true
				c.controls = append(c.controls, r)
			}
		}
	}
	resp := &pb.GetComplianceResponse{Revision: v.rev}
	for _, p := range sv.postures[tenant] {
		resp.Agents++
		for _, t := range p.GetSecurity().GetChecks() {
			c := get(t.GetCheckId())
			c.passed += t.GetPassed()
			if c.title == "" {
				c.title = t.GetTitle()
			}
			addControls(c, t.GetControls())
		}
	}
	for _, f := range sv.eff[tenant] {
		id := f.GetCheckId()
		if d := f.GetDrift(); d.GetCheckId() != "" {
			id = d.GetCheckId()
		}
		c := get(id)
		if !c.seenFinding {
			// A check's findings carry its controls; reading them once per
			// check keeps this linear in the findings.
			c.seenFinding = true
			if c.title == "" {
				c.title = f.GetTitle()
			}
			addControls(c, f.GetControls())
		}
		if f.GetStatus() == pb.SecurityStatus_SECURITY_STATUS_MUTED {
			c.muted++
			resp.Muted++
			continue
		}
		c.failed++
		resp.Failed++
		resp.RiskScore += riskWeights[f.GetSeverity()]
		c.ids = keepSmallest(c.ids, f.GetId(), maxEvidenceIDs)
	}
	type ctlAgg struct {
		p      *pb.ControlPosture
		checks map[string]bool
	}
	fws := map[string]map[string]*ctlAgg{}
	for id, c := range checks {
		resp.Passed += c.passed
		for _, ref := range c.controls {
			fw := ref.GetFramework()
			if framework != "" && fw != framework {
				continue
			}
			ctls := fws[fw]
			if ctls == nil {
				ctls = map[string]*ctlAgg{}
				fws[fw] = ctls
			}
			a := ctls[ref.GetControl()]
			if a == nil {
				a = &ctlAgg{p: &pb.ControlPosture{Control: ref.GetControl()}, checks: map[string]bool{}}
				ctls[ref.GetControl()] = a
			}
			if a.checks[id] {
				continue
			}
			a.checks[id] = true
			a.p.CheckIds = append(a.p.CheckIds, id)
			a.p.Passed += c.passed
			a.p.Failed += c.failed
			a.p.Muted += c.muted
			if a.p.Title == "" {
				a.p.Title = c.title
			}
			for _, fid := range c.ids {
				if len(a.p.FindingIds) < maxEvidenceIDs {
					a.p.FindingIds = append(a.p.FindingIds, fid)
				}
			}
		}
	}
	for fw, ctls := range fws {
		fp := &pb.FrameworkPosture{Framework: fw}
		for _, a := range ctls {
			p := a.p
			slices.Sort(p.CheckIds)
			switch {
			case p.Failed > 0:
				p.Status = pb.SecurityStatus_SECURITY_STATUS_FAIL
				fp.ControlsFailing++
			case p.Muted > 0 && p.Passed == 0:
				p.Status = pb.SecurityStatus_SECURITY_STATUS_MUTED
			default:
				p.Status = pb.SecurityStatus_SECURITY_STATUS_PASS
				fp.ControlsPassing++
			}
			fp.Passed += p.Passed
			fp.Failed += p.Failed
			fp.Muted += p.Muted
			fp.Controls = append(fp.Controls, p)
		}
		if fp.Passed+fp.Failed > 0 {
			fp.Score = float64(fp.Passed) / float64(fp.Passed+fp.Failed)
		}
		slices.SortFunc(fp.Controls, func(a, b *pb.ControlPosture) int { return compareControls(a.GetControl(), b.GetControl()) })
		resp.Frameworks = append(resp.Frameworks, fp)
	}
	slices.SortFunc(resp.Frameworks, func(a, b *pb.FrameworkPosture) int { return cmp.Compare(a.GetFramework(), b.GetFramework()) })
	return resp
}

// compareControls orders control numbers as numbers part by part, so 1.10
// comes after 1.9.
func compareControls(a, b string) int {
	ap, bp := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(ap) && i < len(bp); i++ {
		var x, y int
		_, ex := fmt.Sscanf(ap[i], "%d", &x)
		_, ey := fmt.Sscanf(bp[i], "%d", &y)
		if ex == nil && ey == nil && x != y {
			return cmp.Compare(x, y)
		}
		if c := cmp.Compare(ap[i], bp[i]); c != 0 && (ex != nil || ey != nil) {
			return c
		}
	}
	return cmp.Compare(len(ap), len(bp))
}

// keepSmallest inserts id into the sorted ids, keeping at most n.
func keepSmallest(ids []string, id string, n int) []string {
	if len(ids) == n && id >= ids[n-1] {
		return ids
	}
	i, _ := slices.BinarySearch(ids, id)
	if len(ids) < n {
		ids = append(ids, "")
	}
	copy(ids[i+1:], ids[i:])
	ids[i] = id
	return ids
}
