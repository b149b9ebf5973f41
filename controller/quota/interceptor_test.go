package quota

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	driftmgrv1 "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// The test services: just enough behaviour to see the interceptor at work.

type findingsSvc struct {
	driftmgrv1connect.UnimplementedFindingsServiceHandler
}

func (findingsSvc) ListFindings(context.Context, *connect.Request[driftmgrv1.ListFindingsRequest]) (*connect.Response[driftmgrv1.ListFindingsResponse], error) {
	return connect.NewResponse(&driftmgrv1.ListFindingsResponse{TotalSize: 1}), nil
}

// eventsSvc sends one event, then holds the stream open until the client
// goes away, or fails at once when asked to.
type eventsSvc struct {
	driftmgrv1connect.UnimplementedEventsServiceHandler
}

func (eventsSvc) Watch(ctx context.Context, req *connect.Request[driftmgrv1.WatchRequest], s *connect.ServerStream[driftmgrv1.WatchResponse]) error {
	if err := s.Send(&driftmgrv1.WatchResponse{Revision: 1}); err != nil {
		return err
	}
	if req.Header().Get("X-Fail") != "" {
		return connect.NewError(connect.CodeInternal, errors.New("watch failed"))
	}
	<-ctx.Done()
	return ctx.Err()
}

type agentSvc struct {
	driftmgrv1connect.UnimplementedAgentServiceHandler
}

func (agentSvc) Upload(_ context.Context, req *connect.Request[driftmgrv1.UploadRequest]) (*connect.Response[driftmgrv1.UploadResponse], error) {
	return connect.NewResponse(&driftmgrv1.UploadResponse{AckedSeq: req.Msg.GetSeq()}), nil
}

func (agentSvc) Control(_ context.Context, s *connect.BidiStream[driftmgrv1.ControlRequest, driftmgrv1.ControlResponse]) error {
	for {
		if _, err := s.Receive(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := s.Send(&driftmgrv1.ControlResponse{}); err != nil {
			return err
		}
	}
}

type tenantKey struct{}

func tenantOf(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}

// testServer serves the three services over TLS with HTTP/2 (bidi streams
// need it), with l's interceptor in the chain. An X-Tenant header stands
// in for what authentication puts in the context.
func testServer(t *testing.T, l *Limiter, exempt func(string) bool, opts ...InterceptorOption) *httptest.Server {
	t.Helper()
	hopts := connect.WithInterceptors(NewInterceptor(l, tenantOf, exempt, opts...))
	mux := http.NewServeMux()
	mux.Handle(driftmgrv1connect.NewFindingsServiceHandler(findingsSvc{}, hopts))
	mux.Handle(driftmgrv1connect.NewEventsServiceHandler(eventsSvc{}, hopts))
	mux.Handle(driftmgrv1connect.NewAgentServiceHandler(agentSvc{}, hopts))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if tenant := r.Header.Get("X-Tenant"); tenant != "" {
			ctx = context.WithValue(ctx, tenantKey{}, tenant)
		}
		mux.ServeHTTP(w, r.WithContext(ctx))
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func withTenant[T any](tenant string, msg *T) *connect.Request[T] {
	req := connect.NewRequest(msg)
	if tenant != "" {
		req.Header().Set("X-Tenant", tenant)
	}
	return req
}

func TestInterceptorUnary(t *testing.T) {
	clk := newManualClock()
	l := NewLimiter(Config{Default: Limits{RequestsPerSecond: 1, Burst: 2}, Now: clk.Now})
	exempt := func(p string) bool { return p == driftmgrv1connect.FindingsServiceGetFindingProcedure }
	srv := testServer(t, l, exempt)
	client := driftmgrv1connect.NewFindingsServiceClient(srv.Client(), srv.URL)
	ctx := context.Background()

	for range 2 {
		_, err := client.ListFindings(ctx, withTenant("acme", &driftmgrv1.ListFindingsRequest{}))
		require.NoError(t, err)
	}
	_, err := client.ListFindings(ctx, withTenant("acme", &driftmgrv1.ListFindingsRequest{}))
	var ce *connect.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, connect.CodeResourceExhausted, ce.Code())
	assert.Equal(t, "tenant acme: over its API rate of 1 requests/s; retry after 1s", ce.Message())
	assert.Equal(t, "1", ce.Meta().Get("Retry-After"))

	resp, err := client.ListFindings(ctx, withTenant("globex", &driftmgrv1.ListFindingsRequest{}))
	require.NoError(t, err, "another tenant is not slowed")
	assert.Equal(t, int64(1), resp.Msg.GetTotalSize())

	for range 5 {
		_, err = client.ListFindings(ctx, withTenant("", &driftmgrv1.ListFindingsRequest{}))
		require.NoError(t, err, "calls without a tenant are not limited")
		_, err = client.GetFinding(ctx, withTenant("acme", &driftmgrv1.GetFindingRequest{}))
		assert.Equal(t, connect.CodeUnimplemented, connect.CodeOf(err), "an exempt procedure reaches its handler")
	}

	clk.Advance(time.Second)
	_, err = client.ListFindings(ctx, withTenant("acme", &driftmgrv1.ListFindingsRequest{}))
	require.NoError(t, err, "the token came back")
}

func TestInterceptorUnaryAnswersHTTP429(t *testing.T) {
	clk := newManualClock()
	l := NewLimiter(Config{Default: Limits{RequestsPerSecond: 0.25}, Now: clk.Now})
	srv := testServer(t, l, nil)
	post := func() *http.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+driftmgrv1connect.FindingsServiceListFindingsProcedure, strings.NewReader("{}"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Tenant", "acme")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	assert.Equal(t, http.StatusOK, post().StatusCode)
	resp := post()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "4", resp.Header.Get("Retry-After"), "seconds, rounded up")
	body, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(body), `"code":"resource_exhausted"`)
	assert.Contains(t, string(body), "tenant acme: over its API rate of 0.25 requests/s; retry after 4s")
}

