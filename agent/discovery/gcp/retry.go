package gcp

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// retryTransport retries calls the API answered with 429 or 5xx
// unavailability, with exponential backoff and jitter, a bounded number
// of times. The generated clients retry only uploads, not lists, so
// without it one throttled page would end a whole lister.
type retryTransport struct {
	base                RoundTripper
	attempts            int
	backoff, maxBackoff time.Duration
}

// RoundTripper is http.RoundTripper, named here for the field's doc.
type RoundTripper = http.RoundTripper

func retryable(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable ||
		code == http.StatusBadGateway || code == http.StatusGatewayTimeout
}

// RoundTrip sends req, resending it while the answer is retryable.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.Body != nil && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil || !retryable(resp.StatusCode) || attempt >= t.attempts ||
			(req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		wait := t.delay(attempt, resp.Header.Get("Retry-After"))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// delay is the wait before try attempt+1: backoff*2^(attempt-1) capped at
// maxBackoff, drawn uniformly from its upper half so that clients
// throttled together do not retry together, and never shorter than a
// Retry-After the server asked for (within maxBackoff).
func (t *retryTransport) delay(attempt int, retryAfter string) time.Duration {
	d := t.backoff << min(attempt-1, 20)
	if d <= 0 || d > t.maxBackoff {
		d = t.maxBackoff
	}
	d = d/2 + rand.N(d/2+1)
	if s, err := strconv.Atoi(retryAfter); err == nil && s > 0 {
		d = max(d, min(time.Duration(s)*time.Second, t.maxBackoff))
	}
	return d
}
