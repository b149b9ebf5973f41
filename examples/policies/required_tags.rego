# Every taggable resource of these types carries the tags the cost and
# on-call tooling read. The metadata is given as a rule here; see
# s3_versioning.rego for the annotation form.
package driftmgr.acme.required_tags

metadata := {
	"id": "ACME-TAG-001",
	"title": "Resources carry the Owner and Environment tags",
	"severity": "low",
	"description": "Untagged resources have no owner to page and no cost centre to bill.",
	"remediation": "Add tags = { Owner = \"team\", Environment = \"prod\" } (or default_tags on the provider).",
	"frameworks": {"ACME Cloud Baseline": ["TAG-1"]},
	"resource_types": ["aws_instance", "aws_s3_bucket", "aws_db_instance", "aws_lambda_function"],
}

required := {"Owner", "Environment"}

deny contains {"msg": sprintf("missing required tag %s", [tag]), "path": "tags"} if {
	some tag in required
	not input.resource.tags[tag]
}
