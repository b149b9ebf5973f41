package drift

import (
	"github.com/driftmgr/driftmgr/internal/resource"
)

// Kind is the kind of drift a finding reports.
type Kind string

// The three kinds of drift.
const (
	// Missing: in state, gone from the cloud.
	Missing Kind = "MISSING"
	// Unmanaged: in the cloud, in no state.
	Unmanaged Kind = "UNMANAGED"
	// Modified: in both, attributes differ.
	Modified Kind = "MODIFIED"
)

// Severity ranks a finding. The zero value is invalid.
type Severity string

// Severities from most to least urgent.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Rank orders severities: Critical is 4, Info 0, unknown -1.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	case Info:
		return 0
	}
	return -1
}

// Diff is one attribute that differs. Expected is the state's value, Actual
// the live one; nil on one side means the attribute (or set element) is
// absent there. Sensitive values are already redacted.
type Diff struct {
	Path     resource.Path `json:"path"`
	Expected any           `json:"expected"`
	Actual   any           `json:"actual"`
}

// Finding is one drifted resource.
type Finding struct {
	Kind     Kind     `json:"kind"`
	Provider string   `json:"provider"`
	Type     string   `json:"type"`
	ID       string   `json:"id"`
	Address  string   `json:"address,omitempty"`
	Account  string   `json:"account,omitempty"`
	Region   string   `json:"region,omitempty"`
	Severity Severity `json:"severity"`
	// Origin names the state (for MISSING and MODIFIED) or the discovery
	// scope (for UNMANAGED) the resource came from.
	Origin string `json:"origin,omitempty"`
	Diffs  []Diff `json:"diffs,omitempty"`
}

// Summary counts a scan's outcome. Total counts every distinct resource seen
// on either side; Managed counts resources both in state and in the cloud
// (Modified ones included). Coverage is Managed / (Managed + Unmanaged) in
// percent, rounded to two decimals.
type Summary struct {
	Total     int     `json:"total"`
	Managed   int     `json:"managed"`
	Unmanaged int     `json:"unmanaged"`
	Missing   int     `json:"missing"`
	Modified  int     `json:"modified"`
	Coverage  float64 `json:"coverage"`
}

// Result is the outcome of one comparison.
type Result struct {
	Summary  Summary   `json:"summary"`
	Findings []Finding `json:"findings"`
}

// HasDrift reports whether any finding remains.
func (r *Result) HasDrift() bool { return len(r.Findings) > 0 }

// Ignorer decides what the user asked not to be told about
// (.driftignore and YAML ignore rules).
type Ignorer interface {
	// IgnoreResource reports whether the whole resource is ignored.
	IgnoreResource(r *resource.Resource) bool
	// IgnoreAttr reports whether a differing attribute path of r is ignored.
	IgnoreAttr(r *resource.Resource, p resource.Path) bool
}

// Filter selects the resources a scan looks at (--filter).
type Filter interface {
	Match(r *resource.Resource) bool
}
