package awssim_test

import (
	"context"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

const (
	clusterArn = "arn:aws:ecs:us-east-1:" + account + ":cluster/app"
	certArn    = "arn:aws:acm:us-east-1:" + account + ":certificate/3b1f2c4d-0000-4000-8000-000000000001"
)

// TestJSONServiceFaults: each JSON service answers injected faults with
// the codes the SDK deserializes and the discovery classifier knows.
func TestJSONServiceFaults(t *testing.T) {
	w, cfg := start(t)
	ctx := context.Background()
	calls := map[string]func() error{
		"aws:dynamodb": func() error {
			_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		},
		"aws:secretsmanager": func() error {
			_, err := secretsmanager.NewFromConfig(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			return err
		},
		"aws:ecr": func() error {
			_, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
			return err
		},
		"aws:acm": func() error {
			_, err := acm.NewFromConfig(cfg).ListCertificates(ctx, &acm.ListCertificatesInput{})
			return err
		},
		"aws:ecs": func() error {
			_, err := ecs.NewFromConfig(cfg).ListClusters(ctx, &ecs.ListClustersInput{})
			return err
		},
	}
	for svc, call := range calls {
		w.SetFaults(world.Faults{ThrottleRate: 1})
		assert.Equal(t, "ThrottlingException", code(t, call()), svc)
		w.SetFaults(world.Faults{Deny: map[string]bool{svc: true}})
		assert.Equal(t, "AccessDeniedException", code(t, call()), svc)
		w.SetFaults(world.Faults{Disabled: map[string]bool{svc: true}})
		assert.Equal(t, "SubscriptionRequiredException", code(t, call()), svc)
		w.SetFaults(world.Faults{})
		require.NoError(t, call(), svc)
	}
}

func TestDynamoDBAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := dynamodb.NewFromConfig(cfg)

	// Paging by table name, in name order.
	p1, err := c.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders"}, p1.TableNames)
	assert.Equal(t, "orders", aws.ToString(p1.LastEvaluatedTableName))
	p2, err := c.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1), ExclusiveStartTableName: p1.LastEvaluatedTableName})
	require.NoError(t, err)
	assert.Equal(t, []string{"sessions"}, p2.TableNames)
	assert.Nil(t, p2.LastEvaluatedTableName, "the last page has no LastEvaluatedTableName")
	_, err = c.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(101)})
	assert.Equal(t, "ValidationException", code(t, err))

	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("sessions")})
	require.NoError(t, err)
	assert.Equal(t, ddbtypes.BillingModePayPerRequest, d.Table.BillingModeSummary.BillingMode)
	assert.Nil(t, d.Table.StreamSpecification)
	assert.Nil(t, d.Table.SSEDescription, "the AWS owned key is not described")

	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("nope")})
	var rnf *ddbtypes.ResourceNotFoundException
	assert.True(t, errors.As(err, &rnf), "typed ResourceNotFoundException: %v", err)
	_, err = c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("nope")})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	_, err = c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("nope")})
	var tnf *ddbtypes.TableNotFoundException
	assert.True(t, errors.As(err, &tnf), "typed TableNotFoundException: %v", err)
	_, err = c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:1:table/nope")})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	_, err = c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{
		ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:" + account + ":table/orders"), NextToken: aws.String("x")})
	assert.Equal(t, "ValidationException", code(t, err))
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders")})
	assert.Equal(t, "UnknownOperationException", code(t, err), "the simulator only reads")
}

func TestSecretsManagerAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := secretsmanager.NewFromConfig(cfg)
	_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{NextToken: aws.String("x")})
	var bad *smtypes.InvalidNextTokenException
	assert.True(t, errors.As(err, &bad), "typed InvalidNextTokenException: %v", err)
	_, err = c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(101)})
	assert.Equal(t, "InvalidParameterException", code(t, err))

	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db-password")})
	require.NoError(t, err, "found by name as well as by ARN")
	assert.True(t, aws.ToBool(d.RotationEnabled))
	assert.Equal(t, int64(30), aws.ToInt64(d.RotationRules.AutomaticallyAfterDays))
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("nope")})
	var rnf *smtypes.ResourceNotFoundException
	assert.True(t, errors.As(err, &rnf), "typed ResourceNotFoundException: %v", err)
	_, err = c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("nope")})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))

	// The simulator holds no values and serves none.
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db-password")})
	assert.Equal(t, "UnknownOperationException", code(t, err))
}

func TestECRAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := ecr.NewFromConfig(cfg)
	out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app/web"}})
	require.NoError(t, err)
	require.Len(t, out.Repositories, 1)
	assert.Equal(t, ecrtypes.ImageTagMutabilityImmutable, out.Repositories[0].ImageTagMutability)
	assert.Equal(t, ecrtypes.EncryptionTypeKms, out.Repositories[0].EncryptionConfiguration.EncryptionType)

	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"nope"}})
	var rnf *ecrtypes.RepositoryNotFoundException
	assert.True(t, errors.As(err, &rnf), "typed RepositoryNotFoundException: %v", err)
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app/web"},
		MaxResults: aws.Int32(1)})
	assert.Equal(t, "InvalidParameterException", code(t, err))
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1001)})
	assert.Equal(t, "InvalidParameterException", code(t, err))
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{NextToken: aws.String("x")})
	assert.Equal(t, "InvalidParameterException", code(t, err))
	_, err = c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{
		ResourceArn: aws.String("arn:aws:ecr:us-east-1:" + account + ":repository/nope")})
	assert.Equal(t, "RepositoryNotFoundException", code(t, err))
	_, err = c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String("bad")})
	assert.Equal(t, "InvalidParameterException", code(t, err))
}

func TestACMAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := acm.NewFromConfig(cfg)
	def, err := c.ListCertificates(ctx, &acm.ListCertificatesInput{})
	require.NoError(t, err)
	require.Len(t, def.CertificateSummaryList, 1, "without a key type filter, RSA_2048 only")
	assert.Equal(t, certArn, aws.ToString(def.CertificateSummaryList[0].CertificateArn))
	all, err := c.ListCertificates(ctx, &acm.ListCertificatesInput{
		Includes: &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()}, MaxItems: aws.Int32(1)})
	require.NoError(t, err)
	assert.Len(t, all.CertificateSummaryList, 1)
	assert.NotNil(t, all.NextToken)
	none, err := c.ListCertificates(ctx, &acm.ListCertificatesInput{
		CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusExpired}})
	require.NoError(t, err)
	assert.Empty(t, none.CertificateSummaryList)
	_, err = c.ListCertificates(ctx, &acm.ListCertificatesInput{NextToken: aws.String("x")})
	assert.Equal(t, "InvalidArgsException", code(t, err))
	_, err = c.ListCertificates(ctx, &acm.ListCertificatesInput{MaxItems: aws.Int32(1001)})
	assert.Equal(t, "ValidationException", code(t, err))

	d, err := c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(certArn)})
	require.NoError(t, err)
	assert.Equal(t, []string{"example.com", "www.example.com"}, d.Certificate.SubjectAlternativeNames)
	_, err = c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String("nope")})
	var arnErr *acmtypes.InvalidArnException
	assert.True(t, errors.As(err, &arnErr), "typed InvalidArnException: %v", err)
	_, err = c.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{
		CertificateArn: aws.String("arn:aws:acm:us-east-1:" + account + ":certificate/nope")})
	var rnf *acmtypes.ResourceNotFoundException
	assert.True(t, errors.As(err, &rnf), "typed ResourceNotFoundException: %v", err)
}

func TestECSAnswers(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := ecs.NewFromConfig(cfg)
	_, err := c.ListClusters(ctx, &ecs.ListClustersInput{MaxResults: aws.Int32(101)})
	assert.Equal(t, "InvalidParameterException", code(t, err))
	_, err = c.ListClusters(ctx, &ecs.ListClustersInput{NextToken: aws.String("x")})
	assert.Equal(t, "InvalidParameterException", code(t, err))

	// Tags and settings only when asked for; unknown clusters are failures.
	d, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"app", "nope"}})
	require.NoError(t, err)
	require.Len(t, d.Clusters, 1)
	assert.Empty(t, d.Clusters[0].Tags)
	assert.Empty(t, d.Clusters[0].Settings)
	assert.Equal(t, int32(1), d.Clusters[0].ActiveServicesCount)
	require.Len(t, d.Failures, 1)
	assert.Equal(t, "MISSING", aws.ToString(d.Failures[0].Reason))
	assert.Equal(t, "arn:aws:ecs:us-east-1:"+account+":cluster/nope", aws.ToString(d.Failures[0].Arn))
	def, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{})
	require.NoError(t, err)
	assert.Len(t, def.Failures, 1, "no cluster named default")
	_, err = c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: make([]string, 101)})
	assert.Equal(t, "InvalidParameterException", code(t, err))

	ls, err := c.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String("app")})
	require.NoError(t, err)
	assert.Len(t, ls.ServiceArns, 1)
	_, err = c.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String("nope")})
	var cnf *ecstypes.ClusterNotFoundException
	assert.True(t, errors.As(err, &cnf), "typed ClusterNotFoundException: %v", err)
	_, err = c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("nope"), Services: []string{"web"}})
	assert.Equal(t, "ClusterNotFoundException", code(t, err))
	_, err = c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(clusterArn), Services: make([]string, 11)})
	assert.Equal(t, "InvalidParameterException", code(t, err))
	s, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(clusterArn),
		Services: []string{"web", "gone"}})
	require.NoError(t, err)
	require.Len(t, s.Services, 1, "found by name as well as by ARN")
	assert.Empty(t, s.Services[0].Tags)
	assert.Equal(t, ecstypes.AssignPublicIpDisabled, s.Services[0].NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp)
	require.Len(t, s.Failures, 1)
	assert.Equal(t, "MISSING", aws.ToString(s.Failures[0].Reason))
}

// TestDynamoDBCRC32: every DynamoDB answer, errors included, carries the
// X-Amz-Crc32 of its body, which the SDK checks (against 0 when absent).
func TestDynamoDBCRC32(t *testing.T) {
	_, cfg := start(t)
	for _, body := range []string{`{}`, `{"TableName":"nope"}`} {
		target := map[string]string{`{}`: "ListTables", `{"TableName":"nope"}`: "DescribeTable"}[body]
		req, err := http.NewRequest(http.MethodPost, *cfg.BaseEndpoint, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10), resp.Header.Get("X-Amz-Crc32"), target)
		assert.Equal(t, map[string]int{"ListTables": http.StatusOK, "DescribeTable": http.StatusBadRequest}[target],
			resp.StatusCode, target)
	}
}
