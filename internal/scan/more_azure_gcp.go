package scan

import (
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func containerPublic(_ *Index, r *resource.Resource) *Outcome {
	v := str(r.Attrs["container_access_type"])
	if v == "" {
		return nil
	}
	e := ev(r, r, "container_access_type", v)
	if v == "private" {
		return pass("the container is private", e)
	}
	return failf([]Evidence{e}, "anonymous readers can access the container (%s)", v)
}

func webAppTLS(_ *Index, r *resource.Resource) *Outcome {
	sc := block(r.Attrs, "site_config")
	if sc == nil || str(sc["minimum_tls_version"]) == "" {
		return nil
	}
	v := str(sc["minimum_tls_version"])
	e := ev(r, r, "site_config[0].minimum_tls_version", v)
	if v >= "1.2" {
		return pass("minimum TLS version "+v, e)
	}
	return failf([]Evidence{e}, "minimum TLS version is %s, want 1.2 or later", v)
}

// metadataFlag reads a GCE metadata key that is "true"/"TRUE"/"1".
func metadataFlag(r *resource.Resource, key string) (bool, bool) {
	m := obj(r.Attrs["metadata"])
	v, ok := m[key]
	if !ok {
		return false, false
	}
	s := strings.ToLower(str(v))
	return s == "true" || s == "1", true
}

func serialPort(_ *Index, r *resource.Resource) *Outcome {
	on, ok := metadataFlag(r, "serial-port-enable")
	if !ok {
		return pass("interactive serial console access is off (default)", ev(r, r, `metadata["serial-port-enable"]`, nil))
	}
	e := ev(r, r, `metadata["serial-port-enable"]`, obj(r.Attrs["metadata"])["serial-port-enable"])
	if on {
		return fail("interactive serial console access is enabled", e)
	}
	return pass("interactive serial console access is off", e)
}

func osLogin(_ *Index, r *resource.Resource) *Outcome {
	on, ok := metadataFlag(r, "enable-oslogin")
	if !ok {
		return nil // inherits the project setting, which no lister reads
	}
	e := ev(r, r, `metadata["enable-oslogin"]`, obj(r.Attrs["metadata"])["enable-oslogin"])
	if on {
		return pass("OS Login is enabled", e)
	}
	return fail("OS Login is disabled on the instance", e)
}

func subnetFlowLogs(_ *Index, r *resource.Resource) *Outcome {
	if p := str(r.Attrs["purpose"]); p != "" && p != "PRIVATE" && p != "PRIVATE_RFC_1918" {
		return nil // proxy-only and PSC subnets carry no VM traffic
	}
	raw, known := r.Attrs["log_config"]
	if !known {
		return nil // the inventory does not say (live discovery does not read it)
	}
	lc := list(raw)
	if len(lc) == 0 {
		return fail("VPC flow logs are off for the subnet", ev(r, r, "log_config", nil))
	}
	return pass("VPC flow logs are on", ev(r, r, "log_config[0].aggregation_interval", obj(lc[0])["aggregation_interval"]))
}

func projectPublic(_ *Index, r *resource.Resource) *Outcome {
	var bad []Evidence
	if m := str(r.Attrs["member"]); publicMembers[m] {
		bad = append(bad, ev(r, r, "member", m))
	}
	for i, m := range strs(r.Attrs["members"]) {
		if publicMembers[m] {
			bad = append(bad, ev(r, r, path("members").Index(i), m))
		}
	}
	if bad != nil {
		return failf(bad, "the project grants %s to %s", str(r.Attrs["role"]), bad[0].Value)
	}
	return pass("no public member", ev(r, r, "role", str(r.Attrs["role"])))
}

func datasetPublic(_ *Index, r *resource.Resource) *Outcome {
	var bad []Evidence
	for i, a := range list(r.Attrs["access"]) {
		m := obj(a)
		if g := str(m["special_group"]); g == "allAuthenticatedUsers" || g == "allUsers" {
			bad = append(bad, ev(r, r, path("access").Index(i).Field("special_group"), g))
		}
		if publicMembers[str(m["iam_member"])] {
			bad = append(bad, ev(r, r, path("access").Index(i).Field("iam_member"), str(m["iam_member"])))
		}
	}
	if bad != nil {
		return fail("the dataset is readable by anyone", bad...)
	}
	return pass("no access entry is public", ev(r, r, "access", plural(len(list(r.Attrs["access"])), "entry")))
}

func init() {
	webApps := []string{"azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_app_service"}
	vms := []string{"google_compute_instance", "google_compute_instance_template"}
	register(
		&Check{ID: "DM-AZ-STG-004", Title: "Storage container is not publicly accessible", Severity: High, Provider: "azurerm", Types: []string{"azurerm_storage_container"},
			Rationale:   "container_access_type blob or container lets anyone on the internet read (and list) the blobs.",
			Remediation: "Set the container private and grant access with Entra ID roles or SAS tokens.",
			Terraform:   "resource \"azurerm_storage_container\" \"c\" { container_access_type = \"private\" }",
			Refs:        Refs{CIS: cis(CISAzure, "3.7"), Checkov: []string{"CKV_AZURE_34"}, Prowler: []string{"storage_blob_public_access_level_is_disabled"}},
			Weakened:    "made a storage container public", Eval: containerPublic},
		&Check{ID: "DM-AZ-APP-001", Title: "Web app accepts HTTPS only", Severity: Medium, Provider: "azurerm", Types: webApps,
			Rationale:   "Plain HTTP exposes sessions and credentials on the network.",
			Remediation: "Set https_only = true.", Terraform: "resource \"azurerm_linux_web_app\" \"app\" { https_only = true }",
			Refs:     Refs{CIS: cis(CISAzure, "9.2"), Checkov: []string{"CKV_AZURE_14"}, Prowler: []string{"app_ensure_http_is_redirected_to_https"}},
			Weakened: "allowed plain HTTP to a web app",
			Eval:     azAttrBool([]string{"https_only"}, true, "HTTPS only", "plain HTTP is accepted")},
		&Check{ID: "DM-AZ-APP-002", Title: "Web app requires TLS 1.2 or later", Severity: Medium, Provider: "azurerm", Types: webApps,
			Rationale:   "TLS 1.0 and 1.1 have known weaknesses.",
			Remediation: "Set site_config.minimum_tls_version = \"1.2\".", Terraform: "site_config { minimum_tls_version = \"1.2\" }",
			Refs:     Refs{CIS: cis(CISAzure, "9.3"), Checkov: []string{"CKV_AZURE_154"}, Prowler: []string{"app_minimum_tls_version_12"}},
			Weakened: "lowered a web app's minimum TLS version", Eval: webAppTLS},
		&Check{ID: "DM-AZ-ACR-001", Title: "Container registry admin user is disabled", Severity: Medium, Provider: "azurerm", Types: []string{"azurerm_container_registry"},
			Rationale:   "The admin user is a shared, static credential with push and pull rights.",
			Remediation: "Disable the admin user; use Entra ID identities and scoped tokens.",
			Terraform:   "resource \"azurerm_container_registry\" \"acr\" { admin_enabled = false }",
			Refs:        Refs{Checkov: []string{"CKV_AZURE_137"}},
			Weakened:    "enabled the registry admin user",
			Eval:        azAttrBool([]string{"admin_enabled"}, false, "the admin user is disabled", "the admin user is enabled")},
		&Check{ID: "DM-AZ-VM-001", Title: "Linux VM disables password authentication", Severity: Medium, Provider: "azurerm", Types: []string{"azurerm_linux_virtual_machine", "azurerm_linux_virtual_machine_scale_set"},
			Rationale:   "SSH keys resist the password guessing that internet-facing VMs see constantly.",
			Remediation: "Use SSH keys and set disable_password_authentication = true.",
			Terraform:   "resource \"azurerm_linux_virtual_machine\" \"vm\" { disable_password_authentication = true  admin_ssh_key { ... } }",
			Refs:        Refs{Checkov: []string{"CKV_AZURE_1", "CKV_AZURE_149"}},
			Weakened:    "enabled SSH password authentication",
			Eval:        azAttrBool([]string{"disable_password_authentication"}, true, "password authentication is disabled", "password authentication is enabled")},
		&Check{ID: "DM-GCP-NET-003", Title: "VPC flow logs are enabled for every subnet", Severity: Low, Provider: "google", Types: []string{"google_compute_subnetwork"},
			Rationale:   "Flow logs are the record of who talked to what; incident response starts there.",
			Remediation: "Add a log_config block to the subnet.",
			Terraform:   "log_config { aggregation_interval = \"INTERVAL_5_SEC\"  flow_sampling = 0.5  metadata = \"INCLUDE_ALL_METADATA\" }",
			Refs:        Refs{CIS: cis(CISGCP, "3.8"), Checkov: []string{"CKV_GCP_26"}, Prowler: []string{"compute_subnet_flow_logs_enabled"}},
			Weakened:    "turned off subnet flow logs", Eval: subnetFlowLogs},
		&Check{ID: "DM-GCP-VM-001", Title: "Instances do not enable serial port access", Severity: Medium, Provider: "google", Types: vms,
			Rationale:   "The interactive serial console accepts connections from any IP address, bypassing firewall rules.",
			Remediation: "Remove serial-port-enable from the instance metadata.",
			Terraform:   "metadata = { serial-port-enable = \"false\" }",
			Refs:        Refs{CIS: cis(CISGCP, "4.5"), Checkov: []string{"CKV_GCP_35"}, Prowler: []string{"compute_instance_serial_ports_in_use"}},
			Weakened:    "enabled the serial console", Eval: serialPort},
		&Check{ID: "DM-GCP-VM-002", Title: "Instances do not turn OS Login off", Severity: Medium, Provider: "google", Types: vms,
			Rationale:   "OS Login ties SSH access to IAM identities, with 2FA and central revocation; metadata SSH keys bypass all of it.",
			Remediation: "Enable OS Login at the project and do not override it per instance.",
			Terraform:   "metadata = { enable-oslogin = \"TRUE\" }",
			Notes:       "Judged only when the instance overrides the project setting in its metadata.",
			Refs:        Refs{CIS: cis(CISGCP, "4.4"), Checkov: []string{"CKV_GCP_34"}, Prowler: []string{"compute_project_os_login_enabled"}},
			Weakened:    "turned OS Login off", Eval: osLogin},
		&Check{ID: "DM-GCP-IAM-003", Title: "Project IAM does not grant roles to allUsers or allAuthenticatedUsers", Severity: Critical, Provider: "google",
			Types:       []string{"google_project_iam_member", "google_project_iam_binding"},
			Rationale:   "A project role bound to allUsers gives the whole internet that role on every resource in the project.",
			Remediation: "Remove the public member.", Terraform: "resource \"google_project_iam_member\" \"m\" { member = \"group:team@example.com\" }",
			Refs:     Refs{Prowler: []string{"iam_no_public_access"}},
			Weakened: "granted a project role to the public", Eval: projectPublic},
		&Check{ID: "DM-GCP-BQ-001", Title: "BigQuery datasets are not publicly accessible", Severity: High, Provider: "google", Types: []string{"google_bigquery_dataset"},
			Rationale:   "A dataset shared with allUsers or allAuthenticatedUsers is readable by anyone with a Google account.",
			Remediation: "Remove the public access entry; share with groups or authorized views.",
			Terraform:   "access { role = \"READER\"  group_by_email = \"analysts@example.com\" }",
			Refs:        Refs{CIS: cis(CISGCP, "7.1"), Checkov: []string{"CKV_GCP_15"}, Prowler: []string{"bigquery_dataset_public_access"}},
			Weakened:    "made a dataset public", Eval: datasetPublic},
	)
}
