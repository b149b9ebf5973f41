package backendconfig

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDiscoverHCL feeds arbitrary bytes to Discover as a main.tf, a
// main.tf.json, a Terragrunt root.hcl and a leaf terragrunt.hcl. Discover
// must never panic, and every Location it returns must have a URL.
func FuzzDiscoverHCL(f *testing.F) {
	for _, glob := range []string{"testdata/tf/*/*", "testdata/tg/*/*.hcl", "testdata/tg/*/*/*/terragrunt.hcl"} {
		names, _ := filepath.Glob(glob)
		for _, name := range names {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("locals {\nx = read_terragrunt_config(\"root.hcl\")\n}\nremote_state = { backend = \"s3\", config = local.x }"))
	f.Add([]byte("{\"terraform\": [{\"backend\": {\"s3\": [1]}}]}"))

	f.Fuzz(func(t *testing.T, data []byte) {
		write := func(path string, data []byte) {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		include := []byte("include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n")

		dir := t.TempDir()
		write(filepath.Join(dir, "main.tf"), data)
		write(filepath.Join(dir, "root.hcl"), data)
		write(filepath.Join(dir, "leaf", "terragrunt.hcl"), append(include, data...))
		write(filepath.Join(dir, "other", "terragrunt.hcl"), data)

		jsonDir := t.TempDir()
		write(filepath.Join(jsonDir, "main.tf.json"), data)

		for _, d := range []string{dir, jsonDir} {
			for _, ws := range []bool{false, true} {
				locs, _ := Discover(context.Background(), d, Options{Workspaces: ws, Getenv: env(nil)})
				for _, l := range locs {
					if l.URL == "" {
						t.Fatalf("empty URL in %+v", l)
					}
				}
			}
		}
	})
}
