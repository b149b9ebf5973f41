package pki

import (
	"crypto/tls"
	"crypto/x509"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func certWithURIs(t *testing.T, uris ...string) *x509.Certificate {
	t.Helper()
	cert := &x509.Certificate{}
	for _, s := range uris {
		u, err := url.Parse(s)
		require.NoError(t, err)
		cert.URIs = append(cert.URIs, u)
	}
	return cert
}

func TestIdentityFromCert(t *testing.T) {
	for _, tc := range []struct {
		name    string
		uris    []string
		want    Identity
		wantMsg string
	}{
		{"agent", []string{"driftmgr://tenant/acme/agent/eu-1"}, Identity{Tenant: "acme", Agent: "eu-1", Kind: KindAgent}, ""},
		{"controller", []string{"driftmgr://controller/ctl-1.example.com"}, Identity{Agent: "ctl-1.example.com", Kind: KindController}, ""},
		{"controller ipv6", []string{"driftmgr://controller/::1"}, Identity{Agent: "::1", Kind: KindController}, ""},
		{"none", nil, Identity{}, "certificate: no URI SAN"},
		{"two driftmgr URIs", []string{"driftmgr://tenant/acme/agent/eu-1", "driftmgr://tenant/acme/agent/eu-2"}, Identity{}, "certificate: 2 URI SANs, want exactly one"},
		{"driftmgr and spiffe", []string{"driftmgr://tenant/acme/agent/eu-1", "spiffe://acme/agent"}, Identity{}, "certificate: 2 URI SANs"},
		{"foreign scheme", []string{"spiffe://tenant/acme/agent/eu-1"}, Identity{}, `certificate: URI SAN scheme "spiffe", want driftmgr://`},
		{"https", []string{"https://tenant/acme/agent/eu-1"}, Identity{}, `certificate: URI SAN scheme "https"`},
		{"opaque", []string{"driftmgr:tenant/acme/agent/eu-1"}, Identity{}, "certificate: URI SAN has parts"},
		{"query", []string{"driftmgr://tenant/acme/agent/eu-1?admin=1"}, Identity{}, "certificate: URI SAN has parts"},
		{"fragment", []string{"driftmgr://tenant/acme/agent/eu-1#x"}, Identity{}, "certificate: URI SAN has parts"},
		{"userinfo", []string{"driftmgr://root@tenant/acme/agent/eu-1"}, Identity{}, "certificate: URI SAN has parts"},
		{"escaped path", []string{"driftmgr://tenant/acme/agent/eu%2F1"}, Identity{}, "certificate: URI SAN has parts"},
		{"extra segment", []string{"driftmgr://tenant/acme/agent/eu-1/x"}, Identity{}, "certificate: URI SAN is not"},
		{"wrong middle", []string{"driftmgr://tenant/acme/user/eu-1"}, Identity{}, "certificate: URI SAN is not"},
		{"unknown host", []string{"driftmgr://platform/acme/agent/eu-1"}, Identity{}, "certificate: URI SAN is not"},
		{"port", []string{"driftmgr://tenant:1/acme/agent/eu-1"}, Identity{}, "certificate: URI SAN is not"},
		{"bad tenant", []string{"driftmgr://tenant/ACME/agent/eu-1"}, Identity{}, "tenant: must match"},
		{"bad agent", []string{"driftmgr://tenant/acme/agent/-eu"}, Identity{}, "agent: must match"},
		{"empty agent", []string{"driftmgr://tenant/acme/agent/"}, Identity{}, "agent: must match"},
		{"controller no name", []string{"driftmgr://controller/"}, Identity{}, "certificate: URI SAN is not"},
		{"controller nested", []string{"driftmgr://controller/a/b"}, Identity{}, "certificate: URI SAN is not"},
		{"controller wildcard", []string{"driftmgr://controller/*.example.com"}, Identity{}, "certificate: URI SAN "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := IdentityFromCert(certWithURIs(t, tc.uris...))
			if tc.wantMsg == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, id)
				return
			}
			require.ErrorIs(t, err, ErrBadIdentity)
			assert.True(t, strings.HasPrefix(err.Error(), tc.wantMsg), "got %q, want prefix %q", err, tc.wantMsg)
			assert.Equal(t, Identity{}, id)
		})
	}

	_, err := IdentityFromCert(nil)
	require.ErrorIs(t, err, ErrBadIdentity)
}

func TestIdentityFromCertClipsScheme(t *testing.T) {
	long := strings.Repeat("x", 200)
	_, err := IdentityFromCert(certWithURIs(t, long+"://a/b"))
	require.ErrorIs(t, err, ErrBadIdentity)
	assert.NotContains(t, err.Error(), long)
	assert.Contains(t, err.Error(), "...")
}

func TestIdentityString(t *testing.T) {
	assert.Equal(t, "tenant/acme/agent/eu-1", acmeEU1.String())
	assert.Equal(t, "controller/ctl-1", Identity{Agent: "ctl-1", Kind: KindController}.String())
}

func TestIdentityFromConnNoCert(t *testing.T) {
	_, err := IdentityFromConn(nil)
	require.ErrorIs(t, err, ErrNoClientCert)
	_, err = IdentityFromConn(&tls.ConnectionState{})
	require.ErrorIs(t, err, ErrNoClientCert)
}
