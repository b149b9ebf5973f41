package ignore

import (
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// kindMask is a set of drift kinds, one bit each.
type kindMask uint8

const (
	maskMissing kindMask = 1 << iota
	maskUnmanaged
	maskModified
	maskAll = maskMissing | maskUnmanaged | maskModified
)

func kindBit(k drift.Kind) kindMask {
	switch k {
	case drift.Missing:
		return maskMissing
	case drift.Unmanaged:
		return maskUnmanaged
	case drift.Modified:
		return maskModified
	}
	return 0
}

// rule is one parsed line.
type rule struct {
	pattern
	neg   bool
	kinds kindMask
	// src is "file:line", for Rules.String and debugging.
	src string
}

func (r *rule) matchResource(res *resource.Resource) bool {
	return r.typ.match(res.Type) && r.id.match(res.ID)
}

// matchPath reports whether the rule's path is a prefix of steps.
func (r *rule) matchPath(steps []string) bool {
	if len(r.path) > len(steps) {
		return false
	}
	for i := range r.path {
		if !r.path[i].match(steps[i]) {
			return false
		}
	}
	return true
}

// typeIndex finds the rules that can match a type: those naming it
// literally, and those whose type is a glob. Both lists are in rule order.
type typeIndex struct {
	byType map[string][]int32
	wild   []int32
}

func (ix *typeIndex) add(i int32, r *rule) {
	if t, ok := r.typ.literal(); ok {
		if ix.byType == nil {
			ix.byType = map[string][]int32{}
		}
		ix.byType[t] = append(ix.byType[t], i)
		return
	}
	ix.wild = append(ix.wild, i)
}

// candidates returns the two lists to walk for typ.
func (ix *typeIndex) candidates(typ string) (a, b []int32) {
	return ix.byType[typ], ix.wild
}

// Rules is a parsed, ordered set of ignore rules. The zero value and nil
// ignore nothing. Rules is immutable once built and safe for concurrent
// use.
type Rules struct {
	rules []rule
	res   typeIndex // rules without an attribute path
	all   typeIndex // every rule
}

func newRules(rs []rule) *Rules {
	out := &Rules{rules: rs}
	for i := range rs {
		r := &rs[i]
		if len(r.path) == 0 {
			out.res.add(int32(i), r)
		}
		out.all.add(int32(i), r)
	}
	return out
}

// Len returns the number of rules.
func (rs *Rules) Len() int {
	if rs == nil {
		return 0
	}
	return len(rs.rules)
}

// Merge returns the rules of rs followed by those of other, so other's
// rules win where both match. Either may be nil; neither is changed.
func (rs *Rules) Merge(other *Rules) *Rules {
	switch {
	case rs == nil && other == nil:
		return nil
	case rs == nil:
		return other
	case other == nil:
		return rs
	}
	all := make([]rule, 0, len(rs.rules)+len(other.rules))
	all = append(all, rs.rules...)
	all = append(all, other.rules...)
	return newRules(all)
}

// next pops the later of the two candidate lists' last entries, so
// walking both lists visits rules from the last to the first.
func next(a, b []int32) (i int32, na, nb []int32) {
	if len(b) == 0 || len(a) > 0 && a[len(a)-1] > b[len(b)-1] {
		return a[len(a)-1], a[:len(a)-1], b
	}
	return b[len(b)-1], a, b[:len(b)-1]
}

// decide returns the kinds of finding r is ignored for. The last matching
// rule decides each kind.
func (rs *Rules) decide(r *resource.Resource) kindMask {
	if rs == nil || r == nil || len(rs.rules) == 0 {
		return 0
	}
	undecided, ignored := maskAll, kindMask(0)
	a, b := rs.res.candidates(r.Type)
	for undecided != 0 && len(a)+len(b) > 0 {
		var i int32
		i, a, b = next(a, b)
		ru := &rs.rules[i]
		d := ru.kinds & undecided
		if d == 0 || !ru.matchResource(r) {
			continue
		}
		if !ru.neg {
			ignored |= d
		}
		undecided &^= d
	}
	return ignored
}

// IgnoreResource reports whether r is ignored whatever kind of drift it
// shows. Resources ignored only for some kinds are left to IgnoreKind.
func (rs *Rules) IgnoreResource(r *resource.Resource) bool {
	return rs.decide(r) == maskAll
}

// IgnoreKind reports whether a finding of kind k about r is ignored.
func (rs *Rules) IgnoreKind(k drift.Kind, r *resource.Resource) bool {
	b := kindBit(k)
	return b != 0 && rs.decide(r)&b != 0
}

// IgnoreAttr reports whether a difference at path p of r is ignored: the
// last rule matching r whose path is p or a prefix of p decides, a rule
// without a path covering every attribute.
func (rs *Rules) IgnoreAttr(r *resource.Resource, p resource.Path) bool {
	if rs == nil || r == nil || len(rs.rules) == 0 {
		return false
	}
	var (
		buf   [16]string
		steps []string
		split bool
	)
	a, b := rs.all.candidates(r.Type)
	for len(a)+len(b) > 0 {
		var i int32
		i, a, b = next(a, b)
		ru := &rs.rules[i]
		if ru.kinds&maskModified == 0 || !ru.matchResource(r) {
			continue
		}
		if len(ru.path) > 0 {
			if !split {
				steps, split = pathSteps(string(p), buf[:0]), true
			}
			if !ru.matchPath(steps) {
				continue
			}
		}
		return !ru.neg
	}
	return false
}

var (
	_ drift.Ignorer     = (*Rules)(nil)
	_ drift.KindIgnorer = (*Rules)(nil)
)
