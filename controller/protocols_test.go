package controller_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
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

// A response past compressMinBytes is gzipped for a caller that accepts
// it, and it decodes; a smaller one, or one to a caller that does not
// accept gzip, is sent as it is.
func TestResponsesGzippedPastAKiB(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	key := c.APIKey(t)
	call := func(procedure, body string, gzipOK bool) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(timeout(t, 10*time.Second), http.MethodPost, c.URL(0)+procedure, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Connect-Protocol-Version", "1")
		req.Header.Set("Authorization", "Bearer "+key)
		if gzipOK {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := c.HTTPClient(nil).Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
		return resp, b
	}

	resp, b := call(driftmgrv1connect.FindingsServiceListFindingsProcedure, "{}", true)
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "a small answer is not compressed")
	assert.Less(t, len(b), 1024)

	// The listings above are audited: enough of them make a big answer.
	for range 10 {
		call(driftmgrv1connect.FindingsServiceListFindingsProcedure, "{}", false)
	}
	require.NoError(t, c.Member(0).Server().FlushAudit(timeout(t, 10*time.Second)))
	resp, b = call(driftmgrv1connect.AuditServiceListAuditEventsProcedure, "{}", true)
	require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Greater(t, len(plain), 1024)
	assert.Contains(t, string(plain), driftmgrv1connect.FindingsServiceListFindingsProcedure)

	resp, b = call(driftmgrv1connect.AuditServiceListAuditEventsProcedure, "{}", false)
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "not to a caller that does not accept gzip")
	assert.Equal(t, plain, b)
}
