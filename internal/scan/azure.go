package scan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

var azureInternet = map[string]bool{"*": true, "0.0.0.0": true, "0.0.0.0/0": true, "internet": true, "any": true, "::/0": true}

// azPortIn reports whether an NSG port spec ("22", "*", "20-30") covers port.
func azPortIn(spec string, port int) bool {
	spec = strings.TrimSpace(spec)
	if spec == "*" {
		return true
	}
	lo, hi, ok := strings.Cut(spec, "-")
	if !ok {
		hi = lo
	}
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	return err1 == nil && err2 == nil && a <= port && port <= b
}

// nsgRuleOpen reports whether one NSG rule lets the internet reach port,
// with the evidence paths under base.
func nsgRuleOpen(subject, r *resource.Resource, base resource.Path, m map[string]any, port int) []Evidence {
	if !strings.EqualFold(str(m["direction"]), "Inbound") || !strings.EqualFold(str(m["access"]), "Allow") {
		return nil
	}
	proto := strings.ToLower(str(m["protocol"]))
	if proto != "tcp" && proto != "*" && !(port == 3389 && proto == "udp") {
		return nil
	}
	var src resource.Path
	var srcVal string
	if s := str(m["source_address_prefix"]); azureInternet[strings.ToLower(s)] {
		src, srcVal = base.Field("source_address_prefix"), s
	}
	for i, s := range strs(m["source_address_prefixes"]) {
		if src == "" && azureInternet[strings.ToLower(s)] {
			src, srcVal = base.Field("source_address_prefixes").Index(i), s
		}
	}
	if src == "" {
		return nil
	}
	var portPath resource.Path
	var portVal string
	if s := str(m["destination_port_range"]); s != "" && azPortIn(s, port) {
		portPath, portVal = base.Field("destination_port_range"), s
	}
	for i, s := range strs(m["destination_port_ranges"]) {
		if portPath == "" && azPortIn(s, port) {
			portPath, portVal = base.Field("destination_port_ranges").Index(i), s
		}
	}
	if portPath == "" {
		return nil
	}
	return []Evidence{ev(subject, r, src, srcVal), ev(subject, r, portPath, portVal)}
}

func nsgOpen(port int) func(*Index, *resource.Resource) *Outcome {
	return func(ix *Index, r *resource.Resource) *Outcome {
		var bad []Evidence
		n := 0
		switch r.Type {
		case "azurerm_network_security_rule":
			if len(ix.By("azurerm_network_security_group", "name", str(r.Attrs["network_security_group_name"]))) > 0 {
				return nil // judged with its group
			}
			n = 1
			bad = nsgRuleOpen(r, r, "", r.Attrs, port)
		default:
			// A rule managed as its own resource is judged (and named in
			// evidence) as that resource, so drift on it links here.
			byName := map[string]*resource.Resource{}
			for _, rr := range ix.By("azurerm_network_security_rule", "network_security_group_name", str(r.Attrs["name"])) {
				if str(rr.Attrs["resource_group_name"]) == str(r.Attrs["resource_group_name"]) {
					byName[str(rr.Attrs["name"])] = rr
				}
			}
			for i, e := range list(r.Attrs["security_rule"]) {
				n++
				m := obj(e)
				if rr := byName[str(m["name"])]; rr != nil {
					delete(byName, str(m["name"]))
					bad = append(bad, nsgRuleOpen(r, rr, "", rr.Attrs, port)...)
					continue
				}
				bad = append(bad, nsgRuleOpen(r, r, path("security_rule").Index(i), m, port)...)
			}
			for _, name := range resource.SortedKeys(byName) {
				n++
				rr := byName[name]
				bad = append(bad, nsgRuleOpen(r, rr, "", rr.Attrs, port)...)
			}
		}
		if len(bad) > 0 {
			return failf(bad, "an inbound rule allows port %d from the internet", port)
		}
		return pass(fmt.Sprintf("no inbound rule allows port %d from the internet (%s checked)", port, plural(n, "rule")), ev(r, r, "security_rule", plural(n, "rule")))
	}
}

func azTLS(attr, want string) func(*Index, *resource.Resource) *Outcome {
	return func(_ *Index, r *resource.Resource) *Outcome {
		v := str(r.Attrs[attr])
		if v == "" {
			return nil
		}
		e := ev(r, r, path(attr), v)
		norm := strings.NewReplacer("TLS", "", "_", ".").Replace(strings.ToUpper(v))
		if norm >= want {
			return pass("minimum TLS version "+v, e)
		}
		return failf([]Evidence{e}, "minimum TLS version is %s, want %s or later", v, want)
	}
}

func azAttrBool(attrs []string, want bool, passMsg, failMsg string) func(*Index, *resource.Resource) *Outcome {
	return func(_ *Index, r *resource.Resource) *Outcome {
		for _, a := range attrs {
			if v, ok := boolean(r.Attrs[a]); ok {
				e := ev(r, r, path(a), v)
				if v == want {
					return pass(passMsg, e)
				}
				return fail(failMsg, e)
			}
		}
		return nil
	}
}

