package tfconfig

import "github.com/driftmgr/driftmgr/internal/resource"

// Default is a value the provider gives an attribute the configuration
// leaves unset. Only attributes a built-in check reads are listed, and
// only where the provider's documented default is fixed; where it depends
// on the account or the image (EC2 IMDSv2, EBS default encryption) the
// attribute stays unset and is not judged.
type Default struct {
	Type  string
	Attr  string
	Value any
	// Doc is where the default is documented.
	Doc string
}

// Defaults are the provider defaults ApplyDefaults fills in (hashicorp/aws
// v5, hashicorp/azurerm v4, hashicorp/google v6).
var Defaults = []Default{
	{"aws_db_instance", "publicly_accessible", false, "aws_db_instance: publicly_accessible defaults to false"},
	{"aws_db_instance", "storage_encrypted", false, "aws_db_instance: storage_encrypted defaults to false"},
	{"aws_db_instance", "auto_minor_version_upgrade", true, "aws_db_instance: auto_minor_version_upgrade defaults to true"},
	{"aws_rds_cluster", "storage_encrypted", false, "aws_rds_cluster: storage_encrypted defaults to false (true only for engine_mode serverless)"},
	{"aws_ebs_volume", "encrypted", false, "aws_ebs_volume: encrypted defaults to false (the account's EBS default encryption may still encrypt it)"},
	{"aws_efs_file_system", "encrypted", false, "aws_efs_file_system: encrypted defaults to false"},
	{"aws_cloudtrail", "is_multi_region_trail", false, "aws_cloudtrail: is_multi_region_trail defaults to false"},
	{"aws_cloudtrail", "enable_log_file_validation", false, "aws_cloudtrail: enable_log_file_validation defaults to false"},
	{"aws_cloudtrail", "enable_logging", true, "aws_cloudtrail: enable_logging defaults to true"},
	{"aws_kms_key", "enable_key_rotation", false, "aws_kms_key: enable_key_rotation defaults to false"},
	{"aws_kms_key", "is_enabled", true, "aws_kms_key: is_enabled defaults to true"},
	{"aws_kms_key", "key_usage", "ENCRYPT_DECRYPT", "aws_kms_key: key_usage defaults to ENCRYPT_DECRYPT"},
	{"aws_kms_key", "customer_master_key_spec", "SYMMETRIC_DEFAULT", "aws_kms_key: customer_master_key_spec defaults to SYMMETRIC_DEFAULT"},
	{"azurerm_storage_account", "https_traffic_only_enabled", true, "azurerm_storage_account: https_traffic_only_enabled defaults to true"},
	{"azurerm_storage_account", "min_tls_version", "TLS1_2", "azurerm_storage_account: min_tls_version defaults to TLS1_2"},
	{"azurerm_storage_account", "allow_nested_items_to_be_public", true, "azurerm_storage_account: allow_nested_items_to_be_public defaults to true"},
	{"azurerm_storage_container", "container_access_type", "private", "azurerm_storage_container: container_access_type defaults to private"},
	{"azurerm_key_vault", "purge_protection_enabled", false, "azurerm_key_vault: purge_protection_enabled defaults to false"},
	{"azurerm_mssql_server", "public_network_access_enabled", true, "azurerm_mssql_server: public_network_access_enabled defaults to true"},
	{"azurerm_mssql_server", "minimum_tls_version", "1.2", "azurerm_mssql_server: minimum_tls_version defaults to 1.2"},
	{"azurerm_container_registry", "admin_enabled", false, "azurerm_container_registry: admin_enabled defaults to false"},
	{"azurerm_linux_virtual_machine", "disable_password_authentication", true, "azurerm_linux_virtual_machine: disable_password_authentication defaults to true"},
	{"azurerm_linux_web_app", "https_only", false, "azurerm_linux_web_app: https_only defaults to false"},
	{"azurerm_windows_web_app", "https_only", false, "azurerm_windows_web_app: https_only defaults to false"},
	{"google_storage_bucket", "uniform_bucket_level_access", false, "google_storage_bucket: uniform_bucket_level_access defaults to false"},
}

var defaultsByType = func() map[string][]Default {
	m := map[string][]Default{}
	for _, d := range Defaults {
		m[d.Type] = append(m[d.Type], d)
	}
	return m
}()

// ApplyDefaults fills in the provider defaults r's configuration leaves
// unset (absent or null).
func ApplyDefaults(r *resource.Resource) {
	for _, d := range defaultsByType[r.Type] {
		if _, ok := r.Attrs[d.Attr]; !ok {
			r.Attrs[d.Attr] = d.Value
		}
	}
}
