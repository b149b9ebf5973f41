package awssim

import "github.com/driftmgr/driftmgr/internal/resource"

// restZoneID is the public hosted zone of restFixtures.
const restZoneID = "Z0123456789ABCDEFGHIJ"

// restFixtures are the DNS, CDN, function and Kubernetes types Fixtures
// includes, in Terraform's shape: Route 53 zones and records and the
// CloudFront distribution are global, the Lambda function and the EKS
// cluster regional. Record ids are the provider's ZONEID_NAME_TYPE[_SET].
func restFixtures(account, region string) []resource.Resource {
	tags := func(name string) map[string]any { return map[string]any{"Name": name, "env": "prod"} }
	record := func(name, typ, set string, attrs map[string]any) (string, map[string]any) {
		id := restZoneID + "_" + name + "_" + typ
		if set != "" {
			id += "_" + set
		}
		base := map[string]any{"zone_id": restZoneID, "name": name, "fqdn": name, "type": typ, "ttl": nil,
			"records": nil, "set_identifier": set, "alias": []any{}, "health_check_id": "",
			"weighted_routing_policy": []any{}, "latency_routing_policy": []any{}, "failover_routing_policy": []any{},
			"geolocation_routing_policy": []any{}, "multivalue_answer_routing_policy": false, "allow_overwrite": nil}
		for k, v := range attrs {
			base[k] = v
		}
		return id, base
	}
	fnArn := "arn:aws:lambda:" + region + ":" + account + ":function:app-api"
	distID := "E2QWRUHAPOMQZL"
	behavior := func(target, policy string, methods []any) map[string]any {
		return map[string]any{"allowed_methods": methods, "cached_methods": []any{"GET", "HEAD"},
			"target_origin_id": target, "viewer_protocol_policy": policy, "cache_policy_id": "",
			"origin_request_policy_id": "", "response_headers_policy_id": "", "realtime_log_config_arn": "",
			"field_level_encryption_id": "", "compress": true, "smooth_streaming": false, "default_ttl": float64(0),
			"min_ttl": float64(0), "max_ttl": float64(0), "trusted_signers": []any{}, "trusted_key_groups": []any{},
			"function_association": []any{}, "lambda_function_association": []any{}, "forwarded_values": []any{}}
	}
	def := behavior("s3-app", "redirect-to-https", []any{"GET", "HEAD", "OPTIONS"})
	def["cache_policy_id"] = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	api := behavior("alb-web", "https-only", []any{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})
	api["path_pattern"], api["compress"], api["max_ttl"] = "/api/*", false, float64(60)
	api["forwarded_values"] = []any{map[string]any{"query_string": true, "headers": []any{"Authorization", "Host"},
		"query_string_cache_keys": []any{}, "cookies": []any{map[string]any{"forward": "all", "whitelisted_names": []any{}}}}}
	api["function_association"] = []any{map[string]any{"event_type": "viewer-request",
		"function_arn": "arn:aws:cloudfront::" + account + ":function/rewrite"}}

	type fixture struct {
		typ, id string
		attrs   map[string]any
	}
	global := []fixture{
		{"aws_route53_zone", restZoneID, map[string]any{"zone_id": restZoneID, "name": "example.com",
			"arn": "arn:aws:route53:::hostedzone/" + restZoneID, "comment": "Managed by Terraform",
			"delegation_set_id": "", "force_destroy": false, "vpc": []any{},
			"name_servers":        []any{"ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.net", "ns-4.awsdns-04.com"},
			"primary_name_server": "ns-1.awsdns-01.org", "tags": tags("example.com")}},
		{"aws_route53_zone", "Z09876543210ZYXWVUTSR", map[string]any{"zone_id": "Z09876543210ZYXWVUTSR",
			"name": "internal.example", "arn": "arn:aws:route53:::hostedzone/Z09876543210ZYXWVUTSR",
			"comment": "private", "delegation_set_id": "", "force_destroy": false, "name_servers": []any{},
			"vpc": []any{map[string]any{"vpc_id": "vpc-0a1", "vpc_region": region}}, "tags": map[string]any{}}},
		{"aws_cloudfront_distribution", distID, map[string]any{
			"arn": "arn:aws:cloudfront::" + account + ":distribution/" + distID, "caller_reference": "terraform-20240101000000000000000001",
			"domain_name": "d111111abcdef8.cloudfront.net", "hosted_zone_id": "Z2FDTNDATAQYW2", "status": "Deployed",
			"etag": "E3UN6WX5RRO2AG", "enabled": true, "is_ipv6_enabled": true, "comment": "app cdn",
			"default_root_object": "index.html", "http_version": "http2", "price_class": "PriceClass_100",
			"web_acl_id": "", "staging": false, "retain_on_delete": false, "wait_for_deployment": true,
			"aliases": []any{"cdn.example.com"},
			"origin": []any{
				map[string]any{"origin_id": "alb-web", "domain_name": "web-1234567890." + region + ".elb.amazonaws.com",
					"origin_path": "", "connection_attempts": float64(3), "connection_timeout": float64(10),
					"origin_access_control_id": "", "s3_origin_config": []any{},
					"custom_header": []any{map[string]any{"name": "X-Origin-Verify", "value": "from-cloudfront"}},
					"custom_origin_config": []any{map[string]any{"http_port": float64(80), "https_port": float64(443),
						"origin_protocol_policy": "https-only", "origin_ssl_protocols": []any{"TLSv1.2"},
						"origin_read_timeout": float64(30), "origin_keepalive_timeout": float64(5)}}},
				map[string]any{"origin_id": "s3-app", "domain_name": "app-data-" + account + ".s3." + region + ".amazonaws.com",
					"origin_path": "/site", "connection_attempts": float64(3), "connection_timeout": float64(10),
					"origin_access_control_id": "", "custom_header": []any{}, "custom_origin_config": []any{},
					"s3_origin_config": []any{map[string]any{"origin_access_identity": "origin-access-identity/cloudfront/E1OAI0000000"}}},
			},
			"default_cache_behavior": []any{def},
			"ordered_cache_behavior": []any{api},
			"custom_error_response": []any{map[string]any{"error_code": float64(404), "response_code": float64(200),
				"response_page_path": "/index.html", "error_caching_min_ttl": float64(10)}},
			"logging_config": []any{map[string]any{"bucket": "logs-" + account + ".s3.amazonaws.com",
				"include_cookies": false, "prefix": "cdn/"}},
			"restrictions": []any{map[string]any{"geo_restriction": []any{map[string]any{
				"restriction_type": "whitelist", "locations": []any{"DE", "FR", "US"}}}}},
			"viewer_certificate": []any{map[string]any{
				"acm_certificate_arn":            "arn:aws:acm:us-east-1:" + account + ":certificate/1234",
				"cloudfront_default_certificate": false, "iam_certificate_id": "",
				"minimum_protocol_version": "TLSv1.2_2021", "ssl_support_method": "sni-only"}},
			"tags": tags("cdn")}},
	}
	for _, r := range []struct {
		name, typ, set string
		attrs          map[string]any
	}{
		{"www.example.com", "A", "", map[string]any{"ttl": float64(300), "records": []any{"203.0.113.10"}}},
		{"example.com", "A", "", map[string]any{"alias": []any{map[string]any{"name": "d111111abcdef8.cloudfront.net",
			"zone_id": "Z2FDTNDATAQYW2", "evaluate_target_health": false}}}},
		{"example.com", "TXT", "", map[string]any{"ttl": float64(300), "records": []any{"v=spf1 include:_spf.example.com ~all"}}},
		{"api.example.com", "CNAME", "blue", map[string]any{"ttl": float64(60), "records": []any{"blue.example.net"},
			"weighted_routing_policy": []any{map[string]any{"weight": float64(90)}}}},
		{"*.example.com", "A", "", map[string]any{"ttl": float64(300), "records": []any{"203.0.113.20"}}},
	} {
		id, attrs := record(r.name, r.typ, r.set, r.attrs)
		global = append(global, fixture{"aws_route53_record", id, attrs})
	}
	regional := []fixture{
		{"aws_lambda_function", "app-api", map[string]any{"arn": fnArn, "function_name": "app-api",
			"role": "arn:aws:iam::" + account + ":role/app", "handler": "main.handler", "runtime": "python3.12",
			"description": "app api", "memory_size": float64(256), "timeout": float64(15), "package_type": "Zip",
			"kms_key_arn": "", "publish": false, "reserved_concurrent_executions": float64(10),
			"filename": "app.zip", "source_code_hash": "abc=",
			// The security scanner looks for secrets in environment variables:
			// the fixture carries a fake one.
			"environment": []any{map[string]any{"variables": map[string]any{"LOG_LEVEL": "info",
				"DB_PASSWORD": "fixture-not-a-secret"}}},
			"vpc_config": []any{map[string]any{"subnet_ids": []any{"subnet-0a1", "subnet-0b1"},
				"security_group_ids": []any{"sg-0a1"}, "vpc_id": "vpc-0a1", "ipv6_allowed_for_dual_stack": false}},
			"layers":             []any{"arn:aws:lambda:" + region + ":" + account + ":layer:common:3"},
			"architectures":      []any{"arm64"},
			"tracing_config":     []any{map[string]any{"mode": "Active"}},
			"ephemeral_storage":  []any{map[string]any{"size": float64(512)}},
			"dead_letter_config": []any{},
			"code_sha256":        "abc=", "source_code_size": float64(1024),
			"last_modified": "2024-01-01T00:00:00.000+0000", "version": "$LATEST",
			"qualified_arn": fnArn + ":$LATEST",
			"invoke_arn":    "arn:aws:apigateway:" + region + ":lambda:path/2015-03-31/functions/" + fnArn + "/invocations",
			"tags":          tags("app-api")}},
		{"aws_eks_cluster", "app", map[string]any{"name": "app",
			"arn": "arn:aws:eks:" + region + ":" + account + ":cluster/app", "role_arn": "arn:aws:iam::" + account + ":role/eks",
			"version": "1.30", "platform_version": "eks.8", "status": "ACTIVE",
			"endpoint":   "https://ABCDEF0123456789.gr7." + region + ".eks.amazonaws.com",
			"created_at": "2024-01-01T00:00:00Z", "bootstrap_self_managed_addons": true,
			"certificate_authority": []any{map[string]any{"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="}},
			"vpc_config": []any{map[string]any{"subnet_ids": []any{"subnet-0a1", "subnet-0b1"},
				"security_group_ids": []any{"sg-0a1"}, "endpoint_public_access": false, "endpoint_private_access": true,
				"public_access_cidrs": []any{"0.0.0.0/0"}, "cluster_security_group_id": "sg-0eks", "vpc_id": "vpc-0a1"}},
			"enabled_cluster_log_types": []any{"api", "audit"},
			"encryption_config": []any{map[string]any{"resources": []any{"secrets"},
				"provider": []any{map[string]any{"key_arn": "arn:aws:kms:" + region + ":" + account + ":key/1234"}}}},
			"kubernetes_network_config": []any{map[string]any{"service_ipv4_cidr": "172.20.0.0/16",
				"service_ipv6_cidr": "", "ip_family": "ipv4"}},
			"access_config": []any{map[string]any{"authentication_mode": "API_AND_CONFIG_MAP",
				"bootstrap_cluster_creator_admin_permissions": true}},
			"identity": []any{map[string]any{"oidc": []any{map[string]any{
				"issuer": "https://oidc.eks." + region + ".amazonaws.com/id/ABCDEF0123456789"}}}},
			"upgrade_policy": []any{map[string]any{"support_type": "STANDARD"}},
			"tags":           tags("app")}},
	}
	var out []resource.Resource
	for _, r := range regional {
		r.attrs["id"] = r.id
		out = append(out, resource.Resource{Provider: "aws", Type: r.typ, ID: r.id, Account: account,
			Region: region, Attrs: jsonShape(r.attrs), Tags: flatTags(r.attrs)})
	}
	for _, r := range global {
		r.attrs["id"] = r.id
		out = append(out, resource.Resource{Provider: "aws", Type: r.typ, ID: r.id, Account: account,
			Attrs: jsonShape(r.attrs), Tags: flatTags(r.attrs)})
	}
	return out
}
