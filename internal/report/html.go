package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"io"
	"strings"

	"github.com/driftmgr/driftmgr/internal/drift"
)

// The HTML report is one self-contained file: CSS and a few lines of
// filtering JS inline, no external fetch (a Content-Security-Policy meta
// tag forbids any), dark mode from prefers-color-scheme, a card layout on
// narrow screens. html/template escapes every value from the Result.

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// maxHTMLValue bounds one pretty-printed value; the cell scrolls, but a
// multi-megabyte blob would make the file unusable.
const maxHTMLValue = 20000

type htmlView struct {
	Title       string
	InSync      bool
	Summary     drift.Summary
	Coverage    string
	Kinds       []htmlCount
	Severities  []htmlCount
	Findings    []htmlFinding
	ToolVersion string
	Sources     []string
	GeneratedAt string
}

type htmlCount struct {
	Name  string
	Class string
	Count int
	Hint  string
}

type htmlFinding struct {
	Kind, KindClass string
	Severity        string
	Name            string
	Address         string
	Provider        string
	Location        string
	Origin          string
	Diffs           []htmlDiff
}

type htmlDiff struct {
	Sign, SignClass  string
	Path             string
	Expected, Actual string
	HasExp, HasAct   bool
}

func writeHTML(w io.Writer, res *drift.Result, opts Options) error {
	v := htmlView{
		Title:       "DriftMgr drift report",
		InSync:      !res.HasDrift(),
		Summary:     res.Summary,
		Coverage:    formatCoverage(res.Summary.Coverage),
		ToolVersion: opts.ToolVersion,
		Sources:     opts.Sources,
	}
	if !opts.GeneratedAt.IsZero() {
		v.GeneratedAt = opts.GeneratedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	groups := groupByKind(res.Findings)
	for _, k := range kinds {
		v.Kinds = append(v.Kinds, htmlCount{Name: kindTitle(k), Class: strings.ToLower(string(k)), Count: len(groups[k]), Hint: kindMeaning(k)})
	}
	sev := countBySeverity(res.Findings)
	for _, s := range severities {
		v.Severities = append(v.Severities, htmlCount{Name: string(s), Class: string(s), Count: sev[s]})
	}
	for _, f := range res.Findings {
		hf := htmlFinding{
			Kind: string(f.Kind), KindClass: strings.ToLower(string(f.Kind)),
			Severity: string(f.Severity), Name: resourceName(f), Address: f.Address,
			Provider: f.Provider, Origin: f.Origin,
			Location: strings.Trim(f.Account+" "+f.Region, " "),
		}
		for _, d := range f.Diffs {
			sign := diffSign(d)
			hd := htmlDiff{Sign: sign, Path: string(d.Path), HasExp: d.Expected != nil, HasAct: d.Actual != nil}
			hd.SignClass = map[string]string{"+": "add", "-": "del", "~": "chg"}[sign]
			if hd.HasExp {
				hd.Expected = prettyJSON(d.Expected)
			}
			if hd.HasAct {
				hd.Actual = prettyJSON(d.Actual)
			}
			hf.Diffs = append(hf.Diffs, hd)
		}
		v.Findings = append(v.Findings, hf)
	}
	return htmlTemplate.Execute(w, v)
}

// prettyJSON renders a value indented for a side-by-side view.
func prettyJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // html/template escapes on output
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return compactJSON(v)
	}
	return truncate(strings.TrimSuffix(buf.String(), "\n"), maxHTMLValue)
}
