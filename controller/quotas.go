package controller

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/controller/quota"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/state"
)

// quotaTenant is the tenant a call is charged to: the caller's, except for
// controllers calling each other.
func quotaTenant(p Principal, procedure string) string {
	if p.Kind == "controller" || strings.HasPrefix(procedure, "/"+driftmgrv1connect.InternalServiceName+"/") {
		return ""
	}
	return p.Tenant
}

// quotaInterceptor charges open streams and upload bytes to the caller's
// tenant. It runs after authorization, so only a known tenant is charged.
// The request rate is rateLimit's.
func (s *Server) quotaInterceptor() connect.Interceptor {
	return quota.NewInterceptor(s.limits, func(ctx context.Context) string {
		p := PrincipalFrom(ctx)
		if p.Kind == "controller" {
			return ""
		}
		return p.Tenant
	}, func(procedure string) bool { return quotaTenant(Principal{Tenant: "-"}, procedure) == "" },
		quota.WithUploadProcedures(driftmgrv1connect.AgentServiceUploadProcedure), quota.WithoutRequestRate())
}

// rateLimit spends one of the caller's tenant's request tokens per API
// call, and refuses a call over the rate before it is decoded or routed:
// a tenant hammering its limit then costs the cluster little more than
// its TLS, so the other tenants do not feel it. The refusal is written in
// the caller's protocol (Connect, gRPC, gRPC-Web; 429 with Retry-After
// for REST) and audited like any other.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	ew := connect.NewErrorWriter()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		api := strings.HasPrefix(path, "/driftmgr.v1.") || strings.HasPrefix(path, "/api/v1/") && path != "/api/v1/openapi.json"
		p := PrincipalFrom(r.Context())
		tenant := quotaTenant(p, path)
		if !api || tenant == "" {
			next.ServeHTTP(w, r)
			return
		}
		err := s.limits.AllowRequest(tenant)
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		ce := quota.ToConnect(err)
		action := path
		if !strings.HasPrefix(path, "/driftmgr.v1.") {
			action = r.Method + " " + path
		}
		s.audit.record(r.Context(), action, r.RemoteAddr, r.Header.Get("X-Request-Id"), nil, nil, ce)
		s.metrics.rpcs.WithLabelValues(metricProcedure(r.Method, path), connect.CodeResourceExhausted.String()).Inc()
		if strings.HasPrefix(path, "/driftmgr.v1.") && ew.IsSupported(r) {
			w.Header().Set("Retry-After", ce.Meta().Get("Retry-After"))
			_ = ew.Write(w, r, ce)
			return
		}
		quota.WriteHTTPError(w, err)
	})
}

// metricProcedure is the procedure label of a call refused before it was
// routed. A REST path holds object ids and a caller may send any path, so
// only a known procedure is named: anything else would put tenants' ids
// in the public /metrics and grow a series per path.
func metricProcedure(method, path string) string {
	if _, ok := procedureActions[path]; ok {
		return path
	}
	if strings.HasPrefix(path, "/api/v1/") {
		return method + " /api/v1/*"
	}
	return "unknown"
}

// checkAgentQuota refuses an enrollment past the tenant's agent cap
// (revoked agents do not count).
func (s *Server) checkAgentQuota(tenant string) error {
	if s.limits.LimitsFor(tenant).MaxAgents == 0 {
		return nil
	}
	var n int64
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		return tt.ForEachAgent(func(a *pb.Agent) error {
			if !a.GetRevoked() {
				n++
			}
			return nil
		})
	})
	if err := s.limits.CheckCount(tenant, quota.Agents, n, 1); err != nil {
		return quota.ToConnect(err)
	}
	return nil
}

// checkResourceQuota refuses an upload that would take the tenant past
// its cap of tracked resources: findings it does not hold yet count, the
// ones it updates do not.
func (s *Server) checkResourceQuota(tenant string, recs []*pb.Record) error {
	if s.limits.LimitsFor(tenant).MaxResources == 0 {
		return nil
	}
	v := s.node.FSM().View()
	var adding int64
	for _, r := range recs {
		if f := r.GetFinding(); f != nil && !v.Has(tenant, f.GetId()) {
			adding++
		}
	}
	if adding == 0 {
		return nil
	}
	if err := s.limits.CheckCount(tenant, quota.Resources, int64(v.Tracked(tenant)), adding); err != nil {
		return quota.ToConnect(err)
	}
	return nil
}

