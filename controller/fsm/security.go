package fsm

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/internal/scan"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// Bounds on an uploaded security finding, besides the id bounds.
const (
	maxEvidence = 200
	maxControls = 200
	maxTextLen  = 16 << 10
	maxChecks   = 5000
)

// validSecurity checks a security record before it reaches raft.
func validSecurity(r *pb.Record) (bool, error) {
	switch k := r.GetKind().(type) {
	case *pb.Record_SecurityFinding:
		f := k.SecurityFinding
		if err := validID("security_finding.id", f.GetId()); err != nil {
			return true, err
		}
		if err := validID("security_finding.check_id", f.GetCheckId()); err != nil {
			return true, fmt.Errorf("security finding %s: %w", f.GetId(), err)
		}
		if _, ok := pb.Severity_name[int32(f.GetSeverity())]; !ok || f.GetSeverity() == pb.Severity_SEVERITY_UNSPECIFIED {
			return true, fmt.Errorf("security finding %s: severity %d is not one of INFO..CRITICAL", f.GetId(), f.GetSeverity())
		}
		if f.GetStatus() != pb.SecurityStatus_SECURITY_STATUS_FAIL {
			// Passes are counted in the scan's tally; a mute is the
			// tenant's decision, applied by the controller.
			return true, fmt.Errorf("security finding %s: status %s; agents send FAIL only", f.GetId(), f.GetStatus())
		}
		res := f.GetResource()
		if res.GetProvider() == "" || res.GetType() == "" || res.GetId() == "" {
			return true, fmt.Errorf("security finding %s: resource needs provider, type and id", f.GetId())
		}
		if len(f.GetEvidence()) > maxEvidence || len(f.GetControls()) > maxControls {
			return true, fmt.Errorf("security finding %s: %d evidence and %d controls exceed the limits of %d and %d",
				f.GetId(), len(f.GetEvidence()), len(f.GetControls()), maxEvidence, maxControls)
		}
		for _, e := range f.GetEvidence() {
			if len(e.GetValueJson()) > maxFieldBytes {
				return true, fmt.Errorf("security finding %s: evidence %s exceeds %d bytes", f.GetId(), e.GetPath(), maxFieldBytes)
			}
		}
		for _, s := range []string{f.GetTitle(), f.GetMessage(), f.GetRemediation(), f.GetTerraform()} {
			if len(s) > maxTextLen {
				return true, fmt.Errorf("security finding %s: a text field of %d bytes exceeds %d", f.GetId(), len(s), maxTextLen)
			}
		}
		return true, nil
	case *pb.Record_SecurityResolved:
		return true, validID("security_resolved.finding_id", k.SecurityResolved.GetFindingId())
	case *pb.Record_ScanCompleted:
		if n := len(k.ScanCompleted.GetSecurity().GetChecks()); n > maxChecks {
			return true, fmt.Errorf("scan %s: security tally of %d checks exceeds %d", k.ScanCompleted.GetId(), n, maxChecks)
		}
	}
	return false, nil
}

// applySecurityRecord applies the security records of an upload; handled
// is false for records that are not about security.
func applySecurityRecord(tt *state.TenantTx, index uint64, agent string, r *pb.Record, ch *Change) (handled bool, err error) {
	switch k := r.GetKind().(type) {
	case *pb.Record_SecurityFinding:
		f := proto.Clone(k.SecurityFinding).(*pb.SecurityFinding)
		f.Tenant, f.AgentId, f.Revision, f.Mute = tt.Name(), agent, index, nil
		old, err := tt.SecurityFinding(f.GetId())
		switch {
		case err == nil:
			f.FirstSeen = old.GetFirstSeen()
		case errors.Is(err, state.ErrNotFound):
			if f.FirstSeen == nil {
				f.FirstSeen = f.GetLastSeen()
			}
		default:
			return true, err
		}
		if err := tt.PutSecurityFinding(f); err != nil {
			return true, err
		}
		ch.SecFindings = append(ch.SecFindings, f)
		return true, nil
	case *pb.Record_SecurityResolved:
		return true, resolveSecurity(tt, k.SecurityResolved.GetFindingId(), ch)
	}
	return false, nil
}

func resolveSecurity(tt *state.TenantTx, id string, ch *Change) error {
	if _, err := tt.SecurityFinding(id); errors.Is(err, state.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := tt.DeleteSecurityFinding(id); err != nil {
		return err
	}
	ch.SecResolved = append(ch.SecResolved, id)
	return nil
}

// completeSecurity keeps a completed scan's security tally as the agent's
// posture and, on a full sync, resolves the agent's failures that scan did
// not report.
func completeSecurity(tt *state.TenantTx, s *pb.Scan, ch *Change) error {
	if s.GetSecurity() != nil && s.GetError() == "" {
		p := &pb.Scan{Id: s.GetId(), Tenant: s.GetTenant(), AgentId: s.GetAgentId(), FinishedAt: s.GetFinishedAt(), Security: s.GetSecurity()}
		if err := tt.PutPosture(p); err != nil {
			return err
		}
		ch.Postures = append(ch.Postures, p)
	}
	if !s.GetFullSync() || s.GetSecurity() == nil || s.GetSecurity().GetError() != "" {
		return nil
	}
	var stale []string
	err := tt.ForEachSecurityFinding(func(f *pb.SecurityFinding) error {
		if f.GetAgentId() == s.GetAgentId() && f.GetScanId() != s.GetId() {
			stale = append(stale, f.GetId())
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range stale {
		if err := resolveSecurity(tt, id, ch); err != nil {
			return err
		}
	}
	return nil
}

// ParseMutelist checks a tenant's mutelist; the service calls it before
// proposing, and apply calls it again so every node holds the same parse.
func ParseMutelist(yaml string) (*scan.Mutelist, error) {
	if strings.TrimSpace(yaml) == "" {
		return &scan.Mutelist{}, nil
	}
	return scan.ParseMutelist("mutelist", []byte(yaml))
}

func applyPutMutelist(tx *state.Tx, c *pb.PutMutelistCommand) (*pb.ApplyResult, *Change) {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error()), nil
	}
	if _, err := ParseMutelist(c.GetMutelist().GetYaml()); err != nil {
		return fail("invalid_argument", err.Error()), nil
	}
	if err := tt.PutMutelist(c.GetMutelist()); err != nil {
		return fail("internal", err.Error()), nil
	}
	return &pb.ApplyResult{}, &Change{Tenant: tt.Name(), Mutelist: c.GetMutelist()}
}

func applyPutPolicy(tx *state.Tx, index uint64, c *pb.PutPolicyCommand) (*pb.ApplyResult, *Change) {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error()), nil
	}
	if err := tt.PutPolicy(c.GetPolicy(), index); err != nil {
		return fail("invalid_argument", err.Error()), nil
	}
	return &pb.ApplyResult{Policy: c.GetPolicy()}, &Change{Tenant: tt.Name(), Policies: true}
}

func applyDeletePolicy(tx *state.Tx, index uint64, c *pb.DeletePolicyCommand) (*pb.ApplyResult, *Change) {
	tt, err := tx.Tenant(c.GetTenant())
	if err != nil {
		return fail("invalid_argument", err.Error()), nil
	}
	if err := tt.DeletePolicy(c.GetName(), index); errors.Is(err, state.ErrNotFound) {
		return fail("not_found", fmt.Sprintf("policy %q not found", c.GetName())), nil
	} else if err != nil {
		return fail("internal", err.Error()), nil
	}
	return &pb.ApplyResult{}, &Change{Tenant: tt.Name(), Policies: true}
}
