package backendconfig

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env returns an Options.Getenv reading only vars, so tests never depend on
// the environment they run in.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func urls(locs []Location) []string {
	out := make([]string, len(locs))
	for i, l := range locs {
		out[i] = l.URL
	}
	return out
}

func TestDiscoverTerraform(t *testing.T) {
	td := func(p string) string { return filepath.Join("testdata", "tf", p) }
	cases := []struct {
		dir     string
		opts    Options
		want    []string
		backend string
	}{
		{dir: "s3", want: []string{"s3://acme-tfstate/network/terraform.tfstate"}, backend: BackendS3},
		{dir: "s3", opts: Options{Workspaces: true}, backend: BackendS3, want: []string{
			"s3://acme-tfstate/env:/*/network/terraform.tfstate",
			"s3://acme-tfstate/network/terraform.tfstate",
		}},
		{dir: "s3prefix", opts: Options{Workspaces: true}, backend: BackendS3, want: []string{
			"s3://acme-tfstate/app.tfstate",
			"s3://acme-tfstate/workspaces/*/app.tfstate",
		}},
		{dir: "gcs", want: []string{"gs://acme-gcs-state/envs/app/default.tfstate"}, backend: BackendGCS},
		{dir: "gcs", opts: Options{Workspaces: true}, want: []string{"gs://acme-gcs-state/envs/app/*.tfstate"}, backend: BackendGCS},
		{dir: "gcsnoprefix", want: []string{"gs://acme-gcs-state/default.tfstate"}, backend: BackendGCS},
		{dir: "gcsnoprefix", opts: Options{Workspaces: true}, want: []string{"gs://acme-gcs-state/*.tfstate"}, backend: BackendGCS},
		{dir: "azurerm", want: []string{"azurerm://acmetfstate/tfstate/prod.terraform.tfstate"}, backend: BackendAzureRM},
		{dir: "azurerm", opts: Options{Workspaces: true}, backend: BackendAzureRM, want: []string{
			"azurerm://acmetfstate/tfstate/prod.terraform.tfstate",
			"azurerm://acmetfstate/tfstate/prod.terraform.tfstateenv:*",
		}},
		{dir: "http", opts: Options{Workspaces: true}, want: []string{"https://state.example.com/states/app"}, backend: BackendHTTP},
		{dir: "local", want: []string{td("local/state/app.tfstate")}, backend: BackendLocal},
		{dir: "local", opts: Options{Workspaces: true}, backend: BackendLocal, want: []string{
			td("local/state/app.tfstate"),
			td("local/ws/*/terraform.tfstate"),
		}},
		{dir: "nobackend", want: []string{td("nobackend/terraform.tfstate")}, backend: BackendLocal},
		{dir: "nobackend", opts: Options{Workspaces: true}, backend: BackendLocal, want: []string{
			td("nobackend/terraform.tfstate"),
			td("nobackend/terraform.tfstate.d/*/terraform.tfstate"),
		}},
		{dir: "json", want: []string{"s3://acme-json/json/terraform.tfstate"}, backend: BackendS3},
		{dir: "override", want: []string{"gs://override-bucket/ov/default.tfstate"}, backend: BackendGCS},
		{dir: "remote_name", opts: Options{Workspaces: true}, want: []string{"tfcloud://acme/networking-prod"}, backend: BackendRemote},
		{dir: "remote_prefix", want: []string{"tfcloud://acme/app-*?host=tfe.example.com"}, backend: BackendRemote},
		{dir: "cloud_name", want: []string{"tfcloud://acme/billing"}, backend: BackendCloud},
		{dir: "cloud_tags", want: []string{"tfcloud://acme/*?host=tfe.example.com&tags=networking,source:cli"}, backend: BackendCloud},
		{dir: "cloud_tagmap", want: []string{"tfcloud://acme/*?tags=env:prod,layer:networking"}, backend: BackendCloud},
		{dir: "cloud_env", backend: BackendCloud, want: []string{"tfcloud://env-org/ci-ws?host=tfe.internal"}, opts: Options{
			Getenv: env(map[string]string{"TF_CLOUD_ORGANIZATION": "env-org", "TF_CLOUD_HOSTNAME": "tfe.internal", "TF_WORKSPACE": "ci-ws"}),
		}},
		{dir: "partial", backend: BackendS3, want: []string{"s3://acme-prod-state/app/terraform.tfstate"}, opts: Options{
			BackendConfigFiles: []string{td("partial/prod.s3.tfbackend")},
		}},
		{dir: "partial", backend: BackendS3, want: []string{"s3://acme-prod-state/app/override.tfstate"}, opts: Options{
			BackendConfigFiles: []string{td("partial/prod.s3.tfbackend"), td("partial/override.s3.tfbackend")},
		}},
		{dir: "partial", backend: BackendS3, want: []string{"s3://cli-bucket/cli.tfstate"}, opts: Options{
			BackendConfigFiles:  []string{td("partial/prod.s3.tfbackend")},
			BackendConfigValues: map[string]string{"bucket": "cli-bucket", "key": "cli.tfstate"},
		}},
		{dir: "partial_remote", backend: BackendRemote, want: []string{"tfcloud://acme/from-file"}, opts: Options{
			BackendConfigFiles: []string{td("partial_remote/config.remote.tfbackend")},
		}},
	}
	for _, tc := range cases {
		name := tc.dir
		if tc.opts.Workspaces {
			name += "/workspaces"
		}
		t.Run(name, func(t *testing.T) {
			locs, err := Discover(context.Background(), td(tc.dir), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.want, urls(locs))
			for _, l := range locs {
				assert.Equal(t, tc.backend, l.Backend)
				assert.Equal(t, td(tc.dir), l.Dir)
				assert.Equal(t, strings.Contains(l.URL, "*"), l.Workspaces, l.URL)
			}
		})
	}
}

