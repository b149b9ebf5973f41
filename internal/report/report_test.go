package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var longValue = strings.Repeat("arn:aws:iam::123456789012:policy/very-long-policy-name-", 8)

// driftedResult has every kind and severity, nested diffs, values on one
// side only, hostile characters and a very long value.
func driftedResult() *drift.Result {
	return &drift.Result{
		Summary: drift.Summary{Total: 12, Managed: 9, Unmanaged: 2, Missing: 1, Modified: 4, Coverage: 81.82},
		Findings: []drift.Finding{
			{Kind: drift.Missing, Provider: "aws", Type: "aws_iam_role", ID: "deploy", Address: `module.ci["prod"].aws_iam_role.deploy`,
				Account: "123456789012", Severity: drift.High, Origin: "s3://acme-tfstate/prod/ci.tfstate"},
			{Kind: drift.Modified, Provider: "aws", Type: "aws_security_group", ID: "sg-0a1b", Address: "aws_security_group.web",
				Region: "eu-west-1", Severity: drift.Critical, Origin: "s3://acme-tfstate/prod/ci.tfstate",
				Diffs: []drift.Diff{
					{Path: "ingress[2].cidr_blocks", Expected: []any{"10.0.0.0/8"}, Actual: []any{"0.0.0.0/0"}},
					{Path: "ingress[2].from_port", Expected: float64(443), Actual: float64(0)},
					{Path: `tags["kubernetes.io/role"]`, Expected: nil, Actual: "elb"},
				}},
			{Kind: drift.Modified, Provider: "aws", Type: "aws_db_instance", ID: "main|db", Address: "aws_db_instance.main",
				Severity: drift.Medium, Origin: "states/db.tfstate",
				Diffs: []drift.Diff{
					{Path: "password", Expected: resource.Redacted, Actual: resource.Redacted},
					{Path: "parameter_group_name", Expected: "pg`14`|strict", Actual: nil},
					{Path: "policy", Expected: longValue, Actual: map[string]any{"Version": "2012-10-17", "Statement": []any{}}},
				}},
			{Kind: drift.Modified, Provider: "aws", Type: "aws_s3_bucket", ID: "logs-ünïcødé-日本", Address: "aws_s3_bucket.logs",
				Severity: drift.Low, Diffs: []drift.Diff{{Path: "tags.Owner", Expected: "team-a", Actual: "<b>team-b</b> & co"}}},
			{Kind: drift.Modified, Provider: "aws", Type: "aws_instance", ID: "i-0abc", Address: "aws_instance.app[0]",
				Severity: drift.Info, Diffs: []drift.Diff{{Path: "tags_all.LastScanned", Expected: "2024-01-01", Actual: "2024-02-01"}}},
			{Kind: drift.Unmanaged, Provider: "aws", Type: "aws_iam_user", ID: "<script>alert(1)</script>", Severity: drift.High, Origin: "live.json"},
			{Kind: drift.Unmanaged, Provider: "aws", Type: "aws_s3_bucket", ID: "evil\x1b[2Jbucket\nnext", Severity: drift.Low, Origin: "live.json"},
		},
	}
}

func inSyncResult() *drift.Result {
	return &drift.Result{Summary: drift.Summary{Total: 5, Managed: 5, Coverage: 100}}
}

var testOpts = Options{ToolVersion: "1.2.3", Sources: []string{"s3://acme-tfstate/prod/ci.tfstate", "states/db.tfstate"}}

var goldenExt = map[Format]string{Table: "txt", JSON: "json", SARIF: "sarif", JUnit: "xml", HTML: "html", Markdown: "md", Plan: "plan.json"}

