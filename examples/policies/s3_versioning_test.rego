package driftmgr.acme.s3_versioning_test

import data.driftmgr.acme.s3_versioning

bucket := {"type": "aws_s3_bucket", "id": "logs", "attributes": {"bucket": "logs"}, "tags": {}}

test_separate_versioning_resource_passes if {
	count(s3_versioning.deny) == 0 with input as {
		"resource": bucket,
		"related": {"aws_s3_bucket_versioning": [{"type": "aws_s3_bucket_versioning", "attributes": {"bucket": "logs", "versioning_configuration": [{"status": "Enabled"}]}}]},
	}
}

test_inline_versioning_passes if {
	count(s3_versioning.deny) == 0 with input as {"resource": object.union(bucket, {"attributes": {"versioning": [{"enabled": true}]}}), "related": {}}
}

test_suspended_denied if {
	count(s3_versioning.deny) == 1 with input as {
		"resource": bucket,
		"related": {"aws_s3_bucket_versioning": [{"attributes": {"versioning_configuration": [{"status": "Suspended"}]}}]},
	}
}

test_no_versioning_denied if {
	count(s3_versioning.deny) == 1 with input as {"resource": bucket, "related": {}}
}
