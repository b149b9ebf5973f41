package azuresim

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v6"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/sql/armsql"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

const (
	st1   = rgID + "/providers/Microsoft.Storage/storageAccounts/st1"
	sqlID = rgID + "/providers/Microsoft.Sql/servers/sql1"
)

func platformWorld() *world.World {
	w := testWorld()
	put := func(typ, id string, attrs map[string]any) {
		w.Put(resource.Resource{Provider: "azurerm", Type: typ, ID: id, Account: sub, Attrs: attrs})
	}
	put("azurerm_storage_container", st1+"/blobServices/default/containers/c1",
		map[string]any{"name": "c1", "container_access_type": "blob", "metadata": map[string]any{"k": "v"}})
	put("azurerm_storage_container", st1+"/blobServices/default/containers/c2",
		map[string]any{"name": "c2", "container_access_type": "private", "encryption_scope_override_enabled": false})
	put("azurerm_storage_container", st1+"/blobServices/default/containers/c3",
		map[string]any{"name": "c3"})
	put("azurerm_mssql_server", sqlID, map[string]any{"name": "sql1", "location": "West Europe",
		"administrator_login": "admin", "administrator_login_password": "secret", "minimum_tls_version": "Disabled",
		"azuread_administrator": []any{map[string]any{"login_username": "admins", "object_id": "o"}}})
	put("azurerm_mssql_database", sqlID+"/databases/db1", map[string]any{"name": "db1", "sku_name": "S0",
		"max_size_gb": float64(2), "maintenance_configuration_name": "SQL_WestEurope_DB_1", "tags": map[string]any{"a": "b"}})
	put("azurerm_mssql_database", sqlID+"/databases/db2", map[string]any{"name": "db2", "sku_name": "Basic"})
	put("azurerm_key_vault", rgID+"/providers/Microsoft.KeyVault/vaults/kv1", map[string]any{"name": "kv1",
		"location": "westeurope", "sku_name": "premium", "tenant_id": "t", "soft_delete_retention_days": float64(30),
		"access_policy": []any{map[string]any{"object_id": "o", "key_permissions": []any{"Get"}}}})
	put("azurerm_kubernetes_cluster", rgID+"/providers/Microsoft.ContainerService/managedClusters/aks1",
		map[string]any{"name": "aks1", "location": "westeurope", "kubernetes_version": "1.30", "automatic_upgrade_channel": "stable",
			"default_node_pool": []any{map[string]any{"name": "sys", "node_count": float64(2), "only_critical_addons_enabled": true}},
			"network_profile":   []any{map[string]any{"network_plugin": "kubenet"}}})
	put("azurerm_role_assignment", "/subscriptions/"+sub+"/providers/Microsoft.Authorization/roleAssignments/ra1",
		map[string]any{"name": "ra1", "scope": "/subscriptions/" + sub, "principal_id": "p", "principal_type": "User"})
	return w
}

// TestNestedCollectionsPage lists blob containers and databases, the
// collections below a parent, through the SDK one item per page.
func TestNestedCollectionsPage(t *testing.T) {
	srv := httptest.NewTLSServer(NewHandler(platformWorld(), WithPageSize(1)))
	defer srv.Close()
	ctx := context.Background()
	cred := &fake.TokenCredential{}

	cc, err := armstorage.NewBlobContainersClient(sub, cred, sdkOptions(srv))
	require.NoError(t, err)
	var access []string
	pages := 0
	for p := cc.NewListPager("RG-APP", "st1", nil); p.More(); pages++ {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, c := range page.Value {
			access = append(access, *c.Name+"="+string(*c.Properties.PublicAccess))
		}
	}
	assert.Equal(t, []string{"c1=Blob", "c2=None", "c3=None"}, access)
	assert.Equal(t, 3, pages)
	one, err := cc.Get(ctx, "rg-app", "st1", "C2", nil)
	require.NoError(t, err)
	assert.True(t, *one.ContainerProperties.DenyEncryptionScopeOverride)
	_, err = cc.Get(ctx, "rg-app", "st1", "nope", nil)
	require.Error(t, err)
	_, err = cc.NewListPager("rg-app", "nope", nil).NextPage(ctx)
	require.ErrorContains(t, err, "ResourceNotFound")

	dc, err := armsql.NewDatabasesClient(sub, cred, sdkOptions(srv))
	require.NoError(t, err)
	var dbs []string
	for p := dc.NewListByServerPager("rg-app", "sql1", nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, d := range page.Value {
			dbs = append(dbs, *d.Name+"@"+*d.Location)
		}
	}
	assert.Equal(t, []string{"db1@westeurope", "db2@westeurope"}, dbs)
	db, err := dc.Get(ctx, "rg-app", "sql1", "db1", nil)
	require.NoError(t, err)
	assert.Equal(t, int64(2<<30), *db.Properties.MaxSizeBytes)
	assert.Equal(t, "/subscriptions/"+sub+"/providers/Microsoft.Maintenance/publicMaintenanceConfigurations/SQL_WestEurope_DB_1",
		*db.Properties.MaintenanceConfigurationID)
}

