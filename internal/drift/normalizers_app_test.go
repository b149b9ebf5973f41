package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestAppNormalizersRemoveFalsePositives: the RDS, ELBv2 and Auto Scaling
// rules. As in TestNormalizersRemoveFalsePositives, state and live differ
// byte for byte but mean the same thing to the provider (sets in another
// order, a configured version prefix, computed-only attributes, defaults
// an older or imported state holds as null); the "real" variant proves the
// rule does not hide genuine drift.
func TestAppNormalizersRemoveFalsePositives(t *testing.T) {
	cases := []struct {
		name      string
		typ       string
		state     string
		live      string
		realLive  string
		wantPaths []resource.Path
	}{
		{
			name:      "db engine_version: the configured prefix of the running version",
			typ:       "aws_db_instance",
			state:     `{"engine":"postgres","engine_version":"16","engine_version_actual":"16.3"}`,
			live:      `{"engine":"postgres","engine_version":"16.3"}`,
			realLive:  `{"engine":"postgres","engine_version":"17.2"}`,
			wantPaths: []resource.Path{"engine_version"},
		},
		{
			name:      "engine_version_actual is the provider's record of a minor upgrade, not configuration",
			typ:       "aws_rds_cluster",
			state:     `{"engine":"aurora-postgresql","engine_version":"16","engine_version_actual":"16.2"}`,
			live:      `{"engine":"aurora-postgresql","engine_version":"16.4","engine_version_actual":"16.4"}`,
			realLive:  `{"engine":"aurora-postgresql","engine_version":"17.1","engine_version_actual":"17.1"}`,
			wantPaths: []resource.Path{"engine_version"},
		},
		{
			name:      "version prefix ends at a dot",
			typ:       "aws_db_instance",
			state:     `{"engine_version":"5.7"}`,
			live:      `{"engine_version":"5.7.44"}`,
			realLive:  `{"engine_version":"5.70.1"}`,
			wantPaths: []resource.Path{"engine_version"},
		},
		{
			name: "db computed-only attributes move on their own",
			typ:  "aws_db_instance",
			state: `{"instance_class":"db.t3.micro","status":"backing-up","latest_restorable_time":"2024-05-01T10:00:00Z",
				"engine_version_actual":"16.2","listener_endpoint":[],
				"master_user_secret":[{"kms_key_id":"k","secret_arn":"arn:s1","secret_status":"creating"}]}`,
			live: `{"instance_class":"db.t3.micro","status":"available","latest_restorable_time":"2024-05-02T08:55:00Z",
				"engine_version_actual":"16.3","listener_endpoint":[{"address":"a","port":5432,"hosted_zone_id":"Z"}],
				"master_user_secret":[{"kms_key_id":"k","secret_arn":"arn:s1","secret_status":"active"}]}`,
			realLive:  `{"instance_class":"db.t3.large","status":"available"}`,
			wantPaths: []resource.Path{"instance_class"},
		},
		{
			name:      "db log exports are a set",
			typ:       "aws_db_instance",
			state:     `{"enabled_cloudwatch_logs_exports":["upgrade","postgresql"],"vpc_security_group_ids":["sg-2","sg-1"]}`,
			live:      `{"enabled_cloudwatch_logs_exports":["postgresql","upgrade"],"vpc_security_group_ids":["sg-1","sg-2"]}`,
			realLive:  `{"enabled_cloudwatch_logs_exports":["postgresql"],"vpc_security_group_ids":["sg-1","sg-2"]}`,
			wantPaths: []resource.Path{"enabled_cloudwatch_logs_exports"},
		},
		{
			name:      "cluster engine_version prefix, members and zones as sets",
			typ:       "aws_rds_cluster",
			state:     `{"engine":"aurora-postgresql","engine_version":"16","cluster_members":["app-2","app-1"],"availability_zones":["us-east-1c","us-east-1a","us-east-1b"],"iam_roles":["arn:r2","arn:r1"]}`,
			live:      `{"engine":"aurora-postgresql","engine_version":"16.2","cluster_members":["app-1","app-2"],"availability_zones":["us-east-1a","us-east-1b","us-east-1c"],"iam_roles":["arn:r1","arn:r2"]}`,
			realLive:  `{"engine":"aurora-postgresql","engine_version":"16.2","cluster_members":["app-1"],"availability_zones":["us-east-1a","us-east-1b","us-east-1c"],"iam_roles":["arn:r1","arn:r2"]}`,
			wantPaths: []resource.Path{"cluster_members"},
		},
		{
			name:      "cluster computed-only attributes and write-only password",
			typ:       "aws_rds_cluster",
			state:     `{"deletion_protection":true,"master_password":"hunter2","cluster_resource_id":"cluster-OLD","engine_version_actual":"16.1","endpoint":null,"reader_endpoint":null,"hosted_zone_id":null,"cluster_identifier_prefix":"app-"}`,
			live:      `{"deletion_protection":true,"master_password":null,"cluster_resource_id":"cluster-ABC","engine_version_actual":"16.2","endpoint":"app.cluster-x.rds.amazonaws.com","reader_endpoint":"app.cluster-ro-x.rds.amazonaws.com","hosted_zone_id":"Z2R2ITUGPM61AM","cluster_identifier_prefix":""}`,
			realLive:  `{"deletion_protection":false}`,
			wantPaths: []resource.Path{"deletion_protection"},
		},
		{
			name:      "load balancer subnets and subnet mappings are sets",
			typ:       "aws_lb",
			state:     `{"subnets":["subnet-b","subnet-a"],"security_groups":["sg-2","sg-1"],"subnet_mapping":[{"subnet_id":"subnet-b","allocation_id":""},{"subnet_id":"subnet-a","allocation_id":""}]}`,
			live:      `{"subnets":["subnet-a","subnet-b"],"security_groups":["sg-1","sg-2"],"subnet_mapping":[{"subnet_id":"subnet-a","allocation_id":""},{"subnet_id":"subnet-b","allocation_id":""}]}`,
			realLive:  `{"subnets":["subnet-a","subnet-b","subnet-c"],"security_groups":["sg-1","sg-2"],"subnet_mapping":[{"subnet_id":"subnet-a","allocation_id":""},{"subnet_id":"subnet-b","allocation_id":""}]}`,
			wantPaths: []resource.Path{"subnets"},
		},
		{
			name:      "load balancer defaults an imported state holds as null",
			typ:       "aws_lb",
			state:     `{"load_balancer_type":null,"internal":null,"idle_timeout":null,"enable_http2":null,"enable_deletion_protection":null,"ip_address_type":null}`,
			live:      `{"load_balancer_type":"application","internal":false,"idle_timeout":60,"enable_http2":true,"enable_deletion_protection":false,"ip_address_type":"ipv4"}`,
			realLive:  `{"load_balancer_type":"application","internal":false,"idle_timeout":120,"enable_http2":true,"enable_deletion_protection":false,"ip_address_type":"ipv4"}`,
			wantPaths: []resource.Path{"idle_timeout"},
		},
		{
			name:      "target group load balancers are a set",
			typ:       "aws_lb_target_group",
			state:     `{"load_balancer_arns":["arn:lb/2","arn:lb/1"],"target_type":null,"ip_address_type":null}`,
			live:      `{"load_balancer_arns":["arn:lb/1","arn:lb/2"],"target_type":"instance","ip_address_type":"ipv4"}`,
			realLive:  `{"load_balancer_arns":["arn:lb/1","arn:lb/2"],"target_type":"ip","ip_address_type":"ipv4"}`,
			wantPaths: []resource.Path{"target_type"},
		},
		{
			name:      "listener forward target groups are a set",
			typ:       "aws_lb_listener",
			state:     `{"default_action":[{"type":"forward","forward":[{"target_group":[{"arn":"arn:tg/2","weight":20},{"arn":"arn:tg/1","weight":80}]}]}]}`,
			live:      `{"default_action":[{"type":"forward","forward":[{"target_group":[{"arn":"arn:tg/1","weight":80},{"arn":"arn:tg/2","weight":20}]}]}]}`,
			realLive:  `{"default_action":[{"type":"forward","forward":[{"target_group":[{"arn":"arn:tg/1","weight":50},{"arn":"arn:tg/2","weight":20}]}]}]}`,
			wantPaths: []resource.Path{"default_action[0].forward[0].target_group[1].weight"},
		},
		{
			name: "scaling group subnets, target groups and tag blocks are sets",
			typ:  "aws_autoscaling_group",
			state: `{"vpc_zone_identifier":["subnet-b","subnet-a"],"target_group_arns":["arn:tg/2","arn:tg/1"],"load_balancers":["b","a"],
				"suspended_processes":["Launch","AZRebalance"],"enabled_metrics":["GroupMaxSize","GroupMinSize"],
				"tag":[{"key":"env","value":"prod","propagate_at_launch":true},{"key":"Name","value":"app","propagate_at_launch":true}]}`,
			live: `{"vpc_zone_identifier":["subnet-a","subnet-b"],"target_group_arns":["arn:tg/1","arn:tg/2"],"load_balancers":["a","b"],
				"suspended_processes":["AZRebalance","Launch"],"enabled_metrics":["GroupMinSize","GroupMaxSize"],
				"tag":[{"key":"Name","value":"app","propagate_at_launch":true},{"key":"env","value":"prod","propagate_at_launch":true}]}`,
			realLive: `{"vpc_zone_identifier":["subnet-a","subnet-b"],"target_group_arns":["arn:tg/1","arn:tg/2"],"load_balancers":["a","b"],
				"tag":[{"key":"Name","value":"app","propagate_at_launch":true},{"key":"env","value":"dev","propagate_at_launch":true}]}`,
			wantPaths: []resource.Path{"tag[0].value"},
		},
		{
			name:      "scaling group defaults and config-only arguments",
			typ:       "aws_autoscaling_group",
			state:     `{"default_cooldown":null,"health_check_type":null,"health_check_grace_period":null,"protect_from_scale_in":null,"capacity_rebalance":null,"force_delete":true,"force_delete_warm_pool":true,"wait_for_capacity_timeout":"10m","min_elb_capacity":2,"wait_for_elb_capacity":2,"ignore_failed_scaling_activities":true,"predicted_capacity":3,"warm_pool_size":2}`,
			live:      `{"default_cooldown":300,"health_check_type":"EC2","health_check_grace_period":300,"protect_from_scale_in":false,"capacity_rebalance":false,"force_delete":false,"force_delete_warm_pool":false,"wait_for_capacity_timeout":"","min_elb_capacity":0,"wait_for_elb_capacity":0,"ignore_failed_scaling_activities":false,"predicted_capacity":0,"warm_pool_size":0}`,
			realLive:  `{"default_cooldown":300,"health_check_type":"ELB","health_check_grace_period":300}`,
			wantPaths: []resource.Path{"health_check_type"},
		},
		{
			name:      "termination policies: none configured is the API's [\"Default\"]",
			typ:       "aws_autoscaling_group",
			state:     `{"termination_policies":[]}`,
			live:      `{"termination_policies":["Default"]}`,
			realLive:  `{"termination_policies":["OldestInstance","Default"]}`,
			wantPaths: []resource.Path{"termination_policies[0]", "termination_policies[1]"},
		},
		{
			name:      "termination policies: a null state is the default too",
			typ:       "aws_autoscaling_group",
			state:     `{"termination_policies":null,"max_size":4}`,
			live:      `{"termination_policies":["Default"],"max_size":4}`,
			realLive:  `{"termination_policies":["OldestInstance"],"max_size":4}`,
			wantPaths: []resource.Path{"termination_policies"},
		},
		{
			name:      "desired capacity moves with scaling policies; the bounds are the configuration's",
			typ:       "aws_autoscaling_group",
			state:     `{"min_size":2,"max_size":10,"desired_capacity":2}`,
			live:      `{"min_size":2,"max_size":10,"desired_capacity":7}`,
			realLive:  `{"min_size":2,"max_size":20,"desired_capacity":7}`,
			wantPaths: []resource.Path{"max_size"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := res(t, tc.typ, "x", tc.state)
			l := res(t, tc.typ, "x", tc.live)
			require.False(t, strictEqual(s.Attrs, l.Attrs), "the case must differ byte for byte to show a false positive")
			r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
			assert.False(t, r.HasDrift(), "false positive: %+v", r.Findings)

			rl := res(t, tc.typ, "x", tc.realLive)
			r = Compare([]resource.Resource{s}, []resource.Resource{rl}, Options{})
			require.True(t, r.HasDrift(), "the normalizer hid real drift")
			var got []resource.Path
			for _, d := range r.Findings[0].Diffs {
				got = append(got, d.Path)
			}
			assert.Equal(t, tc.wantPaths, got)
		})
	}
}

