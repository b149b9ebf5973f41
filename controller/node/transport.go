package node

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// tlsStream is raft's stream layer over mutual TLS: controllers replicate
// to each other only with certificates from the cluster CA.
type tlsStream struct {
	net.Listener
	advertise net.Addr
	client    *tls.Config
	local     *net.TCPAddr // source address of dials: the bind IP

	mu      sync.Mutex
	blocked map[string]bool // peer hosts cut off by a test partition
	conns   map[net.Conn]string
}

func newTLSStream(bind string, advertise string, server, client *tls.Config) (*tlsStream, error) {
	ln, err := tls.Listen("tcp", bind, server)
	if err != nil {
		return nil, fmt.Errorf("raft listen %s: %w", bind, err)
	}
	adv := ln.Addr()
	if advertise != "" {
		a, err := net.ResolveTCPAddr("tcp", advertise)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("raft advertise address %q: %w", advertise, err)
		}
		adv = a
	}
	if a, ok := adv.(*net.TCPAddr); ok && a.IP.IsUnspecified() {
		ln.Close()
		return nil, fmt.Errorf("raft advertise address %s is unspecified; set an address peers can reach", adv)
	}
	st := &tlsStream{Listener: ln, advertise: adv, client: client, conns: map[net.Conn]string{}}
	if a, ok := ln.Addr().(*net.TCPAddr); ok && !a.IP.IsUnspecified() {
		st.local = &net.TCPAddr{IP: a.IP}
	}
	return st, nil
}

// Addr is the address peers dial, which raft stores in its configuration.
func (s *tlsStream) Addr() net.Addr { return s.advertise }

// Dial implements raft.StreamLayer.
func (s *tlsStream) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	host, _, _ := net.SplitHostPort(string(addr))
	if s.isBlocked(host) {
		return nil, fmt.Errorf("raft dial %s: %w", addr, errPartitioned)
	}
	d := &net.Dialer{Timeout: timeout}
	if s.local != nil {
		d.LocalAddr = s.local
	}
	conn, err := tls.DialWithDialer(d, "tcp", string(addr), s.client)
	if err != nil {
		return nil, fmt.Errorf("raft dial %s: %w", addr, err)
	}
	return s.track(conn, host), nil
}

var errPartitioned = errors.New("partitioned")

func (s *tlsStream) isBlocked(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocked[host]
}

func (s *tlsStream) track(c net.Conn, host string) net.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = host
	return &trackedConn{Conn: c, s: s}
}

// partition cuts raft traffic to and from the given hosts, closing the
// connections open now. It exists for tests, which give each node its own
// loopback address (127.0.0.N) so a host names a node.
func (s *tlsStream) partition(hosts []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked = map[string]bool{}
	for _, h := range hosts {
		s.blocked[h] = true
	}
	for c, h := range s.conns {
		if s.blocked[h] {
			c.Close()
			delete(s.conns, c)
		}
	}
}

type trackedConn struct {
	net.Conn
	s *tlsStream
}

func (c *trackedConn) Close() error {
	c.s.mu.Lock()
	delete(c.s.conns, c.Conn)
	c.s.mu.Unlock()
	return c.Conn.Close()
}

// Accept implements net.Listener, finishing the handshake so a peer
// without a valid certificate is dropped before raft reads a byte.
func (s *tlsStream) Accept() (net.Conn, error) {
	for {
		c, err := s.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
		if s.isBlocked(host) {
			c.Close()
			continue
		}
		tc := c.(*tls.Conn)
		_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			tc.Close()
			continue
		}
		if len(tc.ConnectionState().PeerCertificates) == 0 {
			tc.Close()
			continue
		}
		_ = tc.SetDeadline(time.Time{})
		return s.track(tc, host), nil
	}
}
