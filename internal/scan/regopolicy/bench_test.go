package regopolicy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// benchTypes are the resource types of the benchmark inventory, in the
// proportions of a mid-size estate.
var benchTypes = []string{"aws_instance", "aws_instance", "aws_ebs_volume", "aws_ebs_volume", "aws_security_group",
	"aws_s3_bucket", "aws_iam_role", "aws_db_instance", "aws_lambda_function", "azurerm_storage_account"}

func benchResources(n int) []resource.Resource {
	out := make([]resource.Resource, n)
	for i := range out {
		typ := benchTypes[i%len(benchTypes)]
		attrs := map[string]any{"name": fmt.Sprintf("r-%d", i), "instance_type": "t3.micro", "encrypted": i%3 != 0,
			"ingress": []any{map[string]any{"from_port": 443.0, "to_port": 443.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}, "description": "https"},
				map[string]any{"from_port": 22.0, "to_port": 22.0, "protocol": "tcp", "cidr_blocks": []any{"10.0.0.0/8"}}},
			"metadata_options": []any{map[string]any{"http_tokens": "optional"}}, "publicly_accessible": false, "storage_encrypted": true,
			"environment":     []any{map[string]any{"variables": map[string]any{"MODE": "prod", "LOG": "info"}}},
			"min_tls_version": "TLS1_2", "versioning": []any{map[string]any{"enabled": i%2 == 0}}}
		tags := map[string]string{"Environment": "prod"}
		if i%4 != 0 {
			tags["Owner"] = "team"
		}
		out[i] = resource.Resource{Provider: resource.ProviderFromType(typ), Type: typ, ID: fmt.Sprintf("%s-%d", typ, i),
			Account: "123456789012", Region: "eu-west-1", Attrs: attrs, Tags: tags}
	}
	return out
}

// benchPolicies are 20 policies: 18 typed (each judging one or two
// types, with iteration over nested blocks) and 2 untyped (every resource).
func benchPolicies(typed bool) map[string]string {
	src := map[string]string{}
	bodies := []struct{ types, rule string }{
		{"aws_instance", `deny contains "IMDSv1" if input.resource.attributes.metadata_options[0].http_tokens != "required"`},
		{"aws_instance", `deny contains sprintf("family %s", [f]) if { f := split(input.resource.attributes.instance_type, ".")[0]; not f in {"t3", "m6i"} }`},
		{"aws_instance", `deny contains "no owner" if not input.resource.tags.Owner`},
		{"aws_ebs_volume", `deny contains {"msg": "unencrypted", "path": "encrypted"} if input.resource.attributes.encrypted == false`},
		{"aws_ebs_volume", `deny contains "no owner" if not input.resource.tags.Owner`},
		{"aws_security_group", `deny contains sprintf("ingress %d world", [i]) if { some i, r in input.resource.attributes.ingress; "0.0.0.0/0" in r.cidr_blocks; r.from_port <= 22; r.to_port >= 22 }`},
		{"aws_security_group", `deny contains sprintf("ingress %d undescribed", [i]) if { some i, r in input.resource.attributes.ingress; object.get(r, "description", "") == "" }`},
		{"aws_security_group", `deny contains "all ports" if { some r in input.resource.attributes.ingress; r.protocol == "-1" }`},
		{"aws_s3_bucket", `deny contains "unversioned" if not input.resource.attributes.versioning[0].enabled`},
		{"aws_s3_bucket", `deny contains "no owner" if not input.resource.tags.Owner`},
		{"aws_iam_role", `deny contains "long name" if count(input.resource.attributes.name) > 64`},
		{"aws_iam_role", `deny contains "no env" if not input.resource.tags.Environment`},
		{"aws_db_instance", `deny contains "public" if input.resource.attributes.publicly_accessible == true`},
		{"aws_db_instance", `deny contains "unencrypted" if input.resource.attributes.storage_encrypted == false`},
		{"aws_lambda_function", `deny contains sprintf("secret-like %s", [k]) if { some k, _ in input.resource.attributes.environment[0].variables; regex.match("(?i)(secret|password|token)", k) }`},
		{"aws_lambda_function", `deny contains "no owner" if not input.resource.tags.Owner`},
		{"azurerm_storage_account", `deny contains "old tls" if input.resource.attributes.min_tls_version != "TLS1_2"`},
		{"azurerm_storage_account,aws_s3_bucket", `deny contains "no env" if not input.resource.tags.Environment`},
		{"", `deny contains "bad region" if not input.resource.region in {"eu-west-1", "eu-central-1", ""}`},
		{"", `deny contains "test name" if startswith(input.resource.attributes.name, "test-")`},
	}
	for i, b := range bodies {
		types := ""
		if b.types != "" && typed {
			types = fmt.Sprintf(", \"resource_types\": [%s]", quoteList(splitComma(b.types)))
		}
		rule := b.rule
		if b.types != "" && !typed {
			// Untyped variant: the policy itself tests the type, as a
			// policy without resource_types must.
			rule = fmt.Sprintf("deny contains m if { input.resource.type in %s; some m in deny_%d }\n", setOf(splitComma(b.types)), i) +
				replaceFirst(rule, "deny contains", fmt.Sprintf("deny_%d contains", i))
		}
		src[fmt.Sprintf("p%02d.rego", i)] = fmt.Sprintf("package bench.p%02d\n\nmetadata := {\"id\": \"BENCH-%02d\", \"title\": \"bench %d\", \"severity\": \"low\"%s}\n\n%s\n", i, i, i, types, rule)
	}
	return src
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func quoteList(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", s)
	}
	return out
}

func setOf(ss []string) string { return "{" + quoteList(ss) + "}" }

func replaceFirst(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	return s
}

func benchPoliciesRun(b *testing.B, typed bool) {
	ctx := context.Background()
	set, err := Load(ctx, benchPolicies(typed))
	if err != nil {
		b.Fatal(err)
	}
	if len(set.Policies) != 20 {
		b.Fatalf("%d policies", len(set.Policies))
	}
	rs := benchResources(100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := set.Evaluate(ctx, rs, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res) == 0 {
			b.Fatal("no results")
		}
		b.ReportMetric(float64(len(res)), "results")
	}
}

// BenchmarkPolicies100k evaluates 100,000 resources against 20 Rego
// policies that declare their resource types (the index skips the
// policies a resource's type does not match). Issue 7's target: under
// 20 s on 2 cores.
func BenchmarkPolicies100k(b *testing.B) { benchPoliciesRun(b, true) }

// BenchmarkPolicies100kUntyped is the same 20 policies without declared
// types: every policy evaluates every resource (2,000,000 evaluations)
// and tests the type itself. It shows what the type index saves.
func BenchmarkPolicies100kUntyped(b *testing.B) { benchPoliciesRun(b, false) }

// TestWriteBenchFixtures writes the benchmark's 20 policies and 100,000
// resources (a live inventory file) to $DRIFTMGR_BENCH_DIR, to time the
// whole `driftmgr security scan --live ... --policy ...` process.
func TestWriteBenchFixtures(t *testing.T) {
	dir := os.Getenv("DRIFTMGR_BENCH_DIR")
	if dir == "" {
		t.Skip("DRIFTMGR_BENCH_DIR not set")
	}
	pol := filepath.Join(dir, "policies")
	if err := os.MkdirAll(pol, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range benchPolicies(true) {
		if err := os.WriteFile(filepath.Join(pol, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := json.Marshal(benchResources(100_000))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "live.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
