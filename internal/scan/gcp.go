package scan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func gcpPortIn(ports []string, port int) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if azPortIn(p, port) {
			return true
		}
	}
	return false
}

func firewallOpen(port int) func(*Index, *resource.Resource) *Outcome {
	return func(_ *Index, r *resource.Resource) *Outcome {
		if d := str(r.Attrs["direction"]); d != "" && !strings.EqualFold(d, "INGRESS") {
			return nil
		}
		if isTrue(r.Attrs["disabled"]) {
			return pass("the firewall rule is disabled", ev(r, r, "disabled", true))
		}
		var world []Evidence
		for i, s := range strs(r.Attrs["source_ranges"]) {
			if isWorld(s) {
				world = append(world, ev(r, r, path("source_ranges").Index(i), s))
			}
		}
		var open []Evidence
		for i, a := range list(r.Attrs["allow"]) {
			m := obj(a)
			proto := strings.ToLower(str(m["protocol"]))
			if proto != "all" && proto != "tcp" && proto != "6" && !(port == 3389 && proto == "udp") {
				continue
			}
			if gcpPortIn(strs(m["ports"]), port) {
				open = append(open, ev(r, r, path("allow").Index(i).Field("ports"), strings.Join(strs(m["ports"]), ",")))
			}
		}
		if len(world) > 0 && len(open) > 0 {
			return failf(append(world, open...), "the rule allows port %d from %s", port, world[0].Value)
		}
		return pass(fmt.Sprintf("the rule does not open port %d to 0.0.0.0/0", port),
			ev(r, r, "source_ranges", strings.Join(strs(r.Attrs["source_ranges"]), ",")))
	}
}

var publicMembers = map[string]bool{"allUsers": true, "allAuthenticatedUsers": true}

func bucketIAMPublic(ix *Index, r *resource.Resource) *Outcome {
	var bad []Evidence
	if m := str(r.Attrs["member"]); publicMembers[m] {
		bad = append(bad, ev(r, r, "member", m))
	}
	for i, m := range strs(r.Attrs["members"]) {
		if publicMembers[m] {
			bad = append(bad, ev(r, r, path("members").Index(i), m))
		}
	}
	if bad == nil {
		return pass("no public member", ev(r, r, "role", str(r.Attrs["role"])))
	}
	bucket := strings.TrimPrefix(str(r.Attrs["bucket"]), "b/")
	for _, b := range ix.By("google_storage_bucket", "name", bucket) {
		if str(b.Attrs["public_access_prevention"]) == "enforced" {
			return pass("the binding names a public member but the bucket enforces public access prevention",
				append(bad, ev(r, b, "public_access_prevention", "enforced"))...)
		}
	}
	return failf(bad, "the bucket grants %s to %s", str(r.Attrs["role"]), bad[0].Value)
}

func sqlAuthorizedWorld(_ *Index, r *resource.Resource) *Outcome {
	ip := block(block(r.Attrs, "settings"), "ip_configuration")
	if ip == nil {
		return nil
	}
	base := path("settings[0].ip_configuration[0]")
	for i, n := range list(ip["authorized_networks"]) {
		if v := str(obj(n)["value"]); isWorld(v) {
			return fail("authorized networks admit 0.0.0.0/0", ev(r, r, base.Field("authorized_networks").Index(i).Field("value"), v))
		}
	}
	return pass("no authorized network admits the whole internet", ev(r, r, base.Field("authorized_networks"), fmt.Sprintf("%d networks", len(list(ip["authorized_networks"])))))
}

func sqlPublicIP(_ *Index, r *resource.Resource) *Outcome {
	ip := block(block(r.Attrs, "settings"), "ip_configuration")
	if ip == nil {
		return nil
	}
	e := ev(r, r, "settings[0].ip_configuration[0].ipv4_enabled", ip["ipv4_enabled"])
	if isTrue(ip["ipv4_enabled"]) {
		return fail("the instance has a public IPv4 address", e)
	}
	return pass("the instance has no public IPv4 address", e)
}

func sqlSSL(_ *Index, r *resource.Resource) *Outcome {
	ip := block(block(r.Attrs, "settings"), "ip_configuration")
	if ip == nil {
		return nil
	}
	base := path("settings[0].ip_configuration[0]")
	mode := str(ip["ssl_mode"])
	if mode == "ENCRYPTED_ONLY" || mode == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" {
		return pass("connections must use SSL ("+mode+")", ev(r, r, base.Field("ssl_mode"), mode))
	}
	if isTrue(ip["require_ssl"]) {
		return pass("connections must use SSL", ev(r, r, base.Field("require_ssl"), true))
	}
	return fail("unencrypted connections are accepted", ev(r, r, base.Field("ssl_mode"), ip["ssl_mode"]), ev(r, r, base.Field("require_ssl"), ip["require_ssl"]))
}

