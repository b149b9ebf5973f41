// Package console is the web console's browser test: the real driftmgr
// binary (with the console embedded) started as `driftmgr dev`, driven by
// headless Chromium through playwright-core (scenario.mjs with an API key,
// session.mjs signed in with the dev admin's password), then loaded with
// 100,000 findings through the agent API and measured (perf.mjs).
//
// It needs Node and Chromium; it skips, saying so, only when one of them is
// missing. It builds the console when console/dist holds no build and
// installs its own npm packages (package-lock.json here) when they are
// missing. Screenshots, axe results and perf.json go to e2e/output/
// (DRIFTMGR_E2E_OUTPUT overrides).
package console

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Findings the controller holds when the inventory is measured.
const perfFindings = 100000

// Targets of the issue, and the margin past which a miss fails the test
// rather than only being logged: the machines are shared and noisy.
const (
	targetFirstRowsMs   = 1500
	targetLongTaskMs    = 100
	targetInitialJSKB   = 300
	failFactor          = 2.0
	scenarioTimeout     = 4 * time.Minute
	sessionTimeout      = 2 * time.Minute
	perfTimeout         = 3 * time.Minute
	devBannerTimeout    = time.Minute
	installBuildTimeout = 10 * time.Minute
)

func repoRoot() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..")
}

func TestConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	root := repoRoot()
	here := filepath.Join(root, "e2e", "console")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the console's browser test needs Node 20 and Chromium (.ci/run installs both)")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm is not installed: the console's browser test needs it")
	}
	browser := chromiumPath()
	if browser == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium; CHROMIUM=path overrides): the console's browser test needs it")
	}
	out := os.Getenv("DRIFTMGR_E2E_OUTPUT")
	if out == "" {
		out = filepath.Join(root, "e2e", "output")
	}
	require.NoError(t, os.MkdirAll(out, 0o755))

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), installBuildTimeout)
	defer cancel()
	if _, err := os.Stat(filepath.Join(root, "console", "dist", "index.html")); err != nil {
		t.Log("console/dist has no build: npm ci + npm run build in console/")
		runTool(ctx, t, root, npm, "ci", "--prefix", "console", "--no-audit", "--no-fund")
		runTool(ctx, t, root, npm, "run", "build", "--prefix", "console")
	}
	if !installed(here, "playwright-core", "axe-core") {
		t.Log("installing e2e/console's npm packages (npm ci)")
		runTool(ctx, t, root, npm, "ci", "--prefix", "e2e/console", "--no-audit", "--no-fund")
	}
	bin := filepath.Join(t.TempDir(), "driftmgr")
	runTool(ctx, t, root, "go", "build", "-o", bin, "./cmd/driftmgr")
	t.Logf("built in %s", time.Since(start).Round(time.Millisecond))

	dev := startDev(t, bin)
	env := []string{"DRIFTMGR_URL=" + dev.url, "DRIFTMGR_API_KEY=" + dev.key, "DRIFTMGR_PASSWORD=" + dev.password,
		"DRIFTMGR_E2E_OUTPUT=" + out, "CHROMIUM=" + browser}

	// The scenario runs first: it expects the example worlds' 12 findings.
	// The perf run follows even when the scenario failed (an axe finding
	// says nothing about speed).
	t.Run("scenario", func(t *testing.T) {
		runNode(t, here, node, scenarioTimeout, env, "scenario.mjs")
	})
	// The session script signs in as the dev admin with its password and
	// downloads the audit log, which the CLI then checks offline: the
	// console's export is the format `driftmgr ctl audit verify` reads.
	t.Run("session", func(t *testing.T) {
		export := filepath.Join(out, "audit-export.jsonl")
		_ = os.Remove(export)
		runNode(t, here, node, sessionTimeout, env, "session.mjs")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		b, err := exec.CommandContext(ctx, bin, "ctl", "audit", "verify", export).CombinedOutput()
		require.NoError(t, err, "driftmgr ctl audit verify on the console's export:\n%s", b)
		t.Logf("%s", strings.TrimSpace(string(b)))
	})
	t.Run("perf", func(t *testing.T) {
		seedCtx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		before, err := totalFindings(seedCtx, dev.url, dev.key)
		require.NoError(t, err)
		t0 := time.Now()
		a, err := enrollSeedAgent(seedCtx, dev.url, dev.key, dev.agentTLS)
		require.NoError(t, err)
		_, err = a.upload(seedCtx, 1, 0, perfFindings, time.Now())
		require.NoError(t, err)
		a.http.CloseIdleConnections()
		seeded := time.Since(t0)
		require.Eventually(t, func() bool {
			n, err := totalFindings(seedCtx, dev.url, dev.key)
			return err == nil && n >= before+perfFindings
		}, 30*time.Second, 100*time.Millisecond, "the controller does not list the %d uploaded findings", perfFindings)
		t.Logf("seeded %d findings through Enroll + %d Uploads in %s", perfFindings, (perfFindings+seedBatch-1)/seedBatch, seeded.Round(time.Millisecond))

		runNode(t, here, node, perfTimeout, append(env, fmt.Sprintf("DRIFTMGR_PERF_FINDINGS=%d", perfFindings)), "perf.mjs")
		judgePerf(t, filepath.Join(out, "perf.json"), seeded)
	})
	t.Logf("console e2e: %s in all", time.Since(start).Round(time.Millisecond))
}

