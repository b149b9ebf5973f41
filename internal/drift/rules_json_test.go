package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestJSONRulesRemoveFalsePositives: each state differs from the live
// side byte for byte (set order, an ARN for a name, a field one provider
// version stores) yet is not drift; its real variant is, at the paths
// given.
func TestJSONRulesRemoveFalsePositives(t *testing.T) {
	const (
		clusterARN = "arn:aws:ecs:us-east-1:123456789012:cluster/app"
		roleARN    = "arn:aws:iam::123456789012:role/service/ecs-lb"
		taskARN    = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"
	)
	cases := []struct {
		name, typ, state, live, realLive string
		wantPaths                        []resource.Path
	}{
		{
			name:      "DynamoDB attribute definitions are a set",
			typ:       "aws_dynamodb_table",
			state:     `{"attribute":[{"name":"sk","type":"S"},{"name":"pk","type":"S"}]}`,
			live:      `{"attribute":[{"name":"pk","type":"S"},{"name":"sk","type":"S"}]}`,
			realLive:  `{"attribute":[{"name":"pk","type":"S"},{"name":"sk","type":"N"}]}`,
			wantPaths: []resource.Path{"attribute[0].type"},
		},
		{
			name: "DynamoDB global secondary indexes and their non-key attributes are sets",
			typ:  "aws_dynamodb_table",
			state: `{"global_secondary_index":[
				{"name":"byB","hash_key":"b","projection_type":"INCLUDE","non_key_attributes":["y","x"]},
				{"name":"byA","hash_key":"a","projection_type":"ALL","non_key_attributes":[]}]}`,
			live: `{"global_secondary_index":[
				{"name":"byA","hash_key":"a","projection_type":"ALL","non_key_attributes":[]},
				{"name":"byB","hash_key":"b","projection_type":"INCLUDE","non_key_attributes":["x","y"]}]}`,
			realLive: `{"global_secondary_index":[
				{"name":"byA","hash_key":"a","projection_type":"ALL","non_key_attributes":[]},
				{"name":"byB","hash_key":"b","projection_type":"INCLUDE","non_key_attributes":["x","z"]}]}`,
			wantPaths: []resource.Path{"global_secondary_index[0].non_key_attributes"},
		},
		{
			name:      "DynamoDB local secondary indexes are a set",
			typ:       "aws_dynamodb_table",
			state:     `{"local_secondary_index":[{"name":"l2","range_key":"d"},{"name":"l1","range_key":"c"}]}`,
			live:      `{"local_secondary_index":[{"name":"l1","range_key":"c"},{"name":"l2","range_key":"d"}]}`,
			realLive:  `{"local_secondary_index":[{"name":"l1","range_key":"c"},{"name":"l2","range_key":"e"}]}`,
			wantPaths: []resource.Path{"local_secondary_index[0].range_key"},
		},
		{
			name:      "DynamoDB replicas are a set",
			typ:       "aws_dynamodb_table",
			state:     `{"replica":[{"region_name":"eu-west-1","propagate_tags":false},{"region_name":"ap-south-1","propagate_tags":false}]}`,
			live:      `{"replica":[{"region_name":"ap-south-1","propagate_tags":false},{"region_name":"eu-west-1","propagate_tags":false}]}`,
			realLive:  `{"replica":[{"region_name":"ap-south-1","propagate_tags":false}]}`,
			wantPaths: []resource.Path{"replica[0]"},
		},
		{
			name: "a GSI key_schema only newer providers store is unknown when absent",
			typ:  "aws_dynamodb_table",
			state: `{"global_secondary_index":[{"name":"byA","hash_key":"a",
				"key_schema":[{"attribute_name":"a","key_type":"HASH"}]}]}`,
			live: `{"global_secondary_index":[{"name":"byA","hash_key":"a"}]}`,
			// A key_schema present on both sides is still compared.
			realLive: `{"global_secondary_index":[{"name":"byA","hash_key":"a",
				"key_schema":[{"attribute_name":"b","key_type":"HASH"}]}]}`,
			wantPaths: []resource.Path{"global_secondary_index[0].key_schema[0].attribute_name"},
		},
		{
			name: "GSI hash_key is compared when key_schema is unknown",
			typ:  "aws_dynamodb_table",
			state: `{"global_secondary_index":[{"name":"byA","hash_key":"a",
				"key_schema":[{"attribute_name":"a","key_type":"HASH"}]}]}`,
			live:      `{"global_secondary_index":[{"name":"byA","hash_key":"a","read_capacity":0}]}`,
			realLive:  `{"global_secondary_index":[{"name":"byA","hash_key":"b"}]}`,
			wantPaths: []resource.Path{"global_secondary_index[0].hash_key"},
		},
		{
			name:      "ACM alternative names and validation options are sets",
			typ:       "aws_acm_certificate",
			state:     `{"subject_alternative_names":["b.example.com","a.example.com"],"domain_validation_options":[{"domain_name":"b.example.com","resource_record_name":"_b"},{"domain_name":"a.example.com","resource_record_name":"_a"}]}`,
			live:      `{"subject_alternative_names":["a.example.com","b.example.com"],"domain_validation_options":[{"domain_name":"a.example.com","resource_record_name":"_a"},{"domain_name":"b.example.com","resource_record_name":"_b"}]}`,
			realLive:  `{"subject_alternative_names":["a.example.com","c.example.com"],"domain_validation_options":[{"domain_name":"a.example.com","resource_record_name":"_a"},{"domain_name":"b.example.com","resource_record_name":"_b2"}]}`,
			wantPaths: []resource.Path{"domain_validation_options[0].resource_record_name", "subject_alternative_names"},
		},
		{
			name:      "ECS cluster settings are a set",
			typ:       "aws_ecs_cluster",
			state:     `{"setting":[{"name":"containerInsights","value":"enabled"},{"name":"awsvpcTrunking","value":"disabled"}]}`,
			live:      `{"setting":[{"name":"awsvpcTrunking","value":"disabled"},{"name":"containerInsights","value":"enabled"}]}`,
			realLive:  `{"setting":[{"name":"awsvpcTrunking","value":"disabled"},{"name":"containerInsights","value":"disabled"}]}`,
			wantPaths: []resource.Path{"setting[0].value"},
		},
		{
			name: "ECS service load balancers, capacity providers and awsvpc subnets and groups are sets",
			typ:  "aws_ecs_service",
			state: `{"load_balancer":[{"target_group_arn":"tg2","container_name":"api","container_port":9000},{"target_group_arn":"tg1","container_name":"web","container_port":80}],
				"capacity_provider_strategy":[{"capacity_provider":"FARGATE_SPOT","weight":3,"base":0},{"capacity_provider":"FARGATE","weight":1,"base":1}],
				"network_configuration":[{"subnets":["subnet-b","subnet-a"],"security_groups":["sg-b","sg-a"],"assign_public_ip":false}]}`,
			live: `{"load_balancer":[{"target_group_arn":"tg1","container_name":"web","container_port":80},{"target_group_arn":"tg2","container_name":"api","container_port":9000}],
				"capacity_provider_strategy":[{"capacity_provider":"FARGATE","weight":1,"base":1},{"capacity_provider":"FARGATE_SPOT","weight":3,"base":0}],
				"network_configuration":[{"subnets":["subnet-a","subnet-b"],"security_groups":["sg-a","sg-b"],"assign_public_ip":false}]}`,
			realLive: `{"load_balancer":[{"target_group_arn":"tg1","container_name":"web","container_port":8080},{"target_group_arn":"tg2","container_name":"api","container_port":9000}],
				"capacity_provider_strategy":[{"capacity_provider":"FARGATE","weight":1,"base":1},{"capacity_provider":"FARGATE_SPOT","weight":1,"base":0}],
				"network_configuration":[{"subnets":["subnet-a","subnet-c"],"security_groups":["sg-a","sg-b"],"assign_public_ip":false}]}`,
			wantPaths: []resource.Path{"capacity_provider_strategy[0].weight", "load_balancer[1].container_port",
				"network_configuration[0].subnets"},
		},
		{
			name:      "ECS ordered placement strategies stay ordered",
			typ:       "aws_ecs_service",
			state:     `{"ordered_placement_strategy":[{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"binpack","field":"memory"}],"desired_count":2}`,
			live:      `{"ordered_placement_strategy":[{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"binpack","field":"memory"}],"desired_count":2.0,"launch_type":""}`,
			realLive:  `{"ordered_placement_strategy":[{"type":"binpack","field":"memory"},{"type":"spread","field":"attribute:ecs.availability-zone"}],"desired_count":2}`,
			wantPaths: []resource.Path{"ordered_placement_strategy[0].field", "ordered_placement_strategy[0].type", "ordered_placement_strategy[1].field", "ordered_placement_strategy[1].type"},
		},
		{
			name:      "ECS service references kept as names in state match the API's ARNs",
			typ:       "aws_ecs_service",
			state:     `{"cluster":"app","iam_role":"ecs-lb","task_definition":"web:7"}`,
			live:      `{"cluster":"` + clusterARN + `","iam_role":"` + roleARN + `","task_definition":"` + taskARN + `"}`,
			realLive:  `{"cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/app2","iam_role":"` + roleARN + `","task_definition":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:8"}`,
			wantPaths: []resource.Path{"cluster", "task_definition"},
		},
		{
			name:      "ECS service references kept as ARNs compare whole",
			typ:       "aws_ecs_service",
			state:     `{"cluster":"` + clusterARN + `","task_definition":"` + taskARN + `"}`,
			live:      `{"cluster":"` + clusterARN + `","task_definition":"` + taskARN + `","iam_role":""}`,
			realLive:  `{"cluster":"arn:aws:ecs:us-east-1:210987654321:cluster/app","task_definition":"` + taskARN + `"}`,
			wantPaths: []resource.Path{"cluster"},
		},
		{
			name:      "an SNS filter policy of {} is no policy; policies compare as JSON",
			typ:       "aws_sns_topic_subscription",
			state:     `{"filter_policy":"","redrive_policy":""}`,
			live:      `{"filter_policy":"{}","redrive_policy":""}`,
			realLive:  `{"filter_policy":"{\"event\":[\"paid\"]}","redrive_policy":""}`,
			wantPaths: []resource.Path{"filter_policy"},
		},
		{
			name:      "an SNS filter policy's key order is not drift",
			typ:       "aws_sns_topic_subscription",
			state:     `{"filter_policy":"{\"event\":[\"paid\"],\"region\":[\"eu\"]}"}`,
			live:      `{"filter_policy":"{\"region\": [\"eu\"], \"event\": [\"paid\"]}"}`,
			realLive:  `{"filter_policy":"{\"region\": [\"eu\"], \"event\": [\"refunded\"]}"}`,
			wantPaths: []resource.Path{"filter_policy.event"},
		},
		{
			name:      "Secrets Manager replicas are a set",
			typ:       "aws_secretsmanager_secret",
			state:     `{"replica":[{"region":"eu-west-1","kms_key_id":"k1"},{"region":"ap-south-1","kms_key_id":"k2"}]}`,
			live:      `{"replica":[{"region":"ap-south-1","kms_key_id":"k2"},{"region":"eu-west-1","kms_key_id":"k1"}]}`,
			realLive:  `{"replica":[{"region":"ap-south-1","kms_key_id":"k2"},{"region":"eu-west-1","kms_key_id":"k3"}]}`,
			wantPaths: []resource.Path{"replica[0].kms_key_id"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := res(t, tc.typ, "x", tc.state)
			l := res(t, tc.typ, "x", tc.live)
			require.False(t, strictEqual(s.Attrs, l.Attrs), "the case must differ byte for byte")
			r := Compare([]resource.Resource{s}, []resource.Resource{l}, Options{})
			assert.False(t, r.HasDrift(), "false positive: %+v", r.Findings)
			r = Compare([]resource.Resource{s}, []resource.Resource{res(t, tc.typ, "x", tc.realLive)}, Options{})
			require.True(t, r.HasDrift(), "the rule hid real drift")
			var got []resource.Path
			for _, d := range r.Findings[0].Diffs {
				got = append(got, d.Path)
			}
			assert.Equal(t, tc.wantPaths, got)
		})
	}
	// The merge keeps what the main table says of the same types.
	assert.Contains(t, rulesFor("aws_ecs_service").Sets, "load_balancer")
	assert.True(t, rulesFor("aws_ecs_service").Ignore["tags_all"])
}

// TestRefEqual pins which ARN/name pairs are one reference.
func TestRefEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"arn:aws:ecs:r:1:cluster/app", "app", true},
		{"app", "arn:aws:ecs:r:1:cluster/app", true},
		{"arn:aws:iam::1:role/path/to/r", "r", true},
		{"arn:aws:ecs:r:1:task-definition/web:3", "web:3", true},
		{"arn:aws:ecs:r:1:task-definition/web:3", "web:4", false},
		{"arn:aws:ecs:r:1:cluster/app", "arn:aws:ecs:r:2:cluster/app", false},
		{"app", "app2", false},
		{"arn:aws:sns:r:1:topic", "topic", false}, // no "/": not a named reference
		{"arn:aws:ecs:r:1:cluster/", "", false},
	} {
		assert.Equal(t, tc.want, refEqual(tc.a, tc.b), "%s vs %s", tc.a, tc.b)
	}
}
