// Package node runs one controller's share of the cluster: raft with its
// bbolt log and FSM, memberlist gossip among controllers, bootstrap and
// membership reconciliation, write forwarding to the leader, and group
// commit of agent uploads (DESIGN.md section 5).
package node

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/memberlist"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Config is one controller node's cluster settings.
type Config struct {
	// Name is the node's unique name and raft server ID.
	Name    string
	DataDir string
	// RaftAddr is where raft listens (host:port); RaftAdvertise what peers
	// dial, when different.
	RaftAddr, RaftAdvertise string
	// GossipAddr is memberlist's bind address (host:port).
	GossipAddr string
	// APIAddr is the address this node serves its API on, gossiped so
	// followers can forward writes to the leader.
	APIAddr string
	// Join lists peers' gossip addresses.
	Join []string
	// BootstrapExpect is how many controllers must meet before a new
	// cluster elects its first leader: 1, 3 or 5.
	BootstrapExpect int
	// GossipKey encrypts gossip (16, 24 or 32 bytes); nil in dev only.
	GossipKey []byte
	CA        *pki.CA
	Cert      tls.Certificate

	// Timing; zero values take raft's and memberlist's defaults, tests
	// shorten them.
	HeartbeatTimeout, ElectionTimeout, LeaderLeaseTimeout time.Duration
	// DeadServerTimeout is how long a controller may be unreachable before
	// the leader removes it from the raft configuration.
	DeadServerTimeout time.Duration
	// SnapshotThreshold and TrailingLogs tune snapshotting (tests lower
	// them to exercise install-snapshot).
	SnapshotThreshold, TrailingLogs uint64
	SnapshotInterval                time.Duration
	// GroupCommitWindow and GroupCommitBytes bound group commit: entries
	// of at most 512 KB every ~50 ms (DESIGN.md section 5).
	GroupCommitWindow time.Duration
	GroupCommitBytes  int
	// FastGossip shortens memberlist's probe intervals (tests).
	FastGossip bool
	Logger     *slog.Logger
	// ObserveApply, if set, is told how long each write took to commit
	// (forwarding and retries included), by command type.
	ObserveApply func(cmd string, d time.Duration, err error)
}

func (c *Config) validate() error {
	switch {
	case c.Name == "":
		return errors.New("node name is empty")
	case c.DataDir == "":
		return errors.New("data dir is empty")
	case c.RaftAddr == "":
		return errors.New("raft address is empty")
	case c.CA == nil:
		return errors.New("cluster CA is missing")
	case len(c.Cert.Certificate) == 0:
		return errors.New("node certificate is missing")
	}
	if c.BootstrapExpect != 0 && c.BootstrapExpect != 1 && c.BootstrapExpect != 3 && c.BootstrapExpect != 5 {
		return fmt.Errorf("bootstrap_expect %d: want 1, 3 or 5 (an even count adds no fault tolerance)", c.BootstrapExpect)
	}
	if n := len(c.GossipKey); n != 0 && n != 16 && n != 24 && n != 32 {
		return fmt.Errorf("gossip key is %d bytes; want 16, 24 or 32", n)
	}
	return nil
}

// Node is a running controller node.
type Node struct {
	cfg        Config
	log        *slog.Logger
	raft       *raft.Raft
	fsm        *fsm.FSM
	applied    *appliedFSM
	store      *state.Store
	logs       *raftboltdb.BoltStore
	snaps      *raft.FileSnapshotStore
	trans      *raft.NetworkTransport
	raftStream *tlsStream
	ml         *memberlist.Memberlist
	fwd        *forwarder
	ing        *ingester

	events chan struct{}
	stop   chan struct{}
	wg     sync.WaitGroup

	handOff   sync.Once
	mu        sync.Mutex
	deadSince map[string]time.Time
	closed    bool

	// Controllers as gossip reported them: live ones, and gone ones (dead
	// or left) that reconcile must still remove from raft. Copies taken in
	// memberlist's callbacks, which hold its lock: the *Node that
	// memberlist.Members returns is its live state, written as gossip
	// arrives, so reading it later races. Its own lock: memberlist must not
	// wait for a reconcile that is changing raft's configuration.
	memMu   sync.Mutex
	alive   map[string]memberlist.Node
	gone    map[string]memberlist.Node
	leaving map[string]bool
}

// meta is what a node gossips about itself.
type meta struct {
	Raft string `json:"raft"`
	API  string `json:"api"`
}

// leavingMsg, followed by the node's name, is sent to every peer just
// before a graceful leave. memberlist reports a node that left and one
// that died alike (the State of the Node it hands out is never set), so
// this is how peers tell them apart.
const leavingMsg = "driftmgr-leaving:"

