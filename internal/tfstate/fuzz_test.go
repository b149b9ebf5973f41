package tfstate

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary documents to Decode: it must never panic,
// every error must name the source and wrap a sentinel, and every resource
// it accepts must be valid.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"testdata/*.tfstate", "testdata/bad/*.tfstate"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(`{"version":3,"modules":[{"path":["root"],"resources":{"a_b.c":{"primary":{"id":"x","attributes":{"l.#":"1","l.0.m.%":"1","l.0.m.k":"v"}}}}}]}`))
	f.Add([]byte(`{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"n","instances":[{"index_key":"k","attributes_flat":{"id":"x","a.#":"1","a.5":"y"},"sensitive_attributes":[[{"type":"index","value":{"value":"k","type":"string"}}]]}]}]}`))
	lim := Limits{MaxBytes: 1 << 20, MaxResources: 1000, MaxDepth: 32, MaxStringBytes: 1 << 16}
	sentinels := []error{ErrMalformed, ErrUnsupportedVersion, ErrLimitExceeded}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Decode("fuzz.tfstate", bytes.NewReader(data), lim)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "read state fuzz.tfstate: ") {
				t.Fatalf("error does not name the source: %v", err)
			}
			wrapped := false
			for _, s := range sentinels {
				wrapped = wrapped || errors.Is(err, s)
			}
			if !wrapped {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if st.Version != 3 && st.Version != 4 {
			t.Fatalf("accepted version %d", st.Version)
		}
		if len(st.Resources)+len(st.Skipped) > lim.MaxResources {
			t.Fatalf("more than MaxResources instances: %d", len(st.Resources))
		}
		for _, r := range st.Resources {
			if err := r.Validate(); err != nil {
				t.Fatalf("accepted an invalid resource: %v", err)
			}
			if r.Attrs == nil || r.Address == "" || r.Origin != "fuzz.tfstate" {
				t.Fatalf("incomplete resource %+v", r)
			}
		}
	})
}
