package resource

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeInventory(t *testing.T) {
	in := `[{"type":"aws_s3_bucket","id":"logs","attributes":{"bucket":"logs","versioning":[{"enabled":true}]}},
	        {"provider":"aws","type":"aws_instance","id":"i-1","region":"us-east-1","attributes":{"instance_type":"t3.micro"},"tags":{"Name":"web"}}]`
	rs, err := DecodeInventory("live.json", strings.NewReader(in), InventoryLimits{})
	require.NoError(t, err)
	require.Len(t, rs, 2)
	assert.Equal(t, "aws", rs[0].Provider, "provider derived from the type")
	assert.Equal(t, SourceLive, rs[0].Source)
	assert.Equal(t, "live.json", rs[0].Origin)
	assert.Equal(t, []any{map[string]any{"enabled": true}}, rs[0].Attrs["versioning"])
	assert.Equal(t, "us-east-1", rs[1].Region)
	assert.Equal(t, map[string]string{"Name": "web"}, rs[1].Tags)
}

func TestDecodeInventoryErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
		lim            InventoryLimits
	}{
		{"empty", ``, "empty document", InventoryLimits{}},
		{"not json", `hello`, "not JSON", InventoryLimits{}},
		{"object", `{"a":1}`, "expected a JSON array of resources, got an object", InventoryLimits{}},
		{"string", `"x"`, "got a string", InventoryLimits{}},
		{"null", `null`, "got null", InventoryLimits{}},
		{"truncated", `[{"type":"aws_vpc","id":"v"}`, "truncated after 1 resources", InventoryLimits{}},
		{"bad element", `[{"type":"aws_vpc","id":"v"}, 3]`, "resource [1]", InventoryLimits{}},
		{"no id", `[{"type":"aws_vpc"}]`, "resource [0]: resource aws_vpc: id is empty", InventoryLimits{}},
		{"no type", `[{"id":"x"}]`, "type is empty", InventoryLimits{}},
		{"trailing", `[] []`, "unexpected data after the array", InventoryLimits{}},
		{"too many", `[{"type":"a_b","id":"1"},{"type":"a_b","id":"2"}]`, "more than 1 resources", InventoryLimits{MaxResources: 1}},
		{"too large", `[{"type":"a_b","id":"1","attributes":{"x":"` + strings.Repeat("y", 200) + `"}}]`, "larger than 64 bytes", InventoryLimits{MaxBytes: 64}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeInventory("inv.json", strings.NewReader(tc.in), tc.lim)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInventory))
			assert.Contains(t, err.Error(), "inv.json")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEncodeInventoryRedactsAndRoundTrips(t *testing.T) {
	rs := []Resource{{Provider: "aws", Type: "aws_db_instance", ID: "db", Address: "aws_db_instance.main",
		Attrs:     map[string]any{"password": "hunter2", "engine": "postgres", "nested": []any{map[string]any{"secret": "s"}}},
		Sensitive: []Path{"password", "nested[0].secret"}}}
	var buf bytes.Buffer
	require.NoError(t, EncodeInventory(&buf, rs))
	assert.NotContains(t, buf.String(), "hunter2")
	back, err := DecodeInventory("x", &buf, InventoryLimits{})
	require.NoError(t, err)
	assert.Equal(t, Redacted, back[0].Attrs["password"])
	assert.Equal(t, "postgres", back[0].Attrs["engine"])
	assert.Equal(t, Redacted, back[0].Attrs["nested"].([]any)[0].(map[string]any)["secret"])
	assert.Equal(t, "hunter2", rs[0].Attrs["password"], "input untouched")
}

func FuzzDecodeInventory(f *testing.F) {
	f.Add(`[{"type":"aws_vpc","id":"v","attributes":{"a":[1,{"b":null}]}}]`)
	f.Add(`[`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, in string) {
		rs, err := DecodeInventory("fuzz.json", strings.NewReader(in), InventoryLimits{MaxBytes: 1 << 16, MaxResources: 100})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.json") {
				t.Fatalf("error does not name the source: %v", err)
			}
			return
		}
		for _, r := range rs {
			if r.Validate() != nil {
				t.Fatalf("accepted an invalid resource %+v", r)
			}
		}
	})
}
