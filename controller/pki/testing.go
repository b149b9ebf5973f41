package pki

import (
	"crypto/tls"
	"testing"
	"time"
)

// TestCA returns a fresh CA valid for a day, for tests in other packages
// (API services, enrollment, the agent's uploader).
func TestCA(t testing.TB) *CA {
	t.Helper()
	ca, err := NewCA("driftmgr test ca", 24*time.Hour, time.Now())
	if err != nil {
		t.Fatalf("pki: test ca: %v", err)
	}
	return ca
}

// TestAgentCert enrolls an agent against ca the way the real enrollment
// does (key, CSR, SignCSR) and returns its client certificate.
func TestAgentCert(t testing.TB, ca *CA, tenant, agent string) tls.Certificate {
	t.Helper()
	key, err := NewKey()
	if err != nil {
		t.Fatalf("pki: test agent key: %v", err)
	}
	csr, err := NewCSR(key)
	if err != nil {
		t.Fatalf("pki: test agent csr: %v", err)
	}
	certPEM, _, _, err := ca.SignCSR(csr, Identity{Tenant: tenant, Agent: agent, Kind: KindAgent}, time.Hour, time.Now())
	if err != nil {
		t.Fatalf("pki: test agent cert: %v", err)
	}
	cert, err := AgentCertificate(certPEM, key)
	if err != nil {
		t.Fatalf("pki: test agent cert: %v", err)
	}
	return cert
}

// TestServerCert issues a controller certificate for 127.0.0.1 and
// localhost.
func TestServerCert(t testing.TB, ca *CA) tls.Certificate {
	t.Helper()
	cert, err := ca.IssueServer([]string{"127.0.0.1", "localhost"}, time.Hour, time.Now())
	if err != nil {
		t.Fatalf("pki: test server cert: %v", err)
	}
	return cert
}
