package gcpsim

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// computeBase is the prefix of every Compute Engine self link.
const computeBase = "https://www.googleapis.com/compute/v1/"

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func boolean(m map[string]any, k string) bool { b, _ := m[k].(bool); return b }

func num(m map[string]any, k string) float64 { f, _ := m[k].(float64); return f }

// int64String renders a number the way the APIs encode int64 values: as a
// JSON string.
func int64String(f float64) string { return strconv.FormatInt(int64(f), 10) }

// block returns the first element of a Terraform nested block list.
func block(m map[string]any, k string) map[string]any {
	if l, ok := m[k].([]any); ok && len(l) > 0 {
		b, _ := l[0].(map[string]any)
		return b
	}
	return nil
}

// blocks returns every element of a Terraform nested block list.
func blocks(m map[string]any, k string) []map[string]any {
	l, _ := m[k].([]any)
	out := make([]map[string]any, 0, len(l))
	for _, e := range l {
		if b, ok := e.(map[string]any); ok {
			out = append(out, b)
		}
	}
	return out
}

// put sets k in m unless v is a zero value, as the APIs omit empty fields.
func put(m map[string]any, k string, v any) {
	switch t := v.(type) {
	case nil:
		return
	case string:
		if t == "" {
			return
		}
	case bool:
		if !t {
			return
		}
	case float64:
		if t == 0 {
			return
		}
	case []any:
		if len(t) == 0 {
			return
		}
	case map[string]any:
		if len(t) == 0 {
			return
		}
	case []map[string]any:
		if len(t) == 0 {
			return
		}
	}
	m[k] = v
}

// numericID is the stable numeric id the API gives a resource, derived
// from its Terraform id when the state does not hold it.
func numericID(id string) string {
	h := fnv.New64a()
	h.Write([]byte(id))
	return strconv.FormatUint(h.Sum64()>>1, 10)
}

// link turns a short or relative reference into a full Compute self link.
func link(ref string) string {
	if ref == "" || strings.HasPrefix(ref, "https://") {
		return ref
	}
	return computeBase + ref
}
