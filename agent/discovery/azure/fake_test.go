package azure

import (
	"context"
	"net/http"
	"strings"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	computefake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	networkfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// providerTransport sends each ARM request to the SDK fake server of its
// resource provider namespace, as ARM routes it.
type providerTransport map[string]interface {
	Do(*http.Request) (*http.Response, error)
}

func (t providerTransport) Do(req *http.Request) (*http.Response, error) {
	for ns, tr := range t {
		if strings.Contains(strings.ToLower(req.URL.Path), "/providers/"+strings.ToLower(ns)+"/") {
			return tr.Do(req)
		}
	}
	return &http.Response{StatusCode: http.StatusNotFound, Body: http.NoBody, Request: req, Header: http.Header{}}, nil
}

// TestListersAgainstSDKFakes drives the VM, virtual network and network
// security group listers through the Azure SDK's own fake servers, which
// answer with the SDK's types serialized by the SDK (two pages each), and
// compares what they emit with the state entries Terraform would hold.
func TestListersAgainstSDKFakes(t *testing.T) {
	const rg = "/subscriptions/" + sub + "/resourceGroups/app"
	vmID := rg + "/providers/Microsoft.Compute/virtualMachines/web"
	winID := rg + "/providers/Microsoft.Compute/virtualMachines/win"
	nicID := rg + "/providers/Microsoft.Network/networkInterfaces/web-nic"
	vnetID := rg + "/providers/Microsoft.Network/virtualNetworks/app"
	nsgID := rg + "/providers/Microsoft.Network/networkSecurityGroups/web"
	tagsOf := func(kv ...string) map[string]*string {
		m := map[string]*string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = to.Ptr(kv[i+1])
		}
		return m
	}

	linux := &armcompute.VirtualMachine{ID: to.Ptr(vmID), Name: to.Ptr("web"), Location: to.Ptr("westeurope"),
		Tags: tagsOf("env", "prod"),
		Properties: &armcompute.VirtualMachineProperties{
			HardwareProfile: &armcompute.HardwareProfile{VMSize: to.Ptr(armcompute.VirtualMachineSizeTypesStandardB2S)},
			OSProfile: &armcompute.OSProfile{ComputerName: to.Ptr("web"), AdminUsername: to.Ptr("azureuser"),
				LinuxConfiguration: &armcompute.LinuxConfiguration{DisablePasswordAuthentication: to.Ptr(true),
					SSH: &armcompute.SSHConfiguration{PublicKeys: []*armcompute.SSHPublicKey{{
						Path: to.Ptr("/home/azureuser/.ssh/authorized_keys"), KeyData: to.Ptr("ssh-rsa AAAA")}}}}},
			StorageProfile: &armcompute.StorageProfile{OSDisk: &armcompute.OSDisk{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux),
				Caching: to.Ptr(armcompute.CachingTypesReadWrite), CreateOption: to.Ptr(armcompute.DiskCreateOptionTypesFromImage)}},
			NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: []*armcompute.NetworkInterfaceReference{{ID: to.Ptr(nicID)}}},
		}}
	windows := &armcompute.VirtualMachine{ID: to.Ptr(winID), Name: to.Ptr("win"), Location: to.Ptr("westeurope"),
		Properties: &armcompute.VirtualMachineProperties{
			HardwareProfile: &armcompute.HardwareProfile{VMSize: to.Ptr(armcompute.VirtualMachineSizeTypesStandardD2SV3)},
			OSProfile: &armcompute.OSProfile{ComputerName: to.Ptr("win"), AdminUsername: to.Ptr("admin"),
				WindowsConfiguration: &armcompute.WindowsConfiguration{TimeZone: to.Ptr("UTC")}},
		}}
	vnet := &armnetwork.VirtualNetwork{ID: to.Ptr(vnetID), Name: to.Ptr("app"), Location: to.Ptr("westeurope"),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{to.Ptr("10.1.0.0/16")}},
			Subnets: []*armnetwork.Subnet{{ID: to.Ptr(vnetID + "/subnets/web"), Name: to.Ptr("web"),
				Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: to.Ptr("10.1.1.0/24")}}},
		}}
	nsg := &armnetwork.SecurityGroup{ID: to.Ptr(nsgID), Name: to.Ptr("web"), Location: to.Ptr("westeurope"),
		Properties: &armnetwork.SecurityGroupPropertiesFormat{SecurityRules: []*armnetwork.SecurityRule{{
			ID: to.Ptr(nsgID + "/securityRules/https"), Name: to.Ptr("https"),
			Properties: &armnetwork.SecurityRulePropertiesFormat{Priority: to.Ptr[int32](100),
				Direction: to.Ptr(armnetwork.SecurityRuleDirectionInbound), Access: to.Ptr(armnetwork.SecurityRuleAccessAllow),
				Protocol: to.Ptr(armnetwork.SecurityRuleProtocolTCP), SourcePortRange: to.Ptr("*"),
				DestinationPortRange: to.Ptr("443"), SourceAddressPrefix: to.Ptr("*"), DestinationAddressPrefix: to.Ptr("*")},
		}}}}

	calls := map[string]int{}
	compute := computefake.NewServerFactoryTransport(&computefake.ServerFactory{
		VirtualMachinesServer: computefake.VirtualMachinesServer{
			NewListAllPager: func(*armcompute.VirtualMachinesClientListAllOptions) (resp azfake.PagerResponder[armcompute.VirtualMachinesClientListAllResponse]) {
				calls["vm"]++
				resp.AddPage(http.StatusOK, armcompute.VirtualMachinesClientListAllResponse{
					VirtualMachineListResult: armcompute.VirtualMachineListResult{Value: []*armcompute.VirtualMachine{linux}}}, nil)
				resp.AddPage(http.StatusOK, armcompute.VirtualMachinesClientListAllResponse{
					VirtualMachineListResult: armcompute.VirtualMachineListResult{Value: []*armcompute.VirtualMachine{windows}}}, nil)
				return resp
			}},
	})
	network := networkfake.NewServerFactoryTransport(&networkfake.ServerFactory{
		VirtualNetworksServer: networkfake.VirtualNetworksServer{
			NewListAllPager: func(*armnetwork.VirtualNetworksClientListAllOptions) (resp azfake.PagerResponder[armnetwork.VirtualNetworksClientListAllResponse]) {
				calls["vnet"]++
				resp.AddPage(http.StatusOK, armnetwork.VirtualNetworksClientListAllResponse{
					VirtualNetworkListResult: armnetwork.VirtualNetworkListResult{Value: []*armnetwork.VirtualNetwork{vnet}}}, nil)
				return resp
			}},
		SecurityGroupsServer: networkfake.SecurityGroupsServer{
			NewListAllPager: func(*armnetwork.SecurityGroupsClientListAllOptions) (resp azfake.PagerResponder[armnetwork.SecurityGroupsClientListAllResponse]) {
				calls["nsg"]++
				resp.AddPage(http.StatusOK, armnetwork.SecurityGroupsClientListAllResponse{
					SecurityGroupListResult: armnetwork.SecurityGroupListResult{Value: []*armnetwork.SecurityGroup{}}}, nil)
				resp.AddPage(http.StatusOK, armnetwork.SecurityGroupsClientListAllResponse{
					SecurityGroupListResult: armnetwork.SecurityGroupListResult{Value: []*armnetwork.SecurityGroup{nsg}}}, nil)
				return resp
			}},
	})
	p := New(Options{Subscriptions: []string{sub}, Credential: &azfake.TokenCredential{},
		Transport: providerTransport{"Microsoft.Compute": compute, "Microsoft.Network": network}})

	want := map[string]bool{"azurerm_linux_virtual_machine": true, "azurerm_virtual_network": true,
		"azurerm_network_security_group": true}
	var live []resource.Resource
	for _, l := range p.Listers() {
		if !want[l.Types()[0]] {
			continue
		}
		require.NoError(t, l.List(context.Background(), discovery.Scope{Provider: Name, Account: sub},
			func(r resource.Resource) { live = append(live, r) }))
	}
	assert.Equal(t, map[string]int{"vm": 1, "vnet": 1, "nsg": 1}, calls)
	got := byKey(live)
	require.Len(t, got, 6, "two VMs, a network and its subnet, a group and its rule: %v", got)

	state := []resource.Resource{
		{Provider: Name, Type: "azurerm_linux_virtual_machine", ID: vmID, Attrs: map[string]any{
			"name": "web", "resource_group_name": "app", "location": "westeurope", "size": "Standard_B2s",
			"admin_username": "azureuser", "network_interface_ids": []any{nicID},
			"disable_password_authentication": true, "tags": map[string]any{"env": "prod"},
			"admin_ssh_key": []any{map[string]any{"username": "azureuser", "public_key": "ssh-rsa AAAA"}}}},
		{Provider: Name, Type: "azurerm_windows_virtual_machine", ID: winID, Attrs: map[string]any{
			"name": "win", "size": "Standard_D2s_v3", "timezone": "UTC", "admin_username": "admin"}},
		{Provider: Name, Type: "azurerm_virtual_network", ID: vnetID, Attrs: map[string]any{
			"name": "app", "resource_group_name": "app", "location": "westeurope", "address_space": []any{"10.1.0.0/16"}}},
		{Provider: Name, Type: "azurerm_subnet", ID: vnetID + "/subnets/web", Attrs: map[string]any{
			"name": "web", "virtual_network_name": "app", "address_prefixes": []any{"10.1.1.0/24"}}},
		{Provider: Name, Type: "azurerm_network_security_group", ID: nsgID, Attrs: map[string]any{
			"name": "web", "location": "westeurope"}},
		{Provider: Name, Type: "azurerm_network_security_rule", ID: nsgID + "/securityRules/https", Attrs: map[string]any{
			"name": "https", "network_security_group_name": "web", "priority": float64(100), "direction": "Inbound",
			"access": "Allow", "protocol": "Tcp", "destination_port_range": "443", "source_address_prefix": "*"}},
	}
	r := drift.Compare(state, live, drift.Options{})
	assert.Empty(t, r.Findings, "a matching state yields no drift")

	// A real difference still reads as drift, at its attribute.
	state[0].Attrs["size"] = "Standard_B4ms"
	r = drift.Compare(state, live, drift.Options{})
	require.Len(t, r.Findings, 1)
	require.Len(t, r.Findings[0].Diffs, 1)
	assert.Equal(t, resource.Path("size"), r.Findings[0].Diffs[0].Path)
}
