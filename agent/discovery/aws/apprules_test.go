package aws

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestAppRealisticStateNoFalseDrift compares state entries as a refreshed
// Terraform state holds them (configured engine version prefixes, the
// computed engine_version_actual and latest_restorable_time, sets in the
// order the provider happened to write them, config-only arguments)
// against what the RDS, ELBv2 and Auto Scaling listers read: no drift.
func TestAppRealisticStateNoFalseDrift(t *testing.T) {
	fixtures := awssim.Fixtures(account, "us-east-1")
	lb2 := "arn:aws:elasticloadbalancing:us-east-1:" + account + ":loadbalancer/app/web2/60dc6c495c0c9188"
	tg2 := "arn:aws:elasticloadbalancing:us-east-1:" + account + ":targetgroup/web2/83e2d6bc24d8a067"
	// The cloud as it runs.
	cloud := map[string]map[string]any{
		"aws_db_instance": {"vpc_security_group_ids": []any{"sg-0a1", "sg-0b1"},
			"enabled_cloudwatch_logs_exports": []any{"postgresql", "upgrade"}},
		"aws_rds_cluster":     {"cluster_members": []any{"app-aurora-1", "app-aurora-2"}},
		"aws_lb":              {"security_groups": []any{"sg-0a1", "sg-0b1"}},
		"aws_lb_target_group": {"load_balancer_arns": []any{fixtureAttr(t, fixtures, "aws_lb", "arn"), lb2}},
		"aws_autoscaling_group": {"vpc_zone_identifier": []any{"subnet-0a1", "subnet-0b1"},
			"target_group_arns": []any{fixtureAttr(t, fixtures, "aws_lb_target_group", "arn"), tg2},
			"tag": []any{map[string]any{"key": "Name", "value": "app", "propagate_at_launch": true},
				map[string]any{"key": "env", "value": "prod", "propagate_at_launch": false}}},
	}
	// The state as the provider wrote it.
	state := map[string]map[string]any{
		"aws_db_instance": {"engine_version": "16", "engine_version_actual": "16.3",
			"latest_restorable_time": "2024-05-01T10:04:00Z", "vpc_security_group_ids": []any{"sg-0b1", "sg-0a1"},
			"enabled_cloudwatch_logs_exports": []any{"upgrade", "postgresql"}, "status": "backing-up",
			"listener_endpoint": []any{}, "master_user_secret": []any{}, "delete_automated_backups": true},
		"aws_rds_cluster": {"engine_version": "16", "engine_version_actual": "16.2",
			"cluster_members":    []any{"app-aurora-2", "app-aurora-1"},
			"availability_zones": []any{"us-east-1c", "us-east-1a", "us-east-1b"}, "master_user_secret": []any{}},
		"aws_lb": {"subnets": []any{"subnet-0b1", "subnet-0a1"}, "security_groups": []any{"sg-0b1", "sg-0a1"},
			"arn_suffix": "app/web/50dc6c495c0c9188"},
		"aws_lb_target_group": {"load_balancer_arns": []any{lb2, fixtureAttr(t, fixtures, "aws_lb", "arn")}},
		"aws_autoscaling_group": {"vpc_zone_identifier": []any{"subnet-0b1", "subnet-0a1"},
			"target_group_arns": []any{tg2, fixtureAttr(t, fixtures, "aws_lb_target_group", "arn")},
			"tag": []any{map[string]any{"key": "env", "value": "prod", "propagate_at_launch": false},
				map[string]any{"key": "Name", "value": "app", "propagate_at_launch": true}},
			"force_delete": true, "wait_for_capacity_timeout": "10m", "predicted_capacity": float64(0)},
	}
	w := world.New(fixtures)
	var st []resource.Resource
	for _, f := range fixtures {
		if _, ok := state[f.Type]; !ok && f.Type != "aws_lb_listener" {
			continue
		}
		require.NoError(t, w.Patch(f.Key(), cloud[f.Type]))
		s := f
		s.Attrs = map[string]any{}
		for k, v := range f.Attrs {
			s.Attrs[k] = v
		}
		for k, v := range state[f.Type] {
			s.Attrs[k] = v
		}
		st = append(st, s)
	}
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	require.Empty(t, res.Skipped)
	var live []resource.Resource
	for _, r := range res.Resources {
		if _, ok := state[r.Type]; ok || r.Type == "aws_lb_listener" {
			live = append(live, r)
		}
	}
	require.Len(t, live, len(st))
	r := drift.Compare(st, live, drift.Options{})
	assert.Empty(t, r.Findings)

	// And a real change still shows, alone.
	require.NoError(t, w.Patch(resource.Key{Provider: "aws", Type: "aws_autoscaling_group", ID: "app"},
		map[string]any{"target_group_arns": []any{tg2}}))
	res = discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	live = live[:0]
	for _, r := range res.Resources {
		if _, ok := state[r.Type]; ok || r.Type == "aws_lb_listener" {
			live = append(live, r)
		}
	}
	r = drift.Compare(st, live, drift.Options{})
	require.Len(t, r.Findings, 1)
	assert.Equal(t, "aws_autoscaling_group", r.Findings[0].Type)
	require.Len(t, r.Findings[0].Diffs, 1)
	assert.Equal(t, resource.Path("target_group_arns"), r.Findings[0].Diffs[0].Path)
}

func fixtureAttr(t *testing.T, fixtures []resource.Resource, typ, attr string) string {
	t.Helper()
	for _, f := range fixtures {
		if f.Type == typ {
			return f.Attrs[attr].(string)
		}
	}
	t.Fatalf("no fixture of %s", typ)
	return ""
}
