package pki

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/url"
	"time"
)

// IssueServer issues a controller certificate for names (DNS names and IP
// addresses) with a fresh P-256 key. It carries both ServerAuth and
// ClientAuth because controllers talk to each other over mutual TLS, and
// the URI SAN driftmgr://controller/<names[0]>, so IdentityFromCert names
// the controller by its first name.
func (c *CA) IssueServer(names []string, validity time.Duration, now time.Time) (tls.Certificate, error) {
	if len(names) == 0 {
		return tls.Certificate{}, fail(ErrBadArgument, "names", "at least one DNS name or IP is required")
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: names[0]},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		URIs:        []*url.URL{{Scheme: uriScheme, Host: "controller", Path: "/" + names[0]}},
	}
	for i, name := range names {
		if !validNodeName(name) {
			return tls.Certificate{}, fail(ErrBadArgument, fmt.Sprintf("names[%d]", i), fmt.Sprintf("%q is not a DNS name or IP address", clip(name)))
		}
		if ip := net.ParseIP(name); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, name)
		}
	}
	key, err := NewKey()
	if err != nil {
		return tls.Certificate{}, err
	}
	cert, der, err := c.issue(tmpl, key.Public(), validity, now)
	if err != nil {
		return tls.Certificate{}, err
	}
	// The CA travels in the chain so an agent enrolling with only the CA
	// pin (no CA file) can check the pin during the handshake.
	return tls.Certificate{Certificate: [][]byte{der, c.Cert.Raw}, PrivateKey: key, Leaf: cert}, nil
}

// validNodeName accepts an IP address or a plain DNS name. Wildcards are
// refused: a controller certificate names one node.
func validNodeName(name string) bool {
	if net.ParseIP(name) != nil {
		return true
	}
	if name == "" || len(name) > 253 || name[0] == '.' || name[0] == '-' {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}
