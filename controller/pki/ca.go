package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// clockSkew backdates every certificate's NotBefore so that a peer whose
// clock runs a little behind the issuer's does not reject a fresh cert.
const clockSkew = time.Minute

// pinPrefix names the hash in a CA pin, so the format can change later
// without ambiguity.
const pinPrefix = "sha256:"

// CA is the cluster's certificate authority: a self-signed ECDSA P-256
// certificate and its key.
type CA struct {
	// Cert is the parsed CA certificate.
	Cert *x509.Certificate
	// Key signs issued certificates. It is a crypto.Signer so it may live
	// outside process memory (HSM, KMS); KeyPEM then fails.
	Key crypto.Signer
	// CertPEM is Cert PEM-encoded, ready to hand to agents and clients.
	CertPEM []byte
}

// NewCA creates a self-signed CA valid from now (less clockSkew) for
// validity. It may sign leaf certificates only (MaxPathLen 0): the cluster
// has no intermediate CAs, and a leaked leaf key must never be able to mint
// certificates.
func NewCA(commonName string, validity time.Duration, now time.Time) (*CA, error) {
	if strings.TrimSpace(commonName) == "" {
		return nil, fail(ErrBadArgument, "ca common name", "empty")
	}
	if validity <= 0 {
		return nil, fail(ErrBadArgument, "ca validity", "must be positive")
	}
	key, err := NewKey()
	if err != nil {
		return nil, err
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		// SubjectKeyId is filled in by CreateCertificate for CA templates.
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create ca certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse new ca certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key, CertPEM: encodeCert(der)}, nil
}

// LoadCA loads a CA from its PEM certificate and PEM private key (PKCS#8,
// or SEC 1 "EC PRIVATE KEY"). Errors name the input at fault.
func LoadCA(certPEM, keyPEM []byte) (*CA, error) {
	cert, err := parseCertPEM(ErrBadCA, "ca cert", certPEM)
	if err != nil {
		return nil, err
	}
	if !cert.BasicConstraintsValid || !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, fail(ErrBadCA, "ca cert", "not a CA certificate")
	}
	key, err := parseKeyPEM("ca key", keyPEM)
	if err != nil {
		return nil, err
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, fail(ErrBadCA, "", "ca cert and key do not match")
	}
	return &CA{Cert: cert, Key: key, CertPEM: encodeCert(cert.Raw)}, nil
}

// KeyPEM returns the CA key as a PKCS#8 "PRIVATE KEY" PEM block, for
// storing it (encrypted, by the caller) and loading it with LoadCA.
func (c *CA) KeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		return nil, failWrap(ErrBadCA, "ca key", "cannot marshal as PKCS#8", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Pin returns the CA pin, "sha256:" followed by the lowercase hex SHA-256 of
// the CA certificate's SubjectPublicKeyInfo. It hashes the key rather than
// the certificate so that re-issuing the CA certificate with the same key
// (to extend its validity) keeps every agent's pin valid.
func (c *CA) Pin() string {
	return pinOf(c.Cert)
}

// VerifyPin checks that the PEM CA certificate has the given pin. An agent
// calls it at enrollment before trusting a CA certificate it fetched over an
// unauthenticated connection. The comparison is constant time.
func VerifyPin(certPEM []byte, pin string) error {
	cert, err := parseCertPEM(ErrBadCA, "ca cert", certPEM)
	if err != nil {
		return err
	}
	want := strings.ToLower(strings.TrimSpace(pin))
	if !strings.HasPrefix(want, pinPrefix) {
		return fail(ErrPinMismatch, "pin", `want "sha256:<hex>"`)
	}
	if subtle.ConstantTimeCompare([]byte(pinOf(cert)), []byte(want)) != 1 {
		return fail(ErrPinMismatch, "ca cert", "public key does not match the pin")
	}
	return nil
}

func pinOf(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return pinPrefix + hex.EncodeToString(sum[:])
}

// SerialHex returns a certificate serial as the package writes it
// everywhere: lowercase hex without leading zeros. Serials issued here
// always have their top bit set, so they are exactly 32 characters.
func SerialHex(serial *big.Int) string {
	return serial.Text(16)
}

// Pool returns a cert pool holding only the CA certificate.
func (c *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(c.Cert)
	return pool
}

// newSerial returns a random 128-bit serial with the top bit set: at least
// 64 random bits as RFC 5280 readers expect, always positive, and always the
// same length in hex so serials sort and compare as plain strings.
func newSerial() (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate serial: %w", err)
	}
	b[0] |= 0x80
	return new(big.Int).SetBytes(b), nil
}

// NewKey generates an ECDSA P-256 key, the key type of every certificate
// the cluster creates itself (CA, controllers, agents).
func NewKey() (crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ecdsa key: %w", err)
	}
	return key, nil
}

// issue signs tmpl for pub with the CA, after setting the fields every leaf
// shares: a fresh serial, the validity window (clamped to the CA's own, since
// a leaf that outlives its CA fails verification anyway) and no CA rights.
func (c *CA) issue(tmpl *x509.Certificate, pub crypto.PublicKey, validity time.Duration, now time.Time) (*x509.Certificate, []byte, error) {
	if validity <= 0 {
		return nil, nil, fail(ErrBadArgument, "validity", "must be positive")
	}
	if now.After(c.Cert.NotAfter) {
		return nil, nil, fail(ErrBadCA, "ca cert", "expired")
	}
	serial, err := newSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = now.Add(-clockSkew)
	tmpl.NotAfter = now.Add(validity)
	if tmpl.NotAfter.After(c.Cert.NotAfter) {
		tmpl.NotAfter = c.Cert.NotAfter
	}
	tmpl.BasicConstraintsValid = true
	tmpl.IsCA = false
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.Cert, pub, c.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse signed certificate: %w", err)
	}
	return cert, der, nil
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func parseCertPEM(kind error, input string, data []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fail(kind, input, "not a PEM block")
	}
	if block.Type != "CERTIFICATE" {
		return nil, fail(kind, input, fmt.Sprintf("PEM block is %q, want CERTIFICATE", block.Type))
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, failWrap(kind, input, "not a valid certificate", err)
	}
	return cert, nil
}

func parseKeyPEM(input string, data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fail(ErrBadCA, input, "not a PEM block")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fail(ErrBadCA, input, fmt.Sprintf("PEM block is %q, want PRIVATE KEY", block.Type))
	}
	if err != nil {
		return nil, failWrap(ErrBadCA, input, "not a valid private key", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fail(ErrBadCA, input, fmt.Sprintf("%T cannot sign", key))
	}
	return signer, nil
}
