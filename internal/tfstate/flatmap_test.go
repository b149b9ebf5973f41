package tfstate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnflatten(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]string
		want map[string]any
	}{
		{"scalars stay strings",
			map[string]string{"id": "i-1", "port": "22", "enabled": "true"},
			map[string]any{"id": "i-1", "port": "22", "enabled": "true"}},
		{"map with dotted keys",
			map[string]string{"tags.%": "2", "tags.Name": "web", "tags.kubernetes.io/role": "elb"},
			map[string]any{"tags": map[string]any{"Name": "web", "kubernetes.io/role": "elb"}}},
		{"empty map and list",
			map[string]string{"tags.%": "0", "ingress.#": "0"},
			map[string]any{"tags": map[string]any{}, "ingress": []any{}}},
		{"list of strings in index order",
			map[string]string{"l.#": "11", "l.0": "a", "l.1": "b", "l.10": "k", "l.2": "c"},
			map[string]any{"l": []any{"a", "b", "c", "k"}}},
		{"set of objects ordered by hash",
			map[string]string{
				"ingress.#":                     "2",
				"ingress.99.from_port":          "80",
				"ingress.1234567.from_port":     "443",
				"ingress.1234567.cidr_blocks.#": "1",
				"ingress.1234567.cidr_blocks.0": "10.0.0.0/8",
				"ingress.99.cidr_blocks.#":      "0",
				"ingress.1234567.tags.%":        "1",
				"ingress.1234567.tags.a.b":      "c",
			},
			map[string]any{"ingress": []any{
				map[string]any{"from_port": "80", "cidr_blocks": []any{}},
				map[string]any{"from_port": "443", "cidr_blocks": []any{"10.0.0.0/8"}, "tags": map[string]any{"a.b": "c"}},
			}}},
		{"negative set hashes sort numerically",
			map[string]string{"s.#": "2", "s.-5": "neg", "s.3": "pos"},
			map[string]any{"s": []any{"neg", "pos"}}},
		{"pre-0.7 map counted with #",
			map[string]string{"tags.#": "1", "tags.Name": "web"},
			map[string]any{"tags": map[string]any{"Name": "web"}}},
		{"nested block without marker",
			map[string]string{"timeouts.create": "10m", "timeouts.delete": "5m"},
			map[string]any{"timeouts": map[string]any{"create": "10m", "delete": "5m"}}},
		{"count is not trusted",
			map[string]string{"l.#": "74D93920-ED26-11E3-AC10-0800200C9A66", "l.0": "x"},
			map[string]any{"l": []any{"x"}}},
		{"structure wins over a scalar at the same key",
			map[string]string{"a": "flat", "a.#": "1", "a.0": "x"},
			map[string]any{"a": []any{"x"}}},
		{"list element with scalar and nested keys",
			map[string]string{"l.#": "1", "l.0": "x", "l.0.k": "v"},
			map[string]any{"l": []any{map[string]any{"k": "v"}}}},
		{"trailing dot",
			map[string]string{"a.": "v"},
			map[string]any{"a": map[string]any{"": "v"}}},
		{"empty", map[string]string{}, map[string]any{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := unflatten(tc.in, 64)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnflattenDepth(t *testing.T) {
	key := strings.Repeat("a.", 40) + "b"
	_, err := unflatten(map[string]string{key: "v"}, 64)
	require.NoError(t, err)
	_, err = unflatten(map[string]string{key: "v"}, 10)
	require.Error(t, err)
	assert.Equal(t, "nesting deeper than 10 levels", err.Error())

	list := strings.Repeat("l.0.", 10) + "x"
	_, err = unflatten(map[string]string{"l.#": "1", list: "v"}, 5)
	require.Error(t, err)
	assert.ErrorIs(t, err.(*limitError).kind, ErrTooDeep)
}
