package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

var update = flag.Bool("update", false, "rewrite golden files")

// run executes the CLI in-process and returns exit code, stdout, stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func example(name string) string { return filepath.Join("..", "..", "examples", name) }

func exampleScan(extra ...string) []string {
	return append([]string{"scan", "--state", example("terraform.tfstate"), "--live", example("live.json"),
		"--driftignore", example(".driftignore")}, extra...)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/cli -update to create %s", path)
	assert.Equal(t, string(want), string(got))
}

func decodeResult(t *testing.T, s string) drift.Result {
	t.Helper()
	var r drift.Result
	require.NoError(t, json.Unmarshal([]byte(s), &r), s)
	return r
}

func TestScanExample(t *testing.T) {
	code, out, stderr := run(t, "", exampleScan()...)
	assert.Equal(t, ExitDrift, code, stderr)
	assert.Empty(t, stderr, "no progress or noise when stderr is not a terminal")
	for _, want := range []string{
		"MISSING (1)", "aws_sqs_queue.jobs",
		"CRITICAL", "ingress[1].cidr_blocks", `["10.0.0.0/16"] => ["0.0.0.0/0","10.0.0.0/16"]`,
		"block_public_policy: true => false", `instance_type: "t3.small" => "t3.xlarge"`,
		"UNMANAGED (2)", "aws_iam_user.ci-deployer-temp", "aws_s3_bucket.shop-debug-dumps",
		"coverage 81.82%",
	} {
		assert.Contains(t, out, want)
	}
	// The ignore file hides the break-glass user and the LastScanned tag.
	assert.NotContains(t, out, "break-glass-admin")
	assert.NotContains(t, out, "LastScanned")
	// Normalizers: protocol "6", tags_all, URL-encoded policy, provider default description.
	assert.NotContains(t, out, "aws_iam_role.shop-app")
	assert.NotContains(t, out, "aws_vpc.")
	assert.NotContains(t, out, "correct-horse")
	assert.NotContains(t, out, "\x1b[", "no colour when stdout is not a terminal")

	code, out, _ = run(t, "", exampleScan("--output", "json")...)
	assert.Equal(t, ExitDrift, code)
	res := decodeResult(t, out)
	assert.Equal(t, drift.Summary{Total: 12, Managed: 9, Unmanaged: 2, Missing: 1, Modified: 3, Coverage: 81.82}, res.Summary)
	golden(t, "example.json", []byte(out))
}

func TestScanEveryFormatToFiles(t *testing.T) {
	dir := t.TempDir()
	args := exampleScan()
	for _, f := range []string{"json", "sarif", "junit", "html", "markdown", "plan", "table"} {
		args = append(args, "--output", f+"="+filepath.Join(dir, "out."+f))
	}
	// driftctl's FORMAT://PATH form too.
	args = append(args, "--output", "json://"+filepath.Join(dir, "ctl.json"))
	code, out, stderr := run(t, "", args...)
	require.Equal(t, ExitDrift, code, stderr)
	assert.Empty(t, out, "every output went to a file")
	for _, f := range []string{"json", "sarif", "junit", "html", "markdown", "plan", "table"} {
		data, err := os.ReadFile(filepath.Join(dir, "out."+f))
		require.NoError(t, err)
		assert.Contains(t, string(data), "ci-deployer-temp", f)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "out.json"))
	b, _ := os.ReadFile(filepath.Join(dir, "ctl.json"))
	assert.Equal(t, a, b)
}

func TestScanInSync(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.json")
	code, out, stderr := run(t, "", "state", "list", "--output", "json", example("terraform.tfstate"))
	require.Equal(t, 0, code, stderr)
	require.NoError(t, os.WriteFile(live, []byte(out), 0o644))
	// The state's own resources as the live inventory: nothing drifted.
	// The RDS password is redacted in the inventory and never compared
	// (no API returns it).
	code, out, stderr = run(t, "", "scan", "--state", example("terraform.tfstate"), "--live", live)
	require.Equal(t, ExitInSync, code, out+stderr)
	assert.Contains(t, out, "No drift")
	assert.NotContains(t, out, "correct-horse")
}

