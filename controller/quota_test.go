package controller_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/quota"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

func TestQuotas(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.Quotas = quota.Config{Tenants: map[string]quota.Limits{
			"acme":  {RequestsPerSecond: 2, Burst: 5},
			"small": {MaxAgents: 1, MaxResources: 3},
			"watch": {MaxStreams: 1},
		}}
	}})
	owner := c.APIKey(t)
	url := c.URL(0)
	ctx := timeout(t, 60*time.Second)

	t.Run("rate limit per tenant", func(t *testing.T) {
		acme, globex := addKey(t, c, "acme", "admin"), addKey(t, c, "globex", "viewer")
		fa, fg := findingsClient(c, url, acme), findingsClient(c, url, globex)
		var refused *connect.Error
		for i := 0; i < 20 && refused == nil; i++ {
			_, err := fa.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
			if err != nil {
				require.ErrorAs(t, err, &refused)
			}
			// The neighbour is never slowed or refused.
			_, err = fg.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
			require.NoError(t, err)
		}
		require.NotNil(t, refused, "acme's sixth call in a burst is refused")
		assert.Equal(t, connect.CodeResourceExhausted, refused.Code())
		assert.Contains(t, refused.Message(), "tenant acme: over its API rate of 2 requests/s")
		assert.NotEmpty(t, refused.Meta().Get("Retry-After"))

		// REST gets a 429 with Retry-After.
		var code int
		var hdr http.Header
		for range 10 {
			if code, hdr, _ = get(t, c, url+"/api/v1/findings", acme); code == http.StatusTooManyRequests {
				break
			}
		}
		require.Equal(t, http.StatusTooManyRequests, code)
		assert.NotEmpty(t, hdr.Get("Retry-After"))

		// The refusals reach the audit log, one per second with a count.
		require.NoError(t, c.Member(0).Server().FlushAudit(ctx))
		time.Sleep(600 * time.Millisecond) // the bucket refills a token
		resp, err := auditClient(c, url, acme).ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{Outcome: "resource_exhausted", PageSize: 1000}))
		require.NoError(t, err)
		require.NotEmpty(t, resp.Msg.GetEvents())
		assert.LessOrEqual(t, len(resp.Msg.GetEvents()), 4, "sampled, not one entry per refused call")
	})

	t.Run("quotas stored in the tenant record", func(t *testing.T) {
		tc := tenancyClient(c, 0, owner, "")
		_, err := tc.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: "capped", Quotas: &pb.TenantQuotas{ApiRequestsPerSecond: 1, Burst: 2}}))
		require.NoError(t, err)
		_, err = tc.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: "bad", Quotas: &pb.TenantQuotas{MaxStreams: -1}}))
		requireCode(t, err, connect.CodeInvalidArgument, "quotas.max_streams: -1 is negative")
		fc := findingsClient(c, url, addKey(t, c, "capped", "viewer"))
		refusedWithin := func(n int) error {
			for range n {
				if _, err := fc.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{})); err != nil {
					return err
				}
			}
			return nil
		}
		require.Eventually(t, func() bool { return refusedWithin(3) != nil }, 10*time.Second, 100*time.Millisecond)
		requireCode(t, refusedWithin(3), connect.CodeResourceExhausted, "tenant capped: over its API rate of 1 requests/s")
		_, err = tc.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: "capped", Quotas: &pb.TenantQuotas{}}))
		require.NoError(t, err)
		require.Eventually(t, func() bool { return refusedWithin(10) == nil }, 10*time.Second, 100*time.Millisecond,
			"cleared quotas fall back to the platform default (unlimited here)")
	})

	t.Run("stream cap", func(t *testing.T) {
		key := addKey(t, c, "watch", "viewer")
		ev := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), url, testcluster.Bearer(key))
		wctx, cancel := context.WithCancel(ctx)
		s1, err := ev.Watch(wctx, connect.NewRequest(&pb.WatchRequest{}))
		require.NoError(t, err)
		require.True(t, s1.Receive(), "%v", s1.Err())
		s2, err := ev.Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
		require.NoError(t, err)
		require.False(t, s2.Receive())
		requireCode(t, s2.Err(), connect.CodeResourceExhausted, "tenant watch", "streams")
		cancel()
		s1.Close()
		require.Eventually(t, func() bool {
			s3, err := ev.Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
			if err != nil {
				return false
			}
			defer s3.Close()
			return s3.Receive()
		}, 10*time.Second, 50*time.Millisecond, "the slot comes back when the first stream ends")
	})

	t.Run("agent cap", func(t *testing.T) {
		admin := addKey(t, c, "small", "admin")
		enrollAgent(t, c, url, admin)
		_, err := enrollWith(t, c, url, joinToken(t, c, url, admin, 1), "second")
		requireCode(t, err, connect.CodeResourceExhausted, "tenant small", "agents")
	})

	t.Run("resource cap", func(t *testing.T) {
		admin := addKey(t, c, "small", "admin")
		a := enrollAgent(t, c, url, addKey(t, c, "roomy", "admin"))
		_, err := a.upload(ctx, findingsBatch(a.Epoch, 1, "r", 5, 0))
		require.NoError(t, err, "no cap for roomy")

		// small's one agent slot is taken: a revoked agent frees it.
		agents, err := agentsClient(c, url, admin).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
		require.NoError(t, err)
		require.Len(t, agents.Msg.GetAgents(), 1)
		_, err = agentsClient(c, url, admin).RevokeAgent(ctx, connect.NewRequest(&pb.RevokeAgentRequest{AgentId: agents.Msg.GetAgents()[0].GetId()}))
		require.NoError(t, err)
		s := enrollAgent(t, c, url, admin)
		_, err = s.upload(ctx, findingsBatch(s.Epoch, 1, "s", 4, 0))
		requireCode(t, err, connect.CodeResourceExhausted, "tenant small", "resources")
		_, err = s.upload(ctx, findingsBatch(s.Epoch, 1, "s", 3, 0))
		require.NoError(t, err)
		_, err = s.upload(ctx, findingsBatch(s.Epoch, 2, "s", 3, 0))
		require.NoError(t, err, "updating findings it holds adds nothing")
		_, err = s.upload(ctx, batch(s.Epoch, 3, record(finding("s-new", pb.Severity_SEVERITY_LOW, 0))))
		requireCode(t, err, connect.CodeResourceExhausted)
	})
}