// TestAppRulesWithoutThemReportDrift proves each case above is a false
// positive the rules remove: compared with the global rules only, the
// same pairs differ.
func TestAppRulesWithoutThemReportDrift(t *testing.T) {
	for _, tc := range []struct{ typ, state, live string }{
		{"aws_db_instance", `{"engine_version":"16"}`, `{"engine_version":"16.3"}`},
		{"aws_db_instance", `{"enabled_cloudwatch_logs_exports":["upgrade","postgresql"]}`, `{"enabled_cloudwatch_logs_exports":["postgresql","upgrade"]}`},
		{"aws_rds_cluster", `{"cluster_members":["app-2","app-1"]}`, `{"cluster_members":["app-1","app-2"]}`},
		{"aws_lb", `{"subnets":["subnet-b","subnet-a"]}`, `{"subnets":["subnet-a","subnet-b"]}`},
		{"aws_lb_target_group", `{"load_balancer_arns":["arn:lb/2","arn:lb/1"]}`, `{"load_balancer_arns":["arn:lb/1","arn:lb/2"]}`},
		{"aws_autoscaling_group", `{"vpc_zone_identifier":["subnet-b","subnet-a"]}`, `{"vpc_zone_identifier":["subnet-a","subnet-b"]}`},
		{"aws_autoscaling_group", `{"tag":[{"key":"b","value":"2"},{"key":"a","value":"1"}]}`, `{"tag":[{"key":"a","value":"1"},{"key":"b","value":"2"}]}`},
	} {
		s := res(t, tc.typ, "x", tc.state)
		l := res(t, tc.typ, "x", tc.live)
		c := comparer{rules: rulesFor("no_rules_type")}
		c.attrs(s.Attrs, l.Attrs)
		assert.NotEmpty(t, c.diffs, "%s %s", tc.typ, tc.state)
		c = comparer{rules: rulesFor(tc.typ)}
		c.attrs(s.Attrs, l.Attrs)
		assert.Empty(t, c.diffs, "%s %s", tc.typ, tc.state)
	}
}

// TestListDefaultOnlyFillsEmpty: a list default stands in for an empty
// side only; two non-empty lists compare in order.
func TestListDefaultOnlyFillsEmpty(t *testing.T) {
	s := res(t, "aws_autoscaling_group", "x", `{"termination_policies":["OldestInstance","Default"]}`)
	l := res(t, "aws_autoscaling_group", "x", `{"termination_policies":["Default","OldestInstance"]}`)
	r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
	require.True(t, r.HasDrift(), "termination policies apply in order")
	s = res(t, "aws_autoscaling_group", "x", `{"termination_policies":["OldestInstance"]}`)
	l = res(t, "aws_autoscaling_group", "x", `{"termination_policies":["Default"]}`)
	require.True(t, Compare([]resource.Resource{s}, []resource.Resource{l}, Options{}).HasDrift())
}
