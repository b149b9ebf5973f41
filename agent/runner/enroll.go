package runner

import (
	"context"
	"crypto"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// enroll trades the join token and a CSR for a certificate, trying the
// controllers in turn. Transport failures are retried with backoff; a
// refusal (bad token, pin mismatch) is final.
func (a *Agent) enroll(ctx context.Context) (*identity, error) {
	cfg := a.cfg
	if cfg.JoinToken == "" {
		return nil, fmt.Errorf("%w: Config.JoinToken is required to enroll (no identity in %s)", ErrEnrollRefused, cfg.DataDir)
	}
	if cfg.CAPin == "" && len(cfg.CAPEM) == 0 {
		return nil, fmt.Errorf("%w: Config.CAPin is required to enroll: without it nothing proves the controller is the cluster's", ErrEnrollRefused)
	}
	var bundle []*x509.Certificate
	if len(cfg.CAPEM) > 0 {
		var err error
		if bundle, err = parseCerts(cfg.CAPEM); err != nil {
			return nil, fmt.Errorf("runner: Config.CAPEM: %w", err)
		}
		if cfg.CAPin != "" && !anyPinned(bundle, cfg.CAPin) {
			// Refused before any connection, so the token never leaves.
			return nil, fmt.Errorf("%w: no certificate in Config.CAPEM matches Config.CAPin %s", ErrPinMismatch, cfg.CAPin)
		}
	}
	key, err := pki.NewKey()
	if err != nil {
		return nil, err
	}
	csr, err := pki.NewCSR(key)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	var pinFailed atomic.Pointer[error]
	tlsCfg := a.enrollTLS(bundle, &pinFailed)
	hc := cfg.HTTPClient(tlsCfg, cfg.UseCheckin)
	defer hc.CloseIdleConnections()
	bo := a.newBackoff()
	for attempt := 0; ; attempt++ {
		base := cfg.Controllers[attempt%len(cfg.Controllers)]
		cl := driftmgrv1connect.NewAgentServiceClient(hc, base)
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		resp, err := cl.Enroll(rctx, connect.NewRequest(&pb.EnrollRequest{JoinToken: cfg.JoinToken, Csr: csr,
			Name: cfg.Name, Hostname: host, Version: cfg.Version}))
		cancel()
		if err == nil {
			return a.acceptEnrollment(resp.Msg, key, bundle)
		}
		if perr := pinFailed.Load(); perr != nil {
			return nil, fmt.Errorf("%w: controller %s: %v", ErrPinMismatch, base, *perr)
		}
		switch connect.CodeOf(err) {
		case connect.CodeUnauthenticated, connect.CodePermissionDenied, connect.CodeInvalidArgument:
			return nil, fmt.Errorf("%w by %s: %w", ErrEnrollRefused, base, err)
		}
		a.log.Warn("enroll failed; retrying", "controller", base, "err", err)
		if err := sleepCtx(ctx, bo.next()); err != nil {
			return nil, err
		}
	}
}

// enrollTLS is the TLS config of the enrollment call. With a CA bundle it
// verifies the server normally. Without one it is kubeadm's discovery by
// pin: the chain the controller presents must contain a certificate whose
// public key matches the pin, and the server certificate must chain to it
// for the host dialled. VerifyConnection rather than VerifyPeerCertificate
// because it also knows the server name.
func (a *Agent) enrollTLS(bundle []*x509.Certificate, pinFailed *atomic.Pointer[error]) *tls.Config {
	if len(bundle) > 0 {
		pool := x509.NewCertPool()
		for _, c := range bundle {
			pool.AddCert(c)
		}
		return &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool}
	}
	pin := a.cfg.CAPin
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		// Replaced by VerifyConnection below, which verifies against the
		// pinned CA instead of the system roots.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			err := verifyPinnedChain(cs, pin)
			if err != nil {
				pinFailed.Store(&err)
			}
			return err
		},
	}
}

func verifyPinnedChain(cs tls.ConnectionState, pin string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("controller presented no certificate")
	}
	var root *x509.Certificate
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		if pinMatches(c, pin) {
			root = c
		} else {
			inter.AddCert(c)
		}
	}
	if root == nil {
		return fmt.Errorf("%w: no certificate in the controller's TLS chain matches the CA pin %s (the controller must send its CA certificate in the chain, or set CAPEM)",
			pki.ErrPinMismatch, pin)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: cs.ServerName})
	if err != nil {
		return fmt.Errorf("%w: controller certificate does not chain to the pinned CA: %v", pki.ErrPinMismatch, err)
	}
	return nil
}

func pinMatches(c *x509.Certificate, pin string) bool {
	want := strings.ToLower(strings.TrimSpace(pin))
	return subtle.ConstantTimeCompare([]byte(pinOf(c)), []byte(want)) == 1
}

func anyPinned(certs []*x509.Certificate, pin string) bool {
	for _, c := range certs {
		if pinMatches(c, pin) {
			return true
		}
	}
	return false
}

// acceptEnrollment checks what the controller answered (the CA against the
// pin, the certificate against the key and the CA) and persists it.
func (a *Agent) acceptEnrollment(r *pb.EnrollResponse, key crypto.Signer, bundle []*x509.Certificate) (*identity, error) {
	cas, err := parseCerts(r.GetCaPem())
	if err != nil {
		return nil, fmt.Errorf("%w: enrollment answer: ca: %v", ErrPinMismatch, err)
	}
	switch {
	case a.cfg.CAPin != "":
		if err := pki.VerifyPin(r.GetCaPem(), a.cfg.CAPin); err != nil {
			return nil, fmt.Errorf("%w: the CA the controller returned: %v", ErrPinMismatch, err)
		}
	case !anyPinned(bundle, pinOf(cas[0])):
		return nil, fmt.Errorf("%w: the CA the controller returned is not in Config.CAPEM", ErrPinMismatch)
	}
	id := &identity{AgentID: r.GetAgentId(), Tenant: r.GetTenant(), Name: a.cfg.Name, EnrolledAt: a.cfg.Now().UTC(),
		key: key, caPEM: r.GetCaPem()}
	if id.caPool, err = certPool(id.caPEM); err != nil {
		return nil, err
	}
	if id.cert, err = pki.AgentCertificate(r.GetCertificatePem(), key); err != nil {
		return nil, fmt.Errorf("enrollment answer: %w", err)
	}
	if err := id.checkCert(id.cert); err != nil {
		return nil, fmt.Errorf("enrollment answer: %w", err)
	}
	if err := id.save(a.cfg.DataDir); err != nil {
		return nil, fmt.Errorf("save identity: %w", err)
	}
	a.log.Info("agent enrolled", "agent", id.AgentID, "tenant", id.Tenant, "cert_not_after", id.cert.Leaf.NotAfter)
	return id, nil
}
