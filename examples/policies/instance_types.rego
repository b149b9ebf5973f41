# METADATA
# title: EC2 instances use an approved instance family
# custom:
#   id: ACME-EC2-001
#   severity: info
#   frameworks: [ACME Cloud Baseline]
#   resource_types: [aws_instance, aws_launch_template]
package driftmgr.acme.instance_types

approved := {"t3", "t4g", "m6i", "m7g", "c7g", "r7g"}

family := split(input.resource.attributes.instance_type, ".")[0]

violation contains {"msg": sprintf("instance family %s is not approved (use one of %s)", [family, concat(", ", sort(approved))]), "path": "instance_type"} if {
	not approved[family]
}
