package scan

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	} `json:"driver"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	Help             sarifText      `json:"help"`
	DefaultConfig    map[string]any `json:"defaultConfiguration"`
	Properties       map[string]any `json:"properties"`
}

type sarifResult struct {
	RuleID      string            `json:"ruleId"`
	RuleIndex   int               `json:"ruleIndex"`
	Level       string            `json:"level"`
	Kind        string            `json:"kind"`
	Message     sarifText         `json:"message"`
	Locations   []sarifLocation   `json:"locations"`
	Suppression []sarifSuppress   `json:"suppressions,omitempty"`
	Fingerprint map[string]string `json:"partialFingerprints"`
	Properties  map[string]any    `json:"properties"`
}

type sarifSuppress struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

type sarifLocation struct {
	Physical *sarifPhysical `json:"physicalLocation,omitempty"`
	Logical  []sarifLogical `json:"logicalLocations"`
}

type sarifPhysical struct {
	Artifact struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region *struct {
		StartLine int `json:"startLine"`
	} `json:"region,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func sarifLevel(s Severity) string {
	switch s {
	case Critical, High:
		return "error"
	case Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub code scanning's 0-10 score.
var securitySeverity = map[Severity]string{Critical: "9.5", High: "8.0", Medium: "5.5", Low: "3.0", Info: "0.0"}

func writeSARIF(w io.Writer, rep *Report, opts WriteOptions) error {
	var run sarifRun
	run.Tool.Driver.Name = "driftmgr-security"
	run.Tool.Driver.Version = opts.ToolVersion
	run.Tool.Driver.InformationURI = "https://github.com/driftmgr/driftmgr"
	checks := append([]*Check(nil), rep.Checks...)
	sort.Slice(checks, func(i, j int) bool { return checks[i].ID < checks[j].ID })
	index := map[string]int{}
	for _, c := range checks {
		if _, dup := index[c.ID]; dup {
			continue
		}
		index[c.ID] = len(run.Tool.Driver.Rules)
		props := map[string]any{"security-severity": securitySeverity[c.Severity], "tags": []string{"security", c.Provider}}
		if len(c.Refs.CIS) > 0 {
			props["cis"] = c.Refs.CIS
		}
		for k, v := range map[string][]string{"checkov": c.Refs.Checkov, "prowler": c.Refs.Prowler, "security_hub": c.Refs.SecurityHub} {
			if len(v) > 0 {
				props[k] = v
			}
		}
		help := c.Remediation
		if c.Terraform != "" {
			help += "\n\nTerraform:\n" + c.Terraform
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: c.ID, Name: ruleName(c.Title),
			ShortDescription: sarifText{c.Title}, FullDescription: sarifText{c.Rationale}, Help: sarifText{help},
			DefaultConfig: map[string]any{"level": sarifLevel(c.Severity)}, Properties: props})
	}
	run.Results = []sarifResult{}
	for _, r := range rep.Results {
		if r.Status == Pass {
			continue
		}
		msg := r.Message
		var evs []string
		for _, e := range r.Evidence {
			evs = append(evs, evidenceLine(e))
		}
		if len(evs) > 0 {
			msg += " [" + strings.Join(evs, "; ") + "]"
		}
		fq := r.Resource()
		if r.Address != "" {
			fq = r.Address
		}
		loc := sarifLocation{Logical: []sarifLogical{{Name: r.Resource(), FullyQualifiedName: fq, Kind: "resource"}}}
		file := r.StateOrigin
		if r.Source == "state" {
			file = r.Origin
		}
		line := 0
		if r.Location != nil {
			line = r.Location.Line
		}
		if r.Source == SourceConfig {
			file, line = splitOrigin(r.Origin)
		}
		if file != "" {
			loc.Physical = &sarifPhysical{}
			loc.Physical.Artifact.URI = file
			if line > 0 {
				loc.Physical.Region = &struct {
					StartLine int `json:"startLine"`
				}{line}
			}
		}
		res := sarifResult{RuleID: r.CheckID, RuleIndex: index[r.CheckID], Level: sarifLevel(r.Severity), Kind: "fail",
			Message: sarifText{msg}, Locations: []sarifLocation{loc},
			Fingerprint: map[string]string{"driftmgr/v1": r.key()},
			Properties:  map[string]any{"severity": r.Severity, "status": r.Status, "provider": r.Provider, "account": r.Account, "region": r.Region}}
		if r.Mute != nil {
			res.Suppression = []sarifSuppress{{Kind: "external", Justification: fmt.Sprintf("%s (owner %s, expires %s)", r.Mute.Reason, r.Mute.Owner, orDash(r.Mute.Expires))}}
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

func ruleName(title string) string {
	var b strings.Builder
	up := true
	for _, c := range title {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			if up && c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			b.WriteRune(c)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitFailure `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes a suite per check, a case per resource.
func writeJUnit(w io.Writer, rep *Report) error {
	suites := map[string]*junitSuite{}
	var order []string
	root := junitSuites{Name: "driftmgr security scan"}
	for _, r := range rep.Results {
		s := suites[r.CheckID]
		if s == nil {
			s = &junitSuite{Name: r.CheckID + " " + r.Title}
			suites[r.CheckID] = s
			order = append(order, r.CheckID)
		}
		name := r.Resource()
		if r.Location != nil {
			name += " " + string(r.Location.Path)
			if r.Location.Line > 0 {
				name += fmt.Sprintf(":%d", r.Location.Line)
			}
		}
		c := junitCase{Name: name, Classname: r.Provider + "." + r.Type}
		var evs []string
		for _, e := range r.Evidence {
			evs = append(evs, evidenceLine(e))
		}
		switch r.Status {
		case Fail:
			c.Failure = &junitFailure{Message: r.Message, Type: string(r.Severity), Text: strings.Join(evs, "\n")}
			s.Failures++
			root.Failures++
		case Muted:
			c.Skipped = &junitFailure{Message: "muted: " + r.Mute.Reason}
			s.Skipped++
			root.Skipped++
		}
		s.Tests++
		root.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, id := range order {
		root.Suites = append(root.Suites, *suites[id])
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
