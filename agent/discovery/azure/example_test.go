package azure

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/azuresim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/tfstate"
)

// TestExample discovers examples/azure/world.json through the SDK and
// compares it with examples/azure/terraform.tfstate: exactly the drift
// its README plants is found.
func TestExample(t *testing.T) {
	w, err := world.Load("../../../examples/azure/world.json")
	require.NoError(t, err)
	data, err := os.ReadFile("../../../examples/azure/terraform.tfstate")
	require.NoError(t, err)
	st, err := tfstate.Parse("terraform.tfstate", data, tfstate.Limits{})
	require.NoError(t, err)

	res := discover(t, serve(t, w, azuresim.WithPageSize(2)))
	require.Empty(t, res.Skipped)
	got := drift.Compare(st.Resources, res.Resources, drift.Options{})

	var found []string
	for _, f := range got.Findings {
		line := string(f.Kind) + " " + f.Type + " " + f.ID[strings.LastIndexByte(f.ID, '/')+1:]
		for _, d := range f.Diffs {
			line += " " + string(d.Path) + "=" + toString(d.Actual)
		}
		found = append(found, line)
	}
	sort.Strings(found)
	assert.Equal(t, []string{
		"MISSING azurerm_public_ip pip-bastion",
		"MODIFIED azurerm_linux_virtual_machine vm-web-01 tags.owner=team-payments",
		"MODIFIED azurerm_network_security_rule allow-ssh source_address_prefix=*",
		"UNMANAGED azurerm_managed_disk disk-debug-snapshot",
	}, found)
	assert.Equal(t, 12, got.Summary.Managed) // 13 in state, one missing
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}
