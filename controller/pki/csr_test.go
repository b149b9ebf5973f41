package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var acmeEU1 = Identity{Tenant: "acme", Agent: "eu-1", Kind: KindAgent}

func newCSR(t *testing.T) []byte {
	t.Helper()
	key, err := NewKey()
	require.NoError(t, err)
	csr, err := NewCSR(key)
	require.NoError(t, err)
	return csr
}

func parsePEMCert(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	require.NotNil(t, block)
	require.Equal(t, "CERTIFICATE", block.Type)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return cert
}

func TestSignCSR(t *testing.T) {
	ca := newTestCA(t)
	certPEM, serial, notAfter, err := ca.SignCSR(newCSR(t), acmeEU1, 24*time.Hour, t0)
	require.NoError(t, err)
	cert := parsePEMCert(t, certPEM)

	_, err = cert.Verify(x509.VerifyOptions{
		Roots:       ca.Pool(),
		CurrentTime: t0,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	require.NoError(t, err, "verifies as a client certificate")
	_, err = cert.Verify(x509.VerifyOptions{
		Roots:       ca.Pool(),
		CurrentTime: t0,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	require.Error(t, err, "must not verify as a server certificate")

	id, err := IdentityFromCert(cert)
	require.NoError(t, err)
	assert.Equal(t, acmeEU1, id)
	require.Len(t, cert.URIs, 1)
	assert.Equal(t, "driftmgr://tenant/acme/agent/eu-1", cert.URIs[0].String())

	assert.Equal(t, SerialHex(cert.SerialNumber), serial)
	assert.Regexp(t, `^[0-9a-f]{32}$`, serial)
	assert.Equal(t, t0.Add(-time.Minute), cert.NotBefore)
	assert.Equal(t, t0.Add(24*time.Hour), cert.NotAfter)
	assert.Equal(t, cert.NotAfter, notAfter)
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, cert.ExtKeyUsage)
	assert.False(t, cert.IsCA)
	assert.Equal(t, ca.Cert.SubjectKeyId, cert.AuthorityKeyId)
}

func TestSignCSREmptyKindMeansAgent(t *testing.T) {
	ca := newTestCA(t)
	certPEM, _, _, err := ca.SignCSR(newCSR(t), Identity{Tenant: "acme", Agent: "eu-1"}, time.Hour, t0)
	require.NoError(t, err)
	id, err := IdentityFromCert(parsePEMCert(t, certPEM))
	require.NoError(t, err)
	assert.Equal(t, acmeEU1, id)
}

// A CSR is attacker-controlled: everything but its key must be ignored.
func TestSignCSRIgnoresRequestedNamesAndExtensions(t *testing.T) {
	ca := newTestCA(t)
	key, err := NewKey()
	require.NoError(t, err)
	bc, err := asn1.Marshal(struct {
		IsCA       bool `asn1:"optional"`
		MaxPathLen int  `asn1:"optional,default:-1"`
	}{IsCA: true, MaxPathLen: 5})
	require.NoError(t, err)
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}}) // serverAuth
	require.NoError(t, err)
	evil, _ := url.Parse("driftmgr://tenant/victim/agent/admin")
	ctl, _ := url.Parse("driftmgr://controller/ctl-1")
	tmpl := &x509.CertificateRequest{
		Subject:        pkix.Name{CommonName: "root", Organization: []string{"victim"}},
		DNSNames:       []string{"controller.example.com", "*.example.com"},
		IPAddresses:    []net.IP{net.ParseIP("10.0.0.1")},
		EmailAddresses: []string{"admin@example.com"},
		URIs:           []*url.URL{evil, ctl},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: bc},
			{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: eku},
		},
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	require.NoError(t, err)
	parsed, err := x509.ParseCertificateRequest(csr)
	require.NoError(t, err)
	require.Len(t, parsed.URIs, 2, "the request really asks for the names")

	certPEM, _, _, err := ca.SignCSR(csr, acmeEU1, time.Hour, t0)
	require.NoError(t, err)
	cert := parsePEMCert(t, certPEM)

	assert.Empty(t, cert.DNSNames)
	assert.Empty(t, cert.IPAddresses)
	assert.Empty(t, cert.EmailAddresses)
	require.Len(t, cert.URIs, 1)
	assert.Equal(t, "driftmgr://tenant/acme/agent/eu-1", cert.URIs[0].String())
	assert.False(t, cert.IsCA)
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, cert.ExtKeyUsage)
	assert.Equal(t, "eu-1", cert.Subject.CommonName)
	assert.Equal(t, []string{"acme"}, cert.Subject.Organization)
	id, err := IdentityFromCert(cert)
	require.NoError(t, err)
	assert.Equal(t, acmeEU1, id)
	assert.True(t, key.Public().(*ecdsa.PublicKey).Equal(cert.PublicKey), "the CSR's key is certified")
}

