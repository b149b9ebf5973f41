package aws

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// listSecrets emits Secrets Manager secrets' metadata in Terraform's
// aws_secretsmanager_secret shape. It never reads a secret's value: the
// only calls are ListSecrets, DescribeSecret and GetResourcePolicy, so a
// scan role needs no secretsmanager:GetSecretValue and no secret ever
// passes through the agent.
//
// recovery_window_in_days is left out: no API reports it (it is an
// argument of DeleteSecret), and Terraform keeps the configured value in
// state without reading it, so live discovery leaves it unknown too.
func (p *provider) listSecrets(ctx context.Context, c *secretsmanager.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{MaxResults: p.boundedPage(1, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list secrets: %w", err)
		}
		for _, e := range out.SecretList {
			arn := sv(e.ARN)
			d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: e.ARN})
			var gone *types.ResourceNotFoundException
			if errors.As(err, &gone) {
				continue // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("describe secret %s: %w", arn, err)
			}
			if d.DeletedDate != nil {
				continue // scheduled for deletion: on its way out
			}
			pol, err := c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: e.ARN})
			if err != nil {
				return fmt.Errorf("get policy of secret %s: %w", arn, err)
			}
			rules := []any{}
			if r := d.RotationRules; r != nil && bv(d.RotationEnabled) {
				rules = append(rules, map[string]any{"automatically_after_days": i64(r.AutomaticallyAfterDays),
					"duration": sv(r.Duration), "schedule_expression": sv(r.ScheduleExpression)})
			}
			tags := make(map[string]string, len(d.Tags))
			for _, t := range d.Tags {
				tags[sv(t.Key)] = sv(t.Value)
			}
			emit(newResource("aws_secretsmanager_secret", arn, s, map[string]any{
				"arn": arn, "name": sv(d.Name), "description": sv(d.Description), "kms_key_id": sv(d.KmsKeyId),
				"policy": sv(pol.ResourcePolicy), "rotation_enabled": bv(d.RotationEnabled),
				"rotation_lambda_arn": sv(d.RotationLambdaARN), "rotation_rules": rules,
			}, tags))
		}
	}
	return nil
}
