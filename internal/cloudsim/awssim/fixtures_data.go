package awssim

import "github.com/driftmgr/driftmgr/internal/resource"

// dataFixtures are the storage, key, queue, table and log types Fixtures
// includes, in Terraform's shape. S3 bucket configurations are keyed by
// the bucket name, as Terraform ids them; every one is regional (a bucket
// lives in one region even though ListBuckets is global).
func dataFixtures(account, region string) []resource.Resource {
	bucket := "app-data-" + account
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],` +
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	empty := []any{}
	queueURL := "https://sqs." + region + ".amazonaws.com/" + account + "/jobs"
	keyID := "1234abcd-12ab-34cd-56ef-1234567890ab"
	keyPolicy := `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",` +
		`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`
	fixtures := []struct {
		typ, id string
		attrs   map[string]any
	}{
		{"aws_s3_bucket", bucket, map[string]any{"bucket": bucket, "arn": "arn:aws:s3:::" + bucket,
			"region": region, "bucket_domain_name": bucket + ".s3.amazonaws.com",
			"tags": map[string]any{"Name": "app-data", "env": "prod"}}},
		{"aws_s3_bucket_public_access_block", bucket, map[string]any{"bucket": bucket,
			"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true,
			"restrict_public_buckets": true}},
		{"aws_s3_bucket_versioning", bucket, map[string]any{"bucket": bucket, "expected_bucket_owner": "",
			"mfa": nil, "versioning_configuration": []any{map[string]any{"status": "Enabled", "mfa_delete": ""}}}},
		{"aws_s3_bucket_server_side_encryption_configuration", bucket, map[string]any{"bucket": bucket,
			"expected_bucket_owner": "", "rule": []any{map[string]any{"bucket_key_enabled": true,
				"apply_server_side_encryption_by_default": []any{map[string]any{"sse_algorithm": "aws:kms",
					"kms_master_key_id": "arn:aws:kms:" + region + ":" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}}}},
		{"aws_s3_bucket_policy", bucket, map[string]any{"bucket": bucket, "policy": bucketPolicy}},
		{"aws_s3_bucket_lifecycle_configuration", bucket, map[string]any{"bucket": bucket, "expected_bucket_owner": "",
			"rule": []any{
				map[string]any{"id": "logs", "status": "Enabled", "prefix": "",
					"filter": []any{map[string]any{"prefix": "logs/", "object_size_greater_than": float64(0),
						"object_size_less_than": float64(0), "tag": empty, "and": empty}},
					"expiration": []any{map[string]any{"days": float64(365), "date": "", "expired_object_delete_marker": false}},
					"transition": []any{map[string]any{"days": float64(30), "date": "", "storage_class": "STANDARD_IA"},
						map[string]any{"days": float64(90), "date": "", "storage_class": "GLACIER"}},
					"noncurrent_version_expiration":     []any{map[string]any{"noncurrent_days": float64(30), "newer_noncurrent_versions": float64(0)}},
					"noncurrent_version_transition":     empty,
					"abort_incomplete_multipart_upload": []any{map[string]any{"days_after_initiation": float64(7)}}},
			}}},
		{"aws_kms_key", keyID, map[string]any{"arn": "arn:aws:kms:" + region + ":" + account + ":key/" + keyID,
			"key_id": keyID, "description": "app data", "key_usage": "ENCRYPT_DECRYPT",
			"customer_master_key_spec": "SYMMETRIC_DEFAULT", "policy": keyPolicy, "is_enabled": true,
			"enable_key_rotation": true, "rotation_period_in_days": float64(365), "multi_region": false,
			"deletion_window_in_days": float64(30), "bypass_policy_lockout_safety_check": false,
			"tags": map[string]any{"Name": "app-data", "env": "prod"}}},
		{"aws_kms_alias", "alias/app-data", map[string]any{"name": "alias/app-data",
			"arn": "arn:aws:kms:" + region + ":" + account + ":alias/app-data", "target_key_id": keyID,
			"target_key_arn": "arn:aws:kms:" + region + ":" + account + ":key/" + keyID, "name_prefix": ""}},
		{"aws_sqs_queue", queueURL, map[string]any{"name": "jobs", "url": queueURL,
			"arn": "arn:aws:sqs:" + region + ":" + account + ":jobs", "fifo_queue": false,
			"content_based_deduplication": false, "deduplication_scope": "", "fifo_throughput_limit": "",
			"delay_seconds": float64(0), "max_message_size": float64(262144), "message_retention_seconds": float64(345600),
			"receive_wait_time_seconds": float64(20), "visibility_timeout_seconds": float64(60),
			"policy": "", "redrive_policy": `{"deadLetterTargetArn":"arn:aws:sqs:` + region + `:` + account + `:jobs-dlq","maxReceiveCount":5}`,
			"redrive_allow_policy": "", "kms_master_key_id": "", "kms_data_key_reuse_period_seconds": float64(300),
			"sqs_managed_sse_enabled": true, "name_prefix": "", "tags": map[string]any{"env": "prod"}}},
	}
	out := make([]resource.Resource, 0, len(fixtures))
	for _, f := range fixtures {
		f.attrs["id"] = f.id
		out = append(out, resource.Resource{Provider: "aws", Type: f.typ, ID: f.id, Account: account,
			Region: region, Attrs: jsonShape(f.attrs), Tags: flatTags(f.attrs)})
	}
	return out
}