func TestInterceptorCountsStreamsUntilTheyEnd(t *testing.T) {
	l := NewLimiter(Config{Default: Limits{MaxStreams: 1}})
	srv := testServer(t, l, nil)
	client := driftmgrv1connect.NewEventsServiceClient(srv.Client(), srv.URL)

	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	first, err := client.Watch(ctx1, withTenant("acme", &driftmgrv1.WatchRequest{}))
	require.NoError(t, err)
	require.True(t, first.Receive(), "first stream runs: %v", first.Err())
	assert.Equal(t, 1, l.OpenStreams("acme"))

	second, err := client.Watch(context.Background(), withTenant("acme", &driftmgrv1.WatchRequest{}))
	require.NoError(t, err)
	assert.False(t, second.Receive())
	assert.Equal(t, connect.CodeResourceExhausted, connect.CodeOf(second.Err()))
	assert.Contains(t, second.Err().Error(), "tenant acme: at its limit of 1 concurrent streams")
	second.Close()

	other, err := client.Watch(ctx1, withTenant("globex", &driftmgrv1.WatchRequest{}))
	require.NoError(t, err)
	require.True(t, other.Receive(), "another tenant opens its own: %v", other.Err())

	cancel1() // the client goes away: the handler returns, the slot frees
	require.Eventually(t, func() bool { return l.OpenStreams("acme") == 0 && l.OpenStreams("globex") == 0 },
		5*time.Second, time.Millisecond)
	first.Close()
	other.Close()

	// A stream whose handler fails frees its slot too.
	req := withTenant("acme", &driftmgrv1.WatchRequest{})
	req.Header().Set("X-Fail", "1")
	failing, err := client.Watch(context.Background(), req)
	require.NoError(t, err)
	for failing.Receive() {
	}
	assert.Equal(t, connect.CodeInternal, connect.CodeOf(failing.Err()))
	failing.Close()
	require.Eventually(t, func() bool { return l.OpenStreams("acme") == 0 }, 5*time.Second, time.Millisecond)

	ctx3, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	again, err := client.Watch(ctx3, withTenant("acme", &driftmgrv1.WatchRequest{}))
	require.NoError(t, err)
	require.True(t, again.Receive(), "the slot can be taken again: %v", again.Err())
	cancel3()
	again.Close()
}

