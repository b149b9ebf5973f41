package awssim_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// TestObsFaults: throttling, denial and a service not enabled are answered
// in each protocol's error shape with the service's codes, which the SDK
// deserializers parse (CloudWatch's RPC v2 CBOR errors carry the Query
// code the SDK reports, as for every awsQueryCompatible service).
func TestObsFaults(t *testing.T) {
	w, cfg := start(t)
	ctx := context.Background()
	calls := map[string]struct {
		call                       func() error
		throttle, denied, disabled string
	}{
		"aws:cloudtrail": {func() error {
			_, err := cloudtrail.NewFromConfig(cfg).ListTrails(ctx, &cloudtrail.ListTrailsInput{})
			return err
		}, "ThrottlingException", "AccessDeniedException", "SubscriptionRequiredException"},
		"aws:logs": {func() error {
			_, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
			return err
		}, "ThrottlingException", "AccessDeniedException", "SubscriptionRequiredException"},
		"aws:monitoring": {func() error {
			_, err := cloudwatch.NewFromConfig(cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
			return err
		}, "Throttling", "AccessDenied", "OptInRequired"},
	}
	for svc, c := range calls {
		w.SetFaults(world.Faults{ThrottleRate: 1})
		err := c.call()
		assert.Equal(t, c.throttle, code(t, err), svc)
		var re interface{ HTTPStatusCode() int }
		require.True(t, errors.As(err, &re), svc)
		assert.Equal(t, http.StatusBadRequest, re.HTTPStatusCode(), svc)
		w.SetFaults(world.Faults{Deny: map[string]bool{svc: true}})
		assert.Equal(t, c.denied, code(t, c.call()), svc)
		w.SetFaults(world.Faults{Disabled: map[string]bool{svc: true}})
		assert.Equal(t, c.disabled, code(t, c.call()), svc)
		w.SetFaults(world.Faults{})
		require.NoError(t, c.call(), svc)
	}
}

func TestCloudTrailAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := cloudtrail.NewFromConfig(cfg)
	arn := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/main"

	// By name in its region, by ARN anywhere; shadow trails by default.
	d, err := c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"main"}})
	require.NoError(t, err)
	require.Len(t, d.TrailList, 1)
	tr := d.TrailList[0]
	assert.Equal(t, arn, aws.ToString(tr.TrailARN))
	assert.True(t, aws.ToBool(tr.IsMultiRegionTrail))
	assert.True(t, aws.ToBool(tr.LogFileValidationEnabled))
	assert.True(t, aws.ToBool(tr.HasCustomEventSelectors))
	assert.Contains(t, aws.ToString(tr.KmsKeyId), ":key/")
	west := cfg.Copy()
	west.Region = "us-west-2"
	d, err = cloudtrail.NewFromConfig(west).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	require.NoError(t, err)
	require.Len(t, d.TrailList, 1, "the multi-region trail is a shadow in us-west-2")
	assert.Equal(t, "us-east-1", aws.ToString(d.TrailList[0].HomeRegion))
	d, err = cloudtrail.NewFromConfig(west).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	require.NoError(t, err)
	assert.Empty(t, d.TrailList)

	st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(st.IsLogging))
	_, err = c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("nope")})
	var nf *cttypes.TrailNotFoundException
	assert.ErrorAs(t, err, &nf)
	_, err = cloudtrail.NewFromConfig(west).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	assert.ErrorAs(t, err, &nf, "a shadow trail is found by ARN only")

	es, err := c.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(arn)})
	require.NoError(t, err)
	require.Len(t, es.EventSelectors, 1)
	assert.Equal(t, cttypes.ReadWriteTypeAll, es.EventSelectors[0].ReadWriteType)
	require.Len(t, es.EventSelectors[0].DataResources, 1)
	_, err = c.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("nope")})
	assert.ErrorAs(t, err, &nf)

	tags, err := c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	require.NoError(t, err)
	require.Len(t, tags.ResourceTagList, 1)
	assert.Len(t, tags.ResourceTagList[0].TagsList, 2)
	_, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{"main"}})
	assert.Equal(t, "CloudTrailARNInvalidException", code(t, err))
	_, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn + "x"}})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	_, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: make([]string, 21)})
	assert.Equal(t, "InvalidParameterException", code(t, err))
	_, err = c.ListTrails(ctx, &cloudtrail.ListTrailsInput{NextToken: aws.String("x")})
	assert.Equal(t, "InvalidNextTokenException", code(t, err))
}

func TestLogsAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(cfg)
	out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/")})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 1)
	g := out.LogGroups[0]
	assert.Equal(t, aws.ToString(g.LogGroupArn)+":*", aws.ToString(g.Arn))
	assert.Equal(t, int32(365), aws.ToInt32(g.RetentionInDays))
	out, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/other")})
	require.NoError(t, err)
	assert.Empty(t, out.LogGroups)

	_, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	var bad *logtypes.InvalidParameterException
	assert.ErrorAs(t, err, &bad)
	_, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{NextToken: aws.String("x")})
	assert.ErrorAs(t, err, &bad)

	_, err = c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: g.Arn})
	assert.ErrorAs(t, err, &bad, "the ARN with :* is not a resource ARN")
	_, err = c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(aws.ToString(g.LogGroupArn) + "x")})
	var nf *logtypes.ResourceNotFoundException
	assert.ErrorAs(t, err, &nf)
}

func TestCloudWatchAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := cloudwatch.NewFromConfig(cfg)
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"web-5xx"}})
	require.NoError(t, err)
	require.Len(t, out.MetricAlarms, 1)
	a := out.MetricAlarms[0]
	assert.Equal(t, 10.5, aws.ToFloat64(a.Threshold))
	assert.Equal(t, int32(3), aws.ToInt32(a.EvaluationPeriods))
	assert.Equal(t, int32(60), aws.ToInt32(a.Period))
	assert.Equal(t, cwtypes.ComparisonOperatorGreaterThanThreshold, a.ComparisonOperator)
	assert.Equal(t, 2024, aws.ToTime(a.StateUpdatedTimestamp).Year())
	require.Len(t, a.Dimensions, 1)

	for _, in := range []*cloudwatch.DescribeAlarmsInput{{AlarmNames: []string{"nope"}}, {AlarmNamePrefix: aws.String("db-")},
		{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}}} {
		out, err = c.DescribeAlarms(ctx, in)
		require.NoError(t, err)
		assert.Empty(t, out.MetricAlarms)
	}

	_, err = c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{NextToken: aws.String("x")})
	var bad *cwtypes.InvalidNextToken
	assert.ErrorAs(t, err, &bad)
	assert.Equal(t, "InvalidNextToken", code(t, err))
	_, err = c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(101)})
	assert.Equal(t, "InvalidParameterValue", code(t, err))
	_, err = c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch:us-east-1:1:alarm:x")})
	var nf *cwtypes.ResourceNotFoundException
	assert.ErrorAs(t, err, &nf)
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, smithy.FaultClient, ae.ErrorFault())
}

// TestCBORRawRequests: what is not an RPC v2 CBOR call is refused.
func TestCBORRawRequests(t *testing.T) {
	srv := httptest.NewServer(awssim.NewHandler(world.New(nil)))
	defer srv.Close()
	for _, tc := range []struct {
		name, path, protocol string
		body                 []byte
	}{
		{"no protocol header", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", "", nil},
		{"not CBOR", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", "rpc-v2-cbor", []byte("{}")},
		{"unknown operation", "/service/GraniteServiceVersion20100801/operation/PutMetricAlarm", "rpc-v2-cbor", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+tc.path, bytes.NewReader(tc.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x")
			if tc.protocol != "" {
				req.Header.Set("Smithy-Protocol", tc.protocol)
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Equal(t, "application/cbor", resp.Header.Get("Content-Type"))
		})
	}
}

func TestIAMObsAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	ps, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{})
	require.NoError(t, err)
	require.Len(t, ps.InstanceProfiles, 1)
	p := ps.InstanceProfiles[0]
	assert.Empty(t, p.Tags, "ListInstanceProfiles leaves tags out")
	require.Len(t, p.Roles, 1)
	assert.Equal(t, "app", aws.ToString(p.Roles[0].RoleName))
	tags, err := c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("app")})
	require.NoError(t, err)
	assert.Len(t, tags.Tags, 1)

	for _, err := range []error{
		func() error {
			_, err := c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nope")})
			return err
		}(),
		func() error {
			_, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("nope")})
			return err
		}(),
		func() error {
			_, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("nope")})
			return err
		}(),
	} {
		assert.Equal(t, "NoSuchEntity", code(t, err))
	}
	up, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})
	require.NoError(t, err)
	require.Len(t, up.AttachedPolicies, 1)
	assert.Equal(t, "IAMUserChangePassword", aws.ToString(up.AttachedPolicies[0].PolicyName))
}

// FuzzCBORRequest: whatever body a CloudWatch call carries, the simulator
// answers with a success or a client error, never a panic or a 5xx.
func FuzzCBORRequest(f *testing.F) {
	f.Add("DescribeAlarms", []byte{0xa1, 0x6a, 'M', 'a', 'x', 'R', 'e', 'c', 'o', 'r', 'd', 's', 0x01})
	f.Add("DescribeAlarms", []byte{0xa1, 0x69, 'N', 'e', 'x', 't', 'T', 'o', 'k', 'e', 'n', 0x61, '1'})
	f.Add("ListTagsForResource", []byte{0xa0})
	f.Add("DescribeAlarms", []byte("{}"))
	h := awssim.NewHandler(world.New(awssim.Fixtures(account, "us-east-1")))
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", bytes.NewReader(body))
		if op == "ListTagsForResource" {
			req.URL.Path = "/service/GraniteServiceVersion20100801/operation/ListTagsForResource"
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x")
		req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %x", rec.Code, body)
		}
	})
}
