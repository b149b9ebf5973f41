package cli

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/scan"
)

func TestSecurityScanTerraformDir(t *testing.T) {
	code, out, stderr := securityRun(t, "--tf", example("security/tf"), "-o", "json")
	require.Equal(t, 1, code, stderr)
	var rep scan.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	trustworthy(t, rep)
	var bastion *scan.Result
	for i, r := range rep.Results {
		if r.CheckID == "DM-AWS-EC2-001" && r.Address == "aws_security_group.bastion" {
			bastion = &rep.Results[i]
		}
	}
	require.NotNil(t, bastion)
	assert.Equal(t, scan.Fail, bastion.Status)
	assert.Regexp(t, `network\.tf:10$`, bastion.Origin, "the finding points at the cidr_blocks its evidence names")
	assert.Contains(t, stderr, "warning: not scanned: "+filepath.Join(example("security/tf"), "modules.tf")+":16: module.vpc (registry.terraform.io/terraform-aws-modules/vpc/aws): not initialized; run terraform init to judge its resources\n",
		"a module call that cannot be followed is named, never silently passed")

	// -var flips the database to public.
	code, out, stderr = securityRun(t, "--tf", example("security/tf"), "--var", "db_public=true", "-o", "json")
	require.Equal(t, 1, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	found := false
	for _, r := range rep.Results {
		if r.CheckID == "DM-AWS-RDS-001" {
			found = true
			assert.Equal(t, scan.Fail, r.Status)
		}
	}
	assert.True(t, found)

	code, _, stderr = securityRun(t, "--tf", example("security/tf"), "--var", "novalue")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "NAME=VALUE")
	code, _, stderr = securityRun(t, "--tf", example("security/tf"), "--state", "x.tfstate")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--tf")
}