func render(t *testing.T, f Format, res *drift.Result, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, f, res, opts))
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	results := map[string]*drift.Result{"drift": driftedResult(), "insync": inSyncResult()}
	for _, f := range Formats() {
		for name, res := range results {
			t.Run(string(f)+"/"+name, func(t *testing.T) {
				got := render(t, f, res, testOpts)
				path := filepath.Join("testdata", name+"."+goldenExt[f])
				if *update {
					require.NoError(t, os.WriteFile(path, got, 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "run go test -update to create golden files")
				assert.Equal(t, string(want), string(got))
				assert.Equal(t, got, render(t, f, res, testOpts), "rendering twice gives the same bytes")
			})
		}
	}
}

func TestTableColor(t *testing.T) {
	plain := string(render(t, Table, driftedResult(), Options{}))
	assert.NotContains(t, plain, "\x1b[", "no ANSI without Color, and a hostile id cannot inject one")
	assert.Contains(t, plain, `evil\x1b[2Jbucket\nnext`)
	assert.Contains(t, plain, "~ ingress[2].cidr_blocks: [\"10.0.0.0/8\"] => [\"0.0.0.0/0\"]")
	assert.Contains(t, plain, `+ tags["kubernetes.io/role"]: "elb"`)
	assert.Contains(t, plain, "- parameter_group_name: \"pg`14`|strict\"")
	assert.Contains(t, plain, "chars)", "long values are truncated with their length")

	colored := string(render(t, Table, driftedResult(), Options{Color: true}))
	assert.Contains(t, colored, ansiBold+ansiRed+"CRITICAL")
	assert.Contains(t, colored, ansiYellow+"MEDIUM")
	assert.Contains(t, colored, ansiGreen+"+"+ansiReset)

	sync := string(render(t, Table, inSyncResult(), Options{Color: true}))
	assert.Contains(t, sync, "No drift detected")
}

func TestJSONRoundTrip(t *testing.T) {
	res := driftedResult()
	var back drift.Result
	require.NoError(t, json.Unmarshal(render(t, JSON, res, testOpts), &back))
	assert.Equal(t, res.Summary, back.Summary)
	require.Len(t, back.Findings, len(res.Findings))
	assert.Equal(t, res.Findings[1].Diffs[0].Path, back.Findings[1].Diffs[0].Path)
	assert.Equal(t, "<script>alert(1)</script>", back.Findings[5].ID)

	out := render(t, JSON, &drift.Result{}, testOpts)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(out, &raw))
	assert.Equal(t, "[]", string(raw["findings"]), "findings is [] not null")
	for _, k := range []string{"total", "managed", "unmanaged", "missing", "modified", "coverage"} {
		assert.Contains(t, string(raw["summary"]), `"`+k+`"`)
	}
}

