package cli

import (
	"context"
	"io"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim"
	"github.com/driftmgr/driftmgr/internal/drift"
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
// schedule.
type scanner struct {
	flags *scanFlags
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
	return &scanner{flags: f}
}

// Scan runs one comparison.
func (s *scanner) Scan(ctx context.Context) (*drift.Result, []discovery.Skip, error) {
	out, err := s.flags.compute(ctx, newProgress(io.Discard, false))
	if err != nil {
		return nil, nil, err
	}
	return out.result, out.skips, nil
}
