package driftmgr.acme.required_tags_test

import data.driftmgr.acme.required_tags

test_tagged_passes if {
	count(required_tags.deny) == 0 with input as {"resource": {"type": "aws_s3_bucket", "tags": {"Owner": "platform", "Environment": "prod"}, "attributes": {}}}
}

test_missing_owner_denied if {
	some d in required_tags.deny with input as {"resource": {"type": "aws_s3_bucket", "tags": {"Environment": "prod"}, "attributes": {}}}
	d.msg == "missing required tag Owner"
}

test_untagged_denied_twice if {
	count(required_tags.deny) == 2 with input as {"resource": {"type": "aws_instance", "tags": {}, "attributes": {}}}
}
