package awssim

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// doc builds an XML answer. The SDK deserializers match element names
// only, so a tiny writer is enough and keeps rendering close to the API
// documentation's element lists.
type doc struct{ b strings.Builder }

func (d *doc) open(name string)  { d.b.WriteString("<" + name + ">") }
func (d *doc) close(name string) { d.b.WriteString("</" + name + ">") }

// text writes <name>value</name>.
func (d *doc) text(name, value string) {
	d.open(name)
	_ = xml.EscapeText(&d.b, []byte(value))
	d.close(name)
}

// opt writes <name>value</name> unless value is empty.
func (d *doc) opt(name, value string) {
	if value != "" {
		d.text(name, value)
	}
}

func (d *doc) boolean(name string, v bool) { d.text(name, strconv.FormatBool(v)) }

func (d *doc) num(name string, v float64) {
	d.text(name, strconv.FormatFloat(v, 'f', -1, 64))
}

func writeXML(rw http.ResponseWriter, status int, body string) {
	rw.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	rw.WriteHeader(status)
	_, _ = rw.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + body))
}

// Attribute readers for Terraform-shaped maps. A missing or mistyped
// attribute reads as the zero value: the world is test input.

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) float64 {
	f, _ := m[k].(float64)
	return f
}

func boolean(m map[string]any, k string) bool {
	b, _ := m[k].(bool)
	return b
}

func list(m map[string]any, k string) []any {
	l, _ := m[k].([]any)
	return l
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func strs(m map[string]any, k string) []string {
	var out []string
	for _, v := range list(m, k) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// tagsOf returns a resource's tags sorted by key.
func tagsOf(m map[string]any) [][2]string {
	t := obj(m["tags"])
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, 0, len(keys))
	for _, k := range keys {
		s, _ := t[k].(string)
		out = append(out, [2]string{k, s})
	}
	return out
}

// page cuts one page out of n items. The token is the offset of the next
// page; max <= 0 means the default page size.
func page(n int, token string, max, def int) (lo, hi int, next string, ok bool) {
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return 0, 0, "", false
		}
		lo = v
	}
	if max <= 0 {
		max = def
	}
	hi = min(n, lo+max)
	if hi < n {
		next = strconv.Itoa(hi)
	}
	return lo, hi, next, true
}
