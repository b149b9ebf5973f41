package resource

import (
	"strconv"
	"strings"
)

// Path is an attribute path in the form users read in a diff:
// "ingress[2].cidr_blocks", "tags.Name", `tags["kubernetes.io/role"]`.
type Path string

// Redacted is what a sensitive value is replaced with in every output.
const Redacted = "(sensitive)"

// Field appends an attribute or map key to p. Keys that are not plain
// identifiers are quoted so the path stays unambiguous.
func (p Path) Field(name string) Path {
	if !isIdent(name) {
		return p + Path("["+strconv.Quote(name)+"]")
	}
	if p == "" {
		return Path(name)
	}
	return p + "." + Path(name)
}

// Index appends a list position to p.
func (p Path) Index(i int) Path { return p + Path("["+strconv.Itoa(i)+"]") }

// HasPrefix reports whether q equals p or lies beneath it.
func (p Path) HasPrefix(q Path) bool {
	if q == "" {
		return true
	}
	if !strings.HasPrefix(string(p), string(q)) {
		return false
	}
	rest := p[len(q):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// Root returns the first step of the path: the top-level attribute name.
func (p Path) Root() string {
	s := string(p)
	if i := strings.IndexAny(s, ".["); i >= 0 {
		return s[:i]
	}
	return s
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// IsSensitive reports whether path p is, or lies beneath, one of the
// sensitive paths.
func IsSensitive(p Path, sensitive []Path) bool {
	for _, s := range sensitive {
		if p.HasPrefix(s) {
			return true
		}
	}
	return false
}

// RedactAttrs returns a copy of attrs in which every value at or beneath a
// sensitive path is replaced by Redacted. attrs itself is not changed, so a
// comparison can still use the real values.
func RedactAttrs(attrs map[string]any, sensitive []Path) map[string]any {
	if len(sensitive) == 0 {
		return attrs
	}
	out, _ := redact("", attrs, sensitive).(map[string]any)
	return out
}

func redact(p Path, v any, sensitive []Path) any {
	if p != "" && IsSensitive(p, sensitive) {
		if v == nil {
			return nil
		}
		return Redacted
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = redact(p.Field(k), e, sensitive)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = redact(p.Index(i), e, sensitive)
		}
		return out
	default:
		return v
	}
}

// Redact returns a copy of r that is safe to print: sensitive attribute
// values are replaced. Tags are copied as they are.
func (r Resource) Redact() Resource {
	r.Attrs = RedactAttrs(r.Attrs, r.Sensitive)
	return r
}
