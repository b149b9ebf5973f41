package azure

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/azuresim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

const (
	stID  = rgID + "/providers/Microsoft.Storage/storageAccounts/stapp001"
	sqlID = rgID + "/providers/Microsoft.Sql/servers/sql-app"
)

func container(name, access string) resource.Resource {
	id := stID + "/blobServices/default/containers/" + name
	return res("azurerm_storage_container", id, map[string]any{
		"name": name, "storage_account_id": stID, "storage_account_name": "stapp001",
		"container_access_type": access, "default_encryption_scope": "$account-encryption-key",
		"encryption_scope_override_enabled": true, "metadata": map[string]any{"owner": "data"},
		"has_immutability_policy": false, "has_legal_hold": false, "resource_manager_id": id,
	})
}

func database(name, sku string, gb float64) resource.Resource {
	return res("azurerm_mssql_database", sqlID+"/databases/"+name, map[string]any{
		"name": name, "server_id": sqlID, "collation": "SQL_Latin1_General_CP1_CI_AS",
		"sku_name": sku, "max_size_gb": gb, "zone_redundant": false, "read_scale": false,
		"license_type": "", "storage_account_type": "Geo", "elastic_pool_id": "",
		"read_replica_count": float64(0), "auto_pause_delay_in_minutes": float64(0),
		"min_capacity": float64(0), "ledger_enabled": false, "secondary_type": "",
		"maintenance_configuration_name": "SQL_Default", "create_mode": "Default",
		"identity": []any{}, "tags": tags("app", "shop"),
	})
}

