package world

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func vpc(id, account, region string) resource.Resource {
	return resource.Resource{Provider: "aws", Type: "aws_vpc", ID: id, Account: account, Region: region,
		Attrs: map[string]any{"cidr_block": "10.0.0.0/16", "tags": map[string]any{"Name": id}}}
}

func TestWorldMutationsAreIsolated(t *testing.T) {
	in := vpc("vpc-1", "111", "us-east-1")
	w := New([]resource.Resource{in, vpc("vpc-2", "222", "eu-west-1")})
	in.Attrs["cidr_block"] = "changed"
	got, ok := w.Get(in.Key())
	require.True(t, ok)
	assert.Equal(t, "10.0.0.0/16", got.Attrs["cidr_block"], "the world keeps its own copy")
	assert.Equal(t, resource.SourceLive, got.Source)
	got.Attrs["tags"].(map[string]any)["Name"] = "mutated"
	again, _ := w.Get(in.Key())
	assert.Equal(t, "vpc-1", again.Attrs["tags"].(map[string]any)["Name"], "readers get deep copies")

	assert.Len(t, w.List("aws", "aws_vpc", "111", ""), 1)
	assert.Len(t, w.List("aws", "aws_vpc", "", "eu-west-1"), 1)
	assert.Len(t, w.List("aws", "aws_vpc", "", ""), 2)
	assert.Empty(t, w.List("aws", "aws_subnet", "", ""))

	require.NoError(t, w.Patch(in.Key(), map[string]any{"cidr_block": "10.1.0.0/16", "tags": nil}))
	p, _ := w.Get(in.Key())
	assert.Equal(t, "10.1.0.0/16", p.Attrs["cidr_block"])
	assert.NotContains(t, p.Attrs, "tags")
	assert.Error(t, w.Patch(resource.Key{Provider: "aws", Type: "aws_vpc", ID: "nope"}, nil))

	assert.True(t, w.Delete(in.Key()))
	assert.False(t, w.Delete(in.Key()))
	assert.Equal(t, 1, w.Len())
	assert.Len(t, w.All(), 1)
	assert.NotEqual(t, w.NextID("req-"), w.NextID("req-"))
}

func TestWorldFaults(t *testing.T) {
	w := New(nil)
	assert.Equal(t, None, w.Check("aws:ec2", "111"))
	w.SetFaults(Faults{Deny: map[string]bool{"aws:iam": true, "aws:s3@222": true}, Disabled: map[string]bool{"gcp:sqladmin": true}})
	assert.Equal(t, Deny, w.Check("aws:iam", "111"))
	assert.Equal(t, Deny, w.Check("aws:s3", "222"))
	assert.Equal(t, None, w.Check("aws:s3", "111"), "scoped to one account")
	assert.Equal(t, Disabled, w.Check("gcp:sqladmin", "p"))

	w.SetFaults(Faults{ThrottleRate: 0.05})
	throttled := 0
	for range 10000 {
		if w.Check("aws:ec2", "111") == Throttle {
			throttled++
		}
	}
	assert.InDelta(t, 500, throttled, 150, "about 5%% of calls throttled")
	assert.Equal(t, int64(10005), w.Calls())
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "world.json")
	require.NoError(t, os.WriteFile(good, []byte(`[{"type":"aws_vpc","id":"v","account":"1","region":"r","attributes":{}}]`), 0o644))
	w, err := Load(good)
	require.NoError(t, err)
	assert.Equal(t, 1, w.Len())
	_, err = Load(filepath.Join(dir, "missing.json"))
	assert.ErrorContains(t, err, "missing.json")
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{}`), 0o644))
	_, err = Load(bad)
	assert.ErrorContains(t, err, "bad.json")
}
