package azure

import (
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// The platform services of the typed tier: blob containers, key vaults,
// SQL servers and databases, AKS clusters and role assignments. Secrets
// are never read: ARM does not return the SQL administrator password, and
// key vault contents live on the data plane, which discovery does not
// call.

var storageContainerSpec = []field{
	f("default_encryption_scope", "properties.defaultEncryptionScope"),
	f("metadata", "properties.metadata").or(map[string]any{}),
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
	// azurerm v4 renamed the attribute late in the series; state holds
	// the one its provider version knows.
	f("enable_rbac_authorization", "properties.enableRbacAuthorization"),
	f("rbac_authorization_enabled", "properties.enableRbacAuthorization"),
	f("purge_protection_enabled", "properties.enablePurgeProtection"),
	f("soft_delete_retention_days", "properties.softDeleteRetentionInDays").or(90.0),
	en("public_network_access_enabled", "properties.publicNetworkAccess").or(true),
	lst("access_policy", "properties.accessPolicies",
		f("tenant_id", "tenantId"),
		f("object_id", "objectId"),
		f("application_id", "applicationId"),
		f("key_permissions", "permissions.keys").or([]any{}),
		f("secret_permissions", "permissions.secrets").or([]any{}),
		f("certificate_permissions", "permissions.certificates").or([]any{}),
		f("storage_permissions", "permissions.storage").or([]any{})),
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
	en("public_network_access_enabled", "properties.publicNetworkAccess").or(true),
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
	f("storage_account_type", "properties.requestedBackupStorageRedundancy").or("Geo"),
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
	f("os_disk_type", "osDiskType").or("Managed"),
	f("os_sku", "osSKU"),
	f("vnet_subnet_id", "vnetSubnetID"),
	f("pod_subnet_id", "podSubnetID"),
	f("zones", "availabilityZones").or([]any{}),
	f("type", "type").or("VirtualMachineScaleSets"),
	f("orchestrator_version", "orchestratorVersion"),
	f("node_labels", "nodeLabels").or(map[string]any{}),
	f("node_public_ip_enabled", "enableNodePublicIP"),
	f("host_encryption_enabled", "enableEncryptionAtHost"),
	f("fips_enabled", "enableFIPS"),
	f("kubelet_disk_type", "kubeletDiskType"),
	f("scale_down_mode", "scaleDownMode").or("Delete"),
	f("tags", "tags").or(map[string]any{}),
}

var aksSpec = []field{
	f("kubernetes_version", "properties.kubernetesVersion"),
	f("current_kubernetes_version", "properties.currentKubernetesVersion"),
	f("dns_prefix", "properties.dnsPrefix"),
	f("fqdn", "properties.fqdn"),
	f("private_fqdn", "properties.privateFQDN"),
	f("portal_fqdn", "properties.azurePortalFQDN"),
	f("node_resource_group", "properties.nodeResourceGroup"),
	f("sku_tier", "sku.tier").or("Free"),
	f("role_based_access_control_enabled", "properties.enableRBAC").or(true),
	f("local_account_disabled", "properties.disableLocalAccounts"),
	f("oidc_issuer_enabled", "properties.oidcIssuerProfile.enabled"),
	f("oidc_issuer_url", "properties.oidcIssuerProfile.issuerURL"),
	f("workload_identity_enabled", "properties.securityProfile.workloadIdentity.enabled"),
	f("private_cluster_enabled", "properties.apiServerAccessProfile.enablePrivateCluster"),
	f("node_os_upgrade_channel", "properties.autoUpgradeProfile.nodeOSUpgradeChannel").or("NodeImage"),
	blk("network_profile", "properties.networkProfile",
		f("network_plugin", "networkPlugin"),
		f("network_mode", "networkMode"),
		f("network_policy", "networkPolicy"),
		f("network_plugin_mode", "networkPluginMode"),
		f("network_data_plane", "networkDataplane").or("azure"),
		f("dns_service_ip", "dnsServiceIP"),
		f("service_cidr", "serviceCidr"),
		f("pod_cidr", "podCidr"),
		f("outbound_type", "outboundType").or("loadBalancer"),
		f("load_balancer_sku", "loadBalancerSku").or("standard"),
		f("ip_versions", "ipFamilies").or([]any{}),
		f("pod_cidrs", "podCidrs").or([]any{}),
		f("service_cidrs", "serviceCidrs").or([]any{})),
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

// containerAccess maps ARM's publicAccess onto container_access_type.
var containerAccess = map[string]string{"none": "private", "": "private", "blob": "blob", "container": "container"}

// nestedBase builds a resource that lies under a parent (container,
// database): its state has no location, tags or resource group of its
// own, only the parent's id.
func nestedBase(sub, typ, parentAttr, below string, arm map[string]any) resource.Resource {
	id := str(arm["id"])
	parent := id
	if i := strings.Index(strings.ToLower(id), strings.ToLower(below)); i > 0 {
		parent = id[:i]
	}
	return resource.Resource{Provider: Name, Type: typ, ID: id, Account: sub, Attrs: map[string]any{
		"id": id, "name": arm["name"], parentAttr: parent,
	}}
}

func mapStorageContainer(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := nestedBase(sub, "azurerm_storage_container", "storage_account_id", "/blobServices/", arm)
	parse(arm, storageContainerSpec, r.Attrs)
	r.Attrs["storage_account_name"] = idSegment(r.ID, "storageAccounts")
	r.Attrs["resource_manager_id"] = r.ID
	r.Attrs["container_access_type"] = containerAccess[strings.ToLower(str(getPath(arm, "properties.publicAccess")))]
	deny, _ := getPath(arm, "properties.denyEncryptionScopeOverride").(bool)
	r.Attrs["encryption_scope_override_enabled"] = !deny
	emit(r)
}

func mapMSSQLDatabase(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := nestedBase(sub, "azurerm_mssql_database", "server_id", "/databases/", arm)
	r.Region = strings.ToLower(strings.ReplaceAll(str(arm["location"]), " ", ""))
	parse(arm, mssqlDatabaseSpec, r.Attrs)
	r.Attrs["tags"] = map[string]any{}
	if t, ok := arm["tags"].(map[string]any); ok {
		r.Attrs["tags"] = t
		r.Tags = make(map[string]string, len(t))
		for k, v := range t {
			r.Tags[k] = str(v)
		}
	}
	if b, ok := getPath(arm, "properties.maxSizeBytes").(float64); ok {
		r.Attrs["max_size_gb"] = b / (1 << 30)
	}
	m := str(getPath(arm, "properties.maintenanceConfigurationId"))
	r.Attrs["maintenance_configuration_name"] = m[strings.LastIndexByte(m, '/')+1:]
	if m == "" {
		r.Attrs["maintenance_configuration_name"] = "SQL_Default"
	}
	r.Attrs["identity"] = identity(arm)
	emit(r)
}

func mapKeyVault(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := base(sub, "azurerm_key_vault", arm)
	parse(arm, keyVaultSpec, r.Attrs)
	emit(r)
}

func mapMSSQLServer(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := base(sub, "azurerm_mssql_server", arm)
	parse(arm, mssqlServerSpec, r.Attrs)
	if r.Attrs["minimum_tls_version"] == "None" {
		r.Attrs["minimum_tls_version"] = "Disabled"
	}
	r.Attrs["identity"] = identity(arm)
	emit(r)
}

func mapAKS(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := base(sub, "azurerm_kubernetes_cluster", arm)
	parse(arm, aksSpec, r.Attrs)
	channel := str(getPath(arm, "properties.autoUpgradeProfile.upgradeChannel"))
	if strings.EqualFold(channel, "none") {
		channel = ""
	}
	r.Attrs["automatic_upgrade_channel"] = channel
	// Terraform's default_node_pool is the system pool it created; the
	// other pools are azurerm_kubernetes_cluster_node_pool resources.
	pools, _ := getPath(arm, "properties.agentPoolProfiles").([]any)
	var sys map[string]any
	for _, p := range pools {
		pm, _ := p.(map[string]any)
		if sys == nil || (str(pm["mode"]) == "System" && str(sys["mode"]) != "System") {
			sys = pm
		}
	}
	r.Attrs["default_node_pool"] = []any{}
	if sys != nil {
		o := map[string]any{}
		parse(sys, aksPoolSpec, o)
		crit := false
		taints, _ := sys["nodeTaints"].([]any)
		for _, t := range taints {
			if strings.HasPrefix(str(t), "CriticalAddonsOnly=true") {
				crit = true
			}
		}
		o["only_critical_addons_enabled"] = crit
		r.Attrs["default_node_pool"] = []any{o}
	}
	r.Attrs["identity"] = identity(arm)
	emit(r)
}

// mapRoleAssignment keeps the assignments made in the subscription or
// below it: the subscription-wide list also returns the ones inherited
// from management groups, which no state of this subscription holds.
func mapRoleAssignment(sub string, arm map[string]any, emit func(resource.Resource)) {
	id := str(arm["id"])
	if !strings.HasPrefix(strings.ToLower(id), strings.ToLower("/subscriptions/"+sub+"/")) {
		return
	}
	r := resource.Resource{Provider: Name, Type: "azurerm_role_assignment", ID: id, Account: sub,
		Attrs: map[string]any{"id": id, "name": arm["name"]}}
	parse(arm, roleAssignmentSpec, r.Attrs)
	emit(r)
}