// Start opens the node's stores and joins the cluster.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("controller %s: %w", cfg.Name, err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DeadServerTimeout == 0 {
		cfg.DeadServerTimeout = 30 * time.Second
	}
	if cfg.GroupCommitWindow == 0 {
		cfg.GroupCommitWindow = 50 * time.Millisecond
	}
	if cfg.GroupCommitBytes == 0 {
		cfg.GroupCommitBytes = 512 << 10
	}
	log := cfg.Logger.With("node", cfg.Name)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("controller %s: data dir: %w", cfg.Name, err)
	}
	n := &Node{cfg: cfg, log: log, events: make(chan struct{}, 1), stop: make(chan struct{}), deadSince: map[string]time.Time{},
		alive: map[string]memberlist.Node{}, gone: map[string]memberlist.Node{}, leaving: map[string]bool{}}
	if err := n.startRaft(); err != nil {
		n.closeStores()
		return nil, err
	}
	n.fwd = newForwarder(n)
	n.ing = newIngester(n)
	if err := n.startGossip(ctx); err != nil {
		_ = n.raft.Shutdown().Error()
		n.closeStores()
		return nil, err
	}
	n.wg.Add(2)
	go n.reconcileLoop()
	go n.ing.run()
	return n, nil
}

func (n *Node) startRaft() error {
	cfg := n.cfg
	var err error
	if n.store, err = state.Open(filepath.Join(cfg.DataDir, "state.db")); err != nil {
		return err
	}
	if n.fsm, err = fsm.New(n.store, n.log); err != nil {
		return err
	}
	n.logs, err = raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.DataDir, "raft.db"),
		BoltOptions: &bolt.Options{Timeout: 5 * time.Second, NoFreelistSync: true}})
	if err != nil {
		return fmt.Errorf("open raft log %s: %w", filepath.Join(cfg.DataDir, "raft.db"), err)
	}
	cache, err := raft.NewLogCache(512, n.logs)
	if err != nil {
		return err
	}
	hlog := hclog.New(&hclog.LoggerOptions{Name: "raft", Level: hclog.Warn, Output: slogWriter{n.log}})
	if n.snaps, err = raft.NewFileSnapshotStoreWithLogger(filepath.Join(cfg.DataDir, "snapshots"), 2, hlog); err != nil {
		return fmt.Errorf("snapshot store: %w", err)
	}
	serverTLS := cfg.CA.ServerTLS(cfg.Cert, nil)
	serverTLS.ClientAuth = tls.RequireAndVerifyClientCert
	verify := serverTLS.VerifyConnection
	serverTLS.VerifyConnection = func(cs tls.ConnectionState) error {
		if err := verify(cs); err != nil {
			return err
		}
		id, err := pki.IdentityFromCert(cs.PeerCertificates[0])
		if err != nil || id.Kind != pki.KindController {
			return errors.New("raft peers must present a controller certificate")
		}
		return nil
	}
	clientTLS := &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: cfg.CA.Pool(), Certificates: []tls.Certificate{cfg.Cert},
		// Raft dials addresses, and controllers' certificates name them
		// by IP or DNS name; the CA is ours alone, so any controller
		// certificate it signed is a peer.
		InsecureSkipVerify: true, VerifyConnection: verifyController(cfg.CA)}
	stream, err := newTLSStream(cfg.RaftAddr, cfg.RaftAdvertise, serverTLS, clientTLS)
	if err != nil {
		return err
	}
	n.raftStream = stream
	n.trans = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: stream, MaxPool: 3, Timeout: 10 * time.Second, Logger: hlog})

	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.Name)
	rc.Logger = hlog
	// The FSM persists its own applied index in bbolt, so a restart needs
	// no snapshot restore: Apply skips entries it already has.
	rc.NoSnapshotRestoreOnStart = true
	if cfg.HeartbeatTimeout > 0 {
		rc.HeartbeatTimeout = cfg.HeartbeatTimeout
	}
	if cfg.ElectionTimeout > 0 {
		rc.ElectionTimeout = cfg.ElectionTimeout
	}
	if cfg.LeaderLeaseTimeout > 0 {
		rc.LeaderLeaseTimeout = cfg.LeaderLeaseTimeout
	}
	if cfg.SnapshotThreshold > 0 {
		rc.SnapshotThreshold = cfg.SnapshotThreshold
	}
	if cfg.TrailingLogs > 0 {
		rc.TrailingLogs = cfg.TrailingLogs
	}
	if cfg.SnapshotInterval > 0 {
		rc.SnapshotInterval = cfg.SnapshotInterval
	}
	rc.BatchApplyCh = true
	rc.MaxAppendEntries = 256
	n.applied = newAppliedFSM(n.fsm)
	if n.raft, err = raft.NewRaft(rc, n.applied, cache, n.logs, n.snaps, n.trans); err != nil {
		return fmt.Errorf("start raft: %w", err)
	}
	return nil
}

