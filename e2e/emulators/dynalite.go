package emulators

import (
	"fmt"
	"strconv"
	"testing"
)

// StartDynalite starts dynalite (an in-memory DynamoDB) on a free loopback
// port, waits until it accepts connections, and stops it when the test
// ends. It returns the endpoint URL and skips the test when dynalite is not
// installed.
func StartDynalite(t testing.TB) string {
	t.Helper()
	bin, err := nodeBin("dynalite")
	if err != nil {
		t.Skipf("dynalite not installed (run `npm ci --prefix e2e/emulators`): %v", err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("find free port: %v", err)
		}
		args := []string{"--host", "127.0.0.1", "--port", strconv.Itoa(port), "--createTableMs", "0",
			"--deleteTableMs", "0", "--updateTableMs", "0"}
		if err := startProcess(t, bin, args, port); err != nil {
			lastErr = err
			continue
		}
		return fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	t.Fatalf("start dynalite: %v", lastErr)
	return ""
}
