//lint:file-ignore SA1019 lifecycle rules written before filter existed still carry prefix, and state holds it

package aws

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// s3Types are what listS3 emits: the bucket and the configurations
// Terraform manages as resources of their own.
var s3Types = []string{"aws_s3_bucket", "aws_s3_bucket_public_access_block", "aws_s3_bucket_versioning",
	"aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_policy",
	"aws_s3_bucket_lifecycle_configuration"}

// s3NotConfigured are the error codes S3 answers for a configuration a
// bucket does not have. NotImplemented is what S3-compatible stores answer
// for configurations they do not support: there is nothing to compare.
var s3NotConfigured = set("NoSuchTagSet", "NoSuchPublicAccessBlockConfiguration",
	"ServerSideEncryptionConfigurationNotFoundError", "NoSuchBucketPolicy", "NoSuchLifecycleConfiguration",
	"NotImplemented")

func (p *provider) s3Listers() []discovery.Lister {
	return []discovery.Lister{&lister{service: "s3", types: s3Types, global: true,
		list: func(ctx context.Context, s discovery.Scope, emit func(resource.Resource)) error {
			cfg, err := p.cfg(s)
			if err != nil {
				return err
			}
			c := s3.NewFromConfig(cfg, func(o *s3.Options) {
				// Endpoint overrides (the simulated cloud, S3-compatible
				// stores) address buckets by path, not by host name.
				o.UsePathStyle = p.opts.Endpoint != ""
			})
			return p.listS3(ctx, c, s, emit)
		}}}
}

// listS3 lists the account's buckets once (ListBuckets is global) and
// reads each bucket's configuration in the bucket's own region, which
// GetBucketLocation reports.
func (p *provider) listS3(ctx context.Context, c *s3.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{MaxBuckets: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list buckets: %w", err)
		}
		for _, b := range out.Buckets {
			if err := p.listBucket(ctx, c, s, sv(b.Name), emit); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *provider) listBucket(ctx context.Context, c *s3.Client, s discovery.Scope, name string, emit func(resource.Resource)) error {
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &name})
	if err != nil {
		return fmt.Errorf("get location of bucket %s: %w", name, err)
	}
	region := string(loc.LocationConstraint)
	switch region {
	case "":
		region = "us-east-1"
	case "EU":
		region = "eu-west-1"
	}
	in := func(o *s3.Options) { o.Region = region }
	s.Region = region
	add := func(typ string, attrs map[string]any) {
		attrs["bucket"] = name
		r := newResource(typ, name, s, attrs, nil)
		delete(r.Attrs, "tags")
		emit(r)
	}

	tags := map[string]string{}
	tout, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &name}, in)
	if err := none(err); err != nil {
		return fmt.Errorf("get tags of bucket %s: %w", name, err)
	}
	if tout != nil {
		for _, t := range tout.TagSet {
			tags[sv(t.Key)] = sv(t.Value)
		}
	}
	emit(newResource("aws_s3_bucket", name, s, map[string]any{
		"bucket": name, "arn": "arn:aws:s3:::" + name, "region": region,
		"bucket_domain_name": name + ".s3.amazonaws.com",
	}, tags))

	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &name}, in)
	if err := none(err); err != nil {
		return fmt.Errorf("get public access block of bucket %s: %w", name, err)
	}
	if pab != nil && pab.PublicAccessBlockConfiguration != nil {
		b := pab.PublicAccessBlockConfiguration
		add("aws_s3_bucket_public_access_block", map[string]any{
			"block_public_acls": bv(b.BlockPublicAcls), "block_public_policy": bv(b.BlockPublicPolicy),
			"ignore_public_acls": bv(b.IgnorePublicAcls), "restrict_public_buckets": bv(b.RestrictPublicBuckets),
		})
	}

	ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &name}, in)
	if err := none(err); err != nil {
		return fmt.Errorf("get versioning of bucket %s: %w", name, err)
	}
	// A bucket that never had versioning set reports no status: Terraform
	// has no aws_s3_bucket_versioning for it.
	if ver != nil && ver.Status != "" {
		add("aws_s3_bucket_versioning", map[string]any{
			"expected_bucket_owner": "",
			"versioning_configuration": []any{map[string]any{
				"status": string(ver.Status), "mfa_delete": string(ver.MFADelete)}},
		})
	}

	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &name}, in)
	if err := none(err); err != nil {
		return fmt.Errorf("get encryption of bucket %s: %w", name, err)
	}
	if enc != nil && enc.ServerSideEncryptionConfiguration != nil {
		rules := []any{}
		for _, r := range enc.ServerSideEncryptionConfiguration.Rules {
			rule := map[string]any{"bucket_key_enabled": bv(r.BucketKeyEnabled),
				"apply_server_side_encryption_by_default": []any{}}
			if d := r.ApplyServerSideEncryptionByDefault; d != nil {
				rule["apply_server_side_encryption_by_default"] = []any{map[string]any{
					"sse_algorithm": string(d.SSEAlgorithm), "kms_master_key_id": sv(d.KMSMasterKeyID)}}
			}
			rules = append(rules, rule)
		}
		add("aws_s3_bucket_server_side_encryption_configuration", map[string]any{
			"expected_bucket_owner": "", "rule": rules})
	}

	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &name}, in)
	if err := none(err); err != nil {
		return fmt.Errorf("get policy of bucket %s: %w", name, err)
	}
	if pol != nil && sv(pol.Policy) != "" {
		add("aws_s3_bucket_policy", map[string]any{"policy": sv(pol.Policy)})
	}

	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &name}, in)
	if err := none(err); err != nil {
		return fmt.Errorf("get lifecycle of bucket %s: %w", name, err)
	}
	if lc != nil && len(lc.Rules) > 0 {
		rules := make([]any, 0, len(lc.Rules))
		for _, r := range lc.Rules {
			rules = append(rules, lifecycleRule(r))
		}
		add("aws_s3_bucket_lifecycle_configuration", map[string]any{"expected_bucket_owner": "", "rule": rules})
	}
	return nil
}