// platformFixtures holds the platform types in the shape a refreshed
// azurerm v4 state holds, including the secrets and config-only
// arguments discovery must not (and cannot) read back.
func platformFixtures() []resource.Resource {
	subnetID := rgID + "/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/snet-web"
	return []resource.Resource{
		container("images", "blob"),
		container("logs", "private"),
		res("azurerm_key_vault", rgID+"/providers/Microsoft.KeyVault/vaults/kv-app", map[string]any{
			"name": "kv-app", "location": "westeurope", "resource_group_name": "rg-app",
			"tenant_id": "00000000-0000-0000-0000-00000000a11e", "sku_name": "standard",
			"vault_uri": "https://kv-app.vault.azure.net/", "enabled_for_deployment": false,
			"enabled_for_disk_encryption": true, "enabled_for_template_deployment": false,
			"enable_rbac_authorization": false, "purge_protection_enabled": true,
			"soft_delete_retention_days": float64(7), "public_network_access_enabled": true,
			"access_policy": []any{map[string]any{"tenant_id": "00000000-0000-0000-0000-00000000a11e",
				"object_id": "11111111-0000-4000-8000-000000000001", "application_id": "",
				"key_permissions": []any{"Get", "List"}, "secret_permissions": []any{"Get"},
				"certificate_permissions": []any{}, "storage_permissions": []any{}}},
			"network_acls": []any{map[string]any{"bypass": "AzureServices", "default_action": "Deny",
				"ip_rules": []any{"203.0.113.0/24"}, "virtual_network_subnet_ids": []any{subnetID}}},
			"contact": []any{}, "tags": tags("env", "prod")}),
		res("azurerm_mssql_server", sqlID, map[string]any{
			"name": "sql-app", "location": "westeurope", "resource_group_name": "rg-app",
			"version": "12.0", "administrator_login": "sqladmin", "administrator_login_password": "S3cret-never-listed",
			"minimum_tls_version": "1.2", "public_network_access_enabled": false,
			"outbound_network_restriction_enabled": false,
			"fully_qualified_domain_name":          "sql-app.database.windows.net",
			"primary_user_assigned_identity_id":    "", "transparent_data_encryption_key_vault_key_id": "",
			"connection_policy": "Default",
			"azuread_administrator": []any{map[string]any{"login_username": "sql-admins",
				"object_id": "22222222-0000-4000-8000-000000000001", "tenant_id": "00000000-0000-0000-0000-00000000a11e",
				"azuread_authentication_only": false}},
			"identity": []any{map[string]any{"type": "SystemAssigned", "identity_ids": []any{},
				"principal_id": "33333333-0000-4000-8000-000000000001", "tenant_id": "00000000-0000-0000-0000-00000000a11e"}},
			"tags": tags("env", "prod")}),
		database("db-orders", "S0", 250),
		database("db-users", "GP_S_Gen5_2", 32),
		res("azurerm_kubernetes_cluster", rgID+"/providers/Microsoft.ContainerService/managedClusters/aks-app", map[string]any{
			"name": "aks-app", "location": "westeurope", "resource_group_name": "rg-app",
			"kubernetes_version": "1.30", "current_kubernetes_version": "1.30.5", "dns_prefix": "aksapp",
			"fqdn": "aksapp-1a2b3c.hcp.westeurope.azmk8s.io", "private_fqdn": "", "portal_fqdn": "aksapp-1a2b3c.portal.hcp.westeurope.azmk8s.io",
			"node_resource_group": "MC_rg-app_aks-app_westeurope", "sku_tier": "Standard",
			"role_based_access_control_enabled": true, "local_account_disabled": false,
			"oidc_issuer_enabled": true, "oidc_issuer_url": "https://westeurope.oic.prod-aks.azure.com/t/u/",
			"workload_identity_enabled": true, "private_cluster_enabled": false,
			"automatic_upgrade_channel": "", "node_os_upgrade_channel": "NodeImage",
			"kube_config_raw": "apiVersion: v1 # sensitive, never listed", "kube_config": []any{},
			"default_node_pool": []any{map[string]any{"name": "system", "vm_size": "Standard_D4s_v5",
				"node_count": float64(3), "auto_scaling_enabled": false, "min_count": float64(0), "max_count": float64(0),
				"max_pods": float64(30), "os_disk_size_gb": float64(128), "os_disk_type": "Managed", "os_sku": "Ubuntu",
				"vnet_subnet_id": subnetID, "pod_subnet_id": "", "zones": []any{"1", "2", "3"},
				"type": "VirtualMachineScaleSets", "orchestrator_version": "1.30.5",
				"node_labels": map[string]any{"pool": "system"}, "node_public_ip_enabled": false,
				"host_encryption_enabled": false, "fips_enabled": false, "kubelet_disk_type": "OS",
				"scale_down_mode": "Delete", "only_critical_addons_enabled": true, "tags": map[string]any{}}},
			"network_profile": []any{map[string]any{"network_plugin": "azure", "network_mode": "",
				"network_policy": "calico", "network_plugin_mode": "overlay", "network_data_plane": "azure",
				"dns_service_ip": "10.0.0.10", "service_cidr": "10.0.0.0/16", "pod_cidr": "10.244.0.0/16",
				"outbound_type": "loadBalancer", "load_balancer_sku": "standard", "ip_versions": []any{"IPv4"},
				"pod_cidrs": []any{"10.244.0.0/16"}, "service_cidrs": []any{"10.0.0.0/16"}}},
			"identity": []any{map[string]any{"type": "SystemAssigned", "identity_ids": []any{},
				"principal_id": "44444444-0000-4000-8000-000000000001", "tenant_id": "00000000-0000-0000-0000-00000000a11e"}},
			"tags": tags("env", "prod")}),
		res("azurerm_role_assignment", "/subscriptions/"+sub+"/providers/Microsoft.Authorization/roleAssignments/55555555-0000-4000-8000-000000000001",
			map[string]any{"name": "55555555-0000-4000-8000-000000000001", "scope": "/subscriptions/" + sub,
				"role_definition_id":   "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
				"role_definition_name": "Reader", "principal_id": "66666666-0000-4000-8000-000000000001",
				"principal_type": "Group", "description": "auditors read everything", "condition": "",
				"condition_version": "", "delegated_managed_identity_resource_id": "",
				"skip_service_principal_aad_check": false}),
	}
}

