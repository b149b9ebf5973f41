package fsm

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// requestWindow is how many log entries a request ID is remembered for:
// far longer than any retry after a leader change.
const requestWindow = 100000

// Change is what one applied entry changed, delivered to listeners after
// its transaction committed.
type Change struct {
	Index    uint64
	Tenant   string
	Findings []*pb.Finding // upserted, with their new status
	Scans    []*pb.Scan
	Agents   []*pb.Agent
	// Security: failures upserted, ids of failures resolved, agents'
	// latest verdict counts, a new mutelist, and whether policies changed.
	SecFindings []*pb.SecurityFinding
	SecResolved []string
	Postures    []*pb.Scan
	Mutelist    *pb.StoredMutelist
	Policies    bool
}

// FSM applies raft log entries to the state store and keeps the in-memory
// read model in step with it.
type FSM struct {
	store *state.Store
	log   *slog.Logger
	view  *View

	mu        sync.Mutex
	listeners []func(Change)

	// identityGen counts applied batches that may have changed who a
	// credential is or whether it may act; identityDirty is set while a
	// batch applies (only the apply goroutine touches it).
	identityGen   atomic.Uint64
	identityDirty bool
}

// identityNeutral are the commands that cannot change an API key, user,
// service account, session or tenant: the frequent ones. Every other
// command moves IdentityGeneration, so a command added later is safe by
// default.
var identityNeutral = map[CmdType]bool{CmdIngest: true, CmdAudit: true, CmdAgentStatus: true, CmdTouchAPIKeys: true}

// IdentityGeneration changes after every applied entry that may change a
// credential's principal. A cache of resolved credentials stays valid
// while it does not change: it moves after the entry is stored and before
// ApplyBatch returns, so once raft reports the entry applied here, no
// request on this node is answered from the cache it made stale.
func (f *FSM) IdentityGeneration() uint64 { return f.identityGen.Load() }

// New wraps a state store. The read model is loaded from it.
func New(store *state.Store, log *slog.Logger) (*FSM, error) {
	if log == nil {
		log = slog.Default()
	}
	f := &FSM{store: store, log: log, view: newView()}
	if err := f.view.load(store); err != nil {
		return nil, err
	}
	return f, nil
}

// View is the read model.
func (f *FSM) View() *View { return f.view }

// Store is the state store, for reads that are not findings.
func (f *FSM) Store() *state.Store { return f.store }

// OnChange registers a listener called after every applied change, in
// log order, on the applying goroutine: listeners must not block.
func (f *FSM) OnChange(fn func(Change)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listeners = append(f.listeners, fn)
}

// Apply implements raft.FSM.
func (f *FSM) Apply(l *raft.Log) any {
	return f.ApplyBatch([]*raft.Log{l})[0]
}

// ApplyBatch implements raft.BatchingFSM: every entry of the batch is
// applied in one bbolt transaction, together with the applied index, so
// a crash leaves either all of them or none.
func (f *FSM) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	var changes []Change
	err := f.store.Update(func(tx *state.Tx) error {
		changes = changes[:0]
		applied := tx.AppliedIndex()
		for i, l := range logs {
			if l.Index <= applied {
				// Already in the state (the snapshot or a previous run got
				// here first): replaying it would count it twice.
				out[i] = alreadyApplied{}
				continue
			}
			if l.Type != raft.LogCommand {
				continue
			}
			res, chs := f.applyOne(tx, l)
			out[i] = res
			for _, ch := range chs {
				changes = append(changes, *ch)
			}
		}
		if last := logs[len(logs)-1].Index; last > applied {
			// Only forward: a replay of entries already applied must not
			// take the index back, or the next batch would apply again.
			return tx.SetAppliedIndex(last)
		}
		return nil
	})
	if err != nil {
		// A storage failure here is not deterministic: the node cannot
		// keep a state that matches its peers. Stop rather than diverge.
		f.log.Error("apply failed; the node stops applying", "err", err, "index", logs[0].Index)
		panic(fmt.Sprintf("fsm: apply entries %d-%d: %v", logs[0].Index, logs[len(logs)-1].Index, err))
	}
	if f.identityDirty {
		f.identityDirty = false
		f.identityGen.Add(1)
	}
	for _, c := range changes {
		f.view.apply(c)
	}
	f.mu.Lock()
	ls := f.listeners
	f.mu.Unlock()
	for _, c := range changes {
		for _, fn := range ls {
			fn(c)
		}
	}
	return out
}