func TestDiscoverTerraformDetails(t *testing.T) {
	ctx := context.Background()

	locs, err := Discover(ctx, "testdata/tf/s3", Options{})
	require.NoError(t, err)
	require.Len(t, locs, 1)
	assert.Equal(t, "testdata/tf/s3/main.tf:3", locs[0].File)

	locs, err = Discover(ctx, "testdata/tf/nobackend", Options{})
	require.NoError(t, err)
	assert.Empty(t, locs[0].File, "the implicit local backend has no declaring block")

	locs, err = Discover(ctx, "testdata/tf/cloud_tags", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"networking", "source:cli"}, locs[0].Tags)
	assert.True(t, locs[0].Workspaces)

	locs, err = Discover(ctx, "testdata/tf/cloud_tagmap", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"env:prod", "layer:networking"}, locs[0].Tags)
}

func TestDiscoverTerraformErrors(t *testing.T) {
	cases := []struct {
		dir  string
		opts Options
		is   error
		msg  []string
	}{
		{dir: "nonliteral", is: ErrNotLiteral, msg: []string{"testdata/tf/nonliteral/main.tf:3", `s3 attribute "bucket" must be a literal`}},
		{dir: "badhcl", is: ErrSyntax, msg: []string{"testdata/tf/badhcl/main.tf:4"}},
		{dir: "consul", is: ErrUnsupported, msg: []string{"testdata/tf/consul/main.tf:2", `backend type "consul"`}},
		{dir: "duplicate", is: ErrSyntax, msg: []string{"testdata/tf/duplicate/b.tf:2", "duplicate backend", "a.tf:2"}},
		{dir: "incomplete", is: ErrIncomplete, msg: []string{"testdata/tf/incomplete/main.tf:2", "bucket is not set"}},
		{dir: "partial", is: ErrIncomplete, msg: []string{"bucket is not set"}},
		{dir: "partial", is: os.ErrNotExist, msg: []string{"missing.tfbackend"}, opts: Options{BackendConfigFiles: []string{"testdata/missing.tfbackend"}}},
		{dir: "partial", is: ErrSyntax, msg: []string{"main.tf:4"}, opts: Options{BackendConfigFiles: []string{"testdata/tf/badhcl/main.tf"}}},
		{dir: "partial", is: ErrNotLiteral, msg: []string{"testdata/tf/partial/nonliteral.tfbackend:2"}, opts: Options{BackendConfigFiles: []string{"testdata/tf/partial/nonliteral.tfbackend"}}},
		{dir: "cloud_env", is: ErrIncomplete, msg: []string{"organization is not set"}, opts: Options{Getenv: env(nil)}},
		{dir: "cloud_env", is: ErrIncomplete, msg: []string{"workspaces needs a name, prefix or tags"}, opts: Options{Getenv: env(map[string]string{"TF_CLOUD_ORGANIZATION": "o"})}},
	}
	for _, tc := range cases {
		t.Run(tc.dir+"/"+tc.msg[0], func(t *testing.T) {
			locs, err := Discover(context.Background(), filepath.Join("testdata", "tf", tc.dir), tc.opts)
			require.Error(t, err)
			assert.Empty(t, locs)
			assert.ErrorIs(t, err, tc.is)
			for _, m := range tc.msg {
				assert.Contains(t, err.Error(), m)
			}
		})
	}
}

