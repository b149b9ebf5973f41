package controller

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
)

// auditSeenKey marks a request the auditor recorded; auditFallback
// records the ones that ended before reaching it.
type auditSeenKey struct{}

func markAudited(ctx context.Context) {
	if f, ok := ctx.Value(auditSeenKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

// isAPIPath reports whether a path is the API's (RPC or REST), as opposed
// to the console, metrics and health.
func isAPIPath(path string) bool {
	return strings.HasPrefix(path, "/driftmgr.v1.") || strings.HasPrefix(path, "/api/v1/") && path != "/api/v1/openapi.json"
}

// auditFallback records API calls answered before the audit interceptor
// ran: Connect decodes a unary request before any interceptor, so a body
// that does not decode, an unknown procedure or an unknown route would
// otherwise leave no trace. The outcome comes from the answer's status
// (or gRPC status); the action is the procedure, or METHOD and path.
func (s *Server) auditFallback(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPIPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		seen, ok := r.Context().Value(auditSeenKey{}).(*atomic.Bool)
		if !ok {
			seen = new(atomic.Bool)
			r = r.WithContext(context.WithValue(r.Context(), auditSeenKey{}, seen))
		}
		if r.Header.Get("X-Request-Id") == "" {
			callID(r.Header)
		}
		rec := &answerRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if seen.Load() {
			return
		}
		code := rec.code()
		if code == 0 {
			return // answered: the interceptor would have seen it
		}
		action := r.URL.Path
		if !strings.HasPrefix(action, "/driftmgr.v1.") {
			action = r.Method + " " + r.URL.Path
		}
		s.audit.record(r.Context(), action, r.RemoteAddr, r.Header.Get("X-Request-Id"), nil, nil,
			connect.NewError(code, fmt.Errorf("refused before the request was decoded (HTTP %d)", rec.status)))
	})
}

// auditCSRF records unsafe API calls refused by the console's CSRF check,
// which runs before authentication: a forged cross-site request is worth
// a line in the victim's log. Who it was made as is the session's user.
func (s *Server) auditCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPIPath(r.URL.Path) || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		seen := new(atomic.Bool)
		ctx := context.WithValue(r.Context(), auditSeenKey{}, seen)
		if r.Header.Get("X-Request-Id") == "" {
			callID(r.Header)
		}
		rec := &answerRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if seen.Load() || rec.status != http.StatusForbidden {
			return
		}
		p, _ := s.sessionPrincipal(r)
		action := r.URL.Path
		if !strings.HasPrefix(action, "/driftmgr.v1.") {
			action = r.Method + " " + r.URL.Path
		}
		s.audit.record(context.WithValue(ctx, principalKey{}, p), action, r.RemoteAddr, r.Header.Get("X-Request-Id"), nil, nil,
			connect.NewError(connect.CodePermissionDenied, fmt.Errorf("refused by the console's CSRF check (origin %q)", r.Header.Get("Origin"))))
	})
}

// answerRecorder notes the status and keeps the writer's optional
// interfaces reachable (streams flush; trailers are headers).
type answerRecorder struct {
	http.ResponseWriter
	status int
}

func (r *answerRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *answerRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *answerRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *answerRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// code is the failure the answer carried, 0 for success.
func (r *answerRecorder) code() connect.Code {
	h := r.Header()
	for _, k := range []string{"Grpc-Status", http.TrailerPrefix + "Grpc-Status"} {
		if v := h.Get(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n == 0 {
				return 0
			}
			return connect.Code(n)
		}
	}
	switch {
	case r.status == 0 || r.status < 400:
		return 0
	case r.status == http.StatusBadRequest:
		return connect.CodeInvalidArgument
	case r.status == http.StatusUnauthorized:
		return connect.CodeUnauthenticated
	case r.status == http.StatusForbidden:
		return connect.CodePermissionDenied
	case r.status == http.StatusNotFound:
		return connect.CodeNotFound
	case r.status == http.StatusTooManyRequests:
		return connect.CodeResourceExhausted
	case r.status == http.StatusNotImplemented:
		return connect.CodeUnimplemented
	case r.status == http.StatusServiceUnavailable:
		return connect.CodeUnavailable
	}
	return connect.CodeUnknown
}

// floodGuard bounds how fast calls that prove nothing about the caller
// (no credentials, or a key that is refused) turn into audit entries from
// one address: each would be a raft write, so an anonymous flood would
// grow the log and slow every tenant. Within the allowance every attempt
// is recorded; past it one per second is, with how many it stands for.
type floodGuard struct {
	mu      sync.Mutex
	buckets map[string]*floodBucket
}

type floodBucket struct {
	tokens float64
	at     time.Time
}

// Per remote address: a burst of floodBurst entries, then floodRate a
// second.
const (
	floodRate  = 200
	floodBurst = 5000
)

func newFloodGuard() *floodGuard { return &floodGuard{buckets: map[string]*floodBucket{}} }

func (g *floodGuard) allow(remote string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := g.buckets[remote]
	if b == nil {
		if len(g.buckets) > 100000 {
			for k, o := range g.buckets {
				if now.Sub(o.at) > time.Minute {
					delete(g.buckets, k)
				}
			}
		}
		b = &floodBucket{tokens: floodBurst, at: now}
		g.buckets[remote] = b
	}
	b.tokens = min(floodBurst, b.tokens+now.Sub(b.at).Seconds()*floodRate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// unproven reports whether a call's outcome says nothing about who made
// it: refused for its credentials.
func unproven(p Principal, err error) bool {
	c := connect.CodeOf(err)
	return err != nil && (p.Kind == "" || c == connect.CodeUnauthenticated)
}