// none turns S3's "this bucket has no such configuration" errors into nil.
func none(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && s3NotConfigured[ae.ErrorCode()] {
		return nil
	}
	return err
}

// lifecycleRule maps one rule onto the Terraform rule block.
func lifecycleRule(r types.LifecycleRule) map[string]any {
	rule := map[string]any{"id": sv(r.ID), "status": string(r.Status), "prefix": sv(r.Prefix),
		"filter": []any{}, "expiration": []any{}, "transition": []any{},
		"noncurrent_version_expiration": []any{}, "noncurrent_version_transition": []any{},
		"abort_incomplete_multipart_upload": []any{}}
	if f := r.Filter; f != nil {
		filter := map[string]any{"prefix": sv(f.Prefix), "object_size_greater_than": i64(f.ObjectSizeGreaterThan),
			"object_size_less_than": i64(f.ObjectSizeLessThan), "tag": []any{}, "and": []any{}}
		if t := f.Tag; t != nil {
			filter["tag"] = []any{map[string]any{"key": sv(t.Key), "value": sv(t.Value)}}
		}
		if a := f.And; a != nil {
			tags := map[string]any{}
			for _, t := range a.Tags {
				tags[sv(t.Key)] = sv(t.Value)
			}
			filter["and"] = []any{map[string]any{"prefix": sv(a.Prefix), "tags": tags,
				"object_size_greater_than": i64(a.ObjectSizeGreaterThan), "object_size_less_than": i64(a.ObjectSizeLessThan)}}
		}
		rule["filter"] = []any{filter}
	}
	if e := r.Expiration; e != nil {
		rule["expiration"] = []any{map[string]any{"days": i32(e.Days), "date": rfc3339(e.Date),
			"expired_object_delete_marker": bv(e.ExpiredObjectDeleteMarker)}}
	}
	for _, t := range r.Transitions {
		rule["transition"] = append(rule["transition"].([]any), map[string]any{"days": i32(t.Days),
			"date": rfc3339(t.Date), "storage_class": string(t.StorageClass)})
	}
	if e := r.NoncurrentVersionExpiration; e != nil {
		rule["noncurrent_version_expiration"] = []any{map[string]any{"noncurrent_days": i32(e.NoncurrentDays),
			"newer_noncurrent_versions": i32(e.NewerNoncurrentVersions)}}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		rule["noncurrent_version_transition"] = append(rule["noncurrent_version_transition"].([]any),
			map[string]any{"noncurrent_days": i32(t.NoncurrentDays),
				"newer_noncurrent_versions": i32(t.NewerNoncurrentVersions), "storage_class": string(t.StorageClass)})
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		rule["abort_incomplete_multipart_upload"] = []any{map[string]any{"days_after_initiation": i32(a.DaysAfterInitiation)}}
	}
	return rule
}
