// Package emulators starts the storage emulators that DriftMgr tests run
// against. The npm-based ones are installed, pinned by package-lock.json, in
// this directory:
//
//	npm ci --prefix e2e/emulators
//
// Helpers skip the calling test only when the emulator is not installed, so
// a machine that ran the command above never skips.
package emulators

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Azurite's well-known development account. The key is public and documented
// by Microsoft; it only ever unlocks a local emulator.
const (
	AzuriteAccount = "devstoreaccount1"
	AzuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Azurite is a running azurite-blob process bound to 127.0.0.1.
type Azurite struct {
	// BlobEndpoint is the service URL including the account,
	// e.g. http://127.0.0.1:41234/devstoreaccount1.
	BlobEndpoint string
}

// ConnectionString returns a connection string for the development account.
func (a Azurite) ConnectionString() string {
	return fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;",
		AzuriteAccount, AzuriteKey, a.BlobEndpoint)
}

// StartAzurite starts azurite-blob on a free loopback port with its data in a
// temporary directory, waits until it accepts connections, and stops it when
// the test ends. It skips the test when azurite is not installed.
func StartAzurite(t testing.TB) Azurite {
	t.Helper()
	bin, err := nodeBin("azurite-blob")
	if err != nil {
		t.Skipf("azurite not installed (run `npm ci --prefix e2e/emulators`): %v", err)
	}
	// A free port can be taken between probing and azurite binding it;
	// retry a few times rather than flake.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("find free port: %v", err)
		}
		args := []string{
			"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
			"--location", t.TempDir(), "--skipApiVersionCheck", "--disableTelemetry", "--silent",
		}
		if err := startProcess(t, bin, args, port); err != nil {
			lastErr = err
			continue
		}
		return Azurite{BlobEndpoint: fmt.Sprintf("http://127.0.0.1:%d/%s", port, AzuriteAccount)}
	}
	t.Fatalf("start azurite: %v", lastErr)
	return Azurite{}
}

// startProcess runs bin and waits for it to listen on port. On success the
// process is killed in t.Cleanup.
func startProcess(t testing.TB, bin string, args []string, port int) error {
	t.Helper()
	var out lockedBuffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err // let stop() see it
			return fmt.Errorf("%s exited before listening (%v): %s", filepath.Base(bin), err, out.String())
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			t.Cleanup(stop)
			return nil
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("%s did not listen on %s within 30s: %s", filepath.Base(bin), addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// nodeBin finds node_modules/.bin/NAME of this directory by walking up from
// the working directory to the module root, so it works from any package's
// tests and with -trimpath.
func nodeBin(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			bin := filepath.Join(dir, "e2e", "emulators", "node_modules", ".bin", name)
			if _, err := os.Stat(bin); err != nil {
				return "", err
			}
			return bin, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer collects a child's output; the exec package writes it from
// its own goroutine while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
