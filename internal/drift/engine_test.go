package drift

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// attrs decodes a JSON object literal the way every reader does, so tests
// use the exact value shapes the engine sees in production.
func attrs(t testing.TB, js string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &m), js)
	return m
}

func res(t testing.TB, typ, id, js string) resource.Resource {
	t.Helper()
	if js == "" {
		js = "{}"
	}
	return resource.Resource{Provider: resource.ProviderFromType(typ), Type: typ, ID: id, Attrs: attrs(t, js)}
}

func TestCompareKinds(t *testing.T) {
	state := []resource.Resource{
		res(t, "aws_instance", "i-1", `{"instance_type":"t3.micro","tags":{"Name":"web"}}`),
		res(t, "aws_instance", "i-2", `{"instance_type":"t3.micro"}`),
		res(t, "aws_s3_bucket", "logs", `{"bucket":"logs"}`),
	}
	live := []resource.Resource{
		res(t, "aws_instance", "i-1", `{"instance_type":"t3.large","tags":{"Name":"web"}}`),
		res(t, "aws_s3_bucket", "logs", `{"bucket":"logs"}`),
		res(t, "aws_s3_bucket", "shadow", `{"bucket":"shadow"}`),
	}
	r := Compare(state, live, Options{})
	assert.Equal(t, Summary{Total: 4, Managed: 2, Unmanaged: 1, Missing: 1, Modified: 1, Coverage: 66.67}, r.Summary)
	require.Len(t, r.Findings, 3)
	assert.Equal(t, Missing, r.Findings[0].Kind)
	assert.Equal(t, "i-2", r.Findings[0].ID)
	assert.Equal(t, Modified, r.Findings[1].Kind)
	assert.Equal(t, []Diff{{Path: "instance_type", Expected: "t3.micro", Actual: "t3.large"}}, r.Findings[1].Diffs)
	assert.Equal(t, Medium, r.Findings[1].Severity)
	assert.Equal(t, Unmanaged, r.Findings[2].Kind)
	assert.Equal(t, "shadow", r.Findings[2].ID)
	assert.True(t, r.HasDrift())
}

func TestCompareInSync(t *testing.T) {
	s := []resource.Resource{res(t, "aws_vpc", "vpc-1", `{"cidr_block":"10.0.0.0/16"}`)}
	l := []resource.Resource{res(t, "aws_vpc", "vpc-1", `{"cidr_block":"10.0.0.0/16"}`)}
	r := Compare(s, l, Options{})
	assert.False(t, r.HasDrift())
	assert.NotNil(t, r.Findings, "findings must encode as [] not null")
	assert.Equal(t, 100.0, r.Summary.Coverage)
	empty := Compare(nil, nil, Options{})
	assert.Equal(t, Summary{Coverage: 100}, empty.Summary)
}

func TestCompareDoesNotModifyInputs(t *testing.T) {
	s := []resource.Resource{res(t, "aws_security_group", "sg-1", `{"ingress":[{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["10.0.0.0/8"]}]}`),
		res(t, "aws_security_group_rule", "sgrule-1", `{"security_group_id":"sg-1","type":"ingress","protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["10.0.0.0/8"]}`)}
	l := []resource.Resource{res(t, "aws_security_group", "sg-1", `{"ingress":[{"protocol":"6","from_port":22,"to_port":22,"cidr_blocks":["10.0.0.0/8"]}]}`)}
	before, _ := json.Marshal([]any{s, l})
	Compare(s, l, Options{})
	after, _ := json.Marshal([]any{s, l})
	assert.JSONEq(t, string(before), string(after))
}

func TestDuplicateStateReportedOnce(t *testing.T) {
	a := res(t, "aws_s3_bucket", "shared", `{"bucket":"shared"}`)
	a.Origin = "a.tfstate"
	b := a
	b.Origin = "b.tfstate"
	r := Compare([]resource.Resource{a, b}, nil, Options{})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, "a.tfstate", r.Findings[0].Origin)
	assert.Equal(t, 1, r.Summary.Missing)
}

func TestScopeDiscriminant(t *testing.T) {
	// The same Lambda name in two regions is two functions.
	s := res(t, "aws_lambda_function", "fn", `{"runtime":"go1.x"}`)
	s.Region = "us-east-1"
	l1 := res(t, "aws_lambda_function", "fn", `{"runtime":"go1.x"}`)
	l1.Region = "eu-west-1"
	l2 := res(t, "aws_lambda_function", "fn", `{"runtime":"go1.x"}`)
	l2.Region = "us-east-1"
	r := Compare([]resource.Resource{s}, []resource.Resource{l1, l2}, Options{})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, Unmanaged, r.Findings[0].Kind)
	assert.Equal(t, "eu-west-1", r.Findings[0].Region)

	// A resource whose region is unknown on one side still matches.
	u := res(t, "aws_lambda_function", "fn", `{"runtime":"go1.x"}`)
	r = Compare([]resource.Resource{u}, []resource.Resource{l2}, Options{})
	assert.False(t, r.HasDrift())
}

func TestAttachmentIdentity(t *testing.T) {
	// Terraform invents attachment ids; the API has none. Match by what
	// the attachment joins.
	s := res(t, "aws_iam_role_policy_attachment", "app-20240101000000000001",
		`{"role":"app","policy_arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`)
	l := res(t, "aws_iam_role_policy_attachment", "app/arn:aws:iam::aws:policy/ReadOnlyAccess",
		`{"role":"app","policy_arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`)
	r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
	assert.False(t, r.HasDrift(), "%+v", r.Findings)
	assert.Equal(t, 1, r.Summary.Managed)
}

