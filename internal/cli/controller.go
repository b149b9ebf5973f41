package cli

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/driftmgr/driftmgr/console"
	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/node"
	"github.com/driftmgr/driftmgr/controller/oidc"
	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/controller/quota"
)

// controllerConfig is controller.yaml.
type controllerConfig struct {
	Name            string   `yaml:"name"`
	DataDir         string   `yaml:"data_dir"`
	RaftAddr        string   `yaml:"raft_addr"`
	RaftAdvertise   string   `yaml:"raft_advertise"`
	GossipAddr      string   `yaml:"gossip_addr"`
	APIAddr         string   `yaml:"api_addr"`
	HTTPAddr        string   `yaml:"http_addr"`
	Join            []string `yaml:"join"`
	BootstrapExpect int      `yaml:"bootstrap_expect"`
	// GossipKey is base64 of 16, 24 or 32 random bytes
	// (`driftmgr tls gossip-key`).
	GossipKey string `yaml:"gossip_key"`
	TLS       struct {
		CAFile    string `yaml:"ca_file"`
		CAKeyFile string `yaml:"ca_key_file"`
		CertFile  string `yaml:"cert_file"`
		KeyFile   string `yaml:"key_file"`
	} `yaml:"tls"`
	ScanInterval      time.Duration `yaml:"scan_interval"`
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	AgentCertTTL      time.Duration `yaml:"agent_cert_ttl"`
	// Quotas per tenant: default and per-tenant overrides of API rate,
	// streams, upload bytes, agents and tracked resources.
	Quotas quota.Config `yaml:"quotas"`
	// OIDC turns on console sign-in: single sign-on, local passwords or
	// both (oidcConfig).
	OIDC     *oidcConfig `yaml:"oidc"`
	LogLevel string      `yaml:"log_level"`
}

// oidcConfig is controller.yaml's oidc section: controller/oidc's
// settings (issuer, client_id, client_secret, redirect_url, scopes,
// groups_claim, tenant_claim, mappings, cookie_secure, session_ttl,
// idle_timeout, allow_password_login, allowed_origins) and the key that
// seals the login flow's cookie.
type oidcConfig struct {
	oidc.Config `yaml:",inline"`
	// StateKey is base64 of 32 random bytes, the same on every controller.
	// Empty derives it from the cluster CA key, which they all hold.
	StateKey string `yaml:"state_key"`
}

// oidcSecretEnv supplies client_secret when the YAML leaves it empty, so
// the secret need not sit in the file.
const oidcSecretEnv = "DRIFTMGR_OIDC_CLIENT_SECRET"

// config checks the section and returns the controller's settings; errors
// name the field.
func (o *oidcConfig) config() (*oidc.Config, error) {
	c := o.Config
	if c.ClientSecret == "" {
		c.ClientSecret = os.Getenv(oidcSecretEnv)
	}
	if o.StateKey != "" {
		key, err := base64.StdEncoding.DecodeString(o.StateKey)
		if err != nil {
			return nil, fmt.Errorf("oidc.state_key: not base64: %w", err)
		}
		if len(key) != 32 {
			return nil, fmt.Errorf("oidc.state_key: want 32 bytes, got %d (openssl rand -base64 32)", len(key))
		}
		c.StateKey = key
	}
	if err := c.Validate(); err != nil {
		return nil, err // "oidc: bad config: <key>: ..."
	}
	return &c, nil
}

