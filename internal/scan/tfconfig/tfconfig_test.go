package tfconfig

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
)

var update = flag.Bool("update", false, "rewrite golden files")

func parse(t *testing.T, src string, opts Options) map[string]resource.Resource {
	t.Helper()
	cfg, err := Parse(map[string][]byte{"main.tf": []byte(src)}, nil, nil, opts)
	require.NoError(t, err)
	out := map[string]resource.Resource{}
	for _, r := range cfg.Resources {
		out[r.Address] = r
	}
	return out
}

func TestParseEvaluates(t *testing.T) {
	src := `
variable "env" { default = "prod" }
variable "open" { type = bool }
variable "port" { default = 22 }
locals {
  name = "${local.prefix}-web"
  prefix = "acme-${var.env}"
}
provider "aws" { region = "eu-west-1" }
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
resource "aws_security_group" "web" {
  name = local.name
  tags = { Env = var.env }
  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [data.aws_vpc.main.cidr_block]
  }
  lifecycle { create_before_destroy = true }
}
resource "aws_security_group_rule" "r" {
  provider          = aws.us
  security_group_id = aws_security_group.web.id
  description       = aws_security_group.web.description
  type              = "ingress"
  self              = var.open
}
resource "aws_s3_bucket" "b" { bucket = "${local.prefix}-logs" }
resource "aws_s3_bucket_public_access_block" "b" { bucket = aws_s3_bucket.b.id }
resource "aws_kms_key" "k" {}
resource "aws_cloudtrail" "t" { kms_key_id = aws_kms_key.k.arn }
resource "aws_instance" "n" {
  count = 2
  tags  = { Name = "n-${count.index}" }
}
resource "aws_iam_user" "u" {
  for_each = toset(["alice", "bob"])
  name     = each.key
}
resource "aws_instance" "unknown_count" { count = length(data.x.y.ids) }
resource "aws_security_group" "dyn" {
  ingress {
    from_port = 1
  }
  dynamic "ingress" {
    for_each = var.rules
    content { from_port = ingress.value }
  }
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
`
	rs := parse(t, src, Options{NoDefaults: true})
	web := rs["aws_security_group.web"]
	assert.Equal(t, "web", web.ID)
	assert.Equal(t, "aws", web.Provider)
	assert.Equal(t, "eu-west-1", web.Region)
	assert.Equal(t, "main.tf:14", web.Origin)
	assert.Equal(t, scan.SourceConfig, web.Source)
	assert.Equal(t, "acme-prod-web", web.Attrs["name"], "locals in any order")
	assert.Equal(t, map[string]string{"Env": "prod"}, web.Tags)
	ing := web.Attrs["ingress"].([]any)
	require.Len(t, ing, 2, "nested blocks are lists of objects")
	assert.Equal(t, 22.0, ing[0].(map[string]any)["from_port"])
	_, ok := ing[1].(map[string]any)["cidr_blocks"]
	assert.False(t, ok, "a data source value is unknown and left out")
	assert.NotContains(t, web.Attrs, "lifecycle", "meta-arguments never reach state")

	r := rs["aws_security_group_rule.r"]
	assert.Equal(t, "web", r.Attrs["security_group_id"], "a reference to id resolves to the placeholder id")
	assert.NotContains(t, r.Attrs, "description", "an unset computed attribute is unknown")
	assert.NotContains(t, r.Attrs, "self", "a variable without a value is unknown")
	assert.NotContains(t, r.Attrs, "provider")
	assert.Equal(t, "us-east-1", r.Region, "aliased provider's region")

	assert.Equal(t, "acme-prod-logs", rs["aws_s3_bucket.b"].ID, "a bucket's id is its name")
	assert.Equal(t, "acme-prod-logs", rs["aws_s3_bucket_public_access_block.b"].Attrs["bucket"])
	assert.Equal(t, "(known after apply: aws_kms_key.k.arn)", rs["aws_cloudtrail.t"].Attrs["kms_key_id"])

	assert.Equal(t, "n-1", rs["aws_instance.n[1]"].Tags["Name"])
	assert.Equal(t, "n[1]", rs["aws_instance.n[1]"].ID)
	assert.Equal(t, "bob", rs[`aws_iam_user.u["bob"]`].ID)
	for a := range rs {
		assert.NotContains(t, a, "unknown_count", "an unknown count yields no guessed instance")
	}
	assert.NotContains(t, rs["aws_security_group.dyn"].Attrs, "ingress", "a dynamic block makes the block type unknown")
	assert.JSONEq(t, `{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}]}`, rs["aws_iam_policy.p"].Attrs["policy"].(string))
}

