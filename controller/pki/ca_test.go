package pki

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	cryptorand "crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newTestCA(t *testing.T) *CA {
	t.Helper()
	ca, err := NewCA("test ca", 365*24*time.Hour, t0)
	require.NoError(t, err)
	return ca
}

func TestNewCA(t *testing.T) {
	ca := newTestCA(t)
	c := ca.Cert
	assert.Equal(t, "test ca", c.Subject.CommonName)
	assert.True(t, c.IsCA)
	assert.True(t, c.BasicConstraintsValid)
	assert.Equal(t, 0, c.MaxPathLen)
	assert.True(t, c.MaxPathLenZero)
	assert.Equal(t, x509.KeyUsageCertSign|x509.KeyUsageCRLSign, c.KeyUsage)
	assert.Equal(t, t0.Add(-time.Minute), c.NotBefore)
	assert.Equal(t, t0.Add(365*24*time.Hour), c.NotAfter)
	assert.NotEmpty(t, c.SubjectKeyId)
	require.NoError(t, c.CheckSignatureFrom(c), "self-signed")

	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	require.True(t, ok)
	assert.Equal(t, elliptic.P256(), pub.Curve)

	block, _ := pem.Decode(ca.CertPEM)
	require.NotNil(t, block)
	assert.Equal(t, c.Raw, block.Bytes)
}

func TestNewCABadArguments(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cn       string
		validity time.Duration
		want     string
	}{
		{"empty name", "", time.Hour, "ca common name: empty"},
		{"blank name", "  ", time.Hour, "ca common name: empty"},
		{"zero validity", "ca", 0, "ca validity: must be positive"},
		{"negative validity", "ca", -time.Hour, "ca validity: must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCA(tc.cn, tc.validity, t0)
			require.ErrorIs(t, err, ErrBadArgument)
			assert.EqualError(t, err, tc.want)
		})
	}
}

func TestLoadCARoundTrip(t *testing.T) {
	ca := newTestCA(t)
	keyPEM, err := ca.KeyPEM()
	require.NoError(t, err)
	block, _ := pem.Decode(keyPEM)
	require.NotNil(t, block)
	assert.Equal(t, "PRIVATE KEY", block.Type)

	loaded, err := LoadCA(ca.CertPEM, keyPEM)
	require.NoError(t, err)
	assert.Equal(t, ca.Cert.Raw, loaded.Cert.Raw)
	assert.Equal(t, ca.CertPEM, loaded.CertPEM)
	assert.Equal(t, ca.Pin(), loaded.Pin())

	// The loaded CA signs certificates the original's pool accepts.
	server, err := loaded.IssueServer([]string{"ctl-1"}, time.Hour, t0)
	require.NoError(t, err)
	_, err = server.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), CurrentTime: t0, DNSName: "ctl-1"})
	require.NoError(t, err)
}

func TestLoadCASEC1Key(t *testing.T) {
	ca := newTestCA(t)
	der, err := x509.MarshalECPrivateKey(ca.Key.(*ecdsa.PrivateKey))
	require.NoError(t, err)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	loaded, err := LoadCA(ca.CertPEM, keyPEM)
	require.NoError(t, err)
	assert.Equal(t, ca.Pin(), loaded.Pin())
}

func TestLoadCAErrors(t *testing.T) {
	ca := newTestCA(t)
	keyPEM, err := ca.KeyPEM()
	require.NoError(t, err)
	other := newTestCA(t)
	otherKeyPEM, err := other.KeyPEM()
	require.NoError(t, err)
	leaf, err := ca.IssueServer([]string{"ctl-1"}, time.Hour, t0)
	require.NoError(t, err)
	leafPEM := encodeCert(leaf.Certificate[0])
	x25519, err := ecdh.X25519().GenerateKey(cryptorand.Reader)
	require.NoError(t, err)
	x25519DER, err := x509.MarshalPKCS8PrivateKey(x25519)
	require.NoError(t, err)
	x25519PEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: x25519DER})

	for _, tc := range []struct {
		name    string
		cert    []byte
		key     []byte
		wantMsg string
	}{
		{"cert not PEM", []byte("hello"), keyPEM, "ca cert: not a PEM block"},
		{"cert empty", nil, keyPEM, "ca cert: not a PEM block"},
		{"cert is a key", keyPEM, keyPEM, `ca cert: PEM block is "PRIVATE KEY", want CERTIFICATE`},
		{"cert bad DER", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}), keyPEM, "ca cert: not a valid certificate"},
		{"cert not a CA", leafPEM, keyPEM, "ca cert: not a CA certificate"},
		{"key not PEM", ca.CertPEM, []byte("hello"), "ca key: not a PEM block"},
		{"key is a cert", ca.CertPEM, ca.CertPEM, `ca key: PEM block is "CERTIFICATE", want PRIVATE KEY`},
		{"key bad DER", ca.CertPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "ca key: not a valid private key"},
		{"key bad SEC1", ca.CertPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "ca key: not a valid private key"},
		{"key cannot sign", ca.CertPEM, x25519PEM, "ca key: *ecdh.PrivateKey cannot sign"},
		{"mismatch", ca.CertPEM, otherKeyPEM, "ca cert and key do not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCA(tc.cert, tc.key)
			require.ErrorIs(t, err, ErrBadCA)
			assert.True(t, strings.HasPrefix(err.Error(), tc.wantMsg), "got %q, want prefix %q", err, tc.wantMsg)
		})
	}
}

