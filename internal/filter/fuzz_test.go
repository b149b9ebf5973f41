package filter

import (
	"testing"
)

// FuzzCompile checks Compile never panics on any input and Match on a
// sample resource never panics for any expression that compiles.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"type=='aws_s3_bucket' && tags.env=='prod'",
		"Type=='aws_s3_bucket' && Id!='my-bucket'",
		"Attr.Tags.Terraform=='true'",
		"attrs.versioning[0].enabled",
		"length(keys(@)) > `3`",
		"abs(type)", "sort_by(attrs.versioning, &enabled)", "[::-1]", "attrs.*[?@]",
		"tags.[", "`{\"a\": 1}`.a", "max_by(@, &x)", "contains(@, `1`)", "to_number(id)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := Compile(expr)
		if err != nil {
			return
		}
		flt.Match(bucket())
	})
}
