package aws

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestKMSSkipsKeysTerraformDoesNotOwn: AWS managed keys, their
// "alias/aws/..." aliases and keys pending deletion are not listed.
func TestKMSSkipsKeysTerraformDoesNotOwn(t *testing.T) {
	var rs []resource.Resource
	for _, f := range awssim.Fixtures(account, "us-east-1") {
		if f.Type == "aws_kms_key" || f.Type == "aws_kms_alias" {
			rs = append(rs, f)
		}
	}
	key := func(id string, attrs map[string]any) resource.Resource {
		attrs["id"] = id
		return resource.Resource{Provider: "aws", Type: "aws_kms_key", ID: id, Account: account,
			Region: "us-east-1", Attrs: attrs}
	}
	rs = append(rs, key("aws-managed", map[string]any{"key_manager": "AWS"}),
		key("going", map[string]any{"key_state": "PendingDeletion"}),
		resource.Resource{Provider: "aws", Type: "aws_kms_alias", ID: "alias/aws/s3", Account: account,
			Region: "us-east-1", Attrs: map[string]any{"id": "alias/aws/s3", "target_key_id": "aws-managed"}})
	url := sim(t, world.New(rs))
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, PageSize: 1})
	require.Empty(t, res.Skipped)
	var ids []string
	for _, r := range res.Resources {
		ids = append(ids, r.Type+"."+r.ID)
	}
	assert.ElementsMatch(t, []string{"aws_kms_key.1234abcd-12ab-34cd-56ef-1234567890ab", "aws_kms_alias.alias/app-data"}, ids)
}
