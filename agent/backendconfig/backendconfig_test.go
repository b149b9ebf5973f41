package backendconfig

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

func TestDiscoverNoConfig(t *testing.T) {
	dir := writeTree(t, map[string]string{"README.md": "# nothing", ".terraform/x/main.tf": "terraform {}"})
	_, err := Discover(context.Background(), dir, Options{})
	require.ErrorIs(t, err, ErrNoConfig)
}

func TestDiscoverBadDir(t *testing.T) {
	_, err := Discover(context.Background(), filepath.Join(t.TempDir(), "missing"), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing")

	dir := writeTree(t, map[string]string{"main.tf": ""})
	_, err = Discover(context.Background(), filepath.Join(dir, "main.tf"), Options{})
	require.ErrorContains(t, err, "not a directory")
}

func TestDiscoverTooLarge(t *testing.T) {
	big := "# " + strings.Repeat("x", MaxFileBytes) + "\n"
	dir := writeTree(t, map[string]string{
		"main.tf":             big,
		"leaf/terragrunt.hcl": big,
		"ok/terragrunt.hcl":   "remote_state {\nbackend = \"s3\"\nconfig = { bucket = \"b\", key = \"ok\" }\n}",
	})
	locs, err := Discover(context.Background(), dir, Options{})
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), filepath.Join(dir, "main.tf"))
	assert.Contains(t, err.Error(), filepath.Join(dir, "leaf", "terragrunt.hcl"))
	assert.Equal(t, []string{"s3://b/ok"}, urls(locs), "a too large file does not hide the others")
}

func TestDiscoverMaxDepth(t *testing.T) {
	deep := strings.Repeat("d/", MaxDepth+1)
	dir := writeTree(t, map[string]string{
		"shallow/terragrunt.hcl": "remote_state {\nbackend = \"s3\"\nconfig = { bucket = \"b\", key = \"shallow\" }\n}",
		deep + "terragrunt.hcl":  "remote_state {\nbackend = \"s3\"\nconfig = { bucket = \"b\", key = \"deep\" }\n}",
	})
	locs, err := Discover(context.Background(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s3://b/shallow"}, urls(locs))
}

func TestDiscoverCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Discover(ctx, "testdata/tg/roothcl", Options{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestDedup(t *testing.T) {
	in := []Location{
		{URL: "s3://b/2", Dir: "b"},
		{URL: "s3://b/1", Dir: "b"},
		{URL: "s3://b/2", Dir: "a"},
	}
	assert.Equal(t, []Location{{URL: "s3://b/2", Dir: "a"}, {URL: "s3://b/1", Dir: "b"}}, dedup(in))
	assert.Nil(t, dedup(nil))
}

func TestEscapeGlob(t *testing.T) {
	assert.Equal(t, "plain/key.tfstate", escapeGlob("plain/key.tfstate"))
	assert.Equal(t, `a\*\?\[\]\{\}\\`, escapeGlob(`a*?[]{}\`))
}

func TestWorkspacesValueType(t *testing.T) {
	b := backendSpec{typ: BackendRemote, file: "x.tf:1"}
	_, err := b.workspaces(cty.StringVal("s"))
	require.ErrorIs(t, err, ErrIncomplete)
	assert.Contains(t, err.Error(), "x.tf:1")

	_, err = b.workspaces(cty.ObjectVal(map[string]cty.Value{"name": cty.ListValEmpty(cty.String)}))
	require.ErrorIs(t, err, ErrIncomplete)
	_, err = b.workspaces(cty.ObjectVal(map[string]cty.Value{"prefix": cty.ListValEmpty(cty.String)}))
	require.ErrorIs(t, err, ErrIncomplete)
	_, err = b.tags(cty.ListVal([]cty.Value{cty.ListValEmpty(cty.String)}))
	require.ErrorIs(t, err, ErrIncomplete)
	_, err = b.tags(cty.MapVal(map[string]cty.Value{"k": cty.ListValEmpty(cty.String)}))
	require.ErrorIs(t, err, ErrIncomplete)
	_, err = b.tags(cty.UnknownVal(cty.List(cty.String)))
	require.ErrorIs(t, err, ErrIncomplete)
}

func TestBackendSpecErrors(t *testing.T) {
	str := cty.StringVal
	list := cty.ListValEmpty(cty.String)
	cases := []struct {
		typ   string
		attrs map[string]cty.Value
		is    error
	}{
		{BackendLocal, map[string]cty.Value{"path": list}, ErrIncomplete},
		{BackendLocal, map[string]cty.Value{"workspace_dir": list}, ErrIncomplete},
		{BackendS3, map[string]cty.Value{"bucket": str("b"), "key": str("k"), "workspace_key_prefix": list}, ErrIncomplete},
		{BackendS3, map[string]cty.Value{"bucket": str("b")}, ErrIncomplete},
		{BackendGCS, map[string]cty.Value{}, ErrIncomplete},
		{BackendGCS, map[string]cty.Value{"bucket": str("b"), "prefix": list}, ErrIncomplete},
		{BackendAzureRM, map[string]cty.Value{"storage_account_name": str("a")}, ErrIncomplete},
		{BackendAzureRM, map[string]cty.Value{"storage_account_name": str("a"), "container_name": str("c")}, ErrIncomplete},
		{BackendHTTP, map[string]cty.Value{}, ErrIncomplete},
		{BackendRemote, map[string]cty.Value{"hostname": list}, ErrIncomplete},
		{BackendRemote, map[string]cty.Value{"organization": list}, ErrIncomplete},
		{"pg", map[string]cty.Value{}, ErrUnsupported},
	}
	for _, tc := range cases {
		b := backendSpec{typ: tc.typ, attrs: tc.attrs, dir: "d"}
		_, err := b.locations(Options{})
		require.ErrorIs(t, err, tc.is, "%s %v", tc.typ, tc.attrs)
		assert.Contains(t, err.Error(), "d:", "names the directory when there is no file")
	}
}

func TestDiscoverTerragruntNextToTerraform(t *testing.T) {
	leaf := "remote_state {\nbackend = \"s3\"\nconfig = { bucket = \"b\", key = \"leaf\" }\n}"
	dir := writeTree(t, map[string]string{"main.tf": "resource \"x\" \"y\" {}", "terragrunt.hcl": leaf})
	locs, err := Discover(context.Background(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s3://b/leaf"}, urls(locs), "no implicit local backend next to a terragrunt leaf")

	// An explicit backend block is kept: both are reported.
	dir = writeTree(t, map[string]string{"main.tf": "terraform {\nbackend \"gcs\" {\nbucket = \"g\"\n}\n}", "terragrunt.hcl": leaf})
	locs, err = Discover(context.Background(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"gs://g/default.tfstate", "s3://b/leaf"}, urls(locs))
}
