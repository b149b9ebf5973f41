package scan

import (
	"fmt"
	"strings"
	"time"

	"github.com/driftmgr/driftmgr/internal/resource"
)

const pwPolicy = "aws_iam_account_password_policy"

func pwNumber(attr string, want float64, atLeast bool, what string) func(*Index, *resource.Resource) *Outcome {
	return func(_ *Index, r *resource.Resource) *Outcome {
		v, ok := number(r.Attrs[attr])
		e := ev(r, r, path(attr), r.Attrs[attr])
		switch {
		case !ok || v == 0:
			return failf([]Evidence{e}, "%s is not set", what)
		case atLeast && v < want, !atLeast && v > want:
			return failf([]Evidence{e}, "%s is %v, want %s %v", what, v, map[bool]string{true: "at least", false: "at most"}[atLeast], want)
		}
		return pass(fmt.Sprintf("%s is %v", what, v), e)
	}
}

func pwComplexity(_ *Index, r *resource.Resource) *Outcome {
	var e []Evidence
	var missing []string
	for _, a := range []string{"require_uppercase_characters", "require_lowercase_characters", "require_numbers", "require_symbols"} {
		e = append(e, ev(r, r, path(a), r.Attrs[a]))
		if !isTrue(r.Attrs[a]) {
			missing = append(missing, a)
		}
	}
	if missing != nil {
		return failf(e, "password policy does not set %s", strings.Join(missing, ", "))
	}
	return pass("password policy requires upper and lower case letters, numbers and symbols", e...)
}

var rootUsers = map[string]bool{"root": true, "<root_account>": true}

func rootKey(_ *Index, r *resource.Resource) *Outcome {
	if !rootUsers[str(r.Attrs["user"])] {
		return nil
	}
	e := []Evidence{ev(r, r, "user", str(r.Attrs["user"])), ev(r, r, "status", str(r.Attrs["status"]))}
	if strings.EqualFold(str(r.Attrs["status"]), "Inactive") {
		return pass("the root user's access key is inactive", e...)
	}
	return fail("the root user has an active access key", e...)
}

func keyAge(ix *Index, r *resource.Resource) *Outcome {
	if !strings.EqualFold(str(r.Attrs["status"]), "Active") {
		return nil
	}
	created, err := time.Parse(time.RFC3339, str(r.Attrs["create_date"]))
	if err != nil {
		return nil
	}
	age := int(ix.Now().Sub(created).Hours() / 24)
	e := []Evidence{ev(r, r, "create_date", str(r.Attrs["create_date"])), ev(r, r, "status", "Active")}
	if age > 90 {
		return failf(e, "active access key is %d days old (rotate every 90 days)", age)
	}
	return pass(fmt.Sprintf("active access key is %d days old", age), e...)
}

func keyUnused(ix *Index, r *resource.Resource) *Outcome {
	if !strings.EqualFold(str(r.Attrs["status"]), "Active") {
		return nil
	}
	last := firstStr(r.Attrs, "last_used_date", "last_used")
	if last == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, last)
	if err != nil {
		return nil
	}
	days := int(ix.Now().Sub(t).Hours() / 24)
	e := []Evidence{ev(r, r, "last_used_date", last), ev(r, r, "status", "Active")}
	if days >= 45 {
		return failf(e, "active access key unused for %d days (disable after 45)", days)
	}
	return pass(fmt.Sprintf("access key last used %d days ago", days), e...)
}

func oneActiveKey(ix *Index, r *resource.Resource) *Outcome {
	if !ix.Has("aws_iam_access_key") {
		return nil
	}
	var e []Evidence
	for _, k := range ix.Related("aws_iam_access_key", "user", r, str(r.Attrs["name"])) {
		if strings.EqualFold(str(k.Attrs["status"]), "Active") {
			e = append(e, ev(r, k, "status", "Active"))
		}
	}
	if len(e) > 1 {
		return failf(e, "user has %d active access keys", len(e))
	}
	return pass(fmt.Sprintf("user has %d active access keys", len(e)), append(e, ev(r, r, "name", str(r.Attrs["name"])))...)
}

