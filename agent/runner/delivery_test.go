package runner

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// enrolledAgent starts an agent against c with a fresh token.
func enrolledAgent(t *testing.T, c *cluster, sc Scanner, tune func(*Config)) (*runningAgent, Config) {
	t.Helper()
	secret, pin := c.token(t, 0, 1)
	cfg := baseConfig(c, t.TempDir(), sc)
	cfg.JoinToken, cfg.CAPin, cfg.CAPEM = secret, pin, c.CA.CertPEM
	if tune != nil {
		tune(&cfg)
	}
	a := startAgent(t, cfg)
	a.waitEnrolled(t)
	return a, cfg
}

// waitDelivered waits until the controller holds n scans of the agent and
// its outbox is empty.
func waitDelivered(t *testing.T, c *cluster, a *runningAgent, scans int) []*pb.Scan {
	t.Helper()
	var got []*pb.Scan
	require.Eventually(t, func() bool {
		s, err := c.scans(t, a.Stats().AgentID)
		got = s
		return err == nil && len(s) >= scans && a.Stats().OutboxDepth == 0
	}, waitLong, 20*time.Millisecond)
	require.Len(t, got, scans, "scans on the controller")
	return got
}

func TestFindingsDeliveredExactlyOnceAsDeltas(t *testing.T) {
	c := startCluster(t, 3, nil)
	sc := &fakeScanner{}
	a1, a2, a3 := finding("b1", drift.Modified, "prod", "dev"), finding("b2", drift.Unmanaged, nil, nil), finding("b3", drift.Missing, nil, nil)
	sc.set(a1, a2, a3)
	a, _ := enrolledAgent(t, c, sc, nil)
	id := a.Stats().AgentID
	scans := waitDelivered(t, c, a, 1)
	assert.True(t, scans[0].GetFullSync(), "the first scan is a full sync")
	assert.Equal(t, "startup", scans[0].GetTrigger())
	assert.EqualValues(t, 1, scans[0].GetSummary().GetModified())

	fs, err := c.findings(t, id)
	require.NoError(t, err)
	require.Len(t, fs, 3)
	b1 := fs[FindingID("aws", "123456789012", "eu-west-1", "aws_s3_bucket", "b1")]
	require.NotNil(t, b1)
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, b1.GetStatus())
	assert.Equal(t, pb.DriftKind_DRIFT_KIND_MODIFIED, b1.GetKind())
	assert.Equal(t, pb.Severity_SEVERITY_HIGH, b1.GetSeverity())
	assert.Equal(t, "aws_s3_bucket.b1", b1.GetResource().GetAddress())
	require.Len(t, b1.GetChanges(), 1)
	assert.Equal(t, `"prod"`, b1.GetChanges()[0].GetStateJson())
	assert.Equal(t, `"dev"`, b1.GetChanges()[0].GetLiveJson())
	assert.Equal(t, scans[0].GetId(), b1.GetScanId())
	rev := map[string]uint64{}
	for fid, f := range fs {
		rev[fid] = f.GetRevision()
	}

	// Second scan: b1 changed, b2 unchanged, b3 gone.
	sentBefore := a.Stats().BatchesSent
	sc.set(finding("b1", drift.Modified, "prod", "staging"), a2)
	c.triggerScan(t, 0, id)
	scans = waitDelivered(t, c, a, 2)
	require.Len(t, scans, 2)
	fs, err = c.findings(t, id)
	require.NoError(t, err)
	require.Len(t, fs, 3)
	b1 = fs[FindingID("aws", "123456789012", "eu-west-1", "aws_s3_bucket", "b1")]
	b2 := fs[FindingID("aws", "123456789012", "eu-west-1", "aws_s3_bucket", "b2")]
	b3 := fs[FindingID("aws", "123456789012", "eu-west-1", "aws_s3_bucket", "b3")]
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, b1.GetStatus())
	assert.Greater(t, b1.GetRevision(), rev[b1.GetId()], "the changed finding is upserted")
	assert.Equal(t, `"staging"`, b1.GetChanges()[0].GetLiveJson())
	assert.Equal(t, rev[b2.GetId()], b2.GetRevision(), "the unchanged finding is not sent again")
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_RESOLVED, b3.GetStatus())
	assert.Greater(t, b3.GetRevision(), rev[b3.GetId()])
	assert.Equal(t, b1.GetRevision(), b3.GetRevision(), "one upsert and one resolution, in one batch")
	st := a.Stats()
	assert.EqualValues(t, 1, st.BatchesSent-sentBefore, "one batch for the second scan")
	assert.Zero(t, st.Duplicates)
	assert.Zero(t, st.BatchesRejected)
	assert.EqualValues(t, 2, st.ScansRecorded)

	// A failed scan records the error and resolves nothing.
	sc.setErr(assert.AnError)
	c.triggerScan(t, 1, id)
	scans = waitDelivered(t, c, a, 3)
	var failed int
	for _, s := range scans {
		if s.GetError() != "" {
			failed++
			assert.False(t, s.GetFullSync())
		}
	}
	assert.Equal(t, 1, failed)
	fs, err = c.findings(t, id)
	require.NoError(t, err)
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_OPEN, fs[b2.GetId()].GetStatus())
}

