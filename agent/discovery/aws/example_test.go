package aws

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/tfstate"
)

// TestExample discovers examples/aws/world.json through awssim and
// compares it with examples/aws/terraform.tfstate: exactly the drift
// planted there (see examples/aws/README.md) must come out.
func TestExample(t *testing.T) {
	w, err := world.Load("../../../examples/aws/world.json")
	require.NoError(t, err)
	data, err := os.ReadFile("../../../examples/aws/terraform.tfstate")
	require.NoError(t, err)
	st, err := tfstate.Parse("examples/aws/terraform.tfstate", data, tfstate.Limits{})
	require.NoError(t, err)

	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1", "eu-west-1"}})
	require.Empty(t, res.Skipped)
	out := drift.Compare(st.Resources, res.Resources, drift.Options{})

	type finding struct {
		kind     drift.Kind
		id       string
		paths    []string
		expected []any
		actual   []any
	}
	var got []finding
	for _, f := range out.Findings {
		g := finding{kind: f.Kind, id: f.Type + "." + f.ID}
		for _, d := range f.Diffs {
			g.paths = append(g.paths, string(d.Path))
			g.expected = append(g.expected, d.Expected)
			g.actual = append(g.actual, d.Actual)
		}
		got = append(got, g)
	}
	assert.Equal(t, []finding{
		{kind: drift.Missing, id: "aws_ebs_volume.vol-0a1"},
		{kind: drift.Modified, id: "aws_security_group.sg-0a1", paths: []string{"ingress[1].cidr_blocks"},
			expected: []any{[]any{"10.0.0.0/8"}}, actual: []any{[]any{"0.0.0.0/0"}}},
		{kind: drift.Modified, id: "aws_instance.i-0e1", paths: []string{"tags.env"},
			expected: []any{"prod"}, actual: []any{"staging"}},
		{kind: drift.Unmanaged, id: "aws_instance.i-0c9"},
	}, got)
	assert.Equal(t, 19, out.Summary.Managed)
}
