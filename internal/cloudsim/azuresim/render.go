package azuresim

import (
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// conv says how a Terraform value becomes an ARM value.
type conv int

const (
	plain   conv = iota // copied as is
	pluck               // []string <-> [{key: s}]
	enabled             // bool <-> "Enabled"/"Disabled"
	first               // string <-> [s] (zone <-> zones)
	list                // list of blocks <-> array of objects
	block               // one-element block list <-> object
	tagMap              // map <-> [{ipTagType: k, tag: v}]
)

// field maps one Terraform attribute onto an ARM JSON path.
type field struct {
	tf, arm string
	conv    conv
	key     string  // pluck: the object key
	sub     []field // list, block: the element's fields
}

func f(tf, arm string) field               { return field{tf: tf, arm: arm} }
func ids(tf, arm string) field             { return field{tf: tf, arm: arm, conv: pluck, key: "id"} }
func strs(tf, arm, key string) field       { return field{tf: tf, arm: arm, conv: pluck, key: key} }
func en(tf, arm string) field              { return field{tf: tf, arm: arm, conv: enabled} }
func zone(tf, arm string) field            { return field{tf: tf, arm: arm, conv: first} }
func lst(tf, arm string, s ...field) field { return field{tf: tf, arm: arm, conv: list, sub: s} }
func blk(tf, arm string, s ...field) field { return field{tf: tf, arm: arm, conv: block, sub: s} }

// render writes Terraform attributes into an ARM object by spec.
func render(attrs map[string]any, spec []field, out map[string]any) {
	for _, fd := range spec {
		v, ok := attrs[fd.tf]
		if !ok || v == nil {
			continue
		}
		switch fd.conv {
		case plain:
			setPath(out, fd.arm, v)
		case pluck:
			vs, _ := v.([]any)
			arr := make([]any, 0, len(vs))
			for _, e := range vs {
				arr = append(arr, map[string]any{fd.key: e})
			}
			setPath(out, fd.arm, arr)
		case enabled:
			s := "Disabled"
			if b, _ := v.(bool); b {
				s = "Enabled"
			}
			setPath(out, fd.arm, s)
		case first:
			if s, _ := v.(string); s != "" {
				setPath(out, fd.arm, []any{s})
			}
		case tagMap:
			m, _ := v.(map[string]any)
			arr := []any{}
			for _, k := range resource.SortedKeys(m) {
				arr = append(arr, map[string]any{"ipTagType": k, "tag": m[k]})
			}
			setPath(out, fd.arm, arr)
		case list:
			vs, _ := v.([]any)
			arr := make([]any, 0, len(vs))
			for _, e := range vs {
				em, _ := e.(map[string]any)
				o := map[string]any{}
				render(em, fd.sub, o)
				arr = append(arr, o)
			}
			setPath(out, fd.arm, arr)
		case block:
			vs, _ := v.([]any)
			if len(vs) == 0 {
				continue
			}
			em, _ := vs[0].(map[string]any)
			o := map[string]any{}
			render(em, fd.sub, o)
			setPath(out, fd.arm, o)
		}
	}
}

// setPath sets a dotted path, creating the objects on the way.
func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}
