package scan

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func res(typ, id string, attrs map[string]any) resource.Resource {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if _, ok := attrs["id"]; !ok {
		attrs["id"] = id
	}
	return resource.Resource{Provider: resource.ProviderFromType(typ), Type: typ, ID: id, Attrs: attrs, Account: "123456789012"}
}

// pol renders a policy document as IAM stores it (a JSON string).
const (
	polAdmin    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	polRead     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}`
	polPassRole = `{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}`
	polPV       = `{"Statement":{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*"}}`
	polS3Star   = `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	polPublic   = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	polPublicC  = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]}`
	polTLS      = `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	trustAny    = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
	trustEC2    = `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

func ingress(from, to float64, proto string, cidrs ...any) map[string]any {
	return map[string]any{"from_port": from, "to_port": to, "protocol": proto, "cidr_blocks": cidrs, "ipv6_cidr_blocks": []any{}}
}

type checkCase struct {
	name  string
	check string
	rs    []resource.Resource // the subject is rs[0]
	want  Status              // "" = not applicable
}

func runCase(t *testing.T, c checkCase) *Result {
	t.Helper()
	e := NewEngine(nil)
	e.Now = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	chk := e.Check(c.check)
	require.NotNil(t, chk, c.check)
	ix := NewIndex(c.rs)
	ix.now = e.Now
	o := chk.Eval(ix, ix.all[0])
	if c.want == "" {
		assert.Nil(t, o, "want not applicable")
		return nil
	}
	require.NotNil(t, o, "want a verdict")
	r := newResult(chk, ix.all[0], o)
	assert.Equal(t, c.want, r.Status, r.Message)
	assert.NotEmpty(t, r.Message)
	assert.NotEmpty(t, r.Evidence, "every result carries evidence")
	return &r
}

func TestChecks(t *testing.T) {
	sg := func(id string, ing ...any) resource.Resource {
		return res("aws_security_group", id, map[string]any{"name": "web", "ingress": ing, "egress": []any{}})
	}
	pw := func(m map[string]any) resource.Resource {
		return res("aws_iam_account_password_policy", "iam-account-password-policy", m)
	}
	goodPW := map[string]any{"minimum_password_length": 14.0, "password_reuse_prevention": 24.0, "max_password_age": 90.0,
		"require_uppercase_characters": true, "require_lowercase_characters": true, "require_numbers": true, "require_symbols": true}
	bucket := res("aws_s3_bucket", "b", map[string]any{"bucket": "b"})
	pabAll := res("aws_s3_bucket_public_access_block", "b", map[string]any{"bucket": "b", "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true})
	pabHalf := res("aws_s3_bucket_public_access_block", "b", map[string]any{"bucket": "b", "block_public_acls": true, "block_public_policy": false, "ignore_public_acls": true, "restrict_public_buckets": false})
	cases := []checkCase{
		// security groups
		{"ssh world", "DM-AWS-EC2-001", []resource.Resource{sg("sg-1", ingress(22, 22, "tcp", "0.0.0.0/0"))}, Fail},
		{"ssh world v6", "DM-AWS-EC2-001", []resource.Resource{sg("sg-1", map[string]any{"from_port": 0.0, "to_port": 65535.0, "protocol": "6", "ipv6_cidr_blocks": []any{"::/0"}})}, Fail},
		{"ssh private", "DM-AWS-EC2-001", []resource.Resource{sg("sg-1", ingress(22, 22, "tcp", "10.0.0.0/8"), ingress(443, 443, "tcp", "0.0.0.0/0"))}, Pass},
		{"ssh via rule resource", "DM-AWS-EC2-001", []resource.Resource{sg("sg-1"), res("aws_security_group_rule", "r1", map[string]any{"type": "ingress", "security_group_id": "sg-1", "from_port": 22.0, "to_port": 22.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}})}, Fail},
		{"ssh via vpc rule", "DM-AWS-EC2-001", []resource.Resource{sg("sg-1"), res("aws_vpc_security_group_ingress_rule", "sgr-1", map[string]any{"security_group_id": "sg-1", "ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0"})}, Fail},
		{"inline and listed rule cited once", "DM-AWS-EC2-003", []resource.Resource{sg("sg-1", ingress(0, 0, "-1", "0.0.0.0/0")), res("aws_vpc_security_group_ingress_rule", "sgr-1", map[string]any{"security_group_id": "sg-1", "ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0"})}, Fail},
		{"rule judged with its group", "DM-AWS-EC2-001", []resource.Resource{res("aws_security_group_rule", "r1", map[string]any{"type": "ingress", "security_group_id": "sg-1", "from_port": 22.0, "to_port": 22.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}}), sg("sg-1")}, ""},
		{"orphan rule", "DM-AWS-EC2-001", []resource.Resource{res("aws_security_group_rule", "r1", map[string]any{"type": "ingress", "security_group_id": "sg-9", "from_port": 0.0, "to_port": 100.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}})}, Fail},
		{"orphan egress rule", "DM-AWS-EC2-001", []resource.Resource{res("aws_security_group_rule", "r1", map[string]any{"type": "egress", "security_group_id": "sg-9"})}, ""},
		{"rdp world", "DM-AWS-EC2-002", []resource.Resource{sg("sg-1", ingress(3389, 3389, "tcp", "0.0.0.0/0"))}, Fail},
		{"rdp closed", "DM-AWS-EC2-002", []resource.Resource{sg("sg-1", ingress(22, 22, "tcp", "0.0.0.0/0"))}, Pass},
		{"all ports", "DM-AWS-EC2-003", []resource.Resource{sg("sg-1", ingress(0, 0, "-1", "0.0.0.0/0"))}, Fail},
		{"not all ports", "DM-AWS-EC2-003", []resource.Resource{sg("sg-1", ingress(443, 443, "tcp", "0.0.0.0/0"))}, Pass},
		{"default sg rules", "DM-AWS-EC2-004", []resource.Resource{res("aws_default_security_group", "sg-d", map[string]any{"ingress": []any{ingress(0, 0, "-1")}})}, Fail},
		{"default sg empty", "DM-AWS-EC2-004", []resource.Resource{res("aws_security_group", "sg-d", map[string]any{"name": "default", "ingress": []any{}, "egress": []any{}})}, Pass},
		{"non-default sg", "DM-AWS-EC2-004", []resource.Resource{sg("sg-1")}, ""},
		{"nacl allows ssh", "DM-AWS-EC2-005", []resource.Resource{res("aws_network_acl", "acl-1", map[string]any{"ingress": []any{
			map[string]any{"rule_no": 100.0, "action": "allow", "protocol": "-1", "cidr_block": "0.0.0.0/0", "from_port": 0.0, "to_port": 0.0}}})}, Fail},
		{"nacl denies first", "DM-AWS-EC2-005", []resource.Resource{res("aws_network_acl", "acl-1", map[string]any{"ingress": []any{
			map[string]any{"rule_no": 200.0, "action": "allow", "protocol": "-1", "cidr_block": "0.0.0.0/0"},
			map[string]any{"rule_no": 90.0, "action": "deny", "protocol": "6", "cidr_block": "0.0.0.0/0", "from_port": 0.0, "to_port": 65535.0}}})}, Pass},
		{"ebs unencrypted", "DM-AWS-EC2-006", []resource.Resource{res("aws_ebs_volume", "vol-1", map[string]any{"encrypted": false})}, Fail},
		{"ebs encrypted", "DM-AWS-EC2-006", []resource.Resource{res("aws_ebs_volume", "vol-1", map[string]any{"encrypted": true})}, Pass},
		{"ebs default off", "DM-AWS-EC2-007", []resource.Resource{res("aws_ebs_encryption_by_default", "x", map[string]any{"enabled": false})}, Fail},
		{"ebs default unknown", "DM-AWS-EC2-007", []resource.Resource{res("aws_ebs_encryption_by_default", "x", nil)}, ""},
		{"ebs default on", "DM-AWS-EC2-007", []resource.Resource{res("aws_ebs_encryption_by_default", "x", map[string]any{"enabled": true})}, Pass},
		{"imdsv1", "DM-AWS-EC2-008", []resource.Resource{res("aws_instance", "i-1", map[string]any{"metadata_options": []any{map[string]any{"http_tokens": "optional"}}})}, Fail},
		{"imdsv2", "DM-AWS-EC2-008", []resource.Resource{res("aws_instance", "i-1", map[string]any{"metadata_options": []any{map[string]any{"http_tokens": "required"}}})}, Pass},
		{"imds unknown", "DM-AWS-EC2-008", []resource.Resource{res("aws_instance", "i-1", nil)}, ""},
		// IAM password policy
		{"pw good length", "DM-AWS-IAM-001", []resource.Resource{pw(goodPW)}, Pass},
		{"pw short", "DM-AWS-IAM-001", []resource.Resource{pw(map[string]any{"minimum_password_length": 8.0})}, Fail},
		{"pw reuse", "DM-AWS-IAM-002", []resource.Resource{pw(map[string]any{"password_reuse_prevention": 5.0})}, Fail},
		{"pw reuse ok", "DM-AWS-IAM-002", []resource.Resource{pw(goodPW)}, Pass},
		{"pw expiry none", "DM-AWS-IAM-003", []resource.Resource{pw(map[string]any{})}, Fail},
		{"pw expiry long", "DM-AWS-IAM-003", []resource.Resource{pw(map[string]any{"max_password_age": 365.0})}, Fail},
		{"pw expiry ok", "DM-AWS-IAM-003", []resource.Resource{pw(goodPW)}, Pass},
		{"pw complexity", "DM-AWS-IAM-004", []resource.Resource{pw(map[string]any{"require_symbols": true})}, Fail},
		{"pw complexity ok", "DM-AWS-IAM-004", []resource.Resource{pw(goodPW)}, Pass},
		// credentials
		{"root key", "DM-AWS-IAM-005", []resource.Resource{res("aws_iam_access_key", "AKIA1", map[string]any{"user": "<root_account>", "status": "Active"})}, Fail},
		{"root key inactive", "DM-AWS-IAM-005", []resource.Resource{res("aws_iam_access_key", "AKIA1", map[string]any{"user": "root", "status": "Inactive"})}, Pass},
		{"user key", "DM-AWS-IAM-005", []resource.Resource{res("aws_iam_access_key", "AKIA1", map[string]any{"user": "alice"})}, ""},
		{"console no mfa", "DM-AWS-IAM-006", []resource.Resource{res("aws_iam_user", "alice", map[string]any{"name": "alice"}), res("aws_iam_user_login_profile", "alice", map[string]any{"user": "alice"}), res("aws_iam_virtual_mfa_device", "bob", map[string]any{"user_name": "bob"})}, Fail},
		{"console mfa", "DM-AWS-IAM-006", []resource.Resource{res("aws_iam_user", "alice", map[string]any{"name": "alice"}), res("aws_iam_user_login_profile", "alice", map[string]any{"user": "alice"}), res("aws_iam_virtual_mfa_device", "a", map[string]any{"user_name": "alice"})}, Pass},
		{"mfa unknown", "DM-AWS-IAM-006", []resource.Resource{res("aws_iam_user", "alice", map[string]any{"name": "alice"})}, ""},
		{"old key", "DM-AWS-IAM-007", []resource.Resource{res("aws_iam_access_key", "AKIA1", map[string]any{"user": "alice", "status": "Active", "create_date": "2025-01-01T00:00:00Z"})}, Fail},
		{"new key", "DM-AWS-IAM-007", []resource.Resource{res("aws_iam_access_key", "AKIA1", map[string]any{"user": "alice", "status": "Active", "create_date": "2026-11-01T00:00:00Z"})}, Pass},
		{"inactive old key", "DM-AWS-IAM-007", []resource.Resource{res("aws_iam_access_key", "AKIA1", map[string]any{"status": "Inactive", "create_date": "2020-01-01T00:00:00Z"})}, ""},
		{"unused key", "DM-AWS-IAM-008", []resource.Resource{res("aws_iam_access_key", "AKIA1", map[string]any{"status": "Active", "last_used_date": "2026-01-01T00:00:00Z"})}, Fail},
		{"used key", "DM-AWS-IAM-008", []resource.Resource{res("aws_iam_access_key", "AKIA1", map[string]any{"status": "Active", "last_used_date": "2026-11-20T00:00:00Z"})}, Pass},
		{"two keys", "DM-AWS-IAM-009", []resource.Resource{res("aws_iam_user", "alice", map[string]any{"name": "alice"}), res("aws_iam_access_key", "K1", map[string]any{"user": "alice", "status": "Active"}), res("aws_iam_access_key", "K2", map[string]any{"user": "alice", "status": "Active"})}, Fail},
		{"one key", "DM-AWS-IAM-009", []resource.Resource{res("aws_iam_user", "alice", map[string]any{"name": "alice"}), res("aws_iam_access_key", "K1", map[string]any{"user": "alice", "status": "Active"}), res("aws_iam_access_key", "K2", map[string]any{"user": "alice", "status": "Inactive"})}, Pass},
		// IAM policies
		{"admin", "DM-AWS-IAM-010", []resource.Resource{res("aws_iam_policy", "p", map[string]any{"policy": polAdmin})}, Fail},
		{"admin inline", "DM-AWS-IAM-010", []resource.Resource{res("aws_iam_role", "r", map[string]any{"inline_policy": []any{map[string]any{"name": "x", "policy": polAdmin}}})}, Fail},
		{"not admin", "DM-AWS-IAM-010", []resource.Resource{res("aws_iam_policy", "p", map[string]any{"policy": polRead})}, Pass},
		{"no policy", "DM-AWS-IAM-010", []resource.Resource{res("aws_iam_role", "r", nil)}, ""},
		{"passrole lambda", "DM-AWS-IAM-011", []resource.Resource{res("aws_iam_policy", "p", map[string]any{"policy": polPassRole})}, Fail},
		{"create policy version", "DM-AWS-IAM-011", []resource.Resource{res("aws_iam_role_policy", "p", map[string]any{"policy": polPV})}, Fail},
		{"iam wildcard escalates", "DM-AWS-IAM-011", []resource.Resource{res("aws_iam_policy", "p", map[string]any{"policy": `{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`})}, Fail},
		{"deny removes escalation", "DM-AWS-IAM-011", []resource.Resource{res("aws_iam_policy", "p", map[string]any{"policy": `{"Statement":[{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`})}, Pass},
		{"read only", "DM-AWS-IAM-011", []resource.Resource{res("aws_iam_policy", "p", map[string]any{"policy": polRead})}, Pass},
		{"s3 star", "DM-AWS-IAM-012", []resource.Resource{res("aws_iam_policy", "p", map[string]any{"policy": polS3Star})}, Fail},
		{"no service star", "DM-AWS-IAM-012", []resource.Resource{res("aws_iam_policy", "p", map[string]any{"policy": polRead})}, Pass},
		{"trust any", "DM-AWS-IAM-013", []resource.Resource{res("aws_iam_role", "r", map[string]any{"assume_role_policy": trustAny})}, Fail},
		{"trust ec2", "DM-AWS-IAM-013", []resource.Resource{res("aws_iam_role", "r", map[string]any{"assume_role_policy": trustEC2})}, Pass},
		{"direct policy", "DM-AWS-IAM-014", []resource.Resource{res("aws_iam_user", "alice", map[string]any{"name": "alice"}), res("aws_iam_user_policy_attachment", "a", map[string]any{"user": "alice"})}, Fail},
		{"group policy", "DM-AWS-IAM-014", []resource.Resource{res("aws_iam_user", "alice", map[string]any{"name": "alice"})}, Pass},
		// S3
		{"no pab", "DM-AWS-S3-001", []resource.Resource{bucket}, Fail},
		{"pab partial", "DM-AWS-S3-001", []resource.Resource{bucket, pabHalf}, Fail},
		{"pab all", "DM-AWS-S3-001", []resource.Resource{bucket, pabAll}, Pass},
		{"account pab", "DM-AWS-S3-001", []resource.Resource{bucket, res("aws_s3_account_public_access_block", "123456789012", map[string]any{"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true})}, Pass},
		{"account pab off", "DM-AWS-S3-002", []resource.Resource{res("aws_s3_account_public_access_block", "123456789012", map[string]any{"block_public_acls": true})}, Fail},
		{"account pab on", "DM-AWS-S3-002", []resource.Resource{res("aws_s3_account_public_access_block", "123456789012", map[string]any{"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true})}, Pass},
		{"public acl", "DM-AWS-S3-003", []resource.Resource{bucket, res("aws_s3_bucket_acl", "b", map[string]any{"bucket": "b", "acl": "public-read"})}, Fail},
		{"public grant", "DM-AWS-S3-003", []resource.Resource{bucket, res("aws_s3_bucket_acl", "b", map[string]any{"bucket": "b", "access_control_policy": []any{map[string]any{"grant": []any{map[string]any{"grantee": []any{map[string]any{"uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}}}}}})}, Fail},
		{"public acl ignored", "DM-AWS-S3-003", []resource.Resource{bucket, res("aws_s3_bucket_acl", "b", map[string]any{"bucket": "b", "acl": "public-read"}), pabAll}, Pass},
		{"private acl", "DM-AWS-S3-003", []resource.Resource{res("aws_s3_bucket", "b", map[string]any{"bucket": "b", "acl": "private"})}, Pass},
		{"public policy", "DM-AWS-S3-004", []resource.Resource{bucket, res("aws_s3_bucket_policy", "b", map[string]any{"bucket": "b", "policy": polPublic})}, Fail},
		{"public policy restricted by pab", "DM-AWS-S3-004", []resource.Resource{bucket, res("aws_s3_bucket_policy", "b", map[string]any{"bucket": "b", "policy": polPublic}), pabAll}, Pass},
		{"conditioned policy", "DM-AWS-S3-004", []resource.Resource{bucket, res("aws_s3_bucket_policy", "b", map[string]any{"bucket": "b", "policy": polPublicC})}, Pass},
		{"no policy", "DM-AWS-S3-004", []resource.Resource{bucket}, ""},
		{"tls only", "DM-AWS-S3-005", []resource.Resource{bucket, res("aws_s3_bucket_policy", "b", map[string]any{"bucket": "b", "policy": polTLS})}, Pass},
		{"no tls deny", "DM-AWS-S3-005", []resource.Resource{bucket, res("aws_s3_bucket_policy", "b", map[string]any{"bucket": "b", "policy": polRead})}, Fail},
		{"no policy tls", "DM-AWS-S3-005", []resource.Resource{bucket}, Fail},
		{"encrypted", "DM-AWS-S3-006", []resource.Resource{bucket, res("aws_s3_bucket_server_side_encryption_configuration", "b", map[string]any{"bucket": "b", "rule": []any{map[string]any{"apply_server_side_encryption_by_default": []any{map[string]any{"sse_algorithm": "aws:kms"}}}}})}, Pass},
		{"not encrypted", "DM-AWS-S3-006", []resource.Resource{bucket, res("aws_s3_bucket_server_side_encryption_configuration", "other", map[string]any{"bucket": "other"})}, Fail},
		{"encryption unknown", "DM-AWS-S3-006", []resource.Resource{bucket}, ""},
		{"inline encryption", "DM-AWS-S3-006", []resource.Resource{res("aws_s3_bucket", "b", map[string]any{"server_side_encryption_configuration": []any{map[string]any{"rule": []any{map[string]any{"apply_server_side_encryption_by_default": []any{map[string]any{"sse_algorithm": "AES256"}}}}}}})}, Pass},
		{"versioning on", "DM-AWS-S3-007", []resource.Resource{bucket, res("aws_s3_bucket_versioning", "b", map[string]any{"bucket": "b", "versioning_configuration": []any{map[string]any{"status": "Enabled"}}})}, Pass},
		{"versioning suspended", "DM-AWS-S3-007", []resource.Resource{bucket, res("aws_s3_bucket_versioning", "b", map[string]any{"bucket": "b", "versioning_configuration": []any{map[string]any{"status": "Suspended"}}})}, Fail},
		{"versioning inline off", "DM-AWS-S3-007", []resource.Resource{res("aws_s3_bucket", "b", map[string]any{"versioning": []any{map[string]any{"enabled": false}}})}, Fail},
		// CloudTrail, KMS, VPC, RDS, Secrets Manager
		{"single region", "DM-AWS-CT-001", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"is_multi_region_trail": false})}, Fail},
		{"multi region", "DM-AWS-CT-001", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"is_multi_region_trail": true})}, Pass},
		{"no validation", "DM-AWS-CT-002", []resource.Resource{res("aws_cloudtrail", "t", nil)}, Fail},
		{"validation", "DM-AWS-CT-002", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"enable_log_file_validation": true})}, Pass},
		{"no kms", "DM-AWS-CT-003", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"kms_key_id": ""})}, Fail},
		{"kms", "DM-AWS-CT-003", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"kms_key_id": "arn:aws:kms:us-east-1:1:key/k"})}, Pass},
		{"stopped", "DM-AWS-CT-004", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"enable_logging": false})}, Fail},
		{"logging", "DM-AWS-CT-004", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"enable_logging": true})}, Pass},
		{"no cw", "DM-AWS-CT-005", []resource.Resource{res("aws_cloudtrail", "t", nil)}, Fail},
		{"cw", "DM-AWS-CT-005", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"cloud_watch_logs_group_arn": "arn:x"})}, Pass},
		{"efs encrypted", "DM-AWS-EFS-001", []resource.Resource{res("aws_efs_file_system", "fs-1", map[string]any{"encrypted": true})}, Pass},
		{"efs plain", "DM-AWS-EFS-001", []resource.Resource{res("aws_efs_file_system", "fs-1", map[string]any{"encrypted": false})}, Fail},
		{"config all", "DM-AWS-CFG-001", []resource.Resource{res("aws_config_configuration_recorder", "default", map[string]any{"recording_group": []any{map[string]any{"all_supported": true, "include_global_resource_types": true}}})}, Pass},
		{"config partial", "DM-AWS-CFG-001", []resource.Resource{res("aws_config_configuration_recorder", "default", map[string]any{"recording_group": []any{map[string]any{"all_supported": true, "include_global_resource_types": false}}})}, Fail},
		{"trail bucket logs", "DM-AWS-CT-006", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"s3_bucket_name": "trail"}), res("aws_s3_bucket_logging", "trail", map[string]any{"bucket": "trail", "target_bucket": "logs"})}, Pass},
		{"trail bucket inline logs", "DM-AWS-CT-006", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"s3_bucket_name": "trail"}), res("aws_s3_bucket", "trail", map[string]any{"bucket": "trail", "logging": []any{map[string]any{"target_bucket": "logs"}}})}, Pass},
		{"trail bucket no logs", "DM-AWS-CT-006", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"s3_bucket_name": "trail"}), res("aws_s3_bucket", "trail", map[string]any{"bucket": "trail"})}, Fail},
		{"trail bucket unknown", "DM-AWS-CT-006", []resource.Resource{res("aws_cloudtrail", "t", map[string]any{"s3_bucket_name": "trail"})}, ""},
		{"no rotation", "DM-AWS-KMS-001", []resource.Resource{res("aws_kms_key", "k", map[string]any{"enable_key_rotation": false, "customer_master_key_spec": "SYMMETRIC_DEFAULT"})}, Fail},
		{"rotation", "DM-AWS-KMS-001", []resource.Resource{res("aws_kms_key", "k", map[string]any{"enable_key_rotation": true})}, Pass},
		{"rotation unknown", "DM-AWS-KMS-001", []resource.Resource{res("aws_kms_key", "k", nil)}, ""},
		{"asymmetric", "DM-AWS-KMS-001", []resource.Resource{res("aws_kms_key", "k", map[string]any{"customer_master_key_spec": "RSA_2048"})}, ""},
		{"public key policy", "DM-AWS-KMS-002", []resource.Resource{res("aws_kms_key", "k", map[string]any{"policy": `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`})}, Fail},
		{"key policy", "DM-AWS-KMS-002", []resource.Resource{res("aws_kms_key", "k", map[string]any{"policy": `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"kms:*","Resource":"*"}]}`})}, Pass},
		{"no flow log", "DM-AWS-VPC-001", []resource.Resource{res("aws_vpc", "vpc-1", nil), res("aws_flow_log", "fl-1", map[string]any{"vpc_id": "vpc-2"})}, Fail},
		{"flow log", "DM-AWS-VPC-001", []resource.Resource{res("aws_vpc", "vpc-1", nil), res("aws_flow_log", "fl-1", map[string]any{"vpc_id": "vpc-1"})}, Pass},
		{"flow logs unknown", "DM-AWS-VPC-001", []resource.Resource{res("aws_vpc", "vpc-1", nil)}, ""},
		{"rds public", "DM-AWS-RDS-001", []resource.Resource{res("aws_db_instance", "db", map[string]any{"publicly_accessible": true})}, Fail},
		{"rds unknown", "DM-AWS-RDS-001", []resource.Resource{res("aws_db_instance", "db", nil)}, ""},
		{"rds private", "DM-AWS-RDS-001", []resource.Resource{res("aws_db_instance", "db", map[string]any{"publicly_accessible": false})}, Pass},
		{"rds unencrypted", "DM-AWS-RDS-002", []resource.Resource{res("aws_rds_cluster", "c", map[string]any{"storage_encrypted": false})}, Fail},
		{"rds encrypted", "DM-AWS-RDS-002", []resource.Resource{res("aws_db_instance", "db", map[string]any{"storage_encrypted": true})}, Pass},
		{"no minor upgrades", "DM-AWS-RDS-003", []resource.Resource{res("aws_db_instance", "db", map[string]any{"auto_minor_version_upgrade": false})}, Fail},
		{"minor upgrades", "DM-AWS-RDS-003", []resource.Resource{res("aws_db_instance", "db", map[string]any{"auto_minor_version_upgrade": true})}, Pass},
		{"secret unrotated", "DM-AWS-SM-001", []resource.Resource{res("aws_secretsmanager_secret", "s", map[string]any{"rotation_enabled": false})}, Fail},
		{"secret rotated", "DM-AWS-SM-001", []resource.Resource{res("aws_secretsmanager_secret", "s", map[string]any{"rotation_enabled": true})}, Pass},
		{"secret rotation resource", "DM-AWS-SM-001", []resource.Resource{res("aws_secretsmanager_secret", "arn:s", map[string]any{"arn": "arn:s"}), res("aws_secretsmanager_secret_rotation", "arn:s", map[string]any{"secret_id": "arn:s"})}, Pass},
	}
	cases = append(cases, azureCases()...)
	cases = append(cases, gcpCases()...)
	covered := map[string][2]bool{}
	for _, c := range cases {
		t.Run(c.check+"/"+c.name, func(t *testing.T) { runCase(t, c) })
		cv := covered[c.check]
		if c.want == Pass {
			cv[0] = true
		}
		if c.want == Fail {
			cv[1] = true
		}
		covered[c.check] = cv
	}
	for _, c := range Builtin() {
		assert.Equal(t, [2]bool{true, true}, covered[c.ID], "%s needs a passing and a failing case", c.ID)
	}
}

