package filter

import (
	"sync"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// doc is the JSON-shaped view of one resource the expression runs on.
// Docs are pooled: a 200k-resource scan would otherwise build 200k maps
// per pass. Nothing the search returns outlives Match, so reuse is safe.
type doc struct {
	root map[string]any
	tags map[string]any
	attr map[string]any
}

var docPool = sync.Pool{New: func() any {
	return &doc{root: make(map[string]any, 11), tags: map[string]any{}, attr: map[string]any{}}
}}

func getDoc() *doc { return docPool.Get().(*doc) }

func putDoc(d *doc) {
	clear(d.tags)
	clear(d.attr)
	// Drop references to the resource's attributes before pooling.
	clear(d.root)
	docPool.Put(d)
}

func (d *doc) fill(r *resource.Resource, withAttr bool) {
	attrs := r.Attrs
	if attrs == nil {
		attrs = map[string]any{}
	}
	for k, v := range r.Tags {
		d.tags[k] = v
	}
	m := d.root
	m["type"] = r.Type
	m["id"] = r.ID
	m["provider"] = r.Provider
	m["account"] = r.Account
	m["region"] = r.Region
	m["address"] = r.Address
	m["attrs"] = attrs
	m["tags"] = d.tags
	m["Type"] = r.Type
	m["Id"] = r.ID
	if !withAttr {
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
