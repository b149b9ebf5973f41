package runner

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

func TestConfigValidation(t *testing.T) {
	ok := Config{Controllers: []string{"https://127.0.0.1:1"}, DataDir: t.TempDir(), Scanner: &fakeScanner{}}
	for name, tc := range map[string]struct {
		edit func(*Config)
		want string
	}{
		"no controllers":   {func(c *Config) { c.Controllers = nil }, "Config.Controllers"},
		"http controller":  {func(c *Config) { c.Controllers = []string{"http://x:1"} }, "Config.Controllers[0]"},
		"no host":          {func(c *Config) { c.Controllers = []string{"https://"} }, "Config.Controllers[0]"},
		"no data dir":      {func(c *Config) { c.DataDir = "" }, "Config.DataDir"},
		"no scanner":       {func(c *Config) { c.Scanner = nil }, "Config.Scanner"},
		"too many flights": {func(c *Config) { c.InFlight = 9 }, "Config.InFlight"},
		"negative":         {func(c *Config) { c.ScanInterval = -1 }, "negative"},
		"backoffs":         {func(c *Config) { c.MinBackoff, c.MaxBackoff = time.Second, time.Millisecond }, "MaxBackoff"},
	} {
		t.Run(name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			_, err := New(c)
			require.ErrorContains(t, err, tc.want)
		})
	}
	c, err := ok.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, DefaultInFlight, c.InFlight)
	assert.Equal(t, DefaultHeartbeatInterval, c.HeartbeatInterval)
	assert.NotEmpty(t, c.Name)
	assert.Equal(t, "dev", c.Version)
}

func TestAgentFilesAreExclusive(t *testing.T) {
	cfg := Config{Controllers: []string{"https://127.0.0.1:1"}, DataDir: t.TempDir(), Scanner: &fakeScanner{}, Logger: testLogger()}
	a, err := New(cfg)
	require.NoError(t, err)
	defer a.Close()
	_, err = New(cfg)
	require.ErrorContains(t, err, "locked")
}

func TestDamagedIdentityIsAnError(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, agentFile), []byte(`{"agent_id":"a","tenant":"t"}`), 0o644))
	_, _, err := loadIdentity(dir)
	require.ErrorContains(t, err, "identity key")
	require.NoError(t, os.WriteFile(filepath.Join(dir, keyFile), []byte("junk"), 0o600))
	_, _, err = loadIdentity(dir)
	require.ErrorContains(t, err, "PRIVATE KEY")
	require.NoError(t, os.WriteFile(filepath.Join(dir, agentFile), []byte(`{`), 0o644))
	_, _, err = loadIdentity(dir)
	require.Error(t, err)

	cfg := Config{Controllers: []string{"https://127.0.0.1:1"}, DataDir: dir, Scanner: &fakeScanner{}, Logger: testLogger()}
	a, err := New(cfg)
	require.NoError(t, err)
	defer a.Close()
	require.Error(t, a.Run(t.Context()))
	require.ErrorIs(t, a.Run(t.Context()), ErrRunning)
}

