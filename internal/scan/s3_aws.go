package scan

import (
	"fmt"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

var pabFields = []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"}

func bucketName(r *resource.Resource) string { return firstStr(r.Attrs, "bucket", "id") }

// bucketChildren returns the child resources of a bucket (public access
// block, policy, encryption, versioning), matched by the bucket name.
func bucketChildren(ix *Index, b *resource.Resource, typ string) []*resource.Resource {
	return ix.Related(typ, "bucket", b, bucketName(b))
}

// accountPAB returns the account-level public access block of the
// bucket's account, when the inventory has one.
func accountPAB(ix *Index, b *resource.Resource) *resource.Resource {
	for _, r := range ix.OfType("aws_s3_account_public_access_block") {
		if sameScope(r, b) && (str(r.Attrs["account_id"]) == "" || b.Account == "" || str(r.Attrs["account_id"]) == b.Account) {
			return r
		}
	}
	return nil
}

func pabFlag(ix *Index, b *resource.Resource, field string) (bool, Evidence, bool) {
	for _, p := range bucketChildren(ix, b, "aws_s3_bucket_public_access_block") {
		if isTrue(p.Attrs[field]) {
			return true, ev(b, p, path(field), true), true
		}
	}
	if a := accountPAB(ix, b); a != nil && isTrue(a.Attrs[field]) {
		return true, ev(b, a, path(field), true), true
	}
	return false, Evidence{}, false
}

func bucketPAB(ix *Index, b *resource.Resource) *Outcome {
	var on, off []Evidence
	var offNames []string
	pabs := bucketChildren(ix, b, "aws_s3_bucket_public_access_block")
	acct := accountPAB(ix, b)
	if len(pabs) == 0 && acct == nil {
		return fail("no public access block for the bucket or its account", Evidence{Resource: "aws_s3_bucket_public_access_block", Path: "bucket", Value: nil})
	}
	for _, f := range pabFields {
		var e *Evidence
		for _, p := range pabs {
			if isTrue(p.Attrs[f]) {
				x := ev(b, p, path(f), true)
				e = &x
				break
			}
		}
		if e == nil && acct != nil && isTrue(acct.Attrs[f]) {
			x := ev(b, acct, path(f), true)
			e = &x
		}
		if e != nil {
			on = append(on, *e)
			continue
		}
		offNames = append(offNames, f)
		if len(pabs) > 0 {
			off = append(off, ev(b, pabs[0], path(f), pabs[0].Attrs[f]))
		} else {
			off = append(off, ev(b, acct, path(f), acct.Attrs[f]))
		}
	}
	if off != nil {
		return failf(off, "public access block does not set %s", strings.Join(offNames, ", "))
	}
	return pass("all four public access block settings are on", on...)
}

func accountPABCheck(_ *Index, r *resource.Resource) *Outcome {
	var e []Evidence
	var off []string
	for _, f := range pabFields {
		e = append(e, ev(r, r, path(f), r.Attrs[f]))
		if !isTrue(r.Attrs[f]) {
			off = append(off, f)
		}
	}
	if off != nil {
		return failf(e, "account public access block does not set %s", strings.Join(off, ", "))
	}
	return pass("all four account-level public access block settings are on", e...)
}

var publicACLs = map[string]bool{"public-read": true, "public-read-write": true, "authenticated-read": true}

func bucketACL(ix *Index, b *resource.Resource) *Outcome {
	var bad []Evidence
	if acl := str(b.Attrs["acl"]); publicACLs[acl] {
		bad = append(bad, ev(b, b, "acl", acl))
	}
	for _, a := range bucketChildren(ix, b, "aws_s3_bucket_acl") {
		if acl := str(a.Attrs["acl"]); publicACLs[acl] {
			bad = append(bad, ev(b, a, "acl", acl))
		}
		for i, p := range list(a.Attrs["access_control_policy"]) {
			for j, g := range list(obj(p)["grant"]) {
				for k, ge := range list(obj(g)["grantee"]) {
					uri := str(obj(ge)["uri"])
					if strings.HasSuffix(uri, "/global/AllUsers") || strings.HasSuffix(uri, "/global/AuthenticatedUsers") {
						bad = append(bad, ev(b, a, path("access_control_policy").Index(i).Field("grant").Index(j).Field("grantee").Index(k).Field("uri"), uri))
					}
				}
			}
		}
	}
	if bad == nil {
		return pass("no ACL grants access to everyone", ev(b, b, "acl", b.Attrs["acl"]))
	}
	if on, e, _ := pabFlag(ix, b, "ignore_public_acls"); on {
		return pass("the bucket ACL is public but ignore_public_acls neutralises it", append(bad, e)...)
	}
	return fail("the bucket ACL grants access to everyone", bad...)
}

func bucketPolicies(ix *Index, b *resource.Resource) []*resource.Resource {
	out := bucketChildren(ix, b, "aws_s3_bucket_policy")
	if str(b.Attrs["policy"]) != "" {
		out = append([]*resource.Resource{b}, out...)
	}
	return out
}

func bucketPublicPolicy(ix *Index, b *resource.Resource) *Outcome {
	pols := bucketPolicies(ix, b)
	if len(pols) == 0 {
		return nil
	}
	var passed []Evidence
	for _, p := range pols {
		o := publicPolicy(p, "policy")
		if o == nil {
			continue
		}
		if o.Pass {
			for _, e := range o.Evidence {
				passed = append(passed, ev(b, p, e.Path, e.Value))
			}
			continue
		}
		for i := range o.Evidence {
			if p != b {
				o.Evidence[i].Resource = p.Type + "." + p.ID
			}
		}
		if on, e, _ := pabFlag(ix, b, "restrict_public_buckets"); on {
			return pass("the bucket policy is public but restrict_public_buckets limits it to AWS principals in the account", append(o.Evidence, e)...)
		}
		return o
	}
	if passed == nil {
		return nil // no policy document could be read
	}
	return pass("no bucket policy statement grants access to any principal", passed...)
}

// tlsOnly looks for Deny on aws:SecureTransport = false.
func tlsOnly(ix *Index, b *resource.Resource) *Outcome {
	pols := bucketPolicies(ix, b)
	if len(pols) == 0 {
		if !ix.Has("aws_s3_bucket_policy") && b.Source == resource.SourceLive {
			return nil
		}
		return fail("no bucket policy denies requests without TLS", Evidence{Resource: "aws_s3_bucket_policy", Path: "policy", Value: nil})
	}
	for _, p := range pols {
		d, ok := parsePolicy(str(p.Attrs["policy"]))
		if !ok {
			continue
		}
		for _, s := range d.Statements {
			if s.allow() || !s.grants("s3:GetObject") {
				continue
			}
			for op, m := range s.Condition {
				if !strings.EqualFold(op, "Bool") {
					continue
				}
				for k, v := range obj(m) {
					if strings.EqualFold(k, "aws:SecureTransport") && strings.EqualFold(strings.Join(strs(v), ""), "false") {
						return pass("the bucket policy denies requests without TLS", ev(b, p, stPath("policy", s, "Condition").Field(op).Field(k), "false"))
					}
				}
			}
		}
	}
	return fail("no bucket policy statement denies requests with aws:SecureTransport = false", ev(b, pols[0], "policy", "no Deny on aws:SecureTransport=false"))
}

func bucketEncryption(ix *Index, b *resource.Resource) *Outcome {
	if cfg := block(b.Attrs, "server_side_encryption_configuration"); cfg != nil {
		alg := str(obj(block(block(cfg, "rule"), "apply_server_side_encryption_by_default"))["sse_algorithm"])
		if alg != "" {
			return pass("default encryption "+alg, ev(b, b, "server_side_encryption_configuration[0].rule[0].apply_server_side_encryption_by_default[0].sse_algorithm", alg))
		}
	}
	cs := bucketChildren(ix, b, "aws_s3_bucket_server_side_encryption_configuration")
	for _, c := range cs {
		for i, r := range list(c.Attrs["rule"]) {
			def := block(obj(r), "apply_server_side_encryption_by_default")
			if alg := str(def["sse_algorithm"]); alg != "" {
				return pass("default encryption "+alg, ev(b, c, path("rule").Index(i).Field("apply_server_side_encryption_by_default").Index(0).Field("sse_algorithm"), alg))
			}
		}
	}
	if !ix.Has("aws_s3_bucket_server_side_encryption_configuration") {
		return nil
	}
	return fail("no default encryption configuration for the bucket", Evidence{Resource: "aws_s3_bucket_server_side_encryption_configuration", Path: "rule", Value: nil})
}

func bucketVersioning(ix *Index, b *resource.Resource) *Outcome {
	if v := block(b.Attrs, "versioning"); v != nil && isTrue(v["enabled"]) {
		return pass("versioning enabled", ev(b, b, "versioning[0].enabled", true))
	}
	if cs := bucketChildren(ix, b, "aws_s3_bucket_versioning"); len(cs) > 0 {
		st := str(block(cs[0].Attrs, "versioning_configuration")["status"])
		e := ev(b, cs[0], "versioning_configuration[0].status", st)
		if st == "Enabled" {
			return pass("versioning enabled", e)
		}
		return failf([]Evidence{e}, "versioning is %q", st)
	}
	if v := block(b.Attrs, "versioning"); v != nil {
		return fail("versioning disabled", ev(b, b, "versioning[0].enabled", v["enabled"]))
	}
	if !ix.Has("aws_s3_bucket_versioning") {
		return nil
	}
	return fail("no versioning configuration for the bucket", Evidence{Resource: "aws_s3_bucket_versioning", Path: "versioning_configuration", Value: nil})
}

func init() {
	b := []string{"aws_s3_bucket"}
	register(
		&Check{ID: "DM-AWS-S3-001", Title: "S3 bucket has Block Public Access on (bucket or account level)", Severity: High,
			Provider: "aws", Types: b, Rationale: "Block Public Access is the guard rail that keeps a mistaken ACL or policy from publishing data.",
			Remediation: "Turn on all four Block Public Access settings for the bucket (or the account).",
			Terraform:   "resource \"aws_s3_bucket_public_access_block\" \"b\" { bucket = aws_s3_bucket.b.id  block_public_acls = true  block_public_policy = true  ignore_public_acls = true  restrict_public_buckets = true }",
			Refs: Refs{CIS: cis(CISAWS, "2.1.4"), Checkov: []string{"CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"},
				Prowler: []string{"s3_bucket_level_public_access_block"}, SecurityHub: []string{"S3.8"}},
			Weakened: "turned off S3 Block Public Access", Eval: bucketPAB},
		&Check{ID: "DM-AWS-S3-002", Title: "Account-level S3 Block Public Access is on", Severity: Medium,
			Provider: "aws", Types: []string{"aws_s3_account_public_access_block"}, Rationale: "The account setting protects every bucket, including ones created tomorrow.",
			Remediation: "Turn on all four account-level settings.",
			Terraform:   "resource \"aws_s3_account_public_access_block\" \"a\" { block_public_acls = true  block_public_policy = true  ignore_public_acls = true  restrict_public_buckets = true }",
			Refs:        Refs{CIS: cis(CISAWS, "2.1.4"), Checkov: []string{"CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"}, Prowler: []string{"s3_account_level_public_access_blocks"}, SecurityHub: []string{"S3.1"}},
			Weakened:    "turned off account-level S3 Block Public Access", Eval: accountPABCheck},
		&Check{ID: "DM-AWS-S3-003", Title: "S3 bucket ACL does not grant public access", Severity: High,
			Provider: "aws", Types: b, Rationale: "A public-read or public-read-write ACL exposes (or lets anyone overwrite) every object.",
			Remediation: "Use the private ACL, or disable ACLs with object ownership BucketOwnerEnforced.",
			Terraform:   "resource \"aws_s3_bucket_ownership_controls\" \"b\" { bucket = aws_s3_bucket.b.id  rule { object_ownership = \"BucketOwnerEnforced\" } }",
			Refs:        Refs{Checkov: []string{"CKV_AWS_20", "CKV_AWS_57"}, Prowler: []string{"s3_bucket_public_access"}, SecurityHub: []string{"S3.2", "S3.3"}},
			Weakened:    "made a bucket ACL public", Eval: bucketACL},
		&Check{ID: "DM-AWS-S3-004", Title: "S3 bucket policy does not grant access to any principal", Severity: Critical,
			Provider: "aws", Types: b, Rationale: "Principal \"*\" without a restricting condition publishes the bucket to the internet.",
			Remediation: "Name the principals that need access, or add an aws:SourceVpce / aws:PrincipalOrgID condition.",
			Terraform:   "principals { type = \"AWS\"  identifiers = [aws_iam_role.reader.arn] }  # not \"*\"",
			Refs:        Refs{Checkov: []string{"CKV_AWS_70"}, Prowler: []string{"s3_bucket_public_access", "s3_bucket_policy_public_write_access"}, SecurityHub: []string{"S3.2", "S3.3"}},
			Weakened:    "made a bucket policy public", Eval: bucketPublicPolicy},
		&Check{ID: "DM-AWS-S3-005", Title: "S3 bucket policy denies requests without TLS", Severity: Medium,
			Provider: "aws", Types: b, Rationale: "Without a Deny on aws:SecureTransport = false, clients may read and write over plain HTTP.",
			Remediation: "Add a Deny statement for s3:* when aws:SecureTransport is false.",
			Terraform:   "statement { effect = \"Deny\"  actions = [\"s3:*\"]  principals { type = \"*\"  identifiers = [\"*\"] }  resources = [aws_s3_bucket.b.arn, \"${aws_s3_bucket.b.arn}/*\"]  condition { test = \"Bool\"  variable = \"aws:SecureTransport\"  values = [\"false\"] } }",
			Notes:       "On live inventories the check needs bucket policies listed (aws_s3_bucket_policy); a bucket from state without a policy fails.",
			Refs:        Refs{CIS: cis(CISAWS, "2.1.1"), Prowler: []string{"s3_bucket_secure_transport_policy"}, SecurityHub: []string{"S3.5"}},
			Weakened:    "removed the TLS-only bucket policy", Eval: tlsOnly},
		&Check{ID: "DM-AWS-S3-006", Title: "S3 bucket has default encryption configured", Severity: Low,
			Provider: "aws", Types: b, Rationale: "Default encryption keeps objects encrypted at rest with a key you choose; SSE-KMS adds access control and audit on the key.",
			Remediation: "Configure default encryption, preferably aws:kms with a customer managed key.",
			Terraform:   "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"b\" { bucket = aws_s3_bucket.b.id  rule { apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\" } } }",
			Notes:       "S3 encrypts new objects with SSE-S3 since January 2023; the check is evaluated only when the inventory carries encryption configurations.",
			Refs:        Refs{CIS: cis(CISAWS14, "2.1.1"), Checkov: []string{"CKV_AWS_19", "CKV_AWS_145"}, Prowler: []string{"s3_bucket_default_encryption"}, SecurityHub: []string{"S3.4"}},
			Weakened:    "removed default bucket encryption", Eval: bucketEncryption},
		&Check{ID: "DM-AWS-S3-007", Title: "S3 bucket has versioning enabled", Severity: Low,
			Provider: "aws", Types: b, Rationale: "Versioning recovers objects from overwrites, deletes and ransomware.",
			Remediation: "Enable versioning.", Terraform: "resource \"aws_s3_bucket_versioning\" \"b\" { bucket = aws_s3_bucket.b.id  versioning_configuration { status = \"Enabled\" } }",
			Refs:     Refs{Checkov: []string{"CKV_AWS_21"}, Prowler: []string{"s3_bucket_object_versioning"}, SecurityHub: []string{"S3.14"}},
			Weakened: "suspended bucket versioning", Eval: bucketVersioning},
	)
	_ = fmt.Sprint
}
