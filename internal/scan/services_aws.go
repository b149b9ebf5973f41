package scan

import (
	"fmt"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// boolAttr builds a check that passes when attr is want. Absent values
// are not judged unless absentIs says what the provider defaults to.
func boolAttr(attr string, want bool, absentIs *bool, passMsg, failMsg string) func(*Index, *resource.Resource) *Outcome {
	return func(_ *Index, r *resource.Resource) *Outcome {
		v, ok := boolean(r.Attrs[attr])
		if !ok {
			if absentIs == nil {
				return nil
			}
			v = *absentIs
		}
		e := ev(r, r, path(attr), r.Attrs[attr])
		if v == want {
			return pass(passMsg, e)
		}
		return fail(failMsg, e)
	}
}

func ptr[T any](v T) *T { return &v }

func trailKMS(_ *Index, r *resource.Resource) *Outcome {
	k := str(r.Attrs["kms_key_id"])
	e := ev(r, r, "kms_key_id", r.Attrs["kms_key_id"])
	if k == "" {
		return fail("trail logs are not encrypted with a KMS key", e)
	}
	return pass("trail logs are encrypted with a KMS key", e)
}

func trailCloudWatch(_ *Index, r *resource.Resource) *Outcome {
	e := ev(r, r, "cloud_watch_logs_group_arn", r.Attrs["cloud_watch_logs_group_arn"])
	if str(r.Attrs["cloud_watch_logs_group_arn"]) == "" {
		return fail("trail does not deliver to CloudWatch Logs", e)
	}
	return pass("trail delivers to CloudWatch Logs", e)
}

func kmsRotation(_ *Index, r *resource.Resource) *Outcome {
	spec := str(r.Attrs["customer_master_key_spec"])
	usage := str(r.Attrs["key_usage"])
	if spec != "" && spec != "SYMMETRIC_DEFAULT" || usage != "" && usage != "ENCRYPT_DECRYPT" {
		return nil // rotation applies to symmetric encryption keys only
	}
	if v, ok := boolean(r.Attrs["is_enabled"]); ok && !v {
		return nil
	}
	if _, ok := boolean(r.Attrs["enable_key_rotation"]); !ok {
		return nil
	}
	e := ev(r, r, "enable_key_rotation", r.Attrs["enable_key_rotation"])
	if isTrue(r.Attrs["enable_key_rotation"]) {
		return pass("automatic key rotation is on", e)
	}
	return fail("automatic key rotation is off", e)
}

func kmsPolicy(_ *Index, r *resource.Resource) *Outcome { return publicPolicy(r, "policy") }

func flowLogs(ix *Index, r *resource.Resource) *Outcome {
	if !ix.Has("aws_flow_log") {
		return nil
	}
	fl := ix.Related("aws_flow_log", "vpc_id", r)
	if len(fl) == 0 {
		return fail("no flow log captures the VPC's traffic", Evidence{Resource: "aws_flow_log", Path: "vpc_id", Value: nil})
	}
	return pass("the VPC has a flow log", ev(r, fl[0], "vpc_id", r.ID))
}

func ebsDefault(_ *Index, r *resource.Resource) *Outcome {
	v, ok := boolean(r.Attrs["enabled"])
	if !ok {
		return nil
	}
	e := ev(r, r, "enabled", v)
	if !v {
		return fail("EBS encryption by default is off in this region", e)
	}
	return pass("EBS encryption by default is on", e)
}

func rdsPublic(_ *Index, r *resource.Resource) *Outcome {
	if _, ok := boolean(r.Attrs["publicly_accessible"]); !ok {
		return nil
	}
	e := ev(r, r, "publicly_accessible", r.Attrs["publicly_accessible"])
	if isTrue(r.Attrs["publicly_accessible"]) {
		return fail("the database instance is publicly accessible", e)
	}
	return pass("the database instance is not publicly accessible", e)
}

func secretNoRotation(ix *Index, r *resource.Resource) *Outcome {
	if !ix.Has("aws_secretsmanager_secret_rotation") && block(r.Attrs, "rotation_rules") == nil && r.Attrs["rotation_enabled"] == nil {
		return nil
	}
	if isTrue(r.Attrs["rotation_enabled"]) {
		return pass("rotation is enabled", ev(r, r, "rotation_enabled", true))
	}
	if rot := ix.Related("aws_secretsmanager_secret_rotation", "secret_id", r, str(r.Attrs["arn"])); len(rot) > 0 {
		return pass("rotation is configured", ev(r, rot[0], "secret_id", r.ID))
	}
	return fail("the secret is never rotated", ev(r, r, "rotation_enabled", r.Attrs["rotation_enabled"]))
}

func imdsv2(_ *Index, r *resource.Resource) *Outcome {
	m := block(r.Attrs, "metadata_options")
	if m == nil {
		return nil
	}
	tok := str(m["http_tokens"])
	e := ev(r, r, "metadata_options[0].http_tokens", tok)
	if strings.EqualFold(str(m["http_endpoint"]), "disabled") {
		return pass("the metadata service is disabled", ev(r, r, "metadata_options[0].http_endpoint", "disabled"))
	}
	if tok == "required" {
		return pass("IMDSv2 is required", e)
	}
	return failf([]Evidence{e}, "IMDSv1 is allowed (http_tokens = %q)", tok)
}

func init() {
	trail := []string{"aws_cloudtrail"}
	register(
		&Check{ID: "DM-AWS-CT-001", Title: "CloudTrail trail is multi-region", Severity: High, Provider: "aws", Types: trail,
			Rationale:   "A single-region trail misses activity in every other region, where an attacker would go.",
			Remediation: "Make the trail multi-region and include global service events.",
			Terraform:   "resource \"aws_cloudtrail\" \"t\" { is_multi_region_trail = true  include_global_service_events = true }",
			Refs:        Refs{CIS: cis(CISAWS, "3.1"), Checkov: []string{"CKV_AWS_67"}, Prowler: []string{"cloudtrail_multi_region_enabled"}, SecurityHub: []string{"CloudTrail.1"}},
			Weakened:    "made a trail single-region",
			Eval:        boolAttr("is_multi_region_trail", true, nil, "the trail covers every region", "the trail covers one region only")},
		&Check{ID: "DM-AWS-CT-002", Title: "CloudTrail log file validation is enabled", Severity: Medium, Provider: "aws", Types: trail,
			Rationale:   "Digest files prove whether log files were changed or deleted after delivery.",
			Remediation: "Enable log file validation.", Terraform: "resource \"aws_cloudtrail\" \"t\" { enable_log_file_validation = true }",
			Refs:     Refs{CIS: cis(CISAWS, "3.2"), Checkov: []string{"CKV_AWS_36"}, Prowler: []string{"cloudtrail_log_file_validation_enabled"}, SecurityHub: []string{"CloudTrail.4"}},
			Weakened: "turned off log file validation",
			Eval:     boolAttr("enable_log_file_validation", true, ptr(false), "log file validation is on", "log file validation is off")},
		&Check{ID: "DM-AWS-CT-003", Title: "CloudTrail logs are encrypted at rest with a KMS key", Severity: Medium, Provider: "aws", Types: trail,
			Rationale:   "SSE-KMS adds a second permission (kms:Decrypt) between a reader of the bucket and the logs.",
			Remediation: "Set a customer managed KMS key on the trail.", Terraform: "resource \"aws_cloudtrail\" \"t\" { kms_key_id = aws_kms_key.trail.arn }",
			Refs:     Refs{CIS: cis(CISAWS, "3.5"), Checkov: []string{"CKV_AWS_35"}, Prowler: []string{"cloudtrail_kms_encryption_enabled"}, SecurityHub: []string{"CloudTrail.2"}},
			Weakened: "removed KMS encryption from a trail", Eval: trailKMS},
		&Check{ID: "DM-AWS-CT-004", Title: "CloudTrail trail is logging", Severity: High, Provider: "aws", Types: trail,
			Rationale:   "A stopped trail records nothing; stopping it is a classic step in covering tracks.",
			Remediation: "Start logging on the trail.", Terraform: "resource \"aws_cloudtrail\" \"t\" { enable_logging = true }",
			Refs:     Refs{CIS: cis(CISAWS, "3.1"), Prowler: []string{"cloudtrail_multi_region_enabled_logging_management_events"}, SecurityHub: []string{"CloudTrail.1"}},
			Weakened: "stopped a CloudTrail trail",
			Eval:     boolAttr("enable_logging", true, nil, "the trail is logging", "the trail is not logging")},
		&Check{ID: "DM-AWS-CT-005", Title: "CloudTrail trail delivers to CloudWatch Logs", Severity: Low, Provider: "aws", Types: trail,
			Rationale:   "Metric filters and alarms on CloudWatch Logs turn the trail into real-time detection.",
			Remediation: "Set a CloudWatch Logs group and role on the trail.",
			Terraform:   "resource \"aws_cloudtrail\" \"t\" { cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.trail.arn}:*\"  cloud_watch_logs_role_arn = aws_iam_role.trail.arn }",
			Refs:        Refs{CIS: cis(CISAWS12, "2.4"), Checkov: []string{"CKV2_AWS_10"}, Prowler: []string{"cloudtrail_cloudwatch_logging_enabled"}, SecurityHub: []string{"CloudTrail.5"}},
			Weakened:    "disconnected a trail from CloudWatch Logs", Eval: trailCloudWatch},
		&Check{ID: "DM-AWS-KMS-001", Title: "KMS customer managed symmetric keys rotate automatically", Severity: Medium, Provider: "aws", Types: []string{"aws_kms_key"},
			Rationale:   "Rotation limits how much data one key version protects.",
			Remediation: "Enable automatic key rotation.", Terraform: "resource \"aws_kms_key\" \"k\" { enable_key_rotation = true }",
			Refs:     Refs{CIS: cis(CISAWS, "3.6"), Checkov: []string{"CKV_AWS_7"}, Prowler: []string{"kms_cmk_rotation_enabled"}, SecurityHub: []string{"KMS.4"}},
			Weakened: "turned off KMS key rotation", Eval: kmsRotation},
		&Check{ID: "DM-AWS-KMS-002", Title: "KMS key policy does not grant access to any principal", Severity: Critical, Provider: "aws", Types: []string{"aws_kms_key"},
			Rationale:   "A key policy with Principal \"*\" lets any AWS account use or manage the key.",
			Remediation: "Name the account root and the roles that use the key; add kms:CallerAccount or kms:ViaService conditions for service access.",
			Terraform:   "principals { type = \"AWS\"  identifiers = [\"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\"] }",
			Refs:        Refs{Checkov: []string{"CKV_AWS_33"}, Prowler: []string{"kms_key_not_publicly_accessible"}},
			Weakened:    "made a KMS key policy public", Eval: kmsPolicy},
		&Check{ID: "DM-AWS-VPC-001", Title: "VPC flow logging is enabled", Severity: Medium, Provider: "aws", Types: []string{"aws_vpc", "aws_default_vpc"},
			Rationale:   "Flow logs are the record of who talked to what; incident response starts there.",
			Remediation: "Create a flow log for every VPC (REJECT at least).",
			Terraform:   "resource \"aws_flow_log\" \"v\" { vpc_id = aws_vpc.main.id  traffic_type = \"REJECT\"  log_destination = aws_cloudwatch_log_group.flow.arn  iam_role_arn = aws_iam_role.flow.arn }",
			Notes:       "Evaluated only when the inventory lists aws_flow_log: discovery has no flow log lister yet, so live-only scans skip it rather than fail every VPC.",
			Refs:        Refs{CIS: cis(CISAWS, "3.7"), Checkov: []string{"CKV2_AWS_11"}, Prowler: []string{"vpc_flow_logs_enabled"}, SecurityHub: []string{"EC2.6"}},
			Weakened:    "removed a VPC flow log", Eval: flowLogs},
		&Check{ID: "DM-AWS-EC2-006", Title: "EBS volumes are encrypted", Severity: Medium, Provider: "aws", Types: []string{"aws_ebs_volume"},
			Rationale:   "Unencrypted volumes and their snapshots expose data to anyone who can copy them.",
			Remediation: "Create an encrypted copy from a snapshot and swap it in; turn on encryption by default.",
			Terraform:   "resource \"aws_ebs_volume\" \"v\" { encrypted = true  kms_key_id = aws_kms_key.ebs.arn }",
			Refs:        Refs{CIS: cis(CISAWS, "2.2.1"), Checkov: []string{"CKV_AWS_3"}, Prowler: []string{"ec2_ebs_volume_encryption"}, SecurityHub: []string{"EC2.3"}},
			Weakened:    "replaced a volume with an unencrypted one",
			Eval:        boolAttr("encrypted", true, nil, "the volume is encrypted", "the volume is not encrypted")},
		&Check{ID: "DM-AWS-EC2-007", Title: "EBS encryption by default is enabled", Severity: Medium, Provider: "aws", Types: []string{"aws_ebs_encryption_by_default"},
			Rationale:   "With encryption by default, no new volume can be created unencrypted by mistake.",
			Remediation: "Enable EBS encryption by default in every region.", Terraform: "resource \"aws_ebs_encryption_by_default\" \"on\" { enabled = true }",
			Refs:     Refs{CIS: cis(CISAWS, "2.2.1"), Checkov: []string{"CKV_AWS_106"}, Prowler: []string{"ec2_ebs_default_encryption"}, SecurityHub: []string{"EC2.7"}},
			Weakened: "turned off EBS encryption by default", Eval: ebsDefault},
		&Check{ID: "DM-AWS-EC2-008", Title: "EC2 instances require IMDSv2", Severity: Medium, Provider: "aws", Types: []string{"aws_instance", "aws_launch_template"},
			Rationale:   "IMDSv1 answers SSRF requests with the instance role's credentials; IMDSv2's session token stops that.",
			Remediation: "Set http_tokens = \"required\".", Terraform: "metadata_options { http_tokens = \"required\"  http_endpoint = \"enabled\" }",
			Notes:    "Evaluated when the inventory carries metadata_options (state does; live discovery does not yet).",
			Refs:     Refs{CIS: cis(CISAWS, "5.6"), Checkov: []string{"CKV_AWS_79"}, Prowler: []string{"ec2_instance_imdsv2_enabled"}, SecurityHub: []string{"EC2.8"}},
			Weakened: "re-enabled IMDSv1", Eval: imdsv2},
		&Check{ID: "DM-AWS-RDS-001", Title: "RDS instances are not publicly accessible", Severity: High, Provider: "aws", Types: []string{"aws_db_instance"},
			Rationale:   "A public endpoint puts the database's authentication alone between it and the internet.",
			Remediation: "Set publicly_accessible = false and reach the database from inside the VPC.",
			Terraform:   "resource \"aws_db_instance\" \"db\" { publicly_accessible = false }",
			Refs:        Refs{CIS: cis(CISAWS, "2.3.3"), Checkov: []string{"CKV_AWS_17"}, Prowler: []string{"rds_instance_no_public_access"}, SecurityHub: []string{"RDS.2"}},
			Weakened:    "made a database publicly accessible", Eval: rdsPublic},
		&Check{ID: "DM-AWS-RDS-002", Title: "RDS storage is encrypted", Severity: Medium, Provider: "aws", Types: []string{"aws_db_instance", "aws_rds_cluster"},
			Rationale:   "Encryption at rest covers the storage, automated backups, replicas and snapshots.",
			Remediation: "Restore an encrypted copy from a snapshot; encryption cannot be turned on in place.",
			Terraform:   "resource \"aws_db_instance\" \"db\" { storage_encrypted = true  kms_key_id = aws_kms_key.rds.arn }",
			Refs:        Refs{CIS: cis(CISAWS, "2.3.1"), Checkov: []string{"CKV_AWS_16", "CKV_AWS_96"}, Prowler: []string{"rds_instance_storage_encrypted"}, SecurityHub: []string{"RDS.3", "RDS.27"}},
			Weakened:    "replaced a database with unencrypted storage",
			Eval:        boolAttr("storage_encrypted", true, ptr(false), "storage is encrypted", "storage is not encrypted")},
		&Check{ID: "DM-AWS-RDS-003", Title: "RDS instances apply minor version upgrades automatically", Severity: Low, Provider: "aws", Types: []string{"aws_db_instance"},
			Rationale:   "Minor versions carry security fixes.",
			Remediation: "Set auto_minor_version_upgrade = true.", Terraform: "resource \"aws_db_instance\" \"db\" { auto_minor_version_upgrade = true }",
			Refs:     Refs{CIS: cis(CISAWS, "2.3.2"), Checkov: []string{"CKV_AWS_226"}, Prowler: []string{"rds_instance_minor_version_upgrade_enabled"}, SecurityHub: []string{"RDS.13"}},
			Weakened: "turned off automatic minor version upgrades",
			Eval:     boolAttr("auto_minor_version_upgrade", true, nil, "minor version upgrades are automatic", "minor version upgrades are off")},
		&Check{ID: "DM-AWS-SM-001", Title: "Secrets Manager secrets rotate automatically", Severity: Low, Provider: "aws", Types: []string{"aws_secretsmanager_secret"},
			Rationale:   "A rotated secret that leaks stops working.",
			Remediation: "Configure rotation with a rotation Lambda.",
			Terraform:   "resource \"aws_secretsmanager_secret_rotation\" \"r\" { secret_id = aws_secretsmanager_secret.s.id  rotation_lambda_arn = aws_lambda_function.rotate.arn  rotation_rules { automatically_after_days = 30 } }",
			Notes:       "Evaluated when the inventory carries rotation data (rotation_enabled or aws_secretsmanager_secret_rotation).",
			Refs:        Refs{Checkov: []string{"CKV2_AWS_57"}, Prowler: []string{"secretsmanager_automatic_rotation_enabled"}, SecurityHub: []string{"SecretsManager.1"}},
			Weakened:    "turned off secret rotation", Eval: secretNoRotation},
	)
	_ = fmt.Sprint
}