func TestSARIFStructure(t *testing.T) {
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name, Version, InformationURI string
					Rules                         []struct {
						ID               string
						ShortDescription struct{ Text string }
						Help             struct{ Text string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string }
					}
					LogicalLocations []struct{ Name, FullyQualifiedName, Kind string }
				}
				PartialFingerprints map[string]string
				Properties          map[string]any
			}
		}
	}
	require.NoError(t, json.Unmarshal(render(t, SARIF, driftedResult(), testOpts), &log))
	assert.Contains(t, log.Schema, "sarif-schema-2.1.0")
	assert.Equal(t, "2.1.0", log.Version)
	require.Len(t, log.Runs, 1)
	d := log.Runs[0].Tool.Driver
	assert.Equal(t, "driftmgr", d.Name)
	assert.Equal(t, "1.2.3", d.Version)
	assert.NotEmpty(t, d.InformationURI)
	var ids []string
	for _, r := range d.Rules {
		ids = append(ids, r.ID)
		assert.NotEmpty(t, r.ShortDescription.Text)
		assert.NotEmpty(t, r.Help.Text)
	}
	assert.Equal(t, []string{"DRIFT_MISSING", "DRIFT_MODIFIED", "DRIFT_UNMANAGED"}, ids)

	rs := log.Runs[0].Results
	require.Len(t, rs, 7)
	wantLevels := []string{"error", "error", "warning", "note", "note", "error", "note"}
	for i, r := range rs {
		assert.Equal(t, wantLevels[i], r.Level, "result %d", i)
		assert.Equal(t, d.Rules[r.RuleIndex].ID, r.RuleID)
		assert.NotEmpty(t, r.Message.Text)
		assert.NotEmpty(t, r.Properties["severity"])
		require.Len(t, r.Locations, 1)
		require.Len(t, r.Locations[0].LogicalLocations, 1)
		assert.Equal(t, "resource", r.Locations[0].LogicalLocations[0].Kind)
		assert.Len(t, r.PartialFingerprints["driftmgrFinding/v1"], 32)
	}
	assert.Equal(t, "module.ci[\"prod\"].aws_iam_role.deploy", rs[0].Locations[0].LogicalLocations[0].FullyQualifiedName)
	assert.Equal(t, "s3://acme-tfstate/prod/ci.tfstate", rs[0].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Nil(t, rs[3].Locations[0].PhysicalLocation, "no origin and several sources: no guess")
	assert.Contains(t, rs[1].Message.Text, "aws_security_group.sg-0a1b")
	assert.Contains(t, rs[1].Message.Text, `ingress[2].cidr_blocks: ["10.0.0.0/8"] => ["0.0.0.0/0"]`)

	// One source and no origin: the source is the location; a timestamp
	// appears only when asked for.
	one := Options{Sources: []string{"my states/a.tfstate"}, GeneratedAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	out := string(render(t, SARIF, &drift.Result{Findings: []drift.Finding{{Kind: drift.Modified, Type: "a_b", ID: "x", Severity: drift.Low}}}, one))
	assert.Contains(t, out, `"uri": "my%20states/a.tfstate"`)
	assert.Contains(t, out, `"endTimeUtc": "2025-03-01T12:00:00Z"`)
	assert.NotContains(t, string(render(t, SARIF, inSyncResult(), testOpts)), "endTimeUtc")
}

type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitStructure(t *testing.T) {
	var doc junitDoc
	require.NoError(t, xml.Unmarshal(render(t, JUnit, driftedResult(), testOpts), &doc))
	assert.Equal(t, 7, doc.Tests)
	assert.Equal(t, 7, doc.Failures)
	require.Len(t, doc.Suites, 3)
	assert.Equal(t, []string{"drift.MISSING", "drift.MODIFIED", "drift.UNMANAGED"}, []string{doc.Suites[0].Name, doc.Suites[1].Name, doc.Suites[2].Name})
	sum := 0
	for _, s := range doc.Suites {
		assert.Equal(t, len(s.Cases), s.Tests)
		sum += s.Failures
	}
	assert.Equal(t, doc.Failures, sum)
	sg := doc.Suites[1].Cases[0]
	assert.Equal(t, "aws_security_group", sg.Classname)
	require.NotNil(t, sg.Failure)
	assert.Equal(t, "DRIFT_MODIFIED", sg.Failure.Type)
	assert.Contains(t, sg.Failure.Text, `~ ingress[2].cidr_blocks: ["10.0.0.0/8"] => ["0.0.0.0/0"]`)
	assert.Equal(t, "aws_iam_user.<script>alert(1)</script>", doc.Suites[2].Cases[0].Name)

	doc = junitDoc{}
	require.NoError(t, xml.Unmarshal(render(t, JUnit, inSyncResult(), testOpts), &doc))
	assert.Equal(t, 3, doc.Tests)
	assert.Equal(t, 0, doc.Failures)
	for _, s := range doc.Suites {
		require.Len(t, s.Cases, 1)
		assert.Nil(t, s.Cases[0].Failure)
	}

	stamped := string(render(t, JUnit, inSyncResult(), Options{GeneratedAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}))
	assert.Contains(t, stamped, `timestamp="2025-03-01T12:00:00"`)
}

func TestHTMLEscapes(t *testing.T) {
	out := string(render(t, HTML, driftedResult(), testOpts))
	assert.NotContains(t, out, "<script>alert(1)</script>")
	assert.Contains(t, out, "aws_iam_user.&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.NotContains(t, out, "<b>team-b</b>")
	assert.NotContains(t, out, "http://", "no external fetch")
	assert.NotContains(t, out, "https://", "no external fetch")
	assert.Contains(t, out, "prefers-color-scheme:dark")
	assert.Contains(t, out, `name="viewport"`)
	assert.Contains(t, out, "logs-ünïcødé-日本")
	assert.Equal(t, 1, strings.Count(out, "<script>"), "only the filter script")
	assert.NotContains(t, out, "ZgotmplZ", "no value was rejected by the template")

	sync := string(render(t, HTML, inSyncResult(), Options{GeneratedAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}))
	assert.Contains(t, sync, "No drift detected")
	assert.Contains(t, sync, "2025-03-01 12:00:00 UTC")
	assert.NotContains(t, sync, "<script>", "nothing to filter, no script")
}

func TestMarkdown(t *testing.T) {
	out := string(render(t, Markdown, driftedResult(), testOpts))
	assert.Contains(t, out, "`aws_db_instance.main\\|db`")
	assert.Contains(t, out, "``"+` "pg`+"`14`"+`\|strict" `+"``")
	assert.Contains(t, out, "`aws_iam_user.<script>alert(1)</script>`")
	assert.Contains(t, out, `evil\x1b[2Jbucket\nnext`)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") {
			assert.Equal(t, strings.Count(line, " | ")+1, strings.Count(line, "|")-strings.Count(line, `\|`)-1,
				"every unescaped pipe is a cell border: %s", line)
		}
	}
	sync := string(render(t, Markdown, inSyncResult(), Options{GeneratedAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}))
	assert.Contains(t, sync, "No drift detected")
	assert.Contains(t, sync, "2025-03-01 12:00 UTC")
}

