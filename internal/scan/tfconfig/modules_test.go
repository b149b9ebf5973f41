package tfconfig

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
)

func loadByAddress(t *testing.T, dir string) (*Config, map[string]resource.Resource) {
	t.Helper()
	cfg, err := Load(dir, Options{})
	require.NoError(t, err)
	by := map[string]resource.Resource{}
	for _, r := range cfg.Resources {
		_, dup := by[r.Address]
		require.False(t, dup, "address %s read twice", r.Address)
		by[r.Address] = r
	}
	return cfg, by
}

// TestModulesFollowed: registry, git and nested modules are read from
// where terraform init installed them (modules.json, keyed by the dotted
// call names), local ones from their directory, count and for_each give
// one instance per key; the call's arguments, provider regions and the
// addresses are as for a local module.
func TestModulesFollowed(t *testing.T) {
	dir := filepath.Join("testdata", "modules")
	_, by := loadByAddress(t, dir)
	cases := []struct {
		addr, origin string
		attr         string
		want         any
	}{
		{"module.vpc.aws_security_group.this", ".terraform/modules/vpc/main.tf:10", "name", "main"},
		{"module.vpc.module.subnets.aws_subnet.this", ".terraform/modules/vpc/modules/subnets/main.tf:5", "map_public_ip_on_launch", true},
		{"module.vpc.module.flowlogs.aws_flow_log.this", ".terraform/modules/vpc.flowlogs/main.tf:5", "traffic_type", "ALL"},
		{"module.lb.aws_lb.this", ".terraform/modules/lb/main.tf:5", "name", "edge"},
		{`module.buckets["a"].aws_s3_bucket.this`, "bucket/main.tf:5", "bucket", "acme-a"},
		{`module.buckets["b"].aws_s3_bucket.this`, "bucket/main.tf:5", "bucket", "acme-b"},
		{"module.replicas[0].aws_s3_bucket.this", "bucket/main.tf:5", "bucket", "acme-replica-0"},
		{"module.replicas[1].aws_s3_bucket.this", "bucket/main.tf:5", "bucket", "acme-replica-1"},
		{"module.loop.aws_sqs_queue.q", "loop/main.tf:5", "name", "loop"},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			r, ok := by[c.addr]
			require.True(t, ok, "no resource %s", c.addr)
			assert.Equal(t, filepath.Join(dir, filepath.FromSlash(c.origin)), r.Origin)
			assert.Equal(t, c.want, r.Attrs[c.attr])
			assert.Equal(t, "eu-west-1", r.Region, "the caller's provider region")
		})
	}
	assert.Equal(t, "acme-a", by[`module.buckets["a"].aws_s3_bucket.this`].ID, "each.key reaches the module's inputs")
	assert.Equal(t, `module.vpc.this`, by["module.vpc.aws_security_group.this"].ID, "placeholder ids carry the module path")
	_, unknown := by["module.vpc.module.flowlogs.aws_flow_log.this"].Attrs["vpc_id"]
	assert.False(t, unknown, "an argument unknown in the caller stays unknown")
}

// TestModulesSkipped: every module call and resource that cannot be
// judged is listed with where it is and why; none is silently left out.
func TestModulesSkipped(t *testing.T) {
	dir := filepath.Join("testdata", "modules")
	cfg, by := loadByAddress(t, dir)
	main := filepath.Join(dir, "main.tf")
	deep := "module.loop"
	for i := 0; i < maxModuleDepth; i++ {
		deep += ".module.again"
	}
	want := []string{
		filepath.Join(dir, "loop", "main.tf") + ":1: " + deep + " (./): module calls nest deeper than 8 levels; its resources are not judged",
		main + ":31: module.dns (registry.terraform.io/terraform-aws-modules/route53/aws): not initialized; run terraform init to judge its resources",
		main + ":36: module.moved (registry.terraform.io/acme/moved/aws): source changed since terraform init installed registry.terraform.io/acme/old/aws; run terraform init to judge its resources",
		main + ":41: module.pinned (registry.terraform.io/acme/pinned/aws): version 2.0.0 is required but terraform init installed 1.9.0; run terraform init to judge its resources",
		main + ":47: module.gone (registry.terraform.io/acme/gone/aws): " + filepath.Join(dir, ".terraform", "modules", "gone") + " has no *.tf files; run terraform init to judge its resources",
		main + ":65: module.per_az (./bucket): count is not known from the configuration alone; its instances are not judged",
		main + ":72: module.sized (./bucket): count is not known from the configuration alone; its instances are not judged",
		main + ":78: module.missing (./nowhere): " + filepath.Join(dir, "nowhere") + " has no *.tf files; its resources are not judged",
		main + ":88: module.computed: source is not a literal string; its resources are not judged",
		main + ":92: aws_instance.workers: count is not known from the configuration alone; its instances are not judged",
		main + ":97: aws_iam_user.admins: for_each is tuple, want a map or a set of strings; its instances are not judged",
	}
	var got []string
	for _, s := range cfg.Skipped {
		got = append(got, s.String())
	}
	assert.Equal(t, want, got)
	for a := range by {
		for _, name := range []string{"module.dns", "module.moved", "module.pinned", "module.per_az", "module.sized", "aws_instance.workers", "aws_iam_user.admins"} {
			assert.NotContains(t, a, name, "a skipped part yields no guessed resource")
		}
	}
}

