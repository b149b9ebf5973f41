package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/internal/drift"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

func triggers(scans []*pb.Scan) map[string]int {
	out := map[string]int{}
	for _, s := range scans {
		out[s.GetTrigger()]++
	}
	return out
}

func TestScanNowThroughLeaderAndFollower(t *testing.T) {
	c := startCluster(t, 3, nil)
	sc := &fakeScanner{}
	sc.set(finding("b1", drift.Unmanaged, nil, nil))
	a, _ := enrolledAgent(t, c, sc, nil)
	id := a.Stats().AgentID
	waitDelivered(t, c, a, 1)
	require.Eventually(t, func() bool { return a.Stats().Connected }, waitLong, 10*time.Millisecond)
	// Every node in turn: the one holding the stream delivers locally,
	// the others forward to it.
	for i := range 3 {
		c.triggerScan(t, i, id)
		scans := waitDelivered(t, c, a, 2+i)
		assert.Equal(t, i+1, triggers(scans)["command"])
	}
}

func TestRevokedAgentIsCutOff(t *testing.T) {
	c := startCluster(t, 1, nil)
	a, cfg := enrolledAgent(t, c, &fakeScanner{}, nil)
	id := a.Stats().AgentID
	require.Eventually(t, func() bool { return a.Stats().Connected }, waitLong, 10*time.Millisecond)
	_, err := c.agents(0).RevokeAgent(context.Background(), connect.NewRequest(&pb.RevokeAgentRequest{AgentId: id}))
	require.NoError(t, err)
	err = a.result(t)
	require.ErrorIs(t, err, ErrRevoked)
	assert.ErrorContains(t, err, "revoked")
	assert.False(t, a.Stats().Connected)
	a.stop(t)

	// A restarted agent is refused in the TLS handshake and stops too.
	cfg.JoinToken = ""
	b := startAgent(t, cfg)
	err = b.result(t)
	require.ErrorIs(t, err, ErrRevoked)
	b.stop(t)

	// So is one in Checkin mode.
	cfg.UseCheckin = true
	r := startAgent(t, cfg)
	require.ErrorIs(t, r.result(t), ErrRevoked)
}

func TestCheckinFallback(t *testing.T) {
	c := startCluster(t, 3, nil)
	sc := &fakeScanner{}
	sc.set(finding("b1", drift.Unmanaged, nil, nil), finding("b2", drift.Modified, 1, 2))
	a, _ := enrolledAgent(t, c, sc, func(cfg *Config) { cfg.UseCheckin = true })
	id := a.Stats().AgentID
	waitDelivered(t, c, a, 1)
	require.Eventually(t, func() bool { return a.Stats().Connected }, waitLong, 10*time.Millisecond)
	fs, err := c.findings(t, id)
	require.NoError(t, err)
	assert.Len(t, fs, 2)

	sc.set(finding("b1", drift.Unmanaged, nil, nil))
	c.triggerScan(t, c.Follower(t).Index, id)
	scans := waitDelivered(t, c, a, 2)
	assert.Equal(t, 1, triggers(scans)["command"])
	fs, err = c.findings(t, id)
	require.NoError(t, err)
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_RESOLVED, fs[FindingID("aws", "123456789012", "eu-west-1", "aws_s3_bucket", "b2")].GetStatus())
}

func TestCertificateRenewal(t *testing.T) {
	const ttl = 3 * time.Second
	c := startCluster(t, 1, func(cfg *controller.Config) { cfg.AgentCertTTL = ttl })
	sc := &fakeScanner{}
	sc.set(finding("b1", drift.Unmanaged, nil, nil))
	a, cfg := enrolledAgent(t, c, sc, nil)
	id := a.Stats().AgentID
	first := a.Stats().CertNotAfter
	waitDelivered(t, c, a, 1)
	// Past the first certificate's expiry, renewed at least twice.
	require.Eventually(t, func() bool {
		st := a.Stats()
		return st.Renewals >= 2 && time.Now().After(first.Add(time.Second))
	}, waitLong, 50*time.Millisecond)
	assert.True(t, a.Stats().CertNotAfter.After(first))
	onDisk, err := os.ReadFile(filepath.Join(cfg.DataDir, certFile))
	require.NoError(t, err)
	certs, err := parseCerts(onDisk)
	require.NoError(t, err)
	assert.True(t, certs[0].NotAfter.After(first), "the renewed certificate is persisted")

	// New connections (after a controller restart) use the renewed one.
	c.Kill(0)
	c.Restart(t, 0)
	c.WaitLeader(t, waitLong)
	c.triggerScan(t, 0, id)
	scans := waitDelivered(t, c, a, 2)
	assert.Equal(t, 1, triggers(scans)["command"])
	require.NoError(t, a.stop(t))

	// Stopped past its certificate's expiry, the agent cannot renew and
	// says what to do.
	expiry := a.Stats().CertNotAfter
	time.Sleep(time.Until(expiry.Add(100 * time.Millisecond)))
	cfg.JoinToken = ""
	b := startAgent(t, cfg)
	err = b.result(t)
	require.ErrorIs(t, err, ErrCertExpired)
	assert.ErrorContains(t, err, "enroll with a new join token")
}
