// Package testcluster starts real controller nodes on loopback addresses
// for tests, and can stop, kill, restart and partition them (etcd's
// integration cluster is the model). Each node gets its own address
// 127.0.0.N so a partition can name it, and keeps its ports and data
// directory across restarts.
package testcluster

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/node"
	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// Options tune a cluster.
type Options struct {
	// Tune edits each node's config before it starts.
	Tune func(*controller.Config)
	// Logger receives the nodes' logs; nil discards them unless
	// DRIFTMGR_TEST_LOG is set.
	Logger *slog.Logger
	// Dir holds the nodes' data; empty means a t.TempDir().
	Dir string
}

// Cluster is a set of controller nodes under test.
type Cluster struct {
	t      testing.TB
	CA     *pki.CA
	key    []byte
	opts   Options
	dir    string
	ipBase string // "127.A.B.": this cluster's own loopback addresses
	mu     sync.Mutex
	nodes  []*Member
	apiKey string
}

// Member is one node.
type Member struct {
	Index                         int
	Name, Dir, IP                 string
	RaftAddr, GossipAddr, APIAddr string
	server                        *controller.Server
	cert                          tls.Certificate
	cut                           bool
}

// Server is the node's running server, nil while stopped.
func (m *Member) Server() *controller.Server { return m.server }

// Start starts n nodes (1, 3 or 5) and waits for a leader.
func Start(t testing.TB, n int, opts Options) *Cluster {
	t.Helper()
	ca, err := pki.NewCA("driftmgr test CA", 24*time.Hour, time.Now())
	if err != nil {
		t.Fatalf("testcluster: CA: %v", err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	dir := opts.Dir
	if dir == "" {
		dir = t.TempDir()
	}
	if opts.Logger == nil {
		if os.Getenv("DRIFTMGR_TEST_LOG") != "" {
			opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		} else {
			opts.Logger = slog.New(slog.DiscardHandler)
		}
	}
	// Clusters of test binaries running side by side (go test runs
	// packages in parallel) each get their own corner of 127/8: a port
	// found free can then not be taken by another process's cluster before
	// this one binds it.
	var oct [2]byte
	_, _ = rand.Read(oct[:])
	c := &Cluster{t: t, CA: ca, key: key, opts: opts, dir: dir, ipBase: fmt.Sprintf("127.%d.%d.", 1+int(oct[0])%254, oct[1])}
	for i := range n {
		m, err := c.newMember(i)
		if err != nil {
			t.Fatalf("testcluster: %v", err)
		}
		c.nodes = append(c.nodes, m)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, m := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.start(m, n)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			c.Close()
			t.Fatalf("testcluster: %v", err)
		}
	}
	t.Cleanup(c.Close)
	c.WaitLeader(t, 15*time.Second)
	return c
}

// FreePorts finds n distinct ports free on ip for both TCP and UDP
// (memberlist uses both on the same port). Each stays held until all are
// found: released one at a time, the kernel may hand the same port out
// twice, and a node's raft and gossip would then collide.
func FreePorts(ip string, n int) ([]int, error) {
	var held []io.Closer
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	var ports []int
	for try := 0; len(ports) < n; try++ {
		if try == 50*n {
			return nil, fmt.Errorf("no %d free ports on %s", n, ip)
		}
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, err
		}
		held = append(held, l)
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			continue
		}
		held = append(held, u)
		ports = append(ports, port)
	}
	return ports, nil
}

func (c *Cluster) newMember(i int) (*Member, error) {
	ip := fmt.Sprintf("%s%d", c.ipBase, 11+i)
	m := &Member{Index: i, Name: fmt.Sprintf("ctl-%d", i+1), IP: ip, Dir: filepath.Join(c.dir, fmt.Sprintf("ctl-%d", i+1))}
	ports, err := FreePorts(ip, 3)
	if err != nil {
		return nil, err
	}
	m.RaftAddr = net.JoinHostPort(ip, strconv.Itoa(ports[0]))
	m.GossipAddr = net.JoinHostPort(ip, strconv.Itoa(ports[1]))
	m.APIAddr = net.JoinHostPort(ip, strconv.Itoa(ports[2]))
	cert, err := c.CA.IssueServer([]string{m.Name, ip, "localhost"}, 24*time.Hour, time.Now())
	if err != nil {
		return nil, err
	}
	m.cert = cert
	return m, nil
}

func (c *Cluster) config(m *Member, expect int) controller.Config {
	var join []string
	for _, o := range c.nodes {
		if o != m {
			join = append(join, o.GossipAddr)
		}
	}
	cfg := controller.Config{
		APIAddr: m.APIAddr,
		Node: node.Config{Name: m.Name, DataDir: m.Dir, RaftAddr: m.RaftAddr, GossipAddr: m.GossipAddr, Join: join,
			BootstrapExpect: expect, GossipKey: c.key, CA: c.CA, Cert: m.cert,
			HeartbeatTimeout: 500 * time.Millisecond, ElectionTimeout: 500 * time.Millisecond, LeaderLeaseTimeout: 250 * time.Millisecond,
			DeadServerTimeout: 10 * time.Second, FastGossip: true, Logger: c.opts.Logger.With("node", m.Name)},
		HeartbeatInterval: time.Second,
		Logger:            c.opts.Logger.With("node", m.Name),
	}
	if c.opts.Tune != nil {
		c.opts.Tune(&cfg)
	}
	return cfg
}

