package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Each case is a false positive a naive comparison reports: the state and
// live values differ byte for byte (checked) yet mean the same thing, so
// the engine must report no drift. A second, "real" variant of most cases
// proves the normalizer does not hide genuine drift.
func TestNormalizersRemoveFalsePositives(t *testing.T) {
	cases := []struct {
		name      string
		typ       string
		state     string
		live      string
		realLive  string // a live value that IS drift; empty to skip
		wantPaths []resource.Path
	}{
		{
			name:      "security group rules are a set",
			typ:       "aws_security_group",
			state:     `{"ingress":[{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["10.0.0.0/8","192.168.0.0/16"]},{"protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]}]}`,
			live:      `{"ingress":[{"protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]},{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["192.168.0.0/16","10.0.0.0/8"]}]}`,
			realLive:  `{"ingress":[{"protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]},{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["0.0.0.0/0","10.0.0.0/8"]}]}`,
			wantPaths: []resource.Path{"ingress[0].cidr_blocks"},
		},
		{
			name:     "IP protocol numbers and names",
			typ:      "aws_security_group",
			state:    `{"egress":[{"protocol":"all","from_port":0,"to_port":0,"cidr_blocks":["0.0.0.0/0"]},{"protocol":"tcp","from_port":80,"to_port":80}]}`,
			live:     `{"egress":[{"protocol":"-1","from_port":0,"to_port":0,"cidr_blocks":["0.0.0.0/0"]},{"protocol":"6","from_port":80,"to_port":80}]}`,
			realLive: `{"egress":[{"protocol":"-1","from_port":0,"to_port":0,"cidr_blocks":["0.0.0.0/0"]},{"protocol":"udp","from_port":80,"to_port":80}]}`,
		},
		{
			name:      "tags_all carries provider default_tags",
			typ:       "aws_vpc",
			state:     `{"tags":{"Name":"main"},"tags_all":{"Name":"main","Env":"prod"}}`,
			live:      `{"tags":{"Name":"main","Env":"prod"}}`,
			realLive:  `{"tags":{"Name":"main","Env":"dev"}}`,
			wantPaths: []resource.Path{"tags.Env"},
		},
		{
			name:      "IAM policy JSON compared semantically",
			typ:       "aws_iam_policy",
			state:     `{"policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":\"*\"}]}"}`,
			live:      `{"policy":"{\n  \"Statement\": {\"Resource\": [\"*\"], \"Action\": [\"s3:ListBucket\", \"s3:GetObject\"], \"Effect\": \"Allow\"},\n  \"Version\": \"2012-10-17\"\n}"}`,
			realLive:  `{"policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],\"Resource\":\"*\"}]}"}`,
			wantPaths: []resource.Path{"policy.Statement[0].Action"},
		},
		{
			name:  "URL-encoded policy from the IAM API",
			typ:   "aws_iam_role",
			state: `{"assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}`,
			live:  `{"assume_role_policy":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"}`,
		},
		{
			name:     "computed-only attributes",
			typ:      "aws_s3_bucket",
			state:    `{"bucket":"b","arn":"arn:aws:s3:::b","bucket_domain_name":"b.s3.amazonaws.com","timeouts":null,"force_destroy":true}`,
			live:     `{"bucket":"b","arn":"arn:aws-us-gov:s3:::b","bucket_domain_name":"b.s3.us-east-1.amazonaws.com","timeouts":{"create":"5m"},"force_destroy":false}`,
			realLive: `{"bucket":"c"}`,
		},
		{
			name:     "provider default fills a null",
			typ:      "aws_security_group",
			state:    `{"description":null,"name":"web"}`,
			live:     `{"description":"Managed by Terraform","name":"web"}`,
			realLive: `{"description":"hand made","name":"web"}`,
		},
		{
			name:     "provider default number",
			typ:      "aws_lambda_function",
			state:    `{"timeout":null,"memory_size":null}`,
			live:     `{"timeout":3,"memory_size":128}`,
			realLive: `{"timeout":30,"memory_size":128}`,
		},
		{
			name:     "null versus empty",
			typ:      "aws_instance",
			state:    `{"user_data":null,"secondary_private_ips":null,"volume_tags":null,"ebs_optimized":null}`,
			live:     `{"user_data":"","secondary_private_ips":[],"volume_tags":{},"ebs_optimized":false}`,
			realLive: `{"user_data":"#!/bin/sh","secondary_private_ips":[],"volume_tags":{},"ebs_optimized":false}`,
		},
		{
			name:     "state v3 strings against typed values",
			typ:      "aws_instance",
			state:    `{"root_block_device":[{"volume_size":"8","delete_on_termination":"true"}],"monitoring":"false"}`,
			live:     `{"root_block_device":[{"volume_size":8,"delete_on_termination":true}],"monitoring":false}`,
			realLive: `{"root_block_device":[{"volume_size":80,"delete_on_termination":true}],"monitoring":false}`,
		},
		{
			name:     "case the cloud ignores: Azure ids and locations",
			typ:      "azurerm_subnet",
			state:    `{"resource_group_name":"RG-App","location":"West Europe","network_security_group_id":"/subscriptions/1/resourceGroups/RG-App/providers/Microsoft.Network/networkSecurityGroups/nsg"}`,
			live:     `{"resource_group_name":"rg-app","location":"westeurope","network_security_group_id":"/subscriptions/1/resourcegroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg"}`,
			realLive: `{"resource_group_name":"rg-app","location":"northeurope","network_security_group_id":"/subscriptions/1/resourcegroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg"}`,
		},
		{
			name:     "DNS names: trailing dot and case",
			typ:      "aws_route53_record",
			state:    `{"name":"www.example.com","records":["lb.example.com"]}`,
			live:     `{"name":"WWW.example.com.","records":["lb.example.com."]}`,
			realLive: `{"name":"www.example.com.","records":["lb2.example.com."]}`,
		},
		{
			name:     "scalar sets nested in objects",
			typ:      "google_compute_firewall",
			state:    `{"allow":[{"protocol":"tcp","ports":["80","443"]}],"source_ranges":["10.0.0.0/8","35.191.0.0/16"]}`,
			live:     `{"allow":[{"protocol":"tcp","ports":["443","80"]}],"source_ranges":["35.191.0.0/16","10.0.0.0/8"]}`,
			realLive: `{"allow":[{"protocol":"tcp","ports":["443","80","22"]}],"source_ranges":["35.191.0.0/16","10.0.0.0/8"]}`,
		},
		{
			name:  "all-traffic rule ports",
			typ:   "aws_network_acl",
			state: `{"ingress":[{"rule_no":100,"protocol":"all","action":"allow","cidr_block":"0.0.0.0/0","from_port":0,"to_port":0}]}`,
			live:  `{"ingress":[{"rule_no":100,"protocol":"-1","action":"allow","cidr_block":"0.0.0.0/0","from_port":0,"to_port":0}]}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := res(t, tc.typ, "x", tc.state)
			l := res(t, tc.typ, "x", tc.live)
			require.False(t, strictEqual(s.Attrs, l.Attrs), "the case must differ byte for byte to show a false positive")
			r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
			assert.False(t, r.HasDrift(), "false positive: %+v", r.Findings)
			if tc.realLive == "" {
				return
			}
			rl := res(t, tc.typ, "x", tc.realLive)
			r = Compare([]resource.Resource{s}, []resource.Resource{rl}, Options{})
			require.True(t, r.HasDrift(), "the normalizer hid real drift")
			if tc.wantPaths != nil {
				var got []resource.Path
				for _, d := range r.Findings[0].Diffs {
					got = append(got, d.Path)
				}
				assert.Equal(t, tc.wantPaths, got)
			}
		})
	}
}

func TestSetDiffReadsElementWise(t *testing.T) {
	s := res(t, "aws_security_group", "sg", `{"ingress":[
		{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["10.0.0.0/8"]},
		{"protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]}]}`)
	l := res(t, "aws_security_group", "sg", `{"ingress":[
		{"protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]},
		{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["0.0.0.0/0","10.0.0.0/8"]},
		{"protocol":"tcp","from_port":3389,"to_port":3389,"cidr_blocks":["1.2.3.4/32"]}]}`)
	r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
	require.Len(t, r.Findings, 1)
	f := r.Findings[0]
	assert.Equal(t, Critical, f.Severity, "port 22 opened to the world")
	require.Len(t, f.Diffs, 2)
	assert.Equal(t, Diff{Path: "ingress[0].cidr_blocks", Expected: []any{"10.0.0.0/8"}, Actual: []any{"0.0.0.0/0", "10.0.0.0/8"}}, f.Diffs[0])
	assert.Equal(t, resource.Path("ingress[2]"), f.Diffs[1].Path)
	assert.Nil(t, f.Diffs[1].Expected)
}

func TestSetPairingByLikeness(t *testing.T) {
	// No key fields for this set: elements are paired by how many fields
	// they share, so one changed field reads as one diff.
	s := res(t, "aws_route53_record", "r", `{"alias":[{"name":"a.elb","zone_id":"Z1","evaluate_target_health":true}]}`)
	l := res(t, "aws_route53_record", "r", `{"alias":[{"name":"a.elb","zone_id":"Z1","evaluate_target_health":false}]}`)
	rules := rulesFor("aws_route53_record")
	rules.Sets["alias"] = nil
	c := comparer{rules: rules}
	c.attrs(s.Attrs, l.Attrs)
	assert.Equal(t, []Diff{{Path: "alias[0].evaluate_target_health", Expected: true, Actual: false}}, c.diffs)

	// Elements with nothing in common are reported as removed and added.
	l = res(t, "aws_route53_record", "r", `{"alias":[{"name":"b.elb","zone_id":"Z2","evaluate_target_health":false}]}`)
	c = comparer{rules: rules}
	c.attrs(s.Attrs, l.Attrs)
	require.Len(t, c.diffs, 2)
	assert.Nil(t, c.diffs[0].Actual)
	assert.Nil(t, c.diffs[1].Expected)
}

func TestJSONPolicyNotJSONFallsBack(t *testing.T) {
	s := res(t, "aws_iam_policy", "p", `{"policy":"not json"}`)
	l := res(t, "aws_iam_policy", "p", `{"policy":"also not json"}`)
	r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, resource.Path("policy"), r.Findings[0].Diffs[0].Path)
}

func TestPolicyPrincipalWildcardIsCritical(t *testing.T) {
	s := res(t, "aws_s3_bucket_policy", "b", `{"policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},\"Action\":\"s3:GetObject\"}]}"}`)
	l := res(t, "aws_s3_bucket_policy", "b", `{"policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:GetObject\"}]}"}`)
	r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, Critical, r.Findings[0].Severity)
	assert.Equal(t, resource.Path("policy.Statement[0].Principal.AWS"), r.Findings[0].Diffs[0].Path)
}
