package aws

import (
	"fmt"
	"github.com/aws/aws-sdk-go-v2/aws"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// jsonChanges are TestRoundTrip's change cases for the types of the JSON
// protocol listers (jsonListers); init hands them to dataChanges so
// TestRoundTrip covers them without another edit of its file.
var jsonChanges = map[string]struct {
	attr  string
	value any
}{
	"aws_dynamodb_table": {"point_in_time_recovery",
		[]any{map[string]any{"enabled": true, "recovery_period_in_days": float64(7)}}},
	"aws_secretsmanager_secret": {"description", "changed"},
	"aws_ecr_repository":        {"image_tag_mutability", "MUTABLE"},
	"aws_acm_certificate":       {"subject_alternative_names", []any{"www.example.com", "api.example.com"}},
	"aws_ecs_cluster":           {"setting", []any{map[string]any{"name": "containerInsights", "value": "disabled"}}},
	"aws_ecs_service":           {"desired_count", float64(3)},
}

func init() { maps.Copy(dataChanges, jsonChanges) }

// jsonTypes are the types jsonListers emit.
var jsonTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range (&provider{}).jsonListers() {
		for _, t := range l.Types() {
			m[t] = true
		}
	}
	return m
}()

// jsonService maps jsonTypes to their service.
var jsonService = func() map[string]string {
	m := map[string]string{}
	for _, l := range (&provider{}).jsonListers() {
		for _, t := range l.Types() {
			m[t] = l.Service()
		}
	}
	return m
}()

// jsonFixtures returns the simulator's fixtures of jsonTypes.
func jsonFixtures(region string) []resource.Resource {
	var out []resource.Resource
	for _, f := range awssim.Fixtures(account, region) {
		if jsonTypes[f.Type] {
			out = append(out, f)
		}
	}
	return out
}

// TestJSONChangeIsModified: for each type, a world equal to its state
// yields no drift; one attribute changed in the world yields exactly one
// MODIFIED finding naming that attribute.
func TestJSONChangeIsModified(t *testing.T) {
	for typ, c := range jsonChanges {
		t.Run(typ, func(t *testing.T) {
			all := jsonFixtures("us-east-1")
			var state []resource.Resource
			for _, f := range all {
				if f.Type == typ {
					state = append(state, f)
				}
			}
			w := world.New(all)
			url := sim(t, w)
			live := func() []resource.Resource {
				res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
				require.Empty(t, res.Skipped)
				var out []resource.Resource
				for _, r := range res.Resources {
					if r.Type == typ {
						out = append(out, r)
					}
				}
				return out
			}
			r := drift.Compare(state, live(), drift.Options{})
			require.Empty(t, r.Findings, "no drift before the change")

			require.NoError(t, w.Patch(state[0].Key(), map[string]any{c.attr: c.value}))
			r = drift.Compare(state, live(), drift.Options{})
			require.Len(t, r.Findings, 1)
			f := r.Findings[0]
			assert.Equal(t, drift.Modified, f.Kind)
			assert.Equal(t, state[0].ID, f.ID)
			require.NotEmpty(t, f.Diffs)
			for _, d := range f.Diffs {
				assert.Equal(t, c.attr, d.Path.Root(), "diff %s", d.Path)
			}
		})
	}
}

// TestJSONPaging lists many resources of each type with tiny pages and
// with the APIs' default pages: every one comes back exactly once. The
// two clusters holding services have more than one DescribeServices batch
// (10) each, which the simulator enforces.
func TestJSONPaging(t *testing.T) {
	t.Parallel()
	const n = 23
	var rs []resource.Resource
	for i := range n {
		for _, f := range jsonFixtures("us-east-1") {
			jsonRename(&f, i)
			rs = append(rs, f)
		}
	}
	w := world.New(rs)
	url := sim(t, w)
	want := map[string]int{}
	for _, r := range rs {
		want[r.Type]++
	}
	for _, size := range []int32{1, 4, 0} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, PageSize: size,
				GenericTypes: []string{GenericNone}})
			require.Empty(t, res.Skipped)
			count := map[string]int{}
			seen := map[resource.Key]bool{}
			for _, r := range res.Resources {
				assert.False(t, seen[r.Key()], "listed twice: %s", r.Key())
				seen[r.Key()] = true
				count[r.Type]++
			}
			assert.Equal(t, want, count)
			for _, r := range rs {
				assert.True(t, seen[r.Key()], "not listed: %s", r.Key())
			}
		})
	}
}

