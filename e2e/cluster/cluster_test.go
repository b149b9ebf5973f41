// Package cluster is the multi-process end-to-end test: the real driftmgr
// binary started as three controller processes and two agents on
// loopback, talked to only through its CLI and API.
package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
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

	"github.com/driftmgr/driftmgr/controller/testcluster"
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
		ports, err := testcluster.FreePorts(ip, 3)
		require.NoError(t, err)
		as = append(as, addrs{ip: ip,
			raft:   net.JoinHostPort(ip, strconv.Itoa(ports[0])),
			gossip: net.JoinHostPort(ip, strconv.Itoa(ports[1])),
			api:    net.JoinHostPort(ip, strconv.Itoa(ports[2]))})
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

	// Two agents, enrolled with one two-use join token, each scanning its
	// own simulated cloud.
	out := run(t, ctlEnv(dir, nodes[1], key), "ctl", "tokens", "create", "--uses", "2", "--json")
	var tok struct {
		Secret string `json:"secret"`
		CaPin  string `json:"caPin"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &tok))
	_, self, _, _ := runtime.Caller(0)
	examples := filepath.Join(filepath.Dir(self), "..", "..", "examples")
	var urls []string
	for _, n := range nodes {
		urls = append(urls, `"`+n.api+`"`)
	}
	for i, cloud := range []string{"aws", "gcp"} {
		name := fmt.Sprintf("agent-%d", i+1)
		cfg := fmt.Sprintf(`name: %s
data_dir: %s
controllers: [%s]
join_token: %s
ca_pin: %s
ca_file: %s
scan_interval: 3s
scan:
  providers: [%s]
  simulate: %s
  states: [%s]
  rate: 1000
`, name, filepath.Join(dir, name), strings.Join(urls, ", "), tok.Secret, tok.CaPin, filepath.Join(dir, "tls", "ca.pem"),
			cloud, filepath.Join(examples, cloud, "world.json"), filepath.Join(examples, cloud, "terraform.tfstate"))
		path := filepath.Join(dir, name+".yaml")
		require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
		start(t, name, nil, "agent", "--config", path)
	}
	findings := func(env []string) (int, error) {
		out, err := try(env, "ctl", "findings", "list", "--status", "open", "--json")
		if err != nil {
			return 0, err
		}
		var resp struct {
			TotalSize string `json:"totalSize"`
		}
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			return 0, err
		}
		return strconv.Atoi(resp.TotalSize)
	}
	// Each example world has 4 planted drifts.
	eventually(t, 60*time.Second, "agents' findings on every controller", func() error {
		for _, n := range nodes {
			got, err := findings(ctlEnv(dir, n, key))
			if err != nil {
				return err
			}
			if got != 8 {
				return fmt.Errorf("%s has %d open findings, want 8", n.name, got)
			}
		}
		return nil
	})
	agentsUp := func(env []string) error {
		out, err := try(env, "ctl", "agents", "list")
		if err != nil {
			return err
		}
		if c := strings.Count(out, " true "); c < 2 {
			return fmt.Errorf("want 2 connected agents:\n%s", out)
		}
		return nil
	}
	eventually(t, 30*time.Second, "agents connected", func() error { return agentsUp(ctlEnv(dir, nodes[0], key)) })

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

	// The agents keep scanning and uploading through the survivors: each
	// agent's acknowledged sequence moves on. Nothing is counted twice and
	// nothing is lost.
	acked := func() (map[string]int, error) {
		out, err := try(ctlEnv(dir, survivor, key), "ctl", "agents", "list", "--json")
		if err != nil {
			return nil, err
		}
		var resp struct {
			Agents []struct {
				ID       string `json:"id"`
				AckedSeq string `json:"ackedSeq"`
			} `json:"agents"`
		}
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			return nil, err
		}
		m := map[string]int{}
		for _, a := range resp.Agents {
			m[a.ID], _ = strconv.Atoi(a.AckedSeq)
		}
		return m, nil
	}
	before, err := acked()
	require.NoError(t, err)
	require.Len(t, before, 2)
	eventually(t, 45*time.Second, "uploads after the leader kill", func() error {
		now, err := acked()
		if err != nil {
			return err
		}
		for id, seq := range before {
			if now[id] <= seq {
				return fmt.Errorf("agent %s still at seq %d", id, now[id])
			}
		}
		return nil
	})
	got, err := findings(ctlEnv(dir, survivor, key))
	require.NoError(t, err)
	require.Equal(t, 8, got)

	// SIGTERM stops a controller gracefully: it hands over leadership,
	// leaves the cluster and exits 0.
	survivor.proc.term(t)
	require.Equal(t, 0, survivor.proc.cmd.ProcessState.ExitCode(), survivor.proc.output())
}
