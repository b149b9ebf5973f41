package runner

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// counters are the agent's running totals, guarded by Agent.mu.
type counters struct {
	scans, scanErrors, scansRecorded uint64
	lastScan                         time.Time
	lastScanDuration                 time.Duration
	sent, acked, resent, rejected    uint64
	duplicates, dropped, renewals    uint64
}

func (a *Agent) count(f func(*counters)) {
	a.mu.Lock()
	f(&a.stats)
	a.mu.Unlock()
}

// Stats is a snapshot of the agent.
type Stats struct {
	// AgentID and Tenant are empty until the agent has enrolled or loaded
	// its identity.
	AgentID, Tenant string
	// Connected: the control channel (stream or long-poll) is up.
	Connected  bool
	Controller string

	OutboxDepth  int
	OutboxBytes  int64
	OutboxOldest time.Duration
	OutboxEpoch  uint64
	LastSeq      uint64
	AckedSeq     uint64

	// Scans counts scans run; ScansRecorded those whose outcome reached
	// the outbox; ScanErrors those whose scanner failed.
	Scans, ScansRecorded, ScanErrors uint64
	LastScan                         time.Time
	LastScanDuration                 time.Duration

	// BatchesSent counts Upload calls; BatchesResent those of a seq sent
	// before; BatchesAcked seqs the controller acknowledged;
	// BatchesRejected batches it refused; Duplicates answers that the
	// batch was already applied; BatchesDropped batches pruned by age
	// before delivery.
	BatchesSent, BatchesAcked, BatchesResent, BatchesRejected uint64
	Duplicates, BatchesDropped                                uint64
	// Renewals counts certificate renewals.
	Renewals uint64
	// CertNotAfter is when the current certificate expires.
	CertNotAfter time.Time
}

// Stats returns a snapshot without touching the disk.
func (a *Agent) Stats() Stats {
	ob := a.ob.Stats()
	s := Stats{OutboxDepth: ob.Depth, OutboxBytes: ob.Bytes, OutboxOldest: ob.OldestAge, OutboxEpoch: a.ob.Epoch(),
		LastSeq: ob.LastSeq, AckedSeq: ob.AckedSeq}
	if c := a.cert.Load(); c != nil {
		s.CertNotAfter = c.Leaf.NotAfter
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.id != nil {
		s.AgentID, s.Tenant = a.id.AgentID, a.id.Tenant
	}
	s.Connected, s.Controller = a.connected, a.current
	c := a.stats
	s.Scans, s.ScansRecorded, s.ScanErrors, s.LastScan, s.LastScanDuration = c.scans, c.scansRecorded, c.scanErrors, c.lastScan, c.lastScanDuration
	s.BatchesSent, s.BatchesAcked, s.BatchesResent, s.BatchesRejected = c.sent, c.acked, c.resent, c.rejected
	s.Duplicates, s.BatchesDropped, s.Renewals = c.duplicates, c.dropped, c.renewals
	return s
}

var (
	descDepth     = prometheus.NewDesc("driftmgr_agent_outbox_depth", "Upload batches in the outbox, not yet acknowledged.", nil, nil)
	descBytes     = prometheus.NewDesc("driftmgr_agent_outbox_bytes", "Encoded bytes of the batches in the outbox.", nil, nil)
	descOldest    = prometheus.NewDesc("driftmgr_agent_outbox_oldest_seconds", "Age of the oldest unacknowledged batch.", nil, nil)
	descBatches   = prometheus.NewDesc("driftmgr_agent_batches_total", "Upload batches by result: sent, resent, acked, duplicate, rejected, dropped.", []string{"result"}, nil)
	descConnected = prometheus.NewDesc("driftmgr_agent_connected", "1 while the control channel to a controller is up.", nil, nil)
	descScans     = prometheus.NewDesc("driftmgr_agent_scans_total", "Scans by outcome: ok, error.", []string{"result"}, nil)
	descRenewals  = prometheus.NewDesc("driftmgr_agent_cert_renewals_total", "Client certificate renewals.", nil, nil)
	descCertLeft  = prometheus.NewDesc("driftmgr_agent_cert_expiry_seconds", "Seconds until the client certificate expires.", nil, nil)
)

// Collector returns the agent's Prometheus metrics, read from Stats at
// each scrape.
func (a *Agent) Collector() prometheus.Collector { return collector{a} }

type collector struct{ a *Agent }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDepth, descBytes, descOldest, descBatches, descConnected, descScans, descRenewals, descCertLeft} {
		ch <- d
	}
	c.a.scanHist.Describe(ch)
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	s := c.a.Stats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(descDepth, float64(s.OutboxDepth))
	gauge(descBytes, float64(s.OutboxBytes))
	gauge(descOldest, s.OutboxOldest.Seconds())
	connected := 0.0
	if s.Connected {
		connected = 1
	}
	gauge(descConnected, connected)
	counter(descBatches, s.BatchesSent, "sent")
	counter(descBatches, s.BatchesResent, "resent")
	counter(descBatches, s.BatchesAcked, "acked")
	counter(descBatches, s.Duplicates, "duplicate")
	counter(descBatches, s.BatchesRejected, "rejected")
	counter(descBatches, s.BatchesDropped, "dropped")
	counter(descScans, s.Scans-s.ScanErrors, "ok")
	counter(descScans, s.ScanErrors, "error")
	counter(descRenewals, s.Renewals)
	if !s.CertNotAfter.IsZero() {
		gauge(descCertLeft, s.CertNotAfter.Sub(c.a.cfg.Now()).Seconds())
	}
	c.a.scanHist.Collect(ch)
}
