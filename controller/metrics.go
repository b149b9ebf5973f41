package controller

import (
	"context"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/hashicorp/raft"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the controller's Prometheus series.
type metrics struct {
	reg              *prometheus.Registry
	ingested         prometheus.Counter
	ingestLatency    prometheus.Histogram
	uploadsDuplicate prometheus.Counter
	uploadsRejected  prometheus.Counter
	enrollRefused    *prometheus.CounterVec
	rpcs             *prometheus.CounterVec
	apply            *prometheus.HistogramVec
	auditDropped     prometheus.Counter
	auditSampled     prometheus.Counter
}

// observeApply feeds driftmgr_raft_apply_seconds; set before the node
// starts, it is called from node.Apply.
func (m *metrics) observeApply(cmd string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.apply.WithLabelValues(cmd, outcome).Observe(d.Seconds())
}

func newMetrics(s *Server) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{reg: reg,
		ingested: prometheus.NewCounter(prometheus.CounterOpts{Name: "driftmgr_ingest_records_total",
			Help: "Records (findings, resolutions, scans) committed from agent uploads."}),
		ingestLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "driftmgr_ingest_commit_seconds",
			Help: "Time from an upload's arrival to its raft commit.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}),
		uploadsDuplicate: prometheus.NewCounter(prometheus.CounterOpts{Name: "driftmgr_uploads_duplicate_total",
			Help: "Uploads already applied (resends after a lost ack)."}),
		uploadsRejected: prometheus.NewCounter(prometheus.CounterOpts{Name: "driftmgr_uploads_rejected_total",
			Help: "Uploads refused as corrupt, oversized or invalid."}),
		enrollRefused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "driftmgr_enroll_refused_total",
			Help: "Enrollments refused, by reason."}, []string{"reason"}),
		rpcs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "driftmgr_rpc_total",
			Help: "RPCs served, by procedure and code."}, []string{"procedure", "code"}),
		auditDropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "driftmgr_audit_dropped_total",
			Help: "Audit entries dropped because too many waited for a cluster that could not commit them."}),
		auditSampled: prometheus.NewCounter(prometheus.CounterOpts{Name: "driftmgr_audit_sampled_out_total",
			Help: "Quota refusals not written to the audit log one by one (one per tenant, procedure and second is, with the count)."}),
		apply: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "driftmgr_raft_apply_seconds",
			Help:    "Time for a write to commit through raft (forwarding and election waits included), by command and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"command", "outcome"}),
	}
	r := s.node.Raft()
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	stat := func(k string) float64 { v, _ := strconv.ParseFloat(r.Stats()[k], 64); return v }
	reg.MustRegister(m.apply, m.auditDropped, m.auditSampled, m.ingested, m.ingestLatency, m.uploadsDuplicate, m.uploadsRejected, m.enrollRefused, m.rpcs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gauge("driftmgr_raft_leader", "1 if this node is the raft leader.", func() float64 {
			if r.State() == raft.Leader {
				return 1
			}
			return 0
		}),
		gauge("driftmgr_raft_term", "Current raft term.", func() float64 { return stat("term") }),
		gauge("driftmgr_raft_commit_index", "Raft commit index.", func() float64 { return stat("commit_index") }),
		gauge("driftmgr_raft_applied_index", "Raft applied index.", func() float64 { return float64(r.AppliedIndex()) }),
		gauge("driftmgr_agents_connected", "Agent streams and polls held by this node.", func() float64 { return float64(s.sessions.count()) }),
	)
	return m
}

type requestIDKey struct{}

// logInterceptor gives every call a request ID (or keeps the caller's
// X-Request-Id), logs failures with it, and counts calls.
type logInterceptor struct{ s *Server }

func requestID(h interface{ Get(string) string }) string {
	if id := h.Get("X-Request-Id"); id != "" && len(id) <= 64 {
		return id
	}
	return uuid.NewString()
}

func (l *logInterceptor) done(ctx context.Context, procedure, id string, start time.Time, err error) {
	code := "ok"
	if err != nil {
		code = connect.CodeOf(err).String()
		l.s.log.Info("rpc failed", "procedure", procedure, "request_id", id, "caller", PrincipalFrom(ctx).String(),
			"code", code, "err", err, "took", time.Since(start))
	}
	l.s.metrics.rpcs.WithLabelValues(procedure, code).Inc()
}

func (l *logInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		id := requestID(req.Header())
		start := time.Now()
		resp, err := next(context.WithValue(ctx, requestIDKey{}, id), req)
		l.done(ctx, req.Spec().Procedure, id, start, err)
		if resp != nil {
			resp.Header().Set("X-Request-Id", id)
		}
		return resp, err
	}
}

func (l *logInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (l *logInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		id := requestID(conn.RequestHeader())
		conn.ResponseHeader().Set("X-Request-Id", id)
		start := time.Now()
		err := next(context.WithValue(ctx, requestIDKey{}, id), conn)
		l.done(ctx, conn.Spec().Procedure, id, start, err)
		return err
	}
}
