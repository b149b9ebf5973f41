package scan

import (
	"github.com/driftmgr/driftmgr/internal/resource"
)

func configRecorder(_ *Index, r *resource.Resource) *Outcome {
	g := block(r.Attrs, "recording_group")
	if g == nil {
		return nil
	}
	e := []Evidence{ev(r, r, "recording_group[0].all_supported", g["all_supported"]),
		ev(r, r, "recording_group[0].include_global_resource_types", g["include_global_resource_types"])}
	if isTrue(g["all_supported"]) && isTrue(g["include_global_resource_types"]) {
		return pass("the recorder records every supported resource type, global ones included", e...)
	}
	return fail("the recorder does not record every resource type (all_supported and include_global_resource_types)", e...)
}

// trailBucketLogging looks for server access logging on the bucket the
// trail writes to.
func trailBucketLogging(ix *Index, r *resource.Resource) *Outcome {
	name := str(r.Attrs["s3_bucket_name"])
	if name == "" || !ix.Has("aws_s3_bucket_logging") && len(ix.By("aws_s3_bucket", "bucket", name)) == 0 {
		return nil // the trail's bucket is not in the inventory
	}
	if ls := ix.By("aws_s3_bucket_logging", "bucket", name); len(ls) > 0 {
		return pass("the trail's bucket logs access to "+str(ls[0].Attrs["target_bucket"]), ev(r, ls[0], "target_bucket", ls[0].Attrs["target_bucket"]))
	}
	for _, b := range ix.By("aws_s3_bucket", "bucket", name) {
		if lg := block(b.Attrs, "logging"); lg != nil && str(lg["target_bucket"]) != "" {
			return pass("the trail's bucket logs access", ev(r, b, "logging[0].target_bucket", lg["target_bucket"]))
		}
	}
	return fail("the trail's bucket "+name+" has no server access logging", ev(r, r, "s3_bucket_name", name),
		Evidence{Resource: "aws_s3_bucket_logging", Path: "bucket", Value: nil})
}

func init() {
	register(
		&Check{ID: "DM-AWS-EFS-001", Title: "EFS file systems are encrypted at rest", Severity: Medium, Provider: "aws", Types: []string{"aws_efs_file_system"},
			Rationale:   "Encryption at rest protects the file system's data and backups.",
			Remediation: "Create an encrypted file system and move the data; encryption cannot be turned on in place.",
			Terraform:   "resource \"aws_efs_file_system\" \"fs\" { encrypted = true  kms_key_id = aws_kms_key.efs.arn }",
			Refs:        Refs{CIS: cis(CISAWS, "2.4.1"), Checkov: []string{"CKV_AWS_42"}, Prowler: []string{"efs_encryption_at_rest_enabled"}, SecurityHub: []string{"EFS.1"}},
			Weakened:    "replaced a file system with an unencrypted one",
			Eval:        boolAttr("encrypted", true, ptr(false), "the file system is encrypted", "the file system is not encrypted")},
		&Check{ID: "DM-AWS-CFG-001", Title: "AWS Config records all resource types", Severity: Medium, Provider: "aws", Types: []string{"aws_config_configuration_recorder"},
			Rationale:   "Config's history answers what changed, when and by whom for every resource.",
			Remediation: "Record all supported resource types including global ones, in every region.",
			Terraform:   "recording_group { all_supported = true  include_global_resource_types = true }",
			Notes:       "Checks the recorders in the inventory; a region without any recorder is not visible to a per-resource check.",
			Refs:        Refs{CIS: cis(CISAWS, "3.3"), Checkov: []string{"CKV2_AWS_48"}, Prowler: []string{"config_recorder_all_regions_enabled"}, SecurityHub: []string{"Config.1"}},
			Weakened:    "narrowed what AWS Config records", Eval: configRecorder},
		&Check{ID: "DM-AWS-CT-006", Title: "The CloudTrail bucket has server access logging", Severity: Low, Provider: "aws", Types: []string{"aws_cloudtrail"},
			Rationale:   "Access logs of the trail bucket show who read or tried to tamper with the audit trail.",
			Remediation: "Enable server access logging on the bucket the trail writes to.",
			Terraform:   "resource \"aws_s3_bucket_logging\" \"trail\" { bucket = aws_s3_bucket.trail.id  target_bucket = aws_s3_bucket.access_logs.id  target_prefix = \"trail/\" }",
			Notes:       "Evaluated when the trail's bucket (or bucket logging configurations) are in the inventory.",
			Refs:        Refs{CIS: cis(CISAWS, "3.4"), Checkov: []string{"CKV_AWS_18"}, Prowler: []string{"cloudtrail_logs_s3_bucket_access_logging_enabled"}, SecurityHub: []string{"CloudTrail.7"}},
			Weakened:    "turned off access logging on the trail bucket", Eval: trailBucketLogging},
	)
}
