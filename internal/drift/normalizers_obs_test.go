package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestObsNormalizersRemoveFalsePositives: the CloudTrail, CloudWatch and
// instance profile rules, in the style of TestNormalizersRemoveFalsePositives.
func TestObsNormalizersRemoveFalsePositives(t *testing.T) {
	cases := []struct {
		name      string
		typ       string
		state     string
		live      string
		realLive  string
		wantPaths []resource.Path
	}{
		{
			name:      "trail defaults an imported state holds as null",
			typ:       "aws_cloudtrail",
			state:     `{"include_global_service_events":null,"enable_logging":null,"is_multi_region_trail":true}`,
			live:      `{"include_global_service_events":true,"enable_logging":true,"is_multi_region_trail":true}`,
			realLive:  `{"include_global_service_events":true,"enable_logging":false,"is_multi_region_trail":true}`,
			wantPaths: []resource.Path{"enable_logging"},
		},
		{
			name:      "trail excluded event sources and selectors are sets",
			typ:       "aws_cloudtrail",
			state:     `{"event_selector":[{"read_write_type":"All","exclude_management_event_sources":["rdsdata.amazonaws.com","kms.amazonaws.com"]}],"insight_selector":[{"insight_type":"ApiErrorRateInsight"},{"insight_type":"ApiCallRateInsight"}],"advanced_event_selector":[{"name":"s3","field_selector":[{"field":"resources.type","equals":["AWS::S3::Object"]},{"field":"eventCategory","equals":["Data"]}]}]}`,
			live:      `{"event_selector":[{"read_write_type":"All","exclude_management_event_sources":["kms.amazonaws.com","rdsdata.amazonaws.com"]}],"insight_selector":[{"insight_type":"ApiCallRateInsight"},{"insight_type":"ApiErrorRateInsight"}],"advanced_event_selector":[{"name":"s3","field_selector":[{"field":"eventCategory","equals":["Data"]},{"field":"resources.type","equals":["AWS::S3::Object"]}]}]}`,
			realLive:  `{"event_selector":[{"read_write_type":"All","exclude_management_event_sources":["kms.amazonaws.com"]}],"insight_selector":[{"insight_type":"ApiCallRateInsight"},{"insight_type":"ApiErrorRateInsight"}],"advanced_event_selector":[{"name":"s3","field_selector":[{"field":"eventCategory","equals":["Data"]},{"field":"resources.type","equals":["AWS::S3::Object"]}]}]}`,
			wantPaths: []resource.Path{"event_selector[0].exclude_management_event_sources"},
		},
		{
			name:      "alarm actions are sets",
			typ:       "aws_cloudwatch_metric_alarm",
			state:     `{"alarm_actions":["arn:sns:b","arn:sns:a"],"ok_actions":["arn:sns:b","arn:sns:a"],"insufficient_data_actions":["arn:sns:b","arn:sns:a"],"metric_query":[{"id":"m2","expression":"m1*2"},{"id":"m1","expression":""}]}`,
			live:      `{"alarm_actions":["arn:sns:a","arn:sns:b"],"ok_actions":["arn:sns:a","arn:sns:b"],"insufficient_data_actions":["arn:sns:a","arn:sns:b"],"metric_query":[{"id":"m1","expression":""},{"id":"m2","expression":"m1*2"}]}`,
			realLive:  `{"alarm_actions":["arn:sns:a"],"ok_actions":["arn:sns:a","arn:sns:b"],"insufficient_data_actions":["arn:sns:a","arn:sns:b"],"metric_query":[{"id":"m1","expression":""},{"id":"m2","expression":"m1*2"}]}`,
			wantPaths: []resource.Path{"alarm_actions"},
		},
		{
			name:      "alarm defaults",
			typ:       "aws_cloudwatch_metric_alarm",
			state:     `{"treat_missing_data":null,"actions_enabled":null}`,
			live:      `{"treat_missing_data":"missing","actions_enabled":true}`,
			realLive:  `{"treat_missing_data":"breaching","actions_enabled":true}`,
			wantPaths: []resource.Path{"treat_missing_data"},
		},
		{
			name:      "log group class default and config-only skip_destroy",
			typ:       "aws_cloudwatch_log_group",
			state:     `{"log_group_class":null,"skip_destroy":true,"retention_in_days":30}`,
			live:      `{"log_group_class":"STANDARD","skip_destroy":false,"retention_in_days":30}`,
			realLive:  `{"log_group_class":"STANDARD","retention_in_days":0}`,
			wantPaths: []resource.Path{"retention_in_days"},
		},
		{
			name:      "instance profile path default",
			typ:       "aws_iam_instance_profile",
			state:     `{"path":null,"role":"app"}`,
			live:      `{"path":"/","role":"app"}`,
			realLive:  `{"path":"/svc/","role":"app"}`,
			wantPaths: []resource.Path{"path"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := res(t, tc.typ, "x", tc.state)
			l := res(t, tc.typ, "x", tc.live)
			require.False(t, strictEqual(s.Attrs, l.Attrs), "the case must differ byte for byte to show a false positive")
			c := comparer{rules: rulesFor("no_rules_type")}
			c.attrs(s.Attrs, l.Attrs)
			require.NotEmpty(t, c.diffs, "without the type's rules the pair differs")
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
