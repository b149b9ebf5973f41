package ignore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestWithEngine runs the rules through drift.Compare, the way scan uses
// them, to check resource, attribute and kind rules reach the findings.
func TestWithEngine(t *testing.T) {
	mk := func(typ, id string, attrs map[string]any) resource.Resource {
		return resource.Resource{Provider: "aws", Type: typ, ID: id, Attrs: attrs}
	}
	state := []resource.Resource{
		mk("aws_instance", "i-1", map[string]any{"ami": "a", "tags": map[string]any{"LastScanned": "1", "Owner": "x"}}),
		mk("aws_iam_user", "gone", map[string]any{}),
		mk("aws_s3_bucket", "ignored", map[string]any{}),
	}
	live := []resource.Resource{
		mk("aws_instance", "i-1", map[string]any{"ami": "a", "tags": map[string]any{"LastScanned": "2", "Owner": "y"}}),
		mk("aws_iam_user", "manual", map[string]any{}),
	}
	di := mustParse(t, "aws_s3_bucket.ignored\naws_instance.*.tags.LastScanned\n")
	y, err := ParseYAML("c.yaml", []byte("ignore:\n  kinds: [UNMANAGED]\n  resources: ['aws_iam_user.*']\n"))
	require.NoError(t, err)
	res := drift.Compare(state, live, drift.Options{Ignore: di.Merge(y)})

	var got []string
	for _, f := range res.Findings {
		got = append(got, string(f.Kind)+" "+f.Type+"."+f.ID)
		if f.Kind == drift.Modified {
			require.Len(t, f.Diffs, 1)
			assert.Equal(t, resource.Path("tags.Owner"), f.Diffs[0].Path)
		}
	}
	assert.ElementsMatch(t, []string{"MISSING aws_iam_user.gone", "MODIFIED aws_instance.i-1"}, got)
}
