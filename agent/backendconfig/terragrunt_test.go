package backendconfig

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscoverTerragrunt(t *testing.T) {
	tg := func(p string) string { return filepath.Join("testdata", "tg", p) }
	type loc struct{ url, dir string }
	cases := []struct {
		name string
		dir  string
		opts Options
		want []loc
	}{
		{name: "root.hcl", dir: "roothcl", want: []loc{
			{"s3://acme-tfstate/prod/app/terraform.tfstate", "roothcl/prod/app"},
			{"s3://acme-tfstate/prod/vpc/terraform.tfstate", "roothcl/prod/vpc"},
		}},
		{name: "root.hcl from a leaf", dir: "roothcl/prod/vpc", want: []loc{
			{"s3://acme-tfstate/prod/vpc/terraform.tfstate", "roothcl/prod/vpc"},
		}},
		{name: "root.hcl workspaces", dir: "roothcl/prod/vpc", opts: Options{Workspaces: true}, want: []loc{
			{"s3://acme-tfstate/env:/*/prod/vpc/terraform.tfstate", "roothcl/prod/vpc"},
			{"s3://acme-tfstate/prod/vpc/terraform.tfstate", "roothcl/prod/vpc"},
		}},
		{name: "legacy parent terragrunt.hcl", dir: "legacy", want: []loc{
			{"s3://legacy-state/stage/db/terraform.tfstate", "legacy/stage/db"},
		}},
		{name: "locals, get_env, read_terragrunt_config", dir: "locals",
			opts: Options{Getenv: env(map[string]string{"DEPLOY_ENV": "prod", "GOOGLE_PROJECT": "p"})},
			want: []loc{{"gs://acme-prod-state/locals/svc/api/default.tfstate", "locals/svc/api"}}},
		{name: "get_env default", dir: "locals",
			opts: Options{Getenv: env(map[string]string{"GOOGLE_PROJECT": "p"})},
			want: []loc{{"gs://acme-dev-state/locals/svc/api/default.tfstate", "locals/svc/api"}}},
		{name: "inline remote_state with dependent locals", dir: "inline", want: []loc{
			{"azurerm://acmestate/tfstate/app-westeurope.tfstate", "inline"},
		}},
		{name: "merge strategies", dir: "deep", opts: Options{Workspaces: true}, want: []loc{
			{"s3://deep-state/child/...tfstate", "deep/child"},
			{"s3://deep-state/ws/*/child/...tfstate", "deep/child"},
			{tg("deep/shallow/local.tfstate"), "deep/shallow"},
			{tg("deep/shallow/terraform.tfstate.d/*/terraform.tfstate"), "deep/shallow"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			locs, err := Discover(context.Background(), tg(tc.dir), tc.opts)
			require.NoError(t, err)
			var got []loc
			for _, l := range locs {
				rel, err := filepath.Rel(filepath.Join("testdata", "tg"), l.Dir)
				require.NoError(t, err)
				got = append(got, loc{l.URL, rel})
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDiscoverTerragruntLocation(t *testing.T) {
	locs, err := Discover(context.Background(), "testdata/tg/roothcl", Options{})
	require.NoError(t, err)
	require.Len(t, locs, 2)
	assert.Equal(t, Location{
		URL:     "s3://acme-tfstate/prod/app/terraform.tfstate",
		Backend: BackendS3,
		Dir:     "testdata/tg/roothcl/prod/app",
		File:    "testdata/tg/roothcl/root.hcl:1",
	}, locs[0])
}

// A tree with broken leaves still returns its good leaves, and one error per
// broken leaf naming file, line and cause.
func TestDiscoverTerragruntPartialFailure(t *testing.T) {
	locs, err := Discover(context.Background(), "testdata/tg/mixed", Options{Getenv: env(nil)})
	assert.Equal(t, []string{"s3://mixed-state/good/terraform.tfstate"}, urls(locs))
	require.Error(t, err)

	msg := err.Error()
	assert.Contains(t, msg, "testdata/tg/mixed/unsupported/terragrunt.hcl:6: backendconfig: unsupported: function get_aws_account_id()")
	assert.Contains(t, msg, "testdata/tg/mixed/dep/terragrunt.hcl:8: backendconfig: unsupported: dependency outputs")
	assert.Contains(t, msg, "testdata/tg/mixed/syntax/terragrunt.hcl:3")
	assert.Contains(t, msg, "TG_MISSING_BUCKET_VAR is not set")
	assert.ErrorIs(t, err, ErrUnsupported)
	assert.ErrorIs(t, err, ErrSyntax)
	assert.ErrorIs(t, err, ErrEval)

	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "errors.Join result")
	n := 0
	for _, e := range joined.Unwrap() {
		if e != nil {
			n++
		}
	}
	assert.Equal(t, 4, n, "one error per broken leaf: %v", err)
}

func TestDiscoverTerragruntErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		is    error
		msg   string
	}{
		{name: "unknown local", is: ErrEval, msg: "terragrunt.hcl:1: backendconfig: cannot evaluate: unknown local \"nope\"",
			files: map[string]string{"terragrunt.hcl": "locals { a = local.nope }"}},
		{name: "local cycle", is: ErrEval, msg: "depends on itself",
			files: map[string]string{"terragrunt.hcl": "locals {\na = local.b\nb = local.a\n}"}},
		{name: "duplicate local", is: ErrSyntax, msg: "already defined",
			files: map[string]string{"terragrunt.hcl": "locals {\na = 1\n}\nlocals {\na = 2\n}"}},
		{name: "local evaluation error", is: ErrEval, msg: "terragrunt.hcl:1",
			files: map[string]string{"terragrunt.hcl": `locals { a = lower(1, 2) }`}},
		{name: "include with locals", is: ErrUnsupported, msg: "locals in an include block",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = 1\n}\ninclude {\npath = local.x\n}"}},
		{name: "include.* reference", is: ErrUnsupported, msg: "reference to include",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = include.root.locals.x\n}"}},
		{name: "include two labels", is: ErrSyntax, msg: "at most one label",
			files: map[string]string{"terragrunt.hcl": `include "a" "b" {}`}},
		{name: "include without path", is: ErrSyntax, msg: "include has no path",
			files: map[string]string{"terragrunt.hcl": `include {}`}},
		{name: "include path not a string", is: ErrEval, msg: "include path must be a string",
			files: map[string]string{"terragrunt.hcl": "include {\npath = 1\n}"}},
		{name: "include path eval error", is: ErrEval, msg: "no nothere.hcl in any parent folder",
			files: map[string]string{"terragrunt.hcl": "include {\npath = find_in_parent_folders(\"nothere.hcl\")\n}"}},
		{name: "merge_strategy not a string", is: ErrEval, msg: "merge_strategy must be a string",
			files: map[string]string{"terragrunt.hcl": "include {\npath = \"x.hcl\"\nmerge_strategy = [1]\n}"}},
		{name: "merge_strategy unsupported", is: ErrUnsupported, msg: "function nope()",
			files: map[string]string{"terragrunt.hcl": "include {\npath = \"x.hcl\"\nmerge_strategy = nope()\n}"}},
		{name: "missing included file", is: fs.ErrNotExist, msg: "x.hcl",
			files: map[string]string{"terragrunt.hcl": "include {\npath = \"x.hcl\"\n}"}},
		{name: "included file locals error", is: ErrEval, msg: "root.hcl:1",
			files: map[string]string{"root.hcl": "locals { a = local.b }", "leaf/terragrunt.hcl": "include {\npath = find_in_parent_folders(\"root.hcl\")\n}"}},
		{name: "included file remote_state error", is: ErrUnsupported, msg: "root.hcl:1",
			files: map[string]string{"root.hcl": "remote_state { backend = run_cmd(\"x\") }", "leaf/terragrunt.hcl": "include {\npath = find_in_parent_folders(\"root.hcl\")\n}"}},
		{name: "two remote_state blocks", is: ErrSyntax, msg: "remote_state already defined",
			files: map[string]string{"terragrunt.hcl": "remote_state {\nbackend = \"s3\"\n}\nremote_state {\nbackend = \"s3\"\n}"}},
		{name: "remote_state without backend", is: ErrIncomplete, msg: "remote_state has no backend",
			files: map[string]string{"terragrunt.hcl": "remote_state {}"}},
		{name: "remote_state backend not a string", is: ErrEval, msg: "remote_state backend must be a string",
			files: map[string]string{"terragrunt.hcl": "remote_state {\nbackend = 3\n}"}},
		{name: "remote_state config not an object", is: ErrEval, msg: "config must be an object",
			files: map[string]string{"terragrunt.hcl": "remote_state {\nbackend = \"s3\"\nconfig = \"x\"\n}"}},
		{name: "remote_state backend eval error", is: ErrEval, msg: "terragrunt.hcl:2",
			files: map[string]string{"terragrunt.hcl": "remote_state {\nbackend = lower([])\n}"}},
		{name: "remote_state config eval error", is: ErrEval, msg: "terragrunt.hcl:3",
			files: map[string]string{"terragrunt.hcl": "remote_state {\nbackend = \"s3\"\nconfig = { a = lower([]) }\n}"}},
		{name: "remote_state config incomplete", is: ErrIncomplete, msg: "terragrunt.hcl:1",
			files: map[string]string{"terragrunt.hcl": "remote_state {\nbackend = \"s3\"\nconfig = { bucket = \"b\" }\n}"}},
		{name: "remote_state attribute not an object", is: ErrEval, msg: "remote_state must be an object",
			files: map[string]string{"terragrunt.hcl": "remote_state = \"s3\""}},
		{name: "remote_state attribute backend", is: ErrEval, msg: "backend must be a string",
			files: map[string]string{"terragrunt.hcl": "remote_state = { backend = 1 }"}},
		{name: "remote_state attribute config", is: ErrEval, msg: "must be an object",
			files: map[string]string{"terragrunt.hcl": "remote_state = { backend = \"s3\", config = 1 }"}},
		{name: "remote_state attribute eval", is: ErrEval, msg: "terragrunt.hcl:1",
			files: map[string]string{"terragrunt.hcl": "remote_state = lower([])"}},
		{name: "unknown include name", is: ErrEval, msg: `no include block named "other"`,
			files: map[string]string{"terragrunt.hcl": "locals {\nx = path_relative_to_include(\"other\")\n}"}},
		{name: "too many arguments", is: ErrEval, msg: "at most 1 arguments",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = get_parent_terragrunt_dir(\"a\", \"b\")\n}"}},
		{name: "get_env too many arguments", is: ErrEval, msg: "at most 2 arguments",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = get_env(\"a\", \"b\", \"c\")\n}"}},
		{name: "read_terragrunt_config too many arguments", is: ErrEval, msg: "at most 2 arguments",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = read_terragrunt_config(\"a\", {}, {})\n}"}},
		{name: "read_terragrunt_config missing", is: ErrEval, msg: "missing.hcl",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = read_terragrunt_config(\"missing.hcl\")\n}"}},
		{name: "read_terragrunt_config cycle", is: ErrEval, msg: "read_terragrunt_config cycle through",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = read_terragrunt_config(\"self.hcl\")\n}", "self.hcl": "locals {\nx = read_terragrunt_config(\"self.hcl\")\n}"}},
		{name: "read_terragrunt_config chain too deep", is: ErrEval, msg: "nested more than 8 deep", files: readChain(10)},
		{name: "read_terragrunt_config bad file", is: ErrEval, msg: "bad.hcl:1",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = read_terragrunt_config(\"bad.hcl\")\n}", "bad.hcl": "locals {{"}},
		{name: "read_terragrunt_config bad locals", is: ErrEval, msg: "bad.hcl:1",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = read_terragrunt_config(\"bad.hcl\")\n}", "bad.hcl": "locals { y = local.z }"}},
		{name: "null argument", is: ErrEval, msg: "terragrunt.hcl:3: backendconfig: cannot evaluate: Invalid function argument",
			files: map[string]string{"terragrunt.hcl": "locals {\nx = jsondecode(\"null\")\ny = lower(local.x)\n}"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			locs, err := Discover(context.Background(), dir, Options{Getenv: env(nil)})
			require.Error(t, err)
			assert.Empty(t, locs)
			assert.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestTerragruntFunctions(t *testing.T) {
	files := map[string]string{
		"root.hcl": `
locals {
  parent_dir = get_parent_terragrunt_dir()
  from       = path_relative_from_include()
}
remote_state {
  backend = "local"
  config = {
    path = "${local.parent_dir}/states/${path_relative_to_include("root")}/${local.from}.tfstate"
  }
}`,
		"common.hcl": "locals {\nregion = \"eu\"\n}",
		"a/b/terragrunt.hcl": `
include "root" {
  path = find_in_parent_folders("root.hcl")
}
locals {
  common   = read_terragrunt_config(find_in_parent_folders("common.hcl"))
  fallback = read_terragrunt_config("nope.hcl", { locals = { region = "x" } })
  optional = find_in_parent_folders("nope.hcl", "none")
  name     = "${local.common.locals.region}-${local.fallback.locals.region}-${local.optional}"
  dir      = get_terragrunt_dir() == get_original_terragrunt_dir()
  home     = get_env("HOME")
  no_inc   = [for s in ["a"] : upper(s)]
}`,
		"alone/terragrunt.hcl": `
locals {
  rel    = path_relative_to_include()
  from   = path_relative_from_include()
  parent = get_parent_terragrunt_dir()
}
remote_state {
  backend = "s3"
  config = {
    bucket = "b"
    key    = "${local.rel}/${local.from}/${basename(local.parent)}/${trimspace(" x ")}"
  }
}`,
	}
	dir := writeTree(t, files)
	locs, err := Discover(context.Background(), dir, Options{Getenv: env(map[string]string{"HOME": "/home/x"})})
	require.NoError(t, err)
	assert.Equal(t, []string{
		filepath.Join(dir, "states/a/b/../...tfstate"),
		"s3://b/././alone/x",
	}, urls(locs))
}

// readChain builds a leaf reading r0.hcl, which reads r1.hcl, and so on.
func readChain(n int) map[string]string {
	files := map[string]string{"terragrunt.hcl": "locals {\nx = read_terragrunt_config(\"r0.hcl\")\n}"}
	for i := range n {
		files[fmt.Sprintf("r%d.hcl", i)] = fmt.Sprintf("locals {\nx = read_terragrunt_config(\"r%d.hcl\")\n}", i+1)
	}
	files[fmt.Sprintf("r%d.hcl", n)] = "locals {\nx = 1\n}"
	return files
}

// Files that read each other under try() are evaluated once each, not
// exponentially often.
func TestReadTerragruntConfigCached(t *testing.T) {
	self := "locals {\n" +
		"a = try(read_terragrunt_config(\"self.hcl\"), 1)\n" +
		"b = try(read_terragrunt_config(\"self.hcl\"), 2)\n" +
		"c = try(read_terragrunt_config(\"self.hcl\"), 3)\n}\n"
	dir := writeTree(t, map[string]string{
		"self.hcl": self,
		"terragrunt.hcl": "locals {\n" +
			"s = read_terragrunt_config(\"self.hcl\")\n" +
			"t = read_terragrunt_config(\"self.hcl\")\n}\n" +
			"remote_state {\nbackend = \"s3\"\nconfig = { bucket = \"b\", key = \"${local.s.locals.c}${local.t.locals.a}\" }\n}",
	})
	locs, err := Discover(context.Background(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s3://b/31"}, urls(locs))
}
