package scan

import (
	"strconv"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// SourceConfig marks resources read from Terraform configuration (the
// --tf mode): their IDs are placeholders until apply and their Origin is
// FILE:LINE of the resource block. Outputs print a config result's Origin
// as the finding's location (table, SARIF region startLine, JSON origin);
// tfconfig's Config.Locate moves it to the line of the attribute the
// evidence names before the report is written.
const SourceConfig resource.Source = "config"

// splitOrigin reads FILE:LINE; a origin without a line is all file.
func splitOrigin(origin string) (string, int) {
	i := strings.LastIndexByte(origin, ':')
	if i < 0 {
		return origin, 0
	}
	n, err := strconv.Atoi(origin[i+1:])
	if err != nil {
		return origin, 0
	}
	return origin[:i], n
}
