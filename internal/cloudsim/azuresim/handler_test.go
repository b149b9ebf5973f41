package azuresim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

const (
	sub  = "00000000-0000-0000-0000-000000000001"
	rgID = "/subscriptions/" + sub + "/resourceGroups/rg-app"
	nsg  = rgID + "/providers/Microsoft.Network/networkSecurityGroups/nsg-web"
	vnet = rgID + "/providers/Microsoft.Network/virtualNetworks/vnet-app"
)

func testWorld() *world.World {
	rule := func(name string, prio float64) map[string]any {
		return map[string]any{"name": name, "protocol": "Tcp", "priority": prio, "direction": "Inbound",
			"access": "Allow", "destination_port_range": "22", "source_address_prefix": "*"}
	}
	sep := rule("c", 300)
	sep["id"] = nsg + "/securityRules/c"
	return world.New([]resource.Resource{
		{Provider: "azurerm", Type: "azurerm_resource_group", ID: rgID, Account: sub,
			Attrs: map[string]any{"name": "rg-app", "location": "West Europe", "managed_by": "someone"}},
		{Provider: "azurerm", Type: "azurerm_network_security_group", ID: nsg, Account: sub,
			Attrs: map[string]any{"name": "nsg-web", "location": "westeurope", "tags": map[string]any{"a": "b"},
				"security_rule": []any{rule("a", 100), rule("b", 200)}}},
		{Provider: "azurerm", Type: "azurerm_network_security_rule", ID: nsg + "/securityRules/c", Account: sub, Attrs: sep},
		{Provider: "azurerm", Type: "azurerm_virtual_network", ID: vnet, Account: sub,
			Attrs: map[string]any{"name": "vnet-app", "location": "westeurope", "address_space": []any{"10.0.0.0/16"}}},
		{Provider: "azurerm", Type: "azurerm_subnet", ID: vnet + "/subnets/s1", Account: sub,
			Attrs: map[string]any{"name": "s1", "address_prefixes": []any{"10.0.1.0/24"}}},
		{Provider: "azurerm", Type: "azurerm_storage_account", ID: rgID + "/providers/Microsoft.Storage/storageAccounts/st1",
			Account: sub, Attrs: map[string]any{"name": "st1", "location": "westeurope", "account_tier": "Standard",
				"account_replication_type": "LRS", "network_rules": []any{map[string]any{"default_action": "Allow"}},
				"identity": []any{map[string]any{"type": "UserAssigned", "identity_ids": []any{"/x/id1"},
					"principal_id": "p", "tenant_id": "t"}}}},
	})
}

func sdkOptions(srv *httptest.Server) *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: srv.URL, Audience: srv.URL}}},
		Transport: srv.Client(),
		Retry:     policy.RetryOptions{RetryDelay: time.Millisecond, MaxRetryDelay: 10 * time.Millisecond},
	}, DisableRPRegistration: true}
}

// TestChildCollectionsPage lists security rules and subnets, the child
// collections, through the SDK one item per page.
func TestChildCollectionsPage(t *testing.T) {
	srv := httptest.NewTLSServer(NewHandler(testWorld(), WithPageSize(1)))
	defer srv.Close()
	ctx := context.Background()

	rules, err := armnetwork.NewSecurityRulesClient(sub, &fake.TokenCredential{}, sdkOptions(srv))
	require.NoError(t, err)
	var names []string
	pages := 0
	for p := rules.NewListPager("rg-app", "nsg-web", nil); p.More(); pages++ {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, r := range page.Value {
			names = append(names, *r.Name)
			assert.Equal(t, nsg+"/securityRules/"+*r.Name, *r.ID)
		}
	}
	assert.Equal(t, []string{"a", "b", "c"}, names)
	assert.Equal(t, 3, pages)

	subnets, err := armnetwork.NewSubnetsClient(sub, &fake.TokenCredential{}, sdkOptions(srv))
	require.NoError(t, err)
	p := subnets.NewListPager("RG-APP", "vnet-app", nil) // ARM ignores case
	page, err := p.NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Value, 1)
	assert.Equal(t, []*string{ptr("10.0.1.0/24")}, page.Value[0].Properties.AddressPrefixes)

	nsgs, err := armnetwork.NewSecurityGroupsClient(sub, &fake.TokenCredential{}, sdkOptions(srv))
	require.NoError(t, err)
	got, err := nsgs.Get(ctx, "rg-app", "nsg-web", nil)
	require.NoError(t, err)
	assert.Equal(t, "westeurope", *got.Location)
	assert.Len(t, got.Properties.SecurityRules, 3)
	byRG := nsgs.NewListPager("rg-app", nil)
	pg, err := byRG.NextPage(ctx)
	require.NoError(t, err)
	assert.Len(t, pg.Value, 1)
	_, err = nsgs.Get(ctx, "rg-app", "nope", nil)
	require.Error(t, err)
}

