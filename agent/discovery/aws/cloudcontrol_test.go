package aws

import (
	"context"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/aws"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// untyped are resources of types no typed lister reads, in Terraform's
// id forms (ARNs, names, "bus|name"), in two regions and globally.
func untyped() []resource.Resource {
	r := func(typ, id, region string, tags map[string]string) resource.Resource {
		attrs := map[string]any{"id": id}
		if len(tags) > 0 {
			t := map[string]any{}
			for k, v := range tags {
				t[k] = v
			}
			attrs["tags"] = t
		}
		return resource.Resource{Provider: "aws", Type: typ, ID: id, Account: account, Region: region, Attrs: attrs, Tags: tags}
	}
	out := []resource.Resource{
		r("aws_cloudwatch_event_rule", "nightly", "us-east-1", map[string]string{"team": "ops"}),
		r("aws_cloudwatch_event_rule", "orders|on-order", "us-east-1", nil),
		r("aws_api_gateway_rest_api", "a1b2c3d4e5", "us-east-1", map[string]string{"env": "prod"}),
		r("aws_opensearch_domain", "arn:aws:es:us-east-1:"+account+":domain/logs", "us-east-1", nil),
		r("aws_apprunner_service", "arn:aws:apprunner:eu-west-1:"+account+":service/web/0a1", "eu-west-1", nil),
		r("aws_iam_openid_connect_provider", "arn:aws:iam::"+account+":oidc-provider/token.actions.githubusercontent.com", "", nil),
		r("aws_cloudfront_function", "rewrite", "", map[string]string{"app": "site"}),
	}
	for i := range 7 {
		out = append(out, r("aws_sfn_state_machine",
			fmt.Sprintf("arn:aws:states:us-east-1:%s:stateMachine:flow-%d", account, i), "us-east-1", nil))
	}
	return out
}

func typedTypes(p discovery.Provider) map[string]bool {
	out := map[string]bool{}
	for _, l := range p.Listers() {
		if l.Service() == "cloudcontrol" {
			continue
		}
		for _, t := range l.Types() {
			out[t] = true
		}
	}
	return out
}

// TestCloudControlFindsUntypedTypes: a world holding types the typed tier
// does not know is reported by the generic tier with Terraform's types,
// ids, regions and tags, through the real SDK, paging two at a time.
func TestCloudControlFindsUntypedTypes(t *testing.T) {
	fixtures := awssim.Fixtures(account, "us-east-1")
	w := world.New(append(fixtures, untyped()...))
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1", "eu-west-1"}, PageSize: 2})
	require.Empty(t, res.Skipped)
	listed := byKey(res.Resources)
	for _, want := range untyped() {
		got, ok := listed[want.Key()]
		require.True(t, ok, "%s not listed", want.Key())
		assert.Equal(t, want.Region, got.Region, want.Key().String())
		assert.Equal(t, want.Account, got.Account)
		assert.Equal(t, want.Attrs, got.Attrs, want.Key().String())
		assert.Equal(t, want.Tags, got.Tags)
	}
	// Typed resources come from the typed tier only, with every attribute.
	for _, f := range fixtures {
		got, ok := listed[f.Key()]
		if attachmentID(f) != "" {
			continue
		}
		require.True(t, ok, f.Key().String())
		assert.Greater(t, len(got.Attrs), 2, f.Key().String())
	}
	assert.Len(t, res.Resources, len(untyped())+len(fixtures))
}

// TestCloudControlSkipsTypedTypes: by default the generic tier asks for no
// type a typed lister emits, and splits regional from global types.
func TestCloudControlSkipsTypedTypes(t *testing.T) {
	p := New(Options{})
	typed := typedTypes(p)
	require.NotEmpty(t, typed)
	var generic []discovery.Lister
	for _, l := range p.Listers() {
		if l.Service() == "cloudcontrol" {
			generic = append(generic, l)
		}
	}
	require.Len(t, generic, 2)
	n := 0
	for _, l := range generic {
		for _, typ := range l.Types() {
			n++
			assert.False(t, typed[typ], "%s is typed", typ)
			m, ok := typemap.AWSByTerraform(typ)
			require.True(t, ok)
			assert.Equal(t, m.Global, l.Global(), typ)
		}
	}
	assert.Equal(t, len(typemap.AWSTypes)-countTyped(typed), n)
}

func countTyped(typed map[string]bool) int {
	n := 0
	for _, t := range typemap.AWSTypes {
		if typed[t.Terraform] {
			n++
		}
	}
	return n
}

func TestGenericTypesOption(t *testing.T) {
	types, unknown := genericTypes([]string{"AWS::SQS::Queue", "aws_sqs_queue", "aws_lambda_function", "AWS::Nope::Nope", GenericNone}, nil)
	assert.Equal(t, []string{"AWS::Nope::Nope"}, unknown)
	require.Len(t, types, 2)
	assert.Equal(t, "aws_sqs_queue", types[0].Terraform)
	assert.Equal(t, "aws_lambda_function", types[1].Terraform)

	all, _ := genericTypes([]string{GenericAll}, map[string]bool{"aws_instance": true})
	assert.Len(t, all, len(typemap.AWSTypes))
	none, unknown := genericTypes([]string{GenericNone}, nil)
	assert.Empty(t, none)
	assert.Empty(t, unknown)

	p := New(Options{GenericTypes: []string{GenericNone}})
	for _, l := range p.Listers() {
		assert.NotEqual(t, "cloudcontrol", l.Service())
	}
}

// TestCloudControlUnknownGenericType: a name the table does not know is
// reported as a failed generic lister; the rest is listed.
func TestCloudControlUnknownGenericType(t *testing.T) {
	w := world.New(untyped())
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, GenericTypes: []string{"aws_sfn_state_machine", "AWS::Nope::Nope"}})
	require.Len(t, res.Skipped, 1)
	assert.Equal(t, "cloudcontrol", res.Skipped[0].Service)
	assert.Equal(t, discovery.Failed, res.Skipped[0].Reason)
	assert.Contains(t, res.Skipped[0].Detail, "AWS::Nope::Nope")
	n := 0
	for _, r := range res.Resources {
		if r.Type == "aws_sfn_state_machine" {
			n++
		}
	}
	assert.Equal(t, 7, n)
}