type alreadyApplied struct{}

// applyOne applies one command. Errors that belong to the command (a used
// up token, an unknown finding) are its result, not a failure of Apply.
func (f *FSM) applyOne(tx *state.Tx, l *raft.Log) (any, []*Change) {
	t, c, err := Decode(l.Data)
	if err != nil {
		// Undecodable entries cannot come from our leader; skipping them
		// the same way on every node keeps the state identical.
		f.log.Error("skip undecodable log entry", "index", l.Index, "err", err)
		return &pb.ApplyResult{Code: "invalid_argument", Message: err.Error()}, nil
	}
	if prev, ok := tx.Request(c.GetRequestId()); ok && t != CmdIngest {
		r := &pb.ApplyResult{}
		_ = proto.Unmarshal(prev, r)
		return r, nil
	}
	if !identityNeutral[t] {
		f.identityDirty = true
	}
	at := c.GetAt().AsTime()
	var (
		res any
		ch  *Change
		chs []*Change
	)
	switch t {
	case CmdIngest:
		res, chs = applyIngest(tx, l.Index, c.GetIngest())
	case CmdEnroll:
		res, ch = applyEnroll(tx, at, c.GetEnroll())
	case CmdCreateJoinToken:
		res = applyCreateToken(tx, c.GetCreateJoinToken())
	case CmdDeleteJoinToken:
		res = applyDeleteToken(tx, c.GetDeleteJoinToken())
	case CmdAckFinding:
		res, ch = applyAck(tx, l.Index, c.GetAckFinding())
	case CmdAgentStatus:
		res, ch = applyAgentStatus(tx, at, c.GetAgentStatus())
	case CmdRevokeAgent:
		res, ch = applyRevoke(tx, c.GetRevokeAgent())
	case CmdCreateAPIKey:
		res = applyCreateKey(tx, c.GetCreateApiKey())
	case CmdRenewAgent:
		res, ch = applyRenew(tx, c.GetRenewAgent())
	case CmdPutMutelist:
		res, ch = applyPutMutelist(tx, c.GetPutMutelist())
	case CmdPutPolicy:
		res, ch = applyPutPolicy(tx, l.Index, c.GetPutPolicy())
	case CmdDeletePolicy:
		res, ch = applyDeletePolicy(tx, l.Index, c.GetDeletePolicy())
	case CmdAudit:
		res = applyAudit(tx, c.GetAudit())
	default:
		if r := applyTenancy(tx, at, t, c); r != nil {
			res = r
		} else if r := applySession(tx, at, t, c); r != nil {
			res = r
		}
	}
	if r, ok := res.(*pb.ApplyResult); ok && c.GetRequestId() != "" {
		b, _ := proto.Marshal(r)
		if err := tx.PutRequest(c.GetRequestId(), l.Index, b, requestWindow); err != nil {
			return fail("internal", err.Error()), nil
		}
	}
	if ch != nil {
		chs = append(chs, ch)
	}
	for _, ch := range chs {
		ch.Index = l.Index
	}
	return res, chs
}

func fail(code, msg string) *pb.ApplyResult { return &pb.ApplyResult{Code: code, Message: msg} }