func azureCases() []checkCase {
	nsg := func(rules ...any) resource.Resource {
		return res("azurerm_network_security_group", "/nsg", map[string]any{"name": "nsg", "resource_group_name": "rg", "security_rule": rules})
	}
	rule := func(port, src string) map[string]any {
		return map[string]any{"name": "r" + port, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destination_port_range": port, "source_address_prefix": src}
	}
	sa := func(m map[string]any) resource.Resource { return res("azurerm_storage_account", "/sa", m) }
	return []checkCase{
		{"ssh internet", "DM-AZ-NET-001", []resource.Resource{nsg(rule("22", "Internet"))}, Fail},
		{"ssh range", "DM-AZ-NET-001", []resource.Resource{nsg(rule("20-30", "*"))}, Fail},
		{"ssh vnet", "DM-AZ-NET-001", []resource.Resource{nsg(rule("22", "10.0.0.0/8"), rule("443", "Internet"))}, Pass},
		{"ssh separate rule", "DM-AZ-NET-001", []resource.Resource{nsg(), res("azurerm_network_security_rule", "/r", map[string]any{"name": "x", "network_security_group_name": "nsg", "resource_group_name": "rg",
			"direction": "Inbound", "access": "Allow", "protocol": "*", "destination_port_ranges": []any{"22"}, "source_address_prefix": "0.0.0.0/0"})}, Fail},
		{"orphan rule", "DM-AZ-NET-001", []resource.Resource{res("azurerm_network_security_rule", "/r", map[string]any{"name": "x", "network_security_group_name": "other",
			"direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destination_port_range": "*", "source_address_prefixes": []any{"Internet"}})}, Fail},
		{"rdp internet", "DM-AZ-NET-002", []resource.Resource{nsg(rule("3389", "Any"))}, Fail},
		{"rdp deny", "DM-AZ-NET-002", []resource.Resource{nsg(map[string]any{"direction": "Inbound", "access": "Deny", "protocol": "*", "destination_port_range": "*", "source_address_prefix": "*"})}, Pass},
		{"https only", "DM-AZ-STG-001", []resource.Resource{sa(map[string]any{"https_traffic_only_enabled": true})}, Pass},
		{"http allowed", "DM-AZ-STG-001", []resource.Resource{sa(map[string]any{"enable_https_traffic_only": false})}, Fail},
		{"tls12", "DM-AZ-STG-002", []resource.Resource{sa(map[string]any{"min_tls_version": "TLS1_2"})}, Pass},
		{"tls10", "DM-AZ-STG-002", []resource.Resource{sa(map[string]any{"min_tls_version": "TLS1_0"})}, Fail},
		{"public blobs", "DM-AZ-STG-003", []resource.Resource{sa(map[string]any{"allow_nested_items_to_be_public": true})}, Fail},
		{"private blobs", "DM-AZ-STG-003", []resource.Resource{sa(map[string]any{"allow_nested_items_to_be_public": false})}, Pass},
		{"purge protection", "DM-AZ-KV-001", []resource.Resource{res("azurerm_key_vault", "/kv", map[string]any{"purge_protection_enabled": true})}, Pass},
		{"no purge protection", "DM-AZ-KV-001", []resource.Resource{res("azurerm_key_vault", "/kv", map[string]any{"purge_protection_enabled": false})}, Fail},
		{"sql public", "DM-AZ-SQL-001", []resource.Resource{res("azurerm_mssql_server", "/s", map[string]any{"public_network_access_enabled": true})}, Fail},
		{"sql private", "DM-AZ-SQL-001", []resource.Resource{res("azurerm_mssql_server", "/s", map[string]any{"public_network_access_enabled": false})}, Pass},
		{"sql fw all", "DM-AZ-SQL-002", []resource.Resource{res("azurerm_mssql_firewall_rule", "/f", map[string]any{"start_ip_address": "0.0.0.0", "end_ip_address": "255.255.255.255"})}, Fail},
		{"sql fw office", "DM-AZ-SQL-002", []resource.Resource{res("azurerm_mssql_firewall_rule", "/f", map[string]any{"start_ip_address": "203.0.113.0", "end_ip_address": "203.0.113.255"})}, Pass},
		{"sql tls", "DM-AZ-SQL-003", []resource.Resource{res("azurerm_mssql_server", "/s", map[string]any{"minimum_tls_version": "1.2"})}, Pass},
		{"sql tls10", "DM-AZ-SQL-003", []resource.Resource{res("azurerm_mssql_server", "/s", map[string]any{"minimum_tls_version": "1.0"})}, Fail},
		{"disk cmk", "DM-AZ-DISK-001", []resource.Resource{res("azurerm_managed_disk", "/d", map[string]any{"disk_encryption_set_id": "/des"})}, Pass},
		{"disk ade", "DM-AZ-DISK-001", []resource.Resource{res("azurerm_managed_disk", "/d", map[string]any{"encryption_settings": []any{map[string]any{"enabled": true}}})}, Pass},
		{"container private", "DM-AZ-STG-004", []resource.Resource{res("azurerm_storage_container", "c", map[string]any{"container_access_type": "private"})}, Pass},
		{"container blob", "DM-AZ-STG-004", []resource.Resource{res("azurerm_storage_container", "c", map[string]any{"container_access_type": "blob"})}, Fail},
		{"https only", "DM-AZ-APP-001", []resource.Resource{res("azurerm_linux_web_app", "a", map[string]any{"https_only": true})}, Pass},
		{"http", "DM-AZ-APP-001", []resource.Resource{res("azurerm_windows_web_app", "a", map[string]any{"https_only": false})}, Fail},
		{"app tls12", "DM-AZ-APP-002", []resource.Resource{res("azurerm_linux_web_app", "a", map[string]any{"site_config": []any{map[string]any{"minimum_tls_version": "1.2"}}})}, Pass},
		{"app tls10", "DM-AZ-APP-002", []resource.Resource{res("azurerm_linux_web_app", "a", map[string]any{"site_config": []any{map[string]any{"minimum_tls_version": "1.0"}}})}, Fail},
		{"acr admin", "DM-AZ-ACR-001", []resource.Resource{res("azurerm_container_registry", "r", map[string]any{"admin_enabled": true})}, Fail},
		{"acr no admin", "DM-AZ-ACR-001", []resource.Resource{res("azurerm_container_registry", "r", map[string]any{"admin_enabled": false})}, Pass},
		{"vm keys", "DM-AZ-VM-001", []resource.Resource{res("azurerm_linux_virtual_machine", "vm", map[string]any{"disable_password_authentication": true})}, Pass},
		{"vm password", "DM-AZ-VM-001", []resource.Resource{res("azurerm_linux_virtual_machine", "vm", map[string]any{"disable_password_authentication": false})}, Fail},
		{"disk unknown", "DM-AZ-DISK-001", []resource.Resource{res("azurerm_managed_disk", "/d", nil)}, ""},
		{"disk pmk", "DM-AZ-DISK-001", []resource.Resource{res("azurerm_managed_disk", "/d", map[string]any{"disk_encryption_set_id": ""})}, Fail},
	}
}

func gcpCases() []checkCase {
	fw := func(src string, allow ...any) resource.Resource {
		return res("google_compute_firewall", "fw", map[string]any{"direction": "INGRESS", "source_ranges": []any{src}, "allow": allow})
	}
	sql := func(ip map[string]any) resource.Resource {
		return res("google_sql_database_instance", "db", map[string]any{"settings": []any{map[string]any{"ip_configuration": []any{ip}}}})
	}
	inst := func(email string, scopes ...any) resource.Resource {
		return res("google_compute_instance", "vm", map[string]any{"service_account": []any{map[string]any{"email": email, "scopes": scopes}}})
	}
	return []checkCase{
		{"ssh world", "DM-GCP-NET-001", []resource.Resource{fw("0.0.0.0/0", map[string]any{"protocol": "tcp", "ports": []any{"22"}})}, Fail},
		{"all ports world", "DM-GCP-NET-001", []resource.Resource{fw("0.0.0.0/0", map[string]any{"protocol": "all"})}, Fail},
		{"ssh iap", "DM-GCP-NET-001", []resource.Resource{fw("35.235.240.0/20", map[string]any{"protocol": "tcp", "ports": []any{"22"}})}, Pass},
		{"disabled", "DM-GCP-NET-001", []resource.Resource{res("google_compute_firewall", "fw", map[string]any{"disabled": true, "source_ranges": []any{"0.0.0.0/0"}})}, Pass},
		{"egress", "DM-GCP-NET-001", []resource.Resource{res("google_compute_firewall", "fw", map[string]any{"direction": "EGRESS"})}, ""},
		{"rdp world", "DM-GCP-NET-002", []resource.Resource{fw("0.0.0.0/0", map[string]any{"protocol": "tcp", "ports": []any{"3000-4000"}})}, Fail},
		{"web world", "DM-GCP-NET-002", []resource.Resource{fw("0.0.0.0/0", map[string]any{"protocol": "tcp", "ports": []any{"80", "443"}})}, Pass},
		{"uniform", "DM-GCP-GCS-001", []resource.Resource{res("google_storage_bucket", "b", map[string]any{"uniform_bucket_level_access": true})}, Pass},
		{"fine grained", "DM-GCP-GCS-001", []resource.Resource{res("google_storage_bucket", "b", map[string]any{"uniform_bucket_level_access": false})}, Fail},
		{"all users", "DM-GCP-GCS-002", []resource.Resource{res("google_storage_bucket_iam_member", "m", map[string]any{"bucket": "b/b", "role": "roles/storage.objectViewer", "member": "allUsers"})}, Fail},
		{"binding", "DM-GCP-GCS-002", []resource.Resource{res("google_storage_bucket_iam_binding", "m", map[string]any{"bucket": "b", "members": []any{"user:a@x", "allAuthenticatedUsers"}})}, Fail},
		{"pap enforced", "DM-GCP-GCS-002", []resource.Resource{res("google_storage_bucket_iam_member", "m", map[string]any{"bucket": "b", "member": "allUsers"}), res("google_storage_bucket", "b", map[string]any{"name": "b", "public_access_prevention": "enforced"})}, Pass},
		{"member", "DM-GCP-GCS-002", []resource.Resource{res("google_storage_bucket_iam_member", "m", map[string]any{"bucket": "b", "member": "group:x@y"})}, Pass},
		{"public ip", "DM-GCP-SQL-001", []resource.Resource{sql(map[string]any{"ipv4_enabled": true})}, Fail},
		{"private ip", "DM-GCP-SQL-001", []resource.Resource{sql(map[string]any{"ipv4_enabled": false})}, Pass},
		{"world network", "DM-GCP-SQL-002", []resource.Resource{sql(map[string]any{"authorized_networks": []any{map[string]any{"value": "0.0.0.0/0"}}})}, Fail},
		{"office network", "DM-GCP-SQL-002", []resource.Resource{sql(map[string]any{"authorized_networks": []any{map[string]any{"value": "203.0.113.0/24"}}})}, Pass},
		{"ssl", "DM-GCP-SQL-003", []resource.Resource{sql(map[string]any{"ssl_mode": "ENCRYPTED_ONLY"})}, Pass},
		{"require ssl", "DM-GCP-SQL-003", []resource.Resource{sql(map[string]any{"require_ssl": true})}, Pass},
		{"no ssl", "DM-GCP-SQL-003", []resource.Resource{sql(map[string]any{"ssl_mode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED"})}, Fail},
		{"default sa", "DM-GCP-IAM-001", []resource.Resource{inst("123-compute@developer.gserviceaccount.com")}, Fail},
		{"own sa", "DM-GCP-IAM-001", []resource.Resource{inst("app@p.iam.gserviceaccount.com")}, Pass},
		{"default sa full", "DM-GCP-IAM-002", []resource.Resource{inst("123-compute@developer.gserviceaccount.com", "https://www.googleapis.com/auth/cloud-platform")}, Fail},
		{"default sa scoped", "DM-GCP-IAM-002", []resource.Resource{inst("123-compute@developer.gserviceaccount.com", "https://www.googleapis.com/auth/logging.write")}, Pass},
		{"own sa full", "DM-GCP-IAM-002", []resource.Resource{inst("app@p.iam.gserviceaccount.com", "cloud-platform")}, ""},
		{"subnet flow logs", "DM-GCP-NET-003", []resource.Resource{res("google_compute_subnetwork", "s", map[string]any{"log_config": []any{map[string]any{"aggregation_interval": "INTERVAL_5_SEC"}}})}, Pass},
		{"subnet no flow logs", "DM-GCP-NET-003", []resource.Resource{res("google_compute_subnetwork", "s", map[string]any{"log_config": []any{}})}, Fail},
		{"subnet flow logs unknown", "DM-GCP-NET-003", []resource.Resource{res("google_compute_subnetwork", "s", nil)}, ""},
		{"proxy subnet", "DM-GCP-NET-003", []resource.Resource{res("google_compute_subnetwork", "s", map[string]any{"purpose": "REGIONAL_MANAGED_PROXY"})}, ""},
		{"serial on", "DM-GCP-VM-001", []resource.Resource{res("google_compute_instance", "vm", map[string]any{"metadata": map[string]any{"serial-port-enable": "TRUE"}})}, Fail},
		{"serial off", "DM-GCP-VM-001", []resource.Resource{res("google_compute_instance", "vm", map[string]any{"metadata": map[string]any{"serial-port-enable": "false"}})}, Pass},
		{"serial default", "DM-GCP-VM-001", []resource.Resource{res("google_compute_instance", "vm", nil)}, Pass},
		{"oslogin on", "DM-GCP-VM-002", []resource.Resource{res("google_compute_instance", "vm", map[string]any{"metadata": map[string]any{"enable-oslogin": "TRUE"}})}, Pass},
		{"oslogin off", "DM-GCP-VM-002", []resource.Resource{res("google_compute_instance", "vm", map[string]any{"metadata": map[string]any{"enable-oslogin": "FALSE"}})}, Fail},
		{"oslogin inherited", "DM-GCP-VM-002", []resource.Resource{res("google_compute_instance", "vm", nil)}, ""},
		{"project public", "DM-GCP-IAM-003", []resource.Resource{res("google_project_iam_member", "m", map[string]any{"role": "roles/viewer", "member": "allAuthenticatedUsers"})}, Fail},
		{"project binding public", "DM-GCP-IAM-003", []resource.Resource{res("google_project_iam_binding", "m", map[string]any{"role": "roles/viewer", "members": []any{"allUsers"}})}, Fail},
		{"project member", "DM-GCP-IAM-003", []resource.Resource{res("google_project_iam_member", "m", map[string]any{"role": "roles/viewer", "member": "group:a@x"})}, Pass},
		{"dataset public", "DM-GCP-BQ-001", []resource.Resource{res("google_bigquery_dataset", "d", map[string]any{"access": []any{map[string]any{"role": "READER", "special_group": "allAuthenticatedUsers"}}})}, Fail},
		{"dataset iam public", "DM-GCP-BQ-001", []resource.Resource{res("google_bigquery_dataset", "d", map[string]any{"access": []any{map[string]any{"role": "READER", "iam_member": "allUsers"}}})}, Fail},
		{"dataset private", "DM-GCP-BQ-001", []resource.Resource{res("google_bigquery_dataset", "d", map[string]any{"access": []any{map[string]any{"role": "OWNER", "special_group": "projectOwners"}}})}, Pass},
		{"90 days", "DM-GCP-KMS-001", []resource.Resource{res("google_kms_crypto_key", "k", map[string]any{"rotation_period": "7776000s"})}, Pass},
		{"1 year", "DM-GCP-KMS-001", []resource.Resource{res("google_kms_crypto_key", "k", map[string]any{"rotation_period": "31536000s"})}, Fail},
		{"rotation unknown", "DM-GCP-KMS-001", []resource.Resource{res("google_kms_crypto_key", "k", nil)}, ""},
		{"never", "DM-GCP-KMS-001", []resource.Resource{res("google_kms_crypto_key", "k", map[string]any{"rotation_period": ""})}, Fail},
	}
}

func TestCheckRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range append(Builtin(), SecretChecks()...) {
		assert.False(t, seen[c.ID], "duplicate check ID %s", c.ID)
		seen[c.ID] = true
		assert.Regexp(t, `^DM-[A-Z]+-[A-Z0-9]+(-[0-9]{3})?$`, c.ID)
		assert.NotEmpty(t, c.Title, c.ID)
		assert.NotEmpty(t, c.Rationale, c.ID)
		assert.NotEmpty(t, c.Remediation, c.ID)
		assert.NotEmpty(t, c.Terraform, c.ID)
		assert.GreaterOrEqual(t, c.Severity.Rank(), 0, c.ID)
		assert.NotEmpty(t, c.Weakened, c.ID)
		if c.Provider != "*" {
			assert.NotNil(t, c.Eval, c.ID)
			assert.NotEmpty(t, c.Types, c.ID)
		}
	}
}
