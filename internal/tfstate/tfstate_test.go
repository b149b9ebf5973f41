package tfstate

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenState is what the golden files hold: the parsed State with the
// sensitive paths, which resource.Resource does not marshal.
type goldenState struct {
	Source           string            `json:"source"`
	Version          int               `json:"version"`
	TerraformVersion string            `json:"terraform_version"`
	Serial           int64             `json:"serial"`
	Lineage          string            `json:"lineage"`
	Outputs          map[string]Output `json:"outputs"`
	Skipped          []string          `json:"skipped"`
	Resources        []goldenResource  `json:"resources"`
}

type goldenResource struct {
	resource.Resource
	Sensitive []resource.Path `json:"sensitive,omitempty"`
}

func toGolden(st *State) goldenState {
	g := goldenState{Source: st.Source, Version: st.Version, TerraformVersion: st.TerraformVersion,
		Serial: st.Serial, Lineage: st.Lineage, Outputs: st.Outputs, Skipped: st.Skipped}
	for _, r := range st.Resources {
		g.Resources = append(g.Resources, goldenResource{Resource: r, Sensitive: r.Sensitive})
	}
	return g
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"v4_modules.tfstate", "v3_modules.tfstate"} {
		t.Run(name, func(t *testing.T) {
			st, err := Parse(name, readFile(t, name), Limits{})
			require.NoError(t, err)
			got, err := json.MarshalIndent(toGolden(st), "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".tfstate")+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create the golden file")
			assert.Equal(t, string(want), string(got))
		})
	}
}

// byAddress indexes parsed resources for the behaviour tests.
func byAddress(t *testing.T, st *State) map[string]resource.Resource {
	t.Helper()
	out := make(map[string]resource.Resource, len(st.Resources))
	for _, r := range st.Resources {
		_, dup := out[r.Address]
		require.False(t, dup, "duplicate address %s", r.Address)
		out[r.Address] = r
	}
	return out
}

