package gcp

import (
	"context"
	"encoding/json"
	"strings"

	cloudasset "google.golang.org/api/cloudasset/v1"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// The generic tier: Cloud Asset Inventory lists a project's resources of
// every asset type the typemap table maps and no typed lister reads, each
// emitted with its Terraform type, id, region and labels (as tags) only.

// assetLister returns the generic lister, asking only for the asset types
// the typed listers do not cover, so the API does no work for them.
func (p *provider) assetLister(typed []discovery.Lister) *lister {
	covered := map[string]bool{}
	for _, l := range typed {
		for _, t := range l.Types() {
			covered[t] = true
		}
	}
	var types, assetTypes []string
	for _, t := range typemap.GoogleTypes {
		if !covered[t.Terraform] {
			types = append(types, t.Terraform)
			assetTypes = append(assetTypes, t.Asset)
		}
	}
	return &lister{p: p, service: "cloudasset", types: types,
		list: func(ctx context.Context, project string, emit func(resource.Resource)) error {
			return p.listAssets(ctx, project, assetTypes, emit)
		}}
}

func (p *provider) listAssets(ctx context.Context, project string, assetTypes []string, emit func(resource.Resource)) error {
	opts, err := p.clientOptions(ctx, "cloudasset")
	if err != nil {
		return err
	}
	svc, err := cloudasset.NewService(ctx, opts...)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, t := range assetTypes {
		want[t] = true
	}
	call := svc.Assets.List("projects/" + project).ContentType("RESOURCE").AssetTypes(assetTypes...)
	if p.opts.PageSize > 0 {
		call.PageSize(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *cloudasset.ListAssetsResponse) error {
		for _, a := range l.Assets {
			if a == nil || !want[a.AssetType] {
				continue
			}
			if r, ok := assetResource(project, a); ok {
				emit(r)
			}
		}
		return nil
	})
}

// assetResource maps one asset; ok is false for a type the table does not
// map or a name not of the type's form.
func assetResource(project string, a *cloudasset.Asset) (resource.Resource, bool) {
	t, ok := typemap.GoogleByAsset(a.AssetType)
	if !ok {
		return resource.Resource{}, false
	}
	id, ok := t.TerraformID(a.Name, project)
	if !ok {
		return resource.Resource{}, false
	}
	attrs := map[string]any{"id": id}
	var tags map[string]string
	region := ""
	if a.Resource != nil {
		region = assetRegion(a.Resource.Location)
		var data struct {
			Labels map[string]string `json:"labels"`
		}
		if len(a.Resource.Data) > 0 && json.Unmarshal(a.Resource.Data, &data) == nil && len(data.Labels) > 0 {
			tags = data.Labels
			m := make(map[string]any, len(tags))
			for k, v := range tags {
				m[k] = v
			}
			attrs["tags"] = m
		}
	}
	return resource.Resource{Provider: "google", Type: t.Terraform, ID: id, Account: project,
		Region: region, Attrs: attrs, Tags: tags}, true
}

// assetRegion turns an asset location into the region the typed tier
// uses: a zone's region, a region or multi-region as is, none for global.
func assetRegion(loc string) string {
	loc = strings.ToLower(loc)
	if loc == "" || loc == "global" {
		return ""
	}
	// Zones are region + "-" + one letter: us-central1-a.
	if i := strings.LastIndexByte(loc, '-'); i > 0 && len(loc)-i == 2 && strings.Count(loc, "-") >= 2 {
		return loc[:i]
	}
	return loc
}
