package tfconfig

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
	"github.com/driftmgr/driftmgr/internal/scan/regopolicy"
)

// lineOf is the 1-based line of the first line of file containing s.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), s) {
			return n
		}
	}
	t.Fatalf("%s has no line with %q", file, s)
	return 0
}

// TestProviderDefaultTags: tags_all (aws) and terraform_labels and
// effective_labels (google) hold the provider's defaults merged with the
// resource's own, as state shows them, through aliases and modules.
func TestProviderDefaultTags(t *testing.T) {
	dir := filepath.Join("testdata", "default_tags")
	_, by := loadByAddress(t, dir)
	platform := map[string]any{"Owner": "platform", "Environment": "prod"}
	cases := []struct {
		addr   string
		attr   string
		want   map[string]any // nil: the attribute is absent
		region string
	}{
		{"aws_s3_bucket.own", "tags_all", map[string]any{"Owner": "platform", "Environment": "dev", "Name": "own"}, "eu-west-1"},
		{"aws_s3_bucket.none", "tags_all", platform, "eu-west-1"},
		{"aws_s3_bucket.us", "tags_all", map[string]any{"Owner": "us-team"}, "us-east-1"},
		{"aws_s3_bucket.bare", "tags_all", map[string]any{"Name": "bare"}, "eu-central-1"},
		{"aws_s3_bucket.unknown", "tags_all", nil, "eu-north-1"},
		{"aws_s3_bucket_policy.own", "tags_all", nil, "eu-west-1"},
		{"google_storage_bucket.labelled", "terraform_labels", map[string]any{"team": "data", "env": "prod"}, "EU"},
		{"google_storage_bucket.labelled", "effective_labels", map[string]any{"team": "data", "env": "prod"}, "EU"},
		{"google_pubsub_topic.plain", "effective_labels", map[string]any{"team": "data"}, ""},
		{"google_compute_firewall.fw", "effective_labels", nil, ""},
		{"azurerm_resource_group.rg", "tags_all", nil, "westeurope"},
		{"module.implicit.aws_s3_bucket.this", "tags_all", platform, "eu-west-1"},
		{"module.mapped.aws_s3_bucket.this", "tags_all", map[string]any{"Owner": "us-team"}, "us-east-1"},
		{"module.aliased.aws_s3_bucket.replica", "tags_all", map[string]any{"Owner": "us-team", "Name": "replica"}, "us-east-1"},
	}
	for _, c := range cases {
		t.Run(c.addr+" "+c.attr, func(t *testing.T) {
			r, ok := by[c.addr]
			require.True(t, ok, "no resource %s", c.addr)
			assert.Equal(t, c.region, r.Region)
			got, set := r.Attrs[c.attr]
			if c.want == nil {
				assert.False(t, set, "%s = %v", c.attr, got)
				return
			}
			assert.Equal(t, c.want, got)
			flat := map[string]string{}
			for k, v := range c.want {
				flat[k] = v.(string)
			}
			assert.Equal(t, flat, r.Tags, "Tags are the tags the resource ends up with")
		})
	}
	assert.Equal(t, map[string]any{"Environment": "dev", "Name": "own"}, by["aws_s3_bucket.own"].Attrs["tags"], "tags stay the configured ones")
	assert.Equal(t, map[string]string{"Name": "unknown"}, by["aws_s3_bucket.unknown"].Tags, "unknown defaults: the own tags that are known")
	assert.Equal(t, map[string]string{"Owner": "azure-team"}, by["azurerm_resource_group.rg"].Tags)
}

// TestDefaultTagPositions: a merged tag is where it is set, the
// resource's tags or the provider's default_tags.
func TestDefaultTagPositions(t *testing.T) {
	dir := filepath.Join("testdata", "default_tags")
	cfg, _ := loadByAddress(t, dir)
	main := filepath.Join(dir, "main.tf")
	cases := []struct {
		addr string
		path resource.Path
		line string // the line's text
	}{
		{"aws_s3_bucket.own", "tags_all.Environment", `Environment = "dev"`},
		{"aws_s3_bucket.own", "tags_all.Owner", `Owner       = "platform"`},
		{"aws_s3_bucket.own", "tags_all", `tags = {`},
		{"aws_s3_bucket.none", "tags_all", `tags = {`},
		{"aws_s3_bucket.none", "tags.Owner", `Owner       = "platform"`},
		{"aws_s3_bucket.us", "tags_all.Owner", `Owner = "us-team"`},
		{"module.mapped.aws_s3_bucket.this", "tags_all.Owner", `Owner = "us-team"`},
		{"google_pubsub_topic.plain", "effective_labels.team", `team = "data"`},
		{"google_storage_bucket.labelled", "terraform_labels.env", `env = "prod"`},
		{"google_storage_bucket.labelled", "tags.env", `env = "prod"`},
	}
	for _, c := range cases {
		t.Run(c.addr+" "+string(c.path), func(t *testing.T) {
			p, ok := cfg.Positions[c.addr].Lookup(c.path)
			require.True(t, ok)
			assert.Equal(t, main, p.File)
			want := lineOf(t, main, c.line)
			if c.path == "tags_all" && c.addr == "aws_s3_bucket.own" {
				want = lineOf(t, main, `bucket = "own"`) + 1
			}
			assert.Equal(t, want, p.Line)
		})
	}
	p, ok := cfg.Positions["aws_s3_bucket.bare"].Lookup("tags_all.Owner")
	require.True(t, ok)
	assert.Equal(t, lineOf(t, main, `tags     = { Name = "bare" }`), p.Line, "a key set nowhere: the tags that lack it")
	_, ok = cfg.Positions["aws_s3_bucket_policy.own"].Lookup("tags_all")
	assert.False(t, ok, "a type without tags has no tags_all")
}

// TestDefaultTagsReachPolicies: the example required_tags policy judges
// a bucket tagged by default_tags alone as tagged.
func TestDefaultTagsReachPolicies(t *testing.T) {
	cfg, _ := loadByAddress(t, filepath.Join("testdata", "default_tags"))
	set, err := regopolicy.LoadDirs(context.Background(), []string{filepath.Join("..", "..", "..", "examples", "policies")})
	require.NoError(t, err)
	results, err := set.Evaluate(context.Background(), cfg.Resources, regopolicy.Options{})
	require.NoError(t, err)
	status := map[string]scan.Status{}
	for _, r := range results {
		if r.CheckID == "ACME-TAG-001" {
			status[r.Address] = r.Status
		}
	}
	assert.Equal(t, scan.Pass, status["aws_s3_bucket.none"], "tagged by the provider's default_tags")
	assert.Equal(t, scan.Pass, status["module.implicit.aws_s3_bucket.this"])
	assert.Equal(t, scan.Fail, status["aws_s3_bucket.bare"], "no default tags on aws.bare")
	assert.Equal(t, scan.Fail, status["aws_s3_bucket.us"], "aws.us sets Owner only")
}
