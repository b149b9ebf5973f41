package typemap

import "strings"

// GoogleType maps one Cloud Asset Inventory type onto the Terraform google
// provider. An asset's name is "//" + Host + "/" + a path of the Name
// form; the Terraform id has the ID form, filled from the same
// placeholders ({project} from the scope when the name lacks it).
type GoogleType struct {
	// Asset is the asset type, e.g. "compute.googleapis.com/Instance".
	Asset string
	// Terraform is the resource type, e.g. "google_compute_instance".
	Terraform string
	// Host of the asset name; empty means the asset type's service.
	Host string
	// Name is the form of the asset name's path.
	Name Pattern
	// ID is the form of the Terraform id; empty means the Name form.
	ID Pattern
}

// NameHost is the host part of the type's asset names.
func (t GoogleType) NameHost() string {
	if t.Host != "" {
		return t.Host
	}
	h, _, _ := strings.Cut(t.Asset, "/")
	return h
}

func (t GoogleType) idForm() Pattern {
	if t.ID != "" {
		return t.ID
	}
	return t.Name
}

// TerraformID turns an asset name into the Terraform id; ok is false when
// the name does not have the type's form.
func (t GoogleType) TerraformID(assetName, project string) (string, bool) {
	path, ok := strings.CutPrefix(assetName, "//"+t.NameHost()+"/")
	if !ok {
		return "", false
	}
	vars, ok := t.Name.Match(path)
	if !ok {
		return "", false
	}
	return t.idForm().Fill(lookups(fromStrings(vars), projectVar(project)))
}

// AssetName turns a Terraform id into the asset name, and the
// placeholders' values (zone, region, location ...) for the caller.
func (t GoogleType) AssetName(id, project string) (string, map[string]string, bool) {
	vars, ok := t.idForm().Match(id)
	if !ok {
		return "", nil, false
	}
	path, ok := t.Name.Fill(lookups(fromStrings(vars), projectVar(project)))
	if !ok {
		return "", nil, false
	}
	return "//" + t.NameHost() + "/" + path, vars, true
}

func projectVar(project string) func(string) (string, bool) {
	return func(k string) (string, bool) { return project, k == "project" && project != "" }
}

const (
	zonal    Pattern = "projects/{project}/zones/{zone}/"
	regional Pattern = "projects/{project}/regions/{region}/"
	global   Pattern = "projects/{project}/global/"
	located  Pattern = "projects/{project}/locations/{location}/"
)

func compute(kind, tf string, scope Pattern, coll string) GoogleType {
	return GoogleType{Asset: "compute.googleapis.com/" + kind, Terraform: tf, Name: scope + Pattern(coll) + "/{name}"}
}