func TestInterceptorStreamRefusedByRateCarriesRetryAfterHeader(t *testing.T) {
	clk := newManualClock()
	l := NewLimiter(Config{Default: Limits{RequestsPerSecond: 0.5}, Now: clk.Now})
	srv := testServer(t, l, nil)
	client := driftmgrv1connect.NewEventsServiceClient(srv.Client(), srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	ok, err := client.Watch(ctx, withTenant("acme", &driftmgrv1.WatchRequest{}))
	require.NoError(t, err)
	require.True(t, ok.Receive())
	defer ok.Close()

	refused, err := client.Watch(ctx, withTenant("acme", &driftmgrv1.WatchRequest{}))
	require.NoError(t, err)
	defer refused.Close()
	assert.False(t, refused.Receive())
	assert.Equal(t, connect.CodeResourceExhausted, connect.CodeOf(refused.Err()))
	assert.Equal(t, "2", refused.ResponseHeader().Get("Retry-After"))
	assert.Equal(t, 1, l.OpenStreams("acme"), "a refused stream holds no slot")
}

func TestInterceptorChargesUploads(t *testing.T) {
	l := NewLimiter(Config{Default: Limits{UploadBytesPerMinute: 100}})
	srv := testServer(t, l, nil, WithUploadProcedures(
		driftmgrv1connect.AgentServiceUploadProcedure, driftmgrv1connect.AgentServiceControlProcedure))
	client := driftmgrv1connect.NewAgentServiceClient(srv.Client(), srv.URL)
	ctx := context.Background()

	batch := &driftmgrv1.UploadRequest{Seq: 1, Payload: make([]byte, 60)}
	_, err := client.Upload(ctx, withTenant("acme", batch))
	require.NoError(t, err)
	_, err = client.Upload(ctx, withTenant("acme", batch))
	require.Equal(t, connect.CodeResourceExhausted, connect.CodeOf(err))
	assert.Contains(t, err.Error(), "tenant acme: over its upload rate of 100 B/min")
	_, err = client.Upload(ctx, withTenant("globex", batch))
	require.NoError(t, err)

	// On a stream every message received is charged; the refusal ends it.
	stream := client.Control(ctx)
	stream.RequestHeader().Set("X-Tenant", "initech")
	hello := &driftmgrv1.ControlRequest{Msg: &driftmgrv1.ControlRequest_Hello{Hello: &driftmgrv1.Hello{Version: strings.Repeat("v", 55)}}}
	require.NoError(t, stream.Send(hello))
	_, err = stream.Receive()
	require.NoError(t, err, "the first message fits")
	_ = stream.Send(hello)
	_, err = stream.Receive()
	assert.Equal(t, connect.CodeResourceExhausted, connect.CodeOf(err))
	_ = stream.CloseRequest()
	_ = stream.CloseResponse()
	require.Eventually(t, func() bool { return l.OpenStreams("initech") == 0 }, 5*time.Second, time.Millisecond)
}

func TestInterceptorLetsClientCallsThrough(t *testing.T) {
	// A limiter with acme already exhausted, used on the client side: it
	// must not refuse anything there.
	spent := NewLimiter(Config{Default: Limits{RequestsPerSecond: 1, MaxStreams: 1}})
	require.NoError(t, spent.AllowRequest("acme"))
	clientSide := connect.WithInterceptors(NewInterceptor(spent, func(context.Context) string { return "acme" }, nil))

	srv := testServer(t, NewLimiter(Config{}), nil)
	findings := driftmgrv1connect.NewFindingsServiceClient(srv.Client(), srv.URL, clientSide)
	events := driftmgrv1connect.NewEventsServiceClient(srv.Client(), srv.URL, clientSide)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	_, err := findings.ListFindings(ctx, withTenant("acme", &driftmgrv1.ListFindingsRequest{}))
	require.NoError(t, err)
	for range 2 {
		s, err := events.Watch(ctx, withTenant("acme", &driftmgrv1.WatchRequest{}))
		require.NoError(t, err)
		require.True(t, s.Receive(), "%v", s.Err())
		defer s.Close()
	}
	assert.Zero(t, spent.OpenStreams("acme"))
}

func TestInterceptorWithoutRequestRate(t *testing.T) {
	clk := newManualClock()
	l := NewLimiter(Config{Default: Limits{RequestsPerSecond: 1, Burst: 1, MaxStreams: 1}, Now: clk.Now})
	srv := testServer(t, l, nil, WithoutRequestRate())
	client := driftmgrv1connect.NewFindingsServiceClient(srv.Client(), srv.URL)
	for range 5 {
		_, err := client.ListFindings(context.Background(), withTenant("acme", &driftmgrv1.ListFindingsRequest{}))
		require.NoError(t, err, "the rate is someone else's job")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := driftmgrv1connect.NewEventsServiceClient(srv.Client(), srv.URL)
	s1, err := ev.Watch(ctx, withTenant("acme", &driftmgrv1.WatchRequest{}))
	require.NoError(t, err)
	require.True(t, s1.Receive(), "first stream admitted: %v", s1.Err())
	s2, err := ev.Watch(ctx, withTenant("acme", &driftmgrv1.WatchRequest{}))
	require.NoError(t, err)
	assert.False(t, s2.Receive())
	assert.Equal(t, connect.CodeResourceExhausted, connect.CodeOf(s2.Err()), "streams are still counted")
}
