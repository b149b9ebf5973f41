package controller_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

func TestWatchRESTAndEndpoints(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	key := c.APIKey(t)
	leader := c.WaitLeader(t, waitLong)
	f := c.Follower(t)
	lurl, furl := "https://"+leader.APIAddr, "https://"+f.APIAddr
	ctx := timeout(t, 60*time.Second)

	t.Run("watch on a follower sees counts, then an upload through the leader", func(t *testing.T) {
		s, err := driftmgrv1connect.NewEventsServiceClient(c.HTTPClient(nil), furl, testcluster.Bearer(key)).Watch(ctx,
			connect.NewRequest(&pb.WatchRequest{}))
		require.NoError(t, err)
		defer s.Close()
		require.True(t, s.Receive(), "first event: %v", s.Err())
		require.NotNil(t, s.Msg().GetCounts(), "the first event is the counts")
		require.Zero(t, s.Msg().GetCounts().GetOpen())

		a := enrollAgent(t, c, lurl, key)
		_, err = a.upload(ctx, findingsBatch(a.Epoch, 1, "watched", 4, 0))
		require.NoError(t, err)
		var ids []string
		for ids == nil && s.Receive() {
			if fc := s.Msg().GetFindingsChanged(); fc != nil {
				ids = fc.GetIds()
				require.NotZero(t, s.Msg().GetRevision())
			}
		}
		require.ElementsMatch(t, []string{"watched-0", "watched-1", "watched-2", "watched-3"}, ids)
		// After the burst, fresh counts.
		for s.Receive() {
			if counts := s.Msg().GetCounts(); counts != nil {
				require.EqualValues(t, 4, counts.GetOpen())
				require.EqualValues(t, 4, counts.GetModified())
				break
			}
		}
	})

	t.Run("REST mapping", func(t *testing.T) {
		code, hdr, body := get(t, c, furl+"/api/v1/findings?pageSize=3&orderBy=resource_id", key)
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.Contains(t, hdr.Get("Content-Type"), "application/json")
		var list struct {
			Findings []struct {
				ID       string `json:"id"`
				Tenant   string `json:"tenant"`
				Kind     string `json:"kind"`
				Status   string `json:"status"`
				Resource struct {
					Provider string `json:"provider"`
				} `json:"resource"`
			} `json:"findings"`
			NextPageToken string `json:"nextPageToken"`
			TotalSize     string `json:"totalSize"`
		}
		require.NoError(t, json.Unmarshal(body, &list), "%s", body)
		require.Len(t, list.Findings, 3)
		require.Equal(t, "4", list.TotalSize, "int64 as a string, per proto3 JSON")
		require.NotEmpty(t, list.NextPageToken)
		require.Equal(t, "watched-0", list.Findings[0].ID)
		require.Equal(t, "DRIFT_KIND_MODIFIED", list.Findings[0].Kind)
		require.Equal(t, "FINDING_STATUS_OPEN", list.Findings[0].Status)
		require.Equal(t, "aws", list.Findings[0].Resource.Provider)

		code, _, body = get(t, c, furl+"/api/v1/findings/watched-2", key)
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.Contains(t, string(body), `"id":"watched-2"`)
		code, _, body = get(t, c, furl+"/api/v1/findings/nope", key)
		require.Equal(t, http.StatusNotFound, code)
		require.Contains(t, string(body), "not found")

		req, err := http.NewRequestWithContext(ctx, http.MethodPost, furl+"/api/v1/findings/watched-2:acknowledge",
			bytes.NewReader([]byte(`{"note":"expected"}`)))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.HTTPClient(nil).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		g, err := findingsClient(c, lurl, key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "watched-2"}))
		require.NoError(t, err)
		require.Equal(t, "expected", g.Msg.GetFinding().GetAckNote())

		code, _, body = get(t, c, furl+"/api/v1/cluster/members", key)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, 3, strings.Count(string(body), `"raftAddress"`), "%s", body)
	})

	t.Run("OpenAPI document", func(t *testing.T) {
		code, hdr, body := get(t, c, furl+"/api/v1/openapi.json", "")
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, hdr.Get("Content-Type"), "application/json")
		var doc struct {
			OpenAPI string                    `json:"openapi"`
			Paths   map[string]map[string]any `json:"paths"`
			Comps   struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		require.NoError(t, json.Unmarshal(body, &doc))
		require.Equal(t, "3.0.3", doc.OpenAPI)
		for path, method := range map[string]string{
			"/api/v1/findings":                  "get",
			"/api/v1/findings/{id}":             "get",
			"/api/v1/findings/{id}:acknowledge": "post",
			"/api/v1/scans":                     "get",
			"/api/v1/cluster/members":           "get",
			"/api/v1/cluster/health":            "get",
			"/api/v1/bootstrap":                 "post",
			"/api/v1/agents":                    "get",
			"/api/v1/agents/{agent_id}:scan":    "post",
			"/api/v1/agents/{agent_id}:revoke":  "post",
			"/api/v1/join-tokens":               "post",
			"/api/v1/join-tokens/{id}":          "delete",
		} {
			require.Contains(t, doc.Paths[path], method, "%s %s", method, path)
		}
		require.Contains(t, doc.Comps.Schemas, "driftmgr.v1.Finding")
		require.Contains(t, doc.Comps.Schemas, "driftmgr.v1.ListFindingsResponse")
	})

	t.Run("metrics and health", func(t *testing.T) {
		require.Equal(t, 1.0, metric(t, c, leader.Index, "driftmgr_raft_leader"))
		require.Equal(t, 0.0, metric(t, c, f.Index, "driftmgr_raft_leader"))
		// The upload was served by the leader, which counted its records.
		require.GreaterOrEqual(t, metric(t, c, leader.Index, "driftmgr_ingest_records_total"), 4.0)
		require.GreaterOrEqual(t, metric(t, c, f.Index, "driftmgr_raft_applied_index"), 1.0)
		code, _, body := get(t, c, furl+"/metrics", "")
		require.Equal(t, http.StatusOK, code)
		for _, name := range []string{"driftmgr_raft_term", "driftmgr_raft_commit_index", "driftmgr_agents_connected",
			"driftmgr_ingest_commit_seconds_bucket", "driftmgr_rpc_total{", "go_goroutines",
			`driftmgr_raft_apply_seconds_count{command="ack_finding",outcome="ok"}`} {
			require.Contains(t, string(body), name)
		}
		for i := range c.Members() {
			code, _, body := get(t, c, c.URL(i)+"/healthz", "")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, "ok\n", string(body))
			code, _, body = get(t, c, c.URL(i)+"/readyz", "")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, "ready\n", string(body))
		}
	})
}
