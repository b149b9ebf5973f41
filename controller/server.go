// Package controller is a controller node's server: the raft node from
// controller/node plus the Connect, gRPC, gRPC-Web and REST API on one
// port, agent enrollment and streams, metrics and health endpoints.
package controller

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/vanguard"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/driftmgr/driftmgr/controller/node"
	"github.com/driftmgr/driftmgr/controller/oidc"
	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/controller/quota"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Config is one controller's settings.
type Config struct {
	Node node.Config
	// APIAddr is the TLS listener for agents, operators and peers
	// (host:port; port 0 picks one). Node.APIAddr is set from it.
	APIAddr string
	// HTTPAddr, if set, serves the same API (and later the console)
	// without TLS: for `driftmgr dev` and a local reverse proxy. Agents
	// cannot authenticate there.
	HTTPAddr string
	// HeartbeatInterval is how often agents send heartbeats; an agent
	// silent for three intervals is marked disconnected.
	HeartbeatInterval time.Duration
	// ScanInterval is the agents' scan schedule, sent in Welcome.
	ScanInterval time.Duration
	// AgentCertTTL is the lifetime of agent certificates.
	AgentCertTTL time.Duration
	// Quotas limit each tenant's API rate, streams, upload bytes, agents
	// and tracked resources (zero: unlimited).
	Quotas quota.Config
	// KeyUseFlushInterval is how often API keys' last use is written
	// through raft (default a minute; see keyUsage).
	KeyUseFlushInterval time.Duration
	// OIDC, if set, serves console sign-in under /auth/ (single sign-on,
	// local passwords or both; login.go) and lets a session cookie
	// authenticate API calls. nil: no console sign-in.
	OIDC *oidc.Config
	// SessionSweepInterval is how often the leader forgets expired console
	// sessions (default a minute).
	SessionSweepInterval time.Duration
	// Extra mounts more handlers (the console) on the API mux.
	Extra  map[string]http.Handler
	Logger *slog.Logger
}

// Server is a running controller.
type Server struct {
	cfg      Config
	log      *slog.Logger
	node     *node.Node
	sessions *sessions
	events   *broker
	metrics  *metrics
	audit    *auditor
	limits   *quota.Limiter
	// quotasChanged wakes tenantQuotasLoop.
	quotasChanged chan struct{}
	keyUse        *keyUsage
	keyCache      *keyCache
	login         *oidc.Handler // console sign-in; nil without Config.OIDC

	apiLn, httpLn net.Listener
	apiSrv        *http.Server
	httpSrv       *http.Server
	wg            sync.WaitGroup
	stopOnce      sync.Once
}