func TestSignCSRKeyTypes(t *testing.T) {
	ca := newTestCA(t)
	gen := func(f func() (crypto.Signer, error)) func(t *testing.T) crypto.Signer {
		return func(t *testing.T) crypto.Signer {
			k, err := f()
			require.NoError(t, err)
			return k
		}
	}
	for _, tc := range []struct {
		name    string
		key     func(t *testing.T) crypto.Signer
		wantErr string
	}{
		{"ecdsa p256", gen(NewKey), ""},
		{"ed25519", gen(func() (crypto.Signer, error) { _, k, err := ed25519.GenerateKey(rand.Reader); return k, err }), ""},
		{"rsa 2048", gen(func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 2048) }), ""},
		{"rsa 1024", gen(func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 1024) }), "csr key: RSA 1024 bits, want at least 2048"},
		{"ecdsa p384", gen(func() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P384(), rand.Reader) }), "csr key: ECDSA curve P-384, want P-256"},
		{"ecdsa p224", gen(func() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P224(), rand.Reader) }), "csr key: ECDSA curve P-224, want P-256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			csr, err := NewCSR(tc.key(t))
			require.NoError(t, err)
			certPEM, _, _, err := ca.SignCSR(csr, acmeEU1, time.Hour, t0)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, ErrWeakKey)
				assert.EqualError(t, err, tc.wantErr)
				assert.Nil(t, certPEM)
				return
			}
			require.NoError(t, err)
			_, err = parsePEMCert(t, certPEM).Verify(x509.VerifyOptions{
				Roots: ca.Pool(), CurrentTime: t0, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			})
			require.NoError(t, err)
		})
	}
}

func TestCheckKeyUnknownType(t *testing.T) {
	err := checkKey(struct{}{})
	require.ErrorIs(t, err, ErrWeakKey)
	assert.EqualError(t, err, "csr key: struct {} not allowed")
}

func TestSignCSRBadIdentity(t *testing.T) {
	ca := newTestCA(t)
	csr := newCSR(t)
	for _, tc := range []struct {
		name  string
		id    Identity
		field string
	}{
		{"empty tenant", Identity{Agent: "eu-1"}, "tenant"},
		{"upper-case tenant", Identity{Tenant: "Acme", Agent: "eu-1"}, "tenant"},
		{"tenant starts with dash", Identity{Tenant: "-acme", Agent: "eu-1"}, "tenant"},
		{"tenant with slash", Identity{Tenant: "acme/other", Agent: "eu-1"}, "tenant"},
		{"tenant too long", Identity{Tenant: strings.Repeat("a", 64), Agent: "eu-1"}, "tenant"},
		{"empty agent", Identity{Tenant: "acme"}, "agent"},
		{"agent with space", Identity{Tenant: "acme", Agent: "eu 1"}, "agent"},
		{"agent starts with underscore", Identity{Tenant: "acme", Agent: "_eu"}, "agent"},
		{"agent with dot", Identity{Tenant: "acme", Agent: "eu.1"}, "agent"},
		{"controller kind", Identity{Tenant: "acme", Agent: "eu-1", Kind: KindController}, "kind"},
		{"unknown kind", Identity{Tenant: "acme", Agent: "eu-1", Kind: "root"}, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := ca.SignCSR(csr, tc.id, time.Hour, t0)
			require.ErrorIs(t, err, ErrBadIdentity)
			assert.True(t, strings.HasPrefix(err.Error(), tc.field+": "), "error %q names %q", err, tc.field)
		})
	}

	// The longest and shortest ids allowed.
	_, _, _, err := ca.SignCSR(csr, Identity{Tenant: "a" + strings.Repeat("-", 62), Agent: "0"}, time.Hour, t0)
	require.NoError(t, err)
}

