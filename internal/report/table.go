package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/driftmgr/driftmgr/internal/drift"
)

// maxTableValue bounds a value printed in a diff line, in runes; a policy
// document or certificate would otherwise flood the terminal.
const maxTableValue = 120

// ANSI styles. Only used when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiCyan   = "\x1b[36m"
)

type painter bool

func (p painter) paint(style, s string) string {
	if !p || s == "" {
		return s
	}
	return style + s + ansiReset
}

func severityStyle(s drift.Severity) string {
	switch s {
	case drift.Critical:
		return ansiBold + ansiRed
	case drift.High:
		return ansiRed
	case drift.Medium:
		return ansiYellow
	case drift.Low:
		return ansiCyan
	}
	return ansiDim
}

func signStyle(sign string) string {
	switch sign {
	case "+":
		return ansiGreen
	case "-":
		return ansiRed
	}
	return ansiYellow
}

// writeTable prints the human report: a header with counts, findings
// grouped by kind with attribute diffs beneath modified resources, then a
// summary and a hint on what to do next.
func writeTable(w io.Writer, res *drift.Result, opts Options) error {
	p := painter(opts.Color)
	var b strings.Builder
	s := res.Summary
	if !res.HasDrift() {
		fmt.Fprintf(&b, "%s %d resources scanned, %d managed, coverage %s.\n",
			p.paint(ansiBold+ansiGreen, "No drift detected:"), s.Total, s.Managed, formatCoverage(s.Coverage))
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "%s %d missing, %d modified, %d unmanaged (%s)\n",
		p.paint(ansiBold, fmt.Sprintf("Drift detected in %d resources:", len(res.Findings))),
		s.Missing, s.Modified, s.Unmanaged, severityLine(res.Findings))

	groups := groupByKind(res.Findings)
	for _, k := range kinds {
		fs := groups[k]
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s\n", p.paint(ansiBold, fmt.Sprintf("%s (%d)", k, len(fs))), p.paint(ansiDim, "- "+kindMeaning(k)))
		nameW := 0
		for _, f := range fs {
			nameW = max(nameW, utf8.RuneCountInString(printable(resourceName(f))))
		}
		for _, f := range fs {
			sev := strings.ToUpper(string(f.Severity))
			name := printable(resourceName(f))
			line := "  " + p.paint(severityStyle(f.Severity), fmt.Sprintf("%-8s", sev)) + "  " + name
			if f.Address != "" {
				line += strings.Repeat(" ", nameW-utf8.RuneCountInString(name)) + "  " + p.paint(ansiBlue, printable(f.Address))
			}
			b.WriteString(line + "\n")
			for _, d := range f.Diffs {
				b.WriteString("      " + diffLine(p, d) + "\n")
			}
		}
	}

	fmt.Fprintf(&b, "\n%s %d resources, %d managed, %d unmanaged, %d missing, %d modified; coverage %s\n",
		p.paint(ansiBold, "Summary:"), s.Total, s.Managed, s.Unmanaged, s.Missing, s.Modified, formatCoverage(s.Coverage))
	fmt.Fprintf(&b, "%s to accept a finding, add its resource to .driftignore (e.g. %s), or write rules for all with 'driftmgr gen-driftignore'.\n",
		p.paint(ansiDim, "Hint:"), printable(hintExample(res.Findings)))
	_, err := io.WriteString(w, b.String())
	return err
}

// diffLine renders one diff the way driftctl users know it:
// "~ path: expected => actual", "+ path: actual", "- path: expected".
func diffLine(p painter, d drift.Diff) string {
	sign := diffSign(d)
	val := func(v any) string { return printable(truncate(compactJSON(v), maxTableValue)) }
	var body string
	switch sign {
	case "+":
		body = val(d.Actual)
	case "-":
		body = val(d.Expected)
	default:
		body = val(d.Expected) + " => " + val(d.Actual)
	}
	return p.paint(signStyle(sign), sign) + " " + printable(string(d.Path)) + ": " + body
}

// severityLine lists non-zero severity counts, most urgent first.
func severityLine(fs []drift.Finding) string {
	counts := countBySeverity(fs)
	var parts []string
	for _, s := range severities {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, ", ")
}

// driftignoreEntry is the .driftignore line that ignores f: TYPE.ID, with
// dots in the id escaped as the syntax requires.
func driftignoreEntry(f drift.Finding) string {
	return f.Type + "." + strings.ReplaceAll(f.ID, ".", `\.`)
}

// hintExample picks the shortest .driftignore entry among the findings
// (the first on ties), so the hint stays readable when ids are URLs.
func hintExample(fs []drift.Finding) string {
	best := driftignoreEntry(fs[0])
	for _, f := range fs[1:] {
		if e := driftignoreEntry(f); len(e) < len(best) {
			best = e
		}
	}
	return best
}
