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
			"--scan-interval", "2s", "--api-key-file", keyFile}, Streams{Out: &out, Err: &errb})
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
}
