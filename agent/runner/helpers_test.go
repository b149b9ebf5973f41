package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	"github.com/driftmgr/driftmgr/internal/drift"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

const waitLong = 30 * time.Second

func testLogger() *slog.Logger {
	if os.Getenv("DRIFTMGR_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// fakeScanner returns the results a test sets, and records its calls.
type fakeScanner struct {
	mu       sync.Mutex
	findings []drift.Finding
	skips    []discovery.Skip
	err      error
	calls    int
	// hold, when set, makes scans after the first holdAfter block until
	// the context ends.
	holdAfter int
	hold      bool
	// script, when set, gives the findings of each call in turn; calls
	// past its end hold.
	script [][]drift.Finding
}

func (s *fakeScanner) set(fs ...drift.Finding) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.findings = append([]drift.Finding(nil), fs...)
}

func (s *fakeScanner) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *fakeScanner) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *fakeScanner) Scan(ctx context.Context) (*drift.Result, []discovery.Skip, error) {
	s.mu.Lock()
	if s.hold && s.calls >= s.holdAfter {
		s.mu.Unlock()
		<-ctx.Done()
		return nil, nil, ctx.Err()
	}
	if s.script != nil && s.calls >= len(s.script) {
		s.mu.Unlock()
		<-ctx.Done()
		return nil, nil, ctx.Err()
	}
	fs := append([]drift.Finding(nil), s.findings...)
	if s.script != nil {
		fs = append([]drift.Finding(nil), s.script[s.calls]...)
	}
	s.calls++
	skips, err := s.skips, s.err
	s.mu.Unlock()
	if err != nil {
		return nil, skips, err
	}
	res := &drift.Result{Findings: fs}
	for _, f := range fs {
		switch f.Kind {
		case drift.Missing:
			res.Summary.Missing++
		case drift.Unmanaged:
			res.Summary.Unmanaged++
		case drift.Modified:
			res.Summary.Modified++
		}
	}
	res.Summary.Total = len(fs)
	return res, skips, nil
}

func finding(id string, kind drift.Kind, expected, actual any) drift.Finding {
	f := drift.Finding{Kind: kind, Provider: "aws", Type: "aws_s3_bucket", ID: id, Account: "123456789012", Region: "eu-west-1",
		Severity: drift.High, Address: "aws_s3_bucket." + id, Origin: "s3://state/prod.tfstate"}
	if kind == drift.Modified {
		f.Diffs = []drift.Diff{{Path: "tags.env", Expected: expected, Actual: actual}}
	}
	return f
}

// cluster is a test cluster with its admin key.
type cluster struct {
	*testcluster.Cluster
	key string
}

func startCluster(t *testing.T, n int, tune func(*controller.Config)) *cluster {
	t.Helper()
	c := testcluster.Start(t, n, testcluster.Options{Tune: tune})
	return &cluster{Cluster: c, key: c.APIKey(t)}
}

func (c *cluster) agents(i int) driftmgrv1connect.AgentsServiceClient {
	return driftmgrv1connect.NewAgentsServiceClient(c.HTTPClient(nil), c.URL(i), testcluster.Bearer(c.key))
}

func (c *cluster) findingsAt(i int) driftmgrv1connect.FindingsServiceClient {
	return driftmgrv1connect.NewFindingsServiceClient(c.HTTPClient(nil), c.URL(i), testcluster.Bearer(c.key))
}

// running returns the index of a running node.
func (c *cluster) running(t *testing.T) int {
	return c.WaitLeader(t, waitLong).Index
}

func (c *cluster) token(t *testing.T, ttl int64, uses int32) (secret, pin string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	resp, err := c.agents(c.running(t)).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{TtlSeconds: ttl, MaxUses: uses}))
	require.NoError(t, err)
	return resp.Msg.GetSecret(), resp.Msg.GetCaPin()
}