func applyIngest(tx *state.Tx, index uint64, c *pb.IngestCommand) (*pb.IngestResult, []*Change) {
	res := &pb.IngestResult{}
	var chs []*Change
	byTenant := map[string]*Change{}
	for _, b := range c.GetBatches() {
		out, bc := ingestBatch(tx, index, b)
		res.Outcomes = append(res.Outcomes, out)
		if bc == nil {
			continue
		}
		// One entry may carry many tenants' batches; listeners get one
		// change per tenant, holding only that tenant's records.
		ch := byTenant[bc.Tenant]
		if ch == nil {
			ch = &Change{Tenant: bc.Tenant}
			byTenant[bc.Tenant] = ch
			chs = append(chs, ch)
		}
		ch.Findings = append(ch.Findings, bc.Findings...)
		ch.Scans = append(ch.Scans, bc.Scans...)
		ch.SecFindings = append(ch.SecFindings, bc.SecFindings...)
		ch.SecResolved = append(ch.SecResolved, bc.SecResolved...)
		ch.Postures = append(ch.Postures, bc.Postures...)
	}
	return res, chs
}

func ingestBatch(tx *state.Tx, index uint64, b *pb.IngestBatch) (*pb.IngestOutcome, *Change) {
	tt, err := tx.Tenant(b.GetTenant())
	if err != nil {
		return &pb.IngestOutcome{Status: "rejected", Error: err.Error()}, nil
	}
	ag, err := tt.Agent(b.GetAgentId())
	if err != nil {
		return &pb.IngestOutcome{Status: "rejected", Error: fmt.Sprintf("agent %s is not enrolled in tenant %s", b.GetAgentId(), b.GetTenant())}, nil
	}
	if ag.GetRevoked() {
		// The API refuses a revoked certificate first; this keeps a batch
		// already in flight at revocation out of the state too.
		return &pb.IngestOutcome{Status: "rejected", Error: fmt.Sprintf("agent %s is revoked", b.GetAgentId())}, nil
	}
	hwm := tt.HighWater(b.GetAgentId())
	switch {
	case b.GetBootEpoch() < hwm.Epoch:
		// Acking these as duplicates would drop them silently; an older
		// epoch means the agent's outbox was replaced while its clock was
		// behind, which an operator must see.
		return &pb.IngestOutcome{Status: "stale_epoch", AckedSeq: hwm.Seq, Error: fmt.Sprintf(
			"boot epoch %d is older than epoch %d already applied for agent %s: the outbox was replaced or the clock went back",
			b.GetBootEpoch(), hwm.Epoch, b.GetAgentId())}, nil
	case b.GetBootEpoch() == hwm.Epoch && b.GetSeq() <= hwm.Seq:
		return &pb.IngestOutcome{Status: "duplicate", AckedSeq: hwm.Seq}, nil
	case b.GetBootEpoch() == hwm.Epoch && b.GetLostThrough() >= hwm.Seq && b.GetSeq() == b.GetLostThrough()+1:
		// The agent declared seqs up to lost_through lost (pruned by age):
		// skip past them rather than wait forever.
	case b.GetBootEpoch() > hwm.Epoch && b.GetSeq() != 1 && b.GetSeq() != b.GetLostThrough()+1:
		// A new epoch starts at seq 1 (or just past what the agent
		// declared lost); a later batch that overtook the first must wait,
		// or seq 1 would later look like a duplicate and be dropped.
		return &pb.IngestOutcome{Status: "gap", AckedSeq: 0,
			Error: fmt.Sprintf("batch seq %d of new epoch %d arrived before its first batch", b.GetSeq(), b.GetBootEpoch())}, nil
	case b.GetBootEpoch() == hwm.Epoch && b.GetSeq() != hwm.Seq+1:
		// A later batch overtook an earlier one: refuse it so the agent
		// resends in order; applying it would let the high-water mark
		// skip the missing one and drop it as a duplicate later.
		return &pb.IngestOutcome{Status: "gap", AckedSeq: hwm.Seq,
			Error: fmt.Sprintf("batch seq %d arrived before seq %d", b.GetSeq(), hwm.Seq+1)}, nil
	}
	// A new boot epoch starts wherever the agent's outbox starts.
	recs, err := DecodeUpload(b.GetBootEpoch(), b.GetSeq(), nil, b.GetPayload())
	if err != nil {
		return &pb.IngestOutcome{Status: "rejected", AckedSeq: hwm.Seq, Error: err.Error()}, nil
	}
	ch := &Change{Tenant: b.GetTenant()}
	for _, r := range recs {
		if err := applyRecord(tt, index, b.GetAgentId(), r, ch); err != nil {
			// Validated before proposal, so this is a storage failure.
			panic(fmt.Sprintf("fsm: ingest tenant %s agent %s seq %d: %v", b.GetTenant(), b.GetAgentId(), b.GetSeq(), err))
		}
	}
	if err := tt.SetHighWater(b.GetAgentId(), state.HWM{Epoch: b.GetBootEpoch(), Seq: b.GetSeq()}); err != nil {
		panic(fmt.Sprintf("fsm: high-water mark: %v", err))
	}
	return &pb.IngestOutcome{Status: "applied", AckedSeq: b.GetSeq()}, ch
}

