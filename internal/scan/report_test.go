package scan

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func sampleInventory() []resource.Resource {
	return []resource.Resource{
		res("aws_security_group", "sg-1", map[string]any{"name": "web", "ingress": []any{ingress(22, 22, "tcp", "0.0.0.0/0")}}),
		res("aws_security_group", "sg-2", map[string]any{"name": "db", "ingress": []any{ingress(5432, 5432, "tcp", "10.0.0.0/8")}}),
		res("aws_ebs_volume", "vol-1", map[string]any{"encrypted": false}),
		res("aws_iam_policy", "p", map[string]any{"policy": polAdmin}),
	}
}

const mutelistYAML = `mutelist:
  - check: DM-AWS-EC2-001
    resource: aws_security_group.sg-*
    reason: public bastion, reviewed
    owner: platform
    expires: 2027-01-01
  - check: DM-AWS-EC2-006
    resource: vol-1
    reason: scratch volume
    owner: data
    expires: 2026-01-01
`

func TestMutelist(t *testing.T) {
	ml, err := ParseMutelist("m.yaml", []byte(mutelistYAML))
	require.NoError(t, err)
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	rep := Run(Input{State: sampleInventory(), Mutelist: ml, Now: now})
	byCheck := map[string]Result{}
	for _, r := range rep.Results {
		byCheck[r.CheckID+" "+r.ID] = r
	}
	assert.Equal(t, Muted, byCheck["DM-AWS-EC2-001 sg-1"].Status)
	assert.Equal(t, "platform", byCheck["DM-AWS-EC2-001 sg-1"].Mute.Owner)
	assert.Equal(t, Pass, byCheck["DM-AWS-EC2-001 sg-2"].Status)
	assert.Equal(t, Fail, byCheck["DM-AWS-EC2-006 vol-1"].Status, "an expired entry mutes nothing")
	require.Len(t, rep.ExpiredMutes, 1)
	assert.Equal(t, 7, rep.ExpiredMutes[0].Line())
	var b bytes.Buffer
	require.NoError(t, Write(&b, "table", rep, WriteOptions{}))
	assert.Contains(t, b.String(), "EXPIRED MUTELIST ENTRIES (1)")
	assert.Contains(t, b.String(), "MUTED (1)")

	for _, bad := range []string{"mutelist:\n  - check: X\n    resource: y\n", "mutelist:\n  - check: X\n    resource: y\n    reason: r\n    owner: o\n    expires: soon\n", "mutelist: [", "mutelist:\n  - chek: X\n"} {
		_, err := ParseMutelist("m.yaml", []byte(bad))
		assert.ErrorIs(t, err, ErrMutelist, bad)
	}
	assert.True(t, glob("a*c*e", "abcde"))
	assert.False(t, glob("a*c*e", "abcdf"))
	assert.True(t, glob("*", ""))
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"a*a", "a", false}, {"a*a", "aa", true}, {"ab*", "ab", true}, {"*b", "ab", true}, {"*b", "ba", false},
		{"DM-AWS-*", "DM-AWS-EC2-001", true}, {"DM-*-001", "DM-AWS-EC2-001", true}, {"DM-*-002", "DM-AWS-EC2-001", false},
		{"**", "x", true}, {"a**b", "ab", true}, {"exact", "exact", true}, {"exact", "exactly", false}, {"*x*", "abc", false},
	} {
		assert.Equal(t, c.want, glob(c.pattern, c.s), "%q ~ %q", c.pattern, c.s)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { glob("DM-*-EC2-*", "DM-AWS-EC2-001") }), "glob must not allocate")
}

