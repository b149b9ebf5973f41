package controller_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// The same handlers answer Connect, gRPC and gRPC-Web on one port, for
// unary calls and server streams, with the same authorization.
func TestOnePortThreeProtocols(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	key := c.APIKey(t)
	for _, tc := range []struct {
		name string
		opt  connect.ClientOption
	}{
		{"connect", connect.WithProtoJSON()},
		{"grpc", connect.WithGRPC()},
		{"grpc-web", connect.WithGRPCWeb()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := timeout(t, 20*time.Second)
			fc := driftmgrv1connect.NewFindingsServiceClient(c.HTTPClient(nil), c.URL(0), tc.opt, testcluster.Bearer(key))
			resp, err := fc.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{Facets: []string{"kind"}}))
			require.NoError(t, err)
			assert.Equal(t, int64(0), resp.Msg.GetTotalSize())

			_, err = driftmgrv1connect.NewFindingsServiceClient(c.HTTPClient(nil), c.URL(0), tc.opt).
				ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
			assert.Equal(t, connect.CodeUnauthenticated, connect.CodeOf(err), "no key, no answer, on every protocol")

			ec := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), c.URL(0), tc.opt, testcluster.Bearer(key))
			stream, err := ec.Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
			require.NoError(t, err)
			require.True(t, stream.Receive(), "first event: %v", stream.Err())
			assert.NotNil(t, stream.Msg().GetCounts())
			require.NoError(t, stream.Close())

			unauth, err := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), c.URL(0), tc.opt).
				Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
			if err == nil {
				assert.False(t, unauth.Receive())
				err = unauth.Err()
			}
			assert.Equal(t, connect.CodeUnauthenticated, connect.CodeOf(err), "streams are authorized too")
		})
	}
}
