package runner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// An agent cut off from every controller keeps scanning into its outbox;
// the cluster changes leader meanwhile; after reconnecting, every scan and
// every change reaches the controller exactly once.
func TestOfflineAgentDeliversEverythingOnceAfterLeaderChange(t *testing.T) {
	c := startCluster(t, 3, nil)
	mod := func(id, v string) drift.Finding { return finding(id, drift.Modified, "prod", v) }
	un := func(id string) drift.Finding { return finding(id, drift.Unmanaged, nil, nil) }
	script := [][]drift.Finding{
		{mod("b1", "v1"), un("b2")},
		{mod("b1", "v2"), un("b3")},
		{mod("b1", "v2"), un("b3"), un("b4")},
		{un("b4"), un("b5")},
		{un("b4"), un("b5"), mod("b6", "v1")},
		{un("b4"), mod("b6", "v2")},
	}
	sc := &fakeScanner{script: script}
	sw := &netSwitch{}
	a, _ := enrolledAgent(t, c, sc, func(cfg *Config) {
		cfg.HTTPClient = sw.client
		cfg.ScanInterval = 150 * time.Millisecond
	})
	id := a.Stats().AgentID
	require.Eventually(t, func() bool { return a.Stats().Connected }, waitLong, 5*time.Millisecond)
	sw.set(true)

	require.Eventually(t, func() bool { return sc.count() == len(script) && a.Stats().ScansRecorded == uint64(len(script)) },
		waitLong, 10*time.Millisecond)
	st := a.Stats()
	require.False(t, st.Connected)
	require.Positive(t, st.OutboxDepth, "scans wait in the outbox")
	t.Logf("offline: %d batches, %d bytes in the outbox", st.OutboxDepth, st.OutboxBytes)

	old := c.WaitLeader(t, waitLong)
	c.Kill(old.Index)
	nl := c.WaitLeader(t, waitLong)
	require.NotEqual(t, old.Name, nl.Name)
	c.Restart(t, old.Index)
	c.WaitLeader(t, waitLong)

	sw.set(false)
	scans := waitDelivered(t, c, a, len(script))
	seen := map[string]bool{}
	for _, s := range scans {
		assert.False(t, seen[s.GetId()], "scan %s stored twice", s.GetId())
		seen[s.GetId()] = true
	}
	fs, err := c.findings(t, id)
	require.NoError(t, err)
	require.Len(t, fs, 6, "b1..b6, each once")
	status := map[string]pb.FindingStatus{}
	for _, f := range fs {
		status[f.GetResource().GetId()] = f.GetStatus()
	}
	open, resolved := pb.FindingStatus_FINDING_STATUS_OPEN, pb.FindingStatus_FINDING_STATUS_RESOLVED
	assert.Equal(t, map[string]pb.FindingStatus{"b1": resolved, "b2": resolved, "b3": resolved, "b4": open, "b5": resolved, "b6": open}, status)
	b6 := fs[FindingID("aws", "123456789012", "eu-west-1", "aws_s3_bucket", "b6")]
	assert.Equal(t, `"v2"`, b6.GetChanges()[0].GetLiveJson(), "the last content wins")
	st = a.Stats()
	assert.Zero(t, st.BatchesRejected)
	assert.Equal(t, st.LastSeq, st.AckedSeq)
	t.Logf("sent %d, resent %d, duplicates %d", st.BatchesSent, st.BatchesResent, st.Duplicates)
}
