package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/scan"
)

func TestPolicyTest(t *testing.T) {
	code, out, stderr := run(t, "", "policy", "test", example("policies"))
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "PASS  driftmgr.acme.s3_versioning_test.test_no_versioning_denied")
	assert.Regexp(t, `\d+ tests: \d+ passed, 0 failed`, out)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.rego"), []byte("package p\nmetadata := {\"id\": \"X-1\", \"title\": \"t\", \"severity\": \"low\"}\ndeny contains \"x\" if input.x\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p_test.rego"), []byte("package p_test\nimport data.p\ntest_fails if { count(p.deny) == 0 with input as {\"x\": true} }\n"), 0o644))
	code, out, _ = run(t, "", "policy", "test", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAIL  p_test.test_fails")

	// A bad policy is rejected with its file, line and reason.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.rego"), []byte("package p\nmetadata := {\"id\": \"X-1\", \"title\": \"t\", \"severity\": \"low\"}\ndeny contains msg if {\n  y == 1\n}\n"), 0o644))
	code, _, stderr = run(t, "", "policy", "test", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "p.rego:3")
	code, _, stderr = securityRun(t, "--tf", example("security/tf"), "--policy", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "p.rego:3")
}

func TestSecurityScanWithPolicies(t *testing.T) {
	code, out, stderr := securityRun(t, "--tf", example("security/tf"), "--policy", example("policies"), "-o", "json")
	require.Equal(t, 1, code, stderr)
	var rep scan.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	trustworthy(t, rep)
	got := map[string]scan.Status{}
	for _, r := range rep.Results {
		got[r.CheckID+" "+r.Address] = r.Status
	}
	assert.Equal(t, scan.Fail, got["ACME-S3-001 aws_s3_bucket.public"])
	assert.Equal(t, scan.Fail, got["ACME-NET-001 aws_security_group.bastion"])
	assert.Equal(t, scan.Pass, got["ACME-TAG-001 aws_s3_bucket.logs"])
	assert.Equal(t, scan.Fail, got["DM-AWS-EC2-001 aws_security_group.bastion"], "built-in results are still there")
}
