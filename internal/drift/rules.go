package drift

import (
	"net/url"
	"strings"
)

// Rules says how attributes of one resource type are compared so that what
// the provider or the cloud API does on its own is not reported as drift.
// Paths are schema paths: attribute names joined by dots, without list
// indexes ("ingress.cidr_blocks").
type Rules struct {
	// Ignore lists computed-only or config-only attributes that never mean
	// drift (arn, timeouts, force_destroy, ...).
	Ignore map[string]bool
	// Sets lists attributes Terraform models as sets: compared without
	// order. The value names key fields used to pair differing elements so
	// a diff reads "ingress[2].cidr_blocks" rather than whole elements.
	Sets map[string][]string
	// JSON lists attributes holding JSON documents (IAM policies), compared
	// semantically.
	JSON map[string]bool
	// Fold lists attributes the cloud compares case-insensitively.
	Fold map[string]bool
	// Defaults are provider defaults: null on one side equals the default
	// on the other.
	Defaults map[string]any
	// Strings are per-attribute rewrites to a canonical spelling
	// ("6" -> "tcp", trailing dots of DNS names).
	Strings map[string]func(string) string
	// Versions lists version attributes the provider keeps as configured
	// when the cloud runs a more precise version under that prefix: state
	// "16" matches live "16.3" (not "16" against "160.1").
	Versions map[string]bool
	// Refs lists references the provider keeps in the form the
	// configuration gave (a name, a "family:revision" or a full ARN) while
	// the API answers ARNs: an ARN on one side equals the name at its end
	// (after the last "/") on the other. Two ARNs compare whole.
	Refs map[string]bool
	// Unknown lists nested attributes only some provider versions store:
	// absent on one side they are unknown, as an absent top-level
	// attribute is, rather than removed or added.
	Unknown map[string]bool
}

func (r *Rules) merge(o *Rules) {
	mergeMap(&r.Ignore, o.Ignore)
	mergeMap(&r.Sets, o.Sets)
	mergeMap(&r.JSON, o.JSON)
	mergeMap(&r.Fold, o.Fold)
	mergeMap(&r.Defaults, o.Defaults)
	mergeMap(&r.Strings, o.Strings)
	mergeMap(&r.Versions, o.Versions)
	mergeMap(&r.Refs, o.Refs)
	mergeMap(&r.Unknown, o.Unknown)
}

