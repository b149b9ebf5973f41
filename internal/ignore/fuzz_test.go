package ignore

import (
	"bytes"
	"strings"
	"testing"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// FuzzParseDriftignore checks the parser never panics and that any rule
// set it accepts matches without panicking, and that Generate's output for
// a fuzzed id parses back and ignores it.
func FuzzParseDriftignore(f *testing.F) {
	for _, s := range []string{
		"aws_s3_bucket.my-bucket\naws_instance.*\n*role.*Amazon*\n",
		"*\n!aws_iam_*\n",
		"*2**.**d1*\ntype3.id1***0\n*.id\\\\WithBa*slas*\\\\**\\\\\n",
		"resource_type.id\\.with\\.dots\n# c\n\r\n",
		"aws_security_group.*.ingress[*].cidr_blocks\nt.i.tags[\"a.b\"]\nt.i.a.0.b\n",
		"t.i.a[\"\\q\"]\n", "!\n", "t.i\\", "t.i.a[0",
	} {
		f.Add(s, "aws_s3_bucket", "my.bucket", "ingress[0].cidr_blocks")
	}
	f.Fuzz(func(t *testing.T, text, typ, id, path string) {
		rs, err := ParseDriftignore("fuzz", strings.NewReader(text))
		if err == nil {
			r := &resource.Resource{Type: typ, ID: id}
			rs.IgnoreResource(r)
			rs.IgnoreKind(drift.Unmanaged, r)
			rs.IgnoreAttr(r, resource.Path(path))
		}
		if typ == "" || id == "" {
			return
		}
		var buf bytes.Buffer
		fs := []drift.Finding{
			{Kind: drift.Unmanaged, Type: typ, ID: id},
			{Kind: drift.Modified, Type: "m", ID: id, Diffs: []drift.Diff{{Path: resource.Path(path)}}},
		}
		if err := Generate(&buf, fs, GenerateOptions{}); err != nil {
			return
		}
		gen, err := ParseDriftignore("gen", &buf)
		if err != nil {
			t.Fatalf("generated file does not parse: %v\n%s", err, buf.String())
		}
		r := &resource.Resource{Type: typ, ID: id}
		if !gen.IgnoreResource(r) {
			t.Fatalf("generated rules do not ignore %q.%q:\n%s", typ, id, buf.String())
		}
		m := &resource.Resource{Type: "m", ID: id}
		if !gen.IgnoreAttr(m, resource.Path(path)) {
			t.Fatalf("generated rules do not ignore %q at %q:\n%s", id, path, buf.String())
		}
	})
}
