# METADATA
# title: S3 buckets keep object versions
# description: Without versioning an overwrite or delete cannot be undone, by mistake or by ransomware.
# custom:
#   id: ACME-S3-001
#   severity: medium
#   remediation: Add an aws_s3_bucket_versioning resource with versioning_configuration { status = "Enabled" }.
#   frameworks:
#     ACME Cloud Baseline: [S3-2]
#   resource_types: [aws_s3_bucket]
#   related_types: [aws_s3_bucket_versioning]
package driftmgr.acme.s3_versioning

# Versioning is on when the inline (provider v3) block or a separate
# aws_s3_bucket_versioning resource says Enabled.
enabled if input.resource.attributes.versioning[0].enabled == true

enabled if {
	some v in input.related.aws_s3_bucket_versioning
	v.attributes.versioning_configuration[0].status == "Enabled"
}

deny contains {"msg": "bucket versioning is not enabled", "paths": ["versioning"]} if not enabled
