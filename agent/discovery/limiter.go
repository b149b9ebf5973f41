package discovery

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limiter is an adaptive rate limiter with one token bucket per key
// (a service in a region of an account). Each bucket starts at Rate calls
// per second; a throttling answer halves its rate and every success adds
// back a twentieth of Rate (additive increase, multiplicative decrease, as
// TCP and the AWS SDK's adaptive retry mode do). So one throttled service
// slows down alone, and a scan of thousands of calls settles just below
// what the API allows instead of hammering it.
type Limiter struct {
	opts LimiterOptions
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

// LimiterOptions configure a Limiter; zero fields take the defaults.
type LimiterOptions struct {
	// Rate is the starting and highest rate per key, calls per second
	// (default 20).
	Rate float64
	// Burst is how many calls a key may make at once (default 10).
	Burst int
	// MinRate is the floor a throttled key slows to (default 0.5).
	MinRate float64
}

type bucket struct {
	rate      float64
	tokens    float64
	last      time.Time
	throttled int
	calls     int
}

// KeyStats reports one key's traffic.
type KeyStats struct {
	Calls, Throttled int
	Rate             float64
}

// NewLimiter returns a limiter.
func NewLimiter(o LimiterOptions) *Limiter {
	if o.Rate <= 0 {
		o.Rate = 20
	}
	if o.Burst <= 0 {
		o.Burst = 10
	}
	if o.MinRate <= 0 {
		o.MinRate = 0.5
	}
	o.MinRate = min(o.MinRate, o.Rate)
	return &Limiter{opts: o, now: time.Now, buckets: map[string]*bucket{}}
}

func (l *Limiter) bucket(key string) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{rate: l.opts.Rate, tokens: float64(l.opts.Burst), last: l.now()}
		l.buckets[key] = b
	}
	return b
}

// reserve takes a token for key and returns how long to wait for it.
func (l *Limiter) reserve(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key)
	now := l.now()
	b.tokens = min(float64(l.opts.Burst), b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens--
	b.calls++
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// Wait blocks until key may make a call or ctx ends.
func (l *Limiter) Wait(ctx context.Context, key string) error {
	d := l.reserve(key)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Throttled records a throttling answer for key: its rate halves.
func (l *Limiter) Throttled(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key)
	b.throttled++
	b.rate = max(l.opts.MinRate, b.rate/2)
}

// Succeeded records a successful call for key: its rate recovers a little.
func (l *Limiter) Succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key)
	b.rate = min(l.opts.Rate, b.rate+l.opts.Rate/20)
}

// Stats returns every key's counters.
func (l *Limiter) Stats() map[string]KeyStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]KeyStats, len(l.buckets))
	for k, b := range l.buckets {
		out[k] = KeyStats{Calls: b.calls, Throttled: b.throttled, Rate: b.rate}
	}
	return out
}

// KeyFunc names the bucket a request draws from.
type KeyFunc func(*http.Request) string

// Transport wraps base so each request waits for its key's token and each
// answer adjusts the key's rate. The SDK's own retryer, above this
// transport, still retries the throttled call; the limiter makes the
// retries and the calls after them slower.
func (l *Limiter) Transport(base http.RoundTripper, key KeyFunc) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &limitedTransport{l: l, base: base, key: key}
}

// Client is Transport wrapped in an http.Client.
func (l *Limiter) Client(base http.RoundTripper, key KeyFunc) *http.Client {
	return &http.Client{Transport: l.Transport(base, key)}
}

type limitedTransport struct {
	l    *Limiter
	base http.RoundTripper
	key  KeyFunc
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.l.do(req, t.key, t.base.RoundTrip)
}

// Doer is what SDKs call an HTTP client: the AWS SDK's aws.HTTPClient.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Doer wraps an SDK's own HTTP client the way Transport wraps a
// RoundTripper. The AWS SDK needs this: it installs a custom CA bundle
// (AWS_CA_BUNDLE) only into the client it builds itself, so the limiter
// must wrap that client rather than replace it.
func (l *Limiter) Doer(inner Doer, key KeyFunc) Doer {
	return limitedDoer{l: l, inner: inner, key: key}
}

type limitedDoer struct {
	l     *Limiter
	inner Doer
	key   KeyFunc
}

func (d limitedDoer) Do(req *http.Request) (*http.Response, error) {
	return d.l.do(req, d.key, d.inner.Do)
}

func (l *Limiter) do(req *http.Request, key KeyFunc, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	k := key(req)
	if err := l.Wait(req.Context(), k); err != nil {
		return nil, err
	}
	resp, err := send(req)
	if err != nil {
		return nil, err
	}
	if isThrottle(resp) {
		l.Throttled(k)
	} else {
		l.Succeeded(k)
	}
	return resp, nil
}

// throttleCodes are the error codes the clouds answer throttled calls
// with when the HTTP status alone does not say so (AWS uses 400).
var throttleCodes = []string{"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests",
	"RequestThrottled", "SlowDown", "rateLimitExceeded", "RESOURCE_EXHAUSTED", "PriorRequestNotComplete"}

// isThrottle recognizes a throttling answer. A 400 body is read (bounded)
// and put back so the SDK still deserializes it.
func isThrottle(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusServiceUnavailable, http.StatusBadRequest, http.StatusForbidden:
	default:
		return false
	}
	if resp.Body == nil {
		return false
	}
	const peek = 64 << 10
	body, err := io.ReadAll(io.LimitReader(resp.Body, peek))
	rest := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), rest), rest}
	if err != nil {
		return false
	}
	s := string(body)
	for _, c := range throttleCodes {
		if strings.Contains(s, c) {
			return true
		}
	}
	return false
}

// AWSKey keys AWS requests by the service and region of their SigV4
// credential scope and by the access key: AWS throttles per account, per
// region and per API, so one busy account never slows another.
func AWSKey(req *http.Request) string {
	auth := req.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return "aws"
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	// AKID/DATE/REGION/SERVICE/aws4_request
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "aws"
	}
	return "aws:" + parts[3] + ":" + parts[2] + ":" + parts[0]
}

// HostPathKey keys requests by host and the first path segments that name
// the API (Azure provider namespace, GCP API), for clouds whose endpoint
// says the service.
func HostPathKey(segments int) KeyFunc {
	return func(req *http.Request) string {
		parts := strings.SplitN(strings.Trim(req.URL.Path, "/"), "/", segments+1)
		if len(parts) > segments {
			parts = parts[:segments]
		}
		return req.URL.Host + "/" + strings.Join(parts, "/")
	}
}

// AzureKey keys ARM requests by subscription and resource provider
// namespace (".../subscriptions/S/providers/Microsoft.Network/..."): ARM
// throttles per subscription and namespace.
func AzureKey(req *http.Request) string {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	sub, ns := "", ""
	for i := 0; i+1 < len(parts); i++ {
		switch strings.ToLower(parts[i]) {
		case "subscriptions":
			if sub == "" {
				sub = parts[i+1]
			}
		case "providers":
			ns = parts[i+1]
		}
	}
	return "azure:" + sub + ":" + strings.ToLower(ns)
}
