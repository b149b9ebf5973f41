package aws

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) iamListers() []discovery.Lister {
	l := func(types []string, f func(context.Context, *iam.Client, discovery.Scope, func(resource.Resource)) error) discovery.Lister {
		return &lister{service: "iam", types: types, global: true, list: func(ctx context.Context, s discovery.Scope, emit func(resource.Resource)) error {
			cfg, err := p.cfg(s)
			if err != nil {
				return err
			}
			return f(ctx, iam.NewFromConfig(cfg), s, emit)
		}}
	}
	return []discovery.Lister{
		l([]string{"aws_iam_user", "aws_iam_access_key"}, p.listUsers),
		l([]string{"aws_iam_role", "aws_iam_role_policy_attachment"}, p.listRoles),
		l([]string{"aws_iam_policy"}, p.listPolicies),
		l([]string{"aws_iam_group"}, p.listGroups),
		l([]string{"aws_iam_account_password_policy"}, p.listPasswordPolicy),
		l([]string{"aws_iam_instance_profile"}, p.listInstanceProfiles),
		l([]string{"aws_iam_user_policy_attachment"}, p.listUserPolicyAttachments),
		l([]string{"aws_iam_group_policy_attachment"}, p.listGroupPolicyAttachments),
	}
}

func iamTags(ts []types.Tag) map[string]string {
	out := make(map[string]string, len(ts))
	for _, t := range ts {
		out[sv(t.Key)] = sv(t.Value)
	}
	return out
}

// policyDoc decodes a policy document IAM returns URL-encoded.
func policyDoc(s *string) string {
	d, err := url.QueryUnescape(sv(s))
	if err != nil {
		return sv(s)
	}
	return d
}

func boundaryArn(b *types.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return sv(b.PermissionsBoundaryArn)
}

// listUsers emits users and, from ListAccessKeys per user, their access
// keys (metadata only: the API never returns a secret).
func (p *provider) listUsers(ctx context.Context, c *iam.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		for _, u := range out.Users {
			// ListUsers leaves out tags and the permissions boundary.
			got, err := c.GetUser(ctx, &iam.GetUserInput{UserName: u.UserName})
			if err != nil {
				return fmt.Errorf("get user %s: %w", sv(u.UserName), err)
			}
			full := got.User
			name := sv(full.UserName)
			emit(newResource("aws_iam_user", name, s, map[string]any{
				"arn": sv(full.Arn), "name": name, "path": sv(full.Path), "unique_id": sv(full.UserId),
				"permissions_boundary": boundaryArn(full.PermissionsBoundary),
			}, iamTags(full.Tags)))
			keys := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: u.UserName, MaxItems: p.pageSize()})
			for keys.HasMorePages() {
				kout, err := keys.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("list access keys of %s: %w", name, err)
				}
				for _, k := range kout.AccessKeyMetadata {
					r := newResource("aws_iam_access_key", sv(k.AccessKeyId), s, map[string]any{
						"user": sv(k.UserName), "status": string(k.Status), "create_date": rfc3339(k.CreateDate),
					}, nil)
					delete(r.Attrs, "tags")
					emit(r)
				}
			}
		}
	}
	return nil
}

// listRoles emits roles with their managed and inline policies, and one
// aws_iam_role_policy_attachment per attached managed policy.
func (p *provider) listRoles(ctx context.Context, c *iam.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list roles: %w", err)
		}
		for _, r := range out.Roles {
			got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: r.RoleName})
			if err != nil {
				return fmt.Errorf("get role %s: %w", sv(r.RoleName), err)
			}
			role := got.Role
			name := sv(role.RoleName)
			managed := []any{}
			ap := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: role.RoleName, MaxItems: p.pageSize()})
			for ap.HasMorePages() {
				aout, err := ap.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("list attached policies of role %s: %w", name, err)
				}
				for _, a := range aout.AttachedPolicies {
					arn := sv(a.PolicyArn)
					managed = append(managed, arn)
					emit(newAttachment(name, arn, s))
				}
			}
			inline := []any{}
			ip := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: role.RoleName, MaxItems: p.pageSize()})
			for ip.HasMorePages() {
				iout, err := ip.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("list inline policies of role %s: %w", name, err)
				}
				for _, pn := range iout.PolicyNames {
					doc, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role.RoleName, PolicyName: &pn})
					if err != nil {
						return fmt.Errorf("get inline policy %s of role %s: %w", pn, name, err)
					}
					inline = append(inline, map[string]any{"name": pn, "policy": policyDoc(doc.PolicyDocument)})
				}
			}
			emit(newResource("aws_iam_role", name, s, map[string]any{
				"arn": sv(role.Arn), "name": name, "path": sv(role.Path), "unique_id": sv(role.RoleId),
				"assume_role_policy":   policyDoc(role.AssumeRolePolicyDocument),
				"description":          sv(role.Description),
				"max_session_duration": i32(role.MaxSessionDuration),
				"permissions_boundary": boundaryArn(role.PermissionsBoundary),
				"managed_policy_arns":  managed,
				"inline_policy":        inline,
				"create_date":          rfc3339(role.CreateDate),
			}, iamTags(role.Tags)))
		}
	}
	return nil
}