func defaultSA(fullScope bool) func(*Index, *resource.Resource) *Outcome {
	return func(_ *Index, r *resource.Resource) *Outcome {
		sa := block(r.Attrs, "service_account")
		if sa == nil {
			return nil
		}
		email := str(sa["email"])
		e := ev(r, r, "service_account[0].email", email)
		isDefault := strings.HasSuffix(email, "-compute@developer.gserviceaccount.com") || email == "default"
		if !fullScope {
			if isDefault {
				return fail("the instance runs as the Compute Engine default service account", e)
			}
			return pass("the instance runs as a dedicated service account", e)
		}
		if !isDefault {
			return nil
		}
		for i, s := range strs(sa["scopes"]) {
			if strings.HasSuffix(s, "/cloud-platform") || s == "cloud-platform" {
				return fail("the default service account has full access to all Cloud APIs", e, ev(r, r, path("service_account[0].scopes").Index(i), s))
			}
		}
		return pass("the default service account has limited scopes", e)
	}
}

func kmsRotationPeriod(_ *Index, r *resource.Resource) *Outcome {
	if p := str(r.Attrs["purpose"]); p != "" && p != "ENCRYPT_DECRYPT" {
		return nil
	}
	raw, known := r.Attrs["rotation_period"]
	if !known {
		return nil
	}
	v := str(raw)
	e := ev(r, r, "rotation_period", r.Attrs["rotation_period"])
	if v == "" {
		return fail("the key never rotates", e)
	}
	secs, err := strconv.ParseFloat(strings.TrimSuffix(v, "s"), 64)
	if err != nil {
		return nil
	}
	if days := secs / 86400; days > 90 {
		return failf([]Evidence{e}, "the key rotates every %.0f days, want 90 or fewer", days)
	}
	return pass("the key rotates every "+strconv.FormatFloat(secs/86400, 'f', 0, 64)+" days", e)
}