func TestScanManyStatesReportOnce(t *testing.T) {
	code, out, stderr := run(t, "", "scan", "--state", example("terraform.tfstate"), "--state", example("terraform.tfstate"),
		"--live", example("live.json"), "--driftignore", example(".driftignore"), "-o", "json")
	require.Equal(t, ExitDrift, code, stderr)
	assert.Equal(t, 12, decodeResult(t, out).Summary.Total)
}

func TestScanFilter(t *testing.T) {
	code, out, stderr := run(t, "", exampleScan("--filter", "type=='aws_s3_bucket'", "-o", "json")...)
	require.Equal(t, ExitDrift, code, stderr)
	res := decodeResult(t, out)
	require.Len(t, res.Findings, 1)
	assert.Equal(t, "shop-debug-dumps", res.Findings[0].ID)
	// driftctl's capitalised form.
	code, out, _ = run(t, "", exampleScan("--filter", "Type=='aws_sqs_queue'", "-o", "json")...)
	require.Equal(t, ExitDrift, code)
	assert.Equal(t, drift.Missing, decodeResult(t, out).Findings[0].Kind)
}

func TestScanConfigYAML(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "driftmgr.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("ignore:\n  resources: [\"aws_iam_user.*\", \"aws_s3_bucket.*\"]\n  kinds: [UNMANAGED]\n"), 0o644))
	code, out, stderr := run(t, "", exampleScan("--config", cfg, "-o", "json")...)
	require.Equal(t, ExitDrift, code, stderr)
	for _, f := range decodeResult(t, out).Findings {
		assert.NotEqual(t, drift.Unmanaged, f.Kind)
	}
}

func TestGenDriftignoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	resultPath := filepath.Join(dir, "result.json")
	code, _, _ := run(t, "", exampleScan("-o", "json="+resultPath)...)
	require.Equal(t, ExitDrift, code)

	ignorePath := filepath.Join(dir, ".driftignore")
	code, out, stderr := run(t, "", "gen-driftignore", "-i", resultPath, "-o", ignorePath)
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, out)
	gen, err := os.ReadFile(ignorePath)
	require.NoError(t, err)
	assert.Contains(t, string(gen), "aws_iam_user.ci-deployer-temp")
	assert.Contains(t, string(gen), "aws_instance.i-0a1b2c3d4e5f60001.instance_type")

	// Appended to the example's rules, it silences every finding.
	orig, _ := os.ReadFile(example(".driftignore"))
	require.NoError(t, os.WriteFile(ignorePath, append(orig, gen...), 0o644))
	code, out, stderr = run(t, "", "scan", "--state", example("terraform.tfstate"), "--live", example("live.json"),
		"--driftignore", ignorePath)
	assert.Equal(t, ExitInSync, code, out+stderr)

	// From stdin, with exclusions.
	data, _ := os.ReadFile(resultPath)
	code, out, _ = run(t, string(data), "gen-driftignore", "--exclude-unmanaged", "--exclude-changed")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, "ci-deployer-temp")
	assert.NotContains(t, out, "instance_type")
	assert.Contains(t, out, "aws_sqs_queue")
}

func TestStateList(t *testing.T) {
	code, out, stderr := run(t, "", "state", "list", example("terraform.tfstate"))
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "module.network.aws_security_group.web")
	assert.Contains(t, out, "aws_instance.web[1]")
	assert.NotContains(t, out, "data.aws_ami", "data sources are skipped")
	assert.Contains(t, out, "10 resources in 1 states")

	code, out, _ = run(t, "", "state", "list", "--output", "json", example("terraform.tfstate"))
	require.Equal(t, 0, code)
	assert.NotContains(t, out, "correct-horse-battery-staple", "sensitive values are redacted")
	rs, err := resource.DecodeInventory("out", strings.NewReader(out), resource.InventoryLimits{})
	require.NoError(t, err)
	require.Len(t, rs, 10)
	var raw []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	for _, k := range []string{"provider", "type", "id", "address", "attributes"} {
		assert.Contains(t, raw[0], k)
	}
	golden(t, "state-list.json", []byte(out))
}

