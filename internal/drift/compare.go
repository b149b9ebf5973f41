package drift

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// comparer diffs one state resource against its live counterpart under the
// rules of its type. It is cheap to build and used by one goroutine.
type comparer struct {
	rules    *Rules
	jsonMode bool // inside a JSON policy document: every list is a set
	diffs    []Diff
}

func (c *comparer) ignoredPath(sp string) bool { return c.rules.Ignore[sp] }

func (c *comparer) isSet(sp string) bool {
	if c.jsonMode {
		return true
	}
	if _, ok := c.rules.Sets[sp]; ok {
		return true
	}
	// Global set rules name leaf attributes wherever they are nested
	// (ingress.cidr_blocks is a set like cidr_blocks).
	if i := strings.LastIndexByte(sp, '.'); i >= 0 {
		_, ok := globalRules.Sets[sp[i+1:]]
		return ok
	}
	return false
}

func (c *comparer) normString(sp string, s string) string {
	if f := c.rules.Strings[sp]; f != nil {
		s = f(s)
	}
	if c.rules.Fold[sp] {
		s = strings.ToLower(s)
	}
	return s
}

// attrs compares top-level attributes. An attribute the live side does not
// carry at all is unknown, not removed: generic discovery and partial
// listers read only some attributes, and reporting every attribute they did
// not read would bury real drift. A live attribute that is present and null
// is compared.
func (c *comparer) attrs(state, live map[string]any) {
	state = effectiveTags(state, live)
	for _, k := range resource.SortedKeys(state) {
		if k == "id" || c.rules.Ignore[k] {
			continue
		}
		lv, ok := live[k]
		if !ok {
			continue
		}
		c.value(resource.Path("").Field(k), k, state[k], lv)
	}
}

// effectiveTags compares the tags the resource really has: with provider
// default_tags, state "tags" holds only the configured tags while
// "tags_all" holds what the cloud has; live discovery reports them all.
func effectiveTags(state, live map[string]any) map[string]any {
	all, ok := state["tags_all"].(map[string]any)
	if !ok || len(all) == 0 {
		return state
	}
	if _, liveHasAll := live["tags_all"]; liveHasAll {
		return state
	}
	out := make(map[string]any, len(state))
	for k, v := range state {
		out[k] = v
	}
	out["tags"] = all
	return out
}

func (c *comparer) add(p resource.Path, exp, act any) {
	c.diffs = append(c.diffs, Diff{Path: p, Expected: exp, Actual: act})
}

// value compares two values at path p, schema path sp.
func (c *comparer) value(p resource.Path, sp string, exp, act any) {
	if c.rules.Ignore[sp] {
		return
	}
	if strictEqual(exp, act) {
		return
	}
	if exp == nil || act == nil {
		other := act
		if act == nil {
			other = exp
		}
		// Null stands for the provider's default where it has one (so a
		// trail's enable_logging null is true, and false against it is
		// drift), else for the zero value.
		if d, ok := c.rules.Defaults[sp]; ok {
			if scalarEqual(d, other) {
				return
			}
		} else if isZero(other) {
			return
		}
	}
	if isEmpty(exp) && isEmpty(act) {
		return
	}
	if c.listDefault(sp, exp, act) {
		return
	}
	if !c.jsonMode && c.rules.JSON[sp] {
		if c.jsonDoc(p, exp, act) {
			return
		}
	}
	switch te := exp.(type) {
	case map[string]any:
		if ta, ok := act.(map[string]any); ok {
			c.maps(p, sp, te, ta)
			return
		}
	case []any:
		if ta, ok := act.([]any); ok {
			if c.isSet(sp) {
				c.sets(p, sp, te, ta)
			} else {
				c.lists(p, sp, te, ta)
			}
			return
		}
		if c.jsonMode && len(te) == 1 {
			c.value(p, sp, te[0], act)
			return
		}
	default:
		if c.jsonMode {
			if ta, ok := act.([]any); ok && len(ta) == 1 {
				c.value(p, sp, exp, ta[0])
				return
			}
		}
		if c.scalarsEqual(sp, exp, act) {
			return
		}
	}
	c.add(p, exp, act)
}

// listDefault says whether one side is an empty list (or null) and the
// other the list default the cloud fills in for it: termination_policies
// [] is ["Default"].
func (c *comparer) listDefault(sp string, exp, act any) bool {
	d, ok := c.rules.Defaults[sp].([]any)
	if !ok || isEmpty(exp) == isEmpty(act) {
		return false
	}
	other := act
	if isEmpty(act) {
		other = exp
	}
	var sd, so strings.Builder
	c.canon(&sd, sp, d)
	c.canon(&so, sp, other)
	return sd.String() == so.String()
}

func (c *comparer) scalarsEqual(sp string, a, b any) bool {
	sa, aok := a.(string)
	sb, bok := b.(string)
	if aok && bok {
		if c.rules.Versions[sp] && sa != "" && strings.HasPrefix(sb, sa+".") {
			return true // a is the state side: the configured version prefix
		}
		if c.rules.Refs[sp] && refEqual(sa, sb) {
			return true
		}
		return c.normString(sp, sa) == c.normString(sp, sb)
	}
	return scalarEqual(a, b)
}

// refEqual says whether an ARN and a name refer to the same thing: the
// name is what follows the ARN's last "/" ("arn:...:cluster/app" and
// "app", "arn:...:task-definition/web:3" and "web:3").
func refEqual(a, b string) bool {
	aARN, bARN := strings.HasPrefix(a, "arn:"), strings.HasPrefix(b, "arn:")
	if aARN == bARN {
		return false
	}
	if bARN {
		a, b = b, a
	}
	i := strings.LastIndexByte(a, '/')
	return i >= 0 && b != "" && a[i+1:] == b
}

