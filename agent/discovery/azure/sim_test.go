package azure

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/driftmgr/driftmgr/internal/cloudsim/azuresim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// serve starts the simulated ARM endpoint over TLS (azcore refuses bearer
// tokens over plain http) and returns Options reaching it through the
// real SDK clients.
func serve(t *testing.T, w *world.World, opts ...azuresim.Option) Options {
	t.Helper()
	srv := httptest.NewTLSServer(azuresim.NewHandler(w, opts...))
	t.Cleanup(srv.Close)
	return Options{
		Credential: &fake.TokenCredential{},
		Endpoint:   srv.URL,
		Transport:  srv.Client(),
		Retry:      policy.RetryOptions{MaxRetries: 10, RetryDelay: time.Millisecond, MaxRetryDelay: 50 * time.Millisecond},
	}
}

const (
	sub  = "00000000-0000-0000-0000-000000000001"
	sub2 = "00000000-0000-0000-0000-000000000002"
	rgID = "/subscriptions/" + sub + "/resourceGroups/rg-app"
)

func res(typ, id string, attrs map[string]any) resource.Resource {
	attrs["id"] = id
	return resource.Resource{Provider: "azurerm", Type: typ, ID: id, Account: sub, Attrs: attrs}
}

func tags(kv ...string) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func rule(name string, prio float64, port, src string) map[string]any {
	return map[string]any{
		"name": name, "description": "", "protocol": "Tcp", "priority": prio, "direction": "Inbound",
		"access": "Allow", "source_port_range": "*", "source_port_ranges": []any{},
		"destination_port_range": port, "destination_port_ranges": []any{},
		"source_address_prefix": src, "source_address_prefixes": []any{},
		"destination_address_prefix": "*", "destination_address_prefixes": []any{},
		"source_application_security_group_ids":      []any{},
		"destination_application_security_group_ids": []any{},
	}
}