func (c *Cluster) start(m *Member, expect int) error {
	var err error
	// A restarted node's ports may linger in TIME_WAIT briefly.
	for range 20 {
		m.server, err = controller.Start(context.Background(), c.config(m, expect))
		if err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("start %s: %w", m.Name, err)
}

// Members are the nodes, stopped ones included.
func (c *Cluster) Members() []*Member {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Member(nil), c.nodes...)
}

// Member returns node i.
func (c *Cluster) Member(i int) *Member { return c.Members()[i] }

// WaitLeader waits until the running nodes agree on one leader, and
// returns it.
func (c *Cluster) WaitLeader(t testing.TB, timeout time.Duration) *Member {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := c.leader(); m != nil {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("testcluster: no leader within %s", timeout)
	return nil
}

func (c *Cluster) leader() *Member {
	var leader *Member
	for _, m := range c.Members() {
		if m.server == nil {
			continue
		}
		if m.server.Node().IsLeader() {
			if leader != nil {
				return nil // two think they lead: an election is settling
			}
			leader = m
		}
	}
	if leader == nil {
		return nil
	}
	for _, m := range c.Members() {
		if m.server == nil || m.partitioned() {
			continue
		}
		if name, _ := m.server.Node().Leader(); name != leader.Name {
			return nil
		}
	}
	return leader
}

// Follower returns a running node that is not the leader.
func (c *Cluster) Follower(t testing.TB) *Member {
	t.Helper()
	l := c.WaitLeader(t, 10*time.Second)
	for _, m := range c.Members() {
		if m != l && m.server != nil {
			return m
		}
	}
	t.Fatalf("testcluster: no follower")
	return nil
}

// Stop stops node i gracefully (leadership transfer, gossip leave).
func (c *Cluster) Stop(i int) { c.stop(i, true) }

// Kill stops node i without any goodbye, as a crash looks to its peers.
func (c *Cluster) Kill(i int) { c.stop(i, false) }

func (c *Cluster) stop(i int, graceful bool) {
	m := c.Member(i)
	if m.server == nil {
		return
	}
	_ = m.server.Shutdown(graceful)
	m.server = nil
}

// Restart starts a stopped node again with its data and addresses.
func (c *Cluster) Restart(t testing.TB, i int) {
	t.Helper()
	m := c.Member(i)
	if m.server != nil {
		t.Fatalf("testcluster: %s is running", m.Name)
	}
	if err := c.start(m, 0); err != nil {
		t.Fatalf("testcluster: %v", err)
	}
}

// Partition cuts raft traffic between the given nodes and all others.
func (c *Cluster) Partition(group ...int) {
	in := map[int]bool{}
	for _, i := range group {
		in[i] = true
	}
	var inside, outside []string
	for _, m := range c.Members() {
		if in[m.Index] {
			inside = append(inside, m.IP)
		} else {
			outside = append(outside, m.IP)
		}
	}
	for _, m := range c.Members() {
		m.cut = in[m.Index]
		if m.server == nil {
			continue
		}
		if in[m.Index] {
			m.server.Node().Partition(outside)
		} else {
			m.server.Node().Partition(inside)
		}
	}
}

// Heal removes every partition.
func (c *Cluster) Heal() {
	for _, m := range c.Members() {
		m.cut = false
		if m.server != nil {
			m.server.Node().Partition(nil)
		}
	}
}

func (m *Member) partitioned() bool { return m.cut }

// Close stops every node.
func (c *Cluster) Close() {
	for i := range c.Members() {
		c.Kill(i)
	}
}

// HTTPClient is an HTTP/2 client that trusts the cluster CA; cert, if not
// nil, is presented as a client certificate.
func (c *Cluster) HTTPClient(cert *tls.Certificate) *http.Client {
	cfg := &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: c.CA.Pool(), NextProtos: []string{"h2"}}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: node.H2Transport(cfg)}
}

// URL is node i's API base URL.
func (c *Cluster) URL(i int) string { return "https://" + c.Member(i).APIAddr }

// URLs are every node's API base URL, for agents.
func (c *Cluster) URLs() []string {
	var out []string
	for _, m := range c.Members() {
		out = append(out, "https://"+m.APIAddr)
	}
	return out
}

// APIKey bootstraps the cluster once and returns its platform-owner key (tenant
// "default").
func (c *Cluster) APIKey(t testing.TB) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.apiKey != "" {
		return c.apiKey
	}
	l := c.leaderLocked()
	cl := driftmgrv1connect.NewClusterServiceClient(c.HTTPClient(nil), "https://"+l.APIAddr)
	resp, err := cl.Bootstrap(context.Background(), connect.NewRequest(&pb.BootstrapRequest{}))
	if err != nil {
		t.Fatalf("testcluster: bootstrap: %v", err)
	}
	c.apiKey = resp.Msg.GetApiKey()
	return c.apiKey
}

func (c *Cluster) leaderLocked() *Member {
	for _, m := range c.nodes {
		if m.server != nil {
			return m
		}
	}
	return c.nodes[0]
}

// Bearer returns a Connect option that sends an API key.
func Bearer(key string) connect.ClientOption { return controller.BearerKey(key) }
