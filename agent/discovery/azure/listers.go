package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage/v2"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// lister reads one ARM collection of one subscription.
type lister struct {
	service string
	types   []string
	// fetch calls each with every item of the collection, as ARM JSON.
	fetch func(ctx context.Context, sub string, each func(map[string]any) error) error
	// mapItem turns one item into resources.
	mapItem func(sub string, arm map[string]any, emit func(resource.Resource))
}

func (l *lister) Service() string { return l.service }
func (l *lister) Types() []string { return l.types }

// Global is true: ARM lists a collection for the whole subscription.
func (l *lister) Global() bool { return true }

func (l *lister) List(ctx context.Context, scope discovery.Scope, emit func(resource.Resource)) error {
	err := l.fetch(ctx, scope.Account, func(item map[string]any) error {
		l.mapItem(scope.Account, item, emit)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list %s %s in subscription %s: %w", l.service, strings.Join(l.types, ","), scope.Account, err)
	}
	return nil
}

// drain pages through an SDK pager and hands every item on as ARM JSON.
func drain[R any, T any](ctx context.Context, pager *runtime.Pager[R], items func(R) []*T, each func(map[string]any) error) error {
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, it := range items(page) {
			if it == nil {
				continue
			}
			m, err := toMap(it)
			if err != nil {
				return err
			}
			if err := each(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// fetcher builds a fetch function from an SDK client constructor and the
// pager it offers.
func fetcher[C any, R any, T any](p *provider, newClient func(string) (*C, error),
	pager func(*C) *runtime.Pager[R], items func(R) []*T) func(context.Context, string, func(map[string]any) error) error {
	return func(ctx context.Context, sub string, each func(map[string]any) error) error {
		c, err := newClient(sub)
		if err != nil {
			return err
		}
		return drain(ctx, pager(c), items, each)
	}
}

func newListers(p *provider) []discovery.Lister {
	co := p.client
	return []discovery.Lister{
		&lister{service: "Microsoft.Resources", types: []string{"azurerm_resource_group"},
			fetch: fetcher(p, func(s string) (*armresources.ResourceGroupsClient, error) {
				return armresources.NewResourceGroupsClient(s, p.cred, co)
			}, func(c *armresources.ResourceGroupsClient) *runtime.Pager[armresources.ResourceGroupsClientListResponse] {
				return c.NewListPager(nil)
			}, func(r armresources.ResourceGroupsClientListResponse) []*armresources.ResourceGroup { return r.Value }),
			mapItem: mapResourceGroup},
		&lister{service: "Microsoft.Network", types: []string{"azurerm_network_security_group", "azurerm_network_security_rule"},
			fetch: fetcher(p, func(s string) (*armnetwork.SecurityGroupsClient, error) {
				return armnetwork.NewSecurityGroupsClient(s, p.cred, co)
			}, func(c *armnetwork.SecurityGroupsClient) *runtime.Pager[armnetwork.SecurityGroupsClientListAllResponse] {
				return c.NewListAllPager(nil)
			}, func(r armnetwork.SecurityGroupsClientListAllResponse) []*armnetwork.SecurityGroup { return r.Value }),
			mapItem: mapNSG},
		&lister{service: "Microsoft.Network", types: []string{"azurerm_virtual_network", "azurerm_subnet"},
			fetch: fetcher(p, func(s string) (*armnetwork.VirtualNetworksClient, error) {
				return armnetwork.NewVirtualNetworksClient(s, p.cred, co)
			}, func(c *armnetwork.VirtualNetworksClient) *runtime.Pager[armnetwork.VirtualNetworksClientListAllResponse] {
				return c.NewListAllPager(nil)
			}, func(r armnetwork.VirtualNetworksClientListAllResponse) []*armnetwork.VirtualNetwork { return r.Value }),
			mapItem: mapVNet},
		&lister{service: "Microsoft.Network", types: []string{"azurerm_public_ip"},
			fetch: fetcher(p, func(s string) (*armnetwork.PublicIPAddressesClient, error) {
				return armnetwork.NewPublicIPAddressesClient(s, p.cred, co)
			}, func(c *armnetwork.PublicIPAddressesClient) *runtime.Pager[armnetwork.PublicIPAddressesClientListAllResponse] {
				return c.NewListAllPager(nil)
			}, func(r armnetwork.PublicIPAddressesClientListAllResponse) []*armnetwork.PublicIPAddress {
				return r.Value
			}),
			mapItem: mapSpec("azurerm_public_ip", publicIPSpec)},
		&lister{service: "Microsoft.Network", types: []string{"azurerm_network_interface"},
			fetch: fetcher(p, func(s string) (*armnetwork.InterfacesClient, error) {
				return armnetwork.NewInterfacesClient(s, p.cred, co)
			}, func(c *armnetwork.InterfacesClient) *runtime.Pager[armnetwork.InterfacesClientListAllResponse] {
				return c.NewListAllPager(nil)
			}, func(r armnetwork.InterfacesClientListAllResponse) []*armnetwork.Interface { return r.Value }),
			mapItem: mapNIC},
		&lister{service: "Microsoft.Compute", types: []string{"azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine"},
			fetch: fetcher(p, func(s string) (*armcompute.VirtualMachinesClient, error) {
				return armcompute.NewVirtualMachinesClient(s, p.cred, co)
			}, func(c *armcompute.VirtualMachinesClient) *runtime.Pager[armcompute.VirtualMachinesClientListAllResponse] {
				return c.NewListAllPager(nil)
			}, func(r armcompute.VirtualMachinesClientListAllResponse) []*armcompute.VirtualMachine { return r.Value }),
			mapItem: mapVM},
		&lister{service: "Microsoft.Compute", types: []string{"azurerm_managed_disk"},
			fetch: fetcher(p, func(s string) (*armcompute.DisksClient, error) {
				return armcompute.NewDisksClient(s, p.cred, co)
			}, func(c *armcompute.DisksClient) *runtime.Pager[armcompute.DisksClientListResponse] {
				return c.NewListPager(nil)
			}, func(r armcompute.DisksClientListResponse) []*armcompute.Disk { return r.Value }),
			mapItem: mapSpec("azurerm_managed_disk", diskSpec)},
		&lister{service: "Microsoft.Storage", types: []string{"azurerm_storage_account"},
			fetch: fetcher(p, func(s string) (*armstorage.AccountsClient, error) {
				return armstorage.NewAccountsClient(s, p.cred, co)
			}, func(c *armstorage.AccountsClient) *runtime.Pager[armstorage.AccountsClientListResponse] {
				return c.NewListPager(nil)
			}, func(r armstorage.AccountsClientListResponse) []*armstorage.Account { return r.Value }),
			mapItem: mapStorageAccount},
	}
}