func init() {
	fw := []string{"google_compute_firewall"}
	sql := []string{"google_sql_database_instance"}
	inst := []string{"google_compute_instance", "google_compute_instance_template"}
	register(
		&Check{ID: "DM-GCP-NET-001", Title: "Firewall rule does not allow SSH (22) from 0.0.0.0/0", Severity: High, Provider: "google", Types: fw,
			Rationale:   "SSH open to the internet invites brute force; IAP TCP forwarding (35.235.240.0/20) needs no public exposure.",
			Remediation: "Restrict source_ranges, e.g. to IAP's 35.235.240.0/20.",
			Terraform:   "resource \"google_compute_firewall\" \"ssh\" { source_ranges = [\"35.235.240.0/20\"] }",
			Refs:        Refs{CIS: cis(CISGCP, "3.6"), Checkov: []string{"CKV_GCP_2"}, Prowler: []string{"compute_firewall_ssh_access_from_the_internet_allowed"}},
			Weakened:    "opened port 22 to the world", Eval: firewallOpen(22)},
		&Check{ID: "DM-GCP-NET-002", Title: "Firewall rule does not allow RDP (3389) from 0.0.0.0/0", Severity: High, Provider: "google", Types: fw,
			Rationale:   "RDP open to the internet is a leading ransomware entry point.",
			Remediation: "Restrict source_ranges to known ranges or IAP.",
			Terraform:   "resource \"google_compute_firewall\" \"rdp\" { source_ranges = [\"35.235.240.0/20\"] }",
			Refs:        Refs{CIS: cis(CISGCP, "3.7"), Checkov: []string{"CKV_GCP_3"}, Prowler: []string{"compute_firewall_rdp_access_from_the_internet_allowed"}},
			Weakened:    "opened port 3389 to the world", Eval: firewallOpen(3389)},
		&Check{ID: "DM-GCP-GCS-001", Title: "Cloud Storage bucket uses uniform bucket-level access", Severity: Medium, Provider: "google", Types: []string{"google_storage_bucket"},
			Rationale:   "Uniform access turns off object ACLs, so IAM alone decides who reads what.",
			Remediation: "Enable uniform bucket-level access.", Terraform: "resource \"google_storage_bucket\" \"b\" { uniform_bucket_level_access = true }",
			Refs:     Refs{CIS: cis(CISGCP, "5.2"), Checkov: []string{"CKV_GCP_29"}, Prowler: []string{"cloudstorage_bucket_uniform_bucket_level_access"}},
			Weakened: "turned off uniform bucket-level access",
			Eval:     boolAttr("uniform_bucket_level_access", true, nil, "uniform bucket-level access is on", "uniform bucket-level access is off")},
		&Check{ID: "DM-GCP-GCS-002", Title: "Cloud Storage bucket is not public (allUsers / allAuthenticatedUsers)", Severity: Critical, Provider: "google",
			Types:       []string{"google_storage_bucket_iam_member", "google_storage_bucket_iam_binding"},
			Rationale:   "A binding to allUsers publishes the bucket to the internet.",
			Remediation: "Remove the public member; enforce public access prevention on the bucket.",
			Terraform:   "resource \"google_storage_bucket\" \"b\" { public_access_prevention = \"enforced\" }",
			Refs:        Refs{CIS: cis(CISGCP, "5.1"), Checkov: []string{"CKV_GCP_28"}, Prowler: []string{"cloudstorage_bucket_public_access"}},
			Weakened:    "made a bucket public", Eval: bucketIAMPublic},
		&Check{ID: "DM-GCP-SQL-001", Title: "Cloud SQL instance has no public IP", Severity: Medium, Provider: "google", Types: sql,
			Rationale:   "A private IP keeps the database reachable only from the VPC.",
			Remediation: "Disable ipv4_enabled and use private IP / the Cloud SQL Auth Proxy.",
			Terraform:   "settings { ip_configuration { ipv4_enabled = false  private_network = google_compute_network.main.id } }",
			Refs:        Refs{CIS: cis(CISGCP, "6.6"), Checkov: []string{"CKV_GCP_60"}, Prowler: []string{"cloudsql_instance_public_ip"}},
			Weakened:    "gave a Cloud SQL instance a public IP", Eval: sqlPublicIP},
		&Check{ID: "DM-GCP-SQL-002", Title: "Cloud SQL authorized networks do not include 0.0.0.0/0", Severity: High, Provider: "google", Types: sql,
			Rationale:   "0.0.0.0/0 lets the whole internet try to log in.",
			Remediation: "Remove the 0.0.0.0/0 authorized network.",
			Terraform:   "settings { ip_configuration { authorized_networks { value = \"203.0.113.0/24\" } } }",
			Refs:        Refs{CIS: cis(CISGCP, "6.5"), Checkov: []string{"CKV_GCP_11"}, Prowler: []string{"cloudsql_instance_public_access"}},
			Weakened:    "opened a Cloud SQL instance to the world", Eval: sqlAuthorizedWorld},
		&Check{ID: "DM-GCP-SQL-003", Title: "Cloud SQL instance requires SSL", Severity: Medium, Provider: "google", Types: sql,
			Rationale:   "Without SSL, credentials and data cross the network in clear text.",
			Remediation: "Set ssl_mode = \"ENCRYPTED_ONLY\" (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED).",
			Terraform:   "settings { ip_configuration { ssl_mode = \"ENCRYPTED_ONLY\" } }",
			Refs:        Refs{CIS: cis(CISGCP, "6.4"), Checkov: []string{"CKV_GCP_6"}, Prowler: []string{"cloudsql_instance_ssl_connections"}},
			Weakened:    "allowed unencrypted Cloud SQL connections", Eval: sqlSSL},
		&Check{ID: "DM-GCP-IAM-001", Title: "Instances do not use the Compute Engine default service account", Severity: Medium, Provider: "google", Types: inst,
			Rationale:   "The default service account has the project Editor role.",
			Remediation: "Run the instance as a dedicated, least-privilege service account.",
			Terraform:   "service_account { email = google_service_account.app.email  scopes = [\"cloud-platform\"] }",
			Refs:        Refs{CIS: cis(CISGCP, "4.1"), Checkov: []string{"CKV_GCP_30"}, Prowler: []string{"compute_instance_default_service_account_in_use"}},
			Weakened:    "switched an instance to the default service account", Eval: defaultSA(false)},
		&Check{ID: "DM-GCP-IAM-002", Title: "Default service account is not used with full Cloud API access", Severity: High, Provider: "google", Types: inst,
			Rationale:   "Editor rights plus the cloud-platform scope give any process on the VM control of the project.",
			Remediation: "Use a dedicated service account, or restrict the scopes.",
			Terraform:   "service_account { email = google_service_account.app.email  scopes = [\"cloud-platform\"] }",
			Refs:        Refs{CIS: cis(CISGCP, "4.2"), Checkov: []string{"CKV_GCP_31"}, Prowler: []string{"compute_instance_default_service_account_in_use_with_full_api_access"}},
			Weakened:    "gave the default service account full API access", Eval: defaultSA(true)},
		&Check{ID: "DM-GCP-KMS-001", Title: "KMS crypto keys rotate within 90 days", Severity: Medium, Provider: "google", Types: []string{"google_kms_crypto_key"},
			Rationale:   "Rotation limits how much data one key version protects.",
			Remediation: "Set rotation_period to 7776000s (90 days) or less.", Terraform: "resource \"google_kms_crypto_key\" \"k\" { rotation_period = \"7776000s\" }",
			Refs:     Refs{CIS: cis(CISGCP, "1.10"), Checkov: []string{"CKV_GCP_43"}, Prowler: []string{"kms_key_rotation_enabled"}},
			Weakened: "lengthened or removed KMS key rotation", Eval: kmsRotationPeriod},
	)
}