func TestLostAckResendIsADuplicate(t *testing.T) {
	c := startCluster(t, 1, nil)
	sc := &fakeScanner{}
	sc.set(finding("b1", drift.Unmanaged, nil, nil), finding("b2", drift.Missing, nil, nil))
	drop := &ackDropper{}
	drop.n.Store(2)
	a, cfg := enrolledAgent(t, c, sc, func(cfg *Config) {
		cfg.HTTPClient = func(tc *tls.Config, http1 bool) *http.Client {
			hc := defaultHTTPClient(tc, http1)
			drop.next = hc.Transport
			hc.Transport = drop
			return hc
		}
	})
	id := a.Stats().AgentID
	waitDelivered(t, c, a, 1)
	st := a.Stats()
	assert.GreaterOrEqual(t, st.Duplicates, uint64(1), "the resend of a committed batch is reported as a duplicate")
	assert.GreaterOrEqual(t, st.BatchesResent, uint64(1))
	fs, err := c.findings(t, id)
	require.NoError(t, err)
	assert.Len(t, fs, 2)
	require.NoError(t, a.stop(t))

	// Lost acks across a restart: the controller applies everything, the
	// agent hears nothing and stops; on restart Welcome tells it what is
	// committed and nothing is sent twice.
	drop.n.Store(1 << 20)
	sc.set(finding("b1", drift.Unmanaged, nil, nil), finding("b3", drift.Unmanaged, nil, nil))
	cfg.JoinToken = ""
	b := startAgent(t, cfg)
	require.Eventually(t, func() bool {
		s, err := c.scans(t, id)
		return err == nil && len(s) == 2
	}, waitLong, 20*time.Millisecond)
	require.Positive(t, b.Stats().OutboxDepth, "no ack reached the agent")
	require.NoError(t, b.stop(t))
	drop.n.Store(0)
	sc.hold, sc.holdAfter = true, 0
	r := startAgent(t, cfg)
	require.Eventually(t, func() bool { return r.Stats().OutboxDepth == 0 }, waitLong, 10*time.Millisecond)
	assert.Zero(t, r.Stats().BatchesSent, "Welcome acked what was committed")
	scans, err := c.scans(t, id)
	require.NoError(t, err)
	assert.Len(t, scans, 2)
	fs, err = c.findings(t, id)
	require.NoError(t, err)
	assert.Len(t, fs, 3)
	assert.Equal(t, pb.FindingStatus_FINDING_STATUS_RESOLVED, fs[FindingID("aws", "123456789012", "eu-west-1", "aws_s3_bucket", "b2")].GetStatus())
}
