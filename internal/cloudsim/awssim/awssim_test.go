package awssim_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	awsdisc "github.com/driftmgr/driftmgr/agent/discovery/aws"
	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

const account = "123456789012"

func start(t *testing.T) (*world.World, aws.Config) {
	t.Helper()
	w := world.New(awssim.Fixtures(account, "us-east-1"))
	srv := httptest.NewServer(awssim.NewHandler(w))
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDNOTANACCOUNT", "secret", ""),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	}
	return w, cfg
}

func code(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	return ae.ErrorCode()
}

// TestFaults: each fault is answered with the service's real error code,
// which the SDK's deserializer parses.
func TestFaults(t *testing.T) {
	w, cfg := start(t)
	ctx := context.Background()
	ec2c, iamc, stsc := ec2.NewFromConfig(cfg), iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
	tests := []struct {
		name  string
		fault world.Faults
		call  func() error
		want  string
	}{
		{"ec2 throttle", world.Faults{ThrottleRate: 1}, func() error {
			_, err := ec2c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		}, "RequestLimitExceeded"},
		{"ec2 deny", world.Faults{Deny: map[string]bool{"aws:ec2": true}}, func() error {
			_, err := ec2c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		}, "UnauthorizedOperation"},
		{"ec2 disabled", world.Faults{Disabled: map[string]bool{"aws:ec2@" + account: true}}, func() error {
			_, err := ec2c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		}, "OptInRequired"},
		{"iam throttle", world.Faults{ThrottleRate: 1}, func() error {
			_, err := iamc.ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}, "Throttling"},
		{"iam deny", world.Faults{Deny: map[string]bool{"aws:iam": true}}, func() error {
			_, err := iamc.ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}, "AccessDenied"},
		{"iam disabled", world.Faults{Disabled: map[string]bool{"aws:iam": true}}, func() error {
			_, err := iamc.ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}, "OptInRequired"},
		{"sts deny", world.Faults{Deny: map[string]bool{"aws:sts": true}}, func() error {
			_, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, "AccessDenied"},
		{"ec2 bad token", world.Faults{}, func() error {
			_, err := ec2c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{NextToken: aws.String("x")})
			return err
		}, "InvalidNextToken"},
		{"iam bad marker", world.Faults{}, func() error {
			_, err := iamc.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("x")})
			return err
		}, "InvalidInput"},
		{"unknown vpc", world.Faults{}, func() error {
			_, err := ec2c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String("vpc-none"),
				Attribute: "enableDnsSupport"})
			return err
		}, "InvalidVpcID.NotFound"},
		{"bad vpc attribute", world.Faults{}, func() error {
			_, err := ec2c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String("vpc-0a1"),
				Attribute: "nope"})
			return err
		}, "InvalidParameterValue"},
		{"unsupported ec2 action", world.Faults{}, func() error {
			_, err := ec2c.DescribeImages(ctx, &ec2.DescribeImagesInput{})
			return err
		}, "InvalidAction"},
		{"unsupported iam action", world.Faults{}, func() error {
			_, err := iamc.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
			return err
		}, "InvalidAction"},
		{"no such role", world.Faults{}, func() error {
			_, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("none")})
			return err
		}, "NoSuchEntity"},
		{"no such inline policy", world.Faults{}, func() error {
			_, err := iamc.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("none")})
			return err
		}, "NoSuchEntity"},
		{"bad role arn", world.Faults{}, func() error {
			_, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::x:role/r"),
				RoleSessionName: aws.String("s")})
			return err
		}, "ValidationError"},
		{"unsupported sts action", world.Faults{}, func() error {
			_, err := stsc.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
			return err
		}, "InvalidAction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.SetFaults(tc.fault)
			assert.Equal(t, tc.want, code(t, tc.call()))
		})
	}
	w.SetFaults(world.Faults{})
}

func TestAnswers(t *testing.T) {
	w, cfg := start(t)
	ctx := context.Background()
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, awssim.DefaultAccount, aws.ToString(id.Account))

	regions, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	require.NoError(t, err)
	var names []string
	for _, r := range regions.Regions {
		names = append(names, aws.ToString(r.RegionName)+":"+aws.ToString(r.OptInStatus))
	}
	assert.Contains(t, names, "af-south-1:not-opted-in")
	assert.Contains(t, names, "us-east-1:opt-in-not-required")

	// No password policy: NoSuchEntity, as IAM answers.
	require.True(t, w.Delete(awssim.Fixtures(account, "")[len(awssim.Fixtures(account, ""))-1].Key()))
	_, err = iam.NewFromConfig(cfg).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	assert.Equal(t, "NoSuchEntity", code(t, err))

	// Paging by hand: MaxResults and NextToken.
	out, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(5)})
	require.NoError(t, err)
	assert.Len(t, out.Vpcs, 1)
	assert.Nil(t, out.NextToken)
	assert.Equal(t, 1, len(out.Vpcs))
	assert.True(t, aws.ToBool(out.Vpcs[0].IsDefault) == false)
}

func TestRawRequests(t *testing.T) {
	w := world.New(nil)
	srv := httptest.NewServer(awssim.NewHandler(w))
	defer srv.Close()
	for _, tc := range []struct {
		name, service string
		status        int
	}{
		{"unknown service", "lambda", http.StatusBadRequest},
		{"s3 write", "s3", http.StatusMethodNotAllowed},
		{"no scope", "", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(url.Values{"Action": {"X"}}.Encode()))
			require.NoError(t, err)
			if tc.service != "" {
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/"+tc.service+
					"/aws4_request, SignedHeaders=host, Signature=x")
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
		})
	}
}

// TestDiscovery lists every fixture back through the real listers with
// one-item pages, in the account the access key names.
func TestDiscovery(t *testing.T) {
	other := "210987654321"
	w := world.New(awssim.Fixtures(other, "us-east-1"))
	srv := httptest.NewServer(awssim.NewHandler(w))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", other)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	p := awsdisc.New(awsdisc.Options{Endpoint: srv.URL, Regions: []string{"us-east-1"}, PageSize: 1,
		MaxBackoff: 10 * time.Millisecond})
	res, err := discovery.Run(context.Background(), []discovery.Provider{p}, discovery.Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped)
	assert.Len(t, res.Resources, w.Len())
	for _, r := range res.Resources {
		assert.Equal(t, other, r.Account)
	}
}
