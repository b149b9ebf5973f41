package runner

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// renewLoop renews the certificate at two thirds of its lifetime and
// retries until it expires; fresh says the current certificate was just
// issued (rather than loaded from disk).
func (a *Agent) renewLoop(ctx context.Context, fresh bool) error {
	got := a.cfg.Now()
	for {
		leaf := a.cert.Load().Leaf
		at := renewAt(leaf.NotBefore, leaf.NotAfter, got, fresh)
		if sleepCtx(ctx, at.Sub(a.cfg.Now())) != nil {
			return nil
		}
		bo := a.newBackoff()
		for attempt := 0; ; attempt++ {
			err := a.renew(ctx, attempt)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return nil
			}
			switch connect.CodeOf(err) {
			case connect.CodeUnauthenticated, connect.CodePermissionDenied, connect.CodeFailedPrecondition, connect.CodeNotFound:
				return a.refusal(a.renewTarget(attempt), err)
			}
			left := leaf.NotAfter.Sub(a.cfg.Now())
			d := bo.next()
			if left > 0 {
				// Retry often enough to use the last third of the lifetime.
				d = min(d, max(left/4, a.cfg.MinBackoff))
			}
			a.log.Warn("certificate renewal failed; retrying", "err", err, "in", d, "expires_in", left)
			if sleepCtx(ctx, d) != nil {
				return nil
			}
		}
		got, fresh = a.cfg.Now(), true
	}
}

// renewAt is pki.RenewAt, except that the CA backdates NotBefore by a
// minute for clock skew, which for a lifetime of a few minutes puts two
// thirds of it in the past the moment the certificate is issued. A fresh
// certificate is then timed from when it arrived; one loaded from disk
// that is already due is renewed at once.
func renewAt(notBefore, notAfter, got time.Time, fresh bool) time.Time {
	at := pki.RenewAt(notBefore, notAfter)
	if fresh && !at.After(got) {
		at = pki.RenewAt(got, notAfter)
	}
	return at
}

// renewTarget is the controller the control channel is on or, while it is
// down, the next in the list for each attempt.
func (a *Agent) renewTarget(attempt int) string {
	base, up, _ := a.connection()
	if up {
		return base
	}
	return a.cfg.Controllers[attempt%len(a.cfg.Controllers)]
}

// renew asks the controller for a new certificate for the same key over
// mTLS, persists it, and makes the next connections present it.
func (a *Agent) renew(ctx context.Context, attempt int) error {
	csr, err := pki.NewCSR(a.id.key)
	if err != nil {
		return err
	}
	base := a.renewTarget(attempt)
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := a.client(base).Renew(rctx, connect.NewRequest(&pb.RenewRequest{Csr: csr}))
	if err != nil {
		return fmt.Errorf("renew at %s: %w", base, err)
	}
	cert, err := pki.AgentCertificate(resp.Msg.GetCertificatePem(), a.id.key)
	if err != nil {
		return fmt.Errorf("renew at %s: %w", base, err)
	}
	if err := a.id.checkCert(cert); err != nil {
		return fmt.Errorf("renew at %s: %w", base, err)
	}
	a.id.cert = cert
	if err := a.id.saveCert(a.cfg.DataDir); err != nil {
		return err
	}
	a.cert.Store(&tls.Certificate{Certificate: cert.Certificate, PrivateKey: cert.PrivateKey, Leaf: cert.Leaf})
	// Idle connections still carry the old certificate; busy ones (the
	// Control stream) keep it until they close, which the controller
	// allows: it checks a certificate at the handshake.
	a.hc.CloseIdleConnections()
	a.count(func(c *counters) { c.renewals++ })
	a.log.Info("certificate renewed", "not_after", cert.Leaf.NotAfter)
	return nil
}