// TestCloudControlUnlistableTypes: UnsupportedActionException and
// TypeNotFoundException pass a type over without failing the lister.
func TestCloudControlUnlistableTypes(t *testing.T) {
	w := world.New(untyped())
	url := sim(t, w)
	p := New(Options{Endpoint: url, Regions: []string{"us-east-1"}}).(*provider)
	scopes, err := p.Scopes(context.Background())
	require.NoError(t, err)
	sfn, _ := typemap.AWSByTerraform("aws_sfn_state_machine")
	l := &cloudControlLister{p: p, types: []typemap.AWSType{
		{CloudFormation: "AWS::CloudFormation::WaitCondition", Terraform: "aws_wait"},
		{CloudFormation: "AWS::Nope::Nope", Terraform: "aws_nope"},
		sfn,
	}}
	var got []resource.Resource
	require.NoError(t, l.List(context.Background(), scopes[0], func(r resource.Resource) { got = append(got, r) }))
	assert.Len(t, got, 7)
	assert.Equal(t, []string{"aws_wait", "aws_nope", "aws_sfn_state_machine"}, l.Types())
}

// TestCloudControlFaults: throttled calls are retried until answered; a
// denied Cloud Control is a Skip (access denied) that hides nothing the
// typed tier lists.
func TestCloudControlFaults(t *testing.T) {
	t.Parallel()
	t.Run("throttled", func(t *testing.T) {
		w := world.New(untyped())
		w.SetFaults(world.Faults{ThrottleRate: 0.3})
		url := sim(t, w)
		res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, PageSize: 3,
			GenericTypes: []string{"aws_sfn_state_machine", "aws_cloudwatch_event_rule", "aws_cloudfront_function"},
			RetryMode:    aws.RetryModeStandard, MaxAttempts: 20})
		require.Empty(t, res.Skipped)
		assert.Len(t, res.Resources, 10)
	})
	t.Run("denied", func(t *testing.T) {
		fixtures := awssim.Fixtures(account, "us-east-1")
		w := world.New(append(fixtures, untyped()...))
		w.SetFaults(world.Faults{Deny: map[string]bool{"aws:cloudcontrol": true}})
		url := sim(t, w)
		res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
		require.Len(t, res.Skipped, 2) // the regional and the global lister
		for _, s := range res.Skipped {
			assert.Equal(t, "cloudcontrol", s.Service)
			assert.Equal(t, discovery.AccessDenied, s.Reason)
		}
		listed := byKey(res.Resources)
		_, ok := listed[fixtures[0].Key()]
		assert.True(t, ok)
		for _, u := range untyped() {
			_, ok := listed[u.Key()]
			assert.False(t, ok)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		w := world.New(untyped())
		w.SetFaults(world.Faults{Disabled: map[string]bool{"aws:cloudcontrol": true}})
		url := sim(t, w)
		res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{"aws_sfn_state_machine"}})
		require.Len(t, res.Skipped, 1)
		assert.Equal(t, discovery.NotEnabled, res.Skipped[0].Reason)
	})
}

// TestCloudControlKeepsTypedResource: listing typed types generically too
// ("all") changes nothing: the runner keeps the typed tier's resource.
func TestCloudControlKeepsTypedResource(t *testing.T) {
	fixtures := awssim.Fixtures(account, "us-east-1")
	w := world.New(fixtures)
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericAll}})
	require.Empty(t, res.Skipped)
	listed := byKey(res.Resources)
	for _, f := range fixtures {
		if attachmentID(f) != "" || f.Type == "aws_iam_account_password_policy" || f.Type == "aws_iam_access_key" {
			continue
		}
		got, ok := listed[f.Key()]
		require.True(t, ok, f.Key().String())
		assert.Greater(t, len(got.Attrs), 2, "%s: the generic resource won", f.Key())
	}
}

func TestCFNTags(t *testing.T) {
	assert.Equal(t, map[string]string{"a": "1"}, cfnTags([]any{map[string]any{"Key": "a", "Value": "1"}, map[string]any{"Value": "x"}}))
	assert.Equal(t, map[string]string{"a": "1"}, cfnTags(map[string]any{"a": "1"}))
	assert.Empty(t, cfnTags(nil))
}
