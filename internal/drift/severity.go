package drift

import (
	"strings"
)

// Severity is decided by what drifted: a security group opened to the world
// is critical, a tag changed is low. The tables below are the policy; the
// tests in severity_test.go pin it.

// securityTypes are resource types whose drift changes who can reach or do
// what.
var securityTypes = map[string]bool{
	"aws_security_group": true, "aws_security_group_rule": true,
	"aws_vpc_security_group_ingress_rule": true, "aws_vpc_security_group_egress_rule": true,
	"aws_network_acl": true, "aws_network_acl_rule": true,
	"aws_iam_role": true, "aws_iam_user": true, "aws_iam_group": true, "aws_iam_policy": true,
	"aws_iam_role_policy": true, "aws_iam_user_policy": true, "aws_iam_group_policy": true,
	"aws_iam_role_policy_attachment": true, "aws_iam_user_policy_attachment": true,
	"aws_iam_group_policy_attachment": true, "aws_iam_access_key": true,
	"aws_iam_account_password_policy": true, "aws_s3_bucket_policy": true,
	"aws_s3_bucket_public_access_block": true, "aws_s3_bucket_acl": true,
	"aws_kms_key": true, "aws_cloudtrail": true,
	"azurerm_network_security_group": true, "azurerm_network_security_rule": true,
	"azurerm_role_assignment": true, "azurerm_key_vault": true,
	"google_compute_firewall": true, "google_project_iam_member": true,
	"google_project_iam_binding": true, "google_service_account": true,
	"google_kms_crypto_key": true,
}

// securityAttrs are attribute names whose change weakens or strengthens a
// control wherever they appear.
var securityAttrs = map[string]bool{
	"ingress": true, "egress": true, "cidr_blocks": true, "ipv6_cidr_blocks": true,
	"policy": true, "assume_role_policy": true, "inline_policy": true, "managed_policy_arns": true,
	"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true,
	"restrict_public_buckets": true, "acl": true, "publicly_accessible": true,
	"storage_encrypted": true, "encrypted": true, "kms_key_id": true, "enable_key_rotation": true,
	"server_side_encryption_configuration": true, "security_rule": true, "source_ranges": true,
	"allow": true, "source_address_prefix": true, "is_multi_region_trail": true,
	"enable_log_file_validation": true, "enable_logging": true, "vpc_security_group_ids": true,
	"security_groups": true, "iam_instance_profile": true, "metadata_options": true,
	"cidr_ipv4": true, "cidr_ipv6": true, "members": true, "member": true, "role": true,
}

// lowAttrs are bookkeeping whose drift matters to people, not to the
// infrastructure.
var lowAttrs = map[string]bool{
	"tags": true, "tags_all": true, "labels": true, "description": true, "comment": true,
}

func severity(k Kind, typ string, diffs []Diff) Severity {
	switch k {
	case Missing:
		if securityTypes[typ] {
			return High
		}
		return Medium
	case Unmanaged:
		if strings.HasPrefix(typ, "aws_iam_") || typ == "aws_security_group" || typ == "aws_security_group_rule" ||
			typ == "azurerm_role_assignment" || strings.HasPrefix(typ, "google_project_iam") {
			return High
		}
		if securityTypes[typ] {
			return Medium
		}
		return Low
	}
	worst := Info
	for _, d := range diffs {
		if s := diffSeverity(typ, d); s.Rank() > worst.Rank() {
			worst = s
		}
	}
	return worst
}

func diffSeverity(typ string, d Diff) Severity {
	root := d.Path.Root()
	if opensToWorld(d) {
		return Critical
	}
	if publicAccessLoosened(root, d) {
		return Critical
	}
	if lowAttrs[root] {
		return Low
	}
	if securityAttrs[root] || securityAttrs[lastName(string(d.Path))] {
		return High
	}
	if securityTypes[typ] {
		return High
	}
	return Medium
}

func lastName(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		p = p[i+1:]
	}
	if i := strings.IndexByte(p, '['); i >= 0 {
		p = p[:i]
	}
	return p
}

// opensToWorld reports whether the live side lets in the whole internet
// where the state did not: 0.0.0.0/0 or ::/0 newly present, or a principal
// "*" newly granted. Only CIDR-like and principal-like values count; a
// wildcard in a tag or a description is not an exposure.
func opensToWorld(d Diff) bool {
	p := string(d.Path)
	return worldIn(p, d.Actual) && !worldIn(p, d.Expected)
}

func worldIn(path string, v any) bool {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if worldIn(k, e) {
				return true
			}
		}
		return false
	case []any:
		for _, e := range t {
			if worldIn(path, e) {
				return true
			}
		}
		return false
	case string:
		if !exposureKey(lastName(path)) && !strings.Contains(path, "Principal") {
			return false
		}
		switch t {
		case "0.0.0.0/0", "::/0", "*", "allUsers", "allAuthenticatedUsers", "Internet", "Any":
			return true
		}
	}
	return false
}

func exposureKey(k string) bool {
	switch k {
	case "cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6", "source_ranges", "Principal", "AWS",
		"source_address_prefix", "source_address_prefixes", "members", "member":
		return true
	}
	return false
}

// publicAccessLoosened: a public-access block switched off, or a resource
// made publicly accessible.
func publicAccessLoosened(root string, d Diff) bool {
	switch root {
	case "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets":
		b, ok := asBool(d.Actual)
		return ok && !b
	case "publicly_accessible":
		b, ok := asBool(d.Actual)
		return ok && b
	case "acl":
		s, _ := d.Actual.(string)
		return strings.HasPrefix(s, "public-")
	}
	return false
}