// loadYAML reads a YAML file strictly: an unknown key is an error naming
// it, so a typo does not silently fall back to a default.
func loadYAML(path string, into any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

func (c *controllerConfig) build(log *slog.Logger) (controller.Config, error) {
	var out controller.Config
	need := map[string]string{"name": c.Name, "data_dir": c.DataDir, "raft_addr": c.RaftAddr, "gossip_addr": c.GossipAddr,
		"api_addr": c.APIAddr, "tls.ca_file": c.TLS.CAFile, "tls.ca_key_file": c.TLS.CAKeyFile, "tls.cert_file": c.TLS.CertFile, "tls.key_file": c.TLS.KeyFile}
	for _, k := range []string{"name", "data_dir", "raft_addr", "gossip_addr", "api_addr", "tls.ca_file", "tls.ca_key_file", "tls.cert_file", "tls.key_file"} {
		if need[k] == "" {
			return out, fmt.Errorf("%s is required", k)
		}
	}
	caPEM, err := os.ReadFile(c.TLS.CAFile)
	if err != nil {
		return out, fmt.Errorf("tls.ca_file: %w", err)
	}
	caKey, err := os.ReadFile(c.TLS.CAKeyFile)
	if err != nil {
		return out, fmt.Errorf("tls.ca_key_file: %w", err)
	}
	ca, err := pki.LoadCA(caPEM, caKey)
	if err != nil {
		return out, err
	}
	cert, err := tls.LoadX509KeyPair(c.TLS.CertFile, c.TLS.KeyFile)
	if err != nil {
		return out, fmt.Errorf("tls.cert_file/key_file: %w", err)
	}
	var key []byte
	if c.GossipKey != "" {
		if key, err = base64.StdEncoding.DecodeString(c.GossipKey); err != nil {
			return out, fmt.Errorf("gossip_key: not base64: %w", err)
		}
	}
	var login *oidc.Config
	if c.OIDC != nil {
		if login, err = c.OIDC.config(); err != nil {
			return out, err
		}
	}
	out = controller.Config{
		APIAddr: c.APIAddr, HTTPAddr: c.HTTPAddr, ScanInterval: c.ScanInterval, HeartbeatInterval: c.HeartbeatInterval,
		AgentCertTTL: c.AgentCertTTL, Quotas: c.Quotas, OIDC: login, Logger: log, Extra: map[string]http.Handler{"/": console.Handler()},
		Node: node.Config{Name: c.Name, DataDir: c.DataDir, RaftAddr: c.RaftAddr, RaftAdvertise: c.RaftAdvertise,
			GossipAddr: c.GossipAddr, Join: c.Join, BootstrapExpect: c.BootstrapExpect, GossipKey: key, CA: ca, Cert: cert, Logger: log},
	}
	return out, nil
}

func newLogger(s Streams, level string) (*slog.Logger, error) {
	var l slog.Level
	if level != "" {
		if err := l.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("log_level %q: want debug, info, warn or error", level)
		}
	}
	return slog.New(slog.NewJSONHandler(s.Err, &slog.HandlerOptions{Level: l})), nil
}

func newControllerCmd(s Streams) *cobra.Command {
	var path string
	c := &cobra.Command{
		Use:   "controller --config controller.yaml",
		Short: "Run a controller node (raft-replicated; joins its peers)",
		Long: `Run a controller node. Controllers form a raft cluster of 1, 3 or 5 nodes;
they gossip among themselves (memberlist), replicate state through raft and
serve the API (Connect, gRPC, gRPC-Web and REST on one TLS port) to agents,
operators and the console.

Create the cluster's CA and each node's certificate with 'driftmgr tls', then
bootstrap the first admin API key with 'driftmgr ctl bootstrap'.`,
		Example: `  driftmgr tls ca create --dir /etc/driftmgr/tls
  driftmgr tls cert create --dir /etc/driftmgr/tls --name ctl-1 --host 10.0.0.11
  driftmgr controller --config /etc/driftmgr/controller.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				return errors.New("--config is required")
			}
			var cc controllerConfig
			if err := loadYAML(path, &cc); err != nil {
				return err
			}
			log, err := newLogger(s, cc.LogLevel)
			if err != nil {
				return fmt.Errorf("config %s: %w", path, err)
			}
			cfg, err := cc.build(log)
			if err != nil {
				return fmt.Errorf("config %s: %w", path, err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			srv, err := controller.Start(ctx, cfg)
			if err != nil {
				return err
			}
			<-ctx.Done()
			log.Info("shutting down: transferring leadership and leaving the cluster")
			return srv.Shutdown(true)
		},
	}
	c.Flags().StringVar(&path, "config", "", "controller.yaml")
	return c
}
