package regopolicy

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
)

const goodPolicy = `# METADATA
# title: Buckets are versioned
# custom:
#   id: T-S3-1
#   severity: high
#   frameworks: [Test]
#   resource_types: [aws_s3_bucket]
#   related_types: [aws_s3_bucket_versioning]
package t.s3

ok if {
	some v in input.related.aws_s3_bucket_versioning
	v.attributes.status == "Enabled"
}

deny contains {"msg": "not versioned", "path": "versioning"} if not ok

deny contains "no owner tag" if not input.resource.tags.Owner
`

const anyTypePolicy = `package t.any

metadata := {"id": "T-ANY-1", "title": "Nothing is named bad", "severity": "low"}

violation contains sprintf("%s is named bad", [input.resource.id]) if input.resource.attributes.name == "bad"
`

func TestLoadAndEvaluate(t *testing.T) {
	ctx := context.Background()
	set, err := Load(ctx, map[string]string{"s3.rego": goodPolicy, "any.rego": anyTypePolicy})
	require.NoError(t, err)
	require.Len(t, set.Policies, 2)
	rs := []resource.Resource{
		{Provider: "aws", Type: "aws_s3_bucket", ID: "a", Attrs: map[string]any{"bucket": "a"}, Tags: map[string]string{"Owner": "x"}},
		{Provider: "aws", Type: "aws_s3_bucket_versioning", ID: "a", Attrs: map[string]any{"bucket": "a", "status": "Enabled"}},
		{Provider: "aws", Type: "aws_s3_bucket", ID: "b", Attrs: map[string]any{"bucket": "b", "name": "bad"}},
		{Provider: "aws", Type: "aws_instance", ID: "i", Attrs: map[string]any{"name": "good"}},
	}
	res, err := set.Evaluate(ctx, rs, Options{Workers: 2})
	require.NoError(t, err)
	got := map[string]scan.Result{}
	for _, r := range res {
		got[r.CheckID+" "+r.ID] = r
	}
	assert.Len(t, got, 3, "typed policies report passes; untyped ones only failures: %v", got)
	assert.Equal(t, scan.Pass, got["T-S3-1 a"].Status, "the related versioning resource joins")
	b := got["T-S3-1 b"]
	assert.Equal(t, scan.Fail, b.Status)
	assert.Equal(t, scan.High, b.Severity)
	assert.Equal(t, "no owner tag; not versioned", b.Message, "one result per resource and policy")
	assert.Len(t, b.Evidence, 2)
	assert.Equal(t, scan.Fail, got["T-ANY-1 b"].Status)
	assert.Equal(t, "b is named bad", got["T-ANY-1 b"].Message)

	// Results join the built-in ones: the mutelist applies, the framework scores.
	ml, err := scan.ParseMutelist("m.yaml", []byte("mutelist:\n  - check: T-ANY-*\n    resource: aws_s3_bucket.b\n    reason: legacy\n    owner: me\n"))
	require.NoError(t, err)
	rep := scan.Run(scan.Input{State: rs, Custom: res, CustomChecks: set.Checks(), Mutelist: ml, Now: time.Now()})
	var muted, test bool
	for _, r := range rep.Results {
		muted = muted || r.CheckID == "T-ANY-1" && r.Status == scan.Muted
	}
	for _, f := range rep.Summary.Compliance {
		test = test || f.Framework == "Test" && f.Passed == 1 && f.Failed == 1
	}
	assert.True(t, muted)
	assert.True(t, test, "%+v", rep.Summary.Compliance)
}

func TestBadPolicyRejected(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"syntax", "package p\n\ndeny contains msg if {\n  msg := \n}\n", "bad.rego:5: unexpected } token"},
		{"unsafe var", "package p\nmetadata := {\"id\": \"X\", \"title\": \"t\", \"severity\": \"low\"}\ndeny contains msg if {\n  x == 1\n}\n", "bad.rego:3"},
		{"no metadata", "package p\n\ndeny contains \"x\" if true\n", "bad.rego:1: no metadata"},
		{"bad severity", "package p\nmetadata := {\"id\": \"X\", \"title\": \"t\", \"severity\": \"urgent\"}\ndeny contains \"x\" if false\n", `bad.rego:2: severity "urgent"`},
		{"missing id", "# METADATA\n# title: t\n# custom:\n#   severity: low\npackage p\ndeny contains \"x\" if false\n", "bad.rego:1: metadata needs id"},
		{"deny not a set", "package p\nmetadata := {\"id\": \"X\", \"title\": \"t\", \"severity\": \"low\"}\ndeny := true\n", "bad.rego:3: deny must be a set rule"},
		{"reserved id", "package p\nmetadata := {\"id\": \"DM-AWS-EC2-001\", \"title\": \"t\", \"severity\": \"low\"}\ndeny contains \"x\" if false\n", "reserved"},
		{"unknown function", "package p\nmetadata := {\"id\": \"X\", \"title\": \"t\", \"severity\": \"low\"}\ndeny contains x if x := nosuch(input)\n", "bad.rego:3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(context.Background(), map[string]string{"bad.rego": c.src})
			require.ErrorIs(t, err, ErrPolicy)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := Load(context.Background(), map[string]string{"a.rego": anyTypePolicy, "b.rego": "package q\n" + anyTypePolicy[len("package t.any\n"):]})
	require.ErrorIs(t, err, ErrPolicy)
	assert.Contains(t, err.Error(), "already declared")
}

func TestExamplePolicies(t *testing.T) {
	ctx := context.Background()
	res, err := RunTests(ctx, []string{"../../../examples/policies"})
	require.NoError(t, err)
	require.NotEmpty(t, res)
	for _, r := range res {
		assert.True(t, r.Pass, "%s.%s (%s:%d): %s", r.Package, r.Name, r.File, r.Line, r.Error)
	}
	set, err := LoadDirs(ctx, []string{"../../../examples/policies"})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(set.Policies), 4)
}

func TestRunTestsReportsFailure(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/p.rego", anyTypePolicy)
	writeFile(t, dir+"/p_test.rego", "package t.any_test\nimport data.t.any\ntest_ok if { count(any.violation) == 1 with input as {\"resource\": {\"id\": \"x\", \"attributes\": {\"name\": \"bad\"}}} }\ntest_wrong if { count(any.violation) == 0 with input as {\"resource\": {\"id\": \"x\", \"attributes\": {\"name\": \"bad\"}}} }\n")
	res, err := RunTests(context.Background(), []string{dir})
	require.NoError(t, err)
	require.Len(t, res, 2)
	assert.True(t, res[0].Pass)
	assert.Equal(t, "test_wrong", res[1].Name)
	assert.False(t, res[1].Pass)
	assert.Equal(t, 4, res[1].Line)
}

func TestLookup(t *testing.T) {
	r := &resource.Resource{Attrs: map[string]any{"a": []any{map[string]any{"b": "x"}}}}
	p, v := lookup(r, "a[0].b")
	assert.Equal(t, resource.Path("a[0].b"), p)
	assert.Equal(t, "x", v)
	p, v = lookup(r, []any{"a", 0.0, "c"})
	assert.Equal(t, resource.Path("a[0].c"), p)
	assert.Nil(t, v)
}

func FuzzLoad(f *testing.F) {
	f.Add(goodPolicy)
	f.Add(anyTypePolicy)
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = Load(context.Background(), map[string]string{"f.rego": src})
	})
}
