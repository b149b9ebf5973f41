package discovery

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiterTokenBucket(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	l := NewLimiter(LimiterOptions{Rate: 10, Burst: 2})
	l.now = clk.now
	assert.Zero(t, l.reserve("k"))
	assert.Zero(t, l.reserve("k"))
	assert.Equal(t, 100*time.Millisecond, l.reserve("k"), "third call waits for one token at 10/s")
	assert.Zero(t, l.reserve("other"), "keys are independent")
	clk.advance(time.Second)
	assert.Zero(t, l.reserve("k"), "refilled, capped at the burst")
}

func TestLimiterAdaptsToThrottling(t *testing.T) {
	l := NewLimiter(LimiterOptions{Rate: 16, MinRate: 1})
	for range 3 {
		l.Throttled("ec2")
	}
	assert.Equal(t, 2.0, l.Stats()["ec2"].Rate, "halved three times")
	for range 10 {
		l.Throttled("ec2")
	}
	assert.Equal(t, 1.0, l.Stats()["ec2"].Rate, "never below the floor")
	for range 100 {
		l.Succeeded("ec2")
	}
	assert.Equal(t, 16.0, l.Stats()["ec2"].Rate, "recovers to the ceiling, not beyond")
	assert.Equal(t, 13, l.Stats()["ec2"].Throttled)
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	l := NewLimiter(LimiterOptions{Rate: 0.001, Burst: 1, MinRate: 0.001})
	require.NoError(t, l.Wait(context.Background(), "k"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.Wait(ctx, "k"), context.DeadlineExceeded)
}

func TestTransportRecognizesThrottling(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>`)
		case 2:
			w.WriteHeader(http.StatusTooManyRequests)
		case 3:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ValidationException"}`)
		default:
			io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()
	l := NewLimiter(LimiterOptions{Rate: 1000, Burst: 100})
	c := l.Client(nil, func(*http.Request) string { return "svc" })
	var bodies []string
	for range 4 {
		resp, err := c.Get(srv.URL)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bodies = append(bodies, string(b))
	}
	assert.Contains(t, bodies[0], "RequestLimitExceeded", "the peeked body is given back to the SDK")
	assert.Contains(t, bodies[2], "ValidationException")
	s := l.Stats()["svc"]
	assert.Equal(t, 4, s.Calls)
	assert.Equal(t, 2, s.Throttled)
}

func TestRequestKeys(t *testing.T) {
	req := httptest.NewRequest("POST", "https://ec2.us-east-1.amazonaws.com/", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=abc")
	assert.Equal(t, "aws:ec2:eu-west-1:AKIDEXAMPLE", AWSKey(req))
	assert.Equal(t, "aws", AWSKey(httptest.NewRequest("GET", "/", nil)))
	bad := httptest.NewRequest("GET", "/", nil)
	bad.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=short")
	assert.Equal(t, "aws", AWSKey(bad))

	az := httptest.NewRequest("GET", "https://management.azure.com/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups?api-version=1", nil)
	assert.Equal(t, "azure:s1:microsoft.network", AzureKey(az))

	g := httptest.NewRequest("GET", "https://compute.googleapis.com/compute/v1/projects/p/global/firewalls", nil)
	assert.Equal(t, "compute.googleapis.com/compute/v1", HostPathKey(2)(g))
	assert.True(t, strings.HasPrefix(HostPathKey(9)(g), "compute.googleapis.com/compute/v1/projects"))
}

func TestDoerWrapsSDKClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<Error><Code>SlowDown</Code></Error>`)
	}))
	defer srv.Close()
	l := NewLimiter(LimiterOptions{Rate: 1000, Burst: 100})
	d := l.Doer(http.DefaultClient, func(*http.Request) string { return "s3" })
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := d.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 1, l.Stats()["s3"].Throttled)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	_, err = d.Do(req)
	assert.ErrorIs(t, err, context.Canceled)
}
