package azuresim

import (
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// The platform services of the typed tier: blob containers, key vaults,
// SQL servers and databases, AKS clusters and role assignments. As in
// specs.go, Terraform azurerm (v4) names on the left, ARM JSON paths on
// the right; secrets (the SQL administrator password) are never rendered,
// as ARM never returns them.

var storageContainerSpec = []field{
	f("default_encryption_scope", "properties.defaultEncryptionScope"),
	f("metadata", "properties.metadata"),
	f("has_immutability_policy", "properties.hasImmutabilityPolicy"),
	f("has_legal_hold", "properties.hasLegalHold"),
}

var keyVaultSpec = []field{
	f("tenant_id", "properties.tenantId"),
	f("sku_name", "properties.sku.name"),
	f("vault_uri", "properties.vaultUri"),
	f("enabled_for_deployment", "properties.enabledForDeployment"),
	f("enabled_for_disk_encryption", "properties.enabledForDiskEncryption"),
	f("enabled_for_template_deployment", "properties.enabledForTemplateDeployment"),
	f("enable_rbac_authorization", "properties.enableRbacAuthorization"),
	f("rbac_authorization_enabled", "properties.enableRbacAuthorization"),
	f("purge_protection_enabled", "properties.enablePurgeProtection"),
	f("soft_delete_retention_days", "properties.softDeleteRetentionInDays"),
	en("public_network_access_enabled", "properties.publicNetworkAccess"),
	lst("access_policy", "properties.accessPolicies",
		f("tenant_id", "tenantId"),
		f("object_id", "objectId"),
		f("application_id", "applicationId"),
		f("key_permissions", "permissions.keys"),
		f("secret_permissions", "permissions.secrets"),
		f("certificate_permissions", "permissions.certificates"),
		f("storage_permissions", "permissions.storage")),
	blk("network_acls", "properties.networkAcls",
		f("bypass", "bypass"),
		f("default_action", "defaultAction"),
		strs("ip_rules", "ipRules", "value"),
		strs("virtual_network_subnet_ids", "virtualNetworkRules", "id")),
}

var mssqlServerSpec = []field{
	f("version", "properties.version"),
	f("administrator_login", "properties.administratorLogin"),
	f("minimum_tls_version", "properties.minimalTlsVersion"),
	en("public_network_access_enabled", "properties.publicNetworkAccess"),
	en("outbound_network_restriction_enabled", "properties.restrictOutboundNetworkAccess"),
	f("fully_qualified_domain_name", "properties.fullyQualifiedDomainName"),
	f("primary_user_assigned_identity_id", "properties.primaryUserAssignedIdentityId"),
	f("transparent_data_encryption_key_vault_key_id", "properties.keyId"),
	blk("azuread_administrator", "properties.administrators",
		f("login_username", "login"),
		f("object_id", "sid"),
		f("tenant_id", "tenantId"),
		f("azuread_authentication_only", "azureADOnlyAuthentication")),
}

var mssqlDatabaseSpec = []field{
	f("collation", "properties.collation"),
	f("sku_name", "sku.name"),
	f("zone_redundant", "properties.zoneRedundant"),
	en("read_scale", "properties.readScale"),
	f("license_type", "properties.licenseType"),
	f("storage_account_type", "properties.requestedBackupStorageRedundancy"),
	f("elastic_pool_id", "properties.elasticPoolId"),
	f("read_replica_count", "properties.highAvailabilityReplicaCount"),
	f("auto_pause_delay_in_minutes", "properties.autoPauseDelay"),
	f("min_capacity", "properties.minCapacity"),
	f("ledger_enabled", "properties.isLedgerOn"),
	f("secondary_type", "properties.secondaryType"),
}

var aksPoolSpec = []field{
	f("name", "name"),
	f("vm_size", "vmSize"),
	f("node_count", "count"),
	f("auto_scaling_enabled", "enableAutoScaling"),
	f("min_count", "minCount"),
	f("max_count", "maxCount"),
	f("max_pods", "maxPods"),
	f("os_disk_size_gb", "osDiskSizeGB"),
	f("os_disk_type", "osDiskType"),
	f("os_sku", "osSKU"),
	f("vnet_subnet_id", "vnetSubnetID"),
	f("pod_subnet_id", "podSubnetID"),
	f("zones", "availabilityZones"),
	f("type", "type"),
	f("orchestrator_version", "orchestratorVersion"),
	f("node_labels", "nodeLabels"),
	f("node_public_ip_enabled", "enableNodePublicIP"),
	f("host_encryption_enabled", "enableEncryptionAtHost"),
	f("fips_enabled", "enableFIPS"),
	f("kubelet_disk_type", "kubeletDiskType"),
	f("scale_down_mode", "scaleDownMode"),
	f("tags", "tags"),
}

var aksSpec = []field{
	f("kubernetes_version", "properties.kubernetesVersion"),
	f("current_kubernetes_version", "properties.currentKubernetesVersion"),
	f("dns_prefix", "properties.dnsPrefix"),
	f("fqdn", "properties.fqdn"),
	f("private_fqdn", "properties.privateFQDN"),
	f("portal_fqdn", "properties.azurePortalFQDN"),
	f("node_resource_group", "properties.nodeResourceGroup"),
	f("sku_tier", "sku.tier"),
	f("role_based_access_control_enabled", "properties.enableRBAC"),
	f("local_account_disabled", "properties.disableLocalAccounts"),
	f("oidc_issuer_enabled", "properties.oidcIssuerProfile.enabled"),
	f("oidc_issuer_url", "properties.oidcIssuerProfile.issuerURL"),
	f("workload_identity_enabled", "properties.securityProfile.workloadIdentity.enabled"),
	f("private_cluster_enabled", "properties.apiServerAccessProfile.enablePrivateCluster"),
	f("node_os_upgrade_channel", "properties.autoUpgradeProfile.nodeOSUpgradeChannel"),
	blk("network_profile", "properties.networkProfile",
		f("network_plugin", "networkPlugin"),
		f("network_mode", "networkMode"),
		f("network_policy", "networkPolicy"),
		f("network_plugin_mode", "networkPluginMode"),
		f("network_data_plane", "networkDataplane"),
		f("dns_service_ip", "dnsServiceIP"),
		f("service_cidr", "serviceCidr"),
		f("pod_cidr", "podCidr"),
		f("outbound_type", "outboundType"),
		f("load_balancer_sku", "loadBalancerSku"),
		f("ip_versions", "ipFamilies"),
		f("pod_cidrs", "podCidrs"),
		f("service_cidrs", "serviceCidrs")),
}

var roleAssignmentSpec = []field{
	f("scope", "properties.scope"),
	f("role_definition_id", "properties.roleDefinitionId"),
	f("principal_id", "properties.principalId"),
	f("principal_type", "properties.principalType"),
	f("description", "properties.description"),
	f("condition", "properties.condition"),
	f("condition_version", "properties.conditionVersion"),
	f("delegated_managed_identity_resource_id", "properties.delegatedManagedIdentityResourceId"),
}

// containerAccess maps container_access_type onto ARM's publicAccess.
var containerAccess = map[string]string{"private": "None", "blob": "Blob", "container": "Container"}

func renderStorageContainer(_, r resource.Resource, out map[string]any) {
	access := "None"
	if s, ok := r.Attrs["container_access_type"].(string); ok {
		if a, ok := containerAccess[s]; ok {
			access = a
		}
	}
	setPath(out, "properties.publicAccess", access)
	if e, ok := r.Attrs["encryption_scope_override_enabled"].(bool); ok {
		setPath(out, "properties.denyEncryptionScopeOverride", !e)
	}
	// Container items carry an etag but no location or tags.
	out["etag"] = `"0x8DC0000000000001"`
}

func renderMSSQLDatabase(parent, r resource.Resource, out map[string]any) {
	if loc, ok := parent.Attrs["location"]; ok {
		out["location"] = armLocation(loc)
	}
	if tags, ok := r.Attrs["tags"].(map[string]any); ok {
		out["tags"] = tags
	}
	if gb, ok := r.Attrs["max_size_gb"].(float64); ok {
		setPath(out, "properties.maxSizeBytes", int64(gb*(1<<30)))
	}
	if m, _ := r.Attrs["maintenance_configuration_name"].(string); m != "" {
		setPath(out, "properties.maintenanceConfigurationId",
			"/subscriptions/"+subscriptionOf(parent)+"/providers/Microsoft.Maintenance/publicMaintenanceConfigurations/"+m)
	}
	setPath(out, "properties.status", "Online")
	renderIdentity(r, out)
}

func renderKeyVault(_ *handler, r resource.Resource, out map[string]any) {
	setPath(out, "properties.sku.family", "A")
	// Soft delete cannot be turned off since 2020; ARM reports it on.
	setPath(out, "properties.enableSoftDelete", true)
}

func renderMSSQLServer(_ *handler, r resource.Resource, out map[string]any) {
	if v, _ := r.Attrs["minimum_tls_version"].(string); v == "Disabled" {
		setPath(out, "properties.minimalTlsVersion", "None")
	}
	if admin, ok := getPathAttr(out, "properties.administrators").(map[string]any); ok {
		admin["administratorType"] = "ActiveDirectory"
	}
	setPath(out, "properties.state", "Ready")
	renderIdentity(r, out)
}

func renderAKS(_ *handler, r resource.Resource, out map[string]any) {
	setPath(out, "sku.name", "Base")
	channel, _ := r.Attrs["automatic_upgrade_channel"].(string)
	if channel == "" {
		channel = "none"
	}
	setPath(out, "properties.autoUpgradeProfile.upgradeChannel", channel)
	if pools, ok := r.Attrs["default_node_pool"].([]any); ok && len(pools) > 0 {
		pm, _ := pools[0].(map[string]any)
		o := map[string]any{"mode": "System", "osType": "Linux"}
		render(pm, aksPoolSpec, o)
		if crit, _ := pm["only_critical_addons_enabled"].(bool); crit {
			o["nodeTaints"] = []any{"CriticalAddonsOnly=true:NoSchedule"}
		}
		setPath(out, "properties.agentPoolProfiles", []any{o})
	}
	renderIdentity(r, out)
}

// getPathAttr reads a dotted path of an ARM object.
func getPathAttr(m map[string]any, path string) any {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = cm[p]
	}
	return cur
}
