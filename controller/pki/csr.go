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
	"fmt"
	"net/url"
	"time"
)

// minRSABits is the smallest RSA modulus the CA will certify.
const minRSABits = 2048

// SignCSR signs an agent's certificate request for identity id. It returns
// the PEM certificate, its serial (lowercase hex) and its expiry.
//
// Only the CSR's public key and self-signature are used. Every name,
// subject, SAN and extension the CSR asks for is ignored: the identity comes
// only from the enrollment token the caller has already checked (or, on
// renewal, from the caller's current certificate), so a CSR cannot ask for
// another tenant, a server name or CA rights.
func (c *CA) SignCSR(csrDER []byte, id Identity, validity time.Duration, now time.Time) (certPEM []byte, serial string, notAfter time.Time, err error) {
	uri, err := agentURI(id)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, "", time.Time{}, failWrap(ErrBadCSR, "csr", "does not parse", err)
	}
	// Proves the requester holds the private key.
	if err := csr.CheckSignature(); err != nil {
		return nil, "", time.Time{}, failWrap(ErrBadCSR, "csr", "bad signature", err)
	}
	if err := checkKey(csr.PublicKey); err != nil {
		return nil, "", time.Time{}, err
	}
	tmpl := &x509.Certificate{
		// The subject is for humans reading logs; authorization reads the
		// URI SAN through IdentityFromCert.
		Subject:     pkix.Name{CommonName: id.Agent, Organization: []string{id.Tenant}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		URIs:        []*url.URL{uri},
	}
	cert, der, err := c.issue(tmpl, csr.PublicKey, validity, now)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	return encodeCert(der), SerialHex(cert.SerialNumber), cert.NotAfter, nil
}

// checkKey allows ECDSA P-256, Ed25519 and RSA of at least 2048 bits.
func checkKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return nil
		}
		return fail(ErrWeakKey, "csr key", fmt.Sprintf("ECDSA curve %s, want P-256", k.Curve.Params().Name))
	case ed25519.PublicKey:
		return nil
	case *rsa.PublicKey:
		if k.N.BitLen() >= minRSABits {
			return nil
		}
		return fail(ErrWeakKey, "csr key", fmt.Sprintf("RSA %d bits, want at least %d", k.N.BitLen(), minRSABits))
	}
	return fail(ErrWeakKey, "csr key", fmt.Sprintf("%T not allowed", pub))
}

// NewCSR builds a certificate request for key, for the agent to send at
// enrollment and renewal. It names nothing: the CA ignores requested names.
func NewCSR(key crypto.Signer) ([]byte, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		return nil, fmt.Errorf("create csr: %w", err)
	}
	return der, nil
}

// RenewAt returns when a certificate valid from notBefore to notAfter
// should be renewed: two thirds into its lifetime, which leaves a third of
// it to retry through a controller outage.
func RenewAt(notBefore, notAfter time.Time) time.Time {
	return notBefore.Add(notAfter.Sub(notBefore) * 2 / 3)
}
