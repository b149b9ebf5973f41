package ignore

import (
	"fmt"
	"strings"
	"testing"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// benchRules is 50 rules of the shapes real files hold: literal resources,
// type wildcards, id globs, type globs, negations and attribute rules.
func benchRules(tb testing.TB) *Rules {
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, "aws_iam_user.user-%d\n", i)
	}
	for i := range 10 {
		fmt.Fprintf(&b, "aws_type_%d.*\n", i)
	}
	for i := range 8 {
		fmt.Fprintf(&b, "aws_s3_bucket.logs-%d-*\n", i)
	}
	b.WriteString("aws_iam_*.ci-*\n*role.*Amazon*\n!aws_iam_user.user-3\n!aws_type_2.keep\n")
	for i := range 8 {
		fmt.Fprintf(&b, "aws_instance.*.tags.Scan%d\n", i)
	}
	rs := mustParse(tb, b.String())
	if rs.Len() != 50 {
		tb.Fatalf("want 50 rules, got %d", rs.Len())
	}
	return rs
}

func benchResources(n int) []resource.Resource {
	types := []string{"aws_iam_user", "aws_s3_bucket", "aws_instance", "aws_iam_role", "aws_type_3", "aws_vpc", "aws_subnet"}
	out := make([]resource.Resource, n)
	for i := range out {
		out[i] = resource.Resource{Type: types[i%len(types)], ID: fmt.Sprintf("logs-%d-%d", i%13, i)}
	}
	return out
}

// BenchmarkIgnoreResource measures one pass over 200k resources with 50
// rules, the size named in the issue; it must stay well under 100 ms.
func BenchmarkIgnoreResource(b *testing.B) {
	rs := benchRules(b)
	all := benchResources(200_000)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for i := range all {
			if rs.IgnoreResource(&all[i]) {
				n++
			}
		}
		_ = n
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/200k")
}

func BenchmarkIgnoreAttr(b *testing.B) {
	rs := benchRules(b)
	r := &resource.Resource{Type: "aws_instance", ID: "i-1"}
	for b.Loop() {
		rs.IgnoreAttr(r, "tags.Scan7")
		rs.IgnoreAttr(r, "ingress[3].cidr_blocks[0]")
	}
}
