package filter

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func bucket() *resource.Resource {
	return &resource.Resource{
		Provider: "aws", Type: "aws_s3_bucket", ID: "my-bucket", Account: "123456789012", Region: "eu-west-1",
		Address: `module.logs.aws_s3_bucket.this["a"]`,
		Attrs: map[string]any{
			"bucket":     "my-bucket",
			"tags":       map[string]any{"Terraform": "true", "env": "prod"},
			"versioning": []any{map[string]any{"enabled": true}},
			"size":       float64(0),
			"empty":      "",
		},
		Tags: map[string]string{"Terraform": "true", "env": "prod"},
	}
}

func TestMatch(t *testing.T) {
	noTags := bucket()
	noTags.Tags = nil
	ownTags := bucket()
	ownTags.Attrs["Tags"] = map[string]any{"from": "attrs"}
	nilAttrs := &resource.Resource{Type: "aws_vpc", ID: "vpc-1", Tags: map[string]string{"env": "dev"}}

	tests := []struct {
		name string
		expr string
		r    *resource.Resource
		want bool
	}{
		{"type", "type=='aws_s3_bucket'", bucket(), true},
		{"type mismatch", "type=='aws_instance'", bucket(), false},
		{"id and provider", "id=='my-bucket' && provider=='aws'", bucket(), true},
		{"account and region", "account=='123456789012' && region=='eu-west-1'", bucket(), true},
		{"address", "contains(address, 'module.logs')", bucket(), true},
		{"tags", "tags.env=='prod'", bucket(), true},
		{"tag with dots", `tags."kubernetes.io/role"`, bucket(), false},
		{"attrs nested", "attrs.versioning[0].enabled", bucket(), true},
		{"starts_with", "starts_with(type, 'aws_s3')", bucket(), true},
		{"driftctl Type and Id", "Type=='aws_s3_bucket' && Id!='my-bucket'", bucket(), false},
		{"driftctl Type and Id other", "Type=='aws_s3_bucket' && Id!='other'", bucket(), true},
		{"driftctl Attr.Tags", "Attr.Tags.Terraform=='true'", bucket(), true},
		{"driftctl Attr terraform name", "Attr.tags.Terraform=='true'", bucket(), true},
		{"driftctl Attr.bucket", "Attr.bucket=='my-bucket'", bucket(), true},
		{"Attr.Tags without tags", "Attr.Tags.Terraform=='true'", noTags, false},
		{"Attr.Tags attribute wins", "Attr.Tags.from=='attrs'", ownTags, true},
		{"nil attrs", "attrs.x", nilAttrs, false},
		{"nil attrs tags", "tags.env=='dev' && Attr.Tags.env=='dev'", nilAttrs, true},
		{"truthy string", "id", bucket(), true},
		{"falsy empty string", "attrs.empty", bucket(), false},
		{"zero is truthy", "attrs.size", bucket(), true},
		{"falsy null", "attrs.missing", bucket(), false},
		{"falsy empty list", "attrs.versioning[?enabled==`false`]", bucket(), false},
		{"truthy list", "attrs.versioning", bucket(), true},
		{"falsy empty object", "tags", noTags, false},
		{"truthy object", "tags", bucket(), true},
		{"false literal", "`false`", bucket(), false},
		{"number literal", "`1`", bucket(), true},
		{"wildcard reads Attr", "length(keys(@)) > `10`", bucket(), true},
		{"empty account is falsy", "account", nilAttrs, false},
		{"or", "type=='aws_vpc' || type=='aws_s3_bucket'", bucket(), true},
		{"not", "!(type=='aws_vpc')", bucket(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Compile(tt.expr)
			require.NoError(t, err)
			assert.Equal(t, tt.want, f.Match(tt.r))
			assert.Zero(t, f.Errors())
			assert.NoError(t, f.Err())
			assert.Equal(t, tt.expr, f.String())
		})
	}
}

func TestMatchNil(t *testing.T) {
	f, err := Compile("type")
	require.NoError(t, err)
	assert.False(t, f.Match(nil))
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
		is         error
	}{
		{"empty", "", []string{"empty expression", "expected a JMESPath expression"}, ErrSyntax},
		{"blank", "  \t", []string{"empty expression"}, ErrSyntax},
		{"incomplete", "Type=='aws_s3_bucket' &&", []string{`"Type=='aws_s3_bucket' &&"`, "at offset", "expected a JMESPath expression such as"}, ErrSyntax},
		{"bad token", "type == 'a' ^ 1", []string{"at offset 12", "^"}, ErrSyntax},
		{"unclosed", "tags.[", []string{"at offset"}, ErrSyntax},
		{"too long", strings.Repeat("a", MaxExprBytes+1), []string{"at most 4096"}, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.expr)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	_, err := Compile(strings.Repeat("a", MaxExprBytes))
	assert.NoError(t, err)
}

func TestEvalErrorsCounted(t *testing.T) {
	f, err := Compile("abs(type) > `1`")
	require.NoError(t, err)
	for range 5 {
		assert.False(t, f.Match(bucket()))
	}
	assert.Equal(t, 5, f.Errors())
	require.Error(t, f.Err())
	assert.ErrorIs(t, f.Err(), ErrEval)
	assert.Contains(t, f.Err().Error(), `filter "abs(type) > `+"`1`"+`" on aws_s3_bucket.my-bucket`)
}

func TestConcurrentMatch(t *testing.T) {
	f, err := Compile("tags.env=='prod' && Attr.Tags.Terraform=='true'")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				if !f.Match(bucket()) {
					t.Error("no match")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestTruthy(t *testing.T) {
	assert.True(t, truthy(struct{}{}))
	assert.True(t, truthy(float64(0)))
	assert.False(t, truthy(nil))
}
