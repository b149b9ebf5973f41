package cli

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// TestDevModeFindsPlantedDriftAndFollowsMutations runs `driftmgr dev`
// in-process: the controller, the agent and the simulated cloud for real.
// The agent reports the drift planted in the three example worlds; a
// mutation of the simulated cloud shows up as a new finding.
func TestDevModeFindsPlantedDriftAndFollowsMutations(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"dev", "--listen", "127.0.0.1:0", "--data-dir", filepath.Join(dir, "data"),
			"--scan-interval", "2s", "--api-key-file", keyFile, "--admin-password-file", filepath.Join(dir, "password")}, Streams{Out: &out, Err: &errb})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("dev mode did not stop")
		}
	})
	var base string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`API\s+(http://\S+)`).FindStringSubmatch(out.String())
		if m == nil {
			return false
		}
		base = m[1]
		return true
	}, 60*time.Second, 50*time.Millisecond, "banner; stderr: %s", errb.String())
	raw, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	key := strings.TrimSpace(string(raw))
	assert.Contains(t, out.String(), key, "the key is shown once at start")

	fc := driftmgrv1connect.NewFindingsServiceClient(http.DefaultClient, base, controller.BearerKey(key))
	list := func() map[string]*pb.Finding {
		resp, err := fc.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{PageSize: 1000,
			Filter: &pb.FindingFilter{Status: []pb.FindingStatus{pb.FindingStatus_FINDING_STATUS_OPEN}}}))
		if err != nil {
			return nil
		}
		m := map[string]*pb.Finding{}
		for _, f := range resp.Msg.GetFindings() {
			m[f.GetResource().GetType()+"/"+f.GetResource().GetId()+"/"+f.GetKind().String()] = f
		}
		return m
	}
	// Each example world has a missing resource, a firewall opened to the
	// world, a tag changed and an unmanaged resource: 4 x 3 clouds.
	require.Eventually(t, func() bool { return len(list()) == 12 }, 90*time.Second, 200*time.Millisecond)
	got := list()
	assert.Contains(t, got, "aws_security_group/sg-0a1/DRIFT_KIND_MODIFIED")
	assert.Contains(t, got, "aws_ebs_volume/vol-0a1/DRIFT_KIND_MISSING")
	assert.Contains(t, got, "aws_instance/i-0c9/DRIFT_KIND_UNMANAGED")
	assert.Equal(t, pb.Severity_SEVERITY_CRITICAL, got["aws_security_group/sg-0a1/DRIFT_KIND_MODIFIED"].GetSeverity())

	// The dev API refuses mutations without the key, and applies them with it.
	req, _ := http.NewRequest(http.MethodPatch, base+"/dev/v1/world/aws/aws_instance/i-0a1", strings.NewReader(`{"instance_type":"m5.4xlarge"}`))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	req, _ = http.NewRequest(http.MethodPatch, base+"/dev/v1/world/aws/aws_instance/i-0a1", strings.NewReader(`{"instance_type":"m5.4xlarge"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Eventually(t, func() bool {
		f := list()["aws_instance/i-0a1/DRIFT_KIND_MODIFIED"]
		return f != nil && len(f.GetChanges()) == 1 && f.GetChanges()[0].GetPath() == "instance_type" &&
			f.GetChanges()[0].GetLiveJson() == `"m5.4xlarge"`
	}, 60*time.Second, 200*time.Millisecond)

	t.Run("security through ctl", func(t *testing.T) { devSecurity(t, base, key) })
	t.Run("audit through ctl", func(t *testing.T) { devAudit(t, base, key) })
	t.Run("console password sign-in", func(t *testing.T) { devConsoleLogin(t, base, out.String(), filepath.Join(dir, "password")) })
}

// devAudit reads the audit log the calls above left, exports it, checks
// the export offline, and shows a tampered copy fails with the entry named.
func devAudit(t *testing.T, base, key string) {
	env := map[string]string{"DRIFTMGR_ADDR": base, "DRIFTMGR_API_KEY": key}
	var out string
	require.Eventually(t, func() bool {
		var code int
		code, out, _ = ctl(t, env, "audit", "list", "--action", "/driftmgr.v1.SecurityService/PutMutelist", "--limit", "1000")
		return code == ExitInSync && regexp.MustCompile(`PutMutelist\s+invalid_argument`).MatchString(out) &&
			regexp.MustCompile(`PutMutelist\s+ok`).MatchString(out)
	}, 10*time.Second, 200*time.Millisecond, "the refused and the accepted mutelist are both audited: %s", out)
	code, out, errb := ctl(t, env, "audit", "list", "--outcome", "failed", "--since", "1h", "--newest")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "invalid_argument")
	code, _, errb = ctl(t, env, "audit", "list", "--since", "yesterday")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, `--since "yesterday"`)

	file := filepath.Join(t.TempDir(), "audit.jsonl")
	code, _, errb = ctl(t, env, "audit", "export", "--out", file)
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, errb, "entries written to")
	code, out, errb = ctl(t, env, "audit", "verify", file)
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "intact: entries 1-")
	code, out, errb = ctl(t, env, "audit", "verify")
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "audit log intact")

	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	tampered := strings.Replace(string(raw), `"outcome":"invalid_argument"`, `"outcome":"ok"`, 1)
	require.NotEqual(t, string(raw), tampered)
	require.NoError(t, os.WriteFile(file, []byte(tampered), 0o600))
	code, _, errb = ctl(t, env, "audit", "verify", file)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "altered")
}

// devSecurity checks what the dev agent's security scans put in the
// controller, through `driftmgr ctl security`: the drift that opened SSH
// to the world, the compliance posture, a mutelist and a stored policy
// that the agent picks up on its next scan.
func devSecurity(t *testing.T, base, key string) {
	env := map[string]string{"DRIFTMGR_ADDR": base, "DRIFTMGR_API_KEY": key}
	var out string
	require.Eventually(t, func() bool {
		var code int
		code, out, _ = ctl(t, env, "security", "findings", "--category", "drift", "--limit", "1000")
		return code == ExitInSync && strings.Contains(out, "DM-DRIFT-AWS-EC2-001")
	}, 60*time.Second, 200*time.Millisecond, "the drift x security finding: %s", out)
	assert.Regexp(t, `FAIL\s+critical\s+DM-DRIFT-AWS-EC2-001\s+aws_security_group.sg-0a1`, out)
	id := regexp.MustCompile(`(?m)^([0-9a-f]{32})\s+FAIL\s+critical\s+DM-DRIFT-AWS-EC2-001`).FindStringSubmatch(out)
	require.NotNil(t, id, out)

	code, out, errb := ctl(t, env, "--json", "security", "get", id[1])
	require.Equal(t, ExitInSync, code, errb)
	// protojson varies its spacing on purpose: match the value, not the bytes.
	assert.Regexp(t, `"checkId":\s+"DM-AWS-EC2-001"`, out, "the drift names the check it broke")
	assert.Contains(t, out, "this drift opened port 22 to the world")

	code, out, errb = ctl(t, env, "security", "compliance")
	require.Equal(t, ExitInSync, code, errb)
	assert.Regexp(t, `CIS AWS Foundations v3.0\s+\d+\.\d%`, out)
	assert.Contains(t, out, "from 1 agents")
	code, out, errb = ctl(t, env, "security", "compliance", "--framework", "CIS AWS Foundations v3.0")
	require.Equal(t, ExitInSync, code, errb)
	assert.Regexp(t, `(?m)^5\.2\s+FAIL\s+\d+\s+[1-9]`, out)
	code, _, errb = ctl(t, env, "security", "compliance", "--framework", "ISO 27001")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, `--framework "ISO 27001": no results`)

	dir := t.TempDir()
	ml := filepath.Join(dir, "mutelist.yaml")
	require.NoError(t, os.WriteFile(ml, []byte("mutelist:\n  - check: DM-DRIFT-AWS-EC2-001\n    resource: aws_security_group.sg-0a1\n"+
		"    reason: break-glass change, reverted on Friday\n    owner: platform\n"), 0o600))
	code, out, errb = ctl(t, env, "security", "mutelist", "put", ml)
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "1 entries")
	code, out, _ = ctl(t, env, "security", "findings", "--status", "muted")
	require.Equal(t, ExitInSync, code)
	assert.Regexp(t, `MUTED\s+critical\s+DM-DRIFT-AWS-EC2-001`, out, "muted at once, without a rescan")
	code, out, _ = ctl(t, env, "security", "mutelist", "get")
	require.Equal(t, ExitInSync, code)
	assert.Contains(t, out, "break-glass")
	require.NoError(t, os.WriteFile(ml, []byte("mutelist:\n  - check: x\n"), 0o600))
	code, _, errb = ctl(t, env, "security", "mutelist", "put", ml)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "mutelist:2: entry 1 needs resource, reason, owner")

	// The example policies: the agent fetches them on its next scan; the
	// instance moved to m5.4xlarge above is outside the approved families.
	pols, err := filepath.Glob("../../examples/policies/*.rego")
	require.NoError(t, err)
	code, out, errb = ctl(t, env, append([]string{"security", "policies", "put"}, pols...)...)
	require.Equal(t, ExitInSync, code, errb)
	assert.Contains(t, out, "stored instance_types.rego (ACME-EC2-001)")
	assert.Contains(t, errb, "skipping ../../examples/policies/instance_types_test.rego")
	code, out, _ = ctl(t, env, "security", "policies", "list")
	require.Equal(t, ExitInSync, code)
	assert.Contains(t, out, "required_tags.rego")
	require.Eventually(t, func() bool {
		_, out, _ = ctl(t, env, "security", "findings", "--category", "policy", "--check", "ACME-EC2-001")
		return strings.Contains(out, "aws_instance.i-0a1")
	}, 60*time.Second, 300*time.Millisecond, "a stored policy runs on the agent: %s", out)
	code, _, errb = ctl(t, env, "security", "policies", "delete", "nope.rego")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "not found")
	code, _, errb = ctl(t, env, "security", "findings", "--status", "pass")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb, "want fail or muted")
}
