package scan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func TestConfigFindingsPointAtFileAndLine(t *testing.T) {
	rs := []resource.Resource{{Provider: "aws", Type: "aws_ebs_volume", ID: "scratch", Address: "aws_ebs_volume.scratch",
		Source: SourceConfig, Origin: "tf/storage.tf:71", Attrs: map[string]any{"id": "scratch", "encrypted": false}}}
	rep := Run(Input{State: rs})
	var table, sarif bytes.Buffer
	require.NoError(t, Write(&table, "table", rep, WriteOptions{}))
	assert.Contains(t, table.String(), "aws_ebs_volume.scratch  tf/storage.tf:71")
	assert.NotContains(t, table.String(), "aws_ebs_volume.scratch  aws_ebs_volume.scratch", "an address equal to type.id is not repeated")
	require.NoError(t, Write(&sarif, "sarif", rep, WriteOptions{}))
	var doc struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					Physical struct {
						Artifact struct{ URI string } `json:"artifactLocation"`
						Region   struct{ StartLine int }
					} `json:"physicalLocation"`
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(sarif.Bytes(), &doc))
	require.NotEmpty(t, doc.Runs[0].Results)
	loc := doc.Runs[0].Results[0].Locations[0].Physical
	assert.Equal(t, "tf/storage.tf", loc.Artifact.URI)
	assert.Equal(t, 71, loc.Region.StartLine)
}

func TestSplitOrigin(t *testing.T) {
	for in, want := range map[string]string{"a/b.tf:12": "a/b.tf 12", "s3://b/k.tfstate": "s3://b/k.tfstate 0", "c:x": "c:x 0"} {
		f, n := splitOrigin(in)
		assert.Equal(t, want, f+" "+strings.TrimSpace(itoa(n)))
	}
}
