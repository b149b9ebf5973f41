package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestRestRulesRemoveFalsePositives: each case differs byte for byte yet
// is not drift; its real variant is.
func TestRestRulesRemoveFalsePositives(t *testing.T) {
	cases := []struct {
		name, typ, state, live, realLive string
		wantPaths                        []resource.Path
	}{
		{
			name:      "CloudFront origins are a set of objects",
			typ:       "aws_cloudfront_distribution",
			state:     `{"origin":[{"origin_id":"s3","domain_name":"b.s3.amazonaws.com","custom_header":[{"name":"B","value":"2"},{"name":"A","value":"1"}]},{"origin_id":"alb","domain_name":"lb.elb.amazonaws.com"}]}`,
			live:      `{"origin":[{"origin_id":"alb","domain_name":"lb.elb.amazonaws.com"},{"origin_id":"s3","domain_name":"b.s3.amazonaws.com","custom_header":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}`,
			realLive:  `{"origin":[{"origin_id":"alb","domain_name":"lb2.elb.amazonaws.com"},{"origin_id":"s3","domain_name":"b.s3.amazonaws.com","custom_header":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}`,
			wantPaths: []resource.Path{"origin[1].domain_name"},
		},
		{
			name:      "CloudFront error responses and function associations are sets",
			typ:       "aws_cloudfront_distribution",
			state:     `{"custom_error_response":[{"error_code":404,"response_code":200},{"error_code":403,"response_code":200}],"default_cache_behavior":[{"function_association":[{"event_type":"viewer-response","function_arn":"b"},{"event_type":"viewer-request","function_arn":"a"}]}]}`,
			live:      `{"custom_error_response":[{"error_code":403,"response_code":200},{"error_code":404,"response_code":200}],"default_cache_behavior":[{"function_association":[{"event_type":"viewer-request","function_arn":"a"},{"event_type":"viewer-response","function_arn":"b"}]}]}`,
			realLive:  `{"custom_error_response":[{"error_code":403,"response_code":200},{"error_code":404,"response_code":404}],"default_cache_behavior":[{"function_association":[{"event_type":"viewer-request","function_arn":"a"},{"event_type":"viewer-response","function_arn":"b"}]}]}`,
			wantPaths: []resource.Path{"custom_error_response[0].response_code"},
		},
		{
			name:     "a distribution deploying is not drift",
			typ:      "aws_cloudfront_distribution",
			state:    `{"status":"Deployed","enabled":true}`,
			live:     `{"status":"InProgress","enabled":true}`,
			realLive: `{"status":"InProgress","enabled":false}`,
		},
		{
			name:     "private zone VPCs are a set",
			typ:      "aws_route53_zone",
			state:    `{"name":"internal.example","vpc":[{"vpc_id":"vpc-2","vpc_region":"eu-west-1"},{"vpc_id":"vpc-1","vpc_region":"us-east-1"}]}`,
			live:     `{"name":"internal.example.","vpc":[{"vpc_id":"vpc-1","vpc_region":"us-east-1"},{"vpc_id":"vpc-2","vpc_region":"eu-west-1"}]}`,
			realLive: `{"name":"internal.example.","vpc":[{"vpc_id":"vpc-1","vpc_region":"us-east-1"}]}`,
		},
		{
			name:     "a record named short in the config",
			typ:      "aws_route53_record",
			state:    `{"name":"www","fqdn":"www.example.com","type":"A","records":["203.0.113.10"]}`,
			live:     `{"name":"www.example.com","fqdn":"www.example.com","type":"A","records":["203.0.113.10"]}`,
			realLive: `{"name":"www.example.com","fqdn":"www.example.com","type":"A","records":["203.0.113.11"]}`,
		},
		{
			name:     "EKS platform versions move on their own",
			typ:      "aws_eks_cluster",
			state:    `{"version":"1.30","platform_version":"eks.8","status":"ACTIVE","created_at":"2024-01-01 00:00:00 +0000 UTC"}`,
			live:     `{"version":"1.30","platform_version":"eks.9","status":"UPDATING","created_at":"2024-01-01T00:00:00Z"}`,
			realLive: `{"version":"1.31","platform_version":"eks.1","status":"ACTIVE"}`,
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
			if tc.wantPaths != nil {
				var got []resource.Path
				for _, d := range r.Findings[0].Diffs {
					got = append(got, d.Path)
				}
				assert.Equal(t, tc.wantPaths, got)
			}
		})
	}
	// The zone's rules from the main table survive the merge.
	z := rulesFor("aws_route53_zone")
	assert.NotNil(t, z.Strings["name"])
	assert.Contains(t, z.Sets, "vpc")
}
