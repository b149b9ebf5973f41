package fsm

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/outbox"
	"github.com/driftmgr/driftmgr/storage/state"
)

// t0 is the time the tests' leader stamps on commands.
var t0 = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)

func ts(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(t0.Add(d)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// node is one FSM over a real bbolt file, fed entries the way raft feeds
// them: encoded, with increasing indexes.
type node struct {
	t     testing.TB
	path  string
	store *state.Store
	fsm   *FSM
	index uint64
	logs  []*raft.Log // every entry proposed, for replays

	mu      sync.Mutex
	changes []Change
}

func newNode(t testing.TB) *node {
	t.Helper()
	n := &node{t: t, path: filepath.Join(t.TempDir(), "state.db")}
	n.open()
	return n
}

// open (re)opens the state file and builds a fresh FSM over it, as a
// restarted process does.
func (n *node) open() {
	n.t.Helper()
	s, err := state.Open(n.path)
	require.NoError(n.t, err)
	n.t.Cleanup(func() { _ = s.Close() })
	f, err := New(s, quiet)
	require.NoError(n.t, err)
	f.OnChange(func(c Change) {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.changes = append(n.changes, c)
	})
	n.store, n.fsm = s, f
}

func (n *node) restart() {
	n.t.Helper()
	require.NoError(n.t, n.store.Close())
	n.open()
}

// takeChanges returns the changes delivered since the last call.
func (n *node) takeChanges() []Change {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.changes
	n.changes = nil
	return c
}

func entry(t testing.TB, index uint64, c *pb.RaftCommand) *raft.Log {
	t.Helper()
	data, err := Encode(c)
	require.NoError(t, err)
	return &raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: data}
}

// apply proposes one command at the next index through Apply.
func (n *node) apply(c *pb.RaftCommand) any {
	n.t.Helper()
	n.index++
	l := entry(n.t, n.index, c)
	n.logs = append(n.logs, l)
	return n.fsm.Apply(l)
}

// applyBatch proposes several commands as one batch through ApplyBatch.
func (n *node) applyBatch(cs ...*pb.RaftCommand) []any {
	n.t.Helper()
	logs := make([]*raft.Log, len(cs))
	for i, c := range cs {
		n.index++
		logs[i] = entry(n.t, n.index, c)
	}
	n.logs = append(n.logs, logs...)
	return n.fsm.ApplyBatch(logs)
}

func (n *node) result(c *pb.RaftCommand) *pb.ApplyResult {
	n.t.Helper()
	r, ok := n.apply(c).(*pb.ApplyResult)
	require.True(n.t, ok, "apply result is %T", r)
	return r
}

func (n *node) ingest(batches ...*pb.IngestBatch) []*pb.IngestOutcome {
	n.t.Helper()
	r, ok := n.apply(ingestCmd(batches...)).(*pb.IngestResult)
	require.True(n.t, ok)
	require.Len(n.t, r.GetOutcomes(), len(batches))
	return r.GetOutcomes()
}

// enroll creates a join token and enrolls one agent with it.
func (n *node) enroll(tenant, agent string) {
	n.t.Helper()
	tok := "tok-" + agent
	require.Empty(n.t, n.result(createToken(tenant, tok, time.Hour, 1)).GetCode())
	r := n.result(enrollCmd(tenant, tok, agent, 0))
	require.Empty(n.t, r.GetCode(), r.GetMessage())
}

func (n *node) finding(tenant, id string) *pb.Finding {
	n.t.Helper()
	var f *pb.Finding
	require.NoError(n.t, n.store.View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		f, err = tt.Finding(id)
		return err
	}))
	return f
}

func (n *node) agent(tenant, id string) *pb.Agent {
	n.t.Helper()
	var a *pb.Agent
	require.NoError(n.t, n.store.View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		a, err = tt.Agent(id)
		return err
	}))
	return a
}

func (n *node) scans(tenant string) []*pb.Scan {
	n.t.Helper()
	var out []*pb.Scan
	require.NoError(n.t, n.store.View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		return tt.ForEachScan(func(s *pb.Scan) error { out = append(out, s); return nil })
	}))
	return out
}

// Commands, stamped at t0 plus an offset.

func cmdAt(d time.Duration, req string) *pb.RaftCommand {
	return &pb.RaftCommand{RequestId: req, At: ts(d)}
}

func createToken(tenant, id string, ttl time.Duration, maxUses int32) *pb.RaftCommand {
	c := cmdAt(0, "")
	c.Cmd = &pb.RaftCommand_CreateJoinToken{CreateJoinToken: &pb.CreateJoinTokenCommand{Token: &pb.StoredJoinToken{
		Token:      &pb.JoinToken{Id: id, Tenant: tenant, ExpiresAt: ts(ttl), MaxUses: maxUses},
		SecretHash: []byte("hash-" + id),
	}}}
	return c
}

func enrollCmd(tenant, token, agent string, at time.Duration) *pb.RaftCommand {
	c := cmdAt(at, "")
	c.Cmd = &pb.RaftCommand_Enroll{Enroll: &pb.EnrollCommand{Tenant: tenant, TokenId: token,
		Agent: &pb.Agent{Id: agent, Name: agent, CertSerial: "serial-" + agent, CertNotAfter: ts(24 * time.Hour)}}}
	return c
}

func ackCmd(tenant, finding, by, note string) *pb.RaftCommand {
	c := cmdAt(time.Minute, "")
	c.Cmd = &pb.RaftCommand_AckFinding{AckFinding: &pb.AckFindingCommand{Tenant: tenant, FindingId: finding, By: by, Note: note}}
	return c
}

