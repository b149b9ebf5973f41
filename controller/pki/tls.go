package pki

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
)

// nextProtos serves Connect and gRPC over h2 and the HTTP/1.1 long-poll
// fallback on one port.
var nextProtos = []string{"h2", "http/1.1"}

// ServerTLS returns the controller's TLS config. A client certificate is
// optional (VerifyClientCertIfGiven) because enrollment and API-key requests
// come without one; when one is given it must chain to the CA, not be
// revoked, and carry a driftmgr identity. Handlers read that identity with
// IdentityFromConn.
//
// isRevoked is called with the lowercase hex serial on every handshake that
// presents a certificate; nil means nothing is revoked.
func (c *CA) ServerTLS(cert tls.Certificate, isRevoked func(serial string) bool) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    c.Pool(),
		NextProtos:   nextProtos,
		// VerifyConnection runs after chain verification, so it only sees
		// certificates this CA signed; it adds what the chain cannot say.
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return nil
			}
			if len(cs.VerifiedChains) == 0 {
				// Cannot happen with VerifyClientCertIfGiven; refuse rather
				// than trust an unverified certificate if the mode changes.
				return fail(ErrBadIdentity, "client certificate", "not verified")
			}
			leaf := cs.VerifiedChains[0][0]
			if _, err := IdentityFromCert(leaf); err != nil {
				return err
			}
			if serial := SerialHex(leaf.SerialNumber); isRevoked != nil && isRevoked(serial) {
				return fail(ErrRevoked, "client certificate", "serial "+serial+" is revoked")
			}
			return nil
		},
	}
}

// ClientTLS returns a TLS config that trusts only the CA in caPEM and
// expects serverName in the server's certificate. cert, if not nil, is
// presented as the client certificate (an agent after enrollment, or a
// controller calling a peer).
func ClientTLS(caPEM []byte, cert *tls.Certificate, serverName string) (*tls.Config, error) {
	ca, err := parseCertPEM(ErrBadCA, "ca cert", caPEM)
	if err != nil {
		return nil, err
	}
	if serverName == "" {
		return nil, fail(ErrBadArgument, "server name", "empty")
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS13,
		RootCAs:    pool,
		ServerName: serverName,
		NextProtos: nextProtos,
	}
	if cert != nil {
		if len(cert.Certificate) == 0 {
			return nil, fail(ErrBadArgument, "client certificate", "empty")
		}
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return cfg, nil
}

// AgentCertificate pairs a PEM certificate returned by SignCSR with the
// agent's key, ready for ClientTLS. It refuses a key that is not the one
// the certificate was issued for, which would otherwise fail only at the
// first handshake.
func AgentCertificate(certPEM []byte, key crypto.Signer) (tls.Certificate, error) {
	cert, err := parseCertPEM(ErrBadArgument, "agent cert", certPEM)
	if err != nil {
		return tls.Certificate{}, err
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return tls.Certificate{}, fail(ErrBadArgument, "", "agent cert and key do not match")
	}
	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}, nil
}
