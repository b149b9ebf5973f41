package runner

import (
	"context"
	"crypto/tls"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"connectrpc.com/connect"
)

// defaultHTTPClient speaks HTTP/2 (the Control stream needs it) or, for
// Checkin mode, HTTP/1.1 only.
func defaultHTTPClient(cfg *tls.Config, http1 bool) *http.Client {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: MaxInFlight + 2,
		ForceAttemptHTTP2:   !http1,
	}
	if http1 {
		cfg = cfg.Clone()
		cfg.NextProtos = []string{"http/1.1"}
		tr.TLSClientConfig = cfg
		// A non-nil empty map is how net/http is told not to use HTTP/2.
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	} else {
		// Pings find a connection whose peer vanished without a FIN (a
		// partition), which a long-lived stream would otherwise wait on.
		tr.HTTP2 = &http.HTTP2Config{SendPingTimeout: 15 * time.Second, PingTimeout: 10 * time.Second}
	}
	return &http.Client{Transport: tr}
}

// mtlsConfig trusts only the cluster CA and presents the agent's current
// certificate; GetClientCertificate reads it at every handshake, so a
// renewed certificate is used by the next connection without rebuilding
// clients. ServerName is left empty: net/http fills it from each
// controller URL's host.
func (a *Agent) mtlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		RootCAs:    a.id.caPool,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return a.cert.Load(), nil
		},
	}
}

// certRefused tells a controller that refuses this agent's certificate in
// the TLS handshake (revoked, expired, another cluster's) from one that is
// down: the same /healthz request succeeds without a client certificate
// and fails with it. Go's TLS 1.3 client learns of the refusal only as an
// alert on its first read, which reaches callers as a transport error
// like any other.
func (a *Agent) certRefused(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	get := func(cfg *tls.Config) error {
		c := a.cfg.HTTPClient(cfg, true)
		defer c.CloseIdleConnections()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	if get(&tls.Config{MinVersion: tls.VersionTLS13, RootCAs: a.id.caPool}) != nil {
		return false
	}
	return get(a.mtlsConfig()) != nil
}

// backoff is exponential with jitter: each wait is drawn from the upper
// half of the current step, so agents that lost the same controller do not
// come back in lockstep.
type backoff struct {
	min, max, cur time.Duration
}

func (a *Agent) newBackoff() *backoff { return &backoff{min: a.cfg.MinBackoff, max: a.cfg.MaxBackoff} }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(b.cur*2, b.max)
	}
	half := b.cur / 2
	return half + rand.N(half+1)
}

func (b *backoff) reset() { b.cur = 0 }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jitter spreads d by ±10%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	spread := d / 5
	return d - d/10 + rand.N(spread+1)
}

// refusedCode reports a Connect error that means the controller will not
// serve this agent's certificate again (revoked, unknown identity).
func refusedCode(err error) bool {
	return connect.CodeOf(err) == connect.CodeUnauthenticated
}