func ptr[T any](v T) *T { return &v }

func get(t *testing.T, srv *httptest.Server, path string, auth bool) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	if auth {
		req.Header.Set("Authorization", "Bearer x")
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, resp.Header, body
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func TestErrorsAndFaults(t *testing.T) {
	w := testWorld()
	srv := httptest.NewTLSServer(NewHandler(w, WithRetryAfter(1500*time.Millisecond)))
	defer srv.Close()
	const q = "?api-version=2025-03-01"
	cases := []struct {
		name   string
		path   string
		auth   bool
		faults world.Faults
		status int
		code   string
	}{
		{"no token", "/subscriptions" + q, false, world.Faults{}, 401, "AuthenticationFailed"},
		{"no api version", "/subscriptions", true, world.Faults{}, 400, "MissingApiVersionParameter"},
		{"bad path", "/tenants" + q, true, world.Faults{}, 404, "InvalidResourceType"},
		{"short path", "/subscriptions/" + sub + "/foo" + q, true, world.Faults{}, 404, "InvalidResourceType"},
		{"too deep", "/subscriptions/" + sub + "/resourceGroups/rg/providers/A/b/c/d/e" + q, true, world.Faults{}, 404, "InvalidResourceType"},
		{"child at sub scope", "/subscriptions/" + sub + "/providers/Microsoft.Network/networkSecurityGroups/x" + q, true, world.Faults{}, 404, "InvalidResourceType"},
		{"unknown type", "/subscriptions/" + sub + "/providers/Microsoft.Web/sites" + q, true, world.Faults{}, 404, "InvalidResourceType"},
		{"unknown child", "/subscriptions/" + sub + "/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-web/foo" + q, true, world.Faults{}, 404, "InvalidResourceType"},
		{"no such group", "/subscriptions/" + sub + "/resourcegroups/nope" + q, true, world.Faults{}, 404, "ResourceGroupNotFound"},
		{"bad skip token", "/subscriptions/" + sub + "/resourcegroups" + q + "&$skiptoken=x", true, world.Faults{}, 400, "InvalidSkipToken"},
		{"denied", "/subscriptions/" + sub + "/providers/Microsoft.Network/virtualNetworks" + q, true,
			world.Faults{Deny: map[string]bool{"azure:Microsoft.Network": true}}, 403, "AuthorizationFailed"},
		{"unregistered", "/subscriptions/" + sub + "/providers/Microsoft.Storage/storageAccounts" + q, true,
			world.Faults{Disabled: map[string]bool{"azure:Microsoft.Storage@" + sub: true}}, 409, "MissingSubscriptionRegistration"},
		{"throttled", "/subscriptions/" + sub + "/resourcegroups" + q, true, world.Faults{ThrottleRate: 1}, 429, "TooManyRequests"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w.SetFaults(c.faults)
			status, hdr, body := get(t, srv, c.path, c.auth)
			assert.Equal(t, c.status, status)
			assert.Equal(t, c.code, errCode(body))
			if status == 429 {
				assert.Equal(t, "2", hdr.Get("Retry-After"))
				assert.Equal(t, "1500", hdr.Get("retry-after-ms"))
			}
		})
	}
	w.SetFaults(world.Faults{})

	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/subscriptions"+q, nil)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	status, _, body := get(t, srv, "/subscriptions/"+sub+"/resourcegroups/RG-APP"+q, true)
	require.Equal(t, 200, status)
	assert.Equal(t, "westeurope", body["location"])
	assert.Equal(t, "someone", body["managedBy"])

	_, _, body = get(t, srv, "/subscriptions"+q, true)
	assert.Len(t, body["value"], 1)

	_, _, body = get(t, srv, "/subscriptions/"+sub+"/providers/Microsoft.Storage/storageAccounts"+q, true)
	acct := body["value"].([]any)[0].(map[string]any)
	assert.Equal(t, "Standard_LRS", acct["sku"].(map[string]any)["name"])
	assert.Equal(t, "None", acct["properties"].(map[string]any)["networkAcls"].(map[string]any)["bypass"])
	assert.Contains(t, acct["identity"].(map[string]any)["userAssignedIdentities"], "/x/id1")
}

func TestRenderConversions(t *testing.T) {
	out := map[string]any{}
	render(map[string]any{"a": true, "b": false, "z": "2", "nz": "", "m": map[string]any{"k": "v"}, "blk": []any{}},
		[]field{en("a", "p.a"), en("b", "p.b"), zone("z", "zones"), zone("nz", "nzones"),
			{tf: "m", arm: "tags", conv: tagMap}, blk("blk", "x", f("y", "y"))}, out)
	assert.Equal(t, map[string]any{
		"p":     map[string]any{"a": "Enabled", "b": "Disabled"},
		"zones": []any{"2"},
		"tags":  []any{map[string]any{"ipTagType": "k", "tag": "v"}},
	}, out)
}
