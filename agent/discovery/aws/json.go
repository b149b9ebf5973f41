package aws

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/driftmgr/driftmgr/agent/discovery"
)

// jsonListers are the listers of the services speaking the AWS JSON
// protocols beyond KMS and SQS: DynamoDB, Secrets Manager, ECR, ACM and
// ECS.
func (p *provider) jsonListers() []discovery.Lister {
	return []discovery.Lister{
		clientLister(p, "dynamodb", false, []string{"aws_dynamodb_table"},
			func(c aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(c) }, p.listTables),
		clientLister(p, "secretsmanager", false, []string{"aws_secretsmanager_secret"},
			func(c aws.Config) *secretsmanager.Client { return secretsmanager.NewFromConfig(c) }, p.listSecrets),
		clientLister(p, "ecr", false, []string{"aws_ecr_repository"},
			func(c aws.Config) *ecr.Client { return ecr.NewFromConfig(c) }, p.listRepositories),
		clientLister(p, "acm", false, []string{"aws_acm_certificate"},
			func(c aws.Config) *acm.Client { return acm.NewFromConfig(c) }, p.listCertificates),
		clientLister(p, "ecs", false, []string{"aws_ecs_cluster", "aws_ecs_service"},
			func(c aws.Config) *ecs.Client { return ecs.NewFromConfig(c) }, p.listECS),
	}
}

// unsupported says whether a sub-call's error means the attribute it
// reads cannot be known here, rather than that the resource cannot be
// read: an operation the endpoint does not implement (DynamoDB emulators
// answer UnknownOperationException for DescribeContinuousBackups) or a
// feature not enabled for the account. The lister then leaves the
// attribute out, which the drift engine treats as unknown, not removed.
func (p *provider) unsupported(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "UnknownOperationException", "UnsupportedOperationException", "UnsupportedOperation":
		return true
	}
	return p.Classify(err) == discovery.NotEnabled
}
