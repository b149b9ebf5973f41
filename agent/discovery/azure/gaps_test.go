package azure

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/azuresim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestStorageAccountPrivateLinkAccessAndIPTags round-trips the storage
// account's network_rules.private_link_access and the public IP's
// ip_tags with values in them (the main fixtures hold them empty).
func TestStorageAccountPrivateLinkAccessAndIPTags(t *testing.T) {
	var fx []resource.Resource
	for _, r := range fixtures() {
		switch r.Type {
		case "azurerm_storage_account":
			nr := r.Attrs["network_rules"].([]any)[0].(map[string]any)
			nr["private_link_access"] = []any{map[string]any{
				"endpoint_resource_id": "/subscriptions/" + sub + "/providers/Microsoft.Security/datascanners/storageDataScanner",
				"endpoint_tenant_id":   "00000000-0000-0000-0000-00000000a11e"}}
		case "azurerm_public_ip":
			r.Attrs["ip_tags"] = map[string]any{"RoutingPreference": "Internet", "FirstPartyUsage": "/Unprivileged"}
		default:
			continue
		}
		fx = append(fx, r)
	}
	require.Len(t, fx, 2)
	live := byKey(discover(t, serve(t, world.New(fx), azuresim.WithPageSize(1))).Resources)
	for _, st := range fx {
		lv, ok := live[st.Key()]
		require.True(t, ok)
		assert.Empty(t, drift.Compare([]resource.Resource{st}, []resource.Resource{lv}, drift.Options{}).Findings, st.Type)
	}
	sa := live[fx[0].Key()]
	if sa.Type != "azurerm_storage_account" {
		sa = live[fx[1].Key()]
	}
	pla := sa.Attrs["network_rules"].([]any)[0].(map[string]any)["private_link_access"].([]any)
	require.Len(t, pla, 1)
	assert.Equal(t, "00000000-0000-0000-0000-00000000a11e", pla[0].(map[string]any)["endpoint_tenant_id"])

	for _, st := range fx {
		mod := st
		mod.Attrs = map[string]any{}
		for k, v := range st.Attrs {
			mod.Attrs[k] = v
		}
		if st.Type == "azurerm_public_ip" {
			mod.Attrs["ip_tags"] = map[string]any{"RoutingPreference": "Internet"}
		} else {
			mod.Attrs["network_rules"] = []any{map[string]any{"default_action": "Deny", "bypass": []any{"AzureServices", "Logging"},
				"ip_rules": []any{"203.0.113.0/24"}, "virtual_network_subnet_ids": st.Attrs["network_rules"].([]any)[0].(map[string]any)["virtual_network_subnet_ids"],
				"private_link_access": []any{}}}
		}
		got := drift.Compare([]resource.Resource{mod}, []resource.Resource{live[st.Key()]}, drift.Options{})
		require.Len(t, got.Findings, 1, st.Type)
		assert.Equal(t, drift.Modified, got.Findings[0].Kind)
	}
}
