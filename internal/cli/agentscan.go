package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/agent/runner"
	"github.com/driftmgr/driftmgr/internal/cloudsim"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/scan"
	"github.com/driftmgr/driftmgr/internal/scan/regopolicy"
)

// agentScan is an agent's scan: the same comparison `driftmgr scan` runs,
// from the scan section of agent.yaml.
type agentScan struct {
	States      []string `yaml:"states"`
	Live        []string `yaml:"live"`
	Providers   []string `yaml:"providers"`
	Accounts    []string `yaml:"accounts"`
	Regions     []string `yaml:"regions"`
	ExternalID  string   `yaml:"external_id"`
	Simulate    string   `yaml:"simulate"`
	Driftignore string   `yaml:"driftignore"`
	Config      string   `yaml:"config"`
	Filter      string   `yaml:"filter"`
	Concurrency int      `yaml:"concurrency"`
	Rate        float64  `yaml:"rate"`
	Dir         string   `yaml:"dir"`
	S3Endpoint  string   `yaml:"s3_endpoint"`
	S3PathStyle bool     `yaml:"s3_path_style"`
	GCSEndpoint string   `yaml:"gcs_endpoint"`
	AzureBlob   string   `yaml:"azure_blob_endpoint"`
	TFCHost     string   `yaml:"tfc_host"`
}

// scanner is the agent's view of a scan: the runner calls Scan on its
// schedule. It counts the cloud API calls and throttling answers of every
// discovery for the agent's metrics.
type scanner struct {
	flags     *scanFlags
	calls     *prometheus.CounterVec
	throttled *prometheus.CounterVec

	// last is the latest successful scan, judged by Security and then
	// dropped (it holds every resource read).
	last *scanOutcome
	// policies are the tenant's compiled policies at policyRev.
	policies  *regopolicy.Set
	policyRev uint64
}

// Collectors are the scanner's metrics.
func (s *scanner) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.calls, s.throttled}
}

// apiLabel names a limiter key without the credential part: AWS keys end
// in the access key id, which does not belong in metrics.
func apiLabel(key string) string {
	if strings.HasPrefix(key, "aws:") {
		if i := strings.LastIndex(key, ":"); i > len("aws:") {
			return key[:i]
		}
	}
	return key
}

func (s *scanner) record(stats map[string]discovery.KeyStats) {
	for k, st := range stats {
		l := apiLabel(k)
		s.calls.WithLabelValues(l).Add(float64(st.Calls))
		s.throttled.WithLabelValues(l).Add(float64(st.Throttled))
	}
}

func (a *agentScan) scanner(sim *cloudsim.Server) *scanner {
	f := &scanFlags{states: a.States, live: a.Live, driftignore: a.Driftignore, config: a.Config, filter: a.Filter}
	f.dir = a.Dir
	if f.dir == "" {
		f.dir = "."
	}
	f.s3Endpoint, f.s3PathStyle, f.gcsEndpoint, f.azureEndpoint, f.tfcHost = a.S3Endpoint, a.S3PathStyle, a.GCSEndpoint, a.AzureBlob, a.TFCHost
	f.discover = discoverFlags{providers: a.Providers, accounts: a.Accounts, regions: a.Regions, externalID: a.ExternalID,
		simulate: a.Simulate, concurrency: a.Concurrency, rate: a.Rate, sim: sim}
	if f.discover.concurrency == 0 {
		f.discover.concurrency = 8
	}
	if f.discover.rate == 0 {
		f.discover.rate = 20
	}
	sc := &scanner{flags: f,
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "driftmgr_agent_discovery_api_calls_total",
			Help: "Cloud API calls made by discovery, by provider, service and region."}, []string{"api"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "driftmgr_agent_discovery_throttled_total",
			Help: "Throttling answers discovery received, by provider, service and region."}, []string{"api"}),
	}
	f.discover.onStats = sc.record
	return sc
}

// Scan runs one comparison.
func (s *scanner) Scan(ctx context.Context) (*drift.Result, []discovery.Skip, error) {
	s.last = nil
	out, err := s.flags.compute(ctx, newProgress(io.Discard, false))
	if err != nil {
		return nil, nil, err
	}
	s.last = out
	return out.result, out.skips, nil
}

// Security judges the resources of the last scan: built-in checks,
// secrets, drift x security, and the tenant's policies (compiled again
// only when their revision moved).
func (s *scanner) Security(ctx context.Context, pol runner.Policies) (*runner.SecurityReport, error) {
	out := s.last
	s.last = nil
	if out == nil {
		return nil, errors.New("security scan: no completed scan to judge")
	}
	if s.policies == nil || pol.Revision != s.policyRev {
		set, err := regopolicy.Load(ctx, pol.Sources)
		if err != nil {
			return nil, fmt.Errorf("tenant policies at revision %d: %w", pol.Revision, err)
		}
		s.policies, s.policyRev = set, pol.Revision
	}
	in := scan.Input{State: out.state, Live: out.live, Drift: out.result, Outputs: localOutputs(out.sources)}
	judged := in.Live
	if len(judged) == 0 {
		judged = in.State
	}
	rep := &runner.SecurityReport{PolicyChecks: map[string]bool{}}
	if len(s.policies.Policies) > 0 {
		var err error
		if in.Custom, err = s.policies.Evaluate(ctx, judged, regopolicy.Options{}); err != nil {
			return nil, fmt.Errorf("tenant policies: %w", err)
		}
		in.CustomChecks = s.policies.Checks()
		for _, c := range in.CustomChecks {
			rep.PolicyChecks[c.ID] = true
		}
	}
	rep.Report = scan.Run(in)
	return rep, nil
}
