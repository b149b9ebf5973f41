package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSeverity(t *testing.T) {
	cases := []struct {
		name  string
		kind  Kind
		typ   string
		diffs []Diff
		want  Severity
	}{
		{"missing security control", Missing, "aws_security_group", nil, High},
		{"missing other", Missing, "aws_instance", nil, Medium},
		{"unmanaged IAM user", Unmanaged, "aws_iam_user", nil, High},
		{"unmanaged KMS key", Unmanaged, "aws_kms_key", nil, Medium},
		{"unmanaged bucket", Unmanaged, "aws_s3_bucket", nil, Low},
		{"tag changed", Modified, "aws_instance", []Diff{{Path: "tags.Owner", Expected: "a", Actual: "b"}}, Low},
		{"instance type changed", Modified, "aws_instance", []Diff{{Path: "instance_type", Expected: "a", Actual: "b"}}, Medium},
		{"ssh opened to world", Modified, "aws_security_group", []Diff{{Path: "ingress[0].cidr_blocks", Expected: []any{"10.0.0.0/8"}, Actual: []any{"0.0.0.0/0"}}}, Critical},
		{"ipv6 world rule added", Modified, "aws_security_group", []Diff{{Path: "ingress[3]", Actual: map[string]any{"ipv6_cidr_blocks": []any{"::/0"}}}}, Critical},
		{"world rule narrowed", Modified, "aws_security_group", []Diff{{Path: "ingress[0].cidr_blocks", Expected: []any{"0.0.0.0/0"}, Actual: []any{"10.0.0.0/8"}}}, High},
		{"wildcard in a tag is no exposure", Modified, "aws_instance", []Diff{{Path: "tags.Scope", Expected: "a", Actual: "*"}}, Low},
		{"public access block off", Modified, "aws_s3_bucket_public_access_block", []Diff{{Path: "block_public_acls", Expected: true, Actual: false}}, Critical},
		{"public access block on", Modified, "aws_s3_bucket_public_access_block", []Diff{{Path: "block_public_acls", Expected: false, Actual: true}}, High},
		{"database made public", Modified, "aws_db_instance", []Diff{{Path: "publicly_accessible", Expected: false, Actual: true}}, Critical},
		{"bucket acl public", Modified, "aws_s3_bucket", []Diff{{Path: "acl", Expected: "private", Actual: "public-read"}}, Critical},
		{"encryption changed", Modified, "aws_ebs_volume", []Diff{{Path: "encrypted", Expected: true, Actual: false}}, High},
		{"nested security attr", Modified, "aws_instance", []Diff{{Path: "network_interface[0].security_groups", Expected: []any{"a"}, Actual: []any{"b"}}}, High},
		{"description on security type", Modified, "aws_security_group", []Diff{{Path: "description", Expected: "a", Actual: "b"}}, Low},
		{"other attr on security type", Modified, "aws_kms_key", []Diff{{Path: "multi_region", Expected: false, Actual: true}}, High},
		{"worst wins", Modified, "aws_instance", []Diff{{Path: "tags.A", Expected: "a", Actual: "b"}, {Path: "instance_type", Expected: "a", Actual: "b"}}, Medium},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, severity(tc.kind, tc.typ, tc.diffs))
		})
	}
}

func TestSeverityRank(t *testing.T) {
	assert.Greater(t, Critical.Rank(), High.Rank())
	assert.Greater(t, High.Rank(), Medium.Rank())
	assert.Greater(t, Medium.Rank(), Low.Rank())
	assert.Greater(t, Low.Rank(), Info.Rank())
	assert.Equal(t, -1, Severity("bogus").Rank())
}
