package gcpsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	compute "google.golang.org/api/compute/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	storage "google.golang.org/api/storage/v1"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func exampleWorld(t *testing.T) *world.World {
	t.Helper()
	w, err := world.Load("../../../examples/gcp/world.json")
	require.NoError(t, err)
	return w
}

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

// TestRoutes lists every collection of the example world and checks the
// page holds the items under the API's key.
func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(NewHandler(exampleWorld(t)))
	defer srv.Close()
	tests := []struct {
		path, key string
		n         int
	}{
		{"/compute/v1/projects/acme-prod/global/firewalls", "items", 2},
		{"/compute/v1/projects/acme-prod/global/networks", "items", 1},
		{"/compute/v1/projects/acme-prod/zones/us-central1-a/instances", "items", 1},
		{"/compute/v1/projects/acme-prod/zones/us-central1-b/instances", "items", 0},
		{"/compute/v1/projects/acme-prod/zones/us-central1-a/disks", "items", 2},
		{"/compute/v1/projects/acme-prod/regions/us-central1/subnetworks", "items", 1},
		{"/compute/v1/projects/acme-prod/regions/us-central1/addresses", "items", 1},
		{"/compute/v1/projects/acme-prod/regions/us-central1/routers", "items", 1},
		{"/storage/v1/b?project=acme-prod", "items", 2},
		{"/" + IAMHost + "/v1/projects/acme-prod/serviceAccounts", "accounts", 1},
		{"/" + CRMHost + "/v1/projects", "projects", 1},
		{"/dns/v1/projects/acme-prod/managedZones", "managedZones", 1},
		{"/dns/v1/projects/acme-prod/managedZones/prod-zone/rrsets", "rrsets", 1},
		{"/" + PubSubHost + "/v1/projects/acme-prod/topics", "topics", 1},
		{"/" + PubSubHost + "/v1/projects/acme-prod/subscriptions", "subscriptions", 1},
		{"/" + KMSHost + "/v1/projects/acme-prod/locations", "locations", 3},
		{"/" + KMSHost + "/v1/projects/acme-prod/locations/us-central1/keyRings", "keyRings", 1},
		{"/" + KMSHost + "/v1/projects/acme-prod/locations/us-central1/keyRings/prod-ring/cryptoKeys", "cryptoKeys", 1},
		{"/" + SQLAdminHost + "/v1/projects/acme-prod/instances", "items", 1},
		{"/" + ContainerHost + "/v1/projects/acme-prod/locations/-/clusters", "clusters", 1},
		{"/" + ContainerHost + "/v1/projects/acme-prod/locations/europe-west1/clusters", "clusters", 0},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			code, body := get(t, srv.URL+tc.path)
			require.Equal(t, http.StatusOK, code, body)
			items, _ := body[tc.key].([]any)
			assert.Len(t, items, tc.n)
		})
	}
}

