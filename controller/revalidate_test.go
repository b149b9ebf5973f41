package controller_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// An open Watch ends when its caller loses access, so a revoked key or a
// disabled user or tenant stops receiving the tenant's events at once,
// not at the next reconnect.
func TestOpenStreamsEndWithAccess(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	owner := c.APIKey(t)
	ctx := timeout(t, 60*time.Second)
	tc := tenancyClient(c, 0, owner, "")
	_, err := tc.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: "acme"}))
	require.NoError(t, err)
	admin := tenancyClient(c, 0, owner, "acme")

	watch := func(key string) *connect.ServerStreamForClient[pb.WatchResponse] {
		t.Helper()
		s, err := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), c.URL(0), testcluster.Bearer(key)).Watch(ctx,
			connect.NewRequest(&pb.WatchRequest{}))
		require.NoError(t, err)
		require.True(t, s.Receive(), "%v", s.Err())
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	ended := func(s *connect.ServerStreamForClient[pb.WatchResponse], why string) {
		t.Helper()
		done := make(chan struct{})
		go func() {
			for s.Receive() {
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the stream went on after %s", why)
		}
		requireCode(t, s.Err(), connect.CodeUnauthenticated, why)
	}

	t.Run("revoked key", func(t *testing.T) {
		_, key := newUserKey(t, admin, "rita", "viewer")
		s := watch(key)
		id := strings.Split(key, "_")[1]
		_, err := admin.RevokeAPIKey(ctx, connect.NewRequest(&pb.RevokeAPIKeyRequest{Id: id}))
		require.NoError(t, err)
		ended(s, "revoked")
	})
	t.Run("disabled user", func(t *testing.T) {
		u, key := newUserKey(t, admin, "dora", "viewer")
		s := watch(key)
		_, err := admin.UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: u.GetId(), Disabled: proto.Bool(true)}))
		require.NoError(t, err)
		ended(s, "disabled")
	})
	t.Run("disabled tenant", func(t *testing.T) {
		_, key := newUserKey(t, admin, "tess", "viewer")
		s := watch(key)
		_, err := tc.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: "acme", Disabled: proto.Bool(true)}))
		require.NoError(t, err)
		ended(s, "tenant acme was disabled")
	})
}
