package drift

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// This file holds the value-level normalization every comparison uses:
// Terraform stores null where a cloud API returns an empty string or list,
// and state format v3 stores every scalar as a string, so values are equal
// when they mean the same thing, not only when they are the same Go value.

// isEmpty reports whether v is null or an empty string, list or map: the
// shapes Terraform and cloud APIs use interchangeably for "nothing".
func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}

// isZero reports whether v is empty or the zero of a scalar type; a null on
// the other side equals it (Terraform leaves unset booleans and numbers null
// where the API reports false or 0).
func isZero(v any) bool {
	switch t := v.(type) {
	case bool:
		return !t
	case float64:
		return t == 0
	}
	return isEmpty(v)
}

// asNumber reads v as a number when it is one, or a string that is one
// (state format v3 keeps numbers as strings).
func asNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case string:
		if t == "" || len(t) > 32 {
			return 0, false
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// asBool reads v as a boolean when it is one, or the string form of one.
func asBool(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch t {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// scalarEqual compares two non-container values with type coercion.
func scalarEqual(a, b any) bool {
	switch ta := a.(type) {
	case string:
		if tb, ok := b.(string); ok {
			return ta == tb
		}
	case bool:
		if tb, ok := b.(bool); ok {
			return ta == tb
		}
	case float64:
		if tb, ok := b.(float64); ok {
			return ta == tb
		}
	}
	if x, ok := asNumber(a); ok {
		if y, ok := asNumber(b); ok {
			return x == y
		}
	}
	if x, ok := asBool(a); ok {
		if y, ok := asBool(b); ok {
			return x == y
		}
	}
	return false
}

// strictEqual is the fast path: exact structural equality of JSON-shaped
// values without allocation. Most managed resources are in sync, so most
// comparisons end here.
func strictEqual(a, b any) bool {
	switch ta := a.(type) {
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for k, va := range ta {
			vb, ok := tb[k]
			if !ok || !strictEqual(va, vb) {
				return false
			}
		}
		return true
	case []any:
		tb, ok := b.([]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for i := range ta {
			if !strictEqual(ta[i], tb[i]) {
				return false
			}
		}
		return true
	case string:
		tb, ok := b.(string)
		return ok && ta == tb
	case float64:
		tb, ok := b.(float64)
		return ok && ta == tb
	case bool:
		tb, ok := b.(bool)
		return ok && ta == tb
	case nil:
		return b == nil
	}
	return false
}

// canon writes a canonical form of v under the comparison rules at schema
// path sp, so that two values equal under the rules have the same form. It
// is used to compare set elements, which have no position to pair them by.
func (c *comparer) canon(sb *strings.Builder, sp string, v any) {
	if isEmpty(v) {
		sb.WriteString("~")
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k, e := range t {
			if !isZero(e) && !c.ignoredPath(joinSchema(sp, k)) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		sb.WriteByte('{')
		for _, k := range keys {
			sb.WriteString(strconv.Quote(k))
			sb.WriteByte(':')
			c.canon(sb, joinSchema(sp, k), t[k])
			sb.WriteByte(',')
		}
		sb.WriteByte('}')
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			var esb strings.Builder
			c.canon(&esb, sp, e)
			parts[i] = esb.String()
		}
		if c.isSet(sp) {
			sort.Strings(parts)
		}
		if c.jsonMode && len(parts) == 1 {
			// In policy documents "x" and ["x"] mean the same.
			sb.WriteString(parts[0])
			return
		}
		sb.WriteByte('[')
		for _, p := range parts {
			sb.WriteString(p)
			sb.WriteByte(',')
		}
		sb.WriteByte(']')
	default:
		if f, ok := asNumber(t); ok {
			sb.WriteString("n")
			sb.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
			return
		}
		if b, ok := asBool(t); ok {
			if !b {
				sb.WriteString("~")
				return
			}
			sb.WriteString("true")
			return
		}
		if s, ok := t.(string); ok {
			s = c.normString(sp, s)
			sb.WriteString(strconv.Quote(s))
			return
		}
		sb.WriteString("?")
	}
}

func joinSchema(sp, name string) string {
	if sp == "" {
		return name
	}
	return sp + "." + name
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
