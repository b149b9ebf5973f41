package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/scan"
)

// securityRun runs `driftmgr security scan` with a pinned clock, so key
// ages and mutelist expiry do not move the golden files.
func securityRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	prev := securityNow
	securityNow = func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) }
	defer func() { securityNow = prev }()
	return run(t, "", append([]string{"security", "scan"}, args...)...)
}

func awsSecurityArgs(extra ...string) []string {
	return append([]string{"--provider", "aws", "--simulate", example("aws/world.json"), "--state", example("aws/terraform.tfstate")}, extra...)
}

// trustworthy asserts what a security engineer relies on: every failure
// has evidence, and no check reports the same resource and location twice.
func trustworthy(t *testing.T, rep scan.Report) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range rep.Results {
		assert.NotEmpty(t, r.Evidence, "%s on %s has no evidence", r.CheckID, r.Resource())
		assert.NotEmpty(t, r.Message)
		k := r.CheckID + " " + r.Resource()
		if r.Location != nil {
			k += " " + string(r.Location.Path) + ":" + itoaTest(r.Location.Line)
		}
		assert.False(t, seen[k], "duplicate finding %s", k)
		seen[k] = true
	}
}

func itoaTest(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestSecurityScanAWSExample(t *testing.T) {
	code, out, stderr := securityRun(t, awsSecurityArgs()...)
	assert.Equal(t, ExitDrift, code, stderr)
	golden(t, "security-aws.txt", []byte(out))
	assert.Contains(t, out, "this drift opened port 22 to the world")
	assert.Contains(t, out, `ingress[1].cidr_blocks: ["10.0.0.0/8"] => ["0.0.0.0/0"]`)

	code, out, _ = securityRun(t, awsSecurityArgs("-o", "json")...)
	assert.Equal(t, ExitDrift, code)
	var rep scan.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	trustworthy(t, rep)
	var weakened []scan.Result
	for _, r := range rep.Results {
		if r.Drift != nil {
			weakened = append(weakened, r)
		}
		assert.False(t, r.CheckID == "DM-AWS-EC2-001" && r.Status == scan.Fail, "the plain failure is folded into the drift finding")
	}
	require.Len(t, weakened, 1)
	w := weakened[0]
	assert.Equal(t, "DM-DRIFT-AWS-EC2-001", w.CheckID)
	assert.Equal(t, "aws_security_group.security_group", w.Address)
	assert.Equal(t, scan.Pass, w.Drift.State.Status)
	assert.Equal(t, scan.Fail, w.Drift.Live.Status)

	// --fail-on critical still fails (the drift finding is critical).
	code, _, _ = securityRun(t, awsSecurityArgs("--fail-on", "critical", "-o", "csv")...)
	assert.Equal(t, ExitDrift, code)
}

func TestSecurityScanStateFixture(t *testing.T) {
	dir := t.TempDir()
	state := example("security/terraform.tfstate")
	mutelist := example("security/mutelist.yaml")
	args := []string{"--state", state, "--mutelist", mutelist, "--all",
		"-o", "table", "-o", "json=" + filepath.Join(dir, "r.json"), "-o", "sarif=" + filepath.Join(dir, "r.sarif"),
		"-o", "junit=" + filepath.Join(dir, "r.xml"), "-o", "csv=" + filepath.Join(dir, "r.csv"), "-o", "html=" + filepath.Join(dir, "r.html")}
	code, out, stderr := securityRun(t, args...)
	assert.Equal(t, ExitDrift, code, stderr)
	assert.Contains(t, stderr, "expired 2026-01-31 and mutes nothing")
	assert.Contains(t, out, "MUTED (2)")
	assert.Contains(t, out, "PASSED (")
	assert.Contains(t, out, "CIS Azure Foundations v2.0")
	data, err := os.ReadFile(filepath.Join(dir, "r.json"))
	require.NoError(t, err)
	var rep scan.Report
	require.NoError(t, json.Unmarshal(data, &rep))
	trustworthy(t, rep)
	ids := map[string]bool{}
	for _, r := range rep.Results {
		ids[r.CheckID] = true
	}
	for _, want := range []string{"DM-AWS-IAM-001", "DM-AWS-IAM-011", "DM-AWS-S3-004", "DM-AWS-EC2-003", "DM-AWS-CT-001", "DM-AWS-KMS-001",
		"DM-AWS-RDS-001", "DM-AZ-STG-001", "DM-AZ-NET-002", "DM-GCP-NET-002", "DM-GCP-GCS-002", "DM-SECRET-001", "DM-SECRET-002", "DM-SECRET-011"} {
		assert.True(t, ids[want], "missing %s", want)
	}
	// The fixture's secrets (AWS's documented example keys) appear in no report.
	for _, f := range []string{"r.json", "r.sarif", "r.xml", "r.csv", "r.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		for _, secret := range []string{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "Zq8pL2vN6rT9wXy4"} {
			assert.NotContains(t, string(b), secret, f)
		}
	}
	assert.NotContains(t, out, "Zq8pL2vN6rT9wXy4")

	// Everything muted or below the bar: exit 0.
	code, _, stderr = securityRun(t, "--state", example("aws/terraform.tfstate"), "--fail-on", "critical")
	assert.Equal(t, ExitInSync, code, stderr)
}

func TestSecurityScanErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("mutelist:\n  - check: X\n    resource: y\n"), 0o644))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--state", example("aws/terraform.tfstate"), "--fail-on", "urgent"}, "--fail-on"},
		{[]string{"--state", example("aws/terraform.tfstate"), "-o", "xml"}, "unknown format"},
		{[]string{"--state", example("aws/terraform.tfstate"), "-o", "json", "-o", "csv"}, "write to stdout"},
		{[]string{"--state", example("aws/terraform.tfstate"), "--mutelist", bad}, "needs reason, owner"},
		{[]string{"--state", example("aws/terraform.tfstate"), "--mutelist", filepath.Join(dir, "none.yaml")}, "read mutelist"},
		{[]string{"--state", filepath.Join(dir, "missing.tfstate")}, "missing.tfstate"},
		{[]string{"--dir", dir}, "no terraform or terragrunt configuration"},
		{[]string{"--live", filepath.Join(dir, "nope.json")}, "read inventory"},
		{[]string{"--state", example("aws/terraform.tfstate"), "--filter", "type=="}, ""},
	} {
		code, _, stderr := securityRun(t, c.args...)
		assert.Equal(t, ExitError, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.want, c.args)
	}
}

func TestSecurityScanLiveFile(t *testing.T) {
	code, out, stderr := securityRun(t, "--state", example("terraform.tfstate"), "--live", example("live.json"), "--driftignore", example(".driftignore"),
		"--filter", "type=='aws_s3_bucket' || type=='aws_s3_bucket_public_access_block'")
	assert.Equal(t, ExitDrift, code, stderr)
	assert.Contains(t, out, "DM-DRIFT-AWS-S3-001")
	assert.Contains(t, out, "block_public_policy: true => false")
	assert.True(t, strings.Contains(out, "ABSENT"), "the unmanaged bucket has no state side")
}

func TestSecurityChecks(t *testing.T) {
	code, out, stderr := run(t, "", "security", "checks")
	assert.Equal(t, ExitInSync, code, stderr)
	assert.Contains(t, out, "DM-AWS-EC2-001")
	assert.Contains(t, out, "AWS Foundations v3.0 5.2,5.3")
	code, out, _ = run(t, "", "security", "checks", "-o", "json")
	assert.Equal(t, ExitInSync, code)
	var checks []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &checks))
	assert.Equal(t, len(scan.Builtin())+len(scan.SecretChecks()), len(checks))
	code, _, _ = run(t, "", "security", "checks", "-o", "xml")
	assert.Equal(t, ExitError, code)
}