// TestPlatformRoundTrip puts the platform types into the simulated cloud
// in Terraform shape next to their parents, lists them back through the
// SDK one item per page, and checks no drift against the original and
// drift for a changed attribute.
func TestPlatformRoundTrip(t *testing.T) {
	fx := platformFixtures()
	// Inherited from a management group: listed by ARM, held by no
	// state of the subscription, so not reported.
	inherited := res("azurerm_role_assignment",
		"/providers/Microsoft.Management/managementGroups/mg-root/providers/Microsoft.Authorization/roleAssignments/77777777-0000-4000-8000-000000000001",
		map[string]any{"name": "77777777-0000-4000-8000-000000000001", "scope": "/providers/Microsoft.Management/managementGroups/mg-root",
			"principal_id": "x", "role_definition_id": "y", "principal_type": "User"})
	w := world.New(append(append(fixtures(), fx...), inherited))
	res := discover(t, serve(t, w, azuresim.WithPageSize(1)))
	require.Empty(t, res.Skipped)
	live := byKey(res.Resources)
	assert.NotContains(t, live, inherited.Key())

	changes := map[string]struct {
		attr string
		to   any
	}{
		"azurerm_storage_container":  {"container_access_type", "container"},
		"azurerm_key_vault":          {"purge_protection_enabled", false},
		"azurerm_mssql_server":       {"minimum_tls_version", "1.0"},
		"azurerm_mssql_database":     {"max_size_gb", float64(500)},
		"azurerm_kubernetes_cluster": {"kubernetes_version", "1.29"},
		"azurerm_role_assignment":    {"principal_id", "88888888-0000-4000-8000-000000000001"},
	}
	// Sensitive or config-only: state holds them, ARM never returns them.
	unread := map[string]bool{"administrator_login_password": true, "connection_policy": true,
		"create_mode": true, "kube_config_raw": true, "kube_config": true, "contact": true,
		"role_definition_name": true, "skip_service_principal_aad_check": true}
	for _, st := range fx {
		t.Run(st.Type+"/"+st.ID[strings.LastIndexByte(st.ID, '/')+1:], func(t *testing.T) {
			lv, ok := live[st.Key()]
			require.True(t, ok, "%s not listed", st.Key())
			assert.Equal(t, sub, lv.Account)
			for k := range st.Attrs {
				if unread[k] {
					assert.NotContains(t, lv.Attrs, k)
					continue
				}
				assert.Contains(t, lv.Attrs, k, "live %s lacks %s", st.Type, k)
			}
			got := drift.Compare([]resource.Resource{st}, []resource.Resource{lv}, drift.Options{})
			assert.Empty(t, got.Findings, "unexpected drift")

			ch := changes[st.Type]
			mod := st
			mod.Attrs = map[string]any{}
			for k, v := range st.Attrs {
				mod.Attrs[k] = v
			}
			mod.Attrs[ch.attr] = ch.to
			got = drift.Compare([]resource.Resource{mod}, []resource.Resource{lv}, drift.Options{})
			require.Len(t, got.Findings, 1)
			assert.Equal(t, drift.Modified, got.Findings[0].Kind)
			require.Len(t, got.Findings[0].Diffs, 1)
			assert.Equal(t, ch.attr, string(got.Findings[0].Diffs[0].Path))
		})
	}
}

// TestPlatformNestedChanges changes nested blocks: a node pool size, a
// vault firewall rule, a role's scope.
func TestPlatformNestedChanges(t *testing.T) {
	fx := platformFixtures()
	w := world.New(append(fixtures(), fx...))
	opts := serve(t, w, azuresim.WithPageSize(2))
	for _, r := range fx {
		switch r.Type {
		case "azurerm_kubernetes_cluster":
			pool := r.Attrs["default_node_pool"].([]any)[0].(map[string]any)
			np := map[string]any{}
			for k, v := range pool {
				np[k] = v
			}
			np["node_count"] = float64(5)
			require.NoError(t, w.Patch(r.Key(), map[string]any{"default_node_pool": []any{np}}))
		case "azurerm_key_vault":
			acl := r.Attrs["network_acls"].([]any)[0].(map[string]any)
			na := map[string]any{}
			for k, v := range acl {
				na[k] = v
			}
			na["default_action"] = "Allow"
			require.NoError(t, w.Patch(r.Key(), map[string]any{"network_acls": []any{na}}))
		}
	}
	res := discover(t, opts)
	got := drift.Compare(fx, res.Resources, drift.Options{})
	var paths []string
	for _, f := range got.Findings {
		if f.Kind != drift.Modified {
			continue
		}
		for _, d := range f.Diffs {
			paths = append(paths, f.Type+" "+string(d.Path))
		}
	}
	assert.ElementsMatch(t, []string{
		"azurerm_kubernetes_cluster default_node_pool[0].node_count",
		"azurerm_key_vault network_acls[0].default_action",
	}, paths)
}

// TestSQLPasswordNeverServed reads the simulated server raw: the
// administrator password the world holds is not in ARM's answer.
func TestSQLPasswordNeverServed(t *testing.T) {
	srv := httptest.NewTLSServer(azuresim.NewHandler(world.New(platformFixtures())))
	defer srv.Close()
	for _, p := range []string{"/subscriptions/" + sub + "/providers/Microsoft.Sql/servers",
		sqlID, sqlID + "/databases", sqlID + "/databases/db-orders"} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+p+"?api-version=2023-08-01", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer x")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, p)
		assert.NotContains(t, string(body), "S3cret", p)
		assert.NotContains(t, string(body), "administratorLoginPassword", p)
	}
}
