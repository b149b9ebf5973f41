// Package cloudsim is DriftMgr's simulated cloud: one process serving the
// AWS, Azure and GCP wire protocols from a world of resources, so the real
// SDK clients, and so the real listers, run against it. Tests, benchmarks
// and `driftmgr dev` use it; nothing in it is reachable beyond 127.0.0.1.
package cloudsim

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"time"

	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/azuresim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/gcpsim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// Server serves one world over three listeners on 127.0.0.1.
type Server struct {
	// World is the simulated cloud's state; mutate it to create drift.
	World *world.World
	// AWS, Azure and GCP are the base URLs to point each SDK at.
	AWS, Azure, GCP string
	// Client trusts the servers' certificate (Azure's SDK sends bearer
	// tokens only over TLS, so the Azure endpoint is https).
	Client *http.Client

	servers []*http.Server
}

// Start serves w until Close.
func Start(w *world.World) (*Server, error) {
	cert, pool, err := selfSigned()
	if err != nil {
		return nil, fmt.Errorf("start simulated cloud: %w", err)
	}
	s := &Server{World: w}
	s.Client = &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		Proxy:           nil,
	}}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	for _, e := range []struct {
		url *string
		h   http.Handler
		tls bool
	}{
		{&s.AWS, awssim.NewHandler(w), false},
		{&s.Azure, azuresim.NewHandler(w), true},
		{&s.GCP, gcpsim.NewHandler(w), false},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("start simulated cloud: %w", err)
		}
		srv := &http.Server{Handler: e.h, ReadHeaderTimeout: 10 * time.Second}
		scheme := "http"
		if e.tls {
			ln = tls.NewListener(ln, tlsCfg)
			scheme = "https"
		}
		*e.url = scheme + "://" + ln.Addr().String()
		s.servers = append(s.servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Warn("simulated cloud listener stopped", "addr", ln.Addr().String(), "err", err)
			}
		}()
	}
	return s, nil
}

// Close stops every listener.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// selfSigned makes a throwaway certificate for 127.0.0.1 and a pool
// trusting it. It lives only as long as the process.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "driftmgr simulated cloud"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
