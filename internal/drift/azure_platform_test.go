package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestAzurePlatformRules: ARM ids and key vault permissions compare
// without case, the vault's firewall lists and the pool zones without
// order; a real change is still drift.
func TestAzurePlatformRules(t *testing.T) {
	cases := []struct {
		typ, name         string
		state, live, real map[string]any
	}{
		{"azurerm_key_vault", "permissions and firewall",
			map[string]any{"access_policy": []any{map[string]any{"object_id": "o", "key_permissions": []any{"Get", "List"}}},
				"network_acls": []any{map[string]any{"ip_rules": []any{"1.1.1.1/32", "2.2.2.2/32"}}}},
			map[string]any{"access_policy": []any{map[string]any{"object_id": "o", "key_permissions": []any{"list", "get"}}},
				"network_acls": []any{map[string]any{"ip_rules": []any{"2.2.2.2/32", "1.1.1.1/32"}}}},
			map[string]any{"access_policy": []any{map[string]any{"object_id": "o", "key_permissions": []any{"get", "delete"}}}}},
		{"azurerm_role_assignment", "ids",
			map[string]any{"scope": "/subscriptions/s/resourceGroups/RG", "role_definition_id": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/R"},
			map[string]any{"scope": "/subscriptions/s/resourcegroups/rg", "role_definition_id": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r"},
			map[string]any{"scope": "/subscriptions/s/resourcegroups/other"}},
		{"azurerm_storage_container", "account id",
			map[string]any{"storage_account_id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/a"},
			map[string]any{"storage_account_id": "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Storage/storageAccounts/a"},
			map[string]any{"storage_account_id": "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Storage/storageAccounts/b"}},
		{"azurerm_kubernetes_cluster", "pool",
			map[string]any{"default_node_pool": []any{map[string]any{"zones": []any{"1", "2"}, "vnet_subnet_id": "/x/RG/s"}}},
			map[string]any{"default_node_pool": []any{map[string]any{"zones": []any{"2", "1"}, "vnet_subnet_id": "/x/rg/s"}}},
			map[string]any{"default_node_pool": []any{map[string]any{"zones": []any{"1"}, "vnet_subnet_id": "/x/rg/s"}}}},
	}
	for _, c := range cases {
		t.Run(c.typ+" "+c.name, func(t *testing.T) {
			st := resource.Resource{Provider: "azurerm", Type: c.typ, ID: "/x", Attrs: c.state}
			lv := resource.Resource{Provider: "azurerm", Type: c.typ, ID: "/x", Attrs: c.live}
			assert.Empty(t, Compare([]resource.Resource{st}, []resource.Resource{lv}, Options{}).Findings)
			lv.Attrs = c.real
			assert.Len(t, Compare([]resource.Resource{st}, []resource.Resource{lv}, Options{}).Findings, 1)
		})
	}
}