// auditSampler lets through one refusal of a kind per tenant per second:
// a tenant hammering its rate limit must not turn each refused call into
// a raft write (that would slow every other tenant). The entry that gets
// through says how many were left out since the last.
type auditSampler struct {
	mu   sync.Mutex
	last map[string]time.Time
	held map[string]int
}

func newAuditSampler() *auditSampler {
	return &auditSampler{last: map[string]time.Time{}, held: map[string]int{}}
}

// admit reports whether to record this refusal, and how many like it were
// not recorded before it.
func (a *auditSampler) admit(key string, now time.Time) (bool, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if now.Sub(a.last[key]) < time.Second {
		a.held[key]++
		return false, 0
	}
	n := a.held[key]
	a.last[key], a.held[key] = now, 0
	if len(a.last) > 100000 {
		// Bounded: forget everyone quiet for a while.
		for k, t := range a.last {
			if now.Sub(t) > time.Minute {
				delete(a.last, k)
				delete(a.held, k)
			}
		}
	}
	return true, n
}

// tenantQuotasEvery is how often each node applies the quotas stored in
// tenant records to its limiter (an update through this node applies at
// once).
const tenantQuotasEvery = 5 * time.Second

// effectiveLimits are a tenant's limits: the configured ones (its entry,
// else the default), with each field its record sets taking precedence.
func (s *Server) effectiveLimits(tenant string, q *pb.TenantQuotas) (quota.Limits, bool) {
	l, configured := s.cfg.Quotas.Tenants[tenant]
	if !configured {
		l = s.cfg.Quotas.Default
	}
	set := false
	if v := q.GetMaxAgents(); v > 0 {
		l.MaxAgents, set = v, true
	}
	if v := q.GetMaxResources(); v > 0 {
		l.MaxResources, set = v, true
	}
	if v := q.GetApiRequestsPerSecond(); v > 0 {
		l.RequestsPerSecond, set = float64(v), true
	}
	if v := q.GetBurst(); v > 0 {
		l.Burst, set = int(v), true
	}
	if v := q.GetMaxStreams(); v > 0 {
		l.MaxStreams, set = int(v), true
	}
	if v := q.GetUploadBytesPerMinute(); v > 0 {
		l.UploadBytesPerMinute, set = v, true
	}
	if l.Burst > 0 && l.RequestsPerSecond == 0 {
		// A burst without a rate limits nothing; the limiter refuses it.
		l.Burst = 0
	}
	return l, set || configured
}

// applyTenantQuotas brings the limiter in line with the tenant records.
// applied remembers what each tenant got, so unchanged tenants cost a map
// lookup.
func (s *Server) applyTenantQuotas(applied map[string]*pb.TenantQuotas) {
	seen := map[string]bool{}
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		return tx.ForEachTenantRecord(func(t *pb.Tenant) error {
			seen[t.GetId()] = true
			q := t.GetQuotas()
			if prev, ok := applied[t.GetId()]; ok && proto.Equal(prev, q) {
				return nil
			}
			s.setTenantLimits(t.GetId(), q)
			applied[t.GetId()] = proto.Clone(q).(*pb.TenantQuotas)
			return nil
		})
	})
	for t := range applied {
		if !seen[t] {
			s.setTenantLimits(t, nil)
			delete(applied, t)
		}
	}
}

func (s *Server) setTenantLimits(tenant string, q *pb.TenantQuotas) {
	l, override := s.effectiveLimits(tenant, q)
	if !override {
		s.limits.ClearTenant(tenant)
		return
	}
	if err := s.limits.SetTenant(tenant, l); err != nil {
		s.log.Warn("tenant quotas not applied", "tenant", tenant, "err", err)
	}
}

// tenantQuotasLoop applies stored tenant quotas until the node stops.
func (s *Server) tenantQuotasLoop() {
	defer s.wg.Done()
	applied := map[string]*pb.TenantQuotas{}
	s.applyTenantQuotas(applied)
	t := time.NewTicker(tenantQuotasEvery)
	defer t.Stop()
	for {
		select {
		case <-s.node.Stopped():
			return
		case <-t.C:
			s.applyTenantQuotas(applied)
		case <-s.quotasChanged:
			s.applyTenantQuotas(applied)
		}
	}
}

// tenantQuotasChanged asks the loop to apply tenant records now (a tenant
// was created or updated through this node).
func (s *Server) tenantQuotasChanged() {
	select {
	case s.quotasChanged <- struct{}{}:
	default:
	}
}