// fixtures holds one resource of every typed kind, in the shape a
// refreshed azurerm v4 state holds.
func fixtures() []resource.Resource {
	nsgID := rgID + "/providers/Microsoft.Network/networkSecurityGroups/nsg-web"
	vnetID := rgID + "/providers/Microsoft.Network/virtualNetworks/vnet-app"
	subnetID := vnetID + "/subnets/snet-web"
	pipID := rgID + "/providers/Microsoft.Network/publicIPAddresses/pip-web"
	nicID := rgID + "/providers/Microsoft.Network/networkInterfaces/nic-web"
	sshRule := rule("ssh", 100, "22", "10.0.0.0/8")
	httpsRule := rule("https", 110, "443", "Internet")
	separate := rule("http", 120, "80", "Internet")
	separate["resource_group_name"] = "rg-app"
	separate["network_security_group_name"] = "nsg-web"
	subnet := map[string]any{
		"name": "snet-web", "resource_group_name": "rg-app", "virtual_network_name": "vnet-app",
		"address_prefixes": []any{"10.1.1.0/24"}, "default_outbound_access_enabled": true,
		"private_endpoint_network_policies": "Disabled", "private_link_service_network_policies_enabled": true,
		"service_endpoints": []any{"Microsoft.Storage"}, "service_endpoint_policy_ids": []any{},
		"delegation": []any{},
	}
	return []resource.Resource{
		res("azurerm_resource_group", rgID, map[string]any{"name": "rg-app", "location": "westeurope",
			"managed_by": "", "tags": tags("env", "prod")}),
		res("azurerm_network_security_group", nsgID, map[string]any{"name": "nsg-web", "location": "westeurope",
			"resource_group_name": "rg-app", "tags": tags("env", "prod"),
			"security_rule": []any{rule("http", 120, "80", "Internet"), httpsRule, sshRule}}),
		res("azurerm_network_security_rule", nsgID+"/securityRules/http", separate),
		res("azurerm_virtual_network", vnetID, map[string]any{"name": "vnet-app", "location": "westeurope",
			"resource_group_name": "rg-app", "address_space": []any{"10.1.0.0/16"}, "dns_servers": []any{},
			"bgp_community": "", "flow_timeout_in_minutes": float64(0), "guid": "6b2a1c5e-0000-4000-8000-000000000001",
			"edge_zone": "", "private_endpoint_vnet_policies": "Disabled", "ddos_protection_plan": []any{},
			"encryption": []any{}, "tags": tags(),
			"subnet": []any{map[string]any{"id": subnetID, "name": "snet-web", "address_prefixes": []any{"10.1.1.0/24"},
				"security_group": nsgID, "route_table_id": "", "default_outbound_access_enabled": true,
				"private_endpoint_network_policies": "Disabled", "private_link_service_network_policies_enabled": true,
				"service_endpoints": []any{"Microsoft.Storage"}, "service_endpoint_policy_ids": []any{}, "delegation": []any{}}}}),
		res("azurerm_subnet", subnetID, subnet),
		res("azurerm_public_ip", pipID, map[string]any{"name": "pip-web", "location": "westeurope",
			"resource_group_name": "rg-app", "allocation_method": "Static", "ip_address": "20.1.2.3",
			"ip_version": "IPv4", "idle_timeout_in_minutes": float64(4), "sku": "Standard", "sku_tier": "Regional",
			"zones": []any{"1", "2", "3"}, "domain_name_label": "web-app", "domain_name_label_scope": "",
			"fqdn": "web-app.westeurope.cloudapp.azure.com", "reverse_fqdn": "", "public_ip_prefix_id": "",
			"ddos_protection_mode": "VirtualNetworkInherited", "ddos_protection_plan_id": "", "edge_zone": "",
			"ip_tags": map[string]any{}, "tags": tags("env", "prod")}),
		res("azurerm_network_interface", nicID, map[string]any{"name": "nic-web", "location": "westeurope",
			"resource_group_name": "rg-app", "accelerated_networking_enabled": false, "ip_forwarding_enabled": false,
			"dns_servers": []any{}, "applied_dns_servers": []any{}, "internal_dns_name_label": "",
			"internal_domain_name_suffix": "abc.ax.internal.cloudapp.net", "mac_address": "00-0D-3A-00-00-01",
			"virtual_machine_id": rgID + "/providers/Microsoft.Compute/virtualMachines/vm-web",
			"auxiliary_mode":     "", "auxiliary_sku": "", "edge_zone": "",
			"private_ip_address": "10.1.1.4", "private_ip_addresses": []any{"10.1.1.4"}, "tags": tags(),
			"ip_configuration": []any{map[string]any{"name": "internal", "subnet_id": subnetID,
				"private_ip_address": "10.1.1.4", "private_ip_address_allocation": "Dynamic",
				"private_ip_address_version": "IPv4", "public_ip_address_id": pipID, "primary": true,
				"gateway_load_balancer_frontend_ip_configuration_id": ""}}}),
		res("azurerm_linux_virtual_machine", rgID+"/providers/Microsoft.Compute/virtualMachines/vm-web", map[string]any{
			"name": "vm-web", "location": "westeurope", "resource_group_name": "rg-app", "size": "Standard_B2s",
			"computer_name": "vm-web", "admin_username": "azureuser", "allow_extension_operations": true,
			"network_interface_ids": []any{nicID}, "zone": "1", "vm_id": "1c2d3e4f-0000-4000-8000-000000000001",
			"priority": "Regular", "eviction_policy": "", "max_bid_price": float64(-1),
			"encryption_at_host_enabled": false, "secure_boot_enabled": false, "vtpm_enabled": false,
			"license_type": "", "availability_set_id": "", "proximity_placement_group_id": "",
			"virtual_machine_scale_set_id": "", "capacity_reservation_group_id": "", "dedicated_host_id": "",
			"user_data": "", "source_image_id": "", "disable_password_authentication": true,
			"provision_vm_agent": true, "patch_mode": "ImageDefault", "patch_assessment_mode": "ImageDefault",
			"admin_ssh_key": []any{map[string]any{"username": "azureuser", "public_key": "ssh-rsa AAAAB3Nza test"}},
			"os_disk": []any{map[string]any{"name": "vm-web-os", "caching": "ReadWrite", "storage_account_type": "Premium_LRS",
				"disk_size_gb": float64(30), "write_accelerator_enabled": false, "disk_encryption_set_id": "",
				"secure_vm_disk_encryption_set_id": "", "security_encryption_type": ""}},
			"source_image_reference": []any{map[string]any{"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
				"sku": "server", "version": "latest"}},
			"boot_diagnostics": []any{map[string]any{"storage_account_uri": ""}},
			"identity": []any{map[string]any{"type": "SystemAssigned", "identity_ids": []any{},
				"principal_id": "9f000000-0000-4000-8000-000000000001", "tenant_id": "00000000-0000-0000-0000-00000000a11e"}},
			"tags": tags("role", "web")}),
		res("azurerm_windows_virtual_machine", rgID+"/providers/Microsoft.Compute/virtualMachines/vm-win", map[string]any{
			"name": "vm-win", "location": "westeurope", "resource_group_name": "rg-app", "size": "Standard_D2s_v5",
			"computer_name": "vm-win", "admin_username": "azureadmin", "allow_extension_operations": true,
			"network_interface_ids": []any{}, "zone": "", "priority": "Regular", "max_bid_price": float64(-1),
			"provision_vm_agent": true, "enable_automatic_updates": true, "timezone": "UTC",
			"patch_mode": "AutomaticByOS", "patch_assessment_mode": "ImageDefault", "hotpatching_enabled": false,
			"os_disk": []any{map[string]any{"name": "vm-win-os", "caching": "ReadWrite", "storage_account_type": "StandardSSD_LRS",
				"disk_size_gb": float64(127), "write_accelerator_enabled": false}},
			"source_image_reference": []any{map[string]any{"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
				"sku": "2022-datacenter-azure-edition", "version": "latest"}},
			"boot_diagnostics": []any{}, "identity": []any{},
			"tags": tags()}),
		res("azurerm_managed_disk", rgID+"/providers/Microsoft.Compute/disks/disk-data", map[string]any{
			"name": "disk-data", "location": "westeurope", "resource_group_name": "rg-app",
			"storage_account_type": "Premium_LRS", "create_option": "Empty", "disk_size_gb": float64(128),
			"os_type": "", "zone": "1", "image_reference_id": "", "source_resource_id": "", "source_uri": "",
			"storage_account_id": "", "disk_iops_read_write": float64(500), "disk_mbps_read_write": float64(100),
			"network_access_policy": "AllowAll", "public_network_access_enabled": true, "tier": "P10",
			"max_shares": float64(1), "hyper_v_generation": "", "disk_encryption_set_id": "",
			"on_demand_bursting_enabled": false, "optimized_frequent_attach_enabled": false,
			"disk_access_id": "", "edge_zone": "", "tags": tags("backup", "daily")}),
		res("azurerm_storage_account", rgID+"/providers/Microsoft.Storage/storageAccounts/stapp001", map[string]any{
			"name": "stapp001", "location": "westeurope", "resource_group_name": "rg-app",
			"account_tier": "Standard", "account_replication_type": "GRS", "account_kind": "StorageV2",
			"access_tier": "Hot", "https_traffic_only_enabled": true, "min_tls_version": "TLS1_2",
			"allow_nested_items_to_be_public": false, "shared_access_key_enabled": true,
			"public_network_access_enabled": true, "default_to_oauth_authentication": false,
			"is_hns_enabled": false, "nfsv3_enabled": false, "sftp_enabled": false, "local_user_enabled": true,
			"large_file_share_enabled": false, "cross_tenant_replication_enabled": false,
			"infrastructure_encryption_enabled": false, "allowed_copy_scope": "", "dns_endpoint_type": "Standard",
			"edge_zone": "", "primary_location": "westeurope", "secondary_location": "northeurope",
			"primary_blob_endpoint":  "https://stapp001.blob.core.windows.net/",
			"primary_queue_endpoint": "https://stapp001.queue.core.windows.net/",
			"primary_table_endpoint": "https://stapp001.table.core.windows.net/",
			"primary_file_endpoint":  "https://stapp001.file.core.windows.net/",
			"primary_web_endpoint":   "https://stapp001.z6.web.core.windows.net/",
			"primary_dfs_endpoint":   "https://stapp001.dfs.core.windows.net/",
			"network_rules": []any{map[string]any{"default_action": "Deny", "bypass": []any{"AzureServices", "Logging"},
				"ip_rules": []any{"203.0.113.0/24"}, "virtual_network_subnet_ids": []any{subnetID}}},
			"identity": []any{}, "tags": tags("env", "prod")}),
	}
}
