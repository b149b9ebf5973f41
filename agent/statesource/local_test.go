package statesource

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func localTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "prod/terraform.tfstate", `{"serial":1}`)
	writeFile(t, dir, "prod/terraform.tfstate.backup", `{"serial":0}`)
	writeFile(t, dir, "staging/net/terraform.tfstate", `{"serial":2}`)
	writeFile(t, dir, "staging/.terraform/terraform.tfstate", `{"cached":true}`)
	writeFile(t, dir, "README.md", "not state")
	return dir
}

func TestFetchLocal(t *testing.T) {
	dir := localTree(t)
	j := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"file", j("prod/terraform.tfstate"), []string{j("prod/terraform.tfstate")}},
		{"file URL", "file://" + j("prod/terraform.tfstate"), []string{j("prod/terraform.tfstate")}},
		{"backup named explicitly", j("prod/terraform.tfstate.backup"), []string{j("prod/terraform.tfstate.backup")}},
		{"directory skips backups and .terraform", dir, []string{j("prod/terraform.tfstate"), j("staging/net/terraform.tfstate")}},
		{"directory with trailing slash", dir + string(filepath.Separator), []string{j("prod/terraform.tfstate"), j("staging/net/terraform.tfstate")}},
		{"single-star glob", j("*/terraform.tfstate"), []string{j("prod/terraform.tfstate")}},
		{"doublestar glob skips .terraform", j("**/*.tfstate"), []string{j("prod/terraform.tfstate"), j("staging/net/terraform.tfstate")}},
		{"glob naming .terraform", j("staging/.terraform/*.tfstate"), []string{j("staging/.terraform/terraform.tfstate")}},
		{"alternatives", j("{prod,staging}/**/*.tfstate"), []string{j("prod/terraform.tfstate"), j("staging/net/terraform.tfstate")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Fetch(context.Background(), tt.src, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, sources(docs))
			for _, d := range docs {
				assert.NotEmpty(t, d.Data)
			}
		})
	}
}

func TestFetchLocalRelativePath(t *testing.T) {
	dir := localTree(t)
	t.Chdir(dir)
	docs, err := Fetch(context.Background(), "./prod/../prod", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join("prod", "terraform.tfstate")}, sources(docs))
	assert.JSONEq(t, `{"serial":1}`, string(docs[0].Data))
}

func TestFetchLocalErrors(t *testing.T) {
	dir := localTree(t)
	empty := t.TempDir()
	writeFile(t, empty, ".terraform/terraform.tfstate", "{}")
	big := writeFile(t, dir, "big/terraform.tfstate", strings.Repeat("x", 100))

	tests := []struct {
		name    string
		src     string
		opts    Options
		wantErr error
		wantMsg string
	}{
		{"missing file", filepath.Join(dir, "nope.tfstate"), Options{}, ErrNotFound, "nope.tfstate"},
		{"glob matching nothing", filepath.Join(dir, "**", "*.json"), Options{}, ErrNoMatch, "*.json"},
		{"directory without state", empty, Options{}, ErrNoMatch, empty},
		{"too large file", big, Options{MaxBytes: 10}, ErrTooLarge, big},
		{"too large in directory", filepath.Join(dir, "big"), Options{MaxBytes: 99}, ErrTooLarge, big},
		{"too large in glob", filepath.Join(dir, "b*", "*.tfstate"), Options{MaxBytes: 99}, ErrTooLarge, big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fetch(context.Background(), tt.src, tt.opts)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}

	t.Run("exactly MaxBytes is fine", func(t *testing.T) {
		docs, err := Fetch(context.Background(), big, Options{MaxBytes: 100})
		require.NoError(t, err)
		assert.Len(t, docs[0].Data, 100)
	})
}

func TestFetchLocalPermissionDenied(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("root and Windows ignore file modes")
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "x.tfstate", "{}")
	require.NoError(t, os.Chmod(p, 0))
	_, err := Fetch(context.Background(), p, Options{})
	require.ErrorIs(t, err, ErrAccessDenied)
}

func TestReadLimitedStopsReading(t *testing.T) {
	// An endless reader proves the limit is enforced while reading, not after.
	_, err := readLimited(endless{}, "endless", 1<<10)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "endless")
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}
