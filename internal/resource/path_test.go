package resource

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPathBuilding(t *testing.T) {
	p := Path("").Field("ingress").Index(2).Field("cidr_blocks")
	assert.Equal(t, Path("ingress[2].cidr_blocks"), p)
	assert.Equal(t, Path(`tags["kubernetes.io/role"]`), Path("").Field("tags").Field("kubernetes.io/role"))
	assert.Equal(t, Path(`[""]`), Path("").Field(""))
	assert.Equal(t, "ingress", p.Root())
	assert.Equal(t, "tags", Path(`tags["a.b"]`).Root())
	assert.Equal(t, "name", Path("name").Root())
}

func TestPathHasPrefix(t *testing.T) {
	cases := []struct {
		p, q Path
		want bool
	}{
		{"ingress[2].cidr_blocks", "ingress", true},
		{"ingress[2].cidr_blocks", "ingress[2]", true},
		{"ingress[2].cidr_blocks", "ingress[2].cidr_blocks", true},
		{"ingress_rules", "ingress", false},
		{"ingress[2]", "ingress[20]", false},
		{"a", "", true},
		{"tags.Name", "tags", true},
		{`tags["a.b"]`, "tags", true},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.p.HasPrefix(tc.q), "%s under %s", tc.p, tc.q)
	}
}

func TestRedactAttrs(t *testing.T) {
	in := map[string]any{"password": "x", "list": []any{"a", map[string]any{"k": "v"}}, "nil": nil, "keep": 1.0}
	out := RedactAttrs(in, []Path{"password", "list[1].k", "nil"})
	assert.Equal(t, map[string]any{"password": Redacted, "list": []any{"a", map[string]any{"k": Redacted}}, "nil": nil, "keep": 1.0}, out)
	assert.Equal(t, "x", in["password"])
	assert.Equal(t, in, RedactAttrs(in, nil))
	assert.True(t, IsSensitive("password", []Path{"password"}))
	assert.False(t, IsSensitive("password_hint", []Path{"password"}))
}

func TestResourceIdentity(t *testing.T) {
	r := Resource{Provider: "aws", Type: "aws_vpc", ID: "vpc-1"}
	assert.Equal(t, Key{"aws", "aws_vpc", "vpc-1"}, r.Key())
	assert.Equal(t, "aws:aws_vpc.vpc-1", r.Key().String())
	assert.Equal(t, "aws_vpc.vpc-1", r.String())
	assert.NoError(t, r.Validate())
	assert.ErrorContains(t, (&Resource{Type: "t", ID: "i"}).Validate(), "provider is empty")
	assert.Equal(t, "azurerm", ProviderFromType("azurerm_subnet"))
	assert.Equal(t, "weird", ProviderFromType("weird"))
	assert.Equal(t, []string{"a", "b"}, SortedKeys(map[string]int{"b": 1, "a": 2}))
}