// TestPlatformKinds reads one of each platform kind through its SDK.
func TestPlatformKinds(t *testing.T) {
	srv := httptest.NewTLSServer(NewHandler(platformWorld()))
	defer srv.Close()
	ctx := context.Background()
	cred := &fake.TokenCredential{}

	sc, err := armsql.NewServersClient(sub, cred, sdkOptions(srv))
	require.NoError(t, err)
	srvr, err := sc.Get(ctx, "rg-app", "sql1", nil)
	require.NoError(t, err)
	assert.Nil(t, srvr.Properties.AdministratorLoginPassword)
	assert.Equal(t, "None", *srvr.Properties.MinimalTLSVersion)
	assert.Equal(t, armsql.AdministratorTypeActiveDirectory, *srvr.Properties.Administrators.AdministratorType)

	vc, err := armkeyvault.NewVaultsClient(sub, cred, sdkOptions(srv))
	require.NoError(t, err)
	vp, err := vc.NewListBySubscriptionPager(nil).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, vp.Value, 1)
	v := vp.Value[0].Properties
	assert.Equal(t, armkeyvault.SKUNamePremium, *v.SKU.Name)
	assert.Equal(t, armkeyvault.SKUFamilyA, *v.SKU.Family)
	assert.True(t, *v.EnableSoftDelete)
	assert.Equal(t, armkeyvault.KeyPermissions("Get"), *v.AccessPolicies[0].Permissions.Keys[0])

	mc, err := armcontainerservice.NewManagedClustersClient(sub, cred, sdkOptions(srv))
	require.NoError(t, err)
	aks, err := mc.Get(ctx, "rg-app", "aks1", nil)
	require.NoError(t, err)
	assert.Equal(t, armcontainerservice.UpgradeChannelStable, *aks.Properties.AutoUpgradeProfile.UpgradeChannel)
	pool := aks.Properties.AgentPoolProfiles[0]
	assert.Equal(t, armcontainerservice.AgentPoolModeSystem, *pool.Mode)
	assert.Equal(t, "CriticalAddonsOnly=true:NoSchedule", *pool.NodeTaints[0])
	assert.Equal(t, armcontainerservice.NetworkPluginKubenet, *aks.Properties.NetworkProfile.NetworkPlugin)

	rc, err := armauthorization.NewRoleAssignmentsClient(sub, cred, sdkOptions(srv))
	require.NoError(t, err)
	rp, err := rc.NewListForSubscriptionPager(nil).NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, rp.Value, 1)
	assert.Equal(t, "/subscriptions/"+sub, *rp.Value[0].Properties.Scope)
	assert.Equal(t, armauthorization.PrincipalTypeUser, *rp.Value[0].Properties.PrincipalType)
}

// TestPlatformFaults: every platform route asks the world first, under
// its own namespace.
func TestPlatformFaults(t *testing.T) {
	w := platformWorld()
	srv := httptest.NewTLSServer(NewHandler(w))
	defer srv.Close()
	const q = "?api-version=2024-01-01"
	for _, c := range []struct{ ns, path string }{
		{"Microsoft.Storage", "/subscriptions/" + sub + "/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default/containers"},
		{"Microsoft.Sql", "/subscriptions/" + sub + "/resourceGroups/rg-app/providers/Microsoft.Sql/servers/sql1/databases"},
		{"Microsoft.KeyVault", "/subscriptions/" + sub + "/providers/Microsoft.KeyVault/vaults"},
		{"Microsoft.ContainerService", "/subscriptions/" + sub + "/providers/Microsoft.ContainerService/managedClusters"},
		{"Microsoft.Authorization", "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleAssignments"},
	} {
		t.Run(c.ns, func(t *testing.T) {
			w.SetFaults(world.Faults{Deny: map[string]bool{"azure:" + c.ns: true}})
			status, _, body := get(t, srv, c.path+q, true)
			assert.Equal(t, 403, status)
			assert.Equal(t, "AuthorizationFailed", errCode(body))
			w.SetFaults(world.Faults{})
			status, _, body = get(t, srv, c.path+q, true)
			assert.Equal(t, 200, status)
			assert.NotEmpty(t, body["value"])
		})
	}
	status, _, body := get(t, srv, "/subscriptions/"+sub+"/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default/containers/c1/x"+q, true)
	assert.Equal(t, 404, status)
	assert.Equal(t, "InvalidResourceType", errCode(body))
}