func userMFA(ix *Index, r *resource.Resource) *Outcome {
	if !ix.Has("aws_iam_virtual_mfa_device") {
		return nil
	}
	name := firstStr(r.Attrs, "name", "id")
	lp := ix.Related("aws_iam_user_login_profile", "user", r, name)
	if len(lp) == 0 {
		return nil
	}
	mfa := ix.Related("aws_iam_virtual_mfa_device", "user_name", r, name)
	if len(mfa) == 0 {
		return fail("user has a console password and no MFA device", ev(r, lp[0], "user", name), Evidence{Resource: "aws_iam_virtual_mfa_device", Path: "user_name", Value: nil})
	}
	return pass("user with a console password has an MFA device", ev(r, mfa[0], "user_name", name))
}

func directPolicies(ix *Index, r *resource.Resource) *Outcome {
	name := firstStr(r.Attrs, "name", "id")
	var e []Evidence
	for _, t := range []string{"aws_iam_user_policy_attachment", "aws_iam_user_policy"} {
		for _, a := range ix.Related(t, "user", r, name) {
			e = append(e, ev(r, a, "user", name))
		}
	}
	if len(e) > 0 {
		return failf(e, "user has %s attached directly instead of through a group", plural(len(e), "policy"))
	}
	return pass("no policy attached directly to the user", ev(r, r, "name", name))
}

func roleTrust(_ *Index, r *resource.Resource) *Outcome { return publicPolicy(r, "assume_role_policy") }

