package pki

import (
	"crypto/ecdsa"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIssueServer(t *testing.T) {
	ca := newTestCA(t)
	cert, err := ca.IssueServer([]string{"ctl-1.example.com", "10.0.0.1", "localhost", "::1"}, time.Hour, t0)
	require.NoError(t, err)
	leaf := cert.Leaf
	require.NotNil(t, leaf)
	require.Len(t, cert.Certificate, 2, "leaf, then the CA for pin-only enrollment")
	assert.Equal(t, ca.Cert.Raw, cert.Certificate[1])
	assert.Equal(t, leaf.Raw, cert.Certificate[0])

	assert.Equal(t, []string{"ctl-1.example.com", "localhost"}, leaf.DNSNames)
	require.Len(t, leaf.IPAddresses, 2)
	assert.True(t, leaf.IPAddresses[0].Equal(net.ParseIP("10.0.0.1")))
	assert.True(t, leaf.IPAddresses[1].Equal(net.IPv6loopback))
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, leaf.ExtKeyUsage)
	assert.False(t, leaf.IsCA)
	assert.Equal(t, t0.Add(-time.Minute), leaf.NotBefore)
	assert.Equal(t, t0.Add(time.Hour), leaf.NotAfter)

	id, err := IdentityFromCert(leaf)
	require.NoError(t, err)
	assert.Equal(t, Identity{Agent: "ctl-1.example.com", Kind: KindController}, id)

	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		_, err = leaf.Verify(x509.VerifyOptions{
			Roots: ca.Pool(), CurrentTime: t0, DNSName: "10.0.0.1", KeyUsages: []x509.ExtKeyUsage{usage},
		})
		require.NoError(t, err)
	}

	// The private key belongs to the certificate.
	signer, ok := cert.PrivateKey.(*ecdsa.PrivateKey)
	require.True(t, ok)
	assert.True(t, signer.PublicKey.Equal(leaf.PublicKey))
}

func TestIssueServerIPv6FirstName(t *testing.T) {
	ca := newTestCA(t)
	cert, err := ca.IssueServer([]string{"::1"}, time.Hour, t0)
	require.NoError(t, err)
	id, err := IdentityFromCert(cert.Leaf)
	require.NoError(t, err)
	assert.Equal(t, Identity{Agent: "::1", Kind: KindController}, id)
}

func TestIssueServerBadArguments(t *testing.T) {
	ca := newTestCA(t)
	for _, tc := range []struct {
		name     string
		names    []string
		validity time.Duration
		want     string
	}{
		{"no names", nil, time.Hour, "names: at least one"},
		{"empty name", []string{""}, time.Hour, `names[0]: "" is not`},
		{"wildcard", []string{"ctl-1", "*.example.com"}, time.Hour, `names[1]: "*.example.com" is not`},
		{"slash", []string{"ctl/1"}, time.Hour, `names[0]: "ctl/1" is not`},
		{"leading dot", []string{".example.com"}, time.Hour, `names[0]: ".example.com" is not`},
		{"leading dash", []string{"-ctl"}, time.Hour, `names[0]: "-ctl" is not`},
		{"too long", []string{strings.Repeat("a", 254)}, time.Hour, "names[0]: "},
		{"zero validity", []string{"ctl-1"}, 0, "validity: must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ca.IssueServer(tc.names, tc.validity, t0)
			require.ErrorIs(t, err, ErrBadArgument)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want prefix %q", err, tc.want)
		})
	}
}