func (c *comparer) maps(p resource.Path, sp string, exp, act map[string]any) {
	keys := make([]string, 0, len(exp)+len(act))
	for k := range exp {
		keys = append(keys, k)
	}
	for k := range act {
		if _, ok := exp[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		ksp := joinSchema(sp, k)
		if c.rules.Unknown[ksp] {
			_, inE := exp[k]
			_, inA := act[k]
			if inE != inA {
				continue
			}
		}
		c.value(p.Field(k), ksp, exp[k], act[k])
	}
}

func (c *comparer) lists(p resource.Path, sp string, exp, act []any) {
	n := max(len(exp), len(act))
	for i := range n {
		var e, a any
		if i < len(exp) {
			e = exp[i]
		}
		if i < len(act) {
			a = act[i]
		}
		c.value(p.Index(i), sp, e, a)
	}
}

// sets compares two lists without order. Equal elements cancel out; the
// rest are paired by the set's key fields (or, failing that, by how alike
// they are) so a changed element reads as a diff inside it.
func (c *comparer) sets(p resource.Path, sp string, exp, act []any) {
	ek := c.canonAll(sp, exp)
	ak := c.canonAll(sp, act)
	count := make(map[string]int, len(ak))
	for _, k := range ak {
		count[k]++
	}
	var restE []int
	for i, k := range ek {
		if count[k] > 0 {
			count[k]--
			continue
		}
		restE = append(restE, i)
	}
	// Which live elements are left over: walk again with fresh counts of
	// what the state side consumed.
	used := make(map[string]int, len(ek))
	for _, k := range ek {
		used[k]++
	}
	var restA []int
	for j, k := range ak {
		if used[k] > 0 {
			used[k]--
			continue
		}
		restA = append(restA, j)
	}
	if len(restE) == 0 && len(restA) == 0 {
		return
	}
	if !isObjects(exp, act) {
		// A set of scalars reads best whole: ["10.0.0.0/8"] => ["0.0.0.0/0", "10.0.0.0/8"].
		c.add(p, sortedCopy(exp), sortedCopy(act))
		return
	}
	pairs := c.pair(sp, exp, act, restE, restA)
	pairedA := make(map[int]bool, len(pairs))
	for _, i := range restE {
		j, ok := pairs[i]
		if !ok {
			c.add(p.Index(i), exp[i], nil)
			continue
		}
		pairedA[j] = true
		c.value(p.Index(i), sp, exp[i], act[j])
	}
	for _, j := range restA {
		if !pairedA[j] {
			c.add(p.Index(j), nil, act[j])
		}
	}
}

func (c *comparer) canonAll(sp string, vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		var sb strings.Builder
		c.canon(&sb, sp, v)
		out[i] = sb.String()
	}
	return out
}

// pair matches leftover set elements by key fields, else by the number of
// equal fields (at least half of them).
func (c *comparer) pair(sp string, exp, act []any, restE, restA []int) map[int]int {
	pairs := make(map[int]int)
	taken := make(map[int]bool)
	keyFields := c.rules.Sets[sp]
	for _, i := range restE {
		em, _ := exp[i].(map[string]any)
		best, bestScore := -1, 0
		for _, j := range restA {
			if taken[j] {
				continue
			}
			am, _ := act[j].(map[string]any)
			if len(keyFields) > 0 {
				if c.sameKey(sp, keyFields, em, am) {
					best = j
					break
				}
				continue
			}
			score := c.likeness(sp, em, am)
			if score > bestScore && score*2 >= max(len(em), len(am)) {
				best, bestScore = j, score
			}
		}
		if best >= 0 {
			pairs[i] = best
			taken[best] = true
		}
	}
	return pairs
}

func (c *comparer) sameKey(sp string, fields []string, a, b map[string]any) bool {
	for _, f := range fields {
		fa, fb := a[f], b[f]
		if isEmpty(fa) && isEmpty(fb) {
			continue
		}
		if !c.scalarsEqual(joinSchema(sp, f), fa, fb) {
			return false
		}
	}
	return true
}

func (c *comparer) likeness(sp string, a, b map[string]any) int {
	n := 0
	for k, va := range a {
		vb, ok := b[k]
		if !ok {
			continue
		}
		var sa, sb strings.Builder
		c.canon(&sa, joinSchema(sp, k), va)
		c.canon(&sb, joinSchema(sp, k), vb)
		if sa.String() == sb.String() {
			n++
		}
	}
	return n
}

func isObjects(a, b []any) bool {
	for _, l := range [][]any{a, b} {
		for _, v := range l {
			if _, ok := v.(map[string]any); !ok {
				return false
			}
		}
	}
	return true
}

func sortedCopy(vs []any) []any {
	out := append([]any(nil), vs...)
	sort.SliceStable(out, func(i, j int) bool {
		si, _ := json.Marshal(out[i])
		sj, _ := json.Marshal(out[j])
		return string(si) < string(sj)
	})
	return out
}

// jsonDoc compares two JSON documents held in strings semantically: key
// order, whitespace, "x" versus ["x"], statement and action order and URL
// encoding do not count. It reports diffs inside the document
// ("policy.Statement[0].Action") and returns true when it handled the pair.
func (c *comparer) jsonDoc(p resource.Path, exp, act any) bool {
	es, ok1 := exp.(string)
	as, ok2 := act.(string)
	if !ok1 || !ok2 {
		return false
	}
	var ev, av any
	if json.Unmarshal([]byte(policyText(es)), &ev) != nil || json.Unmarshal([]byte(policyText(as)), &av) != nil {
		return false
	}
	sub := comparer{rules: c.rules, jsonMode: true}
	sub.value(p, "", ev, av)
	c.diffs = append(c.diffs, sub.diffs...)
	return true
}
