package ignore

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func sampleFindings() []drift.Finding {
	return []drift.Finding{
		{Kind: drift.Modified, Type: "aws_security_group", ID: "sg-1", Diffs: []drift.Diff{
			{Path: "ingress[2].cidr_blocks"}, {Path: `tags["kubernetes.io/role"]`}, {Path: "description"},
		}},
		{Kind: drift.Unmanaged, Type: "aws_s3_bucket", ID: "my.bucket.com"},
		{Kind: drift.Unmanaged, Type: "aws_iam_role", ID: `odd\role*name`},
		{Kind: drift.Unmanaged, Type: "aws_iam_user", ID: "alice", Account: "1"},
		{Kind: drift.Unmanaged, Type: "aws_iam_user", ID: "alice", Account: "2"},
		{Kind: drift.Missing, Type: "aws_instance", ID: "i-123"},
		{Kind: drift.Missing, Type: "!weird", ID: "trailing space "},
		{Kind: drift.Modified, Type: "aws_instance", ID: "i-9", Diffs: []drift.Diff{
			{Path: resource.Path("").Field("a.b").Field("c")}, {Path: resource.Path("").Field("").Index(0)}, {Path: "x"},
		}},
		{Kind: drift.Modified, Type: "aws_lambda_function", ID: "no-diffs"},
		{Kind: drift.Modified, Type: "aws_lambda_function", ID: "whole", Diffs: []drift.Diff{{Path: ""}}},
	}
}

func TestGenerateOutput(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Generate(&buf, sampleFindings(), GenerateOptions{}))
	want := `# UNMANAGED: in the cloud, in no state
aws_iam_role.odd\\role\*name
aws_iam_user.alice
aws_s3_bucket.my\.bucket\.com

# MISSING: in a state, gone from the cloud
\!weird.trailing space\ 
aws_instance.i-123

# MODIFIED: attributes that differ
aws_instance.i-9.[""][0]
aws_instance.i-9.["a.b"].c
aws_instance.i-9.x
aws_lambda_function.no-diffs
aws_lambda_function.whole
aws_security_group.sg-1.description
aws_security_group.sg-1.ingress[2].cidr_blocks
aws_security_group.sg-1.tags["kubernetes.io/role"]
`
	assert.Equal(t, want, buf.String())

	// Deterministic whatever the input order.
	fs := sampleFindings()
	for i, j := 0, len(fs)-1; i < j; i, j = i+1, j-1 {
		fs[i], fs[j] = fs[j], fs[i]
	}
	var again bytes.Buffer
	require.NoError(t, Generate(&again, fs, GenerateOptions{}))
	assert.Equal(t, buf.String(), again.String())
}

func TestGenerateExclude(t *testing.T) {
	tests := []struct {
		opts        GenerateOptions
		has, hasNot []string
	}{
		{GenerateOptions{ExcludeUnmanaged: true}, []string{"# MISSING", "# MODIFIED"}, []string{"# UNMANAGED", "aws_iam_user.alice"}},
		{GenerateOptions{ExcludeMissing: true}, []string{"# UNMANAGED", "# MODIFIED"}, []string{"# MISSING", "aws_instance.i-123"}},
		{GenerateOptions{ExcludeModified: true}, []string{"# UNMANAGED", "# MISSING"}, []string{"# MODIFIED", "sg-1"}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		require.NoError(t, Generate(&buf, sampleFindings(), tt.opts))
		for _, s := range tt.has {
			assert.Contains(t, buf.String(), s)
		}
		for _, s := range tt.hasNot {
			assert.NotContains(t, buf.String(), s)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, Generate(&buf, nil, GenerateOptions{}))
	assert.Empty(t, buf.String())
}

func TestGenerateErrors(t *testing.T) {
	for _, f := range []drift.Finding{
		{Kind: drift.Unmanaged, Type: "t", ID: "line\nbreak"},
		{Kind: drift.Unmanaged, Type: "t", ID: "cr\r"},
		{Kind: drift.Unmanaged, Type: "", ID: "x"},
		{Kind: drift.Unmanaged, Type: "t", ID: ""},
		{Kind: drift.Unmanaged, Type: "t", ID: strings.Repeat("x", MaxLineBytes)},
		{Kind: drift.Modified, Type: "t", ID: "x", Diffs: []drift.Diff{{Path: resource.Path(strings.Repeat("a", MaxLineBytes))}}},
	} {
		err := Generate(&bytes.Buffer{}, []drift.Finding{f}, GenerateOptions{})
		assert.ErrorIs(t, err, ErrUnrepresentable, "%q.%q", f.Type, f.ID)
	}
}

// TestGenerateRoundTrip checks that the generated file, parsed back,
// ignores exactly the findings it was generated from: every included
// finding is ignored, excluded kinds and other resources and attributes are
// not.
func TestGenerateRoundTrip(t *testing.T) {
	findings := sampleFindings()
	findings = append(findings,
		drift.Finding{Kind: drift.Unmanaged, Type: "t", ID: " lead and tab\t"},
		drift.Finding{Kind: drift.Unmanaged, Type: "#hash", ID: "#x"},
		drift.Finding{Kind: drift.Unmanaged, Type: "t", ID: "*"},
		drift.Finding{Kind: drift.Modified, Type: "t", ID: "m", Diffs: []drift.Diff{{Path: resource.Path("").Field("q\"uo\\te").Index(3).Field("k*")}}},
	)
	for _, opts := range []GenerateOptions{{}, {ExcludeModified: true}, {ExcludeUnmanaged: true, ExcludeMissing: true}} {
		var buf bytes.Buffer
		require.NoError(t, Generate(&buf, findings, opts))
		rs, err := ParseDriftignore("gen", &buf)
		require.NoError(t, err, buf.String())
		for _, f := range findings {
			r := res(f.Type, f.ID)
			excluded := f.Kind == drift.Modified && opts.ExcludeModified ||
				f.Kind == drift.Unmanaged && opts.ExcludeUnmanaged ||
				f.Kind == drift.Missing && opts.ExcludeMissing
			wholeResource := f.Kind != drift.Modified || len(f.Diffs) == 0 || f.ID == "whole"
			switch {
			case excluded:
				assert.False(t, rs.IgnoreResource(r), "%s.%s", f.Type, f.ID)
				for _, d := range f.Diffs {
					assert.False(t, rs.IgnoreAttr(r, d.Path), "%s.%s %s", f.Type, f.ID, d.Path)
				}
			case wholeResource:
				assert.True(t, rs.IgnoreResource(r), "%s.%s", f.Type, f.ID)
			default:
				assert.False(t, rs.IgnoreResource(r), "%s.%s", f.Type, f.ID)
				for _, d := range f.Diffs {
					assert.True(t, rs.IgnoreAttr(r, d.Path), "%s.%s %s", f.Type, f.ID, d.Path)
				}
				assert.False(t, rs.IgnoreAttr(r, "some_other_attribute"))
			}
			// Neighbours stay reported.
			assert.False(t, rs.IgnoreResource(res(f.Type, f.ID+"x")))
			assert.False(t, rs.IgnoreResource(res(f.Type+"x", f.ID)))
		}
	}
}