// Start starts a controller node and its API.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 10 * time.Second
	}
	if cfg.ScanInterval == 0 {
		cfg.ScanInterval = 15 * time.Minute
	}
	if cfg.AgentCertTTL == 0 {
		cfg.AgentCertTTL = 24 * time.Hour
	}
	if cfg.KeyUseFlushInterval == 0 {
		cfg.KeyUseFlushInterval = time.Minute
	}
	if cfg.SessionSweepInterval == 0 {
		cfg.SessionSweepInterval = time.Minute
	}
	if cfg.Node.CA == nil || len(cfg.Node.Cert.Certificate) == 0 {
		return nil, errors.New("controller: the cluster CA and this node's certificate are required")
	}
	if err := cfg.Quotas.Validate(); err != nil {
		return nil, fmt.Errorf("controller: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("node", cfg.Node.Name), limits: quota.NewLimiter(cfg.Quotas), keyUse: newKeyUsage(), keyCache: newKeyCache(),
		quotasChanged: make(chan struct{}, 1)}
	apiLn, err := net.Listen("tcp", cfg.APIAddr)
	if err != nil {
		return nil, fmt.Errorf("controller %s: listen %s: %w", cfg.Node.Name, cfg.APIAddr, err)
	}
	s.apiLn = apiLn
	cfg.Node.APIAddr = apiLn.Addr().String()
	var m atomic.Pointer[metrics]
	cfg.Node.ObserveApply = func(cmd string, d time.Duration, err error) {
		if mm := m.Load(); mm != nil {
			mm.observeApply(cmd, d, err)
		}
	}
	if s.node, err = node.Start(ctx, cfg.Node); err != nil {
		apiLn.Close()
		return nil, err
	}
	s.sessions = newSessions()
	s.events = newBroker(s)
	s.audit = newAuditor(s)
	s.metrics = newMetrics(s)
	m.Store(s.metrics)
	s.node.FSM().OnChange(s.events.publish)
	s.node.FSM().OnChange(s.sessions.onChange)
	if cfg.OIDC != nil {
		if s.login, err = s.newLogin(); err != nil {
			s.node.Shutdown(false)
			apiLn.Close()
			return nil, err
		}
	}

	handler, err := s.handler()
	if err != nil {
		s.node.Shutdown(false)
		apiLn.Close()
		return nil, err
	}
	tlsCfg := cfg.Node.CA.ServerTLS(cfg.Node.Cert, s.serialRevoked)
	s.apiSrv = &http.Server{Handler: handler, TLSConfig: tlsCfg, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	s.apiSrv.Protocols = new(http.Protocols)
	s.apiSrv.Protocols.SetHTTP1(true)
	s.apiSrv.Protocols.SetHTTP2(true)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.apiSrv.Serve(tls.NewListener(apiLn, tlsCfg)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("api server", "err", err)
		}
	}()
	if cfg.HTTPAddr != "" {
		if s.httpLn, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
			s.Shutdown(false)
			return nil, fmt.Errorf("controller %s: listen %s: %w", cfg.Node.Name, cfg.HTTPAddr, err)
		}
		// Plain HTTP/1.1 for browsers and curl, and unencrypted HTTP/2
		// (h2c) for gRPC clients on a trusted network.
		s.httpSrv = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, Protocols: new(http.Protocols)}
		s.httpSrv.Protocols.SetHTTP1(true)
		s.httpSrv.Protocols.SetUnencryptedHTTP2(true)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.httpSrv.Serve(s.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("http server", "err", err)
			}
		}()
	}
	s.wg.Add(6)
	go s.tenantQuotasLoop()
	go s.sessions.reap(s)
	go s.markOrphansDown()
	go s.keyUseLoop()
	go s.audit.run()
	s.wg.Add(1)
	go s.sessionSweepLoop()
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-s.node.Stopped(); cancel() }()
		s.limits.Run(ctx)
	}()
	s.log.Info("controller started", "api", s.APIAddr(), "http", s.HTTPAddr())
	return s, nil
}

// Node is the raft node.
func (s *Server) Node() *node.Node { return s.node }

// APIAddr is the TLS API address.
func (s *Server) APIAddr() string { return s.apiLn.Addr().String() }

// HTTPAddr is the plain HTTP address, empty if none.
func (s *Server) HTTPAddr() string {
	if s.httpLn == nil {
		return ""
	}
	return s.httpLn.Addr().String()
}

// CAPEM is the cluster CA certificate agents trust.
func (s *Server) CAPEM() []byte { return s.cfg.Node.CA.CertPEM }