func sqlFirewallAll(_ *Index, r *resource.Resource) *Outcome {
	s, e := str(r.Attrs["start_ip_address"]), str(r.Attrs["end_ip_address"])
	evs := []Evidence{ev(r, r, "start_ip_address", s), ev(r, r, "end_ip_address", e)}
	if s == "0.0.0.0" && e == "255.255.255.255" {
		return fail("the firewall rule admits every IPv4 address", evs...)
	}
	return pass("the firewall rule admits a bounded range", evs...)
}

func diskEncryption(_ *Index, r *resource.Resource) *Outcome {
	_, des := r.Attrs["disk_encryption_set_id"]
	_, ade := r.Attrs["encryption_settings"]
	if !des && !ade {
		return nil // the inventory does not carry encryption settings
	}
	if id := str(r.Attrs["disk_encryption_set_id"]); id != "" {
		return pass("encrypted with a customer-managed key (disk encryption set)", ev(r, r, "disk_encryption_set_id", id))
	}
	if es := block(r.Attrs, "encryption_settings"); es != nil && (es["enabled"] == nil || isTrue(es["enabled"])) {
		return pass("Azure Disk Encryption is configured", ev(r, r, "encryption_settings", "configured"))
	}
	if str(r.Attrs["secure_vm_disk_encryption_set_id"]) != "" {
		return pass("confidential VM encryption set", ev(r, r, "secure_vm_disk_encryption_set_id", "set"))
	}
	return fail("the disk is encrypted with platform-managed keys only (no disk encryption set or ADE)",
		ev(r, r, "disk_encryption_set_id", r.Attrs["disk_encryption_set_id"]), ev(r, r, "encryption_settings", nil))
}

