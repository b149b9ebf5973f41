package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/driftmgr/driftmgr/internal/drift"
)

// SARIF 2.1.0 (OASIS), the subset code-scanning UIs read. Field names follow
// the spec's object names: sarifLog, run, toolComponent,
// reportingDescriptor, result, location, physicalLocation,
// logicalLocation.
const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion = "2.1.0"
	toolInfoURI  = "https://github.com/driftmgr/driftmgr"
	// maxSARIFValue bounds a value quoted in a result message.
	maxSARIFValue = 200
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
	Properties  *sarifRunProps    `json:"properties,omitempty"`
}

type sarifRunProps struct {
	Summary drift.Summary `json:"summary"`
	Sources []string      `json:"sources,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool   `json:"executionSuccessful"`
	EndTimeUTC          string `json:"endTimeUtc,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name"`
	ShortDescription     sarifMessage  `json:"shortDescription"`
	FullDescription      sarifMessage  `json:"fullDescription"`
	Help                 sarifMessage  `json:"help"`
	DefaultConfiguration sarifRuleConf `json:"defaultConfiguration"`
	Properties           sarifTags     `json:"properties"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifTags struct {
	Tags []string `json:"tags"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifResultProps struct {
	Severity drift.Severity `json:"severity"`
	Kind     drift.Kind     `json:"kind"`
	Provider string         `json:"provider"`
	Type     string         `json:"type"`
	ID       string         `json:"id"`
	Account  string         `json:"account,omitempty"`
	Region   string         `json:"region,omitempty"`
	Diffs    []drift.Diff   `json:"diffs,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// ruleFor is the rule each kind of drift reports under. Rule ids are
// stable: code-scanning UIs track alerts by them.
func ruleFor(k drift.Kind) (id, name, short, full, help string) {
	switch k {
	case drift.Missing:
		return "DRIFT_MISSING", "MissingResource",
			"Resource in Terraform state is gone from the cloud",
			"A resource recorded in Terraform state no longer exists in the cloud: it was deleted outside Terraform.",
			"Run `terraform plan` to see Terraform recreate it, or `terraform state rm ADDRESS` if the deletion was intended."
	case drift.Unmanaged:
		return "DRIFT_UNMANAGED", "UnmanagedResource",
			"Cloud resource is in no Terraform state",
			"A resource exists in the cloud but no scanned Terraform state manages it: it was created outside Terraform.",
			"Bring it under Terraform with an `import` block, delete it, or list it in .driftignore if it is managed elsewhere."
	default:
		return "DRIFT_MODIFIED", "ModifiedResource",
			"Resource attributes changed outside Terraform",
			"A resource managed by Terraform has attributes whose live values differ from its Terraform state.",
			"Run `terraform plan` to see Terraform revert the change, or update the configuration to adopt it; ignore an attribute with a .driftignore rule such as TYPE.ID.ATTRIBUTE."
	}
}

// sarifLevel maps severity to SARIF's level: error blocks, warning asks for
// attention, note informs.
func sarifLevel(s drift.Severity) string {
	switch s {
	case drift.Critical, drift.High:
		return "error"
	case drift.Medium:
		return "warning"
	}
	return "note"
}

func writeSARIF(w io.Writer, res *drift.Result, opts Options) error {
	rules := make([]sarifRule, len(kinds))
	ruleIndex := make(map[drift.Kind]int, len(kinds))
	for i, k := range kinds {
		id, name, short, full, help := ruleFor(k)
		level := "warning"
		if k == drift.Missing {
			level = "error"
		}
		rules[i] = sarifRule{
			ID: id, Name: name,
			ShortDescription:     sarifMessage{Text: short},
			FullDescription:      sarifMessage{Text: full},
			Help:                 sarifMessage{Text: strings.ReplaceAll(help, "`", ""), Markdown: help},
			DefaultConfiguration: sarifRuleConf{Level: level},
			Properties:           sarifTags{Tags: []string{"drift", "terraform", strings.ToLower(string(k))}},
		}
		ruleIndex[k] = i
	}

	results := make([]sarifResult, 0, len(res.Findings))
	for _, f := range res.Findings {
		idx, ok := ruleIndex[f.Kind]
		if !ok {
			idx = ruleIndex[drift.Modified]
		}
		results = append(results, sarifResult{
			RuleID:    rules[idx].ID,
			RuleIndex: idx,
			Level:     sarifLevel(f.Severity),
			Message:   sarifMessage{Text: sarifText(f)},
			Locations: []sarifLocation{sarifLoc(f, opts.Sources)},
			PartialFingerprints: map[string]string{
				"driftmgrFinding/v1": fingerprint(f),
			},
			Properties: sarifResultProps{
				Severity: f.Severity, Kind: f.Kind, Provider: f.Provider, Type: f.Type, ID: f.ID,
				Account: f.Account, Region: f.Region, Diffs: f.Diffs,
			},
		})
	}

	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "driftmgr", Version: opts.ToolVersion, InformationURI: toolInfoURI, Rules: rules,
		}},
		Results:    results,
		Properties: &sarifRunProps{Summary: res.Summary, Sources: opts.Sources},
	}
	if !opts.GeneratedAt.IsZero() {
		run.Invocations = []sarifInvocation{{
			ExecutionSuccessful: true,
			EndTimeUTC:          opts.GeneratedAt.UTC().Format(time.RFC3339),
		}}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifText is the one-line message a code-scanning alert shows, naming
// the resource and, for modified ones, every differing attribute.
func sarifText(f drift.Finding) string {
	name := resourceName(f)
	if f.Address != "" {
		name += " (" + f.Address + ")"
	}
	var msg string
	switch f.Kind {
	case drift.Missing:
		msg = name + " is in Terraform state but missing from the cloud."
	case drift.Unmanaged:
		msg = name + " exists in the cloud but is not managed by Terraform."
	default:
		msg = fmt.Sprintf("%s has %d attribute(s) changed outside Terraform", name, len(f.Diffs))
		if len(f.Diffs) > 0 {
			parts := make([]string, len(f.Diffs))
			for i, d := range f.Diffs {
				parts[i] = plainDiff(d, maxSARIFValue)
			}
			msg += ": " + strings.Join(parts, "; ")
		}
		msg += "."
	}
	return printable(msg)
}

// plainDiff renders a diff without colour, values truncated to max runes.
func plainDiff(d drift.Diff, max int) string {
	val := func(v any) string { return truncate(compactJSON(v), max) }
	switch diffSign(d) {
	case "+":
		return "+ " + string(d.Path) + ": " + val(d.Actual)
	case "-":
		return "- " + string(d.Path) + ": " + val(d.Expected)
	}
	return "~ " + string(d.Path) + ": " + val(d.Expected) + " => " + val(d.Actual)
}

// sarifLoc points at the state (or inventory) the finding came from and
// names the Terraform address as a logical location. When the finding has
// no origin and exactly one source was scanned, that source is the origin.
func sarifLoc(f drift.Finding, sources []string) sarifLocation {
	uri := f.Origin
	if uri == "" && len(sources) == 1 {
		uri = sources[0]
	}
	fq := f.Address
	if fq == "" {
		fq = resourceName(f)
	}
	loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: resourceName(f), FullyQualifiedName: fq, Kind: "resource"}}}
	if uri != "" {
		loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: artifactURI(uri)}}
	}
	return loc
}

// artifactURI makes a state source a URI reference: URLs (s3://, https://)
// stay as they are, file paths get forward slashes and percent-escapes.
func artifactURI(src string) string {
	if strings.Contains(src, "://") {
		return src
	}
	return (&url.URL{Path: filepath.ToSlash(src)}).String()
}

// fingerprint identifies a finding across runs (same resource, same kind),
// so code scanning keeps one alert open instead of opening a new one per
// scan.
func fingerprint(f drift.Finding) string {
	h := sha256.Sum256([]byte(strings.Join([]string{string(f.Kind), f.Provider, f.Account, f.Region, f.Type, f.ID}, "\x00")))
	return hex.EncodeToString(h[:16])
}