// perfResult is what perf.mjs writes.
type perfResult struct {
	FirstRowsMedianMs float64   `json:"firstRowsMedianMs"`
	FirstRowsMs       []float64 `json:"firstRowsMs"`
	JS                *struct {
		GzipBytes    int `json:"gzipBytes"`
		EncodedBytes int `json:"encodedBytes"`
		Files        []struct {
			File      string `json:"file"`
			GzipBytes int    `json:"gzipBytes"`
		} `json:"files"`
	} `json:"js"`
	Scroll *struct {
		Rows          int   `json:"rows"`
		DurationMs    int   `json:"durationMs"`
		LongTasks     int   `json:"longTasks"`
		MaxLongTaskMs int   `json:"maxLongTaskMs"`
		P95FrameMs    int   `json:"p95FrameMs"`
		LongTaskMs    []int `json:"longTaskDurationsMs"`
	} `json:"scroll"`
}

// judgePerf fails on a target missed by more than failFactor and logs a
// narrower miss; it adds the verdicts and the seeding time to perf.json.
func judgePerf(t *testing.T, path string, seeded time.Duration) {
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var r perfResult
	require.NoError(t, json.Unmarshal(raw, &r))
	require.NotNil(t, r.JS, "perf.json has no JavaScript figures")
	require.NotNil(t, r.Scroll, "perf.json has no scroll figures")
	verdicts := map[string]string{}
	judge := func(name string, got, target float64, unit string) {
		v := "met"
		switch {
		case got > target*failFactor:
			v = "failed"
			t.Errorf("%s: %.0f %s, target %.0f %s (fails past %.0f)", name, got, unit, target, unit, target*failFactor)
		case got > target:
			v = "missed narrowly"
			t.Logf("MISSED narrowly (noisy machine?): %s: %.0f %s, target %.0f %s", name, got, unit, target, unit)
		default:
			t.Logf("%s: %.0f %s (target %.0f %s)", name, got, unit, target, unit)
		}
		verdicts[name] = v
	}
	judge("first rows of the inventory, median", r.FirstRowsMedianMs, targetFirstRowsMs, "ms")
	judge("longest task while scrolling", float64(r.Scroll.MaxLongTaskMs), targetLongTaskMs, "ms")
	judge("initial JavaScript, gzipped", float64(r.JS.GzipBytes)/1024, targetInitialJSKB, "KB")
	t.Logf("first rows per run %v ms; scrolled %d rows in %d ms with %d long tasks %v ms (p95 frame %d ms); JS as transferred %.0f KB",
		r.FirstRowsMs, r.Scroll.Rows, r.Scroll.DurationMs, r.Scroll.LongTasks, r.Scroll.LongTaskMs, r.Scroll.P95FrameMs, float64(r.JS.EncodedBytes)/1024)

	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	doc["verdicts"] = verdicts
	doc["targets"] = map[string]any{"firstRowsMs": targetFirstRowsMs, "maxLongTaskMs": targetLongTaskMs, "initialJSKBGzip": targetInitialJSKB, "failFactor": failFactor}
	doc["seedSeconds"] = seeded.Seconds()
	b, err := json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
}

