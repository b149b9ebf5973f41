package cloudsim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

func TestStartServesEveryCloudOnLoopback(t *testing.T) {
	s, err := Start(world.New(nil))
	require.NoError(t, err)
	for _, u := range []string{s.AWS, s.Azure, s.GCP} {
		assert.True(t, strings.Contains(u, "://127.0.0.1:"), u)
	}
	assert.True(t, strings.HasPrefix(s.Azure, "https://"), "Azure's SDK sends tokens only over TLS")

	// Each endpoint answers in its cloud's wire format: unauthenticated
	// calls are refused the way the real service refuses them.
	resp, err := s.Client.Get(s.Azure + "/subscriptions?api-version=2022-12-01")
	require.NoError(t, err, "the client trusts the simulator's certificate")
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	resp, err = s.Client.Get(s.GCP + "/compute/v1/projects/p/global/firewalls")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Less(t, resp.StatusCode, 500)

	resp, err = s.Client.Post(s.AWS+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=DescribeVpcs&Version=2016-11-15"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.GreaterOrEqual(t, resp.StatusCode, 400, "no SigV4 signature, no answer")

	require.NoError(t, s.Close())
	_, err = s.Client.Get(s.GCP + "/compute/v1/projects/p/global/firewalls")
	assert.Error(t, err, "closed")
}