func TestBackendDiscovery(t *testing.T) {
	dir := t.TempDir()
	state, err := os.ReadFile(example("terraform.tfstate"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prod.tfstate"), state, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"),
		[]byte("terraform {\n  backend \"local\" {\n    path = \"prod.tfstate\"\n  }\n}\n"), 0o644))
	code, out, stderr := run(t, "", "state", "list", "--dir", dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "10 resources in 1 states")

	code, _, stderr = run(t, "", "state", "list", "--dir", t.TempDir())
	assert.Equal(t, ExitError, code)
	assert.Contains(t, stderr, "no terraform or terragrunt configuration")
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	deep := `{"version":4,"resources":[{"mode":"managed","type":"aws_vpc","name":"a","provider":"provider.aws","instances":[{"attributes":{"id":"x","a":` +
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}}]}]}`
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"truncated state", []string{"scan", "--live", example("live.json"), "--state", write("trunc.tfstate", `{"version":4,"resources":[{"mode":`)}, "trunc.tfstate"},
		{"not json", []string{"scan", "--live", example("live.json"), "--state", write("text.tfstate", "hello world")}, "text.tfstate"},
		{"wrong version", []string{"scan", "--live", example("live.json"), "--state", write("v9.tfstate", `{"version":9}`)}, "v9.tfstate"},
		{"deep nesting", []string{"scan", "--live", example("live.json"), "--state", write("deep.tfstate", deep)}, "deep.tfstate"},
		{"huge document", []string{"scan", "--live", example("live.json"), "--max-state-bytes", "1024", "--state", example("terraform.tfstate")}, "terraform.tfstate"},
		{"missing state", []string{"scan", "--live", example("live.json"), "--state", filepath.Join(dir, "nope.tfstate")}, "nope.tfstate"},
		{"bad live", []string{"scan", "--state", example("terraform.tfstate"), "--live", write("live.txt", "{}")}, "live.txt"},
		{"no live", []string{"scan", "--state", example("terraform.tfstate")}, "--live"},
		{"bad filter", []string{"scan", "--state", example("terraform.tfstate"), "--live", example("live.json"), "--filter", "type=="}, "type=="},
		{"bad driftignore", []string{"scan", "--state", example("terraform.tfstate"), "--live", example("live.json"), "--driftignore", write("bad.ignore", "aws_instance\n")}, "bad.ignore:1"},
		{"bad format", []string{"scan", "--state", example("terraform.tfstate"), "--live", example("live.json"), "-o", "xml"}, `"xml"`},
		{"two stdout outputs", []string{"scan", "--state", example("terraform.tfstate"), "--live", example("live.json"), "-o", "json", "-o", "table"}, "stdout"},
		{"bad header", []string{"scan", "--state", example("terraform.tfstate"), "--live", example("live.json"), "--header", "nocolon"}, "nocolon"},
		{"negative max bytes", []string{"scan", "--state", example("terraform.tfstate"), "--live", example("live.json"), "--max-state-bytes", "-1"}, "--max-state-bytes"},
		{"bad scheme", []string{"scan", "--live", example("live.json"), "--state", "ftp://x/y"}, "ftp"},
		{"unknown flag", []string{"scan", "--bogus"}, "--bogus"},
		{"bad gen input", []string{"gen-driftignore", "-i", write("r.json", "nope")}, "r.json"},
		{"bad state list format", []string{"state", "list", "-o", "yaml", example("terraform.tfstate")}, "yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, "", tc.args...)
			assert.Equal(t, ExitError, code)
			assert.Contains(t, stderr, "Error: ")
			assert.Contains(t, stderr, tc.want)
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "", "--version")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, Version)
}