// TestModuleFindings: a registry module's resources are judged like the
// root's, and the finding points into the installed copy.
func TestModuleFindings(t *testing.T) {
	cfg, _ := loadByAddress(t, filepath.Join("testdata", "modules"))
	rep := scan.Run(scan.Input{State: cfg.Resources, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	cfg.Locate(rep.Results)
	var found bool
	for _, r := range rep.Results {
		if r.CheckID == "DM-AWS-EC2-001" && r.Address == "module.vpc.aws_security_group.this" {
			found = true
			assert.Equal(t, scan.Fail, r.Status, "public = true reaches the registry module")
			assert.Equal(t, filepath.Join("testdata", "modules", ".terraform", "modules", "vpc", "main.tf")+":17", r.Origin)
		}
	}
	assert.True(t, found)
}

func TestManifestErrors(t *testing.T) {
	cases := []struct {
		name, manifest, want string
	}{
		{"syntax", "{\"Modules\": [\n  {\"Key\": \"vpc\",}\n]}", "modules.json:2: invalid character '}'"},
		{"type", "{\"Modules\": [\n  {\"Key\": 3}\n]}", "modules.json:2: Modules.Key is a JSON number; want terraform init's module manifest, {\"Modules\""},
		{"shape", "[]", "modules.json:1: the document is a JSON array; want"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`module "vpc" { source = "terraform-aws-modules/vpc/aws" }`), 0o644))
			require.NoError(t, os.MkdirAll(filepath.Join(dir, ".terraform", "modules"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, manifestPath), []byte(c.manifest), 0o644))
			_, err := Load(dir, Options{})
			require.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestParseSkipsModuleCalls(t *testing.T) {
	cfg, err := Parse(map[string][]byte{"main.tf": []byte("module \"net\" {\n  source = \"./net\"\n}\n")}, nil, nil, Options{})
	require.NoError(t, err)
	require.Len(t, cfg.Skipped, 1)
	assert.Equal(t, "main.tf:1: module.net (./net): module calls are followed only when a directory is loaded; its resources are not judged", cfg.Skipped[0].String())
}

func TestSources(t *testing.T) {
	cases := []struct{ src, display string }{
		{"./net", "./net"},
		{"terraform-aws-modules/vpc/aws", "registry.terraform.io/terraform-aws-modules/vpc/aws"},
		{"terraform-aws-modules/iam/aws//modules/iam-user", "registry.terraform.io/terraform-aws-modules/iam/aws//modules/iam-user"},
		{"app.terraform.io/acme/vpc/aws", "app.terraform.io/acme/vpc/aws"},
		{"registry.terraform.io/terraform-aws-modules/vpc/aws", "registry.terraform.io/terraform-aws-modules/vpc/aws"},
		{"github.com/acme/vpc", "git::https://github.com/acme/vpc.git"},
		{"github.com/acme/vpc?ref=v1", "git::https://github.com/acme/vpc.git?ref=v1"},
		{"github.com/acme/vpc//modules/a?ref=v1", "git::https://github.com/acme/vpc.git//modules/a?ref=v1"},
		{"bitbucket.org/acme/vpc.git", "git::https://bitbucket.org/acme/vpc.git"},
		{"git@github.com:acme/vpc.git", "git::ssh://git@github.com/acme/vpc.git"},
		{"git::https://example.com/vpc.git?ref=v1", "git::https://example.com/vpc.git?ref=v1"},
		{"s3::https://s3.amazonaws.com/bucket/vpc.zip", "s3::https://s3.amazonaws.com/bucket/vpc.zip"},
		{"https://example.com/vpc.zip", "https://example.com/vpc.zip"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			assert.Equal(t, c.display, displaySource(c.src))
			assert.True(t, sameSource(c.display, c.src), "modules.json's form matches the configuration's")
		})
	}
	assert.False(t, sameSource("registry.terraform.io/acme/old/aws", "acme/new/aws"))
}

func TestCountAndForEachReasons(t *testing.T) {
	cases := []struct{ body, reason string }{
		{`count = "2"`, ""},
		{`count = 1.5`, "count is 1.5, want a whole number; its instances are not judged"},
		{`count = -1`, "count is -1, want a whole number; its instances are not judged"},
		{`count = "many"`, "count is string, want a whole number; its instances are not judged"},
		{`count = null`, "count is null, want a whole number; its instances are not judged"},
		{`count = 10001`, "count is 10001, more than the 10000 instances judged"},
		{`for_each = { a = 1 }`, ""},
		{`for_each = toset([1, 2])`, "for_each is a set of number, want a map or a set of strings; its instances are not judged"},
		{`for_each = "a"`, "for_each is string, want a map or a set of strings; its instances are not judged"},
		{`for_each = { a = var.unknown }`, ""},
		{`for_each = null`, "for_each is null, want a map or a set of strings; its instances are not judged"},
		{`for_each = toset([var.unknown])`, "for_each is not known from the configuration alone; its instances are not judged"},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			src := "variable \"unknown\" {}\nresource \"aws_sqs_queue\" \"q\" {\n  " + c.body + "\n}\n"
			cfg, err := Parse(map[string][]byte{"main.tf": []byte(src)}, nil, nil, Options{})
			require.NoError(t, err)
			if c.reason == "" {
				assert.Empty(t, cfg.Skipped)
				assert.NotEmpty(t, cfg.Resources)
				return
			}
			require.Len(t, cfg.Skipped, 1)
			assert.Equal(t, "main.tf:2: aws_sqs_queue.q: "+c.reason, cfg.Skipped[0].String())
			assert.Empty(t, cfg.Resources)
		})
	}
}

func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"vpc","Source":"registry.terraform.io/a/b/c","Version":"1.0.0","Dir":".terraform/modules/vpc"}]}`))
	f.Add([]byte("{\"Modules\": [\n  {\"Key\": 3}\n]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest("modules.json", data)
		if err != nil {
			require.ErrorIs(t, err, ErrConfig)
			require.Contains(t, err.Error(), "modules.json")
			return
		}
		for k, e := range m {
			require.Equal(t, k, e.Key)
		}
	})
}
