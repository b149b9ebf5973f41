package filter

import (
	"fmt"
	"testing"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func benchResources(n int) []resource.Resource {
	types := []string{"aws_s3_bucket", "aws_instance", "aws_iam_user", "aws_vpc"}
	out := make([]resource.Resource, n)
	for i := range out {
		out[i] = resource.Resource{
			Provider: "aws", Type: types[i%len(types)], ID: fmt.Sprintf("r-%d", i), Region: "eu-west-1",
			Attrs: map[string]any{"name": fmt.Sprintf("r-%d", i), "tags": map[string]any{"env": "prod"}, "size": float64(i)},
			Tags:  map[string]string{"env": []string{"prod", "dev"}[i%2], "Terraform": "true"},
		}
	}
	return out
}

// BenchmarkMatch runs one filter over 200k resources per op; ns/op divided
// by 200k is the cost per resource.
func BenchmarkMatch(b *testing.B) {
	all := benchResources(200_000)
	for _, expr := range []string{
		"type=='aws_s3_bucket' && tags.env=='prod'",
		"Type=='aws_s3_bucket' && Attr.Tags.Terraform=='true'",
	} {
		f, err := Compile(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range all {
					f.Match(&all[i])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/200_000, "ns/resource")
		})
	}
}