func init() {
	pw := []string{pwPolicy}
	pwTF := func(s string) string { return "resource \"aws_iam_account_password_policy\" \"strict\" { " + s + " }" }
	register(
		&Check{ID: "DM-AWS-IAM-001", Title: "IAM password policy requires a minimum length of 14 or more", Severity: Medium,
			Provider: "aws", Types: pw, Rationale: "Long passwords resist guessing and brute force.",
			Remediation: "Set the account password policy's minimum length to 14 or more.", Terraform: pwTF("minimum_password_length = 14"),
			Refs:     Refs{CIS: cis(CISAWS, "1.8"), Checkov: []string{"CKV_AWS_10"}, Prowler: []string{"iam_password_policy_minimum_length_14"}, SecurityHub: []string{"IAM.15"}},
			Weakened: "shortened the minimum password length", Eval: pwNumber("minimum_password_length", 14, true, "minimum password length")},
		&Check{ID: "DM-AWS-IAM-002", Title: "IAM password policy prevents reuse of the last 24 passwords", Severity: Medium,
			Provider: "aws", Types: pw, Rationale: "Reuse prevention stops users cycling back to a compromised password.",
			Remediation: "Set password_reuse_prevention to 24.", Terraform: pwTF("password_reuse_prevention = 24"),
			Refs:     Refs{CIS: cis(CISAWS, "1.9"), Checkov: []string{"CKV_AWS_13"}, Prowler: []string{"iam_password_policy_reuse_24"}, SecurityHub: []string{"IAM.16"}},
			Weakened: "weakened password reuse prevention", Eval: pwNumber("password_reuse_prevention", 24, true, "password reuse prevention")},
		&Check{ID: "DM-AWS-IAM-003", Title: "IAM password policy expires passwords within 90 days", Severity: Low,
			Provider: "aws", Types: pw, Rationale: "Expiry bounds how long a stolen password stays useful.",
			Remediation: "Set max_password_age to 90 or less.", Terraform: pwTF("max_password_age = 90"),
			Refs:     Refs{CIS: cis(CISAWS12, "1.11"), Checkov: []string{"CKV_AWS_9"}, Prowler: []string{"iam_password_policy_expires_passwords_within_90_days_or_less"}, SecurityHub: []string{"IAM.7"}},
			Weakened: "lengthened or removed password expiry", Eval: pwNumber("max_password_age", 90, false, "maximum password age")},
		&Check{ID: "DM-AWS-IAM-004", Title: "IAM password policy requires upper case, lower case, numbers and symbols", Severity: Low,
			Provider: "aws", Types: pw, Rationale: "Character classes enlarge the search space of a password.",
			Remediation: "Require every character class in the account password policy.",
			Terraform:   pwTF("require_uppercase_characters = true  require_lowercase_characters = true  require_numbers = true  require_symbols = true"),
			Refs: Refs{CIS: cis(CISAWS12, "1.5", "1.6", "1.7", "1.8"), Checkov: []string{"CKV_AWS_11", "CKV_AWS_12", "CKV_AWS_14", "CKV_AWS_15"},
				Prowler: []string{"iam_password_policy_uppercase", "iam_password_policy_lowercase", "iam_password_policy_number", "iam_password_policy_symbol"}, SecurityHub: []string{"IAM.7"}},
			Weakened: "relaxed password complexity", Eval: pwComplexity},
		&Check{ID: "DM-AWS-IAM-005", Title: "No access key exists for the root user", Severity: Critical,
			Provider: "aws", Types: []string{"aws_iam_access_key"},
			Rationale:   "Root keys carry unrestricted power that no policy can limit.",
			Remediation: "Delete the root user's access keys (console, Security credentials); use IAM roles instead.",
			Terraform:   "# root keys are not managed by Terraform: delete them in the console and never create aws_iam_access_key for root",
			Notes:       "Evaluated when the inventory carries the root user's keys (user \"root\" or \"<root_account>\", as the credential report names it); the typed IAM lister reads IAM users' keys only. Root MFA needs the account summary, which no lister reads yet.",
			Refs:        Refs{CIS: cis(CISAWS, "1.4"), Prowler: []string{"iam_no_root_access_key"}, SecurityHub: []string{"IAM.4"}},
			Weakened:    "activated a root access key", Eval: rootKey},
		&Check{ID: "DM-AWS-IAM-006", Title: "IAM users with a console password have MFA", Severity: High,
			Provider: "aws", Types: []string{"aws_iam_user"},
			Rationale:   "A password alone is one phishing email away from compromise.",
			Remediation: "Enable a virtual or hardware MFA device for every user with console access.",
			Terraform:   "resource \"aws_iam_virtual_mfa_device\" \"u\" { virtual_mfa_device_name = \"alice\" }  # then enable it for the user",
			Notes:       "Evaluated only when the inventory lists aws_iam_virtual_mfa_device (discovery has no MFA device lister yet).",
			Refs:        Refs{CIS: cis(CISAWS, "1.10"), Prowler: []string{"iam_user_mfa_enabled_console_access"}, SecurityHub: []string{"IAM.5"}},
			Weakened:    "left a console user without MFA", Eval: userMFA},
		&Check{ID: "DM-AWS-IAM-007", Title: "Active access keys are rotated within 90 days", Severity: Medium,
			Provider: "aws", Types: []string{"aws_iam_access_key"},
			Rationale:   "Old keys have had more time to leak into code, logs and laptops.",
			Remediation: "Create a new key, move its users to it, then deactivate and delete the old key.",
			Terraform:   "# replace the key: terraform apply -replace=aws_iam_access_key.<name>",
			Refs:        Refs{CIS: cis(CISAWS, "1.14"), Prowler: []string{"iam_rotate_access_key_90_days"}, SecurityHub: []string{"IAM.3"}},
			Weakened:    "reactivated an old access key", Eval: keyAge},
		&Check{ID: "DM-AWS-IAM-008", Title: "Access keys unused for 45 days or more are disabled", Severity: Medium,
			Provider: "aws", Types: []string{"aws_iam_access_key"},
			Rationale:   "Unused credentials are pure risk: nobody notices when someone else starts using them.",
			Remediation: "Deactivate (status = \"Inactive\") or delete keys unused for 45 days.",
			Terraform:   "resource \"aws_iam_access_key\" \"k\" { user = \"alice\"  status = \"Inactive\" }",
			Notes:       "Needs last_used_date on aws_iam_access_key (the credential report); without it the check is not evaluated.",
			Refs:        Refs{CIS: cis(CISAWS, "1.12"), Prowler: []string{"iam_user_accesskey_unused"}, SecurityHub: []string{"IAM.8", "IAM.22"}},
			Weakened:    "reactivated an unused access key", Eval: keyUnused},
		&Check{ID: "DM-AWS-IAM-009", Title: "IAM users have at most one active access key", Severity: Low,
			Provider: "aws", Types: []string{"aws_iam_user"},
			Rationale:   "Two active keys usually means a rotation that never finished.",
			Remediation: "Deactivate and delete the older key.", Terraform: "# remove the older aws_iam_access_key resource",
			Refs:     Refs{CIS: cis(CISAWS, "1.13"), Prowler: []string{"iam_user_two_active_access_key"}},
			Weakened: "added a second active access key", Eval: oneActiveKey},
		&Check{ID: "DM-AWS-IAM-010", Title: "IAM policies do not allow full \"*:*\" administrative privileges", Severity: High,
			Provider: "aws", Types: identityPolicyTypes,
			Rationale:   "Least privilege: a policy granting every action on every resource makes any holder an administrator.",
			Remediation: "Replace \"*\" with the actions and resources the principal needs.",
			Terraform:   "statement { actions = [\"s3:GetObject\"]  resources = [\"arn:aws:s3:::app/*\"] }  # not actions = [\"*\"], resources = [\"*\"]",
			Refs: Refs{CIS: cis(CISAWS, "1.16"), Checkov: []string{"CKV_AWS_1", "CKV_AWS_62"},
				Prowler: []string{"iam_customer_attached_policy_no_administrative_privileges", "iam_inline_policy_no_administrative_privileges"}, SecurityHub: []string{"IAM.1", "IAM.21"}},
			Weakened: "granted full administrative privileges", Eval: adminPolicy},
		&Check{ID: "DM-AWS-IAM-011", Title: "IAM policies do not allow privilege escalation", Severity: High,
			Provider: "aws", Types: identityPolicyTypes,
			Rationale:   "Actions such as iam:CreatePolicyVersion or iam:PassRole with lambda:CreateFunction let a principal grant itself more than it was given.",
			Remediation: "Remove the escalation actions, or scope them to specific resources and guard them with conditions (iam:PassedToService, permission boundaries).",
			Terraform:   "statement { actions = [\"iam:PassRole\"]  resources = [aws_iam_role.worker.arn]  condition { test = \"StringEquals\"  variable = \"iam:PassedToService\"  values = [\"lambda.amazonaws.com\"] } }",
			Refs:        Refs{Checkov: []string{"CKV_AWS_286"}, Prowler: []string{"iam_policy_allows_privilege_escalation"}},
			Weakened:    "allowed privilege escalation", Eval: privEsc},
		&Check{ID: "DM-AWS-IAM-012", Title: "IAM policies do not allow a service wildcard (service:*) on all resources", Severity: Medium,
			Provider: "aws", Types: identityPolicyTypes,
			Rationale:   "\"s3:*\" on \"*\" includes deleting every bucket and rewriting every bucket policy.",
			Remediation: "List the actions needed and scope Resource to the ARNs used.",
			Terraform:   "statement { actions = [\"s3:GetObject\", \"s3:PutObject\"]  resources = [\"arn:aws:s3:::app/*\"] }",
			Refs:        Refs{Checkov: []string{"CKV_AWS_289", "CKV_AWS_290"}, Prowler: []string{"iam_policy_no_full_access_to_kms", "iam_policy_no_full_access_to_cloudtrail"}},
			Weakened:    "granted a service wildcard on every resource", Eval: serviceWildcard},
		&Check{ID: "DM-AWS-IAM-013", Title: "IAM role trust policy does not allow any principal to assume it", Severity: Critical,
			Provider: "aws", Types: []string{"aws_iam_role"},
			Rationale:   "A trust policy with Principal \"*\" and no condition lets any AWS account assume the role.",
			Remediation: "Name the trusted accounts, roles or services, or add an aws:PrincipalOrgID / sts:ExternalId condition.",
			Terraform:   "principals { type = \"AWS\"  identifiers = [\"arn:aws:iam::111122223333:root\"] }  # not \"*\"",
			Refs:        Refs{Checkov: []string{"CKV_AWS_60", "CKV_AWS_61"}},
			Weakened:    "let any principal assume the role", Eval: roleTrust},
		&Check{ID: "DM-AWS-IAM-014", Title: "IAM users receive permissions only through groups", Severity: Low,
			Provider: "aws", Types: []string{"aws_iam_user"},
			Rationale:   "Permissions granted per user drift apart and are hard to review; groups keep them uniform.",
			Remediation: "Attach the policies to a group and add the user to it.",
			Terraform:   "resource \"aws_iam_group_policy_attachment\" \"g\" { group = aws_iam_group.dev.name  policy_arn = aws_iam_policy.p.arn }",
			Refs:        Refs{CIS: cis(CISAWS, "1.15"), Checkov: []string{"CKV_AWS_40"}, Prowler: []string{"iam_policy_attached_only_to_group_or_roles"}, SecurityHub: []string{"IAM.2"}},
			Weakened:    "attached a policy directly to a user", Eval: directPolicies},
	)
}
