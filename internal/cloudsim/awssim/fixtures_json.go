package awssim

import "github.com/driftmgr/driftmgr/internal/resource"

// jsonFixtures are the DynamoDB, Secrets Manager, ECR, ACM and ECS types
// Fixtures includes, in Terraform's shape. Secrets carry metadata only:
// the simulator holds no secret values. recovery_window_in_days is what
// state holds although no API reads it back.
func jsonFixtures(account, region string) []resource.Resource {
	tags := func(name string) map[string]any { return map[string]any{"Name": name, "env": "prod"} }
	keyArn := "arn:aws:kms:" + region + ":" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	tableArn := "arn:aws:dynamodb:" + region + ":" + account + ":table/orders"
	secretArn := "arn:aws:secretsmanager:" + region + ":" + account + ":secret:app/db-password-AbCdEf"
	secretPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		account + `:role/app"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	certArn := "arn:aws:acm:" + region + ":" + account + ":certificate/3b1f2c4d-0000-4000-8000-000000000001"
	ecCertArn := "arn:aws:acm:" + region + ":" + account + ":certificate/3b1f2c4d-0000-4000-8000-000000000002"
	clusterArn := "arn:aws:ecs:" + region + ":" + account + ":cluster/app"
	tgArn := "arn:aws:elasticloadbalancing:" + region + ":" + account + ":targetgroup/web/73e2d6bc24d8a067"
	empty := []any{}
	fixtures := []struct {
		typ, id string
		attrs   map[string]any
	}{
		{"aws_dynamodb_table", "orders", map[string]any{"name": "orders", "arn": tableArn,
			"billing_mode": "PROVISIONED", "hash_key": "pk", "range_key": "sk",
			"read_capacity": float64(5), "write_capacity": float64(5),
			"attribute": []any{map[string]any{"name": "pk", "type": "S"}, map[string]any{"name": "sk", "type": "S"},
				map[string]any{"name": "status", "type": "S"}, map[string]any{"name": "created", "type": "N"}},
			"global_secondary_index": []any{map[string]any{"name": "by-status", "hash_key": "status", "range_key": "",
				"projection_type": "INCLUDE", "non_key_attributes": []any{"total"},
				"read_capacity": float64(5), "write_capacity": float64(5)}},
			"local_secondary_index": []any{map[string]any{"name": "by-created", "range_key": "created",
				"projection_type": "KEYS_ONLY", "non_key_attributes": empty}},
			"stream_enabled": true, "stream_view_type": "NEW_AND_OLD_IMAGES",
			"stream_arn": tableArn + "/stream/2024-01-01T00:00:00.000", "stream_label": "2024-01-01T00:00:00.000",
			"server_side_encryption": []any{map[string]any{"enabled": true, "kms_key_arn": keyArn}},
			"ttl":                    []any{map[string]any{"attribute_name": "expires_at", "enabled": true}},
			"point_in_time_recovery": []any{map[string]any{"enabled": true, "recovery_period_in_days": float64(35)}},
			"table_class":            "STANDARD", "deletion_protection_enabled": true, "replica": empty,
			"tags": tags("orders")}},
		{"aws_dynamodb_table", "sessions", map[string]any{"name": "sessions",
			"arn":          "arn:aws:dynamodb:" + region + ":" + account + ":table/sessions",
			"billing_mode": "PAY_PER_REQUEST", "hash_key": "id", "range_key": "",
			"read_capacity": float64(0), "write_capacity": float64(0),
			"attribute":              []any{map[string]any{"name": "id", "type": "S"}},
			"global_secondary_index": empty, "local_secondary_index": empty,
			"stream_enabled": false, "stream_view_type": "", "stream_arn": "", "stream_label": "",
			"server_side_encryption": empty,
			"ttl":                    []any{map[string]any{"attribute_name": "", "enabled": false}},
			"point_in_time_recovery": []any{map[string]any{"enabled": false}},
			"table_class":            "STANDARD_INFREQUENT_ACCESS", "deletion_protection_enabled": false,
			"tags": map[string]any{}}},
		{"aws_secretsmanager_secret", secretArn, map[string]any{"arn": secretArn, "name": "app/db-password",
			"description": "database password", "kms_key_id": keyArn, "policy": secretPolicy,
			"rotation_enabled":    true,
			"rotation_lambda_arn": "arn:aws:lambda:" + region + ":" + account + ":function:rotate-db",
			"rotation_rules": []any{map[string]any{"automatically_after_days": float64(30), "duration": "",
				"schedule_expression": ""}},
			"recovery_window_in_days": float64(30), "force_overwrite_replica_secret": false, "replica": empty,
			"tags": tags("db-password")}},
		{"aws_ecr_repository", "app/web", map[string]any{"name": "app/web",
			"arn":         "arn:aws:ecr:" + region + ":" + account + ":repository/app/web",
			"registry_id": account, "repository_url": account + ".dkr.ecr." + region + ".amazonaws.com/app/web",
			"image_tag_mutability":         "IMMUTABLE",
			"image_scanning_configuration": []any{map[string]any{"scan_on_push": true}},
			"encryption_configuration":     []any{map[string]any{"encryption_type": "KMS", "kms_key": keyArn}},
			"force_delete":                 false, "tags": tags("web")}},
		{"aws_acm_certificate", certArn, map[string]any{"arn": certArn, "domain_name": "example.com",
			"subject_alternative_names": []any{"www.example.com"}, "validation_method": "DNS",
			"key_algorithm": "RSA_2048", "status": "ISSUED", "type": "AMAZON_ISSUED",
			"certificate_authority_arn": "", "not_before": "2024-01-01T00:00:00Z", "not_after": "2025-01-31T23:59:59Z",
			"renewal_eligibility": "ELIGIBLE", "validation_emails": empty,
			"options": []any{map[string]any{"certificate_transparency_logging_preference": "ENABLED",
				"export": "DISABLED"}},
			"domain_validation_options": []any{
				map[string]any{"domain_name": "example.com", "resource_record_name": "_a79865eb4cd1a6ab990a45779b4e0b96.example.com.",
					"resource_record_type": "CNAME", "resource_record_value": "_424c7224e9b0146f9a8808af955727d0.acm-validations.aws."},
				map[string]any{"domain_name": "www.example.com", "resource_record_name": "_b79865eb4cd1a6ab990a45779b4e0b96.www.example.com.",
					"resource_record_type": "CNAME", "resource_record_value": "_524c7224e9b0146f9a8808af955727d0.acm-validations.aws."}},
			"tags": tags("example.com")}},
		// An ECDSA certificate: ListCertificates hides it unless asked
		// for every key type.
		{"aws_acm_certificate", ecCertArn, map[string]any{"arn": ecCertArn, "domain_name": "api.example.com",
			"subject_alternative_names": empty, "validation_method": "DNS",
			"key_algorithm": "EC_prime256v1", "status": "ISSUED", "type": "AMAZON_ISSUED",
			"certificate_authority_arn": "", "not_before": "2024-01-01T00:00:00Z", "not_after": "2025-01-31T23:59:59Z",
			"renewal_eligibility": "INELIGIBLE", "validation_emails": empty,
			"options": []any{map[string]any{"certificate_transparency_logging_preference": "DISABLED",
				"export": "DISABLED"}},
			"domain_validation_options": []any{
				map[string]any{"domain_name": "api.example.com", "resource_record_name": "_c79865eb4cd1a6ab990a45779b4e0b96.api.example.com.",
					"resource_record_type": "CNAME", "resource_record_value": "_624c7224e9b0146f9a8808af955727d0.acm-validations.aws."}},
			"tags": map[string]any{}}},
		{"aws_ecs_cluster", clusterArn, map[string]any{"arn": clusterArn, "name": "app",
			"setting":       []any{map[string]any{"name": "containerInsights", "value": "enabled"}},
			"configuration": empty, "service_connect_defaults": empty, "tags": tags("app")}},
		{"aws_ecs_service", "arn:aws:ecs:" + region + ":" + account + ":service/app/web", map[string]any{
			"name": "web", "cluster": clusterArn,
			"task_definition": "arn:aws:ecs:" + region + ":" + account + ":task-definition/web:7",
			"desired_count":   float64(2), "launch_type": "FARGATE", "platform_version": "LATEST",
			"scheduling_strategy": "REPLICA", "iam_role": "", "health_check_grace_period_seconds": float64(60),
			"deployment_maximum_percent": float64(200), "deployment_minimum_healthy_percent": float64(100),
			"deployment_circuit_breaker": []any{map[string]any{"enable": true, "rollback": true}},
			"deployment_controller":      []any{map[string]any{"type": "ECS"}},
			"network_configuration": []any{map[string]any{"subnets": []any{"subnet-0a1", "subnet-0b1"},
				"security_groups": []any{"sg-0a1"}, "assign_public_ip": false}},
			"load_balancer": []any{map[string]any{"target_group_arn": tgArn, "elb_name": "",
				"container_name": "web", "container_port": float64(8080)}},
			"capacity_provider_strategy": empty, "enable_ecs_managed_tags": true, "enable_execute_command": false,
			"propagate_tags": "SERVICE", "availability_zone_rebalancing": "ENABLED", "wait_for_steady_state": false, "force_new_deployment": nil,
			"triggers": map[string]any{}, "tags": tags("web")}},
	}
	out := make([]resource.Resource, 0, len(fixtures))
	for _, f := range fixtures {
		f.attrs["id"] = f.id
		out = append(out, resource.Resource{Provider: "aws", Type: f.typ, ID: f.id, Account: account,
			Region: region, Attrs: jsonShape(f.attrs), Tags: flatTags(f.attrs)})
	}
	return out
}