func TestDecodeV4(t *testing.T) {
	st, err := Decode("s3://acme/prod.tfstate", strings.NewReader(string(readFile(t, "v4_modules.tfstate"))), Limits{})
	require.NoError(t, err)
	assert.Equal(t, 4, st.Version)
	assert.Equal(t, "1.9.5", st.TerraformVersion)
	assert.Equal(t, int64(42), st.Serial)
	assert.Equal(t, "3f1c2b7e-8d4a-4c55-9a1e-0b6d2f7c9e10", st.Lineage)
	assert.Equal(t, []string{"kubernetes_manifest.crd"}, st.Skipped, "no id: skipped, not an error")

	rs := byAddress(t, st)
	assert.Len(t, rs, 10, "data.aws_ami.ubuntu is not emitted")
	for addr, r := range rs {
		assert.Equal(t, resource.SourceState, r.Source, addr)
		assert.Equal(t, "s3://acme/prod.tfstate", r.Origin, addr)
		assert.NoError(t, r.Validate(), addr)
	}
	for _, r := range st.Resources {
		assert.NotEqual(t, "aws_ami", r.Type)
	}

	db := rs["aws_db_instance.main"]
	assert.Equal(t, "aws", db.Provider, "aliased provider, new form")
	assert.Equal(t, "db-ABCDEFGHIJKLMNOPQRSTUVWXY", db.ID)
	assert.Equal(t, "123456789012", db.Account)
	assert.Equal(t, "us-west-2", db.Region)
	assert.Equal(t, []resource.Path{"password"}, db.Sensitive)
	assert.Equal(t, 20.0, db.Attrs["allocated_storage"], "numbers are float64")
	assert.Equal(t, false, db.Attrs["multi_az"])
	assert.Equal(t, resource.Redacted, db.Redact().Attrs["password"])

	bucket := rs["aws_s3_bucket.logs"]
	assert.Equal(t, "aws", bucket.Provider, "aliased provider, legacy form")
	assert.Empty(t, bucket.Account, "S3 ARNs carry no account")
	assert.Nil(t, bucket.Tags, "null tags")
	assert.Contains(t, bucket.Attrs, "tags")
	assert.Nil(t, bucket.Attrs["tags"])

	subnet := rs["module.net.aws_subnet.private[1]"]
	assert.Equal(t, "subnet-0b2", subnet.ID, "count index")
	assert.Equal(t, map[string]string{"Name": "private-1"}, subnet.Tags)
	assert.Equal(t, "us-east-1", subnet.Region)
	assert.Contains(t, rs, "module.net.aws_subnet.private[0]")

	sg := rs[`module.net.module.sg.aws_security_group.web["a"]`]
	assert.Equal(t, "sg-0aaa", sg.ID, "for_each key")
	assert.Equal(t, "aws", sg.Provider, "provider configured in a module")
	assert.Equal(t, []resource.Path{"ingress[0].cidr_blocks", `tags["x.y"]`}, sg.Sensitive)
	assert.Equal(t, []any{"10.0.0.0/8"}, sg.Attrs["ingress"].([]any)[0].(map[string]any)["cidr_blocks"])
	redacted := sg.Redact()
	assert.Equal(t, resource.Redacted, redacted.Attrs["ingress"].([]any)[0].(map[string]any)["cidr_blocks"])
	assert.Equal(t, 443.0, redacted.Attrs["ingress"].([]any)[0].(map[string]any)["from_port"])
	sgb := rs[`module.net.module.sg.aws_security_group.web["b"]`]
	assert.Nil(t, sgb.Tags, "empty tag map")
	assert.Equal(t, []any{}, sgb.Attrs["ingress"])

	rg := rs["azurerm_resource_group.rg"]
	assert.Equal(t, "azurerm", rg.Provider)
	assert.Equal(t, "00000000-1111-2222-3333-444444444444", rg.Account)
	assert.Equal(t, "westeurope", rg.Region)
	assert.Equal(t, map[string]string{"cost-center": "42"}, rg.Tags)

	vm := rs["google_compute_instance.vm"]
	assert.Equal(t, "google", vm.Provider, "google-beta keys as google")
	assert.Equal(t, "acme-prod", vm.Account)
	assert.Equal(t, "us-central1", vm.Region)
	assert.Equal(t, map[string]string{"team": "platform"}, vm.Tags)
	assert.Equal(t, []resource.Path{"metadata.ssh-keys"}, vm.Sensitive)

	eip := rs["module.legacy.aws_eip.nat"]
	assert.Equal(t, "eipalloc-0f00", eip.ID, "attributes_flat fallback")
	assert.Equal(t, map[string]any{"Name": "nat"}, eip.Attrs["tags"])
	assert.Equal(t, map[string]string{"Name": "nat"}, eip.Tags)

	require.Len(t, st.Outputs, 3)
	assert.Equal(t, Output{Value: "s3cr3t-pa55", Sensitive: true}, st.Outputs["db_password"])
	assert.Equal(t, Output{Value: []any{"subnet-0a1", "subnet-0b2"}}, st.Outputs["subnet_ids"])
}

func TestDecodeV3(t *testing.T) {
	st, err := Parse("prod.tfstate", readFile(t, "v3_modules.tfstate"), Limits{})
	require.NoError(t, err)
	assert.Equal(t, 3, st.Version)
	assert.Equal(t, "0.11.14", st.TerraformVersion)
	assert.Equal(t, int64(7), st.Serial)
	assert.Empty(t, st.Skipped)

	var addrs []string
	for _, r := range st.Resources {
		addrs = append(addrs, r.Address)
	}
	assert.Equal(t, []string{
		"aws_instance.web[0]", "aws_instance.web[1]", "aws_s3_bucket.assets",
		"module.net.aws_security_group.web", "module.net.aws_vpc.main",
	}, addrs, "module order, then sorted by address; data source dropped")

	rs := byAddress(t, st)
	web := rs["aws_instance.web[0]"]
	assert.Equal(t, "i-0aaa", web.ID)
	assert.Equal(t, "aws", web.Provider)
	assert.Equal(t, "123456789012", web.Account)
	assert.Equal(t, "us-east-1", web.Region)
	assert.Equal(t, map[string]string{"Name": "web-0"}, web.Tags)
	assert.Equal(t, []any{map[string]any{"volume_size": "8", "volume_type": "gp2"}}, web.Attrs["root_block_device"])
	assert.Equal(t, []any{}, web.Attrs["ebs_block_device"])
	assert.Equal(t, []any{"sg-0web"}, web.Attrs["vpc_security_group_ids"], "set hash becomes a list element")
	assert.Equal(t, "8", web.Attrs["root_block_device"].([]any)[0].(map[string]any)["volume_size"], "v3 values stay strings")

	assert.Equal(t, "aws", rs["aws_s3_bucket.assets"].Provider, "provider.aws.west")
	assert.Equal(t, "aws", rs["module.net.aws_vpc.main"].Provider, "empty provider falls back to the type")
	assert.Nil(t, rs["module.net.aws_vpc.main"].Tags)

	sg := rs["module.net.aws_security_group.web"]
	assert.Equal(t, map[string]string{"Name": "web", "kubernetes.io/role/elb": "1"}, sg.Tags, "map keys keep their dots")
	assert.Equal(t, []any{
		map[string]any{"cidr_blocks": []any{"10.0.0.0/8", "192.168.0.0/16"}, "from_port": "443", "protocol": "tcp",
			"security_groups": []any{}, "self": "false", "to_port": "443"},
		map[string]any{"cidr_blocks": []any{"0.0.0.0/0"}, "from_port": "80", "protocol": "tcp",
			"security_groups": []any{}, "self": "false", "to_port": "80"},
	}, sg.Attrs["ingress"], "set elements ordered by hash")

	assert.Equal(t, Output{Value: "p@ss", Sensitive: true}, st.Outputs["admin_password"])
	assert.Equal(t, Output{Value: "vpc-0net"}, st.Outputs["module.net.vpc_id"])
}

