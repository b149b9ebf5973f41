# METADATA
# title: Security group ingress rules say why they exist
# custom:
#   id: ACME-NET-001
#   severity: low
#   remediation: Give every ingress block a description naming the client it admits.
#   frameworks: [ACME Cloud Baseline]
#   resource_types: [aws_security_group]
package driftmgr.acme.sg_rule_descriptions

deny contains {"msg": sprintf("ingress rule %d (ports %v-%v) has no description", [i, rule.from_port, rule.to_port]), "path": sprintf("ingress[%d].description", [i])} if {
	some i, rule in input.resource.attributes.ingress
	object.get(rule, "description", "") == ""
}
