package azure

import (
	"encoding/json"
	"fmt"
	"strings"
)

// conv says how an ARM value becomes a Terraform value.
type conv int

const (
	plain   conv = iota // copied as is
	pluck               // [{key: s}] -> []string
	enabled             // "Enabled"/"Disabled" -> bool
	first               // [s] -> s (zones -> zone)
	list                // array of objects -> list of blocks
	block               // object -> one-element block list
	tagMap              // [{ipTagType, tag}] -> map
)

// field maps one ARM JSON path onto a Terraform attribute.
type field struct {
	tf, arm string
	conv    conv
	key     string  // pluck: the object key
	sub     []field // list, block: the element's fields
	def     any     // the value Terraform holds when ARM omits it
	hasDef  bool
}

// or sets the provider default used when ARM omits the value. Zero
// values need none: the drift engine equates null with zero.
func (fd field) or(v any) field { fd.def, fd.hasDef = v, true; return fd }

func f(tf, arm string) field               { return field{tf: tf, arm: arm} }
func ids(tf, arm string) field             { return field{tf: tf, arm: arm, conv: pluck, key: "id"} }
func strs(tf, arm, key string) field       { return field{tf: tf, arm: arm, conv: pluck, key: key} }
func en(tf, arm string) field              { return field{tf: tf, arm: arm, conv: enabled} }
func zone(tf, arm string) field            { return field{tf: tf, arm: arm, conv: first} }
func lst(tf, arm string, s ...field) field { return field{tf: tf, arm: arm, conv: list, sub: s} }
func blk(tf, arm string, s ...field) field { return field{tf: tf, arm: arm, conv: block, sub: s} }

// toMap turns an SDK model into JSON-shaped values through its own
// MarshalJSON, so the mapping reads the wire names the API documents.
func toMap(model any) (map[string]any, error) {
	b, err := json.Marshal(model)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", model, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %T: %w", model, err)
	}
	return m, nil
}

// parse reads ARM JSON into Terraform attributes by spec.
func parse(arm map[string]any, spec []field, out map[string]any) {
	for _, fd := range spec {
		v := getPath(arm, fd.arm)
		switch fd.conv {
		case plain:
			if v == nil {
				if fd.hasDef {
					out[fd.tf] = fd.def
				}
				continue
			}
			out[fd.tf] = v
		case pluck:
			vs, _ := v.([]any)
			l := make([]any, 0, len(vs))
			for _, e := range vs {
				if em, ok := e.(map[string]any); ok && em[fd.key] != nil {
					l = append(l, em[fd.key])
				}
			}
			out[fd.tf] = l
		case enabled:
			s, ok := v.(string)
			switch {
			case ok:
				out[fd.tf] = strings.EqualFold(s, "Enabled")
			case fd.hasDef:
				out[fd.tf] = fd.def
			}
		case first:
			vs, _ := v.([]any)
			out[fd.tf] = ""
			if len(vs) > 0 {
				out[fd.tf] = vs[0]
			}
		case tagMap:
			vs, _ := v.([]any)
			m := map[string]any{}
			for _, e := range vs {
				em, _ := e.(map[string]any)
				if k, ok := em["ipTagType"].(string); ok {
					m[k] = em["tag"]
				}
			}
			out[fd.tf] = m
		case list:
			vs, _ := v.([]any)
			l := make([]any, 0, len(vs))
			for _, e := range vs {
				em, _ := e.(map[string]any)
				o := map[string]any{}
				parse(em, fd.sub, o)
				l = append(l, o)
			}
			out[fd.tf] = l
		case block:
			em, ok := v.(map[string]any)
			if !ok {
				out[fd.tf] = []any{}
				continue
			}
			o := map[string]any{}
			parse(em, fd.sub, o)
			out[fd.tf] = []any{o}
		}
	}
}

func getPath(m map[string]any, path string) any {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = cm[p]
	}
	return cur
}

// idSegment returns the value after key in an ARM id, ignoring case.
func idSegment(id, key string) string {
	seg := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(seg); i++ {
		if strings.EqualFold(seg[i], key) {
			return seg[i+1]
		}
	}
	return ""
}
