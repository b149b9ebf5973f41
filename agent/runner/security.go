package runner

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/internal/scan"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// Policies are the tenant's Rego policies as the controller last gave
// them: file name -> source, at a revision.
type Policies struct {
	Revision uint64
	Sources  map[string]string
}

// SecurityScanner is a Scanner that also judges what its last successful
// Scan read against the built-in security checks and the tenant's
// policies. The runner calls Security right after such a Scan.
type SecurityScanner interface {
	Security(ctx context.Context, policies Policies) (*SecurityReport, error)
}

// SecurityReport is a security scan's report and which of its checks came
// from the tenant's policies.
type SecurityReport struct {
	*scan.Report
	PolicyChecks map[string]bool
}

// Delta-state keys of security findings carry a prefix, apart from drift
// finding ids: "s:" for built-in checks, "p:" for the tenant's policies
// (kept when the policies could not be fetched, since without them their
// failures are unknown rather than fixed).
const (
	secPrefix    = "s:"
	policyPrefix = "p:"
)

func isSecurityKey(k string) bool {
	return strings.HasPrefix(k, secPrefix) || strings.HasPrefix(k, policyPrefix)
}

// policies fetches the tenant's policies unless the cached revision is
// current. ok is false when the controller could not be asked and nothing
// is cached.
func (a *Agent) policies(ctx context.Context) (Policies, bool) {
	a.mu.Lock()
	cached, known := a.pol, a.polKnown
	a.mu.Unlock()
	base, up, _ := a.connection()
	if !up {
		base = a.cfg.Controllers[0]
	}
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	resp, err := a.client(base).GetPolicies(rctx, connect.NewRequest(&pb.GetPoliciesRequest{KnownRevision: cached.Revision}))
	if err != nil {
		a.log.Warn("could not fetch the tenant's policies; using the last known", "controller", base, "known", known, "err", err)
		return cached, known
	}
	if resp.Msg.GetUnchanged() && known {
		return cached, true
	}
	p := Policies{Revision: resp.Msg.GetRevision(), Sources: map[string]string{}}
	for _, x := range resp.Msg.GetPolicies() {
		p.Sources[x.GetName()] = x.GetSource()
	}
	a.mu.Lock()
	a.pol, a.polKnown = p, true
	a.mu.Unlock()
	return p, true
}

// securityRecords runs the security scan after a successful drift scan and
// turns its failures into deltas against what was sent before, and its
// verdicts into the scan's tally. A failed security scan sends nothing and
// resolves nothing.
func (a *Agent) securityRecords(ctx context.Context, ss SecurityScanner, scanID string, at time.Time, prev map[string][32]byte,
	add func(*pb.Record, entry) error) (*pb.SecurityTally, error) {
	pol, known := a.policies(ctx)
	tally := &pb.SecurityTally{PolicyRevision: pol.Revision}
	rep, err := a.runSecurity(ctx, ss, pol)
	if err != nil {
		tally.Error = err.Error()
		a.log.Error("security scan failed", "scan", scanID, "err", err)
		return tally, nil
	}
	checks := map[string]*scan.Check{}
	for _, c := range rep.Checks {
		checks[c.ID] = c
	}
	byCheck := map[string]*pb.CheckTally{}
	seen := map[string]bool{}
	ts := timestamppb.New(at)
	for i := range rep.Results {
		r := &rep.Results[i]
		eff := r.CheckID
		if r.Drift != nil && r.Drift.Check != "" {
			eff = r.Drift.Check
		}
		t := byCheck[eff]
		if t == nil {
			c := checks[eff]
			t = &pb.CheckTally{CheckId: eff, Title: r.Title, Severity: toSeverity(r.Severity), Controls: controlsOf(c)}
			if c != nil {
				t.Title, t.Severity = c.Title, toSeverity(c.Severity)
			}
			byCheck[eff] = t
		}
		if r.Status == scan.Pass {
			t.Passed++
			continue
		}
		if r.Status != scan.Fail {
			continue
		}
		t.Failed++
		f := toSecurityFinding(r, checks, scanID, ts)
		if rep.PolicyChecks[r.CheckID] {
			f.Category = "policy"
		}
		key := secPrefix + f.GetId()
		if f.GetCategory() == "policy" {
			key = policyPrefix + f.GetId()
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		h := securityHash(f)
		if old, ok := prev[key]; ok && old == h {
			continue
		}
		if err := add(&pb.Record{Kind: &pb.Record_SecurityFinding{SecurityFinding: f}}, entry{put: key, hash: h}); err != nil {
			return nil, err
		}
	}
	for k := range prev {
		if !isSecurityKey(k) || seen[k] || (!known && strings.HasPrefix(k, policyPrefix)) {
			continue
		}
		id := k[2:]
		if err := add(&pb.Record{Kind: &pb.Record_SecurityResolved{SecurityResolved: &pb.SecurityResolved{FindingId: id, ScanId: scanID, At: ts}}},
			entry{del: k}); err != nil {
			return nil, err
		}
	}
	for _, t := range byCheck {
		tally.Checks = append(tally.Checks, t)
	}
	slices.SortFunc(tally.Checks, func(x, y *pb.CheckTally) int { return cmp.Compare(x.GetCheckId(), y.GetCheckId()) })
	return tally, nil
}

// runSecurity runs the scanner's security step, turning a panic into an
// error like runScanner does.
func (a *Agent) runSecurity(ctx context.Context, ss SecurityScanner, pol Policies) (rep *SecurityReport, err error) {
	defer func() {
		if r := recover(); r != nil {
			rep, err = nil, fmt.Errorf("security scanner panicked: %v", r)
		}
	}()
	return ss.Security(ctx, pol)
}

// controlsOf lists the controls a check maps to: CIS numbers per
// framework, Security Hub ids for AWS FSBP, a custom policy's own.
func controlsOf(c *scan.Check) []*pb.ControlRef {
	if c == nil {
		return nil
	}
	var out []*pb.ControlRef
	for _, fw := range c.Frameworks() {
		ids := c.Refs.CIS[fw]
		if fw == scan.AWSFSBP {
			ids = c.Refs.SecurityHub
		}
		for _, id := range ids {
			out = append(out, &pb.ControlRef{Framework: string(fw), Control: id})
		}
	}
	return out
}

// SecurityFindingID is the stable id of a failure: the check, the
// resource and, for secrets, where in it.
func SecurityFindingID(r *scan.Result) string {
	k := r.CheckID + "|" + r.Provider + "|" + r.Account + "|" + r.Region + "|" + r.Type + "|" + r.ID
	if r.Location != nil {
		k += "|" + string(r.Location.Path) + "|" + strconv.Itoa(r.Location.Line)
	}
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])[:32]
}

