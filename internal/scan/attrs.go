package scan

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Attribute readers over JSON-shaped values. Terraform nested blocks are
// lists of objects; block returns the first.

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	}
	return ""
}

// boolean reads a bool that may be spelled as a string; ok is false when
// absent or not a boolean.
func boolean(v any) (b, ok bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch strings.ToLower(t) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func isTrue(v any) bool { b, ok := boolean(v); return ok && b }

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	}
	return 0, false
}

func list(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case nil:
		return nil
	}
	return []any{v}
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// block returns attrs[name] when it is an object, or the first object of
// a list (Terraform's shape for a single nested block).
func block(attrs map[string]any, name string) map[string]any {
	switch t := attrs[name].(type) {
	case map[string]any:
		return t
	case []any:
		if len(t) > 0 {
			return obj(t[0])
		}
	}
	return nil
}

func strs(v any) []string {
	var out []string
	for _, e := range list(v) {
		if s := str(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func firstStr(attrs map[string]any, names ...string) string {
	for _, n := range names {
		if s := str(attrs[n]); s != "" {
			return s
		}
	}
	return ""
}
