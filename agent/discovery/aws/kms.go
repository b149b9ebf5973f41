package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) kmsListers() []discovery.Lister {
	l := func(types []string, f func(context.Context, *kms.Client, discovery.Scope, func(resource.Resource)) error) discovery.Lister {
		return &lister{service: "kms", types: types, list: func(ctx context.Context, s discovery.Scope, emit func(resource.Resource)) error {
			cfg, err := p.cfg(s)
			if err != nil {
				return err
			}
			return f(ctx, kms.NewFromConfig(cfg), s, emit)
		}}
	}
	return []discovery.Lister{
		l([]string{"aws_kms_key"}, p.listKMSKeys),
		l([]string{"aws_kms_alias"}, p.listKMSAliases),
	}
}

// listKMSKeys emits customer managed keys. AWS managed keys are not
// Terraform's to manage, and keys pending deletion are on their way out:
// neither is listed.
func (p *provider) listKMSKeys(ctx context.Context, c *kms.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list kms keys: %w", err)
		}
		for _, k := range out.Keys {
			id := sv(k.KeyId)
			d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
			if err != nil {
				return fmt.Errorf("describe kms key %s: %w", id, err)
			}
			m := d.KeyMetadata
			if m.KeyManager == types.KeyManagerTypeAws || m.KeyState == types.KeyStatePendingDeletion ||
				m.KeyState == types.KeyStatePendingReplicaDeletion {
				continue
			}
			rot, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})
			if err != nil {
				return fmt.Errorf("get rotation status of kms key %s: %w", id, err)
			}
			pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyId, PolicyName: strPtr("default")})
			if err != nil {
				return fmt.Errorf("get policy of kms key %s: %w", id, err)
			}
			tags := map[string]string{}
			tp := kms.NewListResourceTagsPaginator(c, &kms.ListResourceTagsInput{KeyId: k.KeyId, Limit: p.pageSize()})
			for tp.HasMorePages() {
				tout, err := tp.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("list tags of kms key %s: %w", id, err)
				}
				for _, t := range tout.Tags {
					tags[sv(t.TagKey)] = sv(t.TagValue)
				}
			}
			emit(newResource("aws_kms_key", id, s, map[string]any{
				"arn": sv(m.Arn), "key_id": id, "description": sv(m.Description),
				"key_usage": string(m.KeyUsage), "customer_master_key_spec": string(m.KeySpec),
				"policy": sv(pol.Policy), "is_enabled": m.Enabled, "enable_key_rotation": rot.KeyRotationEnabled,
				"rotation_period_in_days": i32(rot.RotationPeriodInDays), "multi_region": bv(m.MultiRegion),
			}, tags))
		}
	}
	return nil
}

// listKMSAliases emits aliases of customer keys; "alias/aws/..." names
// belong to AWS managed keys.
func (p *provider) listKMSAliases(ctx context.Context, c *kms.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{Limit: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list kms aliases: %w", err)
		}
		for _, a := range out.Aliases {
			name := sv(a.AliasName)
			if strings.HasPrefix(name, "alias/aws/") || a.TargetKeyId == nil {
				continue
			}
			target := sv(a.TargetKeyId)
			r := newResource("aws_kms_alias", name, s, map[string]any{
				"name": name, "arn": sv(a.AliasArn), "target_key_id": target,
				"target_key_arn": fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", s.Region, s.Account, target),
			}, nil)
			delete(r.Attrs, "tags")
			emit(r)
		}
	}
	return nil
}

func strPtr(s string) *string { return &s }