func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func installed(dir string, pkgs ...string) bool {
	for _, p := range pkgs {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", p, "package.json")); err != nil {
			return false
		}
	}
	return true
}

// runTool runs a build or install step in dir, failing the test with its output.
func runTool(ctx context.Context, t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), b)
}

// runNode runs a browser script to completion, streaming its output to the
// test log. The script and the Chromium it starts run in their own process
// group, killed as a group if the script overruns.
func runNode(t *testing.T, dir, node string, timeout time.Duration, env []string, script string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	require.NoError(t, cmd.Start())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			t.Log(sc.Text())
		}
	}()
	err := cmd.Wait()
	pw.Close()
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %s", script, timeout)
	}
	require.NoError(t, err, "%s failed (output above)", script)
}

// devProc is a running `driftmgr dev`.
type devProc struct {
	url, key, password, agentTLS string
}

var (
	consoleRe  = regexp.MustCompile(`^\s*console\s+(http://\S+)`)
	apiKeyRe   = regexp.MustCompile(`^\s*API key\s+(\S+)`)
	passwordRe = regexp.MustCompile(`^\s*password\s+(\S+)`)
	agentTLSRe = regexp.MustCompile(`TLS for agents on (\S+?)\)`)
)

// startDev starts `driftmgr dev` on a free port with a 2 s scan interval,
// waits for its banner, and stops it (SIGTERM, then SIGKILL) when the test ends.
func startDev(t *testing.T, bin string) *devProc {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "api-key")
	passwordFile := filepath.Join(dir, "admin-password")
	cmd := exec.Command(bin, "dev", "--listen", "127.0.0.1:0", "--scan-interval", "2s", "--api-key-file", keyFile,
		"--admin-password-file", passwordFile, "--data-dir", filepath.Join(dir, "data"))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var logMu sync.Mutex
	var log strings.Builder
	cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		logMu.Lock()
		defer logMu.Unlock()
		return log.Write(p)
	})
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	d := &devProc{}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signaled := false
		for sc.Scan() {
			line := sc.Text()
			logMu.Lock()
			log.WriteString(line + "\n")
			logMu.Unlock()
			if signaled {
				continue
			}
			if m := consoleRe.FindStringSubmatch(line); m != nil {
				d.url = m[1]
			}
			if m := agentTLSRe.FindStringSubmatch(line); m != nil {
				d.agentTLS = m[1]
			}
			if m := apiKeyRe.FindStringSubmatch(line); m != nil {
				d.key = m[1]
			}
			if m := passwordRe.FindStringSubmatch(line); m != nil {
				d.password = m[1]
			}
			if d.url != "" && d.agentTLS != "" && d.key != "" && d.password != "" {
				signaled = true
				close(ready)
			}
		}
	}()
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		}
		if t.Failed() {
			logMu.Lock()
			t.Logf("--- driftmgr dev output ---\n%s", log.String())
			logMu.Unlock()
		}
	})
	select {
	case <-ready:
	case <-done:
		logMu.Lock()
		defer logMu.Unlock()
		t.Fatalf("driftmgr dev exited before its banner:\n%s", log.String())
	case <-time.After(devBannerTimeout):
		t.Fatalf("driftmgr dev printed no banner within %s", devBannerTimeout)
	}
	b, err := os.ReadFile(keyFile)
	require.NoError(t, err, "--api-key-file")
	require.Equal(t, d.key, strings.TrimSpace(string(b)), "the key in --api-key-file is the one printed")
	b, err = os.ReadFile(passwordFile)
	require.NoError(t, err, "--admin-password-file")
	require.Equal(t, d.password, strings.TrimSpace(string(b)), "the password in --admin-password-file is the one printed")
	return d
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
