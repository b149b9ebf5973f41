package typemap

import "strings"

// AzureType maps one ARM resource type, as Azure Resource Graph lists it,
// onto the Terraform azurerm provider. The azurerm id is the ARM id.
type AzureType struct {
	// ARM is the type in Resource Graph's lower case, e.g.
	// "microsoft.keyvault/vaults".
	ARM string
	// Terraform is the resource type, e.g. "azurerm_key_vault".
	Terraform string
	// OSType, when set, is the osType (Linux, Windows) that selects this
	// entry among those of one ARM type (virtual machines, scale sets,
	// web apps).
	OSType string
}

// AzureTypes is the Resource Graph table. Where one ARM type has several
// Terraform types, the first entry is the one used when the OS type is
// unknown.
var AzureTypes = []AzureType{
	// Compute
	{ARM: "microsoft.compute/virtualmachines", Terraform: "azurerm_linux_virtual_machine", OSType: "Linux"},
	{ARM: "microsoft.compute/virtualmachines", Terraform: "azurerm_windows_virtual_machine", OSType: "Windows"},
	{ARM: "microsoft.compute/virtualmachinescalesets", Terraform: "azurerm_linux_virtual_machine_scale_set", OSType: "Linux"},
	{ARM: "microsoft.compute/virtualmachinescalesets", Terraform: "azurerm_windows_virtual_machine_scale_set", OSType: "Windows"},
	{ARM: "microsoft.compute/disks", Terraform: "azurerm_managed_disk"},
	{ARM: "microsoft.compute/snapshots", Terraform: "azurerm_snapshot"},
	{ARM: "microsoft.compute/images", Terraform: "azurerm_image"},
	{ARM: "microsoft.compute/availabilitysets", Terraform: "azurerm_availability_set"},
	{ARM: "microsoft.compute/proximityplacementgroups", Terraform: "azurerm_proximity_placement_group"},
	{ARM: "microsoft.compute/diskencryptionsets", Terraform: "azurerm_disk_encryption_set"},
	{ARM: "microsoft.compute/galleries", Terraform: "azurerm_shared_image_gallery"},
	{ARM: "microsoft.compute/sshpublickeys", Terraform: "azurerm_ssh_public_key"},
	{ARM: "microsoft.compute/hostgroups", Terraform: "azurerm_dedicated_host_group"},
	// Network
	{ARM: "microsoft.network/virtualnetworks", Terraform: "azurerm_virtual_network"},
	{ARM: "microsoft.network/networksecuritygroups", Terraform: "azurerm_network_security_group"},
	{ARM: "microsoft.network/publicipaddresses", Terraform: "azurerm_public_ip"},
	{ARM: "microsoft.network/publicipprefixes", Terraform: "azurerm_public_ip_prefix"},
	{ARM: "microsoft.network/networkinterfaces", Terraform: "azurerm_network_interface"},
	{ARM: "microsoft.network/loadbalancers", Terraform: "azurerm_lb"},
	{ARM: "microsoft.network/applicationgateways", Terraform: "azurerm_application_gateway"},
	{ARM: "microsoft.network/routetables", Terraform: "azurerm_route_table"},
	{ARM: "microsoft.network/natgateways", Terraform: "azurerm_nat_gateway"},
	{ARM: "microsoft.network/privateendpoints", Terraform: "azurerm_private_endpoint"},
	{ARM: "microsoft.network/privatednszones", Terraform: "azurerm_private_dns_zone"},
	{ARM: "microsoft.network/dnszones", Terraform: "azurerm_dns_zone"},
	{ARM: "microsoft.network/virtualnetworkgateways", Terraform: "azurerm_virtual_network_gateway"},
	{ARM: "microsoft.network/localnetworkgateways", Terraform: "azurerm_local_network_gateway"},
	{ARM: "microsoft.network/connections", Terraform: "azurerm_virtual_network_gateway_connection"},
	{ARM: "microsoft.network/azurefirewalls", Terraform: "azurerm_firewall"},
	{ARM: "microsoft.network/firewallpolicies", Terraform: "azurerm_firewall_policy"},
	{ARM: "microsoft.network/bastionhosts", Terraform: "azurerm_bastion_host"},
	{ARM: "microsoft.network/applicationsecuritygroups", Terraform: "azurerm_application_security_group"},
	{ARM: "microsoft.network/networkwatchers", Terraform: "azurerm_network_watcher"},
	{ARM: "microsoft.network/frontdoors", Terraform: "azurerm_frontdoor"},
	{ARM: "microsoft.network/trafficmanagerprofiles", Terraform: "azurerm_traffic_manager_profile"},
	{ARM: "microsoft.network/ddosprotectionplans", Terraform: "azurerm_network_ddos_protection_plan"},
	{ARM: "microsoft.network/expressroutecircuits", Terraform: "azurerm_express_route_circuit"},
	{ARM: "microsoft.network/virtualwans", Terraform: "azurerm_virtual_wan"},
	{ARM: "microsoft.network/virtualhubs", Terraform: "azurerm_virtual_hub"},
	{ARM: "microsoft.network/privatelinkservices", Terraform: "azurerm_private_link_service"},
	// Storage and data
	{ARM: "microsoft.storage/storageaccounts", Terraform: "azurerm_storage_account"},
	{ARM: "microsoft.sql/servers", Terraform: "azurerm_mssql_server"},
	{ARM: "microsoft.sql/servers/databases", Terraform: "azurerm_mssql_database"},
	{ARM: "microsoft.sql/servers/elasticpools", Terraform: "azurerm_mssql_elasticpool"},
	{ARM: "microsoft.sql/managedinstances", Terraform: "azurerm_mssql_managed_instance"},
	{ARM: "microsoft.dbforpostgresql/flexibleservers", Terraform: "azurerm_postgresql_flexible_server"},
	{ARM: "microsoft.dbformysql/flexibleservers", Terraform: "azurerm_mysql_flexible_server"},
	{ARM: "microsoft.documentdb/databaseaccounts", Terraform: "azurerm_cosmosdb_account"},
	{ARM: "microsoft.cache/redis", Terraform: "azurerm_redis_cache"},
	{ARM: "microsoft.datafactory/factories", Terraform: "azurerm_data_factory"},
	{ARM: "microsoft.synapse/workspaces", Terraform: "azurerm_synapse_workspace"},
	{ARM: "microsoft.databricks/workspaces", Terraform: "azurerm_databricks_workspace"},
	{ARM: "microsoft.kusto/clusters", Terraform: "azurerm_kusto_cluster"},
	{ARM: "microsoft.search/searchservices", Terraform: "azurerm_search_service"},
	{ARM: "microsoft.recoveryservices/vaults", Terraform: "azurerm_recovery_services_vault"},
	{ARM: "microsoft.dataprotection/backupvaults", Terraform: "azurerm_data_protection_backup_vault"},
	// Security and identity
	{ARM: "microsoft.keyvault/vaults", Terraform: "azurerm_key_vault"},
	{ARM: "microsoft.keyvault/managedhsms", Terraform: "azurerm_key_vault_managed_hardware_security_module"},
	{ARM: "microsoft.managedidentity/userassignedidentities", Terraform: "azurerm_user_assigned_identity"},
	// Containers and apps
	{ARM: "microsoft.containerservice/managedclusters", Terraform: "azurerm_kubernetes_cluster"},
	{ARM: "microsoft.containerregistry/registries", Terraform: "azurerm_container_registry"},
	{ARM: "microsoft.containerinstance/containergroups", Terraform: "azurerm_container_group"},
	{ARM: "microsoft.app/containerapps", Terraform: "azurerm_container_app"},
	{ARM: "microsoft.app/managedenvironments", Terraform: "azurerm_container_app_environment"},
	{ARM: "microsoft.web/sites", Terraform: "azurerm_linux_web_app", OSType: "Linux"},
	{ARM: "microsoft.web/sites", Terraform: "azurerm_windows_web_app", OSType: "Windows"},
	{ARM: "microsoft.web/serverfarms", Terraform: "azurerm_service_plan"},
	{ARM: "microsoft.web/staticsites", Terraform: "azurerm_static_web_app"},
	{ARM: "microsoft.apimanagement/service", Terraform: "azurerm_api_management"},
	{ARM: "microsoft.signalrservice/signalr", Terraform: "azurerm_signalr_service"},
	{ARM: "microsoft.cdn/profiles", Terraform: "azurerm_cdn_profile"},
	// Messaging and integration
	{ARM: "microsoft.servicebus/namespaces", Terraform: "azurerm_servicebus_namespace"},
	{ARM: "microsoft.eventhub/namespaces", Terraform: "azurerm_eventhub_namespace"},
	{ARM: "microsoft.eventgrid/topics", Terraform: "azurerm_eventgrid_topic"},
	{ARM: "microsoft.eventgrid/systemtopics", Terraform: "azurerm_eventgrid_system_topic"},
	{ARM: "microsoft.logic/workflows", Terraform: "azurerm_logic_app_workflow"},
	{ARM: "microsoft.relay/namespaces", Terraform: "azurerm_relay_namespace"},
	{ARM: "microsoft.notificationhubs/namespaces", Terraform: "azurerm_notification_hub_namespace"},
	// Monitoring and management
	{ARM: "microsoft.operationalinsights/workspaces", Terraform: "azurerm_log_analytics_workspace"},
	{ARM: "microsoft.insights/components", Terraform: "azurerm_application_insights"},
	{ARM: "microsoft.insights/actiongroups", Terraform: "azurerm_monitor_action_group"},
	{ARM: "microsoft.insights/metricalerts", Terraform: "azurerm_monitor_metric_alert"},
	{ARM: "microsoft.insights/scheduledqueryrules", Terraform: "azurerm_monitor_scheduled_query_rules_alert_v2"},
	{ARM: "microsoft.insights/datacollectionrules", Terraform: "azurerm_monitor_data_collection_rule"},
	{ARM: "microsoft.automation/automationaccounts", Terraform: "azurerm_automation_account"},
	{ARM: "microsoft.cognitiveservices/accounts", Terraform: "azurerm_cognitive_account"},
	{ARM: "microsoft.machinelearningservices/workspaces", Terraform: "azurerm_machine_learning_workspace"},
	{ARM: "microsoft.devices/iothubs", Terraform: "azurerm_iothub"},
	{ARM: "microsoft.maps/accounts", Terraform: "azurerm_maps_account"},
}

var (
	azureByARM = map[string][]AzureType{}
	azureByTF  = map[string]AzureType{}
)

func init() {
	for _, t := range AzureTypes {
		azureByARM[t.ARM] = append(azureByARM[t.ARM], t)
		azureByTF[t.Terraform] = t
	}
}

// AzureByARM finds the Terraform type of an ARM type (any case); osType
// (Linux, Windows, any case, may be empty) picks among several.
func AzureByARM(armType, osType string) (AzureType, bool) {
	ts := azureByARM[strings.ToLower(armType)]
	if len(ts) == 0 {
		return AzureType{}, false
	}
	for _, t := range ts {
		if osType != "" && strings.EqualFold(t.OSType, osType) {
			return t, true
		}
	}
	return ts[0], true
}

// AzureByTerraform finds a type by its Terraform name.
func AzureByTerraform(name string) (AzureType, bool) {
	t, ok := azureByTF[name]
	return t, ok
}
