package ignore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// glob is one pre-split pattern segment. parts are the literal runs between
// unescaped '*'; a literal segment has one part and wild false.
type glob struct {
	parts []string
	wild  bool
}

func (g *glob) match(s string) bool {
	if !g.wild {
		return s == g.parts[0]
	}
	p := g.parts
	if !strings.HasPrefix(s, p[0]) {
		return false
	}
	s = s[len(p[0]):]
	// Leftmost matching of the middle runs is enough when '*' is the only
	// wildcard: taking a run earlier never prevents a later one matching.
	for _, m := range p[1 : len(p)-1] {
		i := strings.Index(s, m)
		if i < 0 {
			return false
		}
		s = s[i+len(m):]
	}
	return strings.HasSuffix(s, p[len(p)-1])
}

// literal returns the glob's text when it has no wildcard.
func (g *glob) literal() (string, bool) { return g.parts[0], !g.wild }

func (g *glob) String() string {
	var b strings.Builder
	for i, p := range g.parts {
		if i > 0 {
			b.WriteByte('*')
		}
		b.WriteString(escapeSegment(p))
	}
	return b.String()
}

// globBuilder collects a segment's characters, splitting on '*'.
type globBuilder struct {
	cur   strings.Builder
	parts []string
	wild  bool
}

func (b *globBuilder) star() {
	b.parts = append(b.parts, b.cur.String())
	b.cur.Reset()
	b.wild = true
}

func (b *globBuilder) done() glob {
	g := glob{parts: append(b.parts, b.cur.String()), wild: b.wild}
	*b = globBuilder{}
	return g
}

func (b *globBuilder) empty() bool { return !b.wild && b.cur.Len() == 0 }

func literalGlob(s string) glob { return glob{parts: []string{s}} }

// pattern is a rule's text split into segments.
type pattern struct {
	typ, id glob
	hasID   bool
	path    []glob
}

// errRule is a rule-level problem; the caller adds file and line.
type errRule struct{ msg string }

func (e *errRule) Error() string { return e.msg }

func ruleErr(format string, args ...any) error { return &errRule{fmt.Sprintf(format, args...)} }

const expectRule = "expected resource_type.resource_id"

// parsePattern splits rule text (without its '!') into type, id and path.
func parsePattern(text string) (pattern, error) {
	var p pattern
	i := 0
	seg := func(what string) (glob, error) {
		var b globBuilder
		for i < len(text) {
			c := text[i]
			switch c {
			case '\\':
				if i+1 >= len(text) {
					return glob{}, ruleErr(`%s, got %q: a "\" at the end escapes nothing (write "\\" for a backslash)`, expectRule, text)
				}
				b.cur.WriteByte(text[i+1])
				i += 2
				continue
			case '*':
				b.star()
			case '.':
				if b.empty() {
					return glob{}, ruleErr("%s, got %q: empty %s", expectRule, text, what)
				}
				return b.done(), nil
			default:
				b.cur.WriteByte(c)
			}
			i++
		}
		if b.empty() {
			return glob{}, ruleErr("%s, got %q: empty %s", expectRule, text, what)
		}
		return b.done(), nil
	}
	var err error
	if p.typ, err = seg("resource type"); err != nil {
		return p, err
	}
	if i >= len(text) {
		if !p.typ.wild {
			return p, ruleErr("%s, got %q (write %s.* to match every %s)", expectRule, text, text, text)
		}
		// A lone glob names types, as driftctl's "*" and "!aws_iam_*" do.
		p.id = glob{parts: []string{"", ""}, wild: true}
		return p, nil
	}
	i++ // the dot
	if p.id, err = seg("resource id"); err != nil {
		return p, err
	}
	p.hasID = true
	if i >= len(text) {
		return p, nil
	}
	i++ // the dot
	p.path, err = parsePathPattern(text, i)
	return p, err
}

