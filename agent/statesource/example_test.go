package statesource_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/driftmgr/driftmgr/agent/statesource"
)

func ExampleFetch() {
	dir, _ := os.MkdirTemp("", "states")
	defer os.RemoveAll(dir)
	for _, env := range []string{"prod", "staging"} {
		_ = os.MkdirAll(filepath.Join(dir, env), 0o755)
		_ = os.WriteFile(filepath.Join(dir, env, "terraform.tfstate"), []byte(`{"version":4}`), 0o644)
	}

	docs, err := statesource.Fetch(context.Background(), filepath.Join(dir, "*", "terraform.tfstate"), statesource.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range docs {
		rel, _ := filepath.Rel(dir, d.Source)
		fmt.Println(filepath.ToSlash(rel), len(d.Data))
	}
	// Output:
	// prod/terraform.tfstate 13
	// staging/terraform.tfstate 13
}
