package quota

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExceededErrorMessage(t *testing.T) {
	tests := []struct {
		err  ExceededError
		want string
	}{
		{ExceededError{Tenant: "acme", Limit: LimitRequests, Used: 50, Max: 50, RetryAfter: 120 * time.Millisecond},
			"tenant acme: over its API rate of 50 requests/s; retry after 120ms"},
		{ExceededError{Tenant: "acme", Limit: LimitRequests, Used: 1, Max: 0.5, RetryAfter: 2 * time.Second},
			"tenant acme: over its API rate of 0.5 requests/s; retry after 2s"},
		{ExceededError{Tenant: "acme", Limit: LimitUploadBytes, Used: 1 << 20, Max: 4 << 20, RetryAfter: 12 * time.Second},
			"tenant acme: over its upload rate of 4 MiB/min (this upload: 1 MiB); retry after 12s"},
		{ExceededError{Tenant: "acme", Limit: LimitUploadBytes, Used: 1536, Max: 512, RetryAfter: time.Minute},
			"tenant acme: over its upload rate of 512 B/min (this upload: 1.5 KiB); retry after 1m0s"},
		{ExceededError{Tenant: "acme", Limit: LimitStreams, Used: 10, Max: 10},
			"tenant acme: at its limit of 10 concurrent streams; close one first"},
		{ExceededError{Tenant: "acme", Limit: LimitAgents, Used: 11, Max: 10},
			"tenant acme: over its limit of 10 agents (would have 11)"},
		{ExceededError{Tenant: "acme", Limit: LimitResources, Used: 100020, Max: 100000},
			"tenant acme: over its limit of 100000 resources (would have 100020)"},
	}
	for _, tt := range tests {
		t.Run(string(tt.err.Limit), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, ""},
		{-time.Second, ""},
		{time.Millisecond, "1"},
		{120 * time.Millisecond, "1"},
		{time.Second, "1"},
		{time.Second + time.Millisecond, "2"},
		{90 * time.Second, "90"},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, (&ExceededError{RetryAfter: tt.d}).RetryAfterSeconds())
		})
	}
}

func TestToConnect(t *testing.T) {
	assert.Nil(t, ToConnect(nil))

	qe := &ExceededError{Tenant: "acme", Limit: LimitRequests, Used: 5, Max: 5, RetryAfter: 1500 * time.Millisecond}
	ce := ToConnect(fmt.Errorf("list findings: %w", qe))
	assert.Equal(t, connect.CodeResourceExhausted, ce.Code())
	assert.Equal(t, "2", ce.Meta().Get("Retry-After"))
	assert.Contains(t, ce.Message(), "tenant acme: over its API rate of 5 requests/s; retry after 1.5s")
	assert.True(t, errors.Is(ce, ErrExceeded), "the refusal stays inspectable")

	ce = ToConnect(&ExceededError{Tenant: "acme", Limit: LimitAgents, Used: 2, Max: 1})
	assert.Equal(t, connect.CodeResourceExhausted, ce.Code())
	assert.Empty(t, ce.Meta().Values("Retry-After"), "no Retry-After when waiting does not help")

	denied := connect.NewError(connect.CodePermissionDenied, errors.New("no"))
	assert.Same(t, denied, ToConnect(denied))
	assert.Equal(t, connect.CodeUnknown, ToConnect(errors.New("boom")).Code())
}

func TestWriteHTTPError(t *testing.T) {
	rec := httptest.NewRecorder()
	qe := &ExceededError{Tenant: "acme", Limit: LimitRequests, Used: 50, Max: 50, RetryAfter: 120 * time.Millisecond}
	require.True(t, WriteHTTPError(rec, qe))
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, map[string]any{
		"code":                "resource_exhausted",
		"message":             "tenant acme: over its API rate of 50 requests/s; retry after 120ms",
		"tenant":              "acme",
		"limit":               "requests",
		"used":                50.0,
		"max":                 50.0,
		"retry_after_seconds": 1.0,
	}, body)

	rec = httptest.NewRecorder()
	require.True(t, WriteHTTPError(rec, &ExceededError{Tenant: "acme", Limit: LimitStreams, Used: 1, Max: 1}))
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Empty(t, rec.Header().Values("Retry-After"))

	rec = httptest.NewRecorder()
	assert.False(t, WriteHTTPError(rec, errors.New("not a quota")))
	assert.Zero(t, rec.Body.Len(), "writes nothing for other errors")
}

func TestMiddleware(t *testing.T) {
	clk := newManualClock()
	l := NewLimiter(Config{Default: Limits{RequestsPerSecond: 1}, Now: clk.Now})
	h := Middleware(l, func(r *http.Request) string { return r.Header.Get("X-Tenant") })(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	call := func(tenant string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/export", nil)
		if tenant != "" {
			r.Header.Set("X-Tenant", tenant)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	assert.Equal(t, http.StatusOK, call("acme").Code)
	rec := call("acme")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Equal(t, http.StatusOK, call("globex").Code, "another tenant is not limited by acme")
	for range 5 {
		assert.Equal(t, http.StatusOK, call("").Code, "no tenant, no limit")
	}
	clk.Advance(time.Second)
	assert.Equal(t, http.StatusOK, call("acme").Code)
}
