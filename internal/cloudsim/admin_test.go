package cloudsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func TestAdminHandlerMutatesTheWorld(t *testing.T) {
	w := world.New([]resource.Resource{{Provider: "aws", Type: "aws_s3_bucket", ID: "logs", Account: "123456789012",
		Attrs: map[string]any{"bucket": "logs", "acl": "private"}}})
	srv := httptest.NewServer(AdminHandler(w))
	defer srv.Close()
	do := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		b, _ := json.Marshal(m)
		return resp.StatusCode, string(b)
	}

	code, body := do("PATCH", "/world/aws/aws_s3_bucket/logs", `{"acl":"public-read","versioning":[{"enabled":true,"mfa_delete":false}],"size":3}`)
	require.Equal(t, http.StatusOK, code, body)
	r, ok := w.Get(resource.Key{Provider: "aws", Type: "aws_s3_bucket", ID: "logs"})
	require.True(t, ok)
	assert.Equal(t, "public-read", r.Attrs["acl"])
	assert.Equal(t, float64(3), r.Attrs["size"], "numbers take the world's float64 shape")

	code, body = do("PATCH", "/world/aws/aws_s3_bucket/nope", `{"acl":"x"}`)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, body, "no such resource")

	code, body = do("PATCH", "/world/aws/aws_s3_bucket/logs", `[1,2]`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "want a JSON object")

	code, _ = do("PUT", "/world", `[{"provider":"aws","type":"aws_sqs_queue","id":"q1","attributes":{"name":"q1"}}]`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 2, w.Len())

	code, body = do("PUT", "/world", `{"not":"an array"}`)
	assert.Equal(t, http.StatusBadRequest, code, body)

	code, body = do("GET", "/world", "")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "q1")

	code, _ = do("DELETE", "/world/aws/aws_sqs_queue/q1", "")
	require.Equal(t, http.StatusOK, code)
	code, _ = do("DELETE", "/world/aws/aws_sqs_queue/q1", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, 1, w.Len())
}
