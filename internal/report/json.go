package report

import (
	"encoding/json"
	"io"

	"github.com/driftmgr/driftmgr/internal/drift"
)

// writeJSON prints the Result exactly as encoding/json marshals it, indented
// by two spaces: the shape `driftmgr gen-driftignore` and scripts read back.
// Findings is [] rather than null when the scan is in sync, so `jq
// '.findings | length'` works without a null check.
func writeJSON(w io.Writer, res *drift.Result, _ Options) error {
	out := *res
	if out.Findings == nil {
		out.Findings = []drift.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
