package discovery

import (
	"bytes"
	"encoding/json"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// richer reports whether a should replace b when two listers emit the
// same resource in the same scope: the one with more attributes wins (the
// typed tier's over the generic tier's ids and tags), then the one with
// more tags; a full tie is broken by the attributes' JSON, so the result
// never depends on which lister finished first.
func richer(a, b resource.Resource) bool {
	if len(a.Attrs) != len(b.Attrs) {
		return len(a.Attrs) > len(b.Attrs)
	}
	if len(a.Tags) != len(b.Tags) {
		return len(a.Tags) > len(b.Tags)
	}
	ja, _ := json.Marshal(a.Attrs)
	jb, _ := json.Marshal(b.Attrs)
	if c := bytes.Compare(ja, jb); c != 0 {
		return c < 0
	}
	return a.Origin < b.Origin
}
