package awssim

import "github.com/driftmgr/driftmgr/internal/resource"

// appFixtures are the EC2 security group rules, VPC endpoints and launch
// templates, and the database, topic, load balancer, scaling, DNS,
// function and CDN types Fixtures includes, in Terraform's shape. Route 53
// and CloudFront are global.
func appFixtures(account, region string) []resource.Resource {
	arn := func(kind, id string) string { return "arn:aws:ec2:" + region + ":" + account + ":" + kind + "/" + id }
	tags := func(name string) map[string]any { return map[string]any{"Name": name, "env": "prod"} }
	endpointPolicy := `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	regional := []struct {
		typ, id string
		attrs   map[string]any
	}{
		{"aws_vpc_security_group_ingress_rule", "sgr-0a1", map[string]any{"arn": arn("security-group-rule", "sgr-0a1"),
			"security_group_rule_id": "sgr-0a1", "security_group_id": "sg-0a1", "ip_protocol": "tcp",
			"from_port": float64(443), "to_port": float64(443), "cidr_ipv4": "0.0.0.0/0", "cidr_ipv6": nil,
			"prefix_list_id": nil, "referenced_security_group_id": nil, "description": "https", "tags": tags("https")}},
		{"aws_vpc_security_group_egress_rule", "sgr-0a2", map[string]any{"arn": arn("security-group-rule", "sgr-0a2"),
			"security_group_rule_id": "sgr-0a2", "security_group_id": "sg-0a1", "ip_protocol": "-1",
			"from_port": nil, "to_port": nil, "cidr_ipv4": "0.0.0.0/0", "cidr_ipv6": nil, "prefix_list_id": nil,
			"referenced_security_group_id": nil, "description": nil, "tags": nil}},
		{"aws_vpc_endpoint", "vpce-0a1", map[string]any{"arn": arn("vpc-endpoint", "vpce-0a1"), "vpc_id": "vpc-0a1",
			"service_name": "com.amazonaws." + region + ".s3", "vpc_endpoint_type": "Gateway", "state": "available",
			"policy": endpointPolicy, "route_table_ids": []any{"rtb-0a1"}, "subnet_ids": []any{},
			"security_group_ids": []any{}, "network_interface_ids": []any{}, "private_dns_enabled": false,
			"requester_managed": false, "ip_address_type": "", "dns_entry": []any{}, "owner_id": account,
			"auto_accept": nil, "tags": tags("s3")}},
		{"aws_launch_template", "lt-0a1", map[string]any{"arn": arn("launch-template", "lt-0a1"), "name": "app",
			"description": "app servers", "default_version": float64(1), "latest_version": float64(1),
			"image_id": "ami-0abc", "instance_type": "t3.micro", "key_name": "deploy",
			"user_data": "IyEvYmluL3NoCmVjaG8gaGVsbG8K", "kernel_id": "", "ram_disk_id": "",
			"vpc_security_group_ids": []any{"sg-0a1"}, "security_group_names": []any{}, "ebs_optimized": "true",
			"disable_api_termination": false, "disable_api_stop": false, "instance_initiated_shutdown_behavior": "",
			"update_default_version": nil,
			"iam_instance_profile": []any{map[string]any{"arn": "", "name": "app"}},
			"monitoring":           []any{map[string]any{"enabled": true}},
			"metadata_options": []any{map[string]any{"http_endpoint": "enabled", "http_tokens": "required",
				"http_put_response_hop_limit": float64(1), "http_protocol_ipv6": "disabled",
				"instance_metadata_tags": "disabled"}},
			"block_device_mappings": []any{map[string]any{"device_name": "/dev/xvda", "virtual_name": "", "no_device": "",
				"ebs": []any{map[string]any{"volume_size": float64(20), "volume_type": "gp3", "encrypted": "true",
					"delete_on_termination": "true", "iops": float64(0), "throughput": float64(0), "kms_key_id": "",
					"snapshot_id": ""}}}},
			"tag_specifications": []any{map[string]any{"resource_type": "instance", "tags": map[string]any{"Name": "app"}}},
			"tags":               tags("app")}},
	}
	global := []struct {
		typ, id string
		attrs   map[string]any
	}{}
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
