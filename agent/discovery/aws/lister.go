package aws

import (
	"context"
	"time"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// lister is one typed lister: a service, the Terraform types it emits and
// the function that reads them.
type lister struct {
	service string
	types   []string
	global  bool
	list    func(ctx context.Context, scope discovery.Scope, emit func(resource.Resource)) error
}

func (l *lister) Service() string { return l.service }
func (l *lister) Types() []string { return l.types }
func (l *lister) Global() bool    { return l.global }
func (l *lister) List(ctx context.Context, scope discovery.Scope, emit func(resource.Resource)) error {
	return l.list(ctx, scope, emit)
}

// newResource builds a live resource; tags are copied into the flattened
// Tags map and into attrs["tags"] (always present, empty when none, as
// Terraform state holds them).
func newResource(typ, id string, scope discovery.Scope, attrs map[string]any, tags map[string]string) resource.Resource {
	attrs["id"] = id
	t := make(map[string]any, len(tags))
	for k, v := range tags {
		t[k] = v
	}
	attrs["tags"] = t
	return resource.Resource{Provider: "aws", Type: typ, ID: id, Account: scope.Account,
		Region: scope.Region, Attrs: attrs, Tags: tags}
}

// JSON-shaped conversions of SDK pointer fields.

func sv(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func i32(p *int32) float64 {
	if p == nil {
		return 0
	}
	return float64(*p)
}

func i64(p *int64) float64 {
	if p == nil {
		return 0
	}
	return float64(*p)
}

func bv(p *bool) bool { return p != nil && *p }

func anyStrings(ss []string) []any {
	out := make([]any, 0, len(ss))
	for _, s := range ss {
		out = append(out, s)
	}
	return out
}

func rfc3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// pageSize returns the configured page size, or nil for the API default.
func (p *provider) pageSize() *int32 {
	if p.opts.PageSize <= 0 {
		return nil
	}
	n := p.opts.PageSize
	return &n
}
