package statesource

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFile creates path (and its parents) below dir with content.
func writeFile(t *testing.T, dir, path, content string) string {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(path))
	require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	return full
}

func sources(docs []Document) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Source
	}
	return out
}

func TestFetchBadSources(t *testing.T) {
	tests := []struct {
		src     string
		wantErr error
		wantMsg string
	}{
		{"", ErrBadSource, "empty source"},
		{"   ", ErrBadSource, "empty source"},
		{"ftp://host/x.tfstate", ErrBadSource, `unknown scheme "ftp"`},
		{"ftp://user:hunter2@host/x", ErrBadSource, "ftp://host/x"},
		{"s3://", ErrBadSource, "expected s3://BUCKET/KEY"},
		{"s3:///key", ErrBadSource, "expected s3://BUCKET/KEY"},
		{"s3://buck*/key", ErrBadSource, "expected s3://BUCKET/KEY"},
		{"s3://bucket/[", ErrBadSource, "invalid glob"},
		{"gs://", ErrBadSource, "expected gs://BUCKET/OBJECT"},
		{"gs://b/{a", ErrBadSource, "invalid glob"},
		{"azurerm://", ErrBadSource, "expected azurerm://ACCOUNT/CONTAINER/BLOB"},
		{"azurerm://account", ErrBadSource, "expected azurerm://ACCOUNT/CONTAINER/BLOB"},
		{"azurerm://account/", ErrBadSource, "expected azurerm://ACCOUNT/CONTAINER/BLOB"},
		{"azurerm://account/c*/x", ErrBadSource, "expected azurerm://ACCOUNT/CONTAINER/BLOB"},
		{"azurerm://account/c/[", ErrBadSource, "invalid glob"},
		{"http://", ErrBadSource, "expected http(s)://HOST/PATH"},
		{"https://%zz", ErrBadSource, "expected http(s)://HOST/PATH"},
		{"tfcloud://", ErrBadSource, "expected tfcloud://ORG/WORKSPACE"},
		{"tfcloud://org", ErrBadSource, "expected tfcloud://ORG/WORKSPACE"},
		{"tfcloud://org/a/b", ErrBadSource, "expected tfcloud://ORG/WORKSPACE"},
		{"tfcloud://tok:secret@org/ws", ErrBadSource, "expected tfcloud://ORG/WORKSPACE"},
		{"tfcloud://org/ws?host=ftp://x", ErrBadSource, "expected HOST or http(s)://HOST"},
		{"tfcloud://org/[?host=127.0.0.1", ErrBadSource, "invalid glob"},
		{filepath.Join("nonexistent", "**", "[.tfstate"), ErrBadSource, "invalid glob"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Setenv("TFE_TOKEN", "x")
			_, err := Fetch(context.Background(), tt.src, Options{})
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.NotContains(t, err.Error(), "hunter2")
			assert.NotContains(t, err.Error(), "secret")
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"https://user:pw@example.com/state":                  "https://example.com/state",
		"https://example.com/s?sig=abc&sv=2020":              "https://example.com/s?sig=REDACTED&sv=2020",
		"https://example.com/s?X-Amz-Credential=a&x=1":       "https://example.com/s?X-Amz-Credential=REDACTED&x=1",
		"https://example.com/s?access_token=t":               "https://example.com/s?access_token=REDACTED",
		"s3://bucket/env:/prod/app.tfstate":                  "s3://bucket/env:/prod/app.tfstate",
		"https://user:pw@%zz/x":                              "https://%zz/x",
		"no scheme at all %zz":                               "no scheme at all %zz",
		"https://example.com/s?apikey=1&ApiKey=2&password=3": "https://example.com/s?ApiKey=REDACTED&apikey=REDACTED&password=REDACTED",
	}
	for in, want := range tests {
		assert.Equal(t, want, redactURL(in), in)
	}
}

func TestObjectPattern(t *testing.T) {
	tests := []struct {
		key        string
		wantPrefix string
		glob       bool
		match      []string
		noMatch    []string
	}{
		{key: "app.tfstate", match: []string{"app.tfstate"}, noMatch: []string{"x/app.tfstate"}},
		{key: "", glob: true, match: []string{"a.tfstate", "x/y/a.tfstate"}, noMatch: []string{"a.tfstate.backup"}},
		{key: "envs/", wantPrefix: "envs/", glob: true, match: []string{"envs/a.tfstate"}, noMatch: []string{"other/a.tfstate"}},
		{key: "env:/*/app.tfstate", wantPrefix: "env:/", glob: true,
			match: []string{"env:/prod/app.tfstate"}, noMatch: []string{"env:/a/b/app.tfstate", "app.tfstate"}},
		{key: "state/{dev,prod}.tfstate", wantPrefix: "state/", glob: true,
			match: []string{"state/dev.tfstate"}, noMatch: []string{"state/qa.tfstate"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			p, err := newObjectPattern(tt.key)
			require.NoError(t, err)
			assert.Equal(t, tt.glob, p.isGlob())
			assert.Equal(t, tt.wantPrefix, p.prefix)
			for _, m := range tt.match {
				assert.True(t, p.match(m), m)
			}
			for _, m := range tt.noMatch {
				assert.False(t, p.match(m), m)
			}
		})
	}
}

func TestFetchHonoursCancelledContext(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.tfstate", "{}")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fetch(ctx, dir, Options{})
	require.ErrorIs(t, err, context.Canceled)
}