func TestSensitiveDiffRedacted(t *testing.T) {
	s := res(t, "aws_db_instance", "db", `{"master_password":"hunter2","engine":"postgres"}`)
	s.Sensitive = []resource.Path{"master_password"}
	l := res(t, "aws_db_instance", "db", `{"master_password":"changed","engine":"postgres"}`)
	r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, []Diff{{Path: "master_password", Expected: resource.Redacted, Actual: resource.Redacted}}, r.Findings[0].Diffs)
	b, _ := json.Marshal(r)
	assert.NotContains(t, string(b), "hunter2")
	assert.NotContains(t, string(b), "changed")
}

type fakeIgnore struct {
	resources map[string]bool
	attrs     map[resource.Path]bool
	kinds     map[Kind]bool
}

func (f fakeIgnore) IgnoreResource(r *resource.Resource) bool { return f.resources[r.String()] }
func (f fakeIgnore) IgnoreAttr(_ *resource.Resource, p resource.Path) bool {
	return f.attrs[p]
}
func (f fakeIgnore) IgnoreKind(k Kind, _ *resource.Resource) bool { return f.kinds[k] }

type typeFilter string

func (f typeFilter) Match(r *resource.Resource) bool { return r.Type == string(f) }

func TestIgnoreAndFilter(t *testing.T) {
	state := []resource.Resource{
		res(t, "aws_instance", "i-1", `{"tags":{"LastScanned":"mon"},"instance_type":"t3.micro"}`),
		res(t, "aws_instance", "i-2", `{"instance_type":"t3.micro","tags":{"LastScanned":"mon"}}`),
		res(t, "aws_s3_bucket", "gone", `{}`),
	}
	live := []resource.Resource{
		res(t, "aws_instance", "i-1", `{"tags":{"LastScanned":"tue"},"instance_type":"t3.micro"}`),
		res(t, "aws_instance", "i-2", `{"tags":{"LastScanned":"tue"},"instance_type":"t3.large"}`),
		res(t, "aws_iam_user", "bob", `{}`),
	}
	ig := fakeIgnore{resources: map[string]bool{"aws_iam_user.bob": true}, attrs: map[resource.Path]bool{"tags.LastScanned": true}}
	r := Compare(state, live, Options{Ignore: ig})
	require.Len(t, r.Findings, 2)
	assert.Equal(t, Missing, r.Findings[0].Kind)
	assert.Equal(t, "i-2", r.Findings[1].ID)
	assert.Equal(t, []Diff{{Path: "instance_type", Expected: "t3.micro", Actual: "t3.large"}}, r.Findings[1].Diffs)
	assert.Equal(t, 0, r.Summary.Unmanaged, "ignored resources are not counted")

	r = Compare(state, live, Options{Filter: typeFilter("aws_s3_bucket")})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, "gone", r.Findings[0].ID)
	assert.Equal(t, 1, r.Summary.Total)

	r = Compare(state, live, Options{Ignore: fakeIgnore{kinds: map[Kind]bool{Missing: true, Unmanaged: true}}})
	require.Len(t, r.Findings, 2)
	for _, f := range r.Findings {
		assert.Equal(t, Modified, f.Kind)
	}
	r = Compare(state, live, Options{Ignore: fakeIgnore{kinds: map[Kind]bool{Modified: true}}})
	for _, f := range r.Findings {
		assert.NotEqual(t, Modified, f.Kind)
	}
}

func TestDeterministicOrder(t *testing.T) {
	var state, live []resource.Resource
	for i := range 5000 {
		id := formatNumber(float64(i))
		state = append(state, res(t, "aws_instance", id, `{"instance_type":"a"}`))
		live = append(live, res(t, "aws_instance", id, `{"instance_type":"b"}`))
	}
	a := Compare(state, live, Options{Workers: 1})
	b := Compare(state, live, Options{Workers: 4})
	assert.Equal(t, a, b)
	assert.Len(t, a.Findings, 5000)
}

func TestAbsentLiveAttributeIsUnknown(t *testing.T) {
	// Generic discovery reads only ids and tags: attributes it did not
	// read are not reported as removed; an explicit null is compared.
	s := res(t, "aws_sns_topic", "t", `{"display_name":"alerts","tags":{"team":"a"}}`)
	l := res(t, "aws_sns_topic", "t", `{"tags":{"team":"a"}}`)
	assert.False(t, Compare([]resource.Resource{s}, []resource.Resource{l}, Options{}).HasDrift())
	l = res(t, "aws_sns_topic", "t", `{"display_name":null,"tags":{"team":"a"}}`)
	r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, []Diff{{Path: "display_name", Expected: "alerts", Actual: nil}}, r.Findings[0].Diffs)
}

func TestNestedDiffPaths(t *testing.T) {
	s := res(t, "aws_instance", "i", `{"root_block_device":[{"volume_size":8,"encrypted":true}],"tags":{"k8s.io/role":"node","Team":"a"}}`)
	l := res(t, "aws_instance", "i", `{"root_block_device":[{"volume_size":16,"encrypted":true},{"volume_size":1}],"tags":{"k8s.io/role":"master"}}`)
	r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, []Diff{
		{Path: "root_block_device[0].volume_size", Expected: 8.0, Actual: 16.0},
		{Path: "root_block_device[1]", Expected: nil, Actual: map[string]any{"volume_size": 1.0}},
		{Path: "tags.Team", Expected: "a", Actual: nil},
		{Path: `tags["k8s.io/role"]`, Expected: "node", Actual: "master"},
	}, r.Findings[0].Diffs)
}

func TestCoverageRounding(t *testing.T) {
	assert.Equal(t, 66.67, coverage(2, 1))
	assert.Equal(t, 33.33, coverage(1, 2))
	assert.Equal(t, 0.0, coverage(0, 3))
	assert.Equal(t, 99.99, coverage(9999, 1))
}
