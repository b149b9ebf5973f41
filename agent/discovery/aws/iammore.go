package aws

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// listInstanceProfiles emits aws_iam_instance_profile keyed by name. A
// profile holds at most one role, which Terraform's role attribute names.
// ListInstanceProfiles leaves tags out: they come from
// ListInstanceProfileTags.
func (p *provider) listInstanceProfiles(ctx context.Context, c *iam.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := iam.NewListInstanceProfilesPaginator(c, &iam.ListInstanceProfilesInput{MaxItems: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list instance profiles: %w", err)
		}
		for _, ip := range out.InstanceProfiles {
			name := sv(ip.InstanceProfileName)
			tags := map[string]string{}
			tp := iam.NewListInstanceProfileTagsPaginator(c, &iam.ListInstanceProfileTagsInput{
				InstanceProfileName: ip.InstanceProfileName, MaxItems: p.pageSize()})
			gone := false
			for tp.HasMorePages() {
				tout, err := tp.NextPage(ctx)
				if isNoSuchEntity(err) {
					gone = true // deleted since it was listed
					break
				}
				if err != nil {
					return fmt.Errorf("list tags of instance profile %s: %w", name, err)
				}
				for _, t := range tout.Tags {
					tags[sv(t.Key)] = sv(t.Value)
				}
			}
			if gone {
				continue
			}
			role := ""
			if len(ip.Roles) > 0 {
				role = sv(ip.Roles[0].RoleName)
			}
			emit(newResource("aws_iam_instance_profile", name, s, map[string]any{
				"arn": sv(ip.Arn), "name": name, "path": sv(ip.Path), "role": role,
				"unique_id": sv(ip.InstanceProfileId), "create_date": rfc3339(ip.CreateDate),
			}, tags))
		}
	}
	return nil
}

// listUserPolicyAttachments emits one aws_iam_user_policy_attachment per
// managed policy attached to a user, identified like role attachments
// (see newAttachment).
func (p *provider) listUserPolicyAttachments(ctx context.Context, c *iam.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		for _, u := range out.Users {
			name := sv(u.UserName)
			ap := iam.NewListAttachedUserPoliciesPaginator(c, &iam.ListAttachedUserPoliciesInput{UserName: u.UserName, MaxItems: p.pageSize()})
			if err := emitAttached(ctx, ap, func(o *iam.ListAttachedUserPoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies },
				"aws_iam_user_policy_attachment", "user", name, s, emit); err != nil {
				return err
			}
		}
	}
	return nil
}

// listGroupPolicyAttachments is listUserPolicyAttachments for groups.
func (p *provider) listGroupPolicyAttachments(ctx context.Context, c *iam.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := iam.NewListGroupsPaginator(c, &iam.ListGroupsInput{MaxItems: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list groups: %w", err)
		}
		for _, g := range out.Groups {
			name := sv(g.GroupName)
			ap := iam.NewListAttachedGroupPoliciesPaginator(c, &iam.ListAttachedGroupPoliciesInput{GroupName: g.GroupName, MaxItems: p.pageSize()})
			if err := emitAttached(ctx, ap, func(o *iam.ListAttachedGroupPoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies },
				"aws_iam_group_policy_attachment", "group", name, s, emit); err != nil {
				return err
			}
		}
	}
	return nil
}

// attachedPager is what the ListAttached{User,Group}Policies paginators
// have in common.
type attachedPager[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*iam.Options)) (O, error)
}

// emitAttached pages one principal's attached policies and emits an
// attachment of typ per policy: id "principal/policy-arn", attrs the
// principal under field and policy_arn. The drift engine matches these by
// principal and policy_arn, whatever id the state invented. A principal
// deleted since it was listed has nothing attached.
func emitAttached[O any](ctx context.Context, pg attachedPager[O], policies func(O) []types.AttachedPolicy,
	typ, field, principal string, s discovery.Scope, emit func(resource.Resource)) error {
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if isNoSuchEntity(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list attached policies of %s %s: %w", field, principal, err)
		}
		for _, a := range policies(out) {
			arn := sv(a.PolicyArn)
			r := newResource(typ, principal+"/"+arn, s, map[string]any{field: principal, "policy_arn": arn}, nil)
			delete(r.Attrs, "tags")
			emit(r)
		}
	}
	return nil
}

func isNoSuchEntity(err error) bool {
	var none *types.NoSuchEntityException
	return errors.As(err, &none)
}
