package scan

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Formats are the report formats Write knows.
var Formats = []string{"table", "json", "sarif", "junit", "csv", "html"}

// WriteOptions tune a report.
type WriteOptions struct {
	ToolVersion string
	// All prints passing results in the table too.
	All bool
}

// Write renders the report in format. No format prints a secret: secret
// results carry their location only, and evidence values at sensitive
// paths are redacted before they get here.
func Write(w io.Writer, format string, rep *Report, opts WriteOptions) error {
	switch format {
	case "table":
		return writeTable(w, rep, opts)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "sarif":
		return writeSARIF(w, rep, opts)
	case "junit":
		return writeJUnit(w, rep)
	case "csv":
		return writeCSV(w, rep)
	case "html":
		return writeHTML(w, rep)
	}
	return fmt.Errorf("scan: unknown output format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// FormatValue renders an evidence value for text outputs.
func FormatValue(v any) string {
	if v == nil {
		return "(absent)"
	}
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func evidenceLine(e Evidence) string {
	where := string(e.Path)
	if e.Resource != "" {
		where = e.Resource + " " + where
	}
	if isDiff(e) {
		m := e.Value.(map[string]any)
		return fmt.Sprintf("%s: %s => %s", where, FormatValue(m["state"]), FormatValue(m["live"]))
	}
	return where + " = " + FormatValue(e.Value)
}

var sevOrder = []Severity{Critical, High, Medium, Low, Info}

func writeTable(w io.Writer, rep *Report, opts WriteOptions) error {
	s := rep.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "Security scan: %d resources checked by %d checks: %d failed, %d passed, %d muted; risk score %d\n",
		s.Resources, s.Checks, s.Fail, s.Pass, s.Muted, s.Risk)
	fails := sortedForTable(rep.Results, Fail)
	if len(fails) > 0 {
		var parts []string
		for _, sev := range sevOrder {
			if n := s.BySeverity[sev]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, sev))
			}
		}
		fmt.Fprintf(&b, "Failures: %s\n", strings.Join(parts, ", "))
	}
	var drifted []Result
	for _, r := range fails {
		if r.Drift != nil {
			drifted = append(drifted, r)
		}
	}
	if len(drifted) > 0 {
		fmt.Fprintf(&b, "\nDRIFT THAT WEAKENED SECURITY (%d)\n", len(drifted))
		for _, r := range drifted {
			writeResult(&b, r)
			fmt.Fprintf(&b, "      state: %-6s %s\n", r.Drift.State.Status, r.Drift.State.Message)
			fmt.Fprintf(&b, "      live:  %-6s %s\n", r.Drift.Live.Status, r.Drift.Live.Message)
		}
	}
	if n := len(fails) - len(drifted); n > 0 {
		fmt.Fprintf(&b, "\nFAILED (%d)\n", n)
		for _, r := range fails {
			if r.Drift == nil {
				writeResult(&b, r)
			}
		}
	}
	if muted := sortedForTable(rep.Results, Muted); len(muted) > 0 {
		fmt.Fprintf(&b, "\nMUTED (%d)\n", len(muted))
		for _, r := range muted {
			fmt.Fprintf(&b, "  %-8s  %-22s %s  muted by %s until %s: %s\n", strings.ToUpper(string(r.Severity)), r.CheckID, r.Resource(),
				r.Mute.Owner, orDash(r.Mute.Expires), r.Mute.Reason)
		}
	}
	if opts.All {
		if passed := sortedForTable(rep.Results, Pass); len(passed) > 0 {
			fmt.Fprintf(&b, "\nPASSED (%d)\n", len(passed))
			for _, r := range passed {
				fmt.Fprintf(&b, "  %-22s %s  %s\n", r.CheckID, r.Resource(), r.Message)
			}
		}
	}
	if len(rep.ExpiredMutes) > 0 {
		fmt.Fprintf(&b, "\nEXPIRED MUTELIST ENTRIES (%d) - they mute nothing; renew or remove them\n", len(rep.ExpiredMutes))
		for _, e := range rep.ExpiredMutes {
			fmt.Fprintf(&b, "  line %d: %s %s (owner %s, expired %s): %s\n", e.Line(), e.Check, e.Resource, e.Owner, e.Expires, e.Reason)
		}
	}
	if len(s.Compliance) > 0 {
		fmt.Fprintf(&b, "\nCompliance\n")
		for _, c := range s.Compliance {
			fmt.Fprintf(&b, "  %-42s %6.2f%%  (%d passed, %d failed)", c.Framework, c.Score, c.Passed, c.Failed)
			if len(c.FailedControls) > 0 {
				fmt.Fprintf(&b, "  failing: %s", strings.Join(c.FailedControls, ", "))
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeResult(b *strings.Builder, r Result) {
	name := r.Resource()
	if r.Address != "" && r.Address != name {
		name += "  " + r.Address
	}
	if r.Source == SourceConfig {
		name += "  " + r.Origin
	}
	fmt.Fprintf(b, "  %-8s  %-22s %s\n", strings.ToUpper(string(r.Severity)), r.CheckID, name)
	fmt.Fprintf(b, "      %s\n", r.Message)
	for _, e := range r.Evidence {
		label := ""
		if r.Drift != nil {
			// Live paths index the live lists, diff paths the state's.
			label = "live:  "
			if isDiff(e) {
				label = "drift: "
			}
		}
		fmt.Fprintf(b, "      - %s%s\n", label, evidenceLine(e))
	}
}

func isDiff(e Evidence) bool {
	m, ok := e.Value.(map[string]any)
	if !ok || len(m) != 2 {
		return false
	}
	_, s := m["state"]
	_, l := m["live"]
	return s && l
}

// sortedForTable orders results of one status by severity, then check,
// then resource.
func sortedForTable(rs []Result, st Status) []Result {
	var out []Result
	for _, r := range rs {
		if r.Status == st {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Severity.Rank(), out[j].Severity.Rank(); a != b {
			return a > b
		}
		return false
	})
	return out
}

func writeCSV(w io.Writer, rep *Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"status", "severity", "check_id", "title", "provider", "type", "id", "address", "account", "region", "location", "message", "evidence", "mute_reason", "mute_owner", "mute_expires"})
	for _, r := range rep.Results {
		var ev []string
		for _, e := range r.Evidence {
			ev = append(ev, evidenceLine(e))
		}
		loc := ""
		if r.Location != nil {
			loc = string(r.Location.Path)
			if r.Location.Line > 0 {
				loc += ":" + strconv.Itoa(r.Location.Line)
			}
		}
		var mr, mo, me string
		if r.Mute != nil {
			mr, mo, me = r.Mute.Reason, r.Mute.Owner, r.Mute.Expires
		}
		_ = cw.Write([]string{string(r.Status), string(r.Severity), r.CheckID, r.Title, r.Provider, r.Type, r.ID, r.Address, r.Account, r.Region,
			loc, r.Message, strings.Join(ev, "; "), mr, mo, me})
	}
	cw.Flush()
	return cw.Error()
}

var htmlTmpl = template.Must(template.New("security").Funcs(template.FuncMap{
	"ev":    evidenceLine,
	"lower": func(s Severity) string { return string(s) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DriftMgr security scan</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1f2937}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:.4rem;text-align:left;vertical-align:top}
.critical{color:#991b1b;font-weight:700}.high{color:#c2410c;font-weight:700}.medium{color:#a16207}.low{color:#1d4ed8}.info{color:#6b7280}code{font-size:12px}</style></head><body>
<h1>Security scan</h1>
<p>{{.Summary.Resources}} resources, {{.Summary.Checks}} checks: <b>{{.Summary.Fail}} failed</b>, {{.Summary.Pass}} passed, {{.Summary.Muted}} muted. Risk score {{.Summary.Risk}}.</p>
<h2>Compliance</h2><table><tr><th>Framework</th><th>Score</th><th>Passed</th><th>Failed</th><th>Failing controls</th></tr>
{{range .Summary.Compliance}}<tr><td>{{.Framework}}</td><td>{{printf "%.2f" .Score}}%</td><td>{{.Passed}}</td><td>{{.Failed}}</td><td>{{range .FailedControls}}{{.}} {{end}}</td></tr>{{end}}</table>
<h2>Results</h2><table><tr><th>Status</th><th>Severity</th><th>Check</th><th>Resource</th><th>Message and evidence</th></tr>
{{range .Results}}{{if ne .Status "PASS"}}<tr><td>{{.Status}}</td><td class="{{lower .Severity}}">{{.Severity}}</td><td>{{.CheckID}}<br>{{.Title}}</td><td><code>{{.Type}}.{{.ID}}</code>{{if .Address}}<br><code>{{.Address}}</code>{{end}}</td>
<td>{{.Message}}<ul>{{range .Evidence}}<li><code>{{ev .}}</code></li>{{end}}</ul>{{if .Mute}}muted: {{.Mute.Reason}} ({{.Mute.Owner}}, until {{.Mute.Expires}}){{end}}</td></tr>
{{end}}{{end}}</table></body></html>
`))

func writeHTML(w io.Writer, rep *Report) error { return htmlTmpl.Execute(w, rep) }
