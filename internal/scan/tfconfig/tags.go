package tfconfig

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// untaggedAWS are hashicorp/aws v5 resource types without tags: state
// gives them no tags_all, so the provider's default_tags do not reach
// them. Any other aws type is taken to be taggable.
var untaggedAWS = setOf(
	"aws_s3_bucket_acl", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block", "aws_s3_bucket_versioning",
	"aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_logging", "aws_s3_bucket_lifecycle_configuration",
	"aws_s3_bucket_ownership_controls", "aws_s3_bucket_cors_configuration", "aws_s3_bucket_website_configuration",
	"aws_s3_bucket_notification", "aws_s3_bucket_replication_configuration", "aws_s3_bucket_object_lock_configuration",
	"aws_s3_bucket_accelerate_configuration", "aws_s3_bucket_request_payment_configuration", "aws_s3_account_public_access_block",
	"aws_security_group_rule", "aws_network_acl_rule", "aws_route", "aws_route_table_association", "aws_main_route_table_association",
	"aws_volume_attachment", "aws_lb_target_group_attachment", "aws_lb_listener_certificate", "aws_eip_association",
	"aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role_policy_attachment",
	"aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment", "aws_iam_policy_attachment", "aws_iam_group",
	"aws_iam_group_membership", "aws_iam_user_group_membership", "aws_iam_user_login_profile", "aws_iam_access_key",
	"aws_iam_account_password_policy", "aws_iam_account_alias", "aws_kms_alias", "aws_kms_grant", "aws_kms_key_policy",
	"aws_ebs_encryption_by_default", "aws_ebs_default_kms_key", "aws_route53_record", "aws_lambda_permission",
	"aws_lambda_alias", "aws_lambda_event_source_mapping", "aws_sns_topic_subscription", "aws_sns_topic_policy",
	"aws_sqs_queue_policy", "aws_ecr_repository_policy", "aws_ecr_lifecycle_policy", "aws_secretsmanager_secret_version",
	"aws_secretsmanager_secret_policy", "aws_secretsmanager_secret_rotation", "aws_cloudwatch_log_metric_filter",
	"aws_cloudwatch_log_subscription_filter", "aws_cloudwatch_event_target", "aws_config_configuration_recorder",
	"aws_config_configuration_recorder_status", "aws_config_delivery_channel", "aws_securityhub_account",
	"aws_autoscaling_attachment", "aws_autoscaling_policy", "aws_appautoscaling_policy", "aws_api_gateway_deployment",
	"aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_resource", "aws_autoscaling_group",
)

// labeledGoogle are hashicorp/google v6 resource types with a top-level
// labels argument, whose state has terraform_labels and effective_labels.
// A type not listed gets them only when its configuration sets labels.
var labeledGoogle = setOf(
	"google_storage_bucket", "google_compute_instance", "google_compute_instance_template", "google_compute_disk",
	"google_compute_region_disk", "google_compute_image", "google_compute_snapshot", "google_compute_address",
	"google_compute_global_address", "google_compute_forwarding_rule", "google_compute_global_forwarding_rule",
	"google_bigquery_dataset", "google_bigquery_table", "google_pubsub_topic", "google_pubsub_subscription",
	"google_kms_crypto_key", "google_cloudfunctions_function", "google_cloudfunctions2_function",
	"google_secret_manager_secret", "google_redis_instance", "google_spanner_instance", "google_bigtable_instance",
	"google_filestore_instance", "google_dataproc_cluster", "google_cloud_run_v2_service", "google_cloud_run_v2_job",
	"google_artifact_registry_repository", "google_dns_managed_zone", "google_project",
)

func setOf(names ...string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}

// providerTags gives r the tags Terraform's state shows for it: for an
// aws taggable type, tags_all is the provider's default_tags merged with
// the resource's tags; for a google labelled type, terraform_labels and
// effective_labels are default_labels merged with labels. The resource's
// own keys win. r.Tags is what the resource ends up with. When either side
// is not known from the configuration alone the merged attributes are
// left out (not judged) and r.Tags holds the known own tags. pos gains
// where each merged key is set.
func providerTags(r *resource.Resource, attrs map[string]cty.Value, pc *providerConfig, pos Positions) {
	own, merged := "tags", []string(nil)
	switch {
	case r.Provider == "aws" && !untaggedAWS[r.Type]:
		merged = []string{"tags_all"}
	case r.Provider == "google":
		own = "labels"
		if _, set := attrs["labels"]; set || labeledGoogle[r.Type] {
			merged = []string{"terraform_labels", "effective_labels"}
		}
	}
	r.Tags = stringMap(r.Attrs[own])
	if merged == nil {
		return
	}
	ownV, set := attrs[own]
	if !set || ownV.IsNull() {
		ownV = cty.EmptyObjectVal
	}
	defV := cty.EmptyObjectVal
	var defPos Positions
	if pc != nil && pc.defaults != cty.NilVal {
		defV, defPos = pc.defaults, pc.defaultsPos
		if defV.IsKnown() && defV.IsNull() {
			defV = cty.EmptyObjectVal
		}
	}
	ownM, ok1 := stringsOf(ownV)
	defM, ok2 := stringsOf(defV)
	if !ok1 || !ok2 {
		return
	}
	all := map[string]string{}
	where := map[string]Pos{}
	for k, v := range defM {
		all[k] = v
		if p, ok := defPos.Lookup(resource.Path("").Field(k)); ok {
			where[k] = p
		} else if p, ok := defPos[""]; ok {
			where[k] = p
		}
	}
	for k, v := range ownM {
		all[k] = v
		if p, ok := pos.Lookup(resource.Path(own).Field(k)); ok {
			where[k] = p
		} else {
			delete(where, k)
		}
	}
	whole, ok := pos[resource.Path(own)]
	if !ok {
		whole, ok = defPos[""]
	}
	for _, name := range merged {
		m := make(map[string]any, len(all))
		for k, v := range all {
			m[k] = v
		}
		r.Attrs[name] = m
		if ok {
			pos[resource.Path(name)] = whole
		}
		for k, p := range where {
			pos[resource.Path(name).Field(k)] = p
		}
	}
	// Secrets and filters read r.Tags as tags.KEY.
	for k, p := range where {
		if _, isOwn := ownM[k]; !isOwn || own != "tags" {
			pos[resource.Path("tags").Field(k)] = p
		}
	}
	r.Tags = all
}

// stringsOf reads a wholly known map or object of primitive values as
// the provider stores tags: strings.
func stringsOf(v cty.Value) (map[string]string, bool) {
	if !v.IsWhollyKnown() || v.IsNull() {
		return nil, false
	}
	v, _ = v.UnmarkDeep()
	t := v.Type()
	if !t.IsMapType() && !t.IsObjectType() {
		return nil, false
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			continue
		}
		s, err := convert.Convert(e, cty.String)
		if err != nil {
			return nil, false
		}
		out[k.AsString()] = s.AsString()
	}
	return out, true
}

// stringMap flattens tags or labels for r.Tags: the string values.
func stringMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for k, e := range m {
		if s, ok := e.(string); ok {
			out[k] = s
		}
	}
	return out
}