func mergeMap[V any](dst *map[string]V, src map[string]V) {
	if len(src) == 0 {
		return
	}
	if *dst == nil {
		*dst = make(map[string]V, len(src))
	}
	for k, v := range src {
		(*dst)[k] = v
	}
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// globalRules apply to every type.
var globalRules = Rules{
	// Config-only arguments and computed bookkeeping the cloud never holds
	// or that change without anyone touching the resource.
	Ignore: set("timeouts", "tags_all", "force_destroy", "skip_final_snapshot",
		"final_snapshot_identifier", "apply_immediately", "revoke_rules_on_delete",
		"name_prefix", "arn", "owner_id", "unique_id", "create_date", "creation_date",
		"etag", "last_modified", "latest_version", "self_link", "fingerprint",
		"label_fingerprint", "etag_hash", "terraform_labels", "effective_labels"),
	Sets: map[string][]string{
		"cidr_blocks": nil, "ipv6_cidr_blocks": nil, "security_groups": nil,
		"vpc_security_group_ids": nil, "security_group_ids": nil, "subnet_ids": nil,
		"prefix_list_ids": nil, "managed_policy_arns": nil, "availability_zones": nil,
		"aliases": nil, "dns_servers": nil, "address_prefixes": nil, "records": nil,
		"source_ranges": nil, "target_tags": nil, "source_tags": nil,
	},
	JSON: set("policy", "assume_role_policy", "policy_document", "access_policies",
		"redrive_policy", "delivery_policy", "key_policy"),
	Fold: set("location"),
	Strings: map[string]func(string) string{
		"location": azureLocation,
	},
}

// typeRules are the per-type rules. Each entry removes a false positive
// that a test in normalizers*_test.go shows.
var typeRules = map[string]*Rules{
	"aws_security_group": {
		Sets: map[string][]string{
			"ingress": {"protocol", "from_port", "to_port"},
			"egress":  {"protocol", "from_port", "to_port"},
		},
		// Terraform fills this description in when the config has none.
		Defaults: map[string]any{"description": "Managed by Terraform"},
		Strings:  map[string]func(string) string{"ingress.protocol": ipProtocol, "egress.protocol": ipProtocol},
	},
	"aws_security_group_rule": {
		Strings:  map[string]func(string) string{"protocol": ipProtocol},
		Defaults: map[string]any{"self": false},
	},
	"aws_network_acl": {
		Sets: map[string][]string{
			"ingress": {"rule_no"},
			"egress":  {"rule_no"},
		},
		Strings: map[string]func(string) string{"ingress.protocol": ipProtocol, "egress.protocol": ipProtocol},
	},
	"aws_route_table": {
		Sets: map[string][]string{"route": {"cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"}},
	},
	"aws_instance": {
		Defaults: map[string]any{"source_dest_check": true, "monitoring": false, "ebs_optimized": false,
			"tenancy": "default", "instance_initiated_shutdown_behavior": "stop"},
		Sets: map[string][]string{"ebs_block_device": {"device_name"}},
		Ignore: set("user_data_replace_on_change", "instance_state", "primary_network_interface_id",
			"public_dns", "private_dns", "password_data", "get_password_data"),
	},
	"aws_iam_role": {
		Defaults: map[string]any{"path": "/", "max_session_duration": float64(3600), "description": ""},
		Sets:     map[string][]string{"inline_policy": {"name"}},
		JSON:     set("inline_policy.policy"),
	},
	"aws_iam_user":   {Defaults: map[string]any{"path": "/"}},
	"aws_iam_policy": {Defaults: map[string]any{"path": "/"}, Ignore: set("policy_id", "attachment_count")},
	"aws_s3_bucket": {
		Ignore: set("bucket_domain_name", "bucket_regional_domain_name", "hosted_zone_id", "bucket_prefix"),
	},
	"aws_lambda_function": {
		Defaults: map[string]any{"timeout": float64(3), "memory_size": float64(128), "publish": false,
			"package_type": "Zip"},
		Ignore: set("last_modified", "source_code_hash", "filename", "qualified_arn", "invoke_arn",
			"version", "source_code_size"),
	},
	"aws_sqs_queue": {
		Defaults: map[string]any{"visibility_timeout_seconds": float64(30),
			"message_retention_seconds": float64(345600), "max_message_size": float64(262144),
			"delay_seconds": float64(0), "receive_wait_time_seconds": float64(0)},
	},
	"aws_db_instance": {
		Ignore: set("password", "latest_restorable_time", "status", "address", "endpoint",
			"hosted_zone_id", "resource_id", "replicas", "engine_version_actual", "listener_endpoint",
			"master_user_secret"),
		Fold:     set("engine", "character_set_name"),
		Versions: set("engine_version"),
		Sets:     map[string][]string{"enabled_cloudwatch_logs_exports": nil},
	},
	"aws_rds_cluster": {
		Ignore: set("master_password", "endpoint", "reader_endpoint", "hosted_zone_id", "cluster_resource_id",
			"engine_version_actual", "master_user_secret", "cluster_identifier_prefix"),
		Fold:     set("engine"),
		Versions: set("engine_version"),
		Sets: map[string][]string{"cluster_members": nil, "enabled_cloudwatch_logs_exports": nil,
			"iam_roles": nil},
	},
	"aws_lb": {
		Sets: map[string][]string{"subnets": nil, "subnet_mapping": {"subnet_id"}},
		// Null in a state written before the provider stored them; null
		// already equals false, so only non-zero defaults are listed.
		Defaults: map[string]any{"load_balancer_type": "application", "idle_timeout": float64(60),
			"enable_http2": true, "ip_address_type": "ipv4"},
	},
	"aws_lb_target_group": {
		Sets:     map[string][]string{"load_balancer_arns": nil},
		Defaults: map[string]any{"target_type": "instance", "ip_address_type": "ipv4"},
	},
	"aws_lb_listener": {
		Sets: map[string][]string{"default_action.forward.target_group": {"arn"}},
	},
	"aws_autoscaling_group": {
		// desired_capacity is what scaling policies, scheduled actions and
		// people answering load set between min_size and max_size: nearly
		// every configuration with a policy carries lifecycle
		// ignore_changes = [desired_capacity], and the provider documents
		// doing so. It is not drift; the bounds, which the configuration
		// owns, are still compared.
		Ignore: set("force_delete", "force_delete_warm_pool", "wait_for_capacity_timeout", "min_elb_capacity",
			"wait_for_elb_capacity", "ignore_failed_scaling_activities", "predicted_capacity", "warm_pool_size",
			"desired_capacity"),
		Sets: map[string][]string{"vpc_zone_identifier": nil, "load_balancers": nil, "target_group_arns": nil,
			"suspended_processes": nil, "enabled_metrics": nil, "tag": {"key"}},
		// A group created without termination policies answers
		// ["Default"]; a state written from such a configuration holds [].
		Defaults: map[string]any{"default_cooldown": float64(300), "health_check_type": "EC2",
			"health_check_grace_period": float64(300), "termination_policies": []any{"Default"}},
	},
	"aws_cloudtrail": {
		Defaults: map[string]any{"include_global_service_events": true, "enable_logging": true},
		Sets: map[string][]string{"event_selector.exclude_management_event_sources": nil,
			"insight_selector": {"insight_type"}, "advanced_event_selector.field_selector": {"field"}},
	},
	"aws_cloudwatch_metric_alarm": {
		Defaults: map[string]any{"treat_missing_data": "missing", "actions_enabled": true},
		Sets: map[string][]string{"alarm_actions": nil, "ok_actions": nil, "insufficient_data_actions": nil,
			"metric_query": {"id"}},
	},
	"aws_cloudwatch_log_group": {
		Defaults: map[string]any{"log_group_class": "STANDARD"},
		Ignore:   set("skip_destroy"),
	},
	"aws_iam_instance_profile": {Defaults: map[string]any{"path": "/"}},
	// A filter policy is a JSON document; "{}" filters nothing, as no
	// policy does (goaws answers it for every subscription, and SNS takes
	// it to remove one).
	"aws_sns_topic_subscription": {
		JSON:    set("filter_policy"),
		Strings: map[string]func(string) string{"filter_policy": emptyJSONObject},
	},
	"aws_route53_record": {
		Strings: map[string]func(string) string{"name": dnsName, "records": dnsName},
		Fold:    set("name"),
	},
	"aws_route53_zone": {
		Strings:  map[string]func(string) string{"name": dnsName},
		Fold:     set("name"),
		Defaults: map[string]any{"comment": "Managed by Terraform"},
		Ignore:   set("name_servers", "primary_name_server"),
	},
	"aws_kms_key": {
		Defaults: map[string]any{"enable_key_rotation": false, "is_enabled": true,
			"key_usage": "ENCRYPT_DECRYPT", "customer_master_key_spec": "SYMMETRIC_DEFAULT"},
		Ignore: set("deletion_window_in_days", "bypass_policy_lockout_safety_check", "key_id"),
	},
	"google_compute_firewall": {
		Sets: map[string][]string{"allow": {"protocol"}, "deny": {"protocol"}, "allow.ports": nil, "deny.ports": nil},
	},
	"azurerm_network_security_group": {
		Sets: map[string][]string{"security_rule": {"name"}},
	},
	"azurerm_virtual_network": {
		Sets: map[string][]string{"subnet": {"name"}},
	},
	"azurerm_key_vault": {
		// Vaults made by the portal or CLI hold permissions in lower case
		// ("get"), the provider writes "Get"; Key Vault treats them alike.
		Fold: set("access_policy.key_permissions", "access_policy.secret_permissions",
			"access_policy.certificate_permissions", "access_policy.storage_permissions"),
		Sets: map[string][]string{"network_acls.ip_rules": nil, "network_acls.virtual_network_subnet_ids": nil,
			"access_policy.key_permissions": nil, "access_policy.secret_permissions": nil,
			"access_policy.certificate_permissions": nil, "access_policy.storage_permissions": nil},
	},
	"azurerm_role_assignment":   {Fold: set("scope", "role_definition_id", "principal_id")},
	"azurerm_storage_container": {Fold: set("storage_account_id", "resource_manager_id")},
	"azurerm_kubernetes_cluster": {
		Fold: set("default_node_pool.vnet_subnet_id", "default_node_pool.pod_subnet_id", "node_resource_group"),
		Sets: map[string][]string{"default_node_pool.zones": nil},
	},
}

// rulesFor merges global and per-type rules once per type.
func rulesFor(typ string) *Rules {
	r := &Rules{}
	r.merge(&globalRules)
	if t, ok := typeRules[typ]; ok {
		r.merge(t)
	}
	if strings.HasPrefix(typ, "azurerm_") {
		// Azure resource IDs are case-insensitive: the API often returns
		// resourceGroups in another case than the one written in config.
		r.Fold = cloneSet(r.Fold)
		for _, a := range []string{"id", "resource_group_name", "subnet_id", "network_security_group_id",
			"virtual_network_id", "network_interface_ids", "key_vault_id", "server_id"} {
			r.Fold[a] = true
		}
	}
	return r
}

func cloneSet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m)+8)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ipProtocol canonicalizes IP protocol spellings: the EC2 API returns
// numbers or "-1" where Terraform config says "tcp" or "all".
func ipProtocol(s string) string {
	switch strings.ToLower(s) {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	case "all", "-1":
		return "-1"
	}
	return strings.ToLower(s)
}

// emptyJSONObject reads "{}" as nothing.
func emptyJSONObject(s string) string {
	if strings.TrimSpace(s) == "{}" {
		return ""
	}
	return s
}

// dnsName drops the trailing dot Route 53 adds to fully qualified names.
func dnsName(s string) string { return strings.TrimSuffix(s, ".") }

// azureLocation maps "West Europe" to "westeurope": the ARM API returns the
// short form whatever the config used.
func azureLocation(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}

// policyText decodes a policy document the IAM API returned URL-encoded.
func policyText(s string) string {
	if strings.HasPrefix(s, "%7B") || strings.HasPrefix(s, "%7b") {
		if d, err := url.QueryUnescape(s); err == nil {
			return d
		}
	}
	return s
}
