package awssim

import "github.com/driftmgr/driftmgr/internal/resource"

// appFixtures are the EC2 security group rules, VPC endpoints and launch
// templates, and the database, topic, load balancer, scaling, DNS,
// function and CDN types Fixtures includes, in Terraform's shape. Route 53
// and CloudFront are global.
func appFixtures(account, region string) []resource.Resource {
	arn := func(kind, id string) string { return "arn:aws:ec2:" + region + ":" + account + ":" + kind + "/" + id }
	rdsArn := func(kind, name string) string {
		return "arn:aws:rds:" + region + ":" + account + ":" + kind + ":" + name
	}
	topicArn := "arn:aws:sns:" + region + ":" + account + ":alerts"
	topicPolicy := `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"owner","Effect":"Allow",` +
		`"Principal":{"AWS":"*"},"Action":"SNS:Publish","Resource":"` + topicArn + `",` +
		`"Condition":{"StringEquals":{"AWS:SourceOwner":"` + account + `"}}}]}`
	lbArn := "arn:aws:elasticloadbalancing:" + region + ":" + account + ":loadbalancer/app/web/50dc6c495c0c9188"
	tgArn := "arn:aws:elasticloadbalancing:" + region + ":" + account + ":targetgroup/web/73e2d6bc24d8a067"
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
			"iam_instance_profile":   []any{map[string]any{"arn": "", "name": "app"}},
			"monitoring":             []any{map[string]any{"enabled": true}},
			"metadata_options": []any{map[string]any{"http_endpoint": "enabled", "http_tokens": "required",
				"http_put_response_hop_limit": float64(1), "http_protocol_ipv6": "disabled",
				"instance_metadata_tags": "disabled"}},
			"block_device_mappings": []any{map[string]any{"device_name": "/dev/xvda", "virtual_name": "", "no_device": "",
				"ebs": []any{map[string]any{"volume_size": float64(20), "volume_type": "gp3", "encrypted": "true",
					"delete_on_termination": "true", "iops": float64(0), "throughput": float64(0), "kms_key_id": "",
					"snapshot_id": ""}}}},
			"tag_specifications": []any{map[string]any{"resource_type": "instance", "tags": map[string]any{"Name": "app"}}},
			"tags":               tags("app")}},
		{"aws_db_instance", "db-ABCDEFGHIJKLMNOPQRSTUVWXY1", map[string]any{"arn": rdsArn("db", "app-db"),
			"identifier": "app-db", "resource_id": "db-ABCDEFGHIJKLMNOPQRSTUVWXY1", "instance_class": "db.t3.micro",
			"engine": "postgres", "engine_version": "16.3", "username": "app", "db_name": "app", "password": nil,
			"allocated_storage": float64(20), "max_allocated_storage": float64(100), "storage_type": "gp3",
			"iops": float64(3000), "storage_throughput": float64(125), "storage_encrypted": true,
			"kms_key_id": "arn:aws:kms:" + region + ":" + account + ":key/1234", "multi_az": false,
			"availability_zone": region + "a", "publicly_accessible": false, "vpc_security_group_ids": []any{"sg-0a1"},
			"db_subnet_group_name": "app", "parameter_group_name": "default.postgres16",
			"backup_retention_period": float64(7), "backup_window": "03:00-04:00",
			"maintenance_window": "sun:05:00-sun:06:00", "auto_minor_version_upgrade": true,
			"deletion_protection": true, "copy_tags_to_snapshot": true, "monitoring_interval": float64(0),
			"iam_database_authentication_enabled": false, "performance_insights_enabled": false,
			"ca_cert_identifier": "rds-ca-rsa2048-g1", "license_model": "postgresql-license",
			"cluster_identifier": "", "network_type": "IPV4", "status": "available",
			"enabled_cloudwatch_logs_exports": []any{"postgresql"}, "port": float64(5432),
			"address":  "app-db.c0awssim." + region + ".rds.amazonaws.com",
			"endpoint": "app-db.c0awssim." + region + ".rds.amazonaws.com:5432", "hosted_zone_id": "Z2R2ITUGPM61AM",
			"skip_final_snapshot": true, "tags": tags("app-db")}},
		{"aws_rds_cluster", "app-aurora", map[string]any{"arn": rdsArn("cluster", "app-aurora"),
			"cluster_identifier": "app-aurora", "cluster_resource_id": "cluster-ABCDEFGHIJKLMNOPQRSTUVWXY1",
			"engine": "aurora-postgresql", "engine_version": "16.2", "engine_mode": "provisioned",
			"database_name": "app", "master_username": "app", "master_password": nil, "port": float64(5432),
			"db_subnet_group_name": "app", "db_cluster_parameter_group_name": "default.aurora-postgresql16",
			"vpc_security_group_ids": []any{"sg-0a1"}, "availability_zones": []any{region + "a", region + "b", region + "c"},
			"backup_retention_period": float64(7), "preferred_backup_window": "03:00-04:00",
			"preferred_maintenance_window": "sun:05:00-sun:06:00", "storage_encrypted": true,
			"kms_key_id": "arn:aws:kms:" + region + ":" + account + ":key/1234", "storage_type": "aurora",
			"deletion_protection": true, "copy_tags_to_snapshot": true, "iam_database_authentication_enabled": true,
			"endpoint":        "app-aurora.cluster-c0awssim." + region + ".rds.amazonaws.com",
			"reader_endpoint": "app-aurora.cluster-ro-c0awssim." + region + ".rds.amazonaws.com",
			"hosted_zone_id":  "Z2R2ITUGPM61AM", "network_type": "IPV4", "cluster_members": []any{"app-aurora-1"},
			"enabled_cloudwatch_logs_exports": []any{"postgresql"}, "tags": tags("app-aurora")}},
		{"aws_db_subnet_group", "app", map[string]any{"arn": rdsArn("subgrp", "app"), "name": "app",
			"description": "app databases", "vpc_id": "vpc-0a1", "subnet_ids": []any{"subnet-0a1", "subnet-0b1"},
			"supported_network_types": []any{"IPV4"}, "tags": tags("app")}},
		{"aws_sns_topic", topicArn, map[string]any{"arn": topicArn, "name": "alerts", "display_name": "Alerts",
			"policy": topicPolicy, "delivery_policy": "", "kms_master_key_id": "alias/aws/sns",
			"signature_version": float64(0), "tracing_config": "", "fifo_topic": false,
			"content_based_deduplication": false, "owner": account, "tags": tags("alerts")}},
		{"aws_sns_topic_subscription", topicArn + ":5f2a1c3e-0000-4000-8000-000000000001", map[string]any{
			"arn": topicArn + ":5f2a1c3e-0000-4000-8000-000000000001", "topic_arn": topicArn, "protocol": "sqs",
			"endpoint": "arn:aws:sqs:" + region + ":" + account + ":alerts", "owner_id": account,
			"raw_message_delivery": true, "filter_policy": `{"severity":["high"]}`, "filter_policy_scope": "MessageAttributes",
			"redrive_policy": "", "subscription_role_arn": "", "confirmation_was_authenticated": true,
			"pending_confirmation": false, "endpoint_auto_confirms": false}},
		{"aws_lb", lbArn, map[string]any{"arn": lbArn, "name": "web", "internal": false,
			"load_balancer_type": "application", "security_groups": []any{"sg-0a1"},
			"subnets": []any{"subnet-0a1", "subnet-0b1"}, "ip_address_type": "ipv4", "vpc_id": "vpc-0a1",
			"dns_name": "web-1234567890." + region + ".elb.amazonaws.com", "zone_id": "Z35SXDOTRQ7X7K",
			"enable_deletion_protection": true, "enable_http2": true, "enable_cross_zone_load_balancing": true,
			"idle_timeout": float64(60), "tags": tags("web")}},
		{"aws_lb_target_group", tgArn, map[string]any{"arn": tgArn, "name": "web", "port": float64(8080),
			"protocol": "HTTP", "protocol_version": "HTTP1", "vpc_id": "vpc-0a1", "target_type": "instance",
			"ip_address_type": "ipv4", "load_balancer_arns": []any{lbArn},
			"health_check": []any{map[string]any{"enabled": true, "protocol": "HTTP", "port": "traffic-port",
				"path": "/healthz", "interval": float64(30), "timeout": float64(5), "healthy_threshold": float64(3),
				"unhealthy_threshold": float64(3), "matcher": "200"}}, "tags": tags("web")}},
		{"aws_lb_listener", lbArn[:len(lbArn)-len("loadbalancer/app/web/50dc6c495c0c9188")] + "listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2",
			map[string]any{"load_balancer_arn": lbArn, "port": float64(443), "protocol": "HTTPS",
				"ssl_policy":      "ELBSecurityPolicy-TLS13-1-2-2021-06",
				"certificate_arn": "arn:aws:acm:" + region + ":" + account + ":certificate/1234",
				"default_action":  []any{map[string]any{"type": "forward", "target_group_arn": tgArn, "order": float64(1)}},
				"tags":            map[string]any{}}},
		{"aws_autoscaling_group", "app", map[string]any{"name": "app", "min_size": float64(2), "max_size": float64(6),
			"desired_capacity": float64(2), "default_cooldown": float64(300), "availability_zones": []any{region + "a"},
			"vpc_zone_identifier": []any{"subnet-0a1"}, "load_balancers": []any{}, "target_group_arns": []any{tgArn},
			"health_check_type": "ELB", "health_check_grace_period": float64(300),
			"termination_policies": []any{"Default"}, "protect_from_scale_in": false, "capacity_rebalance": false,
			"service_linked_role_arn": "", "max_instance_lifetime": float64(0),
			"launch_template": []any{map[string]any{"id": "lt-0a1", "name": "app", "version": "$Latest"}},
			"tag":             []any{map[string]any{"key": "Name", "value": "app", "propagate_at_launch": true}}}},
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
