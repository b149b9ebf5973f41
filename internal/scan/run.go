package scan

import (
	"sort"
	"strings"
	"time"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// Input is what one security scan looks at.
type Input struct {
	// State are resources read from Terraform state.
	State []resource.Resource
	// Live are resources discovered in the cloud (or read from an
	// inventory). When present they are what the checks judge; state
	// alone is judged when there is no live side.
	Live []resource.Resource
	// Drift is the comparison of State and Live, for drift x security.
	Drift *drift.Result
	// Outputs are the states' output values, scanned for secrets.
	Outputs []StateOutput
	// Mutelist mutes accepted failures.
	Mutelist *Mutelist
	// Now is the clock for key ages and mute expiry (default time.Now).
	Now time.Time
	// Custom are results of custom policies (Rego) over the same
	// resources, with the checks they came from; they join the built-in
	// results before de-duplication and the mutelist.
	Custom       []Result
	CustomChecks []*Check
}

// Report is a scan's outcome.
type Report struct {
	Results []Result `json:"results"`
	Summary Summary  `json:"summary"`
	// Checks are every check the scan ran, for rule lists (SARIF).
	Checks []*Check `json:"-"`
	// ExpiredMutes are mutelist entries past their expiry: they muted
	// nothing and are reported so someone renews or removes them.
	ExpiredMutes []MuteEntry `json:"expired_mutes,omitempty"`
}

// Run evaluates every built-in check, the secret rules and drift x
// security over in.
func Run(in Input) *Report {
	e := NewEngine(nil)
	if !in.Now.IsZero() {
		e.Now = in.Now
	}
	return e.Run(in)
}

// Run is Run with this engine's checks.
func (e *Engine) Run(in Input) *Report {
	judged := in.Live
	if len(judged) == 0 {
		judged = in.State
	}
	ix := NewIndex(judged)
	results := e.Evaluate(ix)
	addresses(results, in.State)
	results = append(results, ScanSecrets(judged)...)
	var stateSecrets []Result
	if len(in.Live) > 0 {
		// State keeps what live discovery cannot read back (user data,
		// function environments): look there too.
		stateSecrets = ScanSecrets(in.State)
	}
	if in.Drift != nil && len(in.Live) > 0 && len(in.State) > 0 {
		// A drift x security finding replaces the plain failure it
		// explains: one problem, one finding, with both sides.
		weakened, replaced := e.driftSecurity(in, results, stateSecrets)
		kept := results[:0]
		for _, r := range results {
			if r.Status != Fail || !replaced[r.key()] {
				kept = append(kept, r)
			}
		}
		results = append(kept, weakened...)
	}
	results = append(results, stateSecrets...)
	results = append(results, ScanOutputs(in.Outputs)...)
	results = append(results, in.Custom...)
	results = Dedupe(results)
	addresses(results, in.State)
	rep := &Report{Results: results, Checks: append(append(e.Checks(), SecretChecks()...), driftChecks(append(e.Checks(), SecretChecks()...))...)}
	rep.Checks = append(rep.Checks, in.CustomChecks...)
	if in.Mutelist != nil {
		rep.ExpiredMutes = in.Mutelist.Apply(rep.Results, e.Now)
	}
	rep.Summary = Summarize(rep.Results, rep.Checks)
	return rep
}

// addresses fills in the Terraform address of results on live resources
// that state manages.
func addresses(rs []Result, state []resource.Resource) {
	if len(state) == 0 {
		return
	}
	byKey := make(map[string]*resource.Resource, len(state))
	for i := range state {
		byKey[state[i].Type+"\x00"+state[i].ID] = &state[i]
	}
	for i := range rs {
		r := &rs[i]
		if r.Source == resource.SourceState {
			continue
		}
		if s := byKey[r.Type+"\x00"+r.ID]; s != nil {
			if r.Address == "" {
				r.Address = s.Address
			}
			r.StateOrigin = s.Origin
		}
	}
}

// driftSecurity raises a finding for every check that fails on the live
// side of a MODIFIED or UNMANAGED drift while the state side passed (or,
// for UNMANAGED, did not exist): the drift weakened security.
func (e *Engine) driftSecurity(in Input, liveResults, stateSecrets []Result) ([]Result, map[string]bool) {
	type key struct{ check, typ, id string }
	drifted := map[[2]string]*drift.Finding{}
	for i := range in.Drift.Findings {
		f := &in.Drift.Findings[i]
		if f.Kind == drift.Modified || f.Kind == drift.Unmanaged {
			drifted[[2]string{f.Type, f.ID}] = f
		}
	}
	if len(drifted) == 0 {
		return nil, nil
	}
	inState := map[string]bool{}
	for i := range stateSecrets {
		inState[stateSecrets[i].key()] = true
	}
	secretChecks := map[string]*Check{}
	for _, c := range SecretChecks() {
		secretChecks[c.ID] = c
	}
	replaced := map[string]bool{}
	stateIx := NewIndex(in.State)
	stateIx.now = e.Now
	stateRes := map[key]*Result{}
	sr := e.Evaluate(stateIx)
	for i := range sr {
		stateRes[key{sr[i].CheckID, sr[i].Type, sr[i].ID}] = &sr[i]
	}
	var out []Result
	for i := range liveResults {
		lr := &liveResults[i]
		if lr.Status != Fail || lr.Source == resource.SourceState {
			continue
		}
		if lr.Location != nil {
			if w, ok := secretDrift(lr, secretChecks[lr.CheckID], drifted, inState); ok {
				replaced[lr.key()] = true
				out = append(out, w)
			}
			continue
		}
		c := e.Check(lr.CheckID)
		if c == nil {
			continue
		}
		// The drift that caused it: on the subject itself, or on a
		// related resource named in the evidence (an unmanaged rule).
		f := drifted[[2]string{lr.Type, lr.ID}]
		if f == nil {
			for _, ev := range lr.Evidence {
				if t, id, ok := strings.Cut(ev.Resource, "."); ok {
					if f = drifted[[2]string{t, id}]; f != nil {
						break
					}
				}
			}
		}
		if f == nil {
			continue
		}
		st := stateRes[key{lr.CheckID, lr.Type, lr.ID}]
		var stateSide DriftSide
		switch {
		case st != nil && st.Status == Pass:
			stateSide = DriftSide{Status: Pass, Message: st.Message, Evidence: st.Evidence}
		case st == nil && f.Kind == drift.Unmanaged && f.Type == lr.Type && f.ID == lr.ID:
			stateSide = DriftSide{Status: Absent, Message: "not in any Terraform state: created outside review"}
		default:
			continue // failed in state too: not the drift's doing
		}
		sev := c.Severity
		if f.Severity.Rank() > sev.Rank() {
			sev = f.Severity
		}
		r := *lr
		r.CheckID = DriftCheckID(c.ID)
		r.Title = "Drift weakened security: " + c.Title
		r.Severity = sev
		what := c.Weakened
		if what == "" {
			what = "made " + c.ID + " fail"
		}
		r.Message = "this drift " + what + ": " + lr.Message
		if stateSide.Status == Absent {
			r.Message = "this unmanaged resource, created outside Terraform, fails " + c.ID + ": " + lr.Message
		}
		r.Drift = &DriftLink{Kind: f.Kind, Check: c.ID, State: stateSide,
			Live: DriftSide{Status: Fail, Message: lr.Message, Evidence: lr.Evidence}, Diffs: f.Diffs}
		r.Evidence = append(append([]Evidence(nil), lr.Evidence...), diffEvidence(f)...)
		replaced[lr.key()] = true
		out = append(out, r)
	}
	return out, replaced
}

// secretDrift raises a secret found live, at a location the state has no
// secret and a drift changed (or on an unmanaged resource), as drift that
// put a secret into the configuration.
func secretDrift(lr *Result, c *Check, drifted map[[2]string]*drift.Finding, inState map[string]bool) (Result, bool) {
	f := drifted[[2]string{lr.Type, lr.ID}]
	if c == nil || f == nil || inState[lr.key()] {
		return Result{}, false
	}
	var diffs []drift.Diff
	for _, d := range f.Diffs {
		if d.Path.HasPrefix(lr.Location.Path) || lr.Location.Path.HasPrefix(d.Path) {
			diffs = append(diffs, d)
		}
	}
	side := DriftSide{Status: Pass, Message: "no secret at " + string(lr.Location.Path) + " in state"}
	msg := "this drift put a secret into the configuration: " + lr.Message
	switch {
	case f.Kind == drift.Unmanaged:
		side = DriftSide{Status: Absent, Message: "not in any Terraform state: created outside review"}
		msg = "this unmanaged resource, created outside Terraform, holds a secret: " + lr.Message
	case len(diffs) == 0:
		return Result{}, false
	}
	r := *lr
	r.CheckID, r.Title, r.Message = DriftCheckID(c.ID), "Drift weakened security: "+c.Title, msg
	r.Drift = &DriftLink{Kind: f.Kind, Check: c.ID, State: side, Live: DriftSide{Status: Fail, Message: lr.Message, Evidence: lr.Evidence}, Diffs: diffs}
	sub := *f
	sub.Diffs = diffs
	r.Evidence = append(append([]Evidence(nil), lr.Evidence...), diffEvidence(&sub)...)
	return r, true
}

// DriftCheckID names the drift x security rule derived from a check:
// DM-AWS-EC2-001 -> DM-DRIFT-AWS-EC2-001.
func DriftCheckID(id string) string { return "DM-DRIFT-" + strings.TrimPrefix(id, "DM-") }

func diffEvidence(f *drift.Finding) []Evidence {
	var out []Evidence
	for _, d := range f.Diffs {
		out = append(out, Evidence{Resource: f.Type + "." + f.ID, Path: d.Path,
			Value: map[string]any{"state": d.Expected, "live": d.Actual}})
	}
	return out
}

// driftChecks derives the drift x security rules from checks, for rule
// lists.
func driftChecks(cs []*Check) []*Check {
	var out []*Check
	for _, c := range cs {
		d := *c
		d.ID = DriftCheckID(c.ID)
		d.Title = "Drift weakened security: " + c.Title
		d.Rationale = "A change made outside Terraform made this check fail where the state passed it. " + c.Rationale
		d.Remediation = "Revert the out-of-band change (terraform apply restores the reviewed configuration), find who made it, then: " + c.Remediation
		d.Refs.CIS = map[Framework][]string{}
		for k, v := range c.Refs.CIS {
			d.Refs.CIS[k] = v
		}
		out = append(out, &d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
