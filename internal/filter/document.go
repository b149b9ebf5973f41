package filter

import (
	"strings"
	"sync"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// fieldSet is a set of document keys, one bit each.
type fieldSet uint16

// docKeys are the document's keys in bit order.
var docKeys = [...]string{"type", "id", "provider", "account", "region", "address", "attrs", "tags", "Type", "Id", "Attr"}

const (
	fType fieldSet = 1 << iota
	fID
	fProvider
	fAccount
	fRegion
	fAddress
	fAttrs
	fTags
	fDType
	fDID
	fDAttr
	fAll = 1<<len(docKeys) - 1
)

// fieldsOf returns the keys expr may read. A key never named in the text
// cannot be read, except through @ or a wildcard (keys(@), *) or an
// escaped identifier ("\\u0074ype"), which read everything.
func fieldsOf(expr string) fieldSet {
	if strings.ContainsAny(expr, `@*\`) {
		return fAll
	}
	var s fieldSet
	for i, k := range docKeys {
		if strings.Contains(expr, k) {
			s |= 1 << i
		}
	}
	return s
}

// doc is the JSON-shaped view of one resource the expression runs on.
// Docs are pooled: a 200k-resource scan would otherwise build 200k maps
// per pass. Nothing the search returns outlives Match, so reuse is safe.
type doc struct {
	root map[string]any
	tags map[string]any
	attr map[string]any
}

var docPool = sync.Pool{New: func() any {
	return &doc{root: make(map[string]any, len(docKeys)), tags: map[string]any{}, attr: map[string]any{}}
}}

func getDoc() *doc { return docPool.Get().(*doc) }

func putDoc(d *doc) {
	clear(d.tags)
	clear(d.attr)
	// Drop references to the resource's attributes before pooling.
	clear(d.root)
	docPool.Put(d)
}

func (d *doc) fill(r *resource.Resource, fs fieldSet) {
	m := d.root
	set := func(f fieldSet, key string, v string) {
		if fs&f != 0 {
			m[key] = v
		}
	}
	set(fType, "type", r.Type)
	set(fID, "id", r.ID)
	set(fProvider, "provider", r.Provider)
	set(fAccount, "account", r.Account)
	set(fRegion, "region", r.Region)
	set(fAddress, "address", r.Address)
	set(fDType, "Type", r.Type)
	set(fDID, "Id", r.ID)
	if fs&(fAttrs|fTags|fDAttr) == 0 {
		return
	}
	attrs := r.Attrs
	if attrs == nil {
		attrs = map[string]any{}
	}
	if fs&fAttrs != 0 {
		m["attrs"] = attrs
	}
	if fs&(fTags|fDAttr) != 0 {
		for k, v := range r.Tags {
			d.tags[k] = v
		}
	}
	if fs&fTags != 0 {
		m["tags"] = d.tags
	}
	if fs&fDAttr == 0 {
		return
	}
	if _, has := attrs["Tags"]; has || len(r.Tags) == 0 {
		m["Attr"] = attrs
		return
	}
	for k, v := range attrs {
		d.attr[k] = v
	}
	d.attr["Tags"] = d.tags
	m["Attr"] = d.attr
}
