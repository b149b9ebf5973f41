package ignore

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// GenerateOptions leave kinds of finding out of a generated .driftignore,
// as driftctl gen-driftignore's --exclude-* flags do.
type GenerateOptions struct {
	ExcludeUnmanaged bool
	ExcludeMissing   bool
	ExcludeModified  bool
}

// generated sections, in driftctl's order.
var sections = []struct {
	kind   drift.Kind
	header string
}{
	{drift.Unmanaged, "# UNMANAGED: in the cloud, in no state"},
	{drift.Missing, "# MISSING: in a state, gone from the cloud"},
	{drift.Modified, "# MODIFIED: attributes that differ"},
}

// Generate writes .driftignore rules that ignore every finding: type.id for
// UNMANAGED and MISSING findings, type.id.path for each differing attribute
// of a MODIFIED one (so the resource stays compared on its other
// attributes). Rules are grouped under a comment per kind, sorted and
// deduplicated, so the same findings always give the same file. A finding
// whose type or id holds a line break, or whose rule would exceed
// MaxLineBytes, fails with ErrUnrepresentable before anything is written.
func Generate(w io.Writer, findings []drift.Finding, opts GenerateOptions) error {
	lines := map[drift.Kind]map[string]struct{}{}
	add := func(k drift.Kind, line string) {
		if lines[k] == nil {
			lines[k] = map[string]struct{}{}
		}
		lines[k][line] = struct{}{}
	}
	for i := range findings {
		f := &findings[i]
		switch {
		case f.Kind == drift.Unmanaged && opts.ExcludeUnmanaged,
			f.Kind == drift.Missing && opts.ExcludeMissing,
			f.Kind == drift.Modified && opts.ExcludeModified:
			continue
		}
		base, err := resourceRule(f.Type, f.ID)
		if err != nil {
			return err
		}
		if f.Kind != drift.Modified || len(f.Diffs) == 0 {
			// A MODIFIED finding without diffs has nothing finer to name.
			add(f.Kind, base)
			continue
		}
		for _, d := range f.Diffs {
			path := pathRule(d.Path)
			if path == "" {
				// A diff of the whole attribute set: only the resource
				// rule covers it.
				add(f.Kind, base)
				continue
			}
			line := base + "." + path
			if len(line) > MaxLineBytes {
				return fmt.Errorf("gen-driftignore: %w: rule for %s.%s at %s is longer than %d bytes", ErrUnrepresentable, f.Type, f.ID, d.Path, MaxLineBytes)
			}
			add(f.Kind, line)
		}
	}
	bw := bufio.NewWriter(w)
	first := true
	for _, s := range sections {
		set := lines[s.kind]
		if len(set) == 0 {
			continue
		}
		sorted := resource.SortedKeys(set)
		if !first {
			bw.WriteByte('\n')
		}
		first = false
		bw.WriteString(s.header)
		bw.WriteByte('\n')
		for _, l := range sorted {
			bw.WriteString(l)
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// resourceRule renders type.id with everything escaped that a rule would
// otherwise read specially.
func resourceRule(typ, id string) (string, error) {
	if typ == "" || id == "" {
		return "", fmt.Errorf("gen-driftignore: %w: finding %q.%q has an empty type or id", ErrUnrepresentable, typ, id)
	}
	if strings.ContainsAny(typ, "\r\n") || strings.ContainsAny(id, "\r\n") {
		return "", fmt.Errorf("gen-driftignore: %w: %q.%q holds a line break", ErrUnrepresentable, typ, id)
	}
	t := escapeSegment(typ)
	switch t[0] {
	case '!', '#', ' ', '\t':
		t = `\` + t
	}
	line := t + "." + escapeTrailingBlanks(escapeSegment(id))
	if len(line) > MaxLineBytes {
		return "", fmt.Errorf("gen-driftignore: %w: rule for %s.%s is longer than %d bytes", ErrUnrepresentable, typ, id, MaxLineBytes)
	}
	return line, nil
}

// escapeTrailingBlanks escapes blanks at the end of s, which the parser
// would otherwise trim.
func escapeTrailingBlanks(s string) string {
	end := len(s)
	for end > 0 && (s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	if end == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:end])
	for i := end; i < len(s); i++ {
		b.WriteByte('\\')
		b.WriteByte(s[i])
	}
	return b.String()
}

// pathRule renders a diff path in the rule syntax. Each step is rebuilt
// with resource.Path so names stay dotted, numbers become [N] and other
// keys are quoted (literal, never globbed); the parser reads back exactly
// the steps IgnoreAttr will see.
func pathRule(p resource.Path) string {
	var buf [16]string
	var out resource.Path
	for _, s := range pathSteps(string(p), buf[:0]) {
		if isIndex(s) {
			out += resource.Path("[" + s + "]")
			continue
		}
		out = out.Field(s)
	}
	return string(out)
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