func statusCmd(tenant, agent string, connected bool, version string, epoch uint64, at time.Duration) *pb.RaftCommand {
	c := cmdAt(at, "")
	c.Cmd = &pb.RaftCommand_AgentStatus{AgentStatus: &pb.AgentStatusCommand{Tenant: tenant, AgentId: agent,
		Connected: connected, Version: version, BootEpoch: epoch}}
	return c
}

func revokeCmd(tenant, agent string) *pb.RaftCommand {
	c := cmdAt(0, "")
	c.Cmd = &pb.RaftCommand_RevokeAgent{RevokeAgent: &pb.RevokeAgentCommand{Tenant: tenant, AgentId: agent}}
	return c
}

func renewCmd(tenant, agent, serial string, notAfter time.Duration) *pb.RaftCommand {
	c := cmdAt(0, "")
	c.Cmd = &pb.RaftCommand_RenewAgent{RenewAgent: &pb.RenewAgentCommand{Tenant: tenant, AgentId: agent,
		CertSerial: serial, NotAfter: ts(notAfter)}}
	return c
}

func deleteTokenCmd(tenant, id string) *pb.RaftCommand {
	c := cmdAt(0, "")
	c.Cmd = &pb.RaftCommand_DeleteJoinToken{DeleteJoinToken: &pb.DeleteJoinTokenCommand{Tenant: tenant, Id: id}}
	return c
}

func apiKeyCmd(tenant, id string) *pb.RaftCommand {
	c := cmdAt(0, "")
	c.Cmd = &pb.RaftCommand_CreateApiKey{CreateApiKey: &pb.CreateAPIKeyCommand{Key: &pb.StoredAPIKey{
		Id: id, Tenant: tenant, Role: "viewer", SecretHash: []byte("h"), CreatedAt: ts(0)}}}
	return c
}

func ingestCmd(batches ...*pb.IngestBatch) *pb.RaftCommand {
	c := cmdAt(0, "")
	c.Cmd = &pb.RaftCommand_Ingest{Ingest: &pb.IngestCommand{Batches: batches}}
	return c
}

// Upload batches, encoded by the agent's outbox.

func payload(t testing.TB, epoch, seq uint64, recs ...*pb.Record) []byte {
	t.Helper()
	raw := make([][]byte, len(recs))
	for i, r := range recs {
		b, err := proto.Marshal(r)
		require.NoError(t, err)
		raw[i] = b
	}
	return outbox.EncodeBatch(outbox.Batch{Epoch: epoch, Seq: seq, Records: raw, Created: t0})
}

func batch(t testing.TB, tenant, agent string, epoch, seq uint64, recs ...*pb.Record) *pb.IngestBatch {
	t.Helper()
	return &pb.IngestBatch{Tenant: tenant, AgentId: agent, BootEpoch: epoch, Seq: seq, Payload: payload(t, epoch, seq, recs...)}
}

type findingOpt func(*pb.Finding)

func withChange(path, state, live string) findingOpt {
	return func(f *pb.Finding) {
		f.Changes = append(f.Changes, &pb.AttributeChange{Path: path, StateJson: state, LiveJson: live})
	}
}

func withKind(k pb.DriftKind) findingOpt { return func(f *pb.Finding) { f.Kind = k } }

func withScan(id string) findingOpt { return func(f *pb.Finding) { f.ScanId = id } }

func withSeen(d time.Duration) findingOpt { return func(f *pb.Finding) { f.LastSeen = ts(d) } }

func findingRec(id string, opts ...findingOpt) *pb.Record {
	f := &pb.Finding{
		Id:       id,
		Kind:     pb.DriftKind_DRIFT_KIND_MODIFIED,
		Severity: pb.Severity_SEVERITY_HIGH,
		Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_instance", Id: "i-" + id, Account: "111", Region: "eu-west-1"},
		LastSeen: ts(0),
		ScanId:   "scan-1",
	}
	for _, o := range opts {
		o(f)
	}
	return &pb.Record{Kind: &pb.Record_Finding{Finding: f}}
}

func resolvedRec(id string, at time.Duration) *pb.Record {
	return &pb.Record{Kind: &pb.Record_Resolved{Resolved: &pb.FindingResolved{FindingId: id, At: ts(at)}}}
}

func scanStartedRec(id string) *pb.Record {
	return &pb.Record{Kind: &pb.Record_ScanStarted{ScanStarted: &pb.ScanStarted{ScanId: id, StartedAt: ts(0)}}}
}

func scanDoneRec(id string, fullSync bool, finished time.Duration) *pb.Record {
	return &pb.Record{Kind: &pb.Record_ScanCompleted{ScanCompleted: &pb.Scan{Id: id, FullSync: fullSync,
		StartedAt: ts(0), FinishedAt: ts(finished), Trigger: "schedule"}}}
}

func ids(fs []*pb.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.GetId()
	}
	return out
}

func agentIDs(as []*pb.Agent) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = fmt.Sprintf("%s/%s", a.GetTenant(), a.GetId())
	}
	return out
}

// outboxPayload encodes raw records, for records that are not protobufs.
func outboxPayload(epoch, seq uint64, raw ...[]byte) []byte {
	return outbox.EncodeBatch(outbox.Batch{Epoch: epoch, Seq: seq, Records: raw, Created: t0})
}
