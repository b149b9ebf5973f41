package driftmgr.acme.instance_types_test

import data.driftmgr.acme.instance_types

test_approved if {
	count(instance_types.violation) == 0 with input as {"resource": {"attributes": {"instance_type": "t3.micro"}}}
}

test_unapproved if {
	some v in instance_types.violation with input as {"resource": {"attributes": {"instance_type": "p4d.24xlarge"}}}
	v.path == "instance_type"
}

# An instance type not in the configuration (known after apply) is not judged.
test_unknown_not_judged if {
	count(instance_types.violation) == 0 with input as {"resource": {"attributes": {}}}
}
