package statesource

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startStateHTTP serves Terraform's http backend read side: GET /state/NAME,
// guarded by basic auth alice:s3cret when the path starts with /private/.
func startStateHTTP(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/private/") {
			if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		}
		switch r.URL.Path {
		case "/state/app", "/private/app":
			_, _ = w.Write([]byte(`{"serial":7}`))
		case "/header":
			if r.Header.Get("X-Team") != "infra" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			_, _ = w.Write([]byte(`{"team":"infra"}`))
		case "/stream":
			// Flushing forces chunked encoding: no Content-Length to check up front.
			for range 64 {
				_, _ = w.Write([]byte(strings.Repeat("x", 64)))
				w.(http.Flusher).Flush()
			}
		case "/boom":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchHTTP(t *testing.T) {
	srv := startStateHTTP(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name       string
		src        string
		opts       Options
		wantSource string
		wantData   string
	}{
		{"plain", srv.URL + "/state/app", Options{}, srv.URL + "/state/app", `{"serial":7}`},
		{"basic auth from userinfo is not in Source", "http://alice:s3cret@" + host + "/private/app", Options{},
			srv.URL + "/private/app", `{"serial":7}`},
		{"headers", srv.URL + "/header", Options{Headers: http.Header{"X-Team": {"infra"}}}, srv.URL + "/header", `{"team":"infra"}`},
		{"chunked within limit", srv.URL + "/stream", Options{MaxBytes: 64 * 64}, srv.URL + "/stream", strings.Repeat("x", 64*64)},
		{"custom client", srv.URL + "/state/app", Options{HTTPClient: srv.Client()}, srv.URL + "/state/app", `{"serial":7}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Fetch(context.Background(), tt.src, tt.opts)
			require.NoError(t, err)
			require.Len(t, docs, 1)
			assert.Equal(t, tt.wantSource, docs[0].Source)
			assert.Equal(t, tt.wantData, string(docs[0].Data))
		})
	}
}

func TestFetchHTTPErrors(t *testing.T) {
	srv := startStateHTTP(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name    string
		src     string
		opts    Options
		wantErr error
		wantMsg string
	}{
		{"not found", srv.URL + "/state/none", Options{}, ErrNotFound, "404 Not Found"},
		{"wrong password", "http://alice:hunter2@" + host + "/private/app", Options{}, ErrAccessDenied, "401 Unauthorized"},
		{"missing header", srv.URL + "/header", Options{Headers: http.Header{"Authorization": {"Bearer tok-secret"}}}, ErrAccessDenied, "403 Forbidden"},
		{"server error", srv.URL + "/boom", Options{}, ErrFetch, "500 Internal Server Error"},
		{"chunked too large", srv.URL + "/stream", Options{MaxBytes: 100}, ErrTooLarge, "/stream"},
		{"content-length too large", srv.URL + "/state/app", Options{MaxBytes: 5}, ErrTooLarge, "12 bytes"},
		{"connection refused", "http://alice:hunter2@" + strings.TrimPrefix(closed.URL, "http://") + "/x?token=tok-secret", Options{},
			ErrFetch, "token=REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fetch(context.Background(), tt.src, tt.opts)
			require.ErrorIs(t, err, tt.wantErr)
			msg := err.Error()
			assert.Contains(t, msg, tt.wantMsg)
			assert.Contains(t, msg, "http://127.0.0.1:")
			for _, secret := range []string{"hunter2", "alice", "tok-secret"} {
				assert.NotContains(t, msg, secret)
			}
		})
	}
}

func TestFetchHTTPHonoursContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) })
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	_, err := Fetch(ctx, srv.URL+"/slow", Options{})
	require.ErrorIs(t, err, context.Canceled)
}
