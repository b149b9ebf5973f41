package driftmgr.acme.sg_rule_descriptions_test

import data.driftmgr.acme.sg_rule_descriptions

test_described if {
	count(sg_rule_descriptions.deny) == 0 with input as {"resource": {"attributes": {"ingress": [{"from_port": 443, "to_port": 443, "description": "public HTTPS"}]}}}
}

test_undescribed if {
	count(sg_rule_descriptions.deny) == 1 with input as {"resource": {"attributes": {"ingress": [{"from_port": 443, "to_port": 443, "description": "ok"}, {"from_port": 22, "to_port": 22}]}}}
}
