package awssim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

const zoneID = "Z0123456789ABCDEFGHIJ"

// status is the HTTP status of an SDK error.
func status(t *testing.T, err error) int {
	t.Helper()
	var re *smithyhttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response: %v", err)
	return re.HTTPStatusCode()
}

// TestRestFaults: throttling, denial and a disabled service come back
// with each service's codes and statuses, which the SDK parses.
func TestRestFaults(t *testing.T) {
	w, cfg := start(t)
	ctx := context.Background()
	calls := map[string]func() error{
		"aws:route53": func() error {
			_, err := route53.NewFromConfig(cfg).ListHostedZones(ctx, &route53.ListHostedZonesInput{})
			return err
		},
		"aws:cloudfront": func() error {
			_, err := cloudfront.NewFromConfig(cfg).ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
			return err
		},
		"aws:lambda": func() error {
			_, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
			return err
		},
		"aws:eks": func() error {
			_, err := eks.NewFromConfig(cfg).ListClusters(ctx, &eks.ListClustersInput{})
			return err
		},
	}
	want := map[string][3]string{
		"aws:route53":    {"Throttling", "AccessDenied", "OptInRequired"},
		"aws:cloudfront": {"Throttling", "AccessDenied", "OptInRequired"},
		"aws:lambda":     {"TooManyRequestsException", "AccessDeniedException", "SubscriptionRequiredException"},
		"aws:eks":        {"ThrottlingException", "AccessDeniedException", "SubscriptionRequiredException"},
	}
	throttleStatus := map[string]int{"aws:lambda": http.StatusTooManyRequests}
	for svc, call := range calls {
		t.Run(svc, func(t *testing.T) {
			w.SetFaults(world.Faults{ThrottleRate: 1})
			err := call()
			assert.Equal(t, want[svc][0], code(t, err))
			assert.Equal(t, max(throttleStatus[svc], http.StatusBadRequest), status(t, err))
			w.SetFaults(world.Faults{Deny: map[string]bool{svc: true}})
			err = call()
			assert.Equal(t, want[svc][1], code(t, err))
			assert.Equal(t, http.StatusForbidden, status(t, err))
			w.SetFaults(world.Faults{Disabled: map[string]bool{svc: true}})
			assert.Equal(t, want[svc][2], code(t, call()))
			w.SetFaults(world.Faults{})
			require.NoError(t, call())
		})
	}
}

// TestRoute53Answers covers lookups, errors and paging the lister does
// not exercise.
func TestRoute53Answers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := route53.NewFromConfig(cfg)

	_, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String("ZNOPE")})
	assert.Equal(t, "NoSuchHostedZone", code(t, err))
	assert.Equal(t, http.StatusNotFound, status(t, err))
	_, err = c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String("ZNOPE")})
	assert.Equal(t, "NoSuchHostedZone", code(t, err))
	_, err = c.ListHostedZones(ctx, &route53.ListHostedZonesInput{Marker: aws.String("ZNOPE")})
	assert.Equal(t, "InvalidInput", code(t, err))
	_, err = c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
		StartRecordType: r53types.RRTypeA})
	assert.Equal(t, "InvalidInput", code(t, err), "a start type needs a start name")

	// Prefixed ids are accepted, as Route 53 does.
	z, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String("/hostedzone/" + zoneID)})
	require.NoError(t, err)
	assert.Equal(t, "example.com.", aws.ToString(z.HostedZone.Name))
	assert.Len(t, z.DelegationSet.NameServers, 4)

	// Record sets in Route 53's order (labels right to left, then type),
	// paged by the next name and type.
	var names []string
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), MaxItems: aws.Int32(2)}
	for {
		out, err := c.ListResourceRecordSets(ctx, in)
		require.NoError(t, err)
		for _, rs := range out.ResourceRecordSets {
			names = append(names, aws.ToString(rs.Name)+" "+string(rs.Type))
		}
		if !out.IsTruncated {
			break
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier
	}
	// The apex NS and SOA records come with every zone.
	assert.Equal(t, []string{"example.com. A", "example.com. NS", "example.com. SOA", "example.com. TXT", `\052.example.com. A`, "api.example.com. CNAME",
		"www.example.com. A"}, names)

	// Tags: up to ten ids at once, or one by path.
	_, err = c.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{ResourceType: r53types.TagResourceTypeHostedzone,
		ResourceIds: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}})
	assert.Equal(t, "InvalidInput", code(t, err))
	_, err = c.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{ResourceType: r53types.TagResourceTypeHealthcheck,
		ResourceIds: []string{"1"}})
	assert.Equal(t, "InvalidInput", code(t, err))
	one, err := c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone,
		ResourceId: aws.String(zoneID)})
	require.NoError(t, err)
	assert.Len(t, one.ResourceTagSet.Tags, 2)
	_, err = c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone,
		ResourceId: aws.String("ZNOPE")})
	assert.Equal(t, "NoSuchHostedZone", code(t, err))
	_, err = c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(zoneID)})
	assert.Equal(t, "InvalidInput", code(t, err), "writes are not simulated")
}

func TestCloudFrontAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := cloudfront.NewFromConfig(cfg)
	_, err := c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String("ENOPE")})
	assert.Equal(t, "NoSuchDistribution", code(t, err))
	assert.Equal(t, http.StatusNotFound, status(t, err))
	_, err = c.ListDistributions(ctx, &cloudfront.ListDistributionsInput{Marker: aws.String("ENOPE")})
	assert.Equal(t, "InvalidArgument", code(t, err))
	_, err = c.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: aws.String("arn:aws:s3:::x")})
	assert.Equal(t, "InvalidArgument", code(t, err))
	_, err = c.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{
		Resource: aws.String("arn:aws:cloudfront::" + account + ":distribution/ENOPE")})
	assert.Equal(t, "NoSuchResource", code(t, err))
	got, err := c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String("E2QWRUHAPOMQZL")})
	require.NoError(t, err)
	assert.Equal(t, "E3UN6WX5RRO2AG", aws.ToString(got.ETag))
	assert.Equal(t, []string{"cdn.example.com"}, got.DistributionConfig.Aliases.Items)
	list, err := c.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
	require.NoError(t, err)
	require.Len(t, list.DistributionList.Items, 1)
	assert.Len(t, list.DistributionList.Items[0].Origins.Items, 2)
	_, err = c.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: aws.String("E2QWRUHAPOMQZL")})
	assert.Equal(t, "InvalidArgument", code(t, err), "only the calls the lister makes are simulated")
}

func TestLambdaAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := lambda.NewFromConfig(cfg)
	_, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	assert.Equal(t, http.StatusNotFound, status(t, err))
	fn, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("app-api")})
	require.NoError(t, err)
	assert.Equal(t, "fixture-not-a-secret", fn.Configuration.Environment.Variables["DB_PASSWORD"])
	assert.Equal(t, "app-api", fn.Tags["Name"])
	_, err = c.ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(20000)})
	assert.Equal(t, "InvalidParameterValueException", code(t, err))
	many, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(10000)})
	require.NoError(t, err)
	assert.Len(t, many.Functions, 1)
	_, err = c.ListFunctions(ctx, &lambda.ListFunctionsInput{Marker: aws.String("x")})
	assert.Equal(t, "InvalidParameterValueException", code(t, err))
	_, err = c.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("app-api")})
	assert.Equal(t, "InvalidParameterValueException", code(t, err), "ListTags takes an ARN")
	_, err = c.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("arn:aws:lambda:us-east-1:" + account + ":function:nope")})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	conc, err := c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("app-api")})
	require.NoError(t, err)
	assert.Equal(t, int32(10), aws.ToInt32(conc.ReservedConcurrentExecutions))
	_, err = c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("nope")})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("app-api")})
	assert.Equal(t, "InvalidRequestContentException", code(t, err))
	_, err = c.ListLayers(ctx, &lambda.ListLayersInput{})
	assert.Equal(t, "InvalidRequestContentException", code(t, err))
}

func TestEKSAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := eks.NewFromConfig(cfg)
	_, err := c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("nope")})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	assert.Equal(t, http.StatusNotFound, status(t, err))
	_, err = c.ListClusters(ctx, &eks.ListClustersInput{MaxResults: aws.Int32(101)})
	assert.Equal(t, "InvalidParameterException", code(t, err))
	_, err = c.ListClusters(ctx, &eks.ListClustersInput{NextToken: aws.String("x")})
	assert.Equal(t, "InvalidParameterException", code(t, err))
	_, err = c.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("app")})
	assert.Equal(t, "InvalidRequestException", code(t, err))
	_, err = c.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String("app")})
	assert.Equal(t, "InvalidRequestException", code(t, err))
	got, err := c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("app")})
	require.NoError(t, err)
	assert.Len(t, got.Cluster.Logging.ClusterLogging, 2, "enabled and disabled log types")
}

// TestLambdaPageCap: Lambda answers at most 50 functions a page, however
// many are asked for.
func TestLambdaPageCap(t *testing.T) {
	w, cfg := start(t)
	for i := range 60 {
		w.Put(resource.Resource{Provider: "aws", Type: "aws_lambda_function", ID: fmt.Sprintf("fn-%02d", i),
			Account: account, Region: "us-east-1", Attrs: map[string]any{"function_name": fmt.Sprintf("fn-%02d", i)}})
	}
	c := lambda.NewFromConfig(cfg)
	out, err := c.ListFunctions(context.Background(), &lambda.ListFunctionsInput{MaxItems: aws.Int32(10000)})
	require.NoError(t, err)
	assert.Len(t, out.Functions, 50)
	require.NotNil(t, out.NextMarker)
	out, err = c.ListFunctions(context.Background(), &lambda.ListFunctionsInput{Marker: out.NextMarker})
	require.NoError(t, err)
	assert.Len(t, out.Functions, 11, "60 put and the fixture's one")
	assert.Nil(t, out.NextMarker)
}
