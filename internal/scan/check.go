// Package scan is DriftMgr's security and compliance scanner: built-in
// checks in Go over the resource model (CIS AWS Foundations, CIS Azure, CIS
// GCP, IAM policy analysis), secrets detection, and the meeting point of
// drift and security: a drift that made a passing check fail.
//
// The package is pure: it reads resources and drift results and returns
// results; it does no I/O besides writing reports to an io.Writer.
package scan

import (
	"sort"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// Severity ranks a check; the scale is the drift engine's, so a drift
// finding and a security finding compare directly.
type Severity = drift.Severity

// The five severities.
const (
	Critical = drift.Critical
	High     = drift.High
	Medium   = drift.Medium
	Low      = drift.Low
	Info     = drift.Info
)

// ParseSeverity reads a severity name.
func ParseSeverity(s string) (Severity, bool) {
	sev := Severity(s)
	return sev, sev.Rank() >= 0
}

// Status is a result's verdict.
type Status string

// The statuses.
const (
	Pass  Status = "PASS"
	Fail  Status = "FAIL"
	Muted Status = "MUTED"
	// Absent is the state side of a drift x security finding on an
	// UNMANAGED resource: there is no state to judge.
	Absent Status = "ABSENT"
)

// Framework names a compliance framework a check maps to.
type Framework string

// The frameworks the built-in checks map to.
const (
	CISAWS   Framework = "CIS AWS Foundations v3.0"
	CISAWS12 Framework = "CIS AWS Foundations v1.2"
	CISAWS14 Framework = "CIS AWS Foundations v1.4"
	CISAzure Framework = "CIS Azure Foundations v2.0"
	CISGCP   Framework = "CIS GCP Foundations v2.0"
	AWSFSBP  Framework = "AWS Foundational Security Best Practices"
	DriftMgr Framework = "DriftMgr"
	Secrets  Framework = "Secrets"
)

// Refs cross-reference a check to the controls and tools that check the
// same thing, so a finding can be traced to an audit requirement and to the
// rule a team already knows from another scanner.
type Refs struct {
	// CIS lists control numbers by framework, e.g. {CISAWS: ["5.2"]}.
	CIS map[Framework][]string `json:"cis,omitempty"`
	// Checkov, Prowler and SecurityHub name the equivalent rules there.
	Checkov     []string `json:"checkov,omitempty"`
	Prowler     []string `json:"prowler,omitempty"`
	SecurityHub []string `json:"security_hub,omitempty"`
}

// Check is one built-in rule.
type Check struct {
	// ID is stable across releases: DM-<CLOUD>-<SERVICE>-<NNN>.
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	// Provider is the short provider name the check applies to.
	Provider string `json:"provider"`
	// Types are the resource types the check evaluates (its subjects).
	Types       []string `json:"types"`
	Rationale   string   `json:"rationale"`
	Remediation string   `json:"remediation"`
	// Terraform is the configuration change that fixes a failure.
	Terraform string `json:"terraform,omitempty"`
	Refs      Refs   `json:"refs"`
	// Notes say what the check cannot see, e.g. types discovery lacks.
	Notes string `json:"notes,omitempty"`
	// Weakened phrases what a drift that makes this check fail did, for
	// the drift x security finding: "opened port 22 to the world".
	Weakened string `json:"-"`
	// Eval decides one subject resource; nil means not applicable.
	Eval func(ix *Index, r *resource.Resource) *Outcome `json:"-"`
}

// Frameworks lists the frameworks the check maps to, in a fixed order.
func (c *Check) Frameworks() []Framework {
	var out []Framework
	for _, f := range []Framework{CISAWS, CISAWS12, CISAWS14, CISAzure, CISGCP} {
		if len(c.Refs.CIS[f]) > 0 {
			out = append(out, f)
		}
	}
	if len(c.Refs.SecurityHub) > 0 {
		out = append(out, AWSFSBP)
	}
	// Custom policies name their own frameworks.
	var custom []string
	for f := range c.Refs.CIS {
		switch f {
		case CISAWS, CISAWS12, CISAWS14, CISAzure, CISGCP:
		default:
			custom = append(custom, string(f))
		}
	}
	sort.Strings(custom)
	for _, f := range custom {
		out = append(out, Framework(f))
	}
	return out
}

// Outcome is a check's verdict on one resource with what decided it.
type Outcome struct {
	Pass     bool
	Message  string
	Evidence []Evidence
}

// Evidence is one attribute that decided a result. Value is never a
// secret: sensitive paths are redacted by the engine and secrets are
// reported by location only.
type Evidence struct {
	// Resource names another resource than the subject (type.id), when
	// the check looked at a related one.
	Resource string        `json:"resource,omitempty"`
	Path     resource.Path `json:"path"`
	Value    any           `json:"value"`
}

// Location points into a resource: the attribute path and, for text
// values, the 1-based line.
type Location struct {
	Path resource.Path `json:"path,omitempty"`
	Line int           `json:"line,omitempty"`
}

// Mute says why a failing result is muted.
type Mute struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner,omitempty"`
	Expires string `json:"expires,omitempty"`
}

// DriftSide is one side of a drift x security finding.
type DriftSide struct {
	Status   Status     `json:"status"`
	Message  string     `json:"message"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// DriftLink ties a result to the drift that caused it.
type DriftLink struct {
	Kind  drift.Kind   `json:"kind"`
	Check string       `json:"check"`
	State DriftSide    `json:"state"`
	Live  DriftSide    `json:"live"`
	Diffs []drift.Diff `json:"diffs,omitempty"`
}

// Result is one check's verdict on one resource (or one secret's
// location in it).
type Result struct {
	CheckID  string          `json:"check_id"`
	Title    string          `json:"title"`
	Severity Severity        `json:"severity"`
	Status   Status          `json:"status"`
	Provider string          `json:"provider"`
	Type     string          `json:"type"`
	ID       string          `json:"id"`
	Address  string          `json:"address,omitempty"`
	Account  string          `json:"account,omitempty"`
	Region   string          `json:"region,omitempty"`
	Source   resource.Source `json:"source,omitempty"`
	Origin   string          `json:"origin,omitempty"`
	// StateOrigin names the state that manages a live resource, so a
	// finding can point at the file a fix goes through.
	StateOrigin string     `json:"state_origin,omitempty"`
	Message     string     `json:"message"`
	Location    *Location  `json:"location,omitempty"`
	Evidence    []Evidence `json:"evidence"`
	Mute        *Mute      `json:"mute,omitempty"`
	Drift       *DriftLink `json:"drift,omitempty"`
}

// Resource names the subject as type.id.
func (r *Result) Resource() string { return r.Type + "." + r.ID }

// key identifies a result for de-duplication.
func (r *Result) key() string {
	k := r.CheckID + "\x00" + r.Provider + "\x00" + r.Type + "\x00" + r.ID
	if r.Location != nil {
		k += "\x00" + string(r.Location.Path) + "\x00" + itoa(r.Location.Line)
	}
	return k
}