func applyRecord(tt *state.TenantTx, index uint64, agent string, r *pb.Record, ch *Change) error {
	if handled, err := applySecurityRecord(tt, index, agent, r, ch); handled {
		return err
	}
	switch k := r.GetKind().(type) {
	case *pb.Record_ScanStarted:
		return nil
	case *pb.Record_Finding:
		f := proto.Clone(k.Finding).(*pb.Finding)
		f.Tenant, f.AgentId, f.Revision = tt.Name(), agent, index
		old, err := tt.Finding(f.GetId())
		switch {
		case err == nil:
			f.FirstSeen = old.GetFirstSeen()
			// An acknowledgement holds while the drift stays what was
			// acknowledged; a different drift needs a new look.
			if old.GetStatus() == pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED && sameDrift(old, f) {
				f.Status, f.AcknowledgedBy, f.AckNote = old.GetStatus(), old.GetAcknowledgedBy(), old.GetAckNote()
			} else {
				f.Status = pb.FindingStatus_FINDING_STATUS_OPEN
			}
		case errors.Is(err, state.ErrNotFound):
			f.Status = pb.FindingStatus_FINDING_STATUS_OPEN
			if f.FirstSeen == nil {
				f.FirstSeen = f.GetLastSeen()
			}
		default:
			return err
		}
		f.ResolvedAt = nil
		if err := tt.PutFinding(f); err != nil {
			return err
		}
		ch.Findings = append(ch.Findings, f)
	case *pb.Record_Resolved:
		return resolve(tt, index, k.Resolved.GetFindingId(), k.Resolved.GetAt(), ch)
	case *pb.Record_ScanCompleted:
		s := proto.Clone(k.ScanCompleted).(*pb.Scan)
		s.Tenant, s.AgentId = tt.Name(), agent
		if err := tt.PutScan(s); err != nil {
			return err
		}
		ch.Scans = append(ch.Scans, s)
		if err := completeSecurity(tt, s, ch); err != nil {
			return err
		}
		if s.GetFullSync() {
			var stale []string
			err := tt.ForEachFinding(func(f *pb.Finding) error {
				if f.GetAgentId() == agent && f.GetScanId() != s.GetId() &&
					f.GetStatus() != pb.FindingStatus_FINDING_STATUS_RESOLVED {
					stale = append(stale, f.GetId())
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, id := range stale {
				if err := resolve(tt, index, id, s.GetFinishedAt(), ch); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func resolve(tt *state.TenantTx, index uint64, id string, at *timestamppb.Timestamp, ch *Change) error {
	f, err := tt.Finding(id)
	if errors.Is(err, state.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if f.GetStatus() == pb.FindingStatus_FINDING_STATUS_RESOLVED {
		return nil
	}
	f.Status, f.ResolvedAt, f.Revision = pb.FindingStatus_FINDING_STATUS_RESOLVED, at, index
	if err := tt.PutFinding(f); err != nil {
		return err
	}
	ch.Findings = append(ch.Findings, f)
	return nil
}

// sameDrift reports whether two findings describe the same divergence.
func sameDrift(a, b *pb.Finding) bool {
	if a.GetKind() != b.GetKind() || len(a.GetChanges()) != len(b.GetChanges()) {
		return false
	}
	for i := range a.GetChanges() {
		if !proto.Equal(a.GetChanges()[i], b.GetChanges()[i]) {
			return false
		}
	}
	return true
}

func applyEnroll(tx *state.Tx, at time.Time, c *pb.EnrollCommand) (*pb.ApplyResult, *Change) {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error()), nil
	}
	tok, err := tt.JoinToken(c.GetTokenId())
	if err != nil {
		return fail("not_found", "join token is unknown"), nil
	}
	if !at.Before(tok.GetToken().GetExpiresAt().AsTime()) {
		return fail("failed_precondition", "join token expired"), nil
	}
	if tok.GetToken().GetUses() >= tok.GetToken().GetMaxUses() {
		return fail("failed_precondition", "join token is used up"), nil
	}
	a := proto.Clone(c.GetAgent()).(*pb.Agent)
	a.Tenant = c.GetTenant()
	if _, err := tt.Agent(a.GetId()); err == nil {
		return fail("already_exists", "agent "+a.GetId()+" exists"), nil
	}
	if a.GetCertSerial() == "" {
		// Refused before any write, so the token use is not consumed.
		return fail("invalid_argument", "agent "+a.GetId()+" has no certificate serial"), nil
	}
	a.EnrolledAt = timestamppb.New(at)
	tok.Token.Uses++
	if err := tt.PutJoinToken(tok); err != nil {
		return fail("internal", err.Error()), nil
	}
	if err := tt.PutAgent(a); err != nil {
		return fail("internal", err.Error()), nil
	}
	if err := tx.PutSerial(a.GetCertSerial(), state.SerialOwner{Tenant: a.GetTenant(), Agent: a.GetId()}); err != nil {
		return fail("internal", err.Error()), nil
	}
	return &pb.ApplyResult{}, &Change{Tenant: a.GetTenant(), Agents: []*pb.Agent{a}}
}

func applyCreateToken(tx *state.Tx, c *pb.CreateJoinTokenCommand) *pb.ApplyResult {
	tt, err := tx.Tenant(c.GetToken().GetToken().GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error())
	}
	if err := tt.PutJoinToken(c.GetToken()); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{}
}

func applyDeleteToken(tx *state.Tx, c *pb.DeleteJoinTokenCommand) *pb.ApplyResult {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error())
	}
	if err := tt.DeleteJoinToken(c.GetId()); err != nil {
		return fail("not_found", "join token "+c.GetId()+" not found")
	}
	return &pb.ApplyResult{}
}

func applyAck(tx *state.Tx, index uint64, c *pb.AckFindingCommand) (*pb.ApplyResult, *Change) {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error()), nil
	}
	f, err := tt.Finding(c.GetFindingId())
	if err != nil {
		return fail("not_found", "finding "+c.GetFindingId()+" not found"), nil
	}
	if f.GetStatus() == pb.FindingStatus_FINDING_STATUS_RESOLVED {
		return fail("failed_precondition", "finding "+c.GetFindingId()+" is resolved"), nil
	}
	f.Status, f.AcknowledgedBy, f.AckNote, f.Revision = pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED, c.GetBy(), c.GetNote(), index
	if err := tt.PutFinding(f); err != nil {
		return fail("internal", err.Error()), nil
	}
	return &pb.ApplyResult{Finding: f}, &Change{Tenant: f.GetTenant(), Findings: []*pb.Finding{f}}
}

func applyAgentStatus(tx *state.Tx, at time.Time, c *pb.AgentStatusCommand) (*pb.ApplyResult, *Change) {
	tt, a, res := loadAgent(tx, c.GetTenant(), c.GetAgentId())
	if res != nil {
		return res, nil
	}
	a.Connected, a.LastSeen = c.GetConnected(), timestamppb.New(at)
	if c.GetVersion() != "" {
		a.Version = c.GetVersion()
	}
	if c.GetBootEpoch() != 0 {
		a.BootEpoch = c.GetBootEpoch()
	}
	if err := tt.PutAgent(a); err != nil {
		return fail("internal", err.Error()), nil
	}
	return &pb.ApplyResult{}, &Change{Tenant: a.GetTenant(), Agents: []*pb.Agent{a}}
}

// loadAgent opens a command's tenant and reads one of its agents; the
// result is set (and the others nil) when the command cannot proceed.
func loadAgent(tx *state.Tx, tenant, id string) (*state.TenantTx, *pb.Agent, *pb.ApplyResult) {
	tt, err := tx.Tenant(tenant)
	if err != nil {
		return nil, nil, fail("invalid_argument", err.Error())
	}
	a, err := tt.Agent(id)
	if err != nil {
		return nil, nil, fail("not_found", "agent "+id+" not found")
	}
	return tt, a, nil
}

func applyRevoke(tx *state.Tx, c *pb.RevokeAgentCommand) (*pb.ApplyResult, *Change) {
	tt, a, res := loadAgent(tx, c.GetTenant(), c.GetAgentId())
	if res != nil {
		return res, nil
	}
	a.Revoked, a.Connected = true, false
	if err := tt.PutAgent(a); err != nil {
		return fail("internal", err.Error()), nil
	}
	if err := tx.RevokeSerials(a.GetTenant(), a.GetId()); err != nil {
		return fail("internal", err.Error()), nil
	}
	return &pb.ApplyResult{}, &Change{Tenant: a.GetTenant(), Agents: []*pb.Agent{a}}
}

func applyRenew(tx *state.Tx, c *pb.RenewAgentCommand) (*pb.ApplyResult, *Change) {
	tt, a, res := loadAgent(tx, c.GetTenant(), c.GetAgentId())
	if res != nil {
		return res, nil
	}
	if a.GetRevoked() {
		return fail("failed_precondition", "agent "+c.GetAgentId()+" is revoked"), nil
	}
	if c.GetCertSerial() == "" {
		return fail("invalid_argument", "renewal of agent "+c.GetAgentId()+" has no certificate serial"), nil
	}
	a.CertSerial, a.CertNotAfter = c.GetCertSerial(), c.GetNotAfter()
	if err := tt.PutAgent(a); err != nil {
		return fail("internal", err.Error()), nil
	}
	if err := tx.PutSerial(c.GetCertSerial(), state.SerialOwner{Tenant: a.GetTenant(), Agent: a.GetId()}); err != nil {
		return fail("internal", err.Error()), nil
	}
	return &pb.ApplyResult{}, &Change{Tenant: a.GetTenant(), Agents: []*pb.Agent{a}}
}

func applyCreateKey(tx *state.Tx, c *pb.CreateAPIKeyCommand) *pb.ApplyResult {
	if c.GetOnlyIfNone() && tx.HasAPIKeys() {
		return fail("failed_precondition", "the cluster is already bootstrapped")
	}
	if err := tx.PutAPIKey(c.GetKey()); err != nil {
		return fail("invalid_argument", err.Error())
	}
	return &pb.ApplyResult{}
}

// Snapshot implements raft.FSM: a consistent copy of the bbolt file,
// written while applies continue (bbolt readers do not block writers).
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) { return &snapshot{store: f.store}, nil }

type snapshot struct{ store *state.Store }

func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := s.store.WriteSnapshot(sink); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("persist snapshot: %w", err)
	}
	return sink.Close()
}

func (s *snapshot) Release() {}

// Restore implements raft.FSM: the snapshot replaces the state file and
// the read model is rebuilt from it.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	// Whatever happens below, credentials resolved before are stale.
	defer f.identityGen.Add(1)
	if err := f.store.Replace(rc); err != nil {
		return err
	}
	v := newView()
	if err := v.load(f.store); err != nil {
		return err
	}
	f.view.replace(v)
	return nil
}

// AppliedIndex is the raft index the state reflects.
func (f *FSM) AppliedIndex() uint64 {
	var i uint64
	_ = f.store.View(func(tx *state.Tx) error { i = tx.AppliedIndex(); return nil })
	return i
}
