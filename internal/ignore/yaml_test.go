package ignore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
)

func TestParseYAML(t *testing.T) {
	cfg := `
scan:
  workers: 4
ignore:
  resources: ["aws_iam_user.ci-*", "!aws_iam_user.ci-admin", "aws_s3_bucket.*.versioning"]
  attributes:
    - resource: "aws_instance.*"
      paths: ["tags.LastScanned", "user_data", "tags", "!tags.Owner"]
    - resource: aws_security_group.sg-1
      paths: ingress[*].cidr_blocks
`
	rs, err := ParseYAML("driftmgr.yaml", []byte(cfg))
	require.NoError(t, err)
	assert.Equal(t, 8, rs.Len())
	assert.True(t, rs.IgnoreResource(res("aws_iam_user", "ci-runner")))
	assert.False(t, rs.IgnoreResource(res("aws_iam_user", "ci-admin")))
	assert.False(t, rs.IgnoreResource(res("aws_instance", "i-1")))
	assert.True(t, rs.IgnoreAttr(res("aws_s3_bucket", "b"), "versioning[0].enabled"))
	assert.True(t, rs.IgnoreAttr(res("aws_instance", "i-1"), "tags.LastScanned"))
	assert.True(t, rs.IgnoreAttr(res("aws_instance", "i-1"), "user_data"))
	assert.True(t, rs.IgnoreAttr(res("aws_instance", "i-1"), "tags.Env"))
	assert.False(t, rs.IgnoreAttr(res("aws_instance", "i-1"), "tags.Owner"))
	assert.False(t, rs.IgnoreAttr(res("aws_instance", "i-1"), "ami"))
	assert.True(t, rs.IgnoreAttr(res("aws_security_group", "sg-1"), "ingress[4].cidr_blocks[0]"))
	assert.False(t, rs.IgnoreAttr(res("aws_security_group", "sg-1"), "ingress[4].from_port"))
}

func TestParseYAMLKinds(t *testing.T) {
	cfg := `
ignore:
  - resources: ["aws_iam_user.*"]
    kinds: [unmanaged]
  - resources: "aws_s3_bucket.logs-*"
  - resources: ["aws_iam_user.legacy-*"]
    kinds: [DELETED, UNMANAGED]
  - resources: ["!aws_iam_user.legacy-keep"]
    kinds: [MISSING]
  - resources: ["aws_instance.*"]
    kinds: [MODIFIED]
    attributes:
      - resource: aws_instance.*
        paths: [tags]
`
	rs, err := ParseYAML("cfg.yaml", []byte(cfg))
	require.NoError(t, err)
	alice := res("aws_iam_user", "alice")
	assert.False(t, rs.IgnoreResource(alice), "kind-scoped rules keep the resource compared")
	assert.True(t, rs.IgnoreKind(drift.Unmanaged, alice))
	assert.False(t, rs.IgnoreKind(drift.Missing, alice))
	assert.False(t, rs.IgnoreKind(drift.Modified, alice))
	assert.False(t, rs.IgnoreKind("BOGUS", alice))
	assert.False(t, rs.IgnoreAttr(alice, "tags"), "an UNMANAGED-only rule does not cover attributes")

	legacy := res("aws_iam_user", "legacy-1")
	assert.True(t, rs.IgnoreKind(drift.Missing, legacy))
	assert.True(t, rs.IgnoreKind(drift.Unmanaged, legacy))
	assert.False(t, rs.IgnoreResource(legacy))

	keep := res("aws_iam_user", "legacy-keep")
	assert.False(t, rs.IgnoreKind(drift.Missing, keep), "later negation for MISSING wins")
	assert.True(t, rs.IgnoreKind(drift.Unmanaged, keep))

	assert.True(t, rs.IgnoreResource(res("aws_s3_bucket", "logs-1")))
	assert.True(t, rs.IgnoreKind(drift.Missing, res("aws_s3_bucket", "logs-1")))

	inst := res("aws_instance", "i-1")
	assert.True(t, rs.IgnoreKind(drift.Modified, inst))
	assert.False(t, rs.IgnoreKind(drift.Unmanaged, inst))
	assert.True(t, rs.IgnoreAttr(inst, "tags.Name"))
}

func TestParseYAMLEmpty(t *testing.T) {
	for _, cfg := range []string{"", "scan: {}\n", "ignore:\n", "ignore: []\n", "ignore: {resources: []}\n", "ignore: {resources: ~}\n"} {
		rs, err := ParseYAML("c.yaml", []byte(cfg))
		require.NoError(t, err, cfg)
		assert.Equal(t, 0, rs.Len(), cfg)
	}
}

