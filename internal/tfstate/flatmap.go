package tfstate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Terraform 0.11 stored attributes in "flatmap" form, one string per leaf:
//
//	"tags.%": "2", "tags.Name": "web", "tags.kubernetes.io/role": "x"
//	"ingress.#": "1", "ingress.1234567.cidr_blocks.#": "1",
//	"ingress.1234567.cidr_blocks.0": "10.0.0.0/8"
//
// "%" marks a map (every key beneath it is a map key, dots included), "#"
// marks a list or a set (beneath it come indexes, or set element hashes),
// and anything else is a nested attribute. Without the provider schema the
// leaves cannot be typed, so they stay strings; the drift engine coerces
// scalars when it compares. The counts themselves are not trusted (partial
// states hold placeholders there): the elements present are what counts.

// flatEntry is one flatmap key, relative to the level being built.
type flatEntry struct {
	key string
	val string
}

// unflatten turns flatmap attributes into nested maps and lists. Set
// elements are ordered by their hash, numerically, so the same set always
// yields the same list. maxDepth bounds the nesting of the result.
func unflatten(flat map[string]string, maxDepth int) (map[string]any, error) {
	entries := make([]flatEntry, 0, len(flat))
	for k, v := range flat {
		entries = append(entries, flatEntry{k, v})
	}
	return buildObject(entries, 1, maxDepth)
}

// group collects the entries under one first key segment.
type group struct {
	scalar    *string     // value of the key itself, if present
	children  []flatEntry // entries beneath it, keys relative to it
	hasCount  bool        // a "#" child: list or set
	hasMapLen bool        // a "%" child: map
}

// groupEntries splits entries by their first dot-separated segment.
func groupEntries(entries []flatEntry) (map[string]*group, []string) {
	groups := make(map[string]*group)
	var names []string
	for _, e := range entries {
		name, rest, nested := strings.Cut(e.key, ".")
		g := groups[name]
		if g == nil {
			g = &group{}
			groups[name] = g
			names = append(names, name)
		}
		switch {
		case !nested:
			v := e.val
			g.scalar = &v
		case rest == "#":
			g.hasCount = true
		case rest == "%":
			g.hasMapLen = true
		default:
			g.children = append(g.children, flatEntry{rest, e.val})
		}
	}
	sort.Strings(names)
	return groups, names
}

func buildObject(entries []flatEntry, depth, maxDepth int) (map[string]any, error) {
	if depth > maxDepth {
		return nil, errFlatTooDeep(maxDepth)
	}
	groups, names := groupEntries(entries)
	out := make(map[string]any, len(names))
	for _, name := range names {
		v, err := buildValue(groups[name], depth, maxDepth)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// buildValue builds the value of one attribute. When a key holds both a
// scalar and entries beneath it (which Terraform never writes), the
// structure wins: it carries more information.
func buildValue(g *group, depth, maxDepth int) (any, error) {
	switch {
	case g.hasMapLen:
		return buildMap(g.children), nil
	case g.hasCount:
		if !allIndexes(g.children) {
			// Before Terraform 0.7 maps were counted with "#" too.
			return buildMap(g.children), nil
		}
		return buildList(g.children, depth+1, maxDepth)
	case len(g.children) > 0:
		return buildObject(g.children, depth+1, maxDepth)
	default:
		// groupEntries gives every group a marker, children or a
		// scalar, so the scalar is set here.
		return *g.scalar, nil
	}
}

// buildMap keeps keys verbatim: map keys may contain dots.
func buildMap(children []flatEntry) map[string]any {
	out := make(map[string]any, len(children))
	for _, c := range children {
		out[c.key] = c.val
	}
	return out
}

// allIndexes reports whether every child starts with an integer segment:
// a list index or a set hash.
func allIndexes(children []flatEntry) bool {
	for _, c := range children {
		idx, _, _ := strings.Cut(c.key, ".")
		if _, err := strconv.Atoi(idx); err != nil {
			return false
		}
	}
	return true
}

func buildList(children []flatEntry, depth, maxDepth int) ([]any, error) {
	if depth > maxDepth {
		return nil, errFlatTooDeep(maxDepth)
	}
	groups, names := groupEntries(children)
	sort.Slice(names, func(i, j int) bool {
		a, _ := strconv.Atoi(names[i])
		b, _ := strconv.Atoi(names[j])
		return a < b
	})
	out := make([]any, 0, len(names))
	for _, name := range names {
		v, err := buildValue(groups[name], depth, maxDepth)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func errFlatTooDeep(maxDepth int) *limitError {
	return &limitError{ErrTooDeep, fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
}

// flatAttributes decodes a JSON object of flatmap strings and unflattens
// it.
func (d *decoder) flatAttributes(path string, raw json.RawMessage) (map[string]any, error) {
	if raw[0] != '{' {
		return nil, d.fail(ErrMalformed, path, "expected an object of strings, got %s", jsonKind(raw))
	}
	if le := checkRaw(raw, d.lim); le != nil {
		return nil, d.limit(path, le)
	}
	var flat map[string]string
	if err := json.Unmarshal(raw, &flat); err != nil {
		return nil, d.fail(ErrMalformed, path, "expected an object of strings (flatmap attributes): %v", err)
	}
	attrs, err := unflatten(flat, d.lim.MaxDepth)
	if err != nil {
		if le, ok := err.(*limitError); ok {
			return nil, d.limit(path, le)
		}
		return nil, d.fail(ErrMalformed, path, "%v", err)
	}
	return attrs, nil
}
