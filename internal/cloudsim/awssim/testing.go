package awssim

import (
	"encoding/json"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Fixtures returns one Terraform-shaped resource of every type the
// simulator renders, in one account and region (IAM ones global), the way
// Terraform state holds them. Tests put them in a world and expect the
// listers to read them back without drift.
func Fixtures(account, region string) []resource.Resource {
	arn := func(kind, id string) string { return "arn:aws:ec2:" + region + ":" + account + ":" + kind + "/" + id }
	iamArn := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + name }
	policyArn := iamArn("policy", "app-read")
	rule := func(proto string, from, to float64, desc string, cidrs ...any) map[string]any {
		return map[string]any{"protocol": proto, "from_port": from, "to_port": to, "cidr_blocks": cidrs,
			"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{},
			"self": false, "description": desc}
	}
	peer := rule("tcp", 8080, 8080, "from peers")
	peer["security_groups"] = []any{"sg-0peer"}
	peer["self"] = true
	empty := func(keys ...string) map[string]any {
		m := map[string]any{}
		for _, k := range keys {
			m[k] = ""
		}
		return m
	}
	route := empty("ipv6_cidr_block", "destination_prefix_list_id", "vpc_endpoint_id", "nat_gateway_id",
		"network_interface_id", "transit_gateway_id", "vpc_peering_connection_id", "egress_only_gateway_id",
		"carrier_gateway_id", "local_gateway_id", "core_network_arn")
	route["cidr_block"], route["gateway_id"] = "0.0.0.0/0", "igw-0a1"
	acl := func(no float64, proto, action, cidr string, from, to float64) map[string]any {
		return map[string]any{"rule_no": no, "protocol": proto, "action": action, "cidr_block": cidr,
			"ipv6_cidr_block": "", "from_port": from, "to_port": to, "icmp_type": float64(0), "icmp_code": float64(0)}
	}
	tags := func(name string) map[string]any { return map[string]any{"Name": name, "env": "prod"} }
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

	regional := []struct {
		typ, id string
		attrs   map[string]any
	}{
		{"aws_vpc", "vpc-0a1", map[string]any{"arn": arn("vpc", "vpc-0a1"), "cidr_block": "10.0.0.0/16",
			"instance_tenancy": "default", "enable_dns_support": true, "enable_dns_hostnames": true,
			"dhcp_options_id": "dopt-0a1", "ipv6_cidr_block": "", "owner_id": account, "tags": tags("main")}},
		{"aws_subnet", "subnet-0a1", map[string]any{"arn": arn("subnet", "subnet-0a1"), "vpc_id": "vpc-0a1",
			"cidr_block": "10.0.1.0/24", "availability_zone": region + "a", "availability_zone_id": "use1-az1",
			"map_public_ip_on_launch": false, "assign_ipv6_address_on_creation": false, "ipv6_cidr_block": "",
			"owner_id": account, "tags": tags("private-a")}},
		{"aws_security_group", "sg-0a1", map[string]any{"arn": arn("security-group", "sg-0a1"), "name": "web",
			"description": "web servers", "vpc_id": "vpc-0a1", "owner_id": account, "revoke_rules_on_delete": false,
			"ingress": []any{rule("tcp", 443, 443, "https", "0.0.0.0/0"), rule("tcp", 22, 22, "ssh", "10.0.0.0/8"), peer},
			"egress":  []any{rule("-1", 0, 0, "", "0.0.0.0/0")}, "tags": tags("web")}},
		{"aws_instance", "i-0a1", map[string]any{"arn": arn("instance", "i-0a1"), "ami": "ami-0abc",
			"instance_type": "t3.micro", "availability_zone": region + "a", "subnet_id": "subnet-0a1",
			"vpc_security_group_ids": []any{"sg-0a1"}, "key_name": "deploy", "private_ip": "10.0.1.10",
			"public_ip": "", "iam_instance_profile": "app", "monitoring": false, "ebs_optimized": false,
			"source_dest_check": true, "tenancy": "default", "placement_group": "", "instance_state": "running",
			"tags": tags("app-1")}},
		{"aws_route_table", "rtb-0a1", map[string]any{"arn": arn("route-table", "rtb-0a1"), "vpc_id": "vpc-0a1",
			"owner_id": account, "route": []any{route}, "propagating_vgws": []any{}, "tags": tags("public")}},
		{"aws_internet_gateway", "igw-0a1", map[string]any{"arn": arn("internet-gateway", "igw-0a1"),
			"vpc_id": "vpc-0a1", "owner_id": account, "tags": tags("main")}},
		{"aws_nat_gateway", "nat-0a1", map[string]any{"allocation_id": "eipalloc-0a1", "subnet_id": "subnet-0a1",
			"connectivity_type": "public", "private_ip": "10.0.1.5", "public_ip": "203.0.113.10",
			"network_interface_id": "eni-0a1", "association_id": "eipassoc-0a1", "tags": tags("nat")}},
		{"aws_eip", "eipalloc-0a1", map[string]any{"allocation_id": "eipalloc-0a1", "domain": "vpc",
			"public_ip": "203.0.113.10", "private_ip": "10.0.1.5", "instance": "", "network_interface": "eni-0a1",
			"association_id": "eipassoc-0a1", "public_ipv4_pool": "amazon", "network_border_group": region,
			"tags": tags("nat")}},
		{"aws_ebs_volume", "vol-0a1", map[string]any{"arn": arn("volume", "vol-0a1"), "availability_zone": region + "a",
			"size": float64(50), "type": "gp3", "iops": float64(3000), "throughput": float64(125), "encrypted": true,
			"kms_key_id": "arn:aws:kms:" + region + ":" + account + ":key/1234", "snapshot_id": "",
			"multi_attach_enabled": false, "outpost_arn": "", "final_snapshot": false, "tags": tags("data")}},
		{"aws_network_acl", "acl-0a1", map[string]any{"arn": arn("network-acl", "acl-0a1"), "vpc_id": "vpc-0a1",
			"owner_id": account, "subnet_ids": []any{"subnet-0a1"},
			"ingress": []any{acl(100, "tcp", "allow", "0.0.0.0/0", 443, 443), acl(200, "tcp", "deny", "0.0.0.0/0", 22, 22)},
			"egress":  []any{acl(100, "-1", "allow", "0.0.0.0/0", 0, 0)}, "tags": tags("private")}},
		{"aws_key_pair", "deploy", map[string]any{"arn": arn("key-pair", "deploy"), "key_name": "deploy",
			"key_pair_id": "key-0a1", "key_type": "rsa", "fingerprint": "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca",
			"public_key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ deploy", "tags": tags("deploy")}},
	}
	global := []struct {
		typ, id string
		attrs   map[string]any
	}{
		{"aws_iam_user", "alice", map[string]any{"arn": iamArn("user", "alice"), "name": "alice", "path": "/",
			"permissions_boundary": "", "force_destroy": false, "tags": map[string]any{"team": "platform"}}},
		{"aws_iam_access_key", "AKIAALICE0000000001", map[string]any{"user": "alice", "status": "Active",
			"create_date": "2024-01-01T00:00:00Z"}},
		{"aws_iam_role", "app", map[string]any{"arn": iamArn("role", "app"), "name": "app", "path": "/",
			"assume_role_policy": trust, "description": "application role", "max_session_duration": float64(3600),
			"permissions_boundary": "", "managed_policy_arns": []any{policyArn},
			"inline_policy": []any{map[string]any{"name": "logs", "policy": policy}},
			"tags":          map[string]any{"team": "platform"}}},
		{"aws_iam_role_policy_attachment", "app-20240101000000000000000001", map[string]any{
			"role": "app", "policy_arn": policyArn}},
		{"aws_iam_policy", policyArn, map[string]any{"arn": policyArn, "name": "app-read", "path": "/",
			"description": "read the app bucket", "policy": policy, "tags": map[string]any{}}},
		{"aws_iam_group", "admins", map[string]any{"arn": iamArn("group", "admins"), "name": "admins", "path": "/"}},
		{"aws_iam_account_password_policy", "iam-account-password-policy", map[string]any{
			"minimum_password_length": float64(14), "require_symbols": true, "require_numbers": true,
			"require_uppercase_characters": true, "require_lowercase_characters": true,
			"allow_users_to_change_password": true, "expire_passwords": true, "max_password_age": float64(90),
			"password_reuse_prevention": float64(24), "hard_expiry": false}},
	}
	var out []resource.Resource
	for _, r := range regional {
		r.attrs["id"] = r.id
		out = append(out, resource.Resource{Provider: "aws", Type: r.typ, ID: r.id, Account: account,
			Region: region, Attrs: jsonShape(r.attrs), Tags: flatTags(r.attrs)})
	}
	out = append(out, dataFixtures(account, region)...)
	out = append(out, jsonFixtures(account, region)...)
	out = append(out, appFixtures(account, region)...)
	out = append(out, obsFixtures(account, region)...)
	out = append(out, restFixtures(account, region)...)
	for _, r := range global {
		r.attrs["id"] = r.id
		out = append(out, resource.Resource{Provider: "aws", Type: r.typ, ID: r.id, Account: account,
			Attrs: jsonShape(r.attrs), Tags: flatTags(r.attrs)})
	}
	return out
}

// jsonShape round-trips attrs through encoding/json so they hold exactly
// the types a decoded state does.
func jsonShape(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func flatTags(m map[string]any) map[string]string {
	t := obj(m["tags"])
	if len(t) == 0 {
		return nil
	}
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k], _ = v.(string)
	}
	return out
}
