package runner

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/internal/drift"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

func TestRefusedBatchIsSkippedNotWedged(t *testing.T) {
	c := startCluster(t, 1, nil)
	sc := &fakeScanner{}
	sc.set(finding("b1", drift.Unmanaged, nil, nil))
	a, _ := enrolledAgent(t, c, sc, nil)
	id := a.Stats().AgentID
	waitDelivered(t, c, a, 1)

	// A record the controller refuses, as a damaged or forged batch
	// would carry.
	bad, err := proto.Marshal(&pb.Record{})
	require.NoError(t, err)
	_, err = a.ob.Append(context.Background(), [][]byte{bad})
	require.NoError(t, err)
	a.up.wakeUp()
	require.Eventually(t, func() bool { return a.Stats().BatchesRejected == 1 && a.Stats().OutboxDepth == 0 }, waitLong, 10*time.Millisecond)

	sc.set(finding("b1", drift.Unmanaged, nil, nil), finding("b2", drift.Unmanaged, nil, nil))
	c.triggerScan(t, 0, id)
	waitDelivered(t, c, a, 2)
	fs, err := c.findings(t, id)
	require.NoError(t, err)
	assert.Len(t, fs, 2)
	st := a.Stats()
	assert.EqualValues(t, 1, st.BatchesRejected)
	assert.Equal(t, st.LastSeq, st.AckedSeq)

	reg := prometheus.NewRegistry()
	reg.MustRegister(a.Collector())
	mfs, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += "{" + l.GetValue() + "}"
			}
			switch {
			case m.GetGauge() != nil:
				got[name] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				got[name] = m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				got[name] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	assert.Equal(t, 1.0, got["driftmgr_agent_connected"])
	assert.Equal(t, 0.0, got["driftmgr_agent_outbox_depth"])
	assert.Contains(t, got, "driftmgr_agent_outbox_bytes")
	assert.Contains(t, got, "driftmgr_agent_outbox_oldest_seconds")
	assert.Equal(t, 2.0, got["driftmgr_agent_scan_duration_seconds"])
	assert.Equal(t, 1.0, got["driftmgr_agent_batches_total{rejected}"])
	assert.GreaterOrEqual(t, got["driftmgr_agent_batches_total{acked}"], 3.0)
	assert.Positive(t, got["driftmgr_agent_cert_expiry_seconds"])
}

type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// Batches pruned by age while offline are declared lost to the controller
// (lost_through), which moves on instead of waiting for them forever.
func TestPrunedBatchesAreDeclaredLost(t *testing.T) {
	c := startCluster(t, 1, nil)
	sc := &fakeScanner{}
	sc.set(finding("b1", drift.Unmanaged, nil, nil))
	sw := &netSwitch{}
	clk := &testClock{}
	a, _ := enrolledAgent(t, c, sc, func(cfg *Config) {
		cfg.HTTPClient = sw.client
		cfg.Outbox.Now = clk.now
		cfg.Outbox.MaxAge = time.Hour
		cfg.PruneInterval = 20 * time.Millisecond
	})
	id := a.Stats().AgentID
	waitDelivered(t, c, a, 1)

	sw.set(true)
	require.Eventually(t, func() bool { return !a.Stats().Connected }, waitLong, 10*time.Millisecond)
	sc.set(finding("b2", drift.Unmanaged, nil, nil))
	for i := range 3 {
		a.requestScan("command")
		require.Eventually(t, func() bool { return a.Stats().ScansRecorded == uint64(2+i) }, waitLong, 5*time.Millisecond)
	}
	require.Equal(t, 3, a.Stats().OutboxDepth)
	clk.advance(2 * time.Hour)
	require.Eventually(t, func() bool { return a.Stats().BatchesDropped == 3 }, waitLong, 10*time.Millisecond)

	sc.set(finding("b3", drift.Unmanaged, nil, nil))
	sw.set(false)
	c.triggerScan(t, 0, id)
	waitDelivered(t, c, a, 2)
	fs, err := c.findings(t, id)
	require.NoError(t, err)
	ids := map[string]pb.FindingStatus{}
	for _, f := range fs {
		ids[f.GetResource().GetId()] = f.GetStatus()
	}
	assert.Equal(t, map[string]pb.FindingStatus{"b1": pb.FindingStatus_FINDING_STATUS_RESOLVED, "b3": pb.FindingStatus_FINDING_STATUS_OPEN}, ids,
		"b2 was only in the lost batches; the delta state still resolves b1")
	assert.Zero(t, a.Stats().BatchesRejected)
}
