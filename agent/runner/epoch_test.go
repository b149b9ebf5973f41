package runner

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/controller/node"
	"github.com/driftmgr/driftmgr/internal/drift"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// lockedBuffer collects log output from the agent's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// When the controller already applied a newer boot epoch for this agent
// (its outbox was replaced while the clock ran behind), the agent's
// uploads are refused as Aborted and the agent says what happened and
// what to do, instead of skipping its batches.
func TestOlderEpochIsExplained(t *testing.T) {
	c := startCluster(t, 1, nil)
	sc := &fakeScanner{}
	sc.set(finding("e1", drift.Unmanaged, nil, nil))
	a, cfg := enrolledAgent(t, c, sc, nil)
	waitDelivered(t, c, a, 1)
	epoch := a.ob.Epoch()
	require.NoError(t, a.stop(t))

	// Another outbox of the same agent, from a later epoch, delivers first.
	cert, err := tls.LoadX509KeyPair(filepath.Join(cfg.DataDir, certFile), filepath.Join(cfg.DataDir, keyFile))
	require.NoError(t, err)
	hc := &http.Client{Transport: node.H2Transport(&tls.Config{MinVersion: tls.VersionTLS13, RootCAs: c.CA.Pool(), Certificates: []tls.Certificate{cert}})}
	rec, err := proto.Marshal(&pb.Record{Kind: &pb.Record_ScanStarted{ScanStarted: &pb.ScanStarted{ScanId: "scn-other"}}})
	require.NoError(t, err)
	newer := epoch + uint64(time.Hour)
	payload := outbox.EncodeBatch(outbox.Batch{Epoch: newer, Seq: 1, Records: [][]byte{rec}})
	_, err = driftmgrv1connect.NewAgentServiceClient(hc, cfg.Controllers[0]).Upload(t.Context(),
		connect.NewRequest(&pb.UploadRequest{BootEpoch: newer, Seq: 1, Payload: payload}))
	require.NoError(t, err)

	var logs lockedBuffer
	cfg.JoinToken = ""
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	sc.set(finding("e2", drift.Unmanaged, nil, nil))
	b := startAgent(t, cfg)
	require.Eventually(t, func() bool {
		return bytes.Contains([]byte(logs.String()), []byte("older than one it already applied"))
	}, waitLong, 50*time.Millisecond, "logs: %s", logs.String())
	require.Positive(t, b.Stats().OutboxDepth, "nothing is dropped: the batches wait for an operator")
	require.NoError(t, b.stop(t))
}
