package scan

import (
	"time"

	"testing"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func FuzzParseMutelist(f *testing.F) {
	f.Add([]byte(mutelistYAML))
	f.Add([]byte("mutelist: []"))
	f.Add([]byte("mutelist:\n  - check: '*'\n    resource: '*'\n    reason: r\n    owner: o\n    expires: 2026-01-01T00:00:00Z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ml, err := ParseMutelist("fuzz.yaml", data)
		if err != nil {
			return
		}
		rs := []Result{{CheckID: "DM-AWS-EC2-001", Type: "aws_security_group", ID: "sg-1", Status: Fail}}
		ml.Apply(rs, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	})
}

// FuzzPolicy feeds arbitrary policy documents to every policy check: they
// must never panic, and a verdict always carries evidence.
func FuzzPolicy(f *testing.F) {
	for _, s := range []string{polAdmin, polRead, polPassRole, polPV, polS3Star, polPublic, polPublicC, polTLS, trustAny, "%7B%7D", `{"Statement":[1,"x",{"Action":[{}]}]}`} {
		f.Add(s)
	}
	checks := []string{"DM-AWS-IAM-010", "DM-AWS-IAM-011", "DM-AWS-IAM-012", "DM-AWS-IAM-013", "DM-AWS-KMS-002"}
	e := NewEngine(nil)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, typ := range []string{"aws_iam_policy", "aws_iam_role", "aws_kms_key"} {
			r := resource.Resource{Provider: "aws", Type: typ, ID: "x", Attrs: map[string]any{"policy": doc, "assume_role_policy": doc,
				"inline_policy": []any{map[string]any{"policy": doc}}}}
			ix := NewIndex([]resource.Resource{r})
			for _, id := range checks {
				c := e.Check(id)
				if !contains(c.Types, typ) {
					continue
				}
				if o := c.Eval(ix, ix.all[0]); o != nil && len(o.Evidence) == 0 {
					t.Fatalf("%s on %s: verdict without evidence", id, typ)
				}
			}
		}
		findInText("x", doc, true)
		decodeBlob(doc)
	})
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
