package controller_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

func TestThreeNodesElectAndForward(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	key := c.APIKey(t)
	f := c.Follower(t)
	agents := driftmgrv1connect.NewAgentsServiceClient(c.HTTPClient(nil), "https://"+f.APIAddr, testcluster.Bearer(key))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, err := agents.CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{MaxUses: 2}))
	require.NoError(t, err)
	require.NotEmpty(t, tok.Msg.GetSecret())
	for i := range 3 {
		cl := driftmgrv1connect.NewAgentsServiceClient(c.HTTPClient(nil), c.URL(i), testcluster.Bearer(key))
		require.Eventually(t, func() bool {
			l, err := cl.ListJoinTokens(ctx, connect.NewRequest(&pb.ListJoinTokensRequest{}))
			return err == nil && len(l.Msg.GetTokens()) == 1
		}, 5*time.Second, 20*time.Millisecond, "node %d", i)
	}
}
