package controller

import (
	"context"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/controller/quota"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/state"
)

// quotaInterceptor charges each call to its caller's tenant: API rate,
// open streams and upload bytes. It runs after authorization, so only a
// known tenant is charged; controllers calling each other are not.
func (s *Server) quotaInterceptor() connect.Interceptor {
	return quota.NewInterceptor(s.limits, func(ctx context.Context) string {
		p := PrincipalFrom(ctx)
		if p.Kind == "controller" {
			return ""
		}
		return p.Tenant
	}, func(procedure string) bool {
		return strings.HasPrefix(procedure, "/"+driftmgrv1connect.InternalServiceName+"/")
	}, quota.WithUploadProcedures(driftmgrv1connect.AgentServiceUploadProcedure))
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