// newAttachment builds an aws_iam_role_policy_attachment. Its id is
// "role/policy-arn"; the drift engine matches attachments by role and
// policy_arn, whatever id the state invented.
func newAttachment(role, arn string, s discovery.Scope) resource.Resource {
	r := newResource("aws_iam_role_policy_attachment", role+"/"+arn, s,
		map[string]any{"role": role, "policy_arn": arn}, nil)
	delete(r.Attrs, "tags")
	return r
}

func (p *provider) listPolicies(ctx context.Context, c *iam.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list policies: %w", err)
		}
		for _, pol := range out.Policies {
			got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: pol.Arn})
			if err != nil {
				return fmt.Errorf("get policy %s: %w", sv(pol.Arn), err)
			}
			full := got.Policy
			ver, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: full.Arn, VersionId: full.DefaultVersionId})
			if err != nil {
				return fmt.Errorf("get policy version %s of %s: %w", sv(full.DefaultVersionId), sv(full.Arn), err)
			}
			arn := sv(full.Arn)
			emit(newResource("aws_iam_policy", arn, s, map[string]any{
				"arn": arn, "name": sv(full.PolicyName), "path": sv(full.Path),
				"description": sv(full.Description), "policy_id": sv(full.PolicyId),
				"policy": policyDoc(ver.PolicyVersion.Document),
			}, iamTags(full.Tags)))
		}
	}
	return nil
}

func (p *provider) listGroups(ctx context.Context, c *iam.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := iam.NewListGroupsPaginator(c, &iam.ListGroupsInput{MaxItems: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list groups: %w", err)
		}
		for _, g := range out.Groups {
			name := sv(g.GroupName)
			r := newResource("aws_iam_group", name, s, map[string]any{
				"arn": sv(g.Arn), "name": name, "path": sv(g.Path), "unique_id": sv(g.GroupId),
			}, nil)
			delete(r.Attrs, "tags")
			emit(r)
		}
	}
	return nil
}

// listPasswordPolicy emits the account password policy, if one is set.
func (p *provider) listPasswordPolicy(ctx context.Context, c *iam.Client, s discovery.Scope, emit func(resource.Resource)) error {
	out, err := c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	var none *types.NoSuchEntityException
	if errors.As(err, &none) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get account password policy: %w", err)
	}
	pp := out.PasswordPolicy
	r := newResource("aws_iam_account_password_policy", "iam-account-password-policy", s, map[string]any{
		"minimum_password_length":        i32(pp.MinimumPasswordLength),
		"require_symbols":                pp.RequireSymbols,
		"require_numbers":                pp.RequireNumbers,
		"require_uppercase_characters":   pp.RequireUppercaseCharacters,
		"require_lowercase_characters":   pp.RequireLowercaseCharacters,
		"allow_users_to_change_password": pp.AllowUsersToChangePassword,
		"expire_passwords":               pp.ExpirePasswords,
		"max_password_age":               i32(pp.MaxPasswordAge),
		"password_reuse_prevention":      i32(pp.PasswordReusePrevention),
		"hard_expiry":                    bv(pp.HardExpiry),
	}, nil)
	delete(r.Attrs, "tags")
	emit(r)
	return nil
}
