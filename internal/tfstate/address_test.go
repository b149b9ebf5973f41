package tfstate

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProviderName(t *testing.T) {
	cases := []struct{ addr, typ, want, err string }{
		{"provider.aws", "aws_vpc", "aws", ""},
		{"provider.aws.west", "aws_vpc", "aws", ""},
		{`provider["registry.terraform.io/hashicorp/aws"]`, "aws_vpc", "aws", ""},
		{`provider["registry.terraform.io/hashicorp/aws"].west`, "aws_vpc", "aws", ""},
		{`provider["registry.terraform.io/hashicorp/azurerm"]`, "azurerm_subnet", "azurerm", ""},
		{`provider["registry.terraform.io/hashicorp/google-beta"]`, "google_compute_instance", "google", ""},
		{`provider["registry.opentofu.org/hashicorp/google"]`, "google_compute_instance", "google", ""},
		{`provider["registry.terraform.io/-/aws"]`, "aws_vpc", "aws", ""},
		{`provider["example.com/acme/custom"]`, "custom_thing", "custom", ""},
		{`module.net.provider["registry.terraform.io/hashicorp/aws"]`, "aws_vpc", "aws", ""},
		{`module.net["a"].module.sg[0].provider["registry.terraform.io/hashicorp/aws"].east`, "aws_vpc", "aws", ""},
		{"module.net.provider.aws", "aws_vpc", "aws", ""},
		{"", "azurerm_subnet", "azurerm", ""},
		{"aws", "aws_vpc", "", "malformed provider address"},
		{"provider.", "aws_vpc", "", "no provider type"},
		{`provider[""]`, "aws_vpc", "", "no provider type"},
		{`provider["registry.terraform.io/hashicorp/aws"`, "aws_vpc", "", "malformed"},
		{`provider["x/y/aws"]west`, "aws_vpc", "", "malformed"},
		{"module.", "aws_vpc", "", "malformed"},
		{"module.net", "aws_vpc", "", "malformed"},
		{`module.net["a"`, "aws_vpc", "", "malformed"},
		{`module.net["a"]provider.aws`, "aws_vpc", "", "malformed"},
	}
	for _, tc := range cases {
		got, err := providerName(tc.addr, tc.typ)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.addr)
			continue
		}
		require.NoError(t, err, tc.addr)
		assert.Equal(t, tc.want, got, tc.addr)
	}
}

func TestIndexKey(t *testing.T) {
	cases := []struct{ raw, want, err string }{
		{"", "", ""},
		{"null", "", ""},
		{"0", "[0]", ""},
		{"12", "[12]", ""},
		{`"a"`, `["a"]`, ""},
		{`"with \"quote\""`, `["with \"quote\""]`, ""},
		{`"us-east-1.a"`, `["us-east-1.a"]`, ""},
		{"-1", "", "count index"},
		{"1e3", "", "count index"},
		{"true", "", "expected a number or a string, got a boolean"},
		{"{}", "", "got an object"},
		{`"bad \x"`, "", "invalid"},
	}
	for _, tc := range cases {
		got, err := indexKey(json.RawMessage(tc.raw))
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.raw)
			continue
		}
		require.NoError(t, err, tc.raw)
		assert.Equal(t, tc.want, got, tc.raw)
	}
}

func TestModulePath(t *testing.T) {
	got, err := modulePath([]string{"root", "net", "sg"})
	require.NoError(t, err)
	assert.Equal(t, "module.net.module.sg", got)
	got, err = modulePath([]string{"root"})
	require.NoError(t, err)
	assert.Equal(t, "", got)
	got, err = modulePath(nil)
	require.NoError(t, err)
	assert.Equal(t, "", got)
}

func TestIDOf(t *testing.T) {
	id, ok, err := idOf(1.5)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "1.5", id)
	_, ok, err = idOf("")
	require.NoError(t, err)
	assert.False(t, ok)
	_, _, err = idOf([]any{})
	assert.Error(t, err)
}

func TestJSONKind(t *testing.T) {
	assert.Equal(t, "an object", jsonKind([]byte(" \n{}")))
	assert.Equal(t, "nothing", jsonKind(nil))
	assert.Equal(t, "a boolean", tokenKind(true))
	assert.Equal(t, "a number", tokenKind(1.0))
	assert.Equal(t, "']'", tokenKind(json.Delim(']')))
	assert.Equal(t, "int", tokenKind(3))
}
