package stateload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/backendconfig"
	"github.com/driftmgr/driftmgr/agent/statesource"
	"github.com/driftmgr/driftmgr/internal/tfstate"
)

func exampleState(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "terraform.tfstate"))
	require.NoError(t, err)
	return data
}

func TestLoadManySources(t *testing.T) {
	dir := t.TempDir()
	st := exampleState(t)
	for _, p := range []string{"a/one.tfstate", "b/two.tfstate", "b/nested/three.tfstate"} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), st, 0o644))
	}
	var mu sync.Mutex
	var last Progress
	calls := 0
	l, err := Load(context.Background(), []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}, Options{
		Progress: func(p Progress) { mu.Lock(); last = p; calls++; mu.Unlock() },
	})
	require.NoError(t, err)
	require.Len(t, l.States, 3)
	assert.Equal(t, filepath.Join(dir, "a", "one.tfstate"), l.States[0].Source, "source order, then document order")
	assert.Equal(t, 4, l.States[0].Version)
	assert.Equal(t, "1.9.8", l.States[0].TerraformVersion)
	assert.Equal(t, 30, len(l.Resources))
	assert.Equal(t, Progress{SourcesDone: 2, Sources: 2, Documents: 3, Resources: 30}, last)
	assert.Equal(t, 5, calls)
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(context.Background(), nil, Options{})
	assert.ErrorIs(t, err, ErrNoSources)

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tfstate")
	require.NoError(t, os.WriteFile(bad, []byte(`{"version":4,"resources":{}}`), 0o644))
	_, err = Load(context.Background(), []string{bad}, Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, tfstate.ErrMalformed)
	assert.Contains(t, err.Error(), bad)

	_, err = Load(context.Background(), []string{filepath.Join(dir, "missing.tfstate")}, Options{})
	assert.ErrorIs(t, err, statesource.ErrNotFound)

	big := filepath.Join(dir, "big.tfstate")
	require.NoError(t, os.WriteFile(big, exampleState(t), 0o644))
	_, err = Load(context.Background(), []string{big}, Options{Fetch: statesource.Options{MaxBytes: 100}})
	assert.ErrorIs(t, err, statesource.ErrTooLarge)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Load(ctx, []string{"s3://bucket/key.tfstate"}, Options{})
	assert.Error(t, err)
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`terraform {
  backend "s3" {
    bucket = "acme-tfstate"
    key    = "shop/terraform.tfstate"
    region = "eu-west-1"
  }
}
`), 0o644))
	urls, err := Discover(context.Background(), dir, backendconfig.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s3://acme-tfstate/shop/terraform.tfstate"}, urls)

	_, err = Discover(context.Background(), t.TempDir(), backendconfig.Options{})
	require.Error(t, err)

	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "main.tf"), []byte("terraform {\n"), 0o644))
	_, err = Discover(context.Background(), bad, backendconfig.Options{})
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrNoSources))
	assert.Contains(t, err.Error(), "main.tf")
}