func toSecurityFinding(r *scan.Result, checks map[string]*scan.Check, scanID string, ts *timestamppb.Timestamp) *pb.SecurityFinding {
	f := &pb.SecurityFinding{
		Id: SecurityFindingID(r), CheckId: r.CheckID, Title: r.Title, Severity: toSeverity(r.Severity),
		Status:   pb.SecurityStatus_SECURITY_STATUS_FAIL,
		Resource: &pb.ResourceRef{Provider: r.Provider, Type: r.Type, Id: r.ID, Account: r.Account, Region: r.Region, Address: r.Address},
		Message:  r.Message, Evidence: toEvidence(r.Evidence), Category: "check", Source: string(r.Source),
		LastSeen: ts, FirstSeen: ts, ScanId: scanID,
	}
	if r.Location != nil {
		f.LocationPath, f.LocationLine = string(r.Location.Path), int32(r.Location.Line)
	}
	c := checks[r.CheckID]
	if r.Drift != nil {
		f.Category = "drift"
		f.Drift = &pb.SecurityDrift{Kind: toKind(r.Drift.Kind), CheckId: r.Drift.Check,
			FindingId: FindingID(r.Provider, r.Account, r.Region, r.Type, r.ID),
			State:     &pb.SecuritySide{Status: string(r.Drift.State.Status), Message: r.Drift.State.Message, Evidence: toEvidence(r.Drift.State.Evidence)},
			Live:      &pb.SecuritySide{Status: string(r.Drift.Live.Status), Message: r.Drift.Live.Message, Evidence: toEvidence(r.Drift.Live.Evidence)}}
		for _, d := range r.Drift.Diffs {
			f.Drift.Changes = append(f.Drift.Changes, &pb.AttributeChange{Path: string(d.Path), StateJson: jsonValue(d.Expected), LiveJson: jsonValue(d.Actual)})
		}
		if bc := checks[r.Drift.Check]; bc != nil {
			c = bc
		}
	} else if strings.HasPrefix(r.CheckID, "DM-SECRET-") {
		f.Category = "secret"
	}
	if c != nil {
		f.Controls = controlsOf(c)
		f.Remediation, f.Terraform = clipText(c.Remediation), clipText(c.Terraform)
	}
	// A record must fit one outbox record and the controller's bounds.
	if len(f.Evidence) > maxEvidence {
		f.Evidence = f.Evidence[:maxEvidence]
	}
	return f
}

// maxEvidence and maxText are the controller's bounds on a security
// finding (controller/fsm/security.go).
const (
	maxEvidence = 200
	maxText     = 16 << 10
)

func clipText(s string) string {
	if len(s) > maxText {
		return s[:maxText]
	}
	return s
}

func toEvidence(es []scan.Evidence) []*pb.Evidence {
	out := make([]*pb.Evidence, 0, len(es))
	for _, e := range es {
		out = append(out, &pb.Evidence{Resource: e.Resource, Path: string(e.Path), ValueJson: jsonValue(e.Value)})
	}
	return out
}

// securityHash identifies what a failure says, without when or by which
// scan it was seen.
func securityHash(f *pb.SecurityFinding) [32]byte {
	c := proto.Clone(f).(*pb.SecurityFinding)
	c.FirstSeen, c.LastSeen, c.ScanId = nil, nil, ""
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	return sha256.Sum256(b)
}
