package gcp

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	cloudasset "google.golang.org/api/cloudasset/v1"
	"google.golang.org/api/option"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/gcpsim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// untypedGoogle are resources of types no typed lister reads, in
// Terraform's id forms.
func untypedGoogle() []resource.Resource {
	r := func(typ, id, region string, labels map[string]string) resource.Resource {
		attrs := map[string]any{"id": id}
		if labels != nil {
			l := map[string]any{}
			for k, v := range labels {
				l[k] = v
			}
			attrs["tags"] = l
		}
		return resource.Resource{Provider: "google", Type: typ, ID: id, Account: project, Region: region, Attrs: attrs, Tags: labels}
	}
	out := []resource.Resource{
		r("google_cloud_run_v2_service", "projects/acme-prod/locations/us-central1/services/api", "us-central1", map[string]string{"env": "prod"}),
		r("google_compute_instance_template", "projects/acme-prod/global/instanceTemplates/web-tpl", "", nil),
		r("google_container_node_pool", "projects/acme-prod/locations/us-central1/clusters/prod-gke/nodePools/default", "us-central1", nil),
		r("google_spanner_instance", "acme-prod/ledger", "", nil),
		r("google_compute_instance_group", "projects/acme-prod/zones/us-central1-a/instanceGroups/web", "us-central1", nil),
	}
	for i := range 5 {
		out = append(out, r("google_bigquery_dataset", fmt.Sprintf("projects/acme-prod/datasets/ds_%d", i), "us", map[string]string{"n": fmt.Sprint(i)}))
	}
	return out
}

// TestAssetsFindUntypedTypes: through the real cloudasset client, two
// assets a page, the generic tier reports the types no typed lister
// reads, with Terraform's types and ids, regions and labels; the typed
// example world's resources come from the typed tier only.
func TestAssetsFindUntypedTypes(t *testing.T) {
	w, err := world.Load("../../../examples/gcp/world.json")
	require.NoError(t, err)
	typedN := w.Len()
	for _, r := range untypedGoogle() {
		if r.Type == "google_bigquery_dataset" {
			r.Attrs["labels"] = r.Attrs["tags"]
			delete(r.Attrs, "tags")
			r.Tags = nil
		}
		w.Put(r)
	}
	res := discover(t, startSim(t, w, Options{PageSize: 2}))
	require.Empty(t, res.Skipped)
	listed := map[resource.Key]resource.Resource{}
	for _, r := range res.Resources {
		listed[r.Key()] = r
	}
	for _, want := range untypedGoogle() {
		got, ok := listed[want.Key()]
		require.True(t, ok, "%s not listed", want.Key())
		assert.Equal(t, want.Region, got.Region, want.Key().String())
		assert.Equal(t, want.Attrs, got.Attrs, want.Key().String())
		assert.Equal(t, want.Tags, got.Tags, want.Key().String())
	}
	generic := 0
	for _, r := range res.Resources {
		if len(r.Attrs) <= 2 {
			generic++
		}
	}
	assert.Equal(t, len(untypedGoogle()), generic, "a typed resource listed by the generic tier")
	assert.GreaterOrEqual(t, len(res.Resources), typedN-1+len(untypedGoogle()))
}

func TestAssetListerSkipsTypedTypes(t *testing.T) {
	p := New(Options{})
	typed := map[string]bool{}
	var asset discovery.Lister
	for _, l := range p.Listers() {
		if l.Service() == "cloudasset" {
			asset = l
			continue
		}
		for _, typ := range l.Types() {
			typed[typ] = true
		}
	}
	require.NotNil(t, asset)
	require.NotEmpty(t, asset.Types())
	for _, typ := range asset.Types() {
		assert.False(t, typed[typ], typ)
	}
}

func TestAssetFaults(t *testing.T) {
	t.Run("throttled", func(t *testing.T) {
		w := world.New(untypedGoogle())
		w.SetFaults(world.Faults{ThrottleRate: 0.3})
		res := discover(t, startSim(t, w, Options{PageSize: 3, MaxAttempts: 20}))
		require.Empty(t, res.Skipped)
		assert.Len(t, res.Resources, len(untypedGoogle()))
	})
	t.Run("denied", func(t *testing.T) {
		w := world.New(untypedGoogle())
		w.SetFaults(world.Faults{Deny: map[string]bool{"gcp:cloudasset": true}})
		res := discover(t, startSim(t, w, Options{}))
		require.Len(t, res.Skipped, 1)
		assert.Equal(t, "cloudasset", res.Skipped[0].Service)
		assert.Equal(t, discovery.AccessDenied, res.Skipped[0].Reason)
	})
	t.Run("disabled", func(t *testing.T) {
		w := world.New(untypedGoogle())
		w.SetFaults(world.Faults{Disabled: map[string]bool{"gcp:cloudasset": true}})
		res := discover(t, startSim(t, w, Options{}))
		require.Len(t, res.Skipped, 1)
		assert.Equal(t, discovery.NotEnabled, res.Skipped[0].Reason)
	})
}

// TestAssetSimRejects: a content type the simulator does not serve is an
// error through the real client.
func TestAssetSimRejects(t *testing.T) {
	srv := httptest.NewServer(gcpsim.NewHandler(world.New(untypedGoogle())))
	t.Cleanup(srv.Close)
	svc, err := cloudasset.NewService(context.Background(), optionsFor(srv.URL+"/"+gcpsim.AssetHost+"/", srv)...)
	require.NoError(t, err)
	_, err = svc.Assets.List("projects/" + project).ContentType("IAM_POLICY").Do()
	require.Error(t, err)
	_, err = svc.Assets.List("projects/" + project).PageToken("nope").Do()
	require.Error(t, err)
	out, err := svc.Assets.List("projects/" + project).Do()
	require.NoError(t, err)
	assert.Len(t, out.Assets, len(untypedGoogle()))
}

func TestAssetMapping(t *testing.T) {
	for loc, want := range map[string]string{"us-central1-a": "us-central1", "us-central1": "us-central1",
		"global": "", "": "", "US": "us", "europe-west4-b": "europe-west4"} {
		assert.Equal(t, want, assetRegion(loc), loc)
	}
	_, ok := assetResource(project, &cloudasset.Asset{AssetType: "unknown.googleapis.com/Thing", Name: "//x/y"})
	assert.False(t, ok)
	_, ok = assetResource(project, &cloudasset.Asset{AssetType: "compute.googleapis.com/Instance", Name: "//compute.googleapis.com/bad"})
	assert.False(t, ok)
	r, ok := assetResource(project, &cloudasset.Asset{AssetType: "storage.googleapis.com/Bucket", Name: "//storage.googleapis.com/b1"})
	require.True(t, ok)
	assert.Equal(t, "b1", r.ID)
	assert.Equal(t, "", r.Region)
}

func optionsFor(endpoint string, srv *httptest.Server) []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(endpoint), option.WithHTTPClient(srv.Client())}
}
