package awssim_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// TestAppFaults: throttling and denial are answered with each Query
// service's real codes, which the SDK deserializers parse.
func TestAppFaults(t *testing.T) {
	w, cfg := start(t)
	ctx := context.Background()
	calls := map[string]func() error{
		"aws:rds": func() error {
			_, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
			return err
		},
		"aws:sns": func() error { _, err := sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{}); return err },
		"aws:elasticloadbalancing": func() error {
			_, err := elb.NewFromConfig(cfg).DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
			return err
		},
		"aws:autoscaling": func() error {
			_, err := autoscaling.NewFromConfig(cfg).DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
			return err
		},
	}
	for svc, call := range calls {
		w.SetFaults(world.Faults{ThrottleRate: 1})
		assert.Equal(t, "Throttling", code(t, call()), svc)
		w.SetFaults(world.Faults{Deny: map[string]bool{svc: true}})
		assert.Equal(t, "AccessDenied", code(t, call()), svc)
		w.SetFaults(world.Faults{})
		require.NoError(t, call(), svc)
	}
}

// TestAppAnswers covers lookups, bounds and filters the listers do not use.
func TestAppAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	rc := rds.NewFromConfig(cfg)
	_, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(5)})
	assert.Equal(t, "InvalidParameterValue", code(t, err), "RDS pages are 20..100")
	one, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("app-db")})
	require.NoError(t, err)
	require.Len(t, one.DBInstances, 1)
	_, err = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("nope")})
	assert.Equal(t, "DBInstanceNotFound", code(t, err))
	_, err = rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("nope")})
	assert.Equal(t, "DBClusterNotFoundFault", code(t, err))
	_, err = rc.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String("nope")})
	assert.Equal(t, "DBSubnetGroupNotFoundFault", code(t, err))
	_, err = rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String("bad")})
	assert.Equal(t, "InvalidParameterValue", code(t, err))

	_, err = sns.NewFromConfig(cfg).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:us-east-1:1:x")})
	assert.Equal(t, "NotFound", code(t, err))
	_, err = sns.NewFromConfig(cfg).GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String("arn:x")})
	assert.Equal(t, "NotFound", code(t, err))

	ec := elb.NewFromConfig(cfg)
	_, err = ec.DescribeListeners(ctx, &elb.DescribeListenersInput{})
	assert.Equal(t, "ValidationError", code(t, err))
	_, err = ec.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String("arn:nope")})
	assert.Equal(t, "LoadBalancerNotFound", code(t, err))

	e2 := ec2.NewFromConfig(cfg)
	rules, err := e2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{
		Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{"sg-other"}}}})
	require.NoError(t, err)
	assert.Empty(t, rules.SecurityGroupRules)
	rules, err = e2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{"sgr-0a1"}})
	require.NoError(t, err)
	assert.Len(t, rules.SecurityGroupRules, 1)
	v, err := e2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0a1"),
		Versions: []string{"1"}})
	require.NoError(t, err)
	assert.Len(t, v.LaunchTemplateVersions, 1)
	_, err = e2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-nope")})
	assert.Equal(t, "InvalidLaunchTemplateId.NotFound", code(t, err))
	_, err = e2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"3"}})
	assert.Equal(t, "InvalidParameterCombination", code(t, err))
}