func TestVariablePrecedence(t *testing.T) {
	src := `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "flag" { default = false }
resource "aws_s3_bucket" "x" {
  tags = { a = var.a, b = var.b, c = var.c }
  force_destroy = var.flag
}`
	cfg, err := Parse(map[string][]byte{"main.tf": []byte(src)}, []string{"1.tfvars", "2.tfvars"},
		map[string][]byte{"1.tfvars": []byte("a = \"file1\"\nb = \"file1\"\n"), "2.tfvars": []byte("b = \"file2\"\n")},
		Options{Vars: map[string]string{"c": "cli", "flag": "true"}, NoDefaults: true})
	require.NoError(t, err)
	rs := cfg.Resources
	assert.Equal(t, map[string]any{"a": "file1", "b": "file2", "c": "cli"}, rs[0].Attrs["tags"])
	assert.Equal(t, true, rs[0].Attrs["force_destroy"], "-var values parse as HCL literals")
}

func TestDefaults(t *testing.T) {
	rs := parse(t, `
resource "aws_db_instance" "d" { storage_encrypted = true }
resource "aws_ebs_volume" "v" {}
resource "aws_db_instance" "n" { publicly_accessible = null }`, Options{})
	assert.Equal(t, true, rs["aws_db_instance.d"].Attrs["storage_encrypted"], "set values win")
	assert.Equal(t, false, rs["aws_db_instance.d"].Attrs["publicly_accessible"])
	assert.Equal(t, false, rs["aws_ebs_volume.v"].Attrs["encrypted"])
	assert.Equal(t, false, rs["aws_db_instance.n"].Attrs["publicly_accessible"], "null is unset")
	for _, d := range Defaults {
		assert.NotEmpty(t, d.Doc, d.Type+"."+d.Attr)
	}
}

func TestParseErrorNamesFileAndLine(t *testing.T) {
	_, err := Parse(map[string][]byte{"bad.tf": []byte("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n")}, nil, nil, Options{})
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "bad.tf:2")
}

func TestLoadEmptyDir(t *testing.T) {
	_, err := Load(t.TempDir(), Options{})
	require.ErrorIs(t, err, ErrConfig)
}

