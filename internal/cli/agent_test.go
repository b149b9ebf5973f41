package cli

import (
	"context"
	"fmt"
	"io"
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

	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

func TestAgentConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "data_dir: x\ncontrolers: [https://a]\n", "field controlers not found"},
		{"no data dir", "controllers: [https://a]\n", "data_dir is required"},
		{"no controllers", "data_dir: x\n", "controllers: at least one"},
		{"nothing to scan", "data_dir: x\ncontrollers: [https://a]\n", "scan: name providers"},
		{"missing token file", "data_dir: x\ncontrollers: [https://a]\njoin_token_file: /nonexistent/tok\nscan: {providers: [aws]}\n", "join_token_file"},
		{"missing ca file", "data_dir: x\ncontrollers: [https://a]\nca_file: /nonexistent/ca.pem\nscan: {providers: [aws]}\n", "ca_file"},
		{"bad log level", "data_dir: x\ncontrollers: [https://a]\nlog_level: loud\nscan: {providers: [aws]}\n", "log_level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write(strings.ReplaceAll(tc.name, " ", "_")+".yaml", tc.yaml)
			var out, errb strings.Builder
			code := Run(context.Background(), []string{"agent", "--config", p}, Streams{Out: &out, Err: &errb})
			assert.Equal(t, ExitError, code)
			assert.Contains(t, errb.String(), tc.want)
		})
	}
	var errb strings.Builder
	assert.Equal(t, ExitError, Run(context.Background(), []string{"agent"}, Streams{Out: io.Discard, Err: &errb}))
	assert.Contains(t, errb.String(), "--config is required")

	tok := write("token", "dmjt_abc_def\n")
	ac := agentConfig{DataDir: "d", Controllers: []string{"https://a"}, JoinTokenFile: tok, Scan: agentScan{Providers: []string{"aws"}}}
	rc, err := ac.runnerConfig()
	require.NoError(t, err)
	assert.Equal(t, "dmjt_abc_def", rc.JoinToken, "the token file is trimmed")
}

func TestAPILabelDropsTheAccessKey(t *testing.T) {
	assert.Equal(t, "aws:ec2:us-east-1", apiLabel("aws:ec2:us-east-1:AKIAEXAMPLE"))
	assert.Equal(t, "aws", apiLabel("aws"))
	assert.Equal(t, "management.azure.com/subscriptions/s", apiLabel("management.azure.com/subscriptions/s"))
}

// TestAgentCommand runs `driftmgr agent` against a real controller: it
// enrolls with a join token, scans its simulated cloud and delivers the
// planted drift; its metrics count the discovery's API calls.
func TestAgentCommand(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	key := c.APIKey(t)
	ac := driftmgrv1connect.NewAgentsServiceClient(c.HTTPClient(nil), c.URL(0), testcluster.Bearer(key))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tok, err := ac.CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
	require.NoError(t, err)

	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(ca, c.CA.CertPEM, 0o600))
	ex := filepath.Join("..", "..", "examples", "aws")
	cfg := fmt.Sprintf(`name: cli-agent
data_dir: %s
controllers: [%q]
join_token: %s
ca_pin: %s
ca_file: %s
metrics_addr: 127.0.0.1:0
scan_interval: 2s
scan:
  providers: [aws]
  simulate: %s
  states: [%s]
  rate: 1000
`, filepath.Join(dir, "agent"), c.URL(0), tok.Msg.GetSecret(), tok.Msg.GetCaPin(), ca,
		filepath.Join(ex, "world.json"), filepath.Join(ex, "terraform.tfstate"))
	path := filepath.Join(dir, "agent.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))

	runCtx, stop := context.WithCancel(ctx)
	var errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(runCtx, []string{"agent", "--config", path}, Streams{Out: io.Discard, Err: &errb}) }()

	fc := driftmgrv1connect.NewFindingsServiceClient(c.HTTPClient(nil), c.URL(0), testcluster.Bearer(key))
	require.Eventually(t, func() bool {
		resp, err := fc.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
		return err == nil && resp.Msg.GetTotalSize() == 4
	}, 60*time.Second, 100*time.Millisecond, "the aws example's 4 planted drifts; agent log: %s", errb.String())

	var metricsURL string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`"url":"(http://[^"]+/metrics)"`).FindStringSubmatch(errb.String())
		if m != nil {
			metricsURL = m[1]
		}
		return m != nil
	}, 10*time.Second, 50*time.Millisecond)
	resp, err := http.Get(metricsURL)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `driftmgr_agent_discovery_api_calls_total{api="aws:ec2:us-east-1"}`)
	assert.Contains(t, string(body), "driftmgr_agent_outbox_depth")
	assert.NotContains(t, string(body), "AKIA", "no access key ids in metrics")

	stop()
	select {
	case code := <-done:
		assert.Equal(t, ExitInSync, code, "a signal stops the agent cleanly; log: %s", errb.String())
	case <-time.After(30 * time.Second):
		t.Fatal("agent did not stop")
	}
}
