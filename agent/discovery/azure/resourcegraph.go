package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// The generic tier: one Azure Resource Graph query per subscription lists
// every resource with its ARM type, id and tags; types the typemap table
// maps become azurerm resources (ids and tags only), so resources no
// typed lister reads are still seen.

// graphQuery projects what the generic tier needs; osType and kind tell
// Linux from Windows machines, scale sets and web apps.
const graphQuery = "Resources | project id, type, name, location, tags, subscriptionId, resourceGroup, kind, " +
	"osType = tostring(coalesce(properties.storageProfile.osDisk.osType, properties.virtualMachineProfile.storageProfile.osDisk.osType))"

// graphPageSize is what one query page asks for (Resource Graph's
// largest page is 1000).
const graphPageSize = 1000

// graphLister runs the query for one subscription.
type graphLister struct {
	p *provider
	// skip holds the Terraform types a typed lister emits.
	skip  map[string]bool
	top   int32
	types []string
}

// newGraphLister returns the generic lister, passing over every type the
// typed listers emit.
func newGraphLister(p *provider, typed []discovery.Lister) *graphLister {
	l := &graphLister{p: p, skip: map[string]bool{}, top: graphPageSize}
	for _, t := range typed {
		for _, typ := range t.Types() {
			l.skip[typ] = true
		}
	}
	for _, t := range typemap.AzureTypes {
		if !l.skip[t.Terraform] {
			l.types = append(l.types, t.Terraform)
		}
	}
	return l
}

func (l *graphLister) Service() string { return "Microsoft.ResourceGraph" }
func (l *graphLister) Types() []string { return l.types }

// Global is true: one query covers the subscription.
func (l *graphLister) Global() bool { return true }

func (l *graphLister) List(ctx context.Context, scope discovery.Scope, emit func(resource.Resource)) error {
	c, err := armresourcegraph.NewClient(l.p.cred, l.p.client)
	if err != nil {
		return fmt.Errorf("resource graph client: %w", err)
	}
	format := armresourcegraph.ResultFormatObjectArray
	query, sub, top := graphQuery, scope.Account, l.top
	var token *string
	for {
		resp, err := c.Resources(ctx, armresourcegraph.QueryRequest{
			Query:         &query,
			Subscriptions: []*string{&sub},
			Options:       &armresourcegraph.QueryRequestOptions{ResultFormat: &format, SkipToken: token, Top: &top},
		}, nil)
		if err != nil {
			return fmt.Errorf("query resource graph in subscription %s: %w", sub, err)
		}
		rows, _ := resp.Data.([]any)
		for _, row := range rows {
			if m, ok := row.(map[string]any); ok {
				if r, ok := l.mapRow(sub, m); ok {
					emit(r)
				}
			}
		}
		if resp.SkipToken == nil || *resp.SkipToken == "" {
			return nil
		}
		token = resp.SkipToken
	}
}

// mapRow turns a Resources row into an azurerm resource, when the table
// maps its type and no typed lister reads it.
func (l *graphLister) mapRow(sub string, row map[string]any) (resource.Resource, bool) {
	armType, _ := row["type"].(string)
	osType, _ := row["osType"].(string)
	if kind, _ := row["kind"].(string); osType == "" && strings.EqualFold(armType, "microsoft.web/sites") {
		osType = "Windows"
		if strings.Contains(strings.ToLower(kind), "linux") {
			osType = "Linux"
		}
	}
	t, ok := typemap.AzureByARM(armType, osType)
	if !ok || l.skip[t.Terraform] {
		return resource.Resource{}, false
	}
	id, _ := row["id"].(string)
	if id == "" {
		return resource.Resource{}, false
	}
	if s, _ := row["subscriptionId"].(string); s != "" {
		sub = s
	}
	attrs := map[string]any{"id": id}
	var flat map[string]string
	if tags, ok := row["tags"].(map[string]any); ok && len(tags) > 0 {
		flat = make(map[string]string, len(tags))
		for k, v := range tags {
			s, _ := v.(string)
			flat[k] = s
		}
		attrs["tags"] = tags
	}
	loc, _ := row["location"].(string)
	return resource.Resource{Provider: Name, Type: t.Terraform, ID: id, Account: sub,
		Region: strings.ToLower(strings.ReplaceAll(loc, " ", "")), Attrs: attrs, Tags: flat}, true
}