func TestFindingConversion(t *testing.T) {
	a := &Agent{log: testLogger()}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f := drift.Finding{Kind: drift.Modified, Provider: "aws", Type: "aws_instance", ID: "i-1", Account: "1", Region: "r",
		Severity: drift.Critical, Address: "aws_instance.web", Origin: "state.tfstate",
		Diffs: []drift.Diff{
			{Path: resource.Path("tags.env"), Expected: "prod", Actual: nil},
			{Path: "ratio", Expected: math.NaN(), Actual: 1.5},
			{Path: "blob", Expected: strings.Repeat("x", maxFieldBytes+1), Actual: map[string]any{"a": []any{1, true}}},
		}}
	p, ok := a.toFinding(&f, "scn-1", at)
	require.True(t, ok)
	assert.Equal(t, FindingID("aws", "1", "r", "aws_instance", "i-1"), p.GetId())
	assert.Len(t, p.GetId(), 32)
	assert.Equal(t, pb.DriftKind_DRIFT_KIND_MODIFIED, p.GetKind())
	assert.Equal(t, pb.Severity_SEVERITY_CRITICAL, p.GetSeverity())
	assert.True(t, proto.Equal(&pb.ResourceRef{Provider: "aws", Type: "aws_instance", Id: "i-1", Account: "1", Region: "r", Address: "aws_instance.web"},
		p.GetResource()))
	assert.Equal(t, "state.tfstate", p.GetOrigin())
	assert.Equal(t, at, p.GetFirstSeen().AsTime())
	assert.Equal(t, at, p.GetLastSeen().AsTime())
	assert.Equal(t, "scn-1", p.GetScanId())
	require.Len(t, p.GetChanges(), 3)
	assert.Equal(t, `"prod"`, p.GetChanges()[0].GetStateJson())
	assert.Empty(t, p.GetChanges()[0].GetLiveJson(), "an absent side is empty")
	assert.Equal(t, `"NaN"`, p.GetChanges()[1].GetStateJson())
	assert.Contains(t, p.GetChanges()[2].GetStateJson(), "not shown")
	assert.Equal(t, `{"a":[1,true]}`, p.GetChanges()[2].GetLiveJson())

	// The content hash ignores when and by which scan it was seen.
	q, _ := a.toFinding(&f, "scn-2", at.Add(time.Hour))
	assert.Equal(t, contentHash(p), contentHash(q))
	f.Diffs[0].Actual = "dev"
	r, _ := a.toFinding(&f, "scn-2", at)
	assert.NotEqual(t, contentHash(p), contentHash(r))

	for kind, want := range map[drift.Kind]pb.DriftKind{drift.Missing: pb.DriftKind_DRIFT_KIND_MISSING,
		drift.Unmanaged: pb.DriftKind_DRIFT_KIND_UNMANAGED, drift.Modified: pb.DriftKind_DRIFT_KIND_MODIFIED} {
		assert.Equal(t, want, toKind(kind))
	}
	for sev, want := range map[drift.Severity]pb.Severity{drift.Critical: pb.Severity_SEVERITY_CRITICAL,
		drift.High: pb.Severity_SEVERITY_HIGH, drift.Medium: pb.Severity_SEVERITY_MEDIUM, drift.Low: pb.Severity_SEVERITY_LOW,
		drift.Info: pb.Severity_SEVERITY_INFO, "bogus": pb.Severity_SEVERITY_UNSPECIFIED} {
		assert.Equal(t, want, toSeverity(sev))
	}

	// What the controller would refuse is left out rather than poisoning
	// a batch.
	_, ok = a.toFinding(&drift.Finding{Kind: drift.Missing, Provider: "aws", Type: "t"}, "s", at)
	assert.False(t, ok, "no id")
	_, ok = a.toFinding(&drift.Finding{Kind: "WEIRD", Provider: "aws", Type: "t", ID: "x"}, "s", at)
	assert.False(t, ok, "unknown kind")

	// Too many or too large changes are clipped to what fits.
	big := drift.Finding{Kind: drift.Modified, Provider: "aws", Type: "t", ID: "x"}
	for i := range maxChanges + 5 {
		big.Diffs = append(big.Diffs, drift.Diff{Path: resource.Path("p"), Expected: strings.Repeat("y", 100), Actual: i})
	}
	p, ok = a.toFinding(&big, "s", at)
	require.True(t, ok)
	assert.LessOrEqual(t, len(p.GetChanges()), maxChanges)
	assert.Less(t, proto.Size(p), outbox.MaxRecordSize)

	skips := toSkips([]discovery.Skip{{Scope: discovery.Scope{Provider: "aws", Account: "1", Region: "r"}, Service: "ec2",
		Reason: discovery.AccessDenied, Detail: "denied"}})
	require.Len(t, skips, 1)
	assert.True(t, proto.Equal(&pb.Skip{Provider: "aws", Account: "1", Region: "r", Service: "ec2", Reason: "access_denied", Detail: "denied"}, skips[0]))
}

func TestBackoffAndJitter(t *testing.T) {
	b := &backoff{min: 100 * time.Millisecond, max: time.Second}
	var last time.Duration
	for range 10 {
		last = b.next()
		assert.LessOrEqual(t, last, time.Second)
		assert.GreaterOrEqual(t, last, 50*time.Millisecond)
	}
	assert.GreaterOrEqual(t, last, 500*time.Millisecond, "capped at max, jittered in its upper half")
	b.reset()
	assert.LessOrEqual(t, b.next(), 100*time.Millisecond)
	for range 100 {
		j := jitter(time.Minute)
		assert.GreaterOrEqual(t, j, 54*time.Second)
		assert.LessOrEqual(t, j, 66*time.Second)
	}
	assert.Zero(t, jitter(0))
}

func TestRenewAt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// A day-long certificate: two thirds in.
	assert.Equal(t, t0.Add(16*time.Hour), renewAt(t0, t0.Add(24*time.Hour), t0, true))
	// Three seconds, backdated a minute: timed from arrival when fresh...
	nb, na := t0.Add(-time.Minute), t0.Add(3*time.Second)
	assert.Equal(t, t0.Add(2*time.Second), renewAt(nb, na, t0, true))
	// ...and at once when loaded from disk already due.
	assert.True(t, renewAt(nb, na, t0, false).Before(t0))
}

type panicScanner struct{}

func (panicScanner) Scan(context.Context) (*drift.Result, []discovery.Skip, error) {
	panic("odd resource")
}

func TestScannerPanicIsAFailedScan(t *testing.T) {
	cfg := Config{Controllers: []string{"https://127.0.0.1:1"}, DataDir: t.TempDir(), Scanner: panicScanner{}, Logger: testLogger()}
	a, err := New(cfg)
	require.NoError(t, err)
	defer a.Close()
	require.NoError(t, a.scan(t.Context(), "command"))
	bs, err := a.ob.Pending(t.Context(), 0, 10)
	require.NoError(t, err)
	require.Len(t, bs, 1)
	require.Len(t, bs[0].Records, 2, "scan started and completed, nothing else")
	var r pb.Record
	require.NoError(t, proto.Unmarshal(bs[0].Records[1], &r))
	sc := r.GetScanCompleted()
	require.NotNil(t, sc)
	assert.Contains(t, sc.GetError(), "scanner panicked: odd resource")
	assert.False(t, sc.GetFullSync(), "a failed scan never resolves by omission")
	assert.EqualValues(t, 1, a.Stats().ScanErrors)
}