// TestExampleGolden scans examples/security/tf: every failure carries
// evidence and a FILE:LINE, no finding repeats, and the report matches
// testdata/example.golden.json (-update rewrites it).
func TestExampleGolden(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "examples", "security", "tf")
	cfg, err := Load(dir, Options{})
	require.NoError(t, err)
	rep := scan.Run(scan.Input{State: cfg.Resources, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	cfg.Locate(rep.Results)
	seen := map[string]bool{}
	fails := map[string]bool{}
	for _, r := range rep.Results {
		k := r.CheckID + " " + r.Address
		assert.False(t, seen[k], "duplicate finding %s", k)
		seen[k] = true
		if r.Status == scan.Fail {
			assert.NotEmpty(t, r.Evidence, "finding without evidence: %s", k)
			assert.Regexp(t, `\.tf:\d+$`, r.Origin)
			fails[k] = true
		}
	}
	for _, want := range []string{"DM-AWS-S3-001 module.audit.aws_s3_bucket.this", "DM-AWS-EC2-001 aws_security_group.bastion", "DM-AWS-EC2-002 aws_security_group.web",
		"DM-AWS-S3-001 aws_s3_bucket.public", "DM-AWS-IAM-010 aws_iam_policy.admin", "DM-AWS-RDS-002 aws_db_instance.reporting",
		"DM-AWS-KMS-001 aws_kms_key.norotate", "DM-AWS-EC2-006 aws_ebs_volume.scratch", "DM-AWS-CT-002 aws_cloudtrail.main"} {
		assert.True(t, fails[want], "expected failure %s", want)
	}
	for _, pass := range []string{"DM-AWS-S3-001 module.archive.aws_s3_bucket.this", "DM-AWS-S3-001 aws_s3_bucket.logs", "DM-AWS-EC2-001 aws_security_group.web",
		"DM-AWS-IAM-010 aws_iam_policy.read_logs", "DM-AWS-CT-003 aws_cloudtrail.main", "DM-AWS-RDS-001 aws_db_instance.reporting"} {
		assert.False(t, fails[pass], "unexpected failure %s", pass)
		assert.True(t, seen[pass], "expected a result for %s", pass)
	}
	for k := range seen {
		assert.NotContains(t, k, "aws_iam_role_policy.from_data", "a policy from a data source is not judged")
		assert.NotContains(t, k, "admin_ssh", "a rule with an unknown source is not judged on its own")
	}
	var buf bytes.Buffer
	require.NoError(t, scan.Write(&buf, "json", rep, scan.WriteOptions{ToolVersion: "test"}))
	golden := filepath.Join("testdata", "example.golden.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	var a, b any
	require.NoError(t, json.Unmarshal(want, &a))
	require.NoError(t, json.Unmarshal(buf.Bytes(), &b))
	assert.Equal(t, a, b, "report differs from %s (go test -update to rewrite)", golden)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`resource "aws_s3_bucket" "b" { bucket = "x" }`))
	f.Add([]byte(`variable "v" {}` + "\n" + `resource "a_b" "c" { count = 2
 x = var.v }`))
	f.Add([]byte(`provider "aws" {
  default_tags { tags = { Owner = "x" } }
}
module "m" {
  source   = "a/b/c"
  for_each = { a = 1 }
}
resource "aws_iam_policy" "p" {
  tags   = { "k.v" = 1 }
  policy = jsonencode({ Statement = [{ Action = ["*"] }] })
  dynamic "x" {
    for_each = [1]
  }
}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse(map[string][]byte{"f.tf": data}, nil, nil, Options{})
	})
}

func TestLoadFollowsLocalModules(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "..", "examples", "security", "tf"), Options{})
	require.NoError(t, err)
	by := map[string]resource.Resource{}
	for _, r := range cfg.Resources {
		by[r.Address] = r
	}
	audit := by["module.audit.aws_s3_bucket.this"]
	assert.Equal(t, "acme-prod-audit", audit.ID, "the module input is the caller's evaluated argument")
	assert.Equal(t, "eu-west-1", audit.Region, "provider regions are inherited")
	assert.Equal(t, "platform", audit.Tags["Owner"])
	assert.Regexp(t, `modules/audit_bucket/main\.tf:17$`, audit.Origin)
	pab := by["module.audit.aws_s3_bucket_public_access_block.this"]
	assert.Equal(t, "acme-prod-audit", pab.Attrs["bucket"])
	assert.Equal(t, false, pab.Attrs["block_public_acls"])
	assert.Equal(t, true, by["module.archive.aws_s3_bucket_public_access_block.this"].Attrs["block_public_acls"], "the variable's default")
	for a := range by {
		assert.NotContains(t, a, "module.vpc", "a registry module not initialized is not judged")
	}
	require.Len(t, cfg.Skipped, 1)
	assert.Equal(t, "module.vpc", cfg.Skipped[0].Address)
	assert.Regexp(t, `modules\.tf:16: module\.vpc \(registry\.terraform\.io/terraform-aws-modules/vpc/aws\): not initialized; run terraform init to judge its resources$`, cfg.Skipped[0].String())
}
