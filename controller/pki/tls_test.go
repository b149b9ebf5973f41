package pki

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handshakeResult is what the server saw of one connection.
type handshakeResult struct {
	id       Identity
	idErr    error // from IdentityFromConn after a good handshake
	err      error // the server-side handshake error
	proto    string
	version  uint16
	hasChain bool
}

// tlsServer accepts connections on 127.0.0.1 with cfg, completes the
// handshake, reports what it saw and answers "ok".
func tlsServer(t *testing.T, cfg *tls.Config) (addr string, results <-chan handshakeResult) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	out := make(chan handshakeResult, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer raw.Close()
				_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
				conn := tls.Server(raw, cfg)
				if err := conn.Handshake(); err != nil {
					out <- handshakeResult{err: err}
					return
				}
				cs := conn.ConnectionState()
				id, idErr := IdentityFromConn(&cs)
				out <- handshakeResult{id: id, idErr: idErr, proto: cs.NegotiatedProtocol, version: cs.Version, hasChain: len(cs.VerifiedChains) > 0}
				_, _ = conn.Write([]byte("ok"))
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	return ln.Addr().String(), out
}

// dial connects with cfg and reads the server's answer; a server that
// refuses the client certificate shows up as a read error, since in TLS 1.3
// the client finishes its handshake before the server checks its cert.
func dial(t *testing.T, addr string, cfg *tls.Config) (string, error) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(conn)
	return string(b), err
}

func result(t *testing.T, results <-chan handshakeResult) handshakeResult {
	t.Helper()
	select {
	case r := <-results:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("server saw no connection")
		return handshakeResult{}
	}
}

func TestTLSHandshake(t *testing.T) {
	ca := TestCA(t)
	other := TestCA(t)
	serverCert := TestServerCert(t, ca)

	good := TestAgentCert(t, ca, "acme", "eu-1")
	revoked := TestAgentCert(t, ca, "acme", "eu-2")
	foreign := TestAgentCert(t, other, "acme", "eu-1")
	peer, err := ca.IssueServer([]string{"ctl-2"}, time.Hour, time.Now())
	require.NoError(t, err)
	revokedSerial := SerialHex(revoked.Leaf.SerialNumber)

	// Signed by the CA, but with an identity the cluster never issues.
	spiffe, _ := url.Parse("spiffe://acme/agent/eu-1")
	key, err := NewKey()
	require.NoError(t, err)
	strangeLeaf, strangeDER, err := ca.issue(&x509.Certificate{
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		URIs:        []*url.URL{spiffe},
	}, key.Public(), time.Hour, time.Now())
	require.NoError(t, err)
	strange := tls.Certificate{Certificate: [][]byte{strangeDER}, PrivateKey: key, Leaf: strangeLeaf}

	var (
		mu    sync.Mutex
		asked []string
	)
	isRevoked := func(serial string) bool {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, serial)
		return serial == revokedSerial
	}
	addr, results := tlsServer(t, ca.ServerTLS(serverCert, isRevoked))

	for _, tc := range []struct {
		name      string
		cert      *tls.Certificate
		wantID    Identity
		wantIDErr error
		wantErr   error // errors.Is on the server's handshake error
		wantAny   bool  // the server refuses, for a reason from crypto/x509
	}{
		{name: "agent", cert: &good, wantID: Identity{Tenant: "acme", Agent: "eu-1", Kind: KindAgent}},
		{name: "controller peer", cert: &peer, wantID: Identity{Agent: "ctl-2", Kind: KindController}},
		{name: "no client cert", cert: nil, wantIDErr: ErrNoClientCert},
		{name: "revoked", cert: &revoked, wantErr: ErrRevoked},
		{name: "other CA", cert: &foreign, wantAny: true},
		{name: "foreign identity", cert: &strange, wantErr: ErrBadIdentity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ClientTLS(ca.CertPEM, tc.cert, "127.0.0.1")
			require.NoError(t, err)
			answer, dialErr := dial(t, addr, cfg)
			r := result(t, results)

			if tc.wantErr != nil || tc.wantAny {
				require.Error(t, r.err, "server must refuse")
				if tc.wantErr != nil {
					assert.ErrorIs(t, r.err, tc.wantErr)
				}
				assert.Error(t, dialErr, "client must see the refusal")
				assert.Empty(t, answer)
				return
			}
			require.NoError(t, r.err)
			require.NoError(t, dialErr)
			assert.Equal(t, "ok", answer)
			assert.Equal(t, "h2", r.proto)
			assert.Equal(t, uint16(tls.VersionTLS13), r.version)
			if tc.wantIDErr != nil {
				assert.ErrorIs(t, r.idErr, tc.wantIDErr)
				assert.False(t, r.hasChain)
				return
			}
			require.NoError(t, r.idErr)
			assert.Equal(t, tc.wantID, r.id)
		})
	}

	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, asked, SerialHex(good.Leaf.SerialNumber), "revocation is checked with the lowercase hex serial")
	assert.Contains(t, asked, revokedSerial)
}