func TestParseYAMLErrors(t *testing.T) {
	tests := []struct{ name, cfg, want string }{
		{"not yaml", "ignore: [\n", "read c.yaml: ignore: syntax error"},
		{"top is a list", "- a\n", `c.yaml:1: expected a mapping at the top of the config, got a list`},
		{"ignore is a string", "ignore: x\n", `c.yaml:1: ignore: expected a mapping with resources, attributes and kinds, or a list of them, got "x"`},
		{"ignore is an alias", "a: &x {}\nignore: *x\n", `c.yaml:2: ignore: expected a mapping`},
		{"group is a string", "ignore:\n  - x\n", `c.yaml:2: ignore[0]: expected a mapping with resources, attributes and kinds, got "x"`},
		{"unknown key", "ignore:\n  resource: [a.b]\n", `c.yaml:2: ignore: unknown key "resource", expected resources, attributes or kinds`},
		{"bad rule", "ignore:\n  resources:\n    - a.b\n    - aws_instance\n", `c.yaml:4: ignore.resources[1]: expected resource_type.resource_id, got "aws_instance"`},
		{"resources a map", "ignore:\n  resources: {a: b}\n", `c.yaml:2: ignore.resources: expected a list of strings, got a mapping`},
		{"resources item a map", "ignore:\n  resources: [{a: b}]\n", `c.yaml:2: ignore.resources[0]: expected a string, got a mapping`},
		{"bad kind", "ignore:\n  kinds: [GONE]\n", `c.yaml:2: ignore.kinds[0]: expected MISSING, UNMANAGED or MODIFIED, got "GONE"`},
		{"empty kinds", "ignore:\n  kinds: []\n", `ignore.kinds: expected at least one of`},
		{"attributes without MODIFIED", "ignore:\n  kinds: [UNMANAGED]\n  attributes: [{resource: a.b, paths: [x]}]\n", `c.yaml:3: ignore.attributes: attribute rules only apply to MODIFIED findings`},
		{"attributes a map", "ignore:\n  attributes: {resource: a.b}\n", `ignore.attributes: expected a list of {resource, paths}, got a mapping`},
		{"attribute a string", "ignore:\n  attributes: [x]\n", `ignore.attributes[0]: expected a mapping with resource and paths, got "x"`},
		{"attribute unknown key", "ignore:\n  attributes: [{resource: a.b, path: x}]\n", `ignore.attributes[0]: unknown key "path", expected resource or paths`},
		{"attribute no resource", "ignore:\n  attributes: [{paths: [x]}]\n", `ignore.attributes[0].resource: expected a resource_type.resource_id pattern`},
		{"attribute resource with path", "ignore:\n  attributes: [{resource: a.b.c, paths: [x]}]\n", `ignore.attributes[0].resource: expected resource_type.resource_id (no attribute path; list those under paths), got "a.b.c"`},
		{"attribute resource a type glob", "ignore:\n  attributes: [{resource: 'aws_*', paths: [x]}]\n", `(no attribute path`},
		{"attribute resource bad", "ignore:\n  attributes: [{resource: 'x', paths: [x]}]\n", `ignore.attributes[0].resource: expected resource_type.resource_id, got "x"`},
		{"attribute no paths", "ignore:\n  attributes: [{resource: a.b}]\n", `ignore.attributes[0].paths: expected a list of attribute paths`},
		{"attribute bad path", "ignore:\n  attributes:\n    - resource: a.b\n      paths: [ok, 'x..y']\n", `c.yaml:4: ignore.attributes[0].paths[1]: expected resource_type.resource_id.path, got "x..y": empty attribute path segment`},
		{"attribute paths a map", "ignore:\n  attributes: [{resource: a.b, paths: {x: y}}]\n", `ignore.attributes[0].paths: expected a list of strings, got a mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML("c.yaml", []byte(tt.cfg))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.ErrorIs(t, err, ErrSyntax)
		})
	}
	_, err := ParseYAML("big.yaml", []byte(strings.Repeat("#", MaxFileBytes+1)))
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestMergeDriftignoreAndYAML(t *testing.T) {
	di := mustParse(t, "aws_iam_user.*\n")
	y, err := ParseYAML("c.yaml", []byte("ignore:\n  resources: ['!aws_iam_user.alice']\n"))
	require.NoError(t, err)
	m := di.Merge(y)
	assert.False(t, m.IgnoreResource(res("aws_iam_user", "alice")))
	assert.True(t, m.IgnoreResource(res("aws_iam_user", "bob")))
}