func TestPlan(t *testing.T) {
	type change struct {
		Actions   []string
		Before    any
		After     any
		Importing *struct{ ID string }
	}
	var p struct {
		FormatVersion   string  `json:"format_version"`
		TerraformVer    *string `json:"terraform_version"`
		ResourceChanges []struct {
			Address       string
			ModuleAddress string `json:"module_address"`
			Mode          string
			Type          string
			Name          string
			Index         any
			ProviderName  string `json:"provider_name"`
			Change        change
		} `json:"resource_changes"`
	}
	res := driftedResult()
	require.NoError(t, json.Unmarshal(render(t, Plan, res, testOpts), &p))
	assert.Equal(t, "1.2", p.FormatVersion)
	assert.Nil(t, p.TerraformVer)
	require.Len(t, p.ResourceChanges, 7)

	miss := p.ResourceChanges[0]
	assert.Equal(t, []string{"create"}, miss.Change.Actions)
	assert.Equal(t, `module.ci["prod"].aws_iam_role.deploy`, miss.Address)
	assert.Equal(t, `module.ci["prod"]`, miss.ModuleAddress)
	assert.Equal(t, "deploy", miss.Name)
	assert.Equal(t, "managed", miss.Mode)
	assert.Equal(t, "aws", miss.ProviderName)
	assert.Nil(t, miss.Change.Before)

	sg := p.ResourceChanges[1]
	assert.Equal(t, []string{"update"}, sg.Change.Actions)
	assert.Equal(t, map[string]any{
		"ingress": []any{nil, nil, map[string]any{"cidr_blocks": []any{"0.0.0.0/0"}, "from_port": float64(0)}},
		"tags":    map[string]any{"kubernetes.io/role": "elb"},
	}, sg.Change.Before, "before = live values")
	assert.Equal(t, map[string]any{
		"ingress": []any{nil, nil, map[string]any{"cidr_blocks": []any{"10.0.0.0/8"}, "from_port": float64(443)}},
		"tags":    map[string]any{"kubernetes.io/role": nil},
	}, sg.Change.After, "after = state values")

	app := p.ResourceChanges[4]
	assert.Equal(t, "app", app.Name)
	assert.Equal(t, float64(0), app.Index)

	un := p.ResourceChanges[5]
	assert.Equal(t, []string{"no-op"}, un.Change.Actions)
	require.NotNil(t, un.Change.Importing)
	assert.Equal(t, "<script>alert(1)</script>", un.Change.Importing.ID)
	assert.Equal(t, "aws_iam_user.<script>alert(1)</script>", un.Address)

	assert.Equal(t, driftedResult(), res, "rendering does not modify the result")

	stamped := string(render(t, Plan, inSyncResult(), Options{GeneratedAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}))
	assert.Contains(t, stamped, `"timestamp": "2025-03-01T12:00:00Z"`)
	assert.Contains(t, stamped, `"resource_changes": []`)
}

