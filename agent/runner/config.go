package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// Scanner runs one drift scan. It is the edge of this package: the agent
// command plugs in state readers, discovery and the drift engine; tests
// plug in results they control.
type Scanner interface {
	// Scan compares state with the cloud once. Skips name what could not
	// be read; an error means the scan as a whole failed, and then the
	// result (if any) is not trusted to resolve findings.
	Scan(ctx context.Context) (*drift.Result, []discovery.Skip, error)
}

// Defaults of Config.
const (
	DefaultInFlight          = 4
	MaxInFlight              = 8
	DefaultScanInterval      = 15 * time.Minute
	DefaultHeartbeatInterval = 10 * time.Second
	DefaultMinBackoff        = 100 * time.Millisecond
	DefaultMaxBackoff        = 30 * time.Second
	DefaultPruneInterval     = time.Minute
)

// Config is one agent's settings.
type Config struct {
	// Controllers are controller API base URLs (https://host:port), tried
	// in order. Any node will do: followers forward writes to the leader.
	Controllers []string
	// JoinToken is used once, on the first start, to enroll.
	JoinToken string
	// CAPin is the cluster CA's pin ("sha256:<hex>", shown with the join
	// token). The CA returned at enrollment must match it.
	CAPin string
	// CAPEM optionally holds CA certificates to trust for the first
	// (enrollment) connection. Without it the controller's TLS chain must
	// include a CA certificate whose key matches CAPin.
	CAPEM []byte
	// DataDir holds the identity (key.pem, cert.pem, ca.pem, agent.json),
	// the outbox (outbox.db) and what was sent (delta.db).
	DataDir string
	// Name is the agent's display name (default: the hostname).
	Name string
	// Version is reported at enrollment and in Hello.
	Version string
	// Providers are the clouds this agent scans, reported in Hello.
	Providers []string
	// Scanner runs the scans.
	Scanner Scanner
	// ScanInterval overrides the schedule the controller sends in Welcome
	// (0: the controller's, or 15 minutes before it has said). Each wait
	// is jittered by ±10% so a fleet does not scan in lockstep.
	ScanInterval time.Duration
	// HeartbeatInterval is used when the controller has not sent one: in
	// Checkin mode (it is also the long-poll wait) and before Welcome
	// (0: 10 s).
	HeartbeatInterval time.Duration
	// InFlight is how many upload batches may be unacked at once
	// (0: 4, at most 8).
	InFlight int
	// UseCheckin uses Checkin long-polls over HTTP/1.1 instead of the
	// Control stream, for paths through HTTP/1.1-only proxies.
	UseCheckin bool
	// MinBackoff and MaxBackoff bound the reconnect backoff
	// (0: 100 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// PruneInterval is how often batches past Outbox.MaxAge are dropped
	// (0: one minute).
	PruneInterval time.Duration
	// Outbox tunes the outbox file; Now and Logger default to the
	// agent's.
	Outbox outbox.Options
	Logger *slog.Logger
	// Now is the clock (nil: time.Now). Timers still run in real time.
	Now func() time.Time
	// HTTPClient, if set, builds the HTTP client for a TLS config; http1
	// asks for an HTTP/1.1-only client (Checkin mode). The client must use
	// the config as given: it carries the pinned CA and the client
	// certificate.
	HTTPClient func(tlsConfig *tls.Config, http1 bool) *http.Client
}

func (c Config) withDefaults() (Config, error) {
	if len(c.Controllers) == 0 {
		return c, errors.New("runner: Config.Controllers: at least one controller URL is required")
	}
	for i, u := range c.Controllers {
		p, err := url.Parse(u)
		if err != nil || p.Scheme != "https" || p.Host == "" {
			return c, fmt.Errorf("runner: Config.Controllers[%d]: %q is not an https://host:port URL", i, u)
		}
	}
	if c.DataDir == "" {
		return c, errors.New("runner: Config.DataDir: required")
	}
	if c.Scanner == nil {
		return c, errors.New("runner: Config.Scanner: required")
	}
	switch {
	case c.InFlight == 0:
		c.InFlight = DefaultInFlight
	case c.InFlight < 0 || c.InFlight > MaxInFlight:
		return c, fmt.Errorf("runner: Config.InFlight: %d, want 1..%d", c.InFlight, MaxInFlight)
	}
	if c.ScanInterval < 0 || c.HeartbeatInterval < 0 || c.MinBackoff < 0 || c.MaxBackoff < 0 || c.PruneInterval < 0 {
		return c, errors.New("runner: Config: intervals and backoffs must not be negative")
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.MaxBackoff < c.MinBackoff {
		return c, fmt.Errorf("runner: Config.MaxBackoff %s is below MinBackoff %s", c.MaxBackoff, c.MinBackoff)
	}
	if c.PruneInterval == 0 {
		c.PruneInterval = DefaultPruneInterval
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Name == "" {
		c.Name, _ = os.Hostname()
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.HTTPClient == nil {
		c.HTTPClient = defaultHTTPClient
	}
	if c.Outbox.Now == nil {
		c.Outbox.Now = c.Now
	}
	if c.Outbox.Logger == nil {
		c.Outbox.Logger = c.Logger
	}
	return c, nil
}
