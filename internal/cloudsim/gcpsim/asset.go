package gcpsim

import (
	"net/http"
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// AssetHost prefixes the Cloud Asset Inventory API.
const AssetHost = "cloudasset.googleapis.com"

// Cloud Asset Inventory: assets.list of a project with contentType
// RESOURCE, every google resource whose type the typemap table knows
// becoming one asset (name, assetType, resource.data with name and
// labels, resource.location), filtered by assetTypes, paged by
// pageSize/pageToken.

func (s *server) routeAssets(mux *http.ServeMux) {
	mux.HandleFunc("GET /"+AssetHost+"/v1/projects/{p}/assets", s.assets)
}

func (s *server) assets(rw http.ResponseWriter, r *http.Request) {
	project := r.PathValue("p")
	if !s.check(rw, "cloudasset", project) {
		return
	}
	q := r.URL.Query()
	if ct := q.Get("contentType"); ct != "" && ct != "RESOURCE" {
		writeError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "badRequest",
			"The simulated cloud serves contentType RESOURCE only, not "+ct+".")
		return
	}
	want := map[string]bool{}
	for _, t := range q["assetTypes"] {
		want[t] = true
	}
	var items []map[string]any
	for _, res := range s.w.All() {
		if res.Provider != "google" || res.Account != project {
			continue
		}
		t, ok := typemap.GoogleByTerraform(res.Type)
		if !ok || (len(want) > 0 && !want[t.Asset]) {
			continue
		}
		if a, ok := renderAsset(t, &res); ok {
			items = append(items, a)
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i]["name"].(string) < items[j]["name"].(string) })
	pg, next, ok := page(r, items)
	if !ok {
		writeError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "invalid", "Invalid page token or page size.")
		return
	}
	body := map[string]any{"assets": pg, "readTime": "2024-01-01T00:00:00Z"}
	if next != "" {
		body["nextPageToken"] = next
	}
	writeJSON(rw, http.StatusOK, body)
}

func renderAsset(t typemap.GoogleType, r *resource.Resource) (map[string]any, bool) {
	name, vars, ok := t.AssetName(r.ID, r.Account)
	if !ok {
		return nil, false
	}
	loc := vars["zone"]
	for _, k := range []string{"region", "location"} {
		if loc == "" {
			loc = vars[k]
		}
	}
	if loc == "" {
		loc = strings.ToLower(r.Region)
	}
	if loc == "" {
		loc = "global"
	}
	data := map[string]any{"name": name[strings.LastIndexByte(name, '/')+1:]}
	labels, _ := r.Attrs["labels"].(map[string]any)
	if len(labels) == 0 && len(r.Tags) > 0 {
		labels = map[string]any{}
		for k, v := range r.Tags {
			labels[k] = v
		}
	}
	if len(labels) > 0 {
		data["labels"] = labels
	}
	return map[string]any{
		"name":      name,
		"assetType": t.Asset,
		"resource": map[string]any{
			"version":              "v1",
			"discoveryName":        t.Asset[strings.IndexByte(t.Asset, '/')+1:],
			"discoveryDocumentUri": "https://" + t.NameHost() + "/$discovery/rest",
			"parent":               "//cloudresourcemanager.googleapis.com/projects/" + r.Account,
			"data":                 data,
			"location":             loc,
		},
		"updateTime": "2024-01-01T00:00:00Z",
	}, true
}
