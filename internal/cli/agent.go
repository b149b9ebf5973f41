package cli

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/driftmgr/driftmgr/agent/runner"
	"github.com/driftmgr/driftmgr/internal/cloudsim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// agentConfig is agent.yaml.
type agentConfig struct {
	Name          string        `yaml:"name"`
	DataDir       string        `yaml:"data_dir"`
	Controllers   []string      `yaml:"controllers"`
	JoinToken     string        `yaml:"join_token"`
	JoinTokenFile string        `yaml:"join_token_file"`
	CAPin         string        `yaml:"ca_pin"`
	CAFile        string        `yaml:"ca_file"`
	UseCheckin    bool          `yaml:"use_checkin"`
	ScanInterval  time.Duration `yaml:"scan_interval"`
	// MetricsAddr serves /metrics and /healthz (e.g. 127.0.0.1:9464).
	MetricsAddr string    `yaml:"metrics_addr"`
	LogLevel    string    `yaml:"log_level"`
	Scan        agentScan `yaml:"scan"`
}

func (c *agentConfig) runnerConfig() (runner.Config, error) {
	var out runner.Config
	if c.DataDir == "" {
		return out, errors.New("data_dir is required")
	}
	if len(c.Controllers) == 0 {
		return out, errors.New("controllers: at least one https://HOST:PORT is required")
	}
	tok := c.JoinToken
	if c.JoinTokenFile != "" {
		b, err := os.ReadFile(c.JoinTokenFile)
		if err != nil {
			return out, fmt.Errorf("join_token_file: %w", err)
		}
		tok = strings.TrimSpace(string(b))
	}
	var caPEM []byte
	if c.CAFile != "" {
		b, err := os.ReadFile(c.CAFile)
		if err != nil {
			return out, fmt.Errorf("ca_file: %w", err)
		}
		caPEM = b
	}
	if len(c.Scan.Providers) == 0 && len(c.Scan.Live) == 0 {
		return out, errors.New("scan: name providers to discover (aws, azure, gcp) or live inventory files")
	}
	return runner.Config{Controllers: c.Controllers, JoinToken: tok, CAPin: c.CAPin, CAPEM: caPEM, DataDir: c.DataDir,
		Name: c.Name, Version: Version, Providers: c.Scan.Providers, ScanInterval: c.ScanInterval, UseCheckin: c.UseCheckin}, nil
}

func newAgentCmd(s Streams) *cobra.Command {
	var path string
	c := &cobra.Command{
		Use:   "agent --config agent.yaml",
		Short: "Run an agent: enroll, discover, detect drift and stream results to the controllers",
		Long: `Run an agent. On its first start it enrolls with a join token (checking the
cluster CA against ca_pin) and keeps its certificate in data_dir; then it scans on
the controller's schedule and on demand, and streams findings as deltas through a
local outbox that survives restarts and controller outages.`,
		Example: `  driftmgr ctl tokens create --uses 1        # prints the token and the CA pin
  driftmgr agent --config /etc/driftmgr/agent.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				return errors.New("--config is required")
			}
			var ac agentConfig
			if err := loadYAML(path, &ac); err != nil {
				return err
			}
			log, err := newLogger(s, ac.LogLevel)
			if err != nil {
				return fmt.Errorf("config %s: %w", path, err)
			}
			cfg, err := ac.runnerConfig()
			if err != nil {
				return fmt.Errorf("config %s: %w", path, err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// A simulated world lives as long as the agent, so it can be
			// mutated between scans.
			var sim *cloudsim.Server
			if ac.Scan.Simulate != "" {
				w, err := world.Load(ac.Scan.Simulate)
				if err != nil {
					return err
				}
				if sim, err = cloudsim.Start(w); err != nil {
					return err
				}
				defer sim.Close()
			}
			sc := ac.Scan.scanner(sim)
			cfg.Scanner = sc
			cfg.Logger = log
			a, err := runner.New(cfg)
			if err != nil {
				return err
			}
			defer a.Close()
			if ac.MetricsAddr != "" {
				addr, stopMetrics, err := serveAgentMetrics(ac.MetricsAddr, append(sc.Collectors(), a.Collector()))
				if err != nil {
					return err
				}
				defer stopMetrics()
				log.Info("agent metrics", "url", "http://"+addr+"/metrics")
			}
			if err := a.Run(ctx); err != nil && ctx.Err() == nil {
				return err
			}
			return nil
		},
	}
	c.Flags().StringVar(&path, "config", "", "agent.yaml")
	return c
}

// serveAgentMetrics serves /metrics and /healthz for an agent.
func serveAgentMetrics(addr string, cs []prometheus.Collector) (string, func(), error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(cs...)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("metrics_addr %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() { _ = srv.Close() }, nil
}