// GoogleTypes is the Cloud Asset Inventory table.
var GoogleTypes = []GoogleType{
	// Compute Engine
	compute("Instance", "google_compute_instance", zonal, "instances"),
	compute("Disk", "google_compute_disk", zonal, "disks"),
	compute("RegionDisk", "google_compute_region_disk", regional, "disks"),
	compute("Network", "google_compute_network", global, "networks"),
	compute("Subnetwork", "google_compute_subnetwork", regional, "subnetworks"),
	compute("Firewall", "google_compute_firewall", global, "firewalls"),
	compute("Address", "google_compute_address", regional, "addresses"),
	compute("GlobalAddress", "google_compute_global_address", global, "addresses"),
	compute("Router", "google_compute_router", regional, "routers"),
	compute("Route", "google_compute_route", global, "routes"),
	compute("Snapshot", "google_compute_snapshot", global, "snapshots"),
	compute("Image", "google_compute_image", global, "images"),
	compute("InstanceTemplate", "google_compute_instance_template", global, "instanceTemplates"),
	compute("InstanceGroup", "google_compute_instance_group", zonal, "instanceGroups"),
	compute("InstanceGroupManager", "google_compute_instance_group_manager", zonal, "instanceGroupManagers"),
	compute("RegionInstanceGroupManager", "google_compute_region_instance_group_manager", regional, "instanceGroupManagers"),
	compute("Autoscaler", "google_compute_autoscaler", zonal, "autoscalers"),
	compute("BackendService", "google_compute_backend_service", global, "backendServices"),
	compute("RegionBackendService", "google_compute_region_backend_service", regional, "backendServices"),
	compute("BackendBucket", "google_compute_backend_bucket", global, "backendBuckets"),
	compute("HealthCheck", "google_compute_health_check", global, "healthChecks"),
	compute("HttpHealthCheck", "google_compute_http_health_check", global, "httpHealthChecks"),
	compute("UrlMap", "google_compute_url_map", global, "urlMaps"),
	compute("TargetHttpProxy", "google_compute_target_http_proxy", global, "targetHttpProxies"),
	compute("TargetHttpsProxy", "google_compute_target_https_proxy", global, "targetHttpsProxies"),
	compute("TargetSslProxy", "google_compute_target_ssl_proxy", global, "targetSslProxies"),
	compute("TargetTcpProxy", "google_compute_target_tcp_proxy", global, "targetTcpProxies"),
	compute("TargetPool", "google_compute_target_pool", regional, "targetPools"),
	compute("TargetInstance", "google_compute_target_instance", zonal, "targetInstances"),
	compute("ForwardingRule", "google_compute_forwarding_rule", regional, "forwardingRules"),
	compute("GlobalForwardingRule", "google_compute_global_forwarding_rule", global, "forwardingRules"),
	compute("SslCertificate", "google_compute_ssl_certificate", global, "sslCertificates"),
	compute("SslPolicy", "google_compute_ssl_policy", global, "sslPolicies"),
	compute("SecurityPolicy", "google_compute_security_policy", global, "securityPolicies"),
	compute("VpnGateway", "google_compute_ha_vpn_gateway", regional, "vpnGateways"),
	compute("TargetVpnGateway", "google_compute_vpn_gateway", regional, "targetVpnGateways"),
	compute("VpnTunnel", "google_compute_vpn_tunnel", regional, "vpnTunnels"),
	compute("ExternalVpnGateway", "google_compute_external_vpn_gateway", global, "externalVpnGateways"),
	compute("NetworkEndpointGroup", "google_compute_network_endpoint_group", zonal, "networkEndpointGroups"),
	compute("ResourcePolicy", "google_compute_resource_policy", regional, "resourcePolicies"),
	compute("NodeTemplate", "google_compute_node_template", regional, "nodeTemplates"),
	compute("NodeGroup", "google_compute_node_group", zonal, "nodeGroups"),
	compute("ServiceAttachment", "google_compute_service_attachment", regional, "serviceAttachments"),
	compute("PacketMirroring", "google_compute_packet_mirroring", regional, "packetMirrorings"),
	compute("Reservation", "google_compute_reservation", zonal, "reservations"),
	// Storage and databases
	{Asset: "storage.googleapis.com/Bucket", Terraform: "google_storage_bucket", Name: "{name}"},
	{Asset: "sqladmin.googleapis.com/Instance", Terraform: "google_sql_database_instance", Host: "cloudsql.googleapis.com",
		Name: "projects/{project}/instances/{name}", ID: "{name}"},
	{Asset: "bigquery.googleapis.com/Dataset", Terraform: "google_bigquery_dataset", Name: "projects/{project}/datasets/{name}"},
	{Asset: "bigquery.googleapis.com/Table", Terraform: "google_bigquery_table",
		Name: "projects/{project}/datasets/{dataset}/tables/{name}"},
	{Asset: "spanner.googleapis.com/Instance", Terraform: "google_spanner_instance",
		Name: "projects/{project}/instances/{name}", ID: "{project}/{name}"},
	{Asset: "bigtableadmin.googleapis.com/Instance", Terraform: "google_bigtable_instance",
		Name: "projects/{project}/instances/{name}"},
	{Asset: "redis.googleapis.com/Instance", Terraform: "google_redis_instance", Name: located + "instances/{name}"},
	{Asset: "file.googleapis.com/Instance", Terraform: "google_filestore_instance", Name: located + "instances/{name}"},
	{Asset: "firestore.googleapis.com/Database", Terraform: "google_firestore_database", Name: "projects/{project}/databases/{name}"},
	// IAM and security
	{Asset: "iam.googleapis.com/ServiceAccount", Terraform: "google_service_account",
		Name: "projects/{project}/serviceAccounts/{name}"},
	{Asset: "iam.googleapis.com/Role", Terraform: "google_project_iam_custom_role", Name: "projects/{project}/roles/{name}"},
	{Asset: "cloudkms.googleapis.com/KeyRing", Terraform: "google_kms_key_ring", Name: located + "keyRings/{name}"},
	{Asset: "cloudkms.googleapis.com/CryptoKey", Terraform: "google_kms_crypto_key",
		Name: located + "keyRings/{ring}/cryptoKeys/{name}"},
	{Asset: "secretmanager.googleapis.com/Secret", Terraform: "google_secret_manager_secret", Name: "projects/{project}/secrets/{name}"},
	// Containers and serverless
	{Asset: "container.googleapis.com/Cluster", Terraform: "google_container_cluster", Name: located + "clusters/{name}"},
	{Asset: "container.googleapis.com/NodePool", Terraform: "google_container_node_pool",
		Name: located + "clusters/{cluster}/nodePools/{name}"},
	{Asset: "artifactregistry.googleapis.com/Repository", Terraform: "google_artifact_registry_repository",
		Name: located + "repositories/{name}"},
	{Asset: "run.googleapis.com/Service", Terraform: "google_cloud_run_v2_service", Name: located + "services/{name}"},
	{Asset: "run.googleapis.com/Job", Terraform: "google_cloud_run_v2_job", Name: located + "jobs/{name}"},
	{Asset: "cloudfunctions.googleapis.com/CloudFunction", Terraform: "google_cloudfunctions_function",
		Name: located + "functions/{name}"},
	{Asset: "cloudfunctions.googleapis.com/Function", Terraform: "google_cloudfunctions2_function",
		Name: located + "functions/{name}"},
	{Asset: "appengine.googleapis.com/Application", Terraform: "google_app_engine_application", Name: "apps/{name}", ID: "{name}"},
	{Asset: "composer.googleapis.com/Environment", Terraform: "google_composer_environment", Name: located + "environments/{name}"},
	{Asset: "dataproc.googleapis.com/Cluster", Terraform: "google_dataproc_cluster",
		Name: "projects/{project}/regions/{region}/clusters/{name}"},
	{Asset: "workflows.googleapis.com/Workflow", Terraform: "google_workflows_workflow", Name: located + "workflows/{name}"},
	{Asset: "cloudscheduler.googleapis.com/Job", Terraform: "google_cloud_scheduler_job", Name: located + "jobs/{name}"},
	{Asset: "cloudtasks.googleapis.com/Queue", Terraform: "google_cloud_tasks_queue", Name: located + "queues/{name}"},
	// Messaging, DNS, networking services
	{Asset: "pubsub.googleapis.com/Topic", Terraform: "google_pubsub_topic", Name: "projects/{project}/topics/{name}"},
	{Asset: "pubsub.googleapis.com/Subscription", Terraform: "google_pubsub_subscription", Name: "projects/{project}/subscriptions/{name}"},
	{Asset: "pubsub.googleapis.com/Schema", Terraform: "google_pubsub_schema", Name: "projects/{project}/schemas/{name}"},
	{Asset: "dns.googleapis.com/ManagedZone", Terraform: "google_dns_managed_zone", Name: "projects/{project}/managedZones/{name}"},
	{Asset: "dns.googleapis.com/Policy", Terraform: "google_dns_policy", Name: "projects/{project}/policies/{name}"},
	{Asset: "vpcaccess.googleapis.com/Connector", Terraform: "google_vpc_access_connector", Name: located + "connectors/{name}"},
	{Asset: "servicedirectory.googleapis.com/Namespace", Terraform: "google_service_directory_namespace",
		Name: located + "namespaces/{name}"},
	// Monitoring and logging
	{Asset: "logging.googleapis.com/LogSink", Terraform: "google_logging_project_sink", Name: "projects/{project}/sinks/{name}"},
	{Asset: "logging.googleapis.com/LogBucket", Terraform: "google_logging_project_bucket_config",
		Name: located + "buckets/{name}"},
	{Asset: "monitoring.googleapis.com/AlertPolicy", Terraform: "google_monitoring_alert_policy",
		Name: "projects/{project}/alertPolicies/{name}"},
	{Asset: "monitoring.googleapis.com/NotificationChannel", Terraform: "google_monitoring_notification_channel",
		Name: "projects/{project}/notificationChannels/{name}"},
	// Data and analytics
	{Asset: "gkehub.googleapis.com/Membership", Terraform: "google_gke_hub_membership", Name: located + "memberships/{name}"},
	{Asset: "datafusion.googleapis.com/Instance", Terraform: "google_data_fusion_instance", Name: located + "instances/{name}"},
	{Asset: "notebooks.googleapis.com/Instance", Terraform: "google_notebooks_instance", Name: located + "instances/{name}"},
	{Asset: "aiplatform.googleapis.com/Endpoint", Terraform: "google_vertex_ai_endpoint", Name: located + "endpoints/{name}"},
}

var (
	googleByAsset = map[string]GoogleType{}
	googleByTF    = map[string]GoogleType{}
)

func init() {
	for _, t := range GoogleTypes {
		googleByAsset[t.Asset] = t
		googleByTF[t.Terraform] = t
	}
}

// GoogleByAsset finds a type by its asset type.
func GoogleByAsset(assetType string) (GoogleType, bool) {
	t, ok := googleByAsset[assetType]
	return t, ok
}

// GoogleByTerraform finds a type by its Terraform name.
func GoogleByTerraform(name string) (GoogleType, bool) {
	t, ok := googleByTF[name]
	return t, ok
}