func TestReportFormats(t *testing.T) {
	rep := Run(Input{State: sampleInventory(), Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	s := rep.Summary
	assert.Equal(t, 3, s.Fail)
	assert.Equal(t, 5+5+2, s.Risk, "high ssh + high admin + medium ebs")
	assert.True(t, rep.FailsAtOrAbove(High))
	assert.False(t, rep.FailsAtOrAbove(Critical))
	for _, c := range s.Compliance {
		assert.InDelta(t, float64(c.Passed)/float64(c.Passed+c.Failed)*100, c.Score, 0.01, c.Framework)
	}
	var cisScore *FrameworkScore
	for i := range s.Compliance {
		if s.Compliance[i].Framework == CISAWS {
			cisScore = &s.Compliance[i]
		}
	}
	require.NotNil(t, cisScore)
	assert.Equal(t, []string{"1.16", "2.2.1", "5.2", "5.3"}, cisScore.FailedControls)

	for _, f := range Formats {
		var b bytes.Buffer
		require.NoError(t, Write(&b, f, rep, WriteOptions{ToolVersion: "test", All: true}), f)
		out := b.String()
		assert.Contains(t, out, "sg-1", f)
		switch f {
		case "json":
			var back Report
			require.NoError(t, json.Unmarshal(b.Bytes(), &back))
			assert.Len(t, back.Results, len(rep.Results))
		case "sarif":
			var log sarifLog
			require.NoError(t, json.Unmarshal(b.Bytes(), &log))
			run := log.Runs[0]
			assert.Len(t, run.Results, 3)
			ids := map[string]bool{}
			for _, r := range run.Tool.Driver.Rules {
				assert.False(t, ids[r.ID], "duplicate rule %s", r.ID)
				ids[r.ID] = true
			}
			for _, r := range run.Results {
				assert.Equal(t, r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID)
				assert.NotEmpty(t, r.Locations[0].Logical)
			}
			assert.True(t, ids["DM-DRIFT-AWS-EC2-001"], "drift rules are listed")
		case "junit":
			var js junitSuites
			require.NoError(t, xml.Unmarshal(b.Bytes(), &js))
			assert.Equal(t, 3, js.Failures)
		case "csv":
			assert.Equal(t, len(rep.Results)+1, strings.Count(out, "\n"))
		case "html":
			assert.Contains(t, out, "<table>")
		}
	}
	assert.Error(t, Write(&bytes.Buffer{}, "xml", rep, WriteOptions{}))
}

func TestDedupe(t *testing.T) {
	inv := sampleInventory()
	rep := Run(Input{State: append(inv, inv...)}) // the same resources read from two states
	seen := map[string]bool{}
	for _, r := range rep.Results {
		k := r.key()
		assert.False(t, seen[k], "duplicate %s", k)
		seen[k] = true
	}
	assert.Equal(t, 3, rep.Summary.Fail)
}

func TestControlOrder(t *testing.T) {
	assert.True(t, controlLess("1.9", "1.10"))
	assert.True(t, controlLess("2.1", "2.1.1"))
	assert.False(t, controlLess("5.3", "5.2"))
	assert.True(t, controlLess("a", "b"))
}

func TestPolicyParsing(t *testing.T) {
	d, ok := parsePolicy("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D")
	require.True(t, ok, "URL-encoded documents are read")
	assert.True(t, d.Statements[0].grants("iam:PassRole"))
	_, ok = parsePolicy("not json")
	assert.False(t, ok)
	assert.True(t, wildMatch("iam:Pass?ole", "IAM:PASSROLE"))
	assert.False(t, wildMatch("iam:Get*", "iam:PassRole"))
	np, _ := parsePolicy(`{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"NotAction":"s3:Delete*","Resource":"*"}]}`)
	assert.True(t, np.Statements[0].public())
	assert.True(t, np.Statements[0].grants("s3:GetObject"))
	assert.False(t, np.Statements[0].grants("s3:DeleteObject"))
}

// TestDeterministic: the same inventory gives byte-identical reports
// whatever the parallelism.
func TestDeterministic(t *testing.T) {
	inv := benchInventory(3000)
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	var outs []string
	for _, w := range []int{1, 4} {
		e := NewEngine(nil)
		e.Now, e.Workers = now, w
		var b bytes.Buffer
		require.NoError(t, Write(&b, "json", e.Run(Input{Live: inv}), WriteOptions{}))
		outs = append(outs, b.String())
	}
	assert.Equal(t, outs[0], outs[1])
}

func TestSGRuleCitedOnce(t *testing.T) {
	inv := []resource.Resource{
		res("aws_security_group", "sg-1", map[string]any{"name": "web", "ingress": []any{ingress(22, 22, "tcp", "0.0.0.0/0"), ingress(443, 443, "tcp", "0.0.0.0/0")}}),
		res("aws_vpc_security_group_ingress_rule", "sgr-1", map[string]any{"security_group_id": "sg-1", "ip_protocol": "tcp", "from_port": 22.0, "to_port": 22.0, "cidr_ipv4": "0.0.0.0/0"}),
	}
	rep := Run(Input{Live: inv})
	for _, r := range rep.Results {
		if r.CheckID == "DM-AWS-EC2-001" {
			require.Len(t, r.Evidence, 1)
			assert.Equal(t, "aws_vpc_security_group_ingress_rule.sgr-1", r.Evidence[0].Resource)
			return
		}
	}
	t.Fatal("no DM-AWS-EC2-001 result")
}