func TestSignCSRBadRequest(t *testing.T) {
	ca := newTestCA(t)
	good := newCSR(t)
	tampered := append([]byte(nil), good...)
	tampered[len(tampered)-1] ^= 0xff // inside the signature

	for _, tc := range []struct {
		name string
		csr  []byte
		want string
	}{
		{"empty", nil, "csr: does not parse"},
		{"garbage", []byte("not a csr"), "csr: does not parse"},
		{"PEM instead of DER", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: good}), "csr: does not parse"},
		{"bad signature", tampered, "csr: bad signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := ca.SignCSR(tc.csr, acmeEU1, time.Hour, t0)
			require.ErrorIs(t, err, ErrBadCSR)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q", err)
		})
	}
}

func TestSignCSRBadValidity(t *testing.T) {
	ca := newTestCA(t)
	_, _, _, err := ca.SignCSR(newCSR(t), acmeEU1, 0, t0)
	require.ErrorIs(t, err, ErrBadArgument)
}

type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("hsm offline")
}

func TestNewCSRSignerFails(t *testing.T) {
	key, err := NewKey()
	require.NoError(t, err)
	_, err = NewCSR(failingSigner{key})
	require.ErrorContains(t, err, "create csr")
	require.ErrorContains(t, err, "hsm offline")
}

func TestCASignerFails(t *testing.T) {
	ca := newTestCA(t)
	ca.Key = failingSigner{ca.Key}
	_, _, _, err := ca.SignCSR(newCSR(t), acmeEU1, time.Hour, t0)
	require.ErrorContains(t, err, "sign certificate")
}

func TestRenewAt(t *testing.T) {
	for _, tc := range []struct {
		name      string
		notBefore time.Time
		notAfter  time.Time
		want      time.Time
	}{
		{"24h", t0, t0.Add(24 * time.Hour), t0.Add(16 * time.Hour)},
		{"90m", t0, t0.Add(90 * time.Minute), t0.Add(60 * time.Minute)},
		{"with skew minute", t0.Add(-time.Minute), t0.Add(119 * time.Minute), t0.Add(79 * time.Minute)},
		{"zero lifetime", t0, t0, t0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, RenewAt(tc.notBefore, tc.notAfter))
		})
	}

	// On an issued certificate, renewal falls inside its validity.
	ca := newTestCA(t)
	certPEM, _, notAfter, err := ca.SignCSR(newCSR(t), acmeEU1, 3*time.Hour, t0)
	require.NoError(t, err)
	cert := parsePEMCert(t, certPEM)
	at := RenewAt(cert.NotBefore, notAfter)
	assert.True(t, at.After(cert.NotBefore) && at.Before(notAfter))
}

func FuzzSignCSR(f *testing.F) {
	key, err := NewKey()
	require.NoError(f, err)
	csr, err := NewCSR(key)
	require.NoError(f, err)
	f.Add(csr)
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	ca, err := NewCA("fuzz ca", time.Hour, t0)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, der []byte) {
		certPEM, _, _, err := ca.SignCSR(der, acmeEU1, time.Hour, t0)
		if err != nil {
			return
		}
		id, err := IdentityFromCert(parsePEMCert(t, certPEM))
		require.NoError(t, err)
		require.Equal(t, acmeEU1, id)
	})
}