func TestTLSNilRevocationCheck(t *testing.T) {
	ca := TestCA(t)
	addr, results := tlsServer(t, ca.ServerTLS(TestServerCert(t, ca), nil))
	agent := TestAgentCert(t, ca, "acme", "eu-1")
	cfg, err := ClientTLS(ca.CertPEM, &agent, "localhost")
	require.NoError(t, err)
	answer, err := dial(t, addr, cfg)
	require.NoError(t, err)
	assert.Equal(t, "ok", answer)
	r := result(t, results)
	require.NoError(t, r.err)
	assert.Equal(t, Identity{Tenant: "acme", Agent: "eu-1", Kind: KindAgent}, r.id)
}

func TestTLSClientRefusesServer(t *testing.T) {
	ca := TestCA(t)
	other := TestCA(t)
	addr, results := tlsServer(t, ca.ServerTLS(TestServerCert(t, ca), nil))

	for _, tc := range []struct {
		name       string
		caPEM      []byte
		serverName string
	}{
		{"server from another CA", other.CertPEM, "127.0.0.1"},
		{"wrong server name", ca.CertPEM, "ctl-9.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ClientTLS(tc.caPEM, nil, tc.serverName)
			require.NoError(t, err)
			_, err = dial(t, addr, cfg)
			require.Error(t, err)
			require.Error(t, result(t, results).err)
		})
	}
}

// An agent certificate is ClientAuth only: it cannot serve.
func TestTLSAgentCertCannotServe(t *testing.T) {
	ca := TestCA(t)
	agent := TestAgentCert(t, ca, "acme", "eu-1")
	addr, results := tlsServer(t, ca.ServerTLS(agent, nil))
	cfg, err := ClientTLS(ca.CertPEM, nil, "127.0.0.1")
	require.NoError(t, err)
	_, err = dial(t, addr, cfg)
	require.Error(t, err)
	require.Error(t, result(t, results).err)
}

func TestServerTLSConfig(t *testing.T) {
	ca := TestCA(t)
	cfg := ca.ServerTLS(TestServerCert(t, ca), nil)
	assert.Equal(t, uint16(tls.VersionTLS13), cfg.MinVersion)
	assert.Equal(t, tls.VerifyClientCertIfGiven, cfg.ClientAuth)
	assert.Equal(t, []string{"h2", "http/1.1"}, cfg.NextProtos)
	require.NotNil(t, cfg.ClientCAs)

	// Defensive branch: a peer certificate without a verified chain.
	err := cfg.VerifyConnection(tls.ConnectionState{PeerCertificates: []*x509.Certificate{ca.Cert}})
	require.ErrorIs(t, err, ErrBadIdentity)
}

func TestClientTLSErrors(t *testing.T) {
	ca := TestCA(t)
	_, err := ClientTLS([]byte("junk"), nil, "127.0.0.1")
	require.ErrorIs(t, err, ErrBadCA)
	assert.EqualError(t, err, "ca cert: not a PEM block")

	_, err = ClientTLS(ca.CertPEM, nil, "")
	require.ErrorIs(t, err, ErrBadArgument)

	_, err = ClientTLS(ca.CertPEM, &tls.Certificate{}, "127.0.0.1")
	require.ErrorIs(t, err, ErrBadArgument)

	agent := TestAgentCert(t, ca, "acme", "eu-1")
	cfg, err := ClientTLS(ca.CertPEM, &agent, "127.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, uint16(tls.VersionTLS13), cfg.MinVersion)
	assert.Equal(t, "127.0.0.1", cfg.ServerName)
	assert.Len(t, cfg.Certificates, 1)
}

func TestAgentCertificate(t *testing.T) {
	ca := newTestCA(t)
	key, err := NewKey()
	require.NoError(t, err)
	csr, err := NewCSR(key)
	require.NoError(t, err)
	certPEM, _, _, err := ca.SignCSR(csr, acmeEU1, time.Hour, t0)
	require.NoError(t, err)

	cert, err := AgentCertificate(certPEM, key)
	require.NoError(t, err)
	require.NotNil(t, cert.Leaf)

	otherKey, err := NewKey()
	require.NoError(t, err)
	_, err = AgentCertificate(certPEM, otherKey)
	require.ErrorIs(t, err, ErrBadArgument)
	assert.EqualError(t, err, "agent cert and key do not match")

	_, err = AgentCertificate([]byte("junk"), key)
	require.ErrorIs(t, err, ErrBadArgument)
	assert.EqualError(t, err, "agent cert: not a PEM block")
}