func TestErrors(t *testing.T) {
	w := exampleWorld(t)
	srv := httptest.NewServer(NewHandler(w))
	defer srv.Close()
	tests := []struct {
		name   string
		faults world.Faults
		path   string
		code   int
		status string
		reason string
	}{
		{"denied", world.Faults{Deny: map[string]bool{"gcp:compute": true}}, "/compute/v1/projects/acme-prod/global/firewalls", 403, "PERMISSION_DENIED", "forbidden"},
		{"disabled", world.Faults{Disabled: map[string]bool{"gcp:dns@acme-prod": true}}, "/dns/v1/projects/acme-prod/managedZones", 403, "SERVICE_DISABLED", "accessNotConfigured"},
		{"throttled", world.Faults{ThrottleRate: 1}, "/storage/v1/b?project=acme-prod", 429, "RESOURCE_EXHAUSTED", "rateLimitExceeded"},
		{"no project", world.Faults{}, "/storage/v1/b", 400, "INVALID_ARGUMENT", "required"},
		{"bad token", world.Faults{}, "/compute/v1/projects/acme-prod/global/firewalls?pageToken=x", 400, "INVALID_ARGUMENT", "invalid"},
		{"bad size", world.Faults{}, "/compute/v1/projects/acme-prod/aggregated/instances?maxResults=-1", 400, "INVALID_ARGUMENT", "invalid"},
		{"unknown", world.Faults{}, "/compute/v1/projects/acme-prod/global/nothing", 404, "NOT_FOUND", "notFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.SetFaults(tc.faults)
			code, body := get(t, srv.URL+tc.path)
			assert.Equal(t, tc.code, code)
			e := body["error"].(map[string]any)
			assert.Equal(t, float64(tc.code), e["code"])
			assert.Equal(t, tc.status, e["status"])
			assert.Equal(t, tc.reason, e["errors"].([]any)[0].(map[string]any)["reason"])
		})
	}
	w.SetFaults(world.Faults{})
	resp, err := http.Post(srv.URL+"/"+CRMHost+"/v1/projects/acme-prod:setIamPolicy", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestComputeClientPaging reads a zonal list and an aggregated list one
// item per page through the real client.
func TestComputeClientPaging(t *testing.T) {
	w := exampleWorld(t)
	base, _ := w.Get(resource.Key{Provider: "google", Type: "google_compute_instance", ID: "projects/acme-prod/zones/us-central1-a/instances/web-1"})
	for _, z := range []string{"us-central1-b", "europe-west1-c"} {
		r := base
		r.ID = "projects/acme-prod/zones/" + z + "/instances/web-1"
		r.Attrs = map[string]any{"name": "web-1", "zone": z, "machine_type": "e2-small"}
		w.Put(r)
	}
	srv := httptest.NewServer(NewHandler(w))
	defer srv.Close()
	ctx := context.Background()
	svc, err := compute.NewService(ctx, option.WithEndpoint(srv.URL+"/compute/v1/"), option.WithoutAuthentication(), option.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	var names []string
	require.NoError(t, svc.Instances.AggregatedList("acme-prod").MaxResults(1).Pages(ctx, func(l *compute.InstanceAggregatedList) error {
		for zone, sl := range l.Items {
			for _, in := range sl.Instances {
				names = append(names, zone+"/"+in.Name+"/"+in.MachineType[strings.LastIndexByte(in.MachineType, '/')+1:])
			}
		}
		return nil
	}))
	assert.Equal(t, []string{"zones/europe-west1-c/web-1/e2-small", "zones/us-central1-a/web-1/e2-medium", "zones/us-central1-b/web-1/e2-small"}, names)
	l, err := svc.Instances.List("acme-prod", "us-central1-a").Do()
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, "RUNNING", l.Items[0].Status)
	assert.Equal(t, "34.122.10.20", l.Items[0].NetworkInterfaces[0].AccessConfigs[0].NatIP)

	w.SetFaults(world.Faults{Deny: map[string]bool{"gcp:compute": true}})
	_, err = svc.Firewalls.List("acme-prod").Do()
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, 403, ge.Code)
	assert.Equal(t, "forbidden", ge.Errors[0].Reason)
}

// TestBucketRendering covers the optional bucket blocks through the real
// storage client.
func TestBucketRendering(t *testing.T) {
	w := world.New([]resource.Resource{{Provider: "google", Type: "google_storage_bucket", ID: "logs", Account: "p",
		Attrs: map[string]any{"name": "logs", "location": "eu", "storage_class": "STANDARD", "requester_pays": true,
			"retention_policy": []any{map[string]any{"retention_period": float64(86400), "is_locked": true}},
			"logging":          []any{map[string]any{"log_bucket": "audit", "log_object_prefix": "logs/"}},
			"website":          []any{map[string]any{"main_page_suffix": "index.html", "not_found_page": "404.html"}},
			"lifecycle_rule": []any{map[string]any{
				"action":    []any{map[string]any{"type": "Delete"}},
				"condition": []any{map[string]any{"age": float64(7), "with_state": "ARCHIVED", "num_newer_versions": float64(3)}},
			}, map[string]any{
				"action":    []any{map[string]any{"type": "Delete"}},
				"condition": []any{map[string]any{"with_state": "LIVE", "matches_storage_class": []any{"NEARLINE"}}},
			}}}}})
	srv := httptest.NewServer(NewHandler(w))
	defer srv.Close()
	svc, err := storage.NewService(context.Background(), option.WithEndpoint(srv.URL+"/storage/v1/"), option.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	l, err := svc.Buckets.List("p").Do()
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	b := l.Items[0]
	assert.Equal(t, "EU", b.Location)
	assert.True(t, b.Billing.RequesterPays)
	assert.Equal(t, int64(86400), b.RetentionPolicy.RetentionPeriod)
	assert.Equal(t, "audit", b.Logging.LogBucket)
	assert.Equal(t, "404.html", b.Website.NotFoundPage)
	require.Len(t, b.Lifecycle.Rule, 2)
	assert.False(t, *b.Lifecycle.Rule[0].Condition.IsLive)
	assert.True(t, *b.Lifecycle.Rule[1].Condition.IsLive)
}