func init() {
	nsg := []string{"azurerm_network_security_group", "azurerm_network_security_rule"}
	sa := []string{"azurerm_storage_account"}
	register(
		&Check{ID: "DM-AZ-NET-001", Title: "NSG does not allow SSH (22) from the internet", Severity: High, Provider: "azurerm", Types: nsg,
			Rationale:   "SSH open to the internet invites brute force.",
			Remediation: "Restrict source_address_prefix to known ranges, or use Azure Bastion / JIT access.",
			Terraform:   "security_rule { name = \"ssh\"  destination_port_range = \"22\"  source_address_prefix = \"10.0.0.0/8\" }  # not \"*\" / \"Internet\"",
			Refs:        Refs{CIS: cis(CISAzure, "6.2"), Checkov: []string{"CKV_AZURE_10"}, Prowler: []string{"network_ssh_internet_access_restricted"}},
			Weakened:    "opened port 22 to the internet", Eval: nsgOpen(22)},
		&Check{ID: "DM-AZ-NET-002", Title: "NSG does not allow RDP (3389) from the internet", Severity: High, Provider: "azurerm", Types: nsg,
			Rationale:   "RDP open to the internet is a leading ransomware entry point.",
			Remediation: "Restrict source_address_prefix to known ranges, or use Azure Bastion / JIT access.",
			Terraform:   "security_rule { name = \"rdp\"  destination_port_range = \"3389\"  source_address_prefix = \"10.0.0.0/8\" }",
			Refs:        Refs{CIS: cis(CISAzure, "6.1"), Checkov: []string{"CKV_AZURE_9"}, Prowler: []string{"network_rdp_internet_access_restricted"}},
			Weakened:    "opened port 3389 to the internet", Eval: nsgOpen(3389)},
		&Check{ID: "DM-AZ-STG-001", Title: "Storage account requires secure transfer (HTTPS only)", Severity: Medium, Provider: "azurerm", Types: sa,
			Rationale:   "Without it, data and shared keys can cross the network in clear text.",
			Remediation: "Enable HTTPS-only traffic.", Terraform: "resource \"azurerm_storage_account\" \"s\" { https_traffic_only_enabled = true }",
			Refs:     Refs{CIS: cis(CISAzure, "3.1"), Checkov: []string{"CKV_AZURE_3"}, Prowler: []string{"storage_secure_transfer_required_is_enabled"}},
			Weakened: "allowed plain-HTTP access to a storage account",
			Eval:     azAttrBool([]string{"https_traffic_only_enabled", "enable_https_traffic_only"}, true, "secure transfer is required", "secure transfer is not required")},
		&Check{ID: "DM-AZ-STG-002", Title: "Storage account requires TLS 1.2 or later", Severity: Medium, Provider: "azurerm", Types: sa,
			Rationale:   "TLS 1.0 and 1.1 have known weaknesses and are deprecated.",
			Remediation: "Set the minimum TLS version to TLS1_2.", Terraform: "resource \"azurerm_storage_account\" \"s\" { min_tls_version = \"TLS1_2\" }",
			Refs:     Refs{CIS: cis(CISAzure, "3.15"), Checkov: []string{"CKV_AZURE_44"}, Prowler: []string{"storage_ensure_minimum_tls_version_12"}},
			Weakened: "lowered a storage account's minimum TLS version", Eval: azTLS("min_tls_version", "1.2")},
		&Check{ID: "DM-AZ-STG-003", Title: "Storage account disallows public blob access", Severity: High, Provider: "azurerm", Types: sa,
			Rationale:   "When nested items may be public, one container setting publishes its blobs anonymously.",
			Remediation: "Disallow public access on the account.", Terraform: "resource \"azurerm_storage_account\" \"s\" { allow_nested_items_to_be_public = false }",
			Refs:     Refs{CIS: cis(CISAzure, "3.7"), Checkov: []string{"CKV_AZURE_190", "CKV_AZURE_59"}, Prowler: []string{"storage_blob_public_access_level_is_disabled"}},
			Weakened: "allowed public blob access",
			Eval:     azAttrBool([]string{"allow_nested_items_to_be_public", "allow_blob_public_access"}, false, "public blob access is disallowed", "public blob access is allowed")},
		&Check{ID: "DM-AZ-KV-001", Title: "Key vault has purge protection (and soft delete)", Severity: Medium, Provider: "azurerm", Types: []string{"azurerm_key_vault"},
			Rationale:   "Without purge protection a deleted vault (and every key in it) can be destroyed for good before anyone notices.",
			Remediation: "Enable purge protection; keep soft delete retention at 7-90 days.",
			Terraform:   "resource \"azurerm_key_vault\" \"kv\" { purge_protection_enabled = true  soft_delete_retention_days = 90 }",
			Refs:        Refs{CIS: cis(CISAzure, "8.5"), Checkov: []string{"CKV_AZURE_42", "CKV_AZURE_110"}, Prowler: []string{"keyvault_recoverable"}},
			Weakened:    "turned off key vault purge protection",
			Eval:        azAttrBool([]string{"purge_protection_enabled"}, true, "purge protection is on", "purge protection is off")},
		&Check{ID: "DM-AZ-SQL-001", Title: "SQL server disables public network access", Severity: Medium, Provider: "azurerm", Types: []string{"azurerm_mssql_server", "azurerm_sql_server"},
			Rationale:   "Private endpoints keep the server off the internet entirely.",
			Remediation: "Disable public network access and connect through a private endpoint.",
			Terraform:   "resource \"azurerm_mssql_server\" \"s\" { public_network_access_enabled = false }",
			Refs:        Refs{Checkov: []string{"CKV_AZURE_113"}, Prowler: []string{"sqlserver_public_network_access_disabled"}},
			Weakened:    "enabled public network access on a SQL server",
			Eval:        azAttrBool([]string{"public_network_access_enabled"}, false, "public network access is disabled", "public network access is enabled")},
		&Check{ID: "DM-AZ-SQL-002", Title: "SQL server firewall does not admit every address", Severity: High, Provider: "azurerm", Types: []string{"azurerm_mssql_firewall_rule", "azurerm_sql_firewall_rule"},
			Rationale:   "A 0.0.0.0-255.255.255.255 rule exposes the server to the whole internet.",
			Remediation: "Replace the rule with the client ranges that need access.",
			Terraform:   "resource \"azurerm_mssql_firewall_rule\" \"office\" { start_ip_address = \"203.0.113.0\"  end_ip_address = \"203.0.113.255\" }",
			Refs:        Refs{CIS: cis(CISAzure, "4.1.2"), Checkov: []string{"CKV_AZURE_11"}, Prowler: []string{"sqlserver_unrestricted_inbound_access"}},
			Weakened:    "opened a SQL server firewall to every address", Eval: sqlFirewallAll},
		&Check{ID: "DM-AZ-SQL-003", Title: "SQL server requires TLS 1.2 or later", Severity: Medium, Provider: "azurerm", Types: []string{"azurerm_mssql_server"},
			Rationale:   "TLS 1.0 and 1.1 have known weaknesses.",
			Remediation: "Set minimum_tls_version = \"1.2\".", Terraform: "resource \"azurerm_mssql_server\" \"s\" { minimum_tls_version = \"1.2\" }",
			Refs:     Refs{Checkov: []string{"CKV_AZURE_52"}},
			Weakened: "lowered a SQL server's minimum TLS version", Eval: azTLS("minimum_tls_version", "1.2")},
		&Check{ID: "DM-AZ-DISK-001", Title: "Managed disks are encrypted with a customer-managed key", Severity: Low, Provider: "azurerm", Types: []string{"azurerm_managed_disk"},
			Rationale:   "Platform keys encrypt every disk; a customer-managed key adds control over, and revocation of, access to the data.",
			Remediation: "Attach a disk encryption set backed by a Key Vault key.",
			Terraform:   "resource \"azurerm_managed_disk\" \"d\" { disk_encryption_set_id = azurerm_disk_encryption_set.des.id }",
			Refs:        Refs{CIS: cis(CISAzure, "7.3"), Checkov: []string{"CKV_AZURE_2", "CKV_AZURE_93"}, Prowler: []string{"vm_ensure_attached_disks_encrypted_with_cmk"}},
			Weakened:    "removed a disk's customer-managed key", Eval: diskEncryption},
	)
}
