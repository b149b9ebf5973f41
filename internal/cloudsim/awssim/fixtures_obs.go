package awssim

import "github.com/driftmgr/driftmgr/internal/resource"

// obsFixtures are the observability types Fixtures includes, in
// Terraform's shape: a multi-region CloudTrail trail (id its ARN) with its
// log group and a metric alarm, and the IAM instance profile and user and
// group policy attachments (global). Attachment ids are the ones the
// provider invents; the drift engine matches them by what they join.
func obsFixtures(account, region string) []resource.Resource {
	trailArn := "arn:aws:cloudtrail:" + region + ":" + account + ":trail/main"
	keyArn := "arn:aws:kms:" + region + ":" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	logGroup := "/aws/cloudtrail/main"
	logGroupArn := "arn:aws:logs:" + region + ":" + account + ":log-group:" + logGroup
	topicArn := "arn:aws:sns:" + region + ":" + account + ":alerts"
	iamArn := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + name }
	tags := func(name string) map[string]any { return map[string]any{"Name": name, "env": "prod"} }
	regional := []struct {
		typ, id string
		attrs   map[string]any
	}{
		{"aws_cloudtrail", trailArn, map[string]any{"arn": trailArn, "name": "main", "home_region": region,
			"s3_bucket_name": "audit-logs-" + account, "s3_key_prefix": "cloudtrail", "sns_topic_name": "",
			"sns_topic_arn": "", "is_multi_region_trail": true, "is_organization_trail": false,
			"include_global_service_events": true, "enable_log_file_validation": true, "kms_key_id": keyArn,
			"cloud_watch_logs_group_arn": logGroupArn + ":*",
			"cloud_watch_logs_role_arn":  iamArn("role", "cloudtrail-logs"), "enable_logging": true,
			"event_selector": []any{map[string]any{"read_write_type": "All", "include_management_events": true,
				"exclude_management_event_sources": []any{},
				"data_resource": []any{map[string]any{"type": "AWS::S3::Object",
					"values": []any{"arn:aws:s3:::app-data-" + account + "/"}}}}},
			"advanced_event_selector": []any{}, "insight_selector": []any{}, "tags": tags("main")}},
		{"aws_cloudwatch_log_group", logGroup, map[string]any{"arn": logGroupArn, "name": logGroup,
			"name_prefix": "", "retention_in_days": float64(365), "kms_key_id": keyArn,
			"log_group_class": "STANDARD", "skip_destroy": false, "tags": tags("cloudtrail")}},
		{"aws_cloudwatch_metric_alarm", "web-5xx", map[string]any{
			"arn": "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:web-5xx", "alarm_name": "web-5xx",
			"alarm_description": "5xx answers from the web load balancer", "comparison_operator": "GreaterThanThreshold",
			"evaluation_periods": float64(3), "datapoints_to_alarm": float64(2), "metric_name": "HTTPCode_Target_5XX_Count",
			"namespace": "AWS/ApplicationELB", "period": float64(60), "statistic": "Sum", "extended_statistic": "",
			"threshold": float64(10.5), "threshold_metric_id": "", "unit": "", "metric_query": []any{},
			"dimensions": map[string]any{"LoadBalancer": "app/web/50dc6c495c0c9188"}, "actions_enabled": true,
			"alarm_actions": []any{topicArn}, "ok_actions": []any{topicArn}, "insufficient_data_actions": []any{},
			"treat_missing_data": "notBreaching", "evaluate_low_sample_count_percentiles": "", "tags": tags("web-5xx")}},
	}
	global := []struct {
		typ, id string
		attrs   map[string]any
	}{
		{"aws_iam_instance_profile", "app", map[string]any{"arn": iamArn("instance-profile", "app"), "name": "app",
			"name_prefix": "", "path": "/", "role": "app", "unique_id": "AIPAAPP", "create_date": created,
			"tags": map[string]any{"team": "platform"}}},
		{"aws_iam_user_policy_attachment", "alice-20240101000000000000000002", map[string]any{
			"user": "alice", "policy_arn": "arn:aws:iam::aws:policy/IAMUserChangePassword"}},
		{"aws_iam_group_policy_attachment", "admins-20240101000000000000000003", map[string]any{
			"group": "admins", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}},
	}
	var out []resource.Resource
	for _, r := range regional {
		r.attrs["id"] = r.id
		out = append(out, resource.Resource{Provider: "aws", Type: r.typ, ID: r.id, Account: account,
			Region: region, Attrs: jsonShape(r.attrs), Tags: flatTags(r.attrs)})
	}
	for _, r := range global {
		r.attrs["id"] = r.id
		out = append(out, resource.Resource{Provider: "aws", Type: r.typ, ID: r.id, Account: account,
			Attrs: jsonShape(r.attrs), Tags: flatTags(r.attrs)})
	}
	return out
}
