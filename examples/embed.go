// Package examples holds the bundled example worlds and states: each
// cloud's simulated world with drift planted in it, and the Terraform
// state it drifted from. `driftmgr dev` serves them from the binary.
package examples

import "embed"

// FS holds aws/, azure/ and gcp/, each with world.json and
// terraform.tfstate.
//
//go:embed aws/world.json aws/terraform.tfstate azure/world.json azure/terraform.tfstate gcp/world.json gcp/terraform.tfstate
var FS embed.FS

// Clouds are the example directories in FS.
var Clouds = []string{"aws", "azure", "gcp"}