func (s *Server) handler() (http.Handler, error) {
	opts := []connect.HandlerOption{connect.WithInterceptors(auditInterceptor{s.audit}, authorizer{}, s.quotaInterceptor(), s.requestLog()),
		connect.WithReadMaxBytes(4 << 20), fastGzip, connect.WithCompressMinBytes(compressMinBytes)}
	var (
		services []*vanguard.Service
		paths    []string
	)
	add := func(path string, h http.Handler) {
		services = append(services, vanguard.NewService(path, h))
		paths = append(paths, path)
	}
	add(driftmgrv1connect.NewAgentServiceHandler(&agentService{s: s}, opts...))
	add(driftmgrv1connect.NewFindingsServiceHandler(&findingsService{s: s}, opts...))
	add(driftmgrv1connect.NewSecurityServiceHandler(&securityService{s: s}, opts...))
	add(driftmgrv1connect.NewAuditServiceHandler(&auditService{s: s}, opts...))
	add(driftmgrv1connect.NewClusterServiceHandler(&clusterService{s: s}, opts...))
	add(driftmgrv1connect.NewAgentsServiceHandler(&agentsService{s: s}, opts...))
	add(driftmgrv1connect.NewEventsServiceHandler(&eventsService{s: s}, opts...))
	add(driftmgrv1connect.NewTenancyServiceHandler(&tenancyService{s: s}, append(opts, s.consistentTenancy())...))
	ipath, ih := driftmgrv1connect.NewInternalServiceHandler(s.node.InternalService(s.deliverLocal, s.sessions.keys), opts...)
	add(ipath, ih)
	tc, err := vanguard.NewTranscoder(services)
	if err != nil {
		return nil, fmt.Errorf("api transcoder: %w", err)
	}
	mux := http.NewServeMux()
	// RPC paths (Connect, gRPC, gRPC-Web) and REST go to the transcoder;
	// everything else to the console when one is mounted at "/".
	for _, p := range paths {
		mux.Handle(p, tc)
	}
	mux.Handle("/api/", tc)
	if _, ok := s.cfg.Extra["/"]; !ok {
		mux.Handle("/", tc)
	}
	mux.Handle("GET /api/v1/openapi.json", http.HandlerFunc(serveOpenAPI))
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	for p, h := range s.cfg.Extra {
		mux.Handle(p, h)
	}
	api := s.authenticate(s.auditFallback(s.rateLimit(mux)))
	if s.login == nil {
		return api, nil
	}
	// Sign-in lives beside the API, not behind its CSRF check: signing in
	// again while signed in must work without the old session's token.
	// Cookie-authenticated unsafe API calls need X-CSRF-Token; calls with
	// an API key or a client certificate carry no cookie and pass.
	outer := http.NewServeMux()
	outer.Handle(oidc.PathPrefix, s.auditedSignIn(s.login))
	outer.Handle("/", s.auditCSRF(s.login.RequireCSRF(api)))
	return outer, nil
}

// ready answers 200 when the node knows a leader and has applied the
// state it was started with.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if !s.node.HasLeader() {
		http.Error(w, "no leader", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

func (s *Server) serialRevoked(serial string) bool {
	var revoked bool
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		o, ok := tx.Serial(serial)
		revoked = ok && o.Revoked
		return nil
	})
	return revoked
}

func (s *Server) agentRevoked(c *x509.Certificate) bool {
	return s.serialRevoked(pki.SerialHex(c.SerialNumber))
}

// requestLog logs each call with a request ID, and counts it.
func (s *Server) requestLog() connect.Interceptor {
	return &logInterceptor{s: s}
}

// Shutdown stops the API and the node. Graceful transfers leadership and
// leaves gossip; otherwise the node stops as a crash would look.
func (s *Server) Shutdown(graceful bool) error {
	var err error
	s.stopOnce.Do(func() {
		if graceful {
			s.node.HandOff()
		}
		s.sessions.closeAll()
		s.events.close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if graceful {
			// What was recorded so far reaches the log before the node
			// goes (best effort: without a leader it cannot).
			_ = s.audit.Flush(ctx)
		}
		if s.apiSrv != nil {
			if !graceful {
				_ = s.apiSrv.Close()
			} else if e := s.apiSrv.Shutdown(ctx); e != nil {
				_ = s.apiSrv.Close()
			}
		}
		if s.httpSrv != nil {
			_ = s.httpSrv.Close()
		}
		err = s.node.Shutdown(graceful)
		s.wg.Wait()
	})
	return err
}