func TestDecodeBadFiles(t *testing.T) {
	cases := []struct {
		file string
		kind error
		want string
	}{
		{"empty.tfstate", ErrMalformed, "empty document, expected a Terraform state JSON object"},
		{"whitespace.tfstate", ErrMalformed, "empty document"},
		{"truncated.tfstate", ErrMalformed, "truncated"},
		{"not_json.tfstate", ErrMalformed, "not valid JSON at byte 2: invalid character"},
		{"array.tfstate", ErrMalformed, "expected a Terraform state JSON object, got an array"},
		{"version1.tfstate", ErrUnsupportedVersion, "version: state format version 1 is not supported (supported: 3 from Terraform 0.11, 4 from Terraform 0.12 and later)"},
		{"version2.tfstate", ErrUnsupportedVersion, "state format version 2 is not supported"},
		{"version99.tfstate", ErrUnsupportedVersion, "state format version 99 is not supported"},
		{"version_string.tfstate", ErrMalformed, "version: expected a number, got a string"},
		{"version_missing.tfstate", ErrMalformed, "version: missing"},
		{"resources_object.tfstate", ErrMalformed, "resources: expected an array, got an object"},
		{"huge_string.tfstate", ErrStringTooLong, "resources[0].instances[0].attributes: string longer than 4096 bytes"},
		{"deep.tfstate", ErrTooDeep, "resources[0].instances[0].attributes: nesting deeper than 128 levels"},
		{"trailing.tfstate", ErrMalformed, "unexpected data after the state object"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			source := "s3://b/" + tc.file
			_, err := Parse(source, readFile(t, filepath.Join("bad", tc.file)), Limits{MaxStringBytes: 4096})
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.True(t, strings.HasPrefix(err.Error(), "read state "+source+": "), err.Error())
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLimitErrorsAreLimitExceeded(t *testing.T) {
	for _, e := range []error{ErrTooLarge, ErrTooManyResources, ErrTooDeep, ErrStringTooLong} {
		assert.ErrorIs(t, e, ErrLimitExceeded)
	}
	assert.NotErrorIs(t, ErrMalformed, ErrLimitExceeded)
}

func TestLimits(t *testing.T) {
	v4 := readFile(t, "v4_modules.tfstate")
	v3 := readFile(t, "v3_modules.tfstate")
	cases := []struct {
		name string
		data []byte
		lim  Limits
		kind error
		want string
	}{
		{"v4 max resources", v4, Limits{MaxResources: 3}, ErrTooManyResources, "resources[4].instances[0]: more than 3 resource instances"},
		{"v3 max resources", v3, Limits{MaxResources: 2}, ErrTooManyResources, "modules[0].resources.aws_s3_bucket.assets: more than 2 resource instances"},
		{"max bytes", v4, Limits{MaxBytes: 1000}, ErrTooLarge, "larger than 1000 bytes"},
		{"max depth", v4, Limits{MaxDepth: 1}, ErrTooDeep, "resources[1].instances[0].attributes: nesting deeper than 1 levels"},
		{"v3 flatmap depth", v3, Limits{MaxDepth: 2}, ErrTooDeep, "modules[0].resources.aws_instance.web.0.primary.attributes: nesting deeper than 2 levels"},
		{"output depth", []byte(`{"version":4,"outputs":{"o":{"value":[[[1]]]}}}`), Limits{MaxDepth: 2}, ErrTooDeep, "outputs.o.value: nesting deeper than 2 levels"},
		{"string limit on lineage", []byte(`{"version":4,"lineage":"` + strings.Repeat("x", 20) + `"}`), Limits{MaxStringBytes: 10}, ErrStringTooLong, "lineage: string longer than 10 bytes"},
		{"string limit on keys", []byte(`{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"n","instances":[{"attributes":{"` + strings.Repeat("k", 20) + `":1}}]}]}`), Limits{MaxStringBytes: 10}, ErrStringTooLong, "attributes: string longer than 10 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("src.tfstate", tc.data, tc.lim)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.ErrorIs(t, err, ErrLimitExceeded)
			assert.Contains(t, err.Error(), "read state src.tfstate: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestMaxBytesStreaming(t *testing.T) {
	data := readFile(t, "v4_modules.tfstate")
	// Decode, not Parse: the limit must hold for a reader of unknown size.
	_, err := Decode("big", strings.NewReader(string(data)), Limits{MaxBytes: int64(len(data)) - 1})
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, "read state big: larger than "+itoa(len(data)-1)+" bytes", err.Error())

	st, err := Decode("exact", strings.NewReader(string(data)), Limits{MaxBytes: int64(len(data))})
	require.NoError(t, err, "a document of exactly MaxBytes is accepted")
	assert.Len(t, st.Resources, 10)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReadErrorIsWrapped(t *testing.T) {
	cause := errors.New("connection reset")
	_, err := Decode("s3://b/k", failingReader{cause}, Limits{})
	require.Error(t, err)
	assert.ErrorIs(t, err, cause)
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Equal(t, "read state s3://b/k: read failed: connection reset", err.Error())
}

// TestShapeErrors covers the malformed shapes inside a state: each error
// names the path of the offending value and what was expected there.
func TestShapeErrors(t *testing.T) {
	res := func(s string) string { return `{"version":4,"resources":[` + s + `]}` }
	inst := func(s string) string {
		return res(`{"mode":"managed","type":"aws_vpc","name":"x","provider":"provider.aws","instances":[` + s + `]}`)
	}
	mod := func(s string) string { return `{"version":3,"modules":[` + s + `]}` }
	cases := []struct{ name, in, want string }{
		{"top not object", `"state"`, "expected a Terraform state JSON object, got a string"},
		{"top null", `null`, "got null"},
		{"top number", `4`, "got a number"},
		{"version float", `{"version":4.5}`, "version: expected an integer, got 4.5"},
		{"version null", `{"version":null}`, "version: expected a number, got null"},
		{"serial string", `{"version":4,"serial":"1"}`, "serial: expected an integer, got a string"},
		{"terraform_version number", `{"version":4,"terraform_version":1}`, "terraform_version: expected a string, got a number"},
		{"v3 key in v4", `{"version":4,"modules":[]}`, "modules: not part of a version 4 state"},
		{"v4 key in v3", `{"version":3,"resources":[]}`, "resources: not part of a version 3 state"},
		{"v4 key before v3 version", `{"resources":[],"version":3}`, "resources: not part of a version 3 state"},
		{"v3 key before v4 version", `{"modules":[],"version":4}`, "modules: not part of a version 4 state"},
		{"show json", `{"format_version":"1.0","values":{}}`, "looks like `terraform show -json` output"},
		{"resources string", `{"version":4,"resources":"x"}`, "resources: expected an array, got a string"},
		{"resources truncated", `{"version":4,"resources":[{"mode":"managed"`, "resources[0]: truncated"},
		{"resources bad json", `{"version":4,"resources":[{"mode" "managed"}]}`, "resources[0]: not valid JSON"},
		{"resource number", res(`1`), "resources[0]: expected an object, got a number"},
		{"mode unknown", res(`{"mode":"ephemeral","type":"a_b","name":"n"}`), `resources[0].mode: expected "managed" or "data", got "ephemeral"`},
		{"mode number", res(`{"mode":1}`), "resources[0].mode: expected a string, got a number"},
		{"no type", res(`{"mode":"managed","name":"n"}`), "resources[0]: type and name are required"},
		{"type object", res(`{"mode":"managed","type":{},"name":"n"}`), "resources[0].type: expected a string, got an object"},
		{"name array", res(`{"mode":"managed","type":"a_b","name":[]}`), "resources[0].name: expected a string, got an array"},
		{"module bool", res(`{"mode":"managed","type":"a_b","name":"n","module":true}`), "resources[0].module: expected a string, got a boolean"},
		{"provider number", res(`{"mode":"managed","type":"a_b","name":"n","provider":3}`), "resources[0].provider: expected a string"},
		{"provider garbage", res(`{"mode":"managed","type":"a_b","name":"n","provider":"aws"}`), `resources[0].provider: malformed provider address "aws"`},
		{"instances object", res(`{"mode":"managed","type":"a_b","name":"n","instances":{}}`), "resources[0].instances: expected an array, got an object"},
		{"instance string", inst(`"i"`), "resources[0].instances[0]: expected an object, got a string"},
		{"instance null", inst(`{"attributes":{"id":"v"}},null`), "resources[0].instances[1]: expected an object, got null"},
		{"index_key bool", inst(`{"index_key":true,"attributes":{"id":"v"}}`), "resources[0].instances[0].index_key: expected a number or a string, got a boolean"},
		{"index_key negative", inst(`{"index_key":-1,"attributes":{"id":"v"}}`), "index_key: expected a count index"},
		{"index_key float", inst(`{"index_key":1.5,"attributes":{"id":"v"}}`), "index_key: expected a count index"},
		{"attributes array", inst(`{"attributes":[]}`), "resources[0].instances[0].attributes: expected an object, got an array"},
		{"id bool", inst(`{"attributes":{"id":true}}`), "resources[0].instances[0].attributes.id: expected a string, got bool"},
		{"flat not strings", inst(`{"attributes_flat":{"id":1}}`), "resources[0].instances[0].attributes_flat: expected an object of strings"},
		{"flat array", inst(`{"attributes_flat":[]}`), "attributes_flat: expected an object of strings, got an array"},
		{"sensitive object", inst(`{"attributes":{"id":"v"},"sensitive_attributes":{}}`), "sensitive_attributes: expected a list of paths"},
		{"sensitive flat list", inst(`{"attributes":{"id":"v"},"sensitive_attributes":["password"]}`), "sensitive_attributes: expected a list of paths"},
		{"sensitive bad step", inst(`{"attributes":{"id":"v"},"sensitive_attributes":[[{"type":"splat","value":"x"}]]}`), `sensitive_attributes[0][0]: unknown step type "splat"`},
		{"sensitive no value", inst(`{"attributes":{"id":"v"},"sensitive_attributes":[[{"type":"get_attr"}]]}`), `sensitive_attributes[0][0]: step "get_attr" has no value`},
		{"sensitive attr number", inst(`{"attributes":{"id":"v"},"sensitive_attributes":[[{"type":"get_attr","value":1}]]}`), "get_attr step: expected a string value"},
		{"sensitive index float", inst(`{"attributes":{"id":"v"},"sensitive_attributes":[[{"type":"get_attr","value":"a"},{"type":"index","value":{"value":1.5,"type":"number"}}]]}`), "sensitive_attributes[0][1]: index step: 1.5 is not a list index"},
		{"sensitive index bool", inst(`{"attributes":{"id":"v"},"sensitive_attributes":[[{"type":"index","value":true}]]}`), "index step: expected a number or string key"},
		{"outputs array", `{"version":4,"outputs":[]}`, "outputs: expected an object, got an array"},
		{"output string", `{"version":4,"outputs":{"o":"v"}}`, "outputs.o: expected an object, got a string"},
		{"output sensitive string", `{"version":4,"outputs":{"o":{"value":1,"sensitive":"yes"}}}`, "outputs.o.sensitive: expected a boolean, got a string"},
		{"modules object", `{"version":3,"modules":{}}`, "modules: expected an array, got an object"},
		{"modules truncated", `{"version":3,"modules":[{"path":["root"]`, "modules[0]: truncated"},
		{"module string", mod(`"m"`), "modules[0]: expected an object, got a string"},
		{"module path string", mod(`{"path":"root"}`), `modules[0].path: expected an array of strings like ["root", "net"], got a string`},
		{"module path no root", mod(`{"path":["net"]}`), `modules[0].path: expected the path to start with "root", got "net"`},
		{"module path empty step", mod(`{"path":["root",""]}`), "modules[0].path: empty module name at step 1"},
		{"module resources array", mod(`{"path":["root"],"resources":[]}`), "modules[0].resources: expected an object, got an array"},
		{"v3 bad key", mod(`{"path":["root"],"resources":{"aws_vpc":{}}}`), `modules[0].resources: expected TYPE.NAME or TYPE.NAME.INDEX, got "aws_vpc"`},
		{"v3 bad index", mod(`{"path":["root"],"resources":{"aws_vpc.a.x":{}}}`), `got "aws_vpc.a.x"`},
		{"v3 too many parts", mod(`{"path":["root"],"resources":{"a.b.c.d":{}}}`), `got "a.b.c.d"`},
		{"v3 empty name", mod(`{"path":["root"],"resources":{"aws_vpc.":{}}}`), `got "aws_vpc."`},
		{"v3 resource array", mod(`{"path":["root"],"resources":{"aws_vpc.a":[]}}`), "modules[0].resources.aws_vpc.a: expected an object, got an array"},
		{"v3 provider garbage", mod(`{"path":["root"],"resources":{"aws_vpc.a":{"provider":"module.x"}}}`), "modules[0].resources.aws_vpc.a.provider: malformed provider address"},
		{"v3 primary string", mod(`{"path":["root"],"resources":{"aws_vpc.a":{"primary":"p"}}}`), "modules[0].resources.aws_vpc.a.primary: expected an object, got a string"},
		{"v3 id number", mod(`{"path":["root"],"resources":{"aws_vpc.a":{"primary":{"id":1}}}}`), "modules[0].resources.aws_vpc.a.primary.id: expected a string, got a number"},
		{"v3 attributes nested", mod(`{"path":["root"],"resources":{"aws_vpc.a":{"primary":{"id":"v","attributes":{"a":{}}}}}}`), "primary.attributes: expected an object of strings"},
		{"v3 outputs array", mod(`{"path":["root"],"outputs":[]}`), "modules[0].outputs: expected an object, got an array"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.tfstate", []byte(tc.in), Limits{})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrMalformed)
			assert.Contains(t, err.Error(), "read state s.tfstate: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestEdgeCases covers inputs that are odd but valid.
func TestEdgeCases(t *testing.T) {
	t.Run("minimal v4", func(t *testing.T) {
		st, err := Parse("m", []byte(`{"version":4}`), Limits{})
		require.NoError(t, err)
		assert.Empty(t, st.Resources)
		assert.Nil(t, st.Outputs)
	})
	t.Run("keys in any order and unknown keys", func(t *testing.T) {
		st, err := Parse("m", []byte(`{"future":{"x":[1,2]},"resources":[{"mode":"managed","type":"aws_vpc","name":"a",
			"instances":[{"attributes":{"id":"vpc-1"}}]}],"version":4,"check_results":[]}`), Limits{})
		require.NoError(t, err)
		require.Len(t, st.Resources, 1)
		assert.Equal(t, "aws", st.Resources[0].Provider, "no provider: from the type")
		assert.Equal(t, "aws_vpc.a", st.Resources[0].Address)
	})
	t.Run("nulls", func(t *testing.T) {
		st, err := Parse("m", []byte(`{"version":4,"lineage":null,"outputs":null,"resources":[
			{"mode":"managed","type":"aws_vpc","name":"a","provider":null,"instances":null},
			{"mode":"managed","type":"aws_vpc","name":"b","instances":[{"index_key":null,"attributes":{"id":null},"sensitive_attributes":null}]},
			{"mode":"managed","type":"aws_vpc","name":"c","instances":[{"attributes":null,"attributes_flat":null}]},
			{"mode":"managed","type":"aws_vpc","name":"d","instances":[{"attributes":{"id":""}}]}]}`), Limits{})
		require.NoError(t, err)
		assert.Empty(t, st.Resources)
		assert.Equal(t, []string{"aws_vpc.b", "aws_vpc.c", "aws_vpc.d"}, st.Skipped)
	})
	t.Run("numeric id", func(t *testing.T) {
		st, err := Parse("m", []byte(`{"version":4,"resources":[{"mode":"managed","type":"github_team","name":"a",
			"provider":"provider[\"registry.terraform.io/integrations/github\"]","instances":[{"attributes":{"id":123456}}]}]}`), Limits{})
		require.NoError(t, err)
		require.Len(t, st.Resources, 1)
		assert.Equal(t, "123456", st.Resources[0].ID)
		assert.Equal(t, "github", st.Resources[0].Provider)
	})
	t.Run("v3 without primary or path", func(t *testing.T) {
		_, err := Parse("m", []byte(`{"version":3,"modules":[{"resources":{"aws_vpc.a":{"primary":null},
			"aws_vpc.b":{"primary":{"id":"vpc-b"}},"aws_vpc.c":{"primary":{"id":"","attributes":{"id":"vpc-c"}}},
			"aws_vpc.d":{"primary":{"id":""}}}},{"path":["root"],"resources":null,"outputs":null},null]}`), Limits{})
		require.Error(t, err, "a null module is malformed")
		assert.Contains(t, err.Error(), "modules[2]: expected an object, got null")
		st, err := Parse("m", []byte(`{"version":3,"modules":[{"resources":{"aws_vpc.a":{"primary":null},
			"aws_vpc.b":{"primary":{"id":"vpc-b"}},"aws_vpc.c":{"primary":{"id":"","attributes":{"id":"vpc-c"}}},
			"aws_vpc.d":{"primary":{"id":""}}}},{"path":["root"],"resources":null,"outputs":null}]}`), Limits{})
		require.NoError(t, err)
		require.Len(t, st.Resources, 2)
		assert.Equal(t, "vpc-b", st.Resources[0].ID)
		assert.Equal(t, map[string]any{"id": "vpc-b"}, st.Resources[0].Attrs)
		assert.Equal(t, "vpc-c", st.Resources[1].ID, "attributes.id when primary.id is empty")
		assert.Equal(t, []string{"aws_vpc.a", "aws_vpc.d"}, st.Skipped)
	})
	t.Run("v3 count index ordering", func(t *testing.T) {
		st, err := Parse("m", []byte(`{"version":3,"modules":[{"path":["root"],"resources":{
			"aws_vpc.a.10":{"primary":{"id":"10"}},"aws_vpc.a.2":{"primary":{"id":"2"}},"aws_vpc.a":{"primary":{"id":"x"}},
			"aws_subnet.z":{"primary":{"id":"s"}},"data.aws_vpc.d.0":{"primary":{"id":"d"}}}}]}`), Limits{})
		require.NoError(t, err)
		var addrs []string
		for _, r := range st.Resources {
			addrs = append(addrs, r.Address)
		}
		assert.Equal(t, []string{"aws_subnet.z", "aws_vpc.a", "aws_vpc.a[2]", "aws_vpc.a[10]"}, addrs)
	})
	t.Run("deposed instance kept", func(t *testing.T) {
		st, err := Parse("m", []byte(`{"version":4,"resources":[{"mode":"managed","type":"aws_instance","name":"a",
			"instances":[{"attributes":{"id":"i-new"}},{"deposed":"00000001","attributes":{"id":"i-old"}}]}]}`), Limits{})
		require.NoError(t, err)
		require.Len(t, st.Resources, 2)
		assert.Equal(t, "i-old", st.Resources[1].ID)
	})
	t.Run("bare index step and sensitive empty path", func(t *testing.T) {
		st, err := Parse("m", []byte(`{"version":4,"resources":[{"mode":"managed","type":"aws_instance","name":"a",
			"instances":[{"attributes":{"id":"i","l":["x"]},"sensitive_attributes":[[],[{"type":"get_attr","value":"l"},{"type":"index","value":0}]]}]}]}`), Limits{})
		require.NoError(t, err)
		assert.Equal(t, []resource.Path{"l[0]"}, st.Resources[0].Sensitive)
	})
}

func TestErrorsClipDocumentValues(t *testing.T) {
	long := strings.Repeat("z", 5000)
	for _, in := range []string{
		`{"version":` + strings.Repeat("9", 5000) + `.5}`,
		`{"version":3,"modules":[{"path":["root"],"resources":{"` + long + `":{}}}]}`,
		`{"version":4,"resources":[{"mode":"` + long + `"}]}`,
		`{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"n","provider":"` + long + `"}]}`,
	} {
		_, err := Parse("s", []byte(in), Limits{})
		require.Error(t, err)
		assert.Less(t, len(err.Error()), 400, err.Error())
		assert.Contains(t, err.Error(), "...")
	}
}

func TestTrailingGarbage(t *testing.T) {
	_, err := Parse("s", []byte(`{"version":4} x`), Limits{})
	require.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), "read state s: not valid JSON")
}
