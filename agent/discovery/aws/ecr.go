package aws

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// listRepositories emits the account's private ECR repositories in
// Terraform's aws_ecr_repository shape; the id is the repository name.
func (p *provider) listRepositories(ctx context.Context, c *ecr.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ecr.NewDescribeRepositoriesPaginator(c, &ecr.DescribeRepositoriesInput{MaxResults: p.boundedPage(1, 1000)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe ecr repositories: %w", err)
		}
		for _, r := range out.Repositories {
			name := sv(r.RepositoryName)
			tout, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: r.RepositoryArn})
			var gone *types.RepositoryNotFoundException
			if errors.As(err, &gone) {
				continue // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("list tags of ecr repository %s: %w", name, err)
			}
			tags := make(map[string]string, len(tout.Tags))
			for _, t := range tout.Tags {
				tags[sv(t.Key)] = sv(t.Value)
			}
			scan := []any{}
			if sc := r.ImageScanningConfiguration; sc != nil {
				scan = append(scan, map[string]any{"scan_on_push": sc.ScanOnPush})
			}
			enc := []any{}
			if ec := r.EncryptionConfiguration; ec != nil {
				enc = append(enc, map[string]any{"encryption_type": string(ec.EncryptionType), "kms_key": sv(ec.KmsKey)})
			}
			emit(newResource("aws_ecr_repository", name, s, map[string]any{
				"name": name, "arn": sv(r.RepositoryArn), "registry_id": sv(r.RegistryId),
				"repository_url": sv(r.RepositoryUri), "image_tag_mutability": string(r.ImageTagMutability),
				"image_scanning_configuration": scan, "encryption_configuration": enc,
			}, tags))
		}
	}
	return nil
}
