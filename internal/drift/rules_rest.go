package drift

// restTypeRules are the rules of the DNS, CDN, function and Kubernetes
// types (Route 53, CloudFront, Lambda, EKS), kept apart from the main
// table and merged into it at init so adding them touches no shared line.
//
// Terraform keeps a set of strings sorted in state but a set of objects
// in hash order, while the listers emit both sorted by key: the object
// sets are compared without order and paired by these keys.
var restTypeRules = map[string]*Rules{
	"aws_cloudfront_distribution": {
		Sets: map[string][]string{
			"origin":                {"origin_id"},
			"origin.custom_header":  {"name"},
			"origin_group":          {"origin_id"},
			"custom_error_response": {"error_code"},
			"default_cache_behavior.function_association":        {"event_type"},
			"default_cache_behavior.lambda_function_association": {"event_type"},
			"ordered_cache_behavior.function_association":        {"event_type"},
			"ordered_cache_behavior.lambda_function_association": {"event_type"},
		},
		// Deployment progress, and arguments only the provider reads.
		Ignore: set("status", "in_progress_validation_batches", "last_modified_time",
			"retain_on_delete", "wait_for_deployment"),
	},
	"aws_route53_zone": {Sets: map[string][]string{"vpc": {"vpc_id"}}},
	// The provider keeps a record's name as written ("www" in zone
	// example.com); the full name is in its id and fqdn, so a renamed
	// record never pairs with its old self and name says nothing more.
	"aws_route53_record": {Ignore: set("name", "allow_overwrite")},
	"aws_eks_cluster": {
		// AWS moves clusters to new platform versions on its own; provider
		// versions spelled created_at differently (RFC 3339 or Go's
		// time.String) for a time that never changes.
		Ignore: set("platform_version", "status", "created_at"),
	},
}

func init() {
	for typ, r := range restTypeRules {
		if cur, ok := typeRules[typ]; ok {
			cur.merge(r)
			continue
		}
		typeRules[typ] = r
	}
}
