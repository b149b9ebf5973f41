package azure

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v6"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/sql/armsql"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage/v2"

	"github.com/driftmgr/driftmgr/agent/discovery"
)

type fetchFunc = func(context.Context, string, func(map[string]any) error) error

// nested lists a parent collection and, for every parent, the collection
// under it (the blob containers of each storage account, the databases of
// each SQL server): ARM has no subscription-wide list for those.
func nested(parents fetchFunc, children func(ctx context.Context, sub, rg, name string, each func(map[string]any) error) error) fetchFunc {
	return func(ctx context.Context, sub string, each func(map[string]any) error) error {
		return parents(ctx, sub, func(p map[string]any) error {
			return children(ctx, sub, idSegment(str(p["id"]), "resourceGroups"), str(p["name"]), each)
		})
	}
}

func platformListers(p *provider) []discovery.Lister {
	co := p.client
	accounts := fetcher(p, func(s string) (*armstorage.AccountsClient, error) {
		return armstorage.NewAccountsClient(s, p.cred, co)
	}, func(c *armstorage.AccountsClient) *runtime.Pager[armstorage.AccountsClientListResponse] {
		return c.NewListPager(nil)
	}, func(r armstorage.AccountsClientListResponse) []*armstorage.Account { return r.Value })
	servers := fetcher(p, func(s string) (*armsql.ServersClient, error) {
		return armsql.NewServersClient(s, p.cred, co)
	}, func(c *armsql.ServersClient) *runtime.Pager[armsql.ServersClientListResponse] {
		return c.NewListPager(nil)
	}, func(r armsql.ServersClientListResponse) []*armsql.Server { return r.Value })
	return []discovery.Lister{
		&lister{service: "Microsoft.Storage", types: []string{"azurerm_storage_container"},
			fetch: nested(accounts, func(ctx context.Context, sub, rg, name string, each func(map[string]any) error) error {
				c, err := armstorage.NewBlobContainersClient(sub, p.cred, co)
				if err != nil {
					return err
				}
				return drain(ctx, c.NewListPager(rg, name, nil),
					func(r armstorage.BlobContainersClientListResponse) []*armstorage.ListContainerItem { return r.Value }, each)
			}),
			mapItem: mapStorageContainer},
		&lister{service: "Microsoft.KeyVault", types: []string{"azurerm_key_vault"},
			fetch: fetcher(p, func(s string) (*armkeyvault.VaultsClient, error) {
				return armkeyvault.NewVaultsClient(s, p.cred, co)
			}, func(c *armkeyvault.VaultsClient) *runtime.Pager[armkeyvault.VaultsClientListBySubscriptionResponse] {
				return c.NewListBySubscriptionPager(nil)
			}, func(r armkeyvault.VaultsClientListBySubscriptionResponse) []*armkeyvault.Vault { return r.Value }),
			mapItem: mapKeyVault},
		&lister{service: "Microsoft.Sql", types: []string{"azurerm_mssql_server"},
			fetch: servers, mapItem: mapMSSQLServer},
		&lister{service: "Microsoft.Sql", types: []string{"azurerm_mssql_database"},
			fetch: nested(servers, func(ctx context.Context, sub, rg, name string, each func(map[string]any) error) error {
				c, err := armsql.NewDatabasesClient(sub, p.cred, co)
				if err != nil {
					return err
				}
				return drain(ctx, c.NewListByServerPager(rg, name, nil),
					func(r armsql.DatabasesClientListByServerResponse) []*armsql.Database { return r.Value }, each)
			}),
			mapItem: mapMSSQLDatabase},
		&lister{service: "Microsoft.ContainerService", types: []string{"azurerm_kubernetes_cluster"},
			fetch: fetcher(p, func(s string) (*armcontainerservice.ManagedClustersClient, error) {
				return armcontainerservice.NewManagedClustersClient(s, p.cred, co)
			}, func(c *armcontainerservice.ManagedClustersClient) *runtime.Pager[armcontainerservice.ManagedClustersClientListResponse] {
				return c.NewListPager(nil)
			}, func(r armcontainerservice.ManagedClustersClientListResponse) []*armcontainerservice.ManagedCluster {
				return r.Value
			}),
			mapItem: mapAKS},
		&lister{service: "Microsoft.Authorization", types: []string{"azurerm_role_assignment"},
			fetch: fetcher(p, func(s string) (*armauthorization.RoleAssignmentsClient, error) {
				return armauthorization.NewRoleAssignmentsClient(s, p.cred, co)
			}, func(c *armauthorization.RoleAssignmentsClient) *runtime.Pager[armauthorization.RoleAssignmentsClientListForSubscriptionResponse] {
				return c.NewListForSubscriptionPager(nil)
			}, func(r armauthorization.RoleAssignmentsClientListForSubscriptionResponse) []*armauthorization.RoleAssignment {
				return r.Value
			}),
			mapItem: mapRoleAssignment},
	}
}
