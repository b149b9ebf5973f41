package fsm

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/audit"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// PlatformAuditTenant names the platform's audit chain: calls that name
// no tenant. It is not a valid tenant id, so no tenant can own it.
const PlatformAuditTenant = "_platform"

// auditLog opens the log an entry of tenant goes to.
func auditLog(tx *state.Tx, tenant string) (state.AuditLog, error) {
	if tenant == "" || tenant == PlatformAuditTenant {
		return tx.PlatformAudit()
	}
	tt, err := tx.Tenant(tenant)
	if err != nil {
		return state.AuditLog{}, err
	}
	return tt.Audit(), nil
}

// applyAudit seals and stores each event in its tenant's chain. The chain
// is deterministic, so every node stores the same bytes. An event that
// cannot be sealed (the proposer checks them, so only a bug gets here) is
// skipped and counted in the result, never stored half-made.
func applyAudit(tx *state.Tx, c *pb.AuditCommand) *pb.ApplyResult {
	chains := map[string]*audit.Chain{}
	logs := map[string]state.AuditLog{}
	var skipped []string
	for _, ev := range c.GetEvents() {
		tenant := ev.GetTenant()
		if tenant == "" {
			tenant = PlatformAuditTenant
		}
		ch, ok := chains[tenant]
		if !ok {
			l, err := auditLog(tx, tenant)
			if err != nil {
				skipped = append(skipped, fmt.Sprintf("tenant %q: %v", tenant, err))
				continue
			}
			if ch, err = resumeChain(l, tenant); err != nil {
				return fail("internal", err.Error())
			}
			chains[tenant], logs[tenant] = ch, l
		}
		e := EntryOf(ev)
		e.Tenant = tenant
		sealed, err := ch.Append(e)
		if err != nil {
			skipped = append(skipped, err.Error())
			continue
		}
		raw, err := sealed.MarshalJSON() // canonical already: no need for json.Marshal's re-scan
		if err != nil {
			return fail("internal", err.Error())
		}
		if err := logs[tenant].Append(sealed.Seq, raw); err != nil {
			return fail("internal", err.Error())
		}
	}
	if len(skipped) > 0 {
		return fail("invalid_argument", fmt.Sprintf("%d audit events not stored: %s", len(skipped), skipped[0]))
	}
	return &pb.ApplyResult{}
}

func resumeChain(l state.AuditLog, tenant string) (*audit.Chain, error) {
	seq, raw := l.Last()
	if seq == 0 {
		return audit.NewChain(tenant), nil
	}
	var last audit.Entry
	if err := json.Unmarshal(raw, &last); err != nil {
		return nil, fmt.Errorf("audit log of %s: entry %d: %w", tenant, seq, err)
	}
	return audit.ResumeChain(last)
}

// EntryOf converts an event to the audit model.
func EntryOf(ev *pb.AuditEvent) audit.Entry {
	args := json.RawMessage(ev.GetArgsJson())
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	return audit.Entry{Tenant: ev.GetTenant(), Seq: ev.GetSeq(), Time: ev.GetTime().AsTime(),
		Actor:  audit.Actor{Kind: audit.ActorKind(ev.GetActor().GetKind()), ID: ev.GetActor().GetId(), Name: ev.GetActor().GetName()},
		Action: ev.GetAction(), Args: args, Remote: ev.GetRemote(), RequestID: ev.GetRequestId(), Outcome: ev.GetOutcome(),
		Error: ev.GetError(), PrevHash: ev.GetPrevHash(), Hash: ev.GetHash()}
}

// EventOf converts a stored entry to its wire form.
func EventOf(e audit.Entry) *pb.AuditEvent {
	return &pb.AuditEvent{Tenant: e.Tenant, Seq: e.Seq, Time: timestamppb.New(e.Time),
		Actor:  &pb.AuditActor{Kind: string(e.Actor.Kind), Id: e.Actor.ID, Name: e.Actor.Name},
		Action: e.Action, ArgsJson: string(e.Args), Remote: e.Remote, RequestId: e.RequestID, Outcome: e.Outcome,
		Error: e.Error, PrevHash: e.PrevHash, Hash: e.Hash}
}
