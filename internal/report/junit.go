package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/driftmgr/driftmgr/internal/drift"
)

// JUnit XML in the shape Jenkins, GitLab and the GitHub Actions reporters
// read: <testsuites> holding one <testsuite> per kind of drift, always all
// three in the fixed order MISSING, MODIFIED, UNMANAGED. Each finding is a
// failed <testcase> (classname = resource type, name = type.id); a kind
// without findings holds one passing testcase, so an in-sync scan shows
// three green tests and a partly clean one says which checks passed.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties *junitProps     `xml:"properties,omitempty"`
	Cases      []junitTestCase `xml:"testcase"`
}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// maxJUnitValue bounds a value in failure text; CI pages render it whole.
const maxJUnitValue = 500

func writeJUnit(w io.Writer, res *drift.Result, opts Options) error {
	out := junitSuites{Name: "driftmgr", Time: "0"}
	props := junitProperties(res, opts)
	groups := groupByKind(res.Findings)
	for _, k := range kinds {
		fs := groups[k]
		suite := junitSuite{Name: "drift." + string(k), Time: "0", Properties: props}
		if !opts.GeneratedAt.IsZero() {
			suite.Timestamp = opts.GeneratedAt.UTC().Format("2006-01-02T15:04:05")
		}
		for _, f := range fs {
			suite.Cases = append(suite.Cases, junitCase(f))
		}
		if len(fs) == 0 {
			suite.Cases = []junitTestCase{{
				Classname: "drift." + string(k),
				Name:      "no " + strings.ToLower(string(k)) + " resources",
				Time:      "0",
			}}
		}
		suite.Tests = len(suite.Cases)
		suite.Failures = len(fs)
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitProperties(res *drift.Result, opts Options) *junitProps {
	s := res.Summary
	p := &junitProps{}
	if opts.ToolVersion != "" {
		p.Props = append(p.Props, junitProp{Name: "driftmgr.version", Value: opts.ToolVersion})
	}
	for _, src := range opts.Sources {
		p.Props = append(p.Props, junitProp{Name: "state.source", Value: src})
	}
	p.Props = append(p.Props,
		junitProp{Name: "summary.total", Value: fmt.Sprint(s.Total)},
		junitProp{Name: "summary.managed", Value: fmt.Sprint(s.Managed)},
		junitProp{Name: "summary.coverage", Value: formatCoverage(s.Coverage)},
	)
	return p
}

func junitCase(f drift.Finding) junitTestCase {
	name := resourceName(f)
	msg := fmt.Sprintf("%s %s: %s (%s)", f.Severity, string(f.Kind), name, kindMeaning(f.Kind))
	if f.Kind == drift.Modified {
		msg = fmt.Sprintf("%s %s: %s has %d attribute(s) changed outside Terraform", f.Severity, string(f.Kind), name, len(f.Diffs))
	}
	// Each piece is made printable on its own, so a newline inside an id
	// cannot fake a line of the failure text.
	lines := []string{"resource: " + printable(name), "severity: " + printable(string(f.Severity)), "provider: " + printable(f.Provider)}
	for _, kv := range [][2]string{{"address", f.Address}, {"account", f.Account}, {"region", f.Region}, {"origin", f.Origin}} {
		if kv[1] != "" {
			lines = append(lines, kv[0]+": "+printable(kv[1]))
		}
	}
	if len(f.Diffs) > 0 {
		lines = append(lines, "diffs (state => cloud):")
		for _, d := range f.Diffs {
			lines = append(lines, "  "+printable(plainDiff(d, maxJUnitValue)))
		}
	}
	id, _, _, _, _ := ruleFor(f.Kind)
	return junitTestCase{
		Classname: f.Type,
		Name:      printable(name),
		Time:      "0",
		Failure: &junitFailure{
			Message: printable(msg),
			Type:    id,
			Text:    strings.Join(lines, "\n"),
		},
	}
}