func TestParsePath(t *testing.T) {
	cases := []struct {
		in   resource.Path
		want []step
		ok   bool
	}{
		{"a", []step{{key: "a"}}, true},
		{"a.b[2].c", []step{{key: "a"}, {key: "b"}, {index: 2, isIdx: true}, {key: "c"}}, true},
		{`tags["k.io/x"]`, []step{{key: "tags"}, {key: "k.io/x"}}, true},
		{`["odd key"].x`, []step{{key: "odd key"}, {key: "x"}}, true},
		{"[0]", nil, false},
		{"a[", nil, false},
		{"a[x]", nil, false},
		{`a["x`, nil, false},
		{`a["x"`, nil, false},
		{".a", nil, false},
		{"a..b", nil, false},
	}
	for _, tc := range cases {
		got, ok := parsePath(tc.in)
		assert.Equal(t, tc.ok, ok, string(tc.in))
		assert.Equal(t, tc.want, got, string(tc.in))
	}
	// An unparseable path stays a flat key.
	obj := partialObject([]drift.Diff{{Path: "a..b", Expected: 1}, {Path: "x", Expected: "s"}, {Path: "x.y", Expected: 2}}, func(d drift.Diff) any { return d.Expected })
	assert.Equal(t, map[string]any{"a..b": 1, "x": map[string]any{"y": 2}}, obj)
}

func TestParseAddress(t *testing.T) {
	cases := []struct {
		in   string
		want tfAddress
		ok   bool
	}{
		{"aws_vpc.main", tfAddress{typ: "aws_vpc", name: "main"}, true},
		{"aws_vpc.main[3]", tfAddress{typ: "aws_vpc", name: "main", index: 3}, true},
		{`module.a.module.b["x.y"].aws_vpc.main["k.z"]`, tfAddress{module: `module.a.module.b["x.y"]`, typ: "aws_vpc", name: "main", index: "k.z"}, true},
		{"data.aws_vpc.main", tfAddress{}, false},
		{"module.a.aws_vpc", tfAddress{}, false},
		{"aws_vpc.main[x]", tfAddress{}, false},
		{`aws_vpc.main["x`, tfAddress{}, false},
		{"aws_vpc", tfAddress{}, false},
		{"", tfAddress{}, false},
		{".main", tfAddress{}, false},
	}
	for _, tc := range cases {
		got, ok := parseAddress(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseFormat(t *testing.T) {
	cases := []struct {
		in   string
		want Format
		err  bool
	}{
		{"table", Table, false}, {"json", JSON, false}, {"sarif", SARIF, false}, {"junit", JUnit, false},
		{"html", HTML, false}, {"markdown", Markdown, false}, {"plan", Plan, false},
		{" JSON ", JSON, false},
		{"xml", "", true}, {"", "", true}, {"md", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if !tc.err {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrUnknownFormat))
			assert.Contains(t, err.Error(), `"`+tc.in+`"`)
			assert.Contains(t, err.Error(), "table, json, sarif, junit, html, markdown, plan")
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	assert.ErrorIs(t, Write(&bytes.Buffer{}, Table, nil, Options{}), ErrNilResult)
	err := Write(&bytes.Buffer{}, Format("yaml"), inSyncResult(), Options{})
	assert.ErrorIs(t, err, ErrUnknownFormat)
	assert.Contains(t, err.Error(), `"yaml"`)
	err = Write(failWriter{}, JSON, inSyncResult(), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "write json report: disk full")
}

func TestHelpers(t *testing.T) {
	assert.Equal(t, "abc", truncate("abc", 10))
	long := strings.Repeat("é", 50)
	got := truncate(long, 20)
	assert.Equal(t, 20, len([]rune(got)))
	assert.True(t, strings.HasSuffix(got, "… (50 chars)"))
	assert.Equal(t, "é… (50 chars)", truncate(long, 3), "keeps at least one rune")
	assert.Equal(t, `a\u202eb\tc`, printable("a\u202eb\tc"))
	assert.Equal(t, "100%", formatCoverage(100))
	assert.Equal(t, "81.82%", formatCoverage(81.82))
	assert.Equal(t, "`a`", mdCode("a"))
	assert.Equal(t, "`` a`b ``", mdCode("a`b"))
	assert.Equal(t, "`  x `", mdCode(" x"))
	assert.Equal(t, "—", mdOptional(""))
	assert.Equal(t, "Kind?", kindTitle("Kind?"))
	assert.Equal(t, "", kindMeaning("Kind?"))
	assert.Equal(t, "~", diffSign(drift.Diff{}))
	assert.Equal(t, `aws_s3_bucket.logs\.example\.com`, driftignoreEntry(drift.Finding{Type: "aws_s3_bucket", ID: "logs.example.com"}))
	assert.NotEmpty(t, compactJSON(func() {}), "an unencodable value falls back to Go syntax")
}
