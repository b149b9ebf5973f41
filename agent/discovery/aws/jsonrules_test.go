package aws

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func reversed(vs []any) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[len(vs)-1-i] = v
	}
	return out
}

// TestJSONRealisticStateNoFalseDrift compares state entries as a refreshed
// Terraform state holds them (sets in the order the provider hashed them,
// an ECS service's cluster and task definition as the configuration named
// them, a GSI key_schema newer providers store) against what the DynamoDB,
// ACM and ECS listers read from a cloud holding the same resources: no
// drift. The world answers in its own order, as the APIs do.
func TestJSONRealisticStateNoFalseDrift(t *testing.T) {
	fixtures := jsonFixtures("us-east-1")
	byType := map[string]resource.Resource{}
	for _, f := range fixtures {
		if _, ok := byType[f.Type]; !ok {
			byType[f.Type] = f
		}
	}
	tg2 := "arn:aws:elasticloadbalancing:us-east-1:" + account + ":targetgroup/api/83e2d6bc24d8a067"
	attribute := []any{map[string]any{"name": "pk", "type": "S"}, map[string]any{"name": "sk", "type": "S"},
		map[string]any{"name": "status", "type": "S"}, map[string]any{"name": "created", "type": "N"},
		map[string]any{"name": "region", "type": "S"}}
	gsi := []any{byType["aws_dynamodb_table"].Attrs["global_secondary_index"].([]any)[0],
		map[string]any{"name": "by-region", "hash_key": "region", "range_key": "", "projection_type": "INCLUDE",
			"non_key_attributes": []any{"total", "status"}, "read_capacity": float64(5), "write_capacity": float64(5)}}
	lbs := []any{byType["aws_ecs_service"].Attrs["load_balancer"].([]any)[0],
		map[string]any{"target_group_arn": tg2, "elb_name": "", "container_name": "api", "container_port": float64(9000)}}
	cps := []any{map[string]any{"capacity_provider": "FARGATE", "weight": float64(1), "base": float64(1)},
		map[string]any{"capacity_provider": "FARGATE_SPOT", "weight": float64(3), "base": float64(0)}}
	settings := []any{map[string]any{"name": "containerInsights", "value": "enabled"},
		map[string]any{"name": "awsvpcTrunking", "value": "disabled"}}
	dvos := byType["aws_acm_certificate"].Attrs["domain_validation_options"].([]any)
	// The cloud as it runs.
	cloud := map[string]map[string]any{
		"aws_dynamodb_table": {"attribute": attribute, "global_secondary_index": gsi},
		"aws_ecs_service": {"load_balancer": lbs, "capacity_provider_strategy": cps,
			"network_configuration": []any{map[string]any{"subnets": []any{"subnet-0a1", "subnet-0b1", "subnet-0c1"},
				"security_groups": []any{"sg-0a1", "sg-0b1"}, "assign_public_ip": false}}},
		"aws_ecs_cluster":     {"setting": settings},
		"aws_acm_certificate": {"subject_alternative_names": []any{"www.example.com", "app.example.com"}},
	}
	// The state as the provider wrote it.
	stateGSI := reversed(gsi)
	withKeys := map[string]any{}
	for k, v := range stateGSI[0].(map[string]any) {
		withKeys[k] = v
	}
	withKeys["non_key_attributes"] = []any{"status", "total"}
	withKeys["key_schema"] = []any{map[string]any{"attribute_name": "region", "key_type": "HASH"}}
	stateGSI[0] = withKeys
	state := map[string]map[string]any{
		"aws_dynamodb_table": {"attribute": reversed(attribute), "global_secondary_index": stateGSI},
		"aws_ecs_service": {"cluster": "app", "task_definition": "web:7", "load_balancer": reversed(lbs),
			"capacity_provider_strategy": reversed(cps),
			"network_configuration": []any{map[string]any{"subnets": []any{"subnet-0c1", "subnet-0a1", "subnet-0b1"},
				"security_groups": []any{"sg-0b1", "sg-0a1"}, "assign_public_ip": false}}},
		"aws_ecs_cluster": {"setting": reversed(settings)},
		"aws_acm_certificate": {"subject_alternative_names": []any{"app.example.com", "www.example.com"},
			"domain_validation_options": reversed(dvos)},
	}
	w := world.New(fixtures)
	var st []resource.Resource
	for typ, f := range byType {
		if _, ok := state[typ]; !ok {
			continue
		}
		require.NoError(t, w.Patch(f.Key(), cloud[typ]))
		s := f
		s.Attrs = map[string]any{}
		for k, v := range f.Attrs {
			s.Attrs[k] = v
		}
		for k, v := range cloud[typ] {
			s.Attrs[k] = v
		}
		for k, v := range state[typ] {
			s.Attrs[k] = v
		}
		st = append(st, s)
	}
	url := sim(t, w)
	live := func() []resource.Resource {
		res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
		require.Empty(t, res.Skipped)
		var out []resource.Resource
		for _, r := range res.Resources {
			if _, compared := state[r.Type]; compared && byType[r.Type].ID == r.ID {
				out = append(out, r)
			}
		}
		require.Len(t, out, len(st))
		return out
	}
	r := drift.Compare(st, live(), drift.Options{})
	assert.Empty(t, r.Findings)

	// A real change still shows, alone.
	svc := byType["aws_ecs_service"]
	require.NoError(t, w.Patch(svc.Key(), map[string]any{
		"task_definition": "arn:aws:ecs:us-east-1:" + account + ":task-definition/web:8"}))
	r = drift.Compare(st, live(), drift.Options{})
	require.Len(t, r.Findings, 1)
	require.Len(t, r.Findings[0].Diffs, 1)
	assert.Equal(t, resource.Path("task_definition"), r.Findings[0].Diffs[0].Path)
}