// parsePathPattern reads attribute path segments from text[i:]: names
// separated by dots, and bracketed steps: [0], [*], ["quoted key"].
func parsePathPattern(text string, i int) ([]glob, error) {
	var path []glob
	needSep := false
	for {
		if i >= len(text) {
			if !needSep {
				return nil, ruleErr("%s.path, got %q: empty attribute path segment", expectRule, text)
			}
			return path, nil
		}
		switch c := text[i]; {
		case c == '[':
			g, n, err := parseBracket(text, i)
			if err != nil {
				return nil, err
			}
			path = append(path, g)
			i = n
			needSep = true
			continue
		case needSep && c == '.':
			i++
			needSep = false
			if i >= len(text) || text[i] == '.' {
				return nil, ruleErr("%s.path, got %q: empty attribute path segment", expectRule, text)
			}
			continue
		case needSep:
			return nil, ruleErr("%s.path, got %q: expected \".\" or \"[\" after \"]\" at offset %d", expectRule, text, i)
		}
		var b globBuilder
	name:
		for i < len(text) {
			switch c := text[i]; c {
			case '\\':
				if i+1 >= len(text) {
					return nil, ruleErr(`%s, got %q: a "\" at the end escapes nothing (write "\\" for a backslash)`, expectRule, text)
				}
				b.cur.WriteByte(text[i+1])
				i += 2
				continue
			case '*':
				b.star()
			case '.', '[':
				break name
			default:
				b.cur.WriteByte(c)
			}
			i++
		}
		if b.empty() {
			return nil, ruleErr("%s.path, got %q: empty attribute path segment", expectRule, text)
		}
		path = append(path, b.done())
		needSep = true
	}
}

// parseBracket reads "[...]" at text[i]. A quoted key is literal; anything
// else is a glob (an index or '*').
func parseBracket(text string, i int) (glob, int, error) {
	start := i
	i++
	if i < len(text) && text[i] == '"' {
		j := i + 1
		for j < len(text) && text[j] != '"' {
			if text[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(text) || j+1 >= len(text) || text[j+1] != ']' {
			return glob{}, 0, ruleErr("%s.path, got %q: unterminated %q at offset %d", expectRule, text, `["`, start)
		}
		key, err := strconv.Unquote(text[i : j+1])
		if err != nil {
			return glob{}, 0, ruleErr("%s.path, got %q: bad quoted key at offset %d: %v", expectRule, text, start, errors.Unwrap(err))
		}
		return literalGlob(key), j + 2, nil
	}
	var b globBuilder
	for i < len(text) && text[i] != ']' {
		switch c := text[i]; c {
		case '\\':
			if i+1 < len(text) {
				i++
			}
			b.cur.WriteByte(text[i])
		case '*':
			b.star()
		default:
			b.cur.WriteByte(c)
		}
		i++
	}
	if i >= len(text) {
		return glob{}, 0, ruleErr("%s.path, got %q: unterminated \"[\" at offset %d", expectRule, text, start)
	}
	if b.empty() {
		return glob{}, 0, ruleErr("%s.path, got %q: empty \"[]\" at offset %d", expectRule, text, start)
	}
	return b.done(), i + 1, nil
}

// pathSteps splits a resource.Path ("ingress[2].cidr_blocks",
// `tags["kubernetes.io/role"]`) into its steps. It never fails: text it
// cannot read as a quoted key is kept as it is.
func pathSteps(p string, buf []string) []string {
	steps := buf[:0]
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
		case '[':
			if i+1 < len(p) && p[i+1] == '"' {
				j := i + 2
				for j < len(p) && p[j] != '"' {
					if p[j] == '\\' {
						j++
					}
					j++
				}
				if j < len(p) {
					if key, err := strconv.Unquote(p[i+1 : j+1]); err == nil {
						steps = append(steps, key)
						i = j + 1
						if i < len(p) && p[i] == ']' {
							i++
						}
						continue
					}
				}
			}
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				steps = append(steps, p[i+1:])
				return steps
			}
			steps = append(steps, p[i+1:i+j])
			i += j + 1
		default:
			j := strings.IndexAny(p[i:], ".[")
			if j < 0 {
				steps = append(steps, p[i:])
				return steps
			}
			steps = append(steps, p[i:i+j])
			i += j
		}
	}
	return steps
}

// escapeSegment escapes the characters a type or id segment reads
// specially.
func escapeSegment(s string) string {
	if !strings.ContainsAny(s, `\.*`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '.', '*':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