// opaqueSigner stands for a key held outside the process (HSM, KMS).
type opaqueSigner struct{ crypto.Signer }

func TestKeyPEMOpaqueSigner(t *testing.T) {
	ca := newTestCA(t)
	ca.Key = opaqueSigner{ca.Key}
	_, err := ca.KeyPEM()
	require.ErrorIs(t, err, ErrBadCA)
	assert.Contains(t, err.Error(), "ca key: cannot marshal as PKCS#8")

	// It still signs.
	_, err = ca.IssueServer([]string{"ctl-1"}, time.Hour, t0)
	require.NoError(t, err)
}

func TestPin(t *testing.T) {
	ca := newTestCA(t)
	pin := ca.Pin()
	assert.Regexp(t, regexp.MustCompile(`^sha256:[0-9a-f]{64}$`), pin)
	assert.Equal(t, pin, ca.Pin(), "stable")

	// Re-issuing the CA certificate with the same key keeps the pin.
	tmpl := *ca.Cert
	tmpl.NotAfter = tmpl.NotAfter.Add(365 * 24 * time.Hour)
	der, err := x509.CreateCertificate(cryptorand.Reader, &tmpl, &tmpl, ca.Key.Public(), ca.Key)
	require.NoError(t, err)
	require.NoError(t, VerifyPin(encodeCert(der), pin))

	other := newTestCA(t)
	assert.NotEqual(t, pin, other.Pin())

	for _, tc := range []struct {
		name    string
		certPEM []byte
		pin     string
		wantErr error
	}{
		{"own pin", ca.CertPEM, pin, nil},
		{"upper case and spaces", ca.CertPEM, " " + strings.ToUpper(pin) + "\n", nil},
		{"other CA", other.CertPEM, pin, ErrPinMismatch},
		{"other pin", ca.CertPEM, other.Pin(), ErrPinMismatch},
		{"no prefix", ca.CertPEM, strings.TrimPrefix(pin, "sha256:"), ErrPinMismatch},
		{"truncated", ca.CertPEM, pin[:20], ErrPinMismatch},
		{"empty", ca.CertPEM, "", ErrPinMismatch},
		{"not PEM", []byte("junk"), pin, ErrBadCA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyPin(tc.certPEM, tc.pin)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
		})
	}
}

func TestIssueClampsToCAValidity(t *testing.T) {
	ca, err := NewCA("short ca", time.Hour, t0)
	require.NoError(t, err)
	cert, err := ca.IssueServer([]string{"ctl-1"}, 24*time.Hour, t0)
	require.NoError(t, err)
	assert.Equal(t, ca.Cert.NotAfter, cert.Leaf.NotAfter)
}

func TestIssueRefusesExpiredCA(t *testing.T) {
	ca, err := NewCA("short ca", time.Hour, t0)
	require.NoError(t, err)
	_, err = ca.IssueServer([]string{"ctl-1"}, time.Hour, t0.Add(2*time.Hour))
	require.ErrorIs(t, err, ErrBadCA)
	assert.EqualError(t, err, "ca cert: expired")
}

func TestSerials(t *testing.T) {
	ca := newTestCA(t)
	seen := map[string]bool{}
	for range 20 {
		cert, err := ca.IssueServer([]string{"ctl-1"}, time.Hour, t0)
		require.NoError(t, err)
		s := SerialHex(cert.Leaf.SerialNumber)
		assert.Regexp(t, `^[89a-f][0-9a-f]{31}$`, s)
		assert.False(t, seen[s], "serial repeated")
		seen[s] = true
	}
}

func TestErrorUnwrap(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	err := failWrap(ErrBadCSR, "csr", "does not parse", cause)
	assert.True(t, errors.Is(err, ErrBadCSR))
	assert.True(t, errors.Is(err, cause))
	assert.Equal(t, "csr: does not parse: unexpected EOF", err.Error())
}
