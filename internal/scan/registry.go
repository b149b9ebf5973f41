package scan

import (
	"fmt"
	"sort"

	"github.com/driftmgr/driftmgr/internal/resource"
)

var registry []*Check

// register adds built-in checks; IDs must be unique (checked by a test).
func register(cs ...*Check) { registry = append(registry, cs...) }

// Builtin returns every built-in check in ID order.
func Builtin() []*Check {
	out := append([]*Check(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ev builds evidence about r, naming r when it is not the subject and
// redacting a value at one of r's sensitive paths.
func ev(subject, r *resource.Resource, p resource.Path, v any) Evidence {
	e := Evidence{Path: p, Value: v}
	if r != subject {
		e.Resource = r.Type + "." + r.ID
	}
	if v != nil && resource.IsSensitive(p, r.Sensitive) {
		e.Value = resource.Redacted
	}
	return e
}

func pass(msg string, e ...Evidence) *Outcome { return &Outcome{Pass: true, Message: msg, Evidence: e} }
func fail(msg string, e ...Evidence) *Outcome { return &Outcome{Message: msg, Evidence: e} }

func failf(e []Evidence, format string, args ...any) *Outcome {
	return &Outcome{Message: fmt.Sprintf(format, args...), Evidence: e}
}

func path(s string) resource.Path { return resource.Path(s) }

// cis builds the CIS reference map.
func cis(f Framework, ids ...string) map[Framework][]string { return map[Framework][]string{f: ids} }
