package scan

import (
	"math"
	"sort"
	"strings"
)

// Summary counts a scan's results and scores them.
type Summary struct {
	Checks     int              `json:"checks"`
	Resources  int              `json:"resources"`
	Pass       int              `json:"pass"`
	Fail       int              `json:"fail"`
	Muted      int              `json:"muted"`
	BySeverity map[Severity]int `json:"fail_by_severity"`
	// DriftWeakened counts drift x security findings.
	DriftWeakened int `json:"drift_weakened"`
	// Secrets counts secrets found.
	Secrets int `json:"secrets"`
	// Compliance is per framework: passed / (passed + failed) in percent.
	Compliance []FrameworkScore `json:"compliance"`
	// Risk is the severity-weighted sum of failures (critical 10, high 5,
	// medium 2, low 1, info 0); muted results do not count.
	Risk int `json:"risk_score"`
}

// FrameworkScore is one framework's compliance.
type FrameworkScore struct {
	Framework Framework `json:"framework"`
	Passed    int       `json:"passed"`
	Failed    int       `json:"failed"`
	Score     float64   `json:"score"`
	// Controls lists the control numbers with at least one failure.
	FailedControls []string `json:"failed_controls,omitempty"`
}

var riskWeight = map[Severity]int{Critical: 10, High: 5, Medium: 2, Low: 1, Info: 0}

// Summarize counts results. A muted result counts neither as passed nor
// failed in compliance.
func Summarize(rs []Result, checks []*Check) Summary {
	byID := map[string]*Check{}
	for _, c := range checks {
		byID[c.ID] = c
	}
	s := Summary{BySeverity: map[Severity]int{}}
	res := map[string]bool{}
	ran := map[string]bool{}
	type tally struct {
		pass, fail int
		failed     map[string]bool
	}
	fw := map[Framework]*tally{}
	for i := range rs {
		r := &rs[i]
		res[r.Provider+"\x00"+r.Type+"\x00"+r.ID] = true
		ran[r.CheckID] = true
		switch r.Status {
		case Pass:
			s.Pass++
		case Fail:
			s.Fail++
			s.BySeverity[r.Severity]++
			s.Risk += riskWeight[r.Severity]
			if r.Drift != nil {
				s.DriftWeakened++
			}
			if strings.HasPrefix(r.CheckID, "DM-SECRET-") || r.Drift != nil && strings.HasPrefix(r.Drift.Check, "DM-SECRET-") {
				s.Secrets++
			}
		case Muted:
			s.Muted++
		}
		c := byID[r.CheckID]
		if r.Drift != nil {
			c = byID[r.Drift.Check] // the control the drift broke
		}
		if c == nil || r.Status == Muted {
			continue
		}
		for _, f := range c.Frameworks() {
			t := fw[f]
			if t == nil {
				t = &tally{failed: map[string]bool{}}
				fw[f] = t
			}
			if r.Status == Pass {
				t.pass++
			} else {
				t.fail++
				ids := c.Refs.CIS[f]
				if f == AWSFSBP {
					ids = c.Refs.SecurityHub
				}
				for _, id := range ids {
					t.failed[id] = true
				}
			}
		}
	}
	s.Resources, s.Checks = len(res), len(ran)
	for f, t := range fw {
		sc := FrameworkScore{Framework: f, Passed: t.pass, Failed: t.fail}
		if t.pass+t.fail > 0 {
			sc.Score = math.Round(float64(t.pass)/float64(t.pass+t.fail)*10000) / 100
		}
		for id := range t.failed {
			sc.FailedControls = append(sc.FailedControls, id)
		}
		sort.Slice(sc.FailedControls, func(i, j int) bool { return controlLess(sc.FailedControls[i], sc.FailedControls[j]) })
		s.Compliance = append(s.Compliance, sc)
	}
	sort.Slice(s.Compliance, func(i, j int) bool { return s.Compliance[i].Framework < s.Compliance[j].Framework })
	return s
}

// controlLess orders "1.10" after "1.9".
func controlLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := atoiOK(pa[i])
		nb, eb := atoiOK(pb[i])
		if ea && eb {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func atoiOK(s string) (int, bool) {
	n := 0
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// FailsAtOrAbove reports whether any unmuted failure has at least sev.
func (r *Report) FailsAtOrAbove(sev Severity) bool {
	for i := range r.Results {
		if r.Results[i].Status == Fail && r.Results[i].Severity.Rank() >= sev.Rank() {
			return true
		}
	}
	return false
}