// jsonRename makes the i-th copy of a fixture distinct by every name its
// API keys it by. Services go to the first two clusters, alternately.
func jsonRename(f *resource.Resource, i int) {
	suffix := fmt.Sprintf("-%02d", i)
	f.ID += suffix
	f.Attrs["id"] = f.ID
	switch f.Type {
	case "aws_dynamodb_table", "aws_ecr_repository", "aws_secretsmanager_secret":
		f.Attrs["name"] = f.Attrs["name"].(string) + suffix
	case "aws_ecs_service":
		f.Attrs["cluster"] = fmt.Sprintf("%s-%02d", f.Attrs["cluster"], i%2)
	}
}

// TestJSONFaults: throttling is retried to a full listing; a denied or
// disabled service is skipped with its reason while the others list.
func TestJSONFaults(t *testing.T) {
	t.Parallel()
	fixtures := jsonFixtures("us-east-1")
	w := world.New(fixtures)
	url := sim(t, w)
	opts := Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}, MaxAttempts: 20}

	w.SetFaults(world.Faults{ThrottleRate: 0.3})
	// Standard retries (TestThrottling covers the adaptive limiter).
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone},
		MaxAttempts: 20, RetryMode: aws.RetryModeStandard})
	assert.Empty(t, res.Skipped)
	assert.Len(t, res.Resources, len(fixtures))

	for _, svc := range []string{"dynamodb", "secretsmanager", "ecr", "acm", "ecs"} {
		for reason, f := range map[discovery.SkipReason]world.Faults{
			discovery.AccessDenied: {Deny: map[string]bool{"aws:" + svc: true}},
			discovery.NotEnabled:   {Disabled: map[string]bool{"aws:" + svc: true}},
		} {
			w.SetFaults(f)
			res := discover(t, opts)
			require.Len(t, res.Skipped, 1, svc)
			assert.Equal(t, svc, res.Skipped[0].Service)
			assert.Equal(t, reason, res.Skipped[0].Reason)
			for _, r := range res.Resources {
				assert.NotEqual(t, svc, jsonService[r.Type], "%s listed though %s is skipped", r.Key(), svc)
			}
			assert.NotEmpty(t, res.Resources, "the other services still list")
		}
	}
}

// TestJSONTypesLeaveCloudControl: every type of jsonListers is in the
// type table under its CloudFormation name, so the generic tier does not
// list it again.
func TestJSONTypesLeaveCloudControl(t *testing.T) {
	cfn := map[string]string{"aws_dynamodb_table": "AWS::DynamoDB::Table",
		"aws_secretsmanager_secret": "AWS::SecretsManager::Secret", "aws_ecr_repository": "AWS::ECR::Repository",
		"aws_acm_certificate": "AWS::CertificateManager::Certificate", "aws_ecs_cluster": "AWS::ECS::Cluster",
		"aws_ecs_service": "AWS::ECS::Service"}
	require.Len(t, jsonTypes, len(cfn))
	for typ := range jsonTypes {
		m, ok := typemap.AWSByTerraform(typ)
		require.True(t, ok, typ)
		assert.Equal(t, cfn[typ], m.CloudFormation)
	}
	p := New(Options{})
	for _, l := range p.Listers() {
		if l.Service() != "cloudcontrol" {
			continue
		}
		for _, typ := range l.Types() {
			assert.False(t, jsonTypes[typ], "%s is listed by the generic tier too", typ)
		}
	}
}

// TestJSONDeletedIsMissing: a resource deleted from the world is reported
// MISSING, and nothing else is.
func TestJSONDeletedIsMissing(t *testing.T) {
	fixtures := jsonFixtures("us-east-1")
	w := world.New(fixtures)
	url := sim(t, w)
	gone := map[string]bool{}
	for _, f := range fixtures {
		if !gone[f.Type] && f.Type != "aws_ecs_cluster" { // a cluster's deletion takes its services along
			gone[f.Type] = true
			require.True(t, w.Delete(f.Key()))
		}
	}
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
	require.Empty(t, res.Skipped)
	r := drift.Compare(fixtures, res.Resources, drift.Options{})
	missing := map[string]bool{}
	for _, f := range r.Findings {
		assert.Equal(t, drift.Missing, f.Kind, f.Type+"."+f.ID)
		missing[f.Type] = true
	}
	assert.Equal(t, gone, missing)
}