// findings lists an agent's findings through the API (consistent read).
func (c *cluster) findings(t *testing.T, agentID string) (map[string]*pb.Finding, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := map[string]*pb.Finding{}
	req := &pb.ListFindingsRequest{Filter: &pb.FindingFilter{AgentId: []string{agentID}}, PageSize: 1000,
		Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}
	for {
		resp, err := c.findingsAt(c.running(t)).ListFindings(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		for _, f := range resp.Msg.GetFindings() {
			if _, dup := out[f.GetId()]; dup {
				return nil, errors.New("finding listed twice: " + f.GetId())
			}
			out[f.GetId()] = f
		}
		if resp.Msg.GetNextPageToken() == "" {
			return out, nil
		}
		req.PageToken = resp.Msg.GetNextPageToken()
	}
}

func (c *cluster) scans(t *testing.T, agentID string) ([]*pb.Scan, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*pb.Scan
	req := &pb.ListScansRequest{AgentId: agentID, PageSize: 1000, Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}
	for {
		resp, err := c.findingsAt(c.running(t)).ListScans(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		out = append(out, resp.Msg.GetScans()...)
		if resp.Msg.GetNextPageToken() == "" {
			return out, nil
		}
		req.PageToken = resp.Msg.GetNextPageToken()
	}
}

// runningAgent is an agent whose Run is in a goroutine.
type runningAgent struct {
	*Agent
	cancel context.CancelFunc
	done   chan error
}

func baseConfig(c *cluster, dir string, sc Scanner) Config {
	return Config{Controllers: c.URLs(), DataDir: dir, Name: "test-agent", Scanner: sc, Logger: testLogger(),
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, HeartbeatInterval: time.Second}
}

func startAgent(t *testing.T, cfg Config) *runningAgent {
	t.Helper()
	a, err := New(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ra := &runningAgent{Agent: a, cancel: cancel, done: make(chan error, 1)}
	go func() { ra.done <- a.Run(ctx) }()
	t.Cleanup(func() { ra.stop(t) })
	return ra
}

// stop ends Run and closes the files; it is safe to call twice.
func (ra *runningAgent) stop(t *testing.T) error {
	t.Helper()
	ra.cancel()
	var err error
	select {
	case err = <-ra.done:
		ra.done <- err
	case <-time.After(waitLong):
		t.Fatalf("agent did not stop")
	}
	ra.Close()
	return err
}

// result waits for Run to return.
func (ra *runningAgent) result(t *testing.T) error {
	t.Helper()
	select {
	case err := <-ra.done:
		ra.done <- err
		return err
	case <-time.After(waitLong):
		t.Fatalf("Run did not return")
		return nil
	}
}

func (ra *runningAgent) waitEnrolled(t *testing.T) string {
	t.Helper()
	require.Eventually(t, func() bool { return ra.Stats().AgentID != "" }, waitLong, 10*time.Millisecond)
	return ra.Stats().AgentID
}

// netSwitch cuts an agent's network: while off, dials fail and open
// connections are closed.
type netSwitch struct {
	mu    sync.Mutex
	off   bool
	conns map[net.Conn]bool
}

func (s *netSwitch) set(off bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.off = off
	if off {
		for c := range s.conns {
			c.Close()
		}
		s.conns = nil
	}
}

func (s *netSwitch) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	s.mu.Lock()
	off := s.off
	s.mu.Unlock()
	if off {
		return nil, errors.New("test network is down")
	}
	c, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		s.conns = map[net.Conn]bool{}
	}
	s.conns[c] = true
	return c, nil
}

func (s *netSwitch) client(cfg *tls.Config, http1 bool) *http.Client {
	c := defaultHTTPClient(cfg, http1)
	c.Transport.(*http.Transport).DialContext = s.dial
	return c
}

// ackDropper forwards Upload calls but loses the first n answers, as a
// connection cut after the controller committed would.
type ackDropper struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (d *ackDropper) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/Upload") {
		return resp, err
	}
	if d.n.Add(-1) >= 0 {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("test: upload answer lost")
	}
	return resp, nil
}

// pinProxy is a TLS front for a controller that presents its CA in the
// chain, as a controller configured that way would; requests go through
// to the real node.
func pinProxy(t *testing.T, c *cluster, node int) string {
	t.Helper()
	cert, err := c.CA.IssueServer([]string{"127.0.0.1"}, time.Hour, time.Now())
	require.NoError(t, err)
	cert.Certificate = append(cert.Certificate, c.CA.Cert.Raw)
	target, err := url.Parse(c.URL(node))
	require.NoError(t, err)
	rp := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport: c.HTTPClient(nil).Transport,
	}
	srv := httptest.NewUnstartedServer(rp)
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// triggerScan asks node i to make the agent scan, retrying until the
// command is delivered (a node may not yet know where the agent is).
func (c *cluster) triggerScan(t *testing.T, i int, agentID string) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := c.agents(i).TriggerScan(context.Background(), connect.NewRequest(&pb.TriggerScanRequest{AgentId: agentID}))
		return err == nil && resp.Msg.GetDelivered()
	}, waitLong, 20*time.Millisecond, "trigger scan through node %d", i)
}