func verifyController(ca *pki.CA) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("peer presented no certificate")
		}
		leaf := cs.PeerCertificates[0]
		opts := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if _, err := leaf.Verify(opts); err != nil {
			return fmt.Errorf("peer certificate: %w", err)
		}
		id, err := pki.IdentityFromCert(leaf)
		if err != nil || id.Kind != pki.KindController {
			return errors.New("peer is not a controller")
		}
		return nil
	}
}

func (n *Node) startGossip(ctx context.Context) error {
	cfg := n.cfg
	if cfg.GossipAddr == "" {
		return errors.New("gossip address is empty")
	}
	host, portS, err := net.SplitHostPort(cfg.GossipAddr)
	if err != nil {
		return fmt.Errorf("gossip address %q: %w", cfg.GossipAddr, err)
	}
	port, _ := strconv.Atoi(portS)
	mc := memberlist.DefaultLANConfig()
	if cfg.FastGossip {
		mc = memberlist.DefaultLocalConfig()
		mc.ProbeInterval = 200 * time.Millisecond
		mc.ProbeTimeout = 100 * time.Millisecond
		mc.GossipInterval = 50 * time.Millisecond
		mc.SuspicionMult = 2
		mc.PushPullInterval = time.Second
	}
	mc.Name = cfg.Name
	mc.BindAddr, mc.BindPort = host, port
	mc.AdvertiseAddr, mc.AdvertisePort = host, port
	mc.SecretKey = cfg.GossipKey
	// Gossip between controllers is a few small messages on a LAN: LZW
	// saves nothing there and allocates a table per message.
	mc.EnableCompression = false
	mc.LogOutput = slogWriter{n.log.With("component", "gossip")}
	m, err := json.Marshal(meta{Raft: string(n.trans.LocalAddr()), API: cfg.APIAddr})
	if err != nil {
		return err
	}
	mc.Delegate = &delegate{n: n, meta: m}
	mc.Events = &eventDelegate{n: n}
	if n.ml, err = memberlist.Create(mc); err != nil {
		return fmt.Errorf("start gossip on %s: %w", cfg.GossipAddr, err)
	}
	if len(cfg.Join) > 0 {
		n.wg.Add(1)
		go n.joinLoop(ctx)
	}
	n.poke()
	return nil
}