// writeTree creates files (path -> content) below a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

func TestBackendAttributeValues(t *testing.T) {
	cases := []struct {
		name, tf string
		want     string
		is       error
		msg      string
	}{
		{name: "interpolated literal", want: "s3://b/k.tfstate",
			tf: `terraform {
backend "s3" {
bucket = "b"
key = "${"k"}.tfstate"
}
}`},
		{name: "glob characters escaped", want: `s3://b/a\*b/\[x\].tfstate`,
			tf: `terraform {
backend "s3" {
bucket = "b"
key = "a*b/[x].tfstate"
}
}`},
		{name: "number converts", want: "s3://b/42",
			tf: `terraform {
backend "s3" {
bucket = "b"
key = 42
}
}`},
		{name: "list is not a string", is: ErrIncomplete, msg: "key must be a string",
			tf: `terraform {
backend "s3" {
bucket = "b"
key = ["x"]
}
}`},
		{name: "function call", is: ErrNotLiteral, msg: "main.tf:3",
			tf: `terraform {
backend "s3" {
bucket = lower("B")
key = "k"
}
}`},
		{name: "name and prefix", is: ErrIncomplete, msg: "name together with prefix",
			tf: `terraform {
backend "remote" {
organization = "o"
workspaces {
name = "a"
prefix = "b"
}
}
}`},
		{name: "bad tags", is: ErrIncomplete, msg: "tags must be",
			tf: `terraform {
cloud {
organization = "o"
workspaces {
tags = "x"
}
}
}`},
		{name: "remote without workspaces", is: ErrIncomplete, msg: "workspaces needs",
			tf: `terraform {
backend "remote" {
organization = "o"
}
}`},
		{name: "cloud workspace name glob-escaped", want: `tfcloud://o/a\?`,
			tf: `terraform {
cloud {
organization = "o"
workspaces {
name = "a?"
}
}
}`},
		{name: "local absolute path", want: "/var/state/x.tfstate",
			tf: `terraform {
backend "local" {
path = "/var/state/x.tfstate"
}
}`},
		{name: "empty terraform block", want: "terraform.tfstate",
			tf: `terraform {}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"main.tf": tc.tf, ".hidden.tf": "{{{", "notes.txt~": ""})
			locs, err := Discover(context.Background(), dir, Options{})
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
				assert.Contains(t, err.Error(), tc.msg)
				return
			}
			require.NoError(t, err)
			require.Len(t, locs, 1)
			want := tc.want
			if !strings.Contains(want, "://") && !filepath.IsAbs(want) {
				want = filepath.Join(dir, want)
			}
			assert.Equal(t, want, locs[0].URL)
		})
	}
}
