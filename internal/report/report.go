// Package report renders a drift.Result in every output format of
// `driftmgr scan --output FORMAT[=PATH]`: table, json, sarif, junit, html,
// markdown and plan.
//
// Every format is a contract that scripts and CI systems parse, so each is
// deterministic: findings keep the engine's order (kind, severity, type,
// id), map keys are sorted, and nothing time-dependent is printed unless
// Options.GeneratedAt is set. Renderers print only what the Result holds;
// sensitive values arrive already redacted and stay that way.
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/driftmgr/driftmgr/internal/drift"
)

// Format names an output format.
type Format string

// The output formats, in the order help text lists them.
const (
	Table    Format = "table"
	JSON     Format = "json"
	SARIF    Format = "sarif"
	JUnit    Format = "junit"
	HTML     Format = "html"
	Markdown Format = "markdown"
	Plan     Format = "plan"
)

// Errors returned by this package.
var (
	// ErrUnknownFormat marks a format name that is not one of Formats().
	ErrUnknownFormat = errors.New("report: unknown format")
	// ErrNilResult is returned when Write is given no result.
	ErrNilResult = errors.New("report: nil result")
)

var formats = []Format{Table, JSON, SARIF, JUnit, HTML, Markdown, Plan}

// Formats returns every supported format, table (the default) first.
func Formats() []Format { return append([]Format(nil), formats...) }

// ParseFormat maps a --output format name to a Format. Names are
// case-insensitive; the error names the bad value and lists the valid ones.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, f := range formats {
		if string(f) == name {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q (valid: %s)", ErrUnknownFormat, s, validList())
}

func validList() string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// Options tune a report. The zero value renders a plain, timeless report.
type Options struct {
	// Color enables ANSI colours in the table format; other formats
	// ignore it.
	Color bool
	// ToolVersion is driftmgr's version, recorded where a format has a
	// place for it (SARIF driver, JUnit properties, HTML and Markdown
	// footers).
	ToolVersion string
	// Sources are the state sources scanned, in the order given.
	Sources []string
	// GeneratedAt stamps the report. The zero value omits every
	// timestamp, which keeps golden files stable.
	GeneratedAt time.Time
}

// Write renders res to w in format f.
func Write(w io.Writer, f Format, res *drift.Result, opts Options) error {
	if res == nil {
		return ErrNilResult
	}
	var render func(io.Writer, *drift.Result, Options) error
	switch f {
	case Table:
		render = writeTable
	case JSON:
		render = writeJSON
	case SARIF:
		render = writeSARIF
	case JUnit:
		render = writeJUnit
	case HTML:
		render = writeHTML
	case Markdown:
		render = writeMarkdown
	case Plan:
		render = writePlan
	default:
		return fmt.Errorf("%w %q (valid: %s)", ErrUnknownFormat, string(f), validList())
	}
	// Render into memory first so a failing renderer never leaves half a
	// document in w.
	var buf bytes.Buffer
	if err := render(&buf, res, opts); err != nil {
		return fmt.Errorf("render %s report: %w", f, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write %s report: %w", f, err)
	}
	return nil
}

// kinds is the order every grouped format presents findings in.
var kinds = []drift.Kind{drift.Missing, drift.Modified, drift.Unmanaged}

// severities from most to least urgent.
var severities = []drift.Severity{drift.Critical, drift.High, drift.Medium, drift.Low, drift.Info}

// kindTitle and kindMeaning say what a kind means to someone who has never
// read the docs.
func kindTitle(k drift.Kind) string {
	switch k {
	case drift.Missing:
		return "Missing"
	case drift.Modified:
		return "Modified"
	case drift.Unmanaged:
		return "Unmanaged"
	}
	return string(k)
}

func kindMeaning(k drift.Kind) string {
	switch k {
	case drift.Missing:
		return "in Terraform state, gone from the cloud"
	case drift.Modified:
		return "changed in the cloud outside Terraform"
	case drift.Unmanaged:
		return "in the cloud, in no Terraform state"
	}
	return ""
}

// groupByKind splits findings by kind, keeping their order inside a kind.
// Findings of an unknown kind are dropped from grouped formats; the engine
// never produces them.
func groupByKind(fs []drift.Finding) map[drift.Kind][]drift.Finding {
	out := make(map[drift.Kind][]drift.Finding, len(kinds))
	for _, f := range fs {
		out[f.Kind] = append(out[f.Kind], f)
	}
	return out
}

// countBySeverity counts findings per severity.
func countBySeverity(fs []drift.Finding) map[drift.Severity]int {
	out := make(map[drift.Severity]int, len(severities))
	for _, f := range fs {
		out[f.Severity]++
	}
	return out
}

// resourceName is the type.id form .driftignore and driftctl use.
func resourceName(f drift.Finding) string { return f.Type + "." + f.ID }

// formatCoverage prints a percentage with at most two decimals: 81.82, 100.
func formatCoverage(c float64) string { return strconv.FormatFloat(c, 'f', -1, 64) + "%" }

// diffSign says how a diff reads: "~" changed, "+" present only in the
// cloud (added outside Terraform), "-" present only in state (removed
// outside Terraform).
func diffSign(d drift.Diff) string {
	switch {
	case d.Expected == nil && d.Actual != nil:
		return "+"
	case d.Expected != nil && d.Actual == nil:
		return "-"
	}
	return "~"
}

// compactJSON renders a value on one line as JSON, without escaping <, >
// and & so terminals and Markdown show what the cloud holds. Control
// characters are still escaped by the encoder.
func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values come from encoding/json, so this is unreachable in
		// practice; fall back to Go syntax rather than fail the report.
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// truncate shortens s to at most max runes, marking the cut with an
// ellipsis and the full length so nobody mistakes it for the value.
func truncate(s string, max int) string {
	n := utf8.RuneCountInString(s)
	if n <= max {
		return s
	}
	suffix := fmt.Sprintf("… (%d chars)", n)
	keep := max - utf8.RuneCountInString(suffix)
	if keep < 1 {
		keep = 1
	}
	i := 0
	for pos := range s {
		if i == keep {
			return s[:pos] + suffix
		}
		i++
	}
	return s
}

// printable replaces control characters (ANSI escapes, newlines, bidi
// overrides) with Go escapes, so a hostile resource id cannot rewrite a
// terminal or break a line-oriented format.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError
}
