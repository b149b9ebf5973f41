package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/driftmgr/driftmgr/internal/drift"
)

// maxMarkdownValue bounds a value in a diff table cell, in runes; GitHub
// rejects comments over 65,536 characters.
const maxMarkdownValue = 200

// writeMarkdown prints a report for a pull-request comment: a summary
// table, then a section per kind. Every value from the Result goes into a
// code span, so Markdown and HTML in resource ids or values render as
// text; pipes are escaped so table cells stay cells.
func writeMarkdown(w io.Writer, res *drift.Result, opts Options) error {
	var b strings.Builder
	s := res.Summary
	b.WriteString("## DriftMgr drift report\n\n")
	if !res.HasDrift() {
		b.WriteString(":white_check_mark: **No drift detected.**\n\n")
	} else {
		fmt.Fprintf(&b, ":warning: **Drift detected in %d resources** (%s).\n\n", len(res.Findings), severityLine(res.Findings))
	}
	b.WriteString("| Resources | Managed | Missing | Modified | Unmanaged | Coverage |\n")
	b.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %s |\n", s.Total, s.Managed, s.Missing, s.Modified, s.Unmanaged, formatCoverage(s.Coverage))

	groups := groupByKind(res.Findings)
	for _, k := range kinds {
		fs := groups[k]
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s (%d)\n\n_%s_\n\n", kindTitle(k), len(fs), kindMeaning(k))
		if k != drift.Modified {
			b.WriteString("| Severity | Resource | Address |\n| --- | --- | --- |\n")
			for _, f := range fs {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", f.Severity, mdCode(resourceName(f)), mdOptional(f.Address))
			}
			continue
		}
		for _, f := range fs {
			fmt.Fprintf(&b, "#### %s %s\n\n", mdCode(resourceName(f)), f.Severity)
			if f.Address != "" {
				fmt.Fprintf(&b, "Address: %s\n\n", mdCode(f.Address))
			}
			if len(f.Diffs) == 0 {
				continue
			}
			b.WriteString("| | Path | Expected (state) | Actual (cloud) |\n| --- | --- | --- | --- |\n")
			for _, d := range f.Diffs {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdSign(diffSign(d)), mdCode(string(d.Path)), mdValue(d.Expected), mdValue(d.Actual))
			}
			b.WriteString("\n")
		}
	}
	if res.HasDrift() {
		b.WriteString("\n> To accept a finding, add its resource (`TYPE.ID`) to `.driftignore`, or run `driftmgr gen-driftignore`.\n")
	}
	var foot []string
	if opts.ToolVersion != "" {
		foot = append(foot, "driftmgr "+mdCode(opts.ToolVersion))
	} else {
		foot = append(foot, "driftmgr")
	}
	if len(opts.Sources) > 0 {
		srcs := make([]string, len(opts.Sources))
		for i, src := range opts.Sources {
			srcs[i] = mdCode(src)
		}
		foot = append(foot, "states: "+strings.Join(srcs, ", "))
	}
	if !opts.GeneratedAt.IsZero() {
		foot = append(foot, opts.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	fmt.Fprintf(&b, "\n<sub>%s</sub>\n", strings.Join(foot, " · "))
	_, err := io.WriteString(w, b.String())
	return err
}

func mdSign(sign string) string {
	switch sign {
	case "+":
		return "added"
	case "-":
		return "removed"
	}
	return "changed"
}

// mdValue renders a diff value: compact JSON in a code span, or an em dash
// for a value absent on that side.
func mdValue(v any) string {
	if v == nil {
		return "—"
	}
	return mdCode(truncate(compactJSON(v), maxMarkdownValue))
}

func mdOptional(s string) string {
	if s == "" {
		return "—"
	}
	return mdCode(s)
}

// mdCode puts s in a code span that survives any content: the fence is one
// backtick longer than the longest backtick run inside, pipes are escaped
// for table cells (GFM unescapes \| inside code spans in tables), and
// control characters are escaped so a newline cannot end the row.
func mdCode(s string) string {
	s = strings.ReplaceAll(printable(s), "|", `\|`)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