// joinLoop retries joining until at least one peer answers, as Consul's
// retry_join does: peers start in any order.
func (n *Node) joinLoop(ctx context.Context) {
	defer n.wg.Done()
	backoff := 100 * time.Millisecond
	for {
		if _, err := n.ml.Join(n.cfg.Join); err == nil {
			n.poke()
			return
		} else {
			n.log.Debug("join retry", "peers", n.cfg.Join, "err", err)
		}
		select {
		case <-n.stop:
			return
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

type delegate struct {
	n    *Node
	meta []byte
}

func (d *delegate) NodeMeta(limit int) []byte { return d.meta }

func (d *delegate) NotifyMsg(b []byte) {
	if name, ok := strings.CutPrefix(string(b), leavingMsg); ok {
		d.n.memMu.Lock()
		d.n.leaving[name] = true
		d.n.memMu.Unlock()
		d.n.poke()
	}
}

func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte { return nil }
func (d *delegate) LocalState(join bool) []byte                { return nil }
func (d *delegate) MergeRemoteState(buf []byte, join bool)     {}

type eventDelegate struct{ n *Node }

func (e *eventDelegate) NotifyJoin(m *memberlist.Node) {
	e.n.memMu.Lock()
	e.n.alive[m.Name] = *m
	delete(e.n.gone, m.Name)
	delete(e.n.leaving, m.Name)
	e.n.memMu.Unlock()
	e.n.poke()
}

// NotifyLeave is called for a node that left and for one declared dead;
// only its leavingMsg says which.
func (e *eventDelegate) NotifyLeave(m *memberlist.Node) {
	e.n.memMu.Lock()
	delete(e.n.alive, m.Name)
	e.n.gone[m.Name] = *m
	e.n.memMu.Unlock()
	e.n.poke()
}

func (e *eventDelegate) NotifyUpdate(m *memberlist.Node) {
	e.n.memMu.Lock()
	e.n.alive[m.Name] = *m
	e.n.memMu.Unlock()
	e.n.poke()
}

func (n *Node) poke() {
	select {
	case n.events <- struct{}{}:
	default:
	}
}

// reconcileLoop bootstraps a new cluster once enough controllers met, and
// on the leader keeps raft's configuration in step with gossip: alive
// controllers are added as voters, dead ones removed after a grace time.
func (n *Node) reconcileLoop() {
	defer n.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-n.events:
		case <-tick.C:
		case <-n.raft.LeaderCh():
		}
		n.maybeBootstrap()
		if n.raft.State() == raft.Leader {
			n.reconcile()
		}
	}
}

// peers lists the live gossip members (alive or suspect) with their
// metadata.
func (n *Node) peers() map[string]peer {
	n.memMu.Lock()
	defer n.memMu.Unlock()
	out := map[string]peer{}
	for _, m := range n.alive {
		var md meta
		if json.Unmarshal(m.Meta, &md) != nil || md.Raft == "" {
			continue
		}
		out[m.Name] = peer{meta: md, leaving: n.leaving[m.Name]}
	}
	return out
}

type peer struct {
	meta
	leaving bool
}

func (n *Node) maybeBootstrap() {
	if n.cfg.BootstrapExpect == 0 {
		return
	}
	existing, err := raft.HasExistingState(n.logs, n.logs, n.snaps)
	if err != nil || existing {
		return
	}
	ps := n.peers()
	var servers []raft.Server
	for name, p := range ps {
		if !p.leaving {
			servers = append(servers, raft.Server{ID: raft.ServerID(name), Address: raft.ServerAddress(p.Raft), Suffrage: raft.Voter})
		}
	}
	if len(servers) < n.cfg.BootstrapExpect {
		return
	}
	slices.SortFunc(servers, func(a, b raft.Server) int { return compareStr(string(a.ID), string(b.ID)) })
	// Every node that sees the same members bootstraps with the same
	// configuration, which raft accepts; the first election settles it.
	if err := n.raft.BootstrapCluster(raft.Configuration{Servers: servers}).Error(); err != nil && !errors.Is(err, raft.ErrCantBootstrap) {
		n.log.Error("bootstrap", "err", err)
		return
	}
	n.log.Info("bootstrapped cluster", "servers", len(servers))
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (n *Node) reconcile() {
	f := n.raft.GetConfiguration()
	if f.Error() != nil {
		return
	}
	inRaft := map[raft.ServerID]raft.Server{}
	for _, s := range f.Configuration().Servers {
		inRaft[s.ID] = s
	}
	ps := n.peers()
	now := time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	for name, p := range ps {
		id := raft.ServerID(name)
		if p.leaving {
			continue
		}
		delete(n.deadSince, name)
		if s, ok := inRaft[id]; !ok || string(s.Address) != p.Raft {
			n.log.Info("adding voter", "peer", name, "addr", p.Raft)
			if err := n.raft.AddVoter(id, raft.ServerAddress(p.Raft), 0, 5*time.Second).Error(); err != nil {
				n.log.Warn("add voter", "peer", name, "err", err)
			}
		}
	}
	// Servers gossip does not list as live: dead, left, or not heard of
	// since this node started. Gossip's member list holds live ones only,
	// so this walks raft's configuration instead.
	for id := range inRaft {
		name := string(id)
		if _, ok := ps[name]; ok || id == raft.ServerID(n.cfg.Name) {
			continue
		}
		if n.hasLeft(name) {
			n.removeServer(id, "left")
			delete(n.deadSince, name)
			continue
		}
		first, ok := n.deadSince[name]
		if !ok {
			n.deadSince[name] = now
		} else if now.Sub(first) >= n.cfg.DeadServerTimeout {
			n.removeServer(id, "dead for "+now.Sub(first).Round(time.Second).String())
			delete(n.deadSince, name)
		}
	}
}

func (n *Node) hasLeft(name string) bool {
	n.memMu.Lock()
	defer n.memMu.Unlock()
	_, ok := n.gone[name]
	return ok && n.leaving[name]
}

func (n *Node) removeServer(id raft.ServerID, why string) {
	n.log.Info("removing server", "peer", id, "why", why)
	if err := n.raft.RemoveServer(id, 0, 5*time.Second).Error(); err != nil {
		n.log.Warn("remove server", "peer", id, "err", err)
	}
}

// Partition cuts this node's raft traffic with the given hosts (tests give
// each node its own 127.0.0.N); nil heals it.
func (n *Node) Partition(hosts []string) { n.raftStream.partition(hosts) }

// FSM is the node's state machine.
func (n *Node) FSM() *fsm.FSM { return n.fsm }

// Raft is the node's raft instance, for status.
func (n *Node) Raft() *raft.Raft { return n.raft }

// Name is the node's name.
func (n *Node) Name() string { return n.cfg.Name }

// IsLeader reports whether this node leads.
func (n *Node) IsLeader() bool { return n.raft.State() == raft.Leader }

// Leader returns the leader's name and API address, empty when unknown.
func (n *Node) Leader() (name, api string) {
	_, id := n.raft.LeaderWithID()
	if id == "" {
		return "", ""
	}
	if id == raft.ServerID(n.cfg.Name) {
		return n.cfg.Name, n.cfg.APIAddr
	}
	if p, ok := n.peers()[string(id)]; ok {
		return string(id), p.API
	}
	return string(id), ""
}

// Member is one controller as gossip and raft see it.
type Member struct {
	Name, RaftAddr, APIAddr, Status string
	Leader, Voter                   bool
}

// Members lists the controllers.
func (n *Node) Members() []Member {
	voters := map[string]bool{}
	if f := n.raft.GetConfiguration(); f.Error() == nil {
		for _, s := range f.Configuration().Servers {
			voters[string(s.ID)] = s.Suffrage == raft.Voter
		}
	}
	leader, _ := n.Leader()
	var out []Member
	add := func(m memberlist.Node, status string) {
		var md meta
		_ = json.Unmarshal(m.Meta, &md)
		out = append(out, Member{Name: m.Name, RaftAddr: md.Raft, APIAddr: md.API, Status: status,
			Leader: m.Name == leader, Voter: voters[m.Name]})
	}
	n.memMu.Lock()
	for _, m := range n.alive {
		add(m, "alive")
	}
	// Dead and left controllers are listed while raft still counts them.
	for name, m := range n.gone {
		if _, ok := voters[name]; ok {
			status := "dead"
			if n.leaving[name] {
				status = "left"
			}
			add(m, status)
		}
	}
	n.memMu.Unlock()
	slices.SortFunc(out, func(a, b Member) int { return compareStr(a.Name, b.Name) })
	return out
}

// Shutdown stops the node. Graceful hands leadership over first and
// leaves gossip so peers remove it at once; otherwise it just stops, as a
// crash would look to the others.
func (n *Node) Shutdown(graceful bool) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	n.mu.Unlock()
	if graceful {
		n.HandOff()
	}
	close(n.stop)
	n.ing.close()
	_ = n.ml.Shutdown()
	err := n.raft.Shutdown().Error()
	n.wg.Wait()
	_ = n.trans.Close()
	n.closeStores()
	return err
}

// HandOff is the first half of a graceful stop: leadership goes to a
// peer and the peers are told this node leaves. The server calls it
// before closing its API, so forwarded writes find the new leader instead
// of a node that stopped answering; Shutdown calls it too (once).
func (n *Node) HandOff() {
	n.handOff.Do(func() {
		if n.raft.State() == raft.Leader {
			if err := n.raft.LeadershipTransfer().Error(); err != nil {
				n.log.Warn("leadership transfer", "err", err)
			}
		}
		n.announceLeave()
		_ = n.ml.Leave(2 * time.Second)
	})
}

// announceLeave tells every peer that this node is leaving, so the leader
// removes it from raft at once instead of after DeadServerTimeout. It
// waits at most a second: an unreachable peer learns it from gossip.
func (n *Node) announceLeave() {
	n.memMu.Lock()
	var peers []memberlist.Node
	for name, m := range n.alive {
		if name != n.cfg.Name {
			peers = append(peers, m)
		}
	}
	n.memMu.Unlock()
	done := make(chan struct{}, len(peers))
	for _, p := range peers {
		go func() {
			if err := n.ml.SendReliable(&p, []byte(leavingMsg+n.cfg.Name)); err != nil {
				n.log.Debug("announce leave", "peer", p.Name, "err", err)
			}
			done <- struct{}{}
		}()
	}
	timeout := time.After(time.Second)
	for range peers {
		select {
		case <-done:
		case <-timeout:
			return
		}
	}
}

func (n *Node) closeStores() {
	if n.logs != nil {
		_ = n.logs.Close()
	}
	if n.store != nil {
		_ = n.store.Close()
	}
}

// slogWriter adapts libraries that log to an io.Writer.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Debug(string(trimNL(p)))
	return len(p), nil
}

func trimNL(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}

var _ io.Writer = slogWriter{}

// Stopped is closed when the node shuts down.
func (n *Node) Stopped() <-chan struct{} { return n.stop }
