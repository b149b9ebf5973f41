package drift

// jsonTypeRules are the rules of the types the AWS JSON-protocol listers
// read (DynamoDB, ACM, ECS, Secrets Manager), kept apart from the main
// table and merged into it at init like restTypeRules.
//
// Each Sets entry is an attribute the provider schema declares a set: the
// provider writes it to state in hash order, the API answers in its own
// order, so comparing them as lists reports drift nobody made. Object sets
// are paired by the key fields given so a changed element reads as a diff
// inside it.
//
// aws_ecr_repository needs nothing: its blocks (image_scanning_configuration,
// encryption_configuration) are lists of at most one element.
var jsonTypeRules = map[string]*Rules{
	"aws_dynamodb_table": {
		Sets: map[string][]string{
			"attribute":              {"name"},
			"global_secondary_index": {"name"},
			"global_secondary_index.non_key_attributes": nil,
			"local_secondary_index":                     {"name"},
			"replica":                                   {"region_name"},
		},
		// Provider versions that support multi-attribute keys store an
		// index's key_schema; older ones (and the lister) give only
		// hash_key and range_key, which are compared either way.
		Unknown: set("global_secondary_index.key_schema"),
	},
	"aws_acm_certificate": {
		Sets: map[string][]string{
			"subject_alternative_names": nil,
			"domain_validation_options": {"domain_name"},
		},
	},
	"aws_ecs_cluster": {
		Sets: map[string][]string{"setting": {"name"}},
	},
	"aws_ecs_service": {
		// ordered_placement_strategy is a list on purpose: its order is
		// the order strategies apply in.
		Sets: map[string][]string{
			"load_balancer":                         {"target_group_arn", "elb_name"},
			"capacity_provider_strategy":            {"capacity_provider"},
			"network_configuration.subnets":         nil,
			"network_configuration.security_groups": nil,
		},
		// The provider saves these "in the same format" as the
		// configuration: a cluster name or ARN, a role name or ARN, a
		// task definition's family:revision or ARN. The API answers ARNs.
		Refs: set("cluster", "iam_role", "task_definition"),
	},
	"aws_secretsmanager_secret": {
		Sets: map[string][]string{"replica": {"region"}},
	},
}

func init() {
	for typ, r := range jsonTypeRules {
		if cur, ok := typeRules[typ]; ok {
			cur.merge(r)
			continue
		}
		typeRules[typ] = r
	}
}
