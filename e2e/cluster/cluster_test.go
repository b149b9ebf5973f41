// Package cluster is the multi-process end-to-end test: the real driftmgr
// binary started as three controller processes and two agents on
// loopback, talked to only through its CLI and API.
package cluster

import (
	"bufio"
	"flag"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "driftmgr-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "driftmgr")
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	build := exec.Command("go", "build", "-o", binary, "./cmd/driftmgr")
	build.Dir = root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build driftmgr:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs a driftmgr command to completion and returns its stdout.
func run(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("driftmgr %s: %v\nstderr: %s", strings.Join(args, " "), err, ee.Stderr)
	}
	require.NoError(t, err)
	return string(out)
}

// proc is a long-running driftmgr process.
type proc struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  strings.Builder
	done chan struct{}
}

func start(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Env = append(os.Environ(), env...)
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("--- %s log ---\n%s", name, p.output())
		}
	})
	return p
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// kill sends SIGKILL: no graceful leave, no leadership transfer.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// term sends SIGTERM and waits for a graceful exit.
func (p *proc) term(t *testing.T) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not stop on SIGTERM", p.name)
	}
}

func freePort(t *testing.T, ip string) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		require.NoError(t, err)
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", net.JoinHostPort(ip, strconv.Itoa(port)))
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// controllerNode is one controller process's files and addresses.
type controllerNode struct {
	name, config, api string
	proc              *proc
}

// startControllers writes a CA, certificates and configs for n
// controllers with `driftmgr tls`, and starts them.
func startControllers(t *testing.T, n int) (dir string, nodes []*controllerNode) {
	dir = t.TempDir()
	tlsDir := filepath.Join(dir, "tls")
	run(t, nil, "tls", "ca", "create", "--dir", tlsDir)
	key := strings.TrimSpace(run(t, nil, "tls", "gossip-key"))
	type addrs struct{ ip, raft, gossip, api string }
	var as []addrs
	for i := range n {
		ip := fmt.Sprintf("127.0.0.%d", 31+i)
		as = append(as, addrs{ip: ip,
			raft:   net.JoinHostPort(ip, strconv.Itoa(freePort(t, ip))),
			gossip: net.JoinHostPort(ip, strconv.Itoa(freePort(t, ip))),
			api:    net.JoinHostPort(ip, strconv.Itoa(freePort(t, ip)))})
	}
	for i, a := range as {
		name := fmt.Sprintf("ctl-%d", i+1)
		run(t, nil, "tls", "cert", "create", "--dir", tlsDir, "--name", name, "--host", a.ip)
		var join []string
		for j, o := range as {
			if j != i {
				join = append(join, `"`+o.gossip+`"`)
			}
		}
		cfg := fmt.Sprintf(`name: %s
data_dir: %s
raft_addr: %s
gossip_addr: %s
api_addr: %s
join: [%s]
bootstrap_expect: %d
gossip_key: %s
heartbeat_interval: 1s
scan_interval: 2s
log_level: info
tls:
  ca_file: %s
  ca_key_file: %s
  cert_file: %s
  key_file: %s
`, name, filepath.Join(dir, name), a.raft, a.gossip, a.api, strings.Join(join, ", "), n, key,
			filepath.Join(tlsDir, "ca.pem"), filepath.Join(tlsDir, "ca-key.pem"),
			filepath.Join(tlsDir, name+".pem"), filepath.Join(tlsDir, name+"-key.pem"))
		path := filepath.Join(dir, name+".yaml")
		require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
		nodes = append(nodes, &controllerNode{name: name, config: path, api: "https://" + a.api})
	}
	for _, c := range nodes {
		c.proc = start(t, c.name, nil, "controller", "--config", c.config)
	}
	return dir, nodes
}

func ctlEnv(dir string, node *controllerNode, key string) []string {
	return []string{"DRIFTMGR_ADDR=" + node.api, "DRIFTMGR_CA_FILE=" + filepath.Join(dir, "tls", "ca.pem"), "DRIFTMGR_API_KEY=" + key}
}

// eventually retries f until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}

// try runs a driftmgr command and returns its output or error.
func try(env []string, args ...string) (string, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = ctx
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), fmt.Errorf("%v: %s", err, ee.Stderr)
	}
	return string(out), err
}

func TestThreeControllerProcesses(t *testing.T) {
	dir, nodes := startControllers(t, 3)
	var key string
	eventually(t, 30*time.Second, "bootstrap", func() error {
		out, err := try(ctlEnv(dir, nodes[0], ""), "ctl", "bootstrap")
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		key = lines[len(lines)-1]
		return nil
	})
	require.True(t, strings.HasPrefix(key, "dm_"), key)

	leaderOf := func(env []string) (string, error) {
		out, err := try(env, "ctl", "members")
		if err != nil {
			return "", err
		}
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			if len(f) >= 4 && f[2] == "true" && f[3] == "true" {
				return f[0], nil
			}
		}
		return "", fmt.Errorf("no leader in:\n%s", out)
	}
	var leader string
	eventually(t, 20*time.Second, "members agree on a leader", func() error {
		for _, n := range nodes {
			l, err := leaderOf(ctlEnv(dir, n, key))
			if err != nil {
				return err
			}
			if leader != "" && l != leader {
				return fmt.Errorf("%s says %s, another says %s", n.name, l, leader)
			}
			leader = l
		}
		return nil
	})

	// kill -9 the leader: a survivor accepts a write within seconds.
	var survivor *controllerNode
	for _, n := range nodes {
		if n.name == leader {
			n.proc.kill()
		} else {
			survivor = n
		}
	}
	killed := time.Now()
	eventually(t, 30*time.Second, "write after leader kill", func() error {
		_, err := try(ctlEnv(dir, survivor, key), "ctl", "tokens", "create", "--uses", "2")
		return err
	})
	t.Logf("first write %s after kill -9 of the leader", time.Since(killed).Round(time.Millisecond))
}
