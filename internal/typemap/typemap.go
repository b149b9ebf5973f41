// Package typemap maps the clouds' own resource type names onto the
// Terraform providers' type names, and the clouds' identifiers onto
// Terraform ids: CloudFormation types (AWS Cloud Control API), ARM types
// (Azure Resource Graph) and Cloud Asset Inventory types (GCP).
//
// The generic discovery tier (agent/discovery/<cloud>) reads it one way,
// the simulated cloud (internal/cloudsim) the other, so both sides of the
// wire agree on one table. It imports no SDK and does no I/O.
package typemap

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Pattern is an identifier form: literal text with {var} placeholders,
// e.g. "arn:aws:ecs:{region}:{account}:cluster/{name}". A placeholder
// matches up to the next literal character of the pattern (the rest of
// the string when it is last), so names holding that character need a
// pattern of their own.
type Pattern string

var (
	patMu    sync.Mutex
	patCache = map[Pattern]*regexp.Regexp{}
	varRE    = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

func (p Pattern) regexp() *regexp.Regexp {
	patMu.Lock()
	defer patMu.Unlock()
	if re, ok := patCache[p]; ok {
		return re
	}
	s := string(p)
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range varRE.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(regexp.QuoteMeta(s[last:loc[0]]))
		name := s[loc[2]:loc[3]]
		if loc[1] < len(s) {
			b.WriteString("(?P<" + name + ">[^" + regexp.QuoteMeta(s[loc[1]:loc[1]+1]) + "]+)")
		} else {
			b.WriteString("(?P<" + name + ">.+)")
		}
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(s[last:]))
	b.WriteString("$")
	re := regexp.MustCompile(b.String())
	patCache[p] = re
	return re
}

// Match reports whether s has the pattern's form, and the placeholders'
// values.
func (p Pattern) Match(s string) (map[string]string, bool) {
	re := p.regexp()
	m := re.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	vars := map[string]string{}
	for i, n := range re.SubexpNames() {
		if n != "" {
			vars[n] = m[i]
		}
	}
	return vars, true
}

// Fill replaces every placeholder by lookup's value; it fails when one
// has none.
func (p Pattern) Fill(lookup func(string) (string, bool)) (string, bool) {
	ok := true
	out := varRE.ReplaceAllStringFunc(string(p), func(v string) string {
		s, found := lookup(v[1 : len(v)-1])
		if !found {
			ok = false
		}
		return s
	})
	return out, ok
}

// Vars lists the pattern's placeholders.
func (p Pattern) Vars() []string {
	var out []string
	for _, m := range varRE.FindAllStringSubmatch(string(p), -1) {
		out = append(out, m[1])
	}
	return out
}

// lookups chains variable sources: the first that has a value wins.
func lookups(srcs ...func(string) (string, bool)) func(string) (string, bool) {
	return func(k string) (string, bool) {
		for _, s := range srcs {
			if v, ok := s(k); ok {
				return v, true
			}
		}
		return "", false
	}
}

func fromStrings(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok && v != ""
	}
}

// fromAny reads scalar values of a JSON-shaped map (attributes or
// properties) as strings.
func fromAny(m map[string]any) func(string) (string, bool) {
	return func(k string) (string, bool) {
		switch v := m[k].(type) {
		case string:
			return v, v != ""
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), true
		case bool:
			return strconv.FormatBool(v), true
		case nil:
			return "", false
		default:
			return fmt.Sprint(v), true
		}
	}
}
