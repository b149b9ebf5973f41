//lint:file-ignore SA1019 the provider still stores the legacy cache settings (forwarded_values, min/max/default TTL) in state

package aws

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// cloudfrontZoneID is the Route 53 zone of every CloudFront domain, which
// the provider reports as hosted_zone_id.
const cloudfrontZoneID = "Z2FDTNDATAQYW2"

// cloudfrontListers: CloudFront is global, listed once per account.
func (p *provider) cloudfrontListers() []discovery.Lister {
	newClient := func(cfg aws.Config) *cloudfront.Client { return cloudfront.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "cloudfront", true, []string{"aws_cloudfront_distribution"}, newClient, p.listDistributions),
	}
}

// listDistributions emits aws_cloudfront_distribution: identity from
// ListDistributions, the configuration Terraform holds from
// GetDistributionConfig, tags from ListTagsForResource. Origins and custom
// error responses (sets in Terraform) come sorted by their keys; ordered
// cache behaviors keep their order, which is their precedence.
func (p *provider) listDistributions(ctx context.Context, c *cloudfront.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := cloudfront.NewListDistributionsPaginator(c, &cloudfront.ListDistributionsInput{MaxItems: p.boundedPage(1, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list distributions: %w", err)
		}
		if out.DistributionList == nil {
			continue
		}
		for _, sum := range out.DistributionList.Items {
			id := sv(sum.Id)
			got, err := c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: sum.Id})
			if err != nil {
				return fmt.Errorf("get config of distribution %s: %w", id, err)
			}
			tg, err := c.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: sum.ARN})
			if err != nil {
				return fmt.Errorf("list tags of distribution %s: %w", id, err)
			}
			tags := map[string]string{}
			if tg.Tags != nil {
				for _, t := range tg.Tags.Items {
					tags[sv(t.Key)] = sv(t.Value)
				}
			}
			attrs := distributionAttrs(got.DistributionConfig)
			attrs["arn"] = sv(sum.ARN)
			attrs["domain_name"] = sv(sum.DomainName)
			attrs["hosted_zone_id"] = cloudfrontZoneID
			attrs["status"] = sv(sum.Status)
			attrs["etag"] = sv(got.ETag)
			emit(newResource("aws_cloudfront_distribution", id, s, attrs, tags))
		}
	}
	return nil
}

func distributionAttrs(dc *types.DistributionConfig) map[string]any {
	if dc == nil {
		dc = &types.DistributionConfig{}
	}
	var aliases []string
	if dc.Aliases != nil {
		aliases = dc.Aliases.Items
	}
	var origins []types.Origin
	if dc.Origins != nil {
		origins = dc.Origins.Items
	}
	sort.Slice(origins, func(i, j int) bool { return sv(origins[i].Id) < sv(origins[j].Id) })
	originList := []any{}
	for _, o := range origins {
		originList = append(originList, originAttrs(o))
	}
	ordered := []any{}
	if dc.CacheBehaviors != nil {
		for _, b := range dc.CacheBehaviors.Items {
			m := cacheBehaviorAttrs(types.DefaultCacheBehavior{TargetOriginId: b.TargetOriginId,
				ViewerProtocolPolicy: b.ViewerProtocolPolicy, AllowedMethods: b.AllowedMethods,
				CachePolicyId: b.CachePolicyId, Compress: b.Compress, DefaultTTL: b.DefaultTTL,
				FieldLevelEncryptionId: b.FieldLevelEncryptionId, ForwardedValues: b.ForwardedValues,
				FunctionAssociations: b.FunctionAssociations, LambdaFunctionAssociations: b.LambdaFunctionAssociations,
				MaxTTL: b.MaxTTL, MinTTL: b.MinTTL, OriginRequestPolicyId: b.OriginRequestPolicyId,
				RealtimeLogConfigArn: b.RealtimeLogConfigArn, ResponseHeadersPolicyId: b.ResponseHeadersPolicyId,
				SmoothStreaming: b.SmoothStreaming, TrustedKeyGroups: b.TrustedKeyGroups, TrustedSigners: b.TrustedSigners})
			m["path_pattern"] = sv(b.PathPattern)
			ordered = append(ordered, m)
		}
	}
	var errs []types.CustomErrorResponse
	if dc.CustomErrorResponses != nil {
		errs = dc.CustomErrorResponses.Items
	}
	sort.Slice(errs, func(i, j int) bool { return aws.ToInt32(errs[i].ErrorCode) < aws.ToInt32(errs[j].ErrorCode) })
	errList := []any{}
	for _, e := range errs {
		code, _ := strconv.Atoi(sv(e.ResponseCode))
		errList = append(errList, map[string]any{"error_code": i32(e.ErrorCode), "response_code": float64(code),
			"response_page_path": sv(e.ResponsePagePath), "error_caching_min_ttl": i64(e.ErrorCachingMinTTL)})
	}
	logging := []any{}
	if l := dc.Logging; l != nil && bv(l.Enabled) {
		logging = append(logging, map[string]any{"bucket": sv(l.Bucket), "include_cookies": bv(l.IncludeCookies),
			"prefix": sv(l.Prefix)})
	}
	viewer := []any{}
	if v := dc.ViewerCertificate; v != nil {
		viewer = append(viewer, map[string]any{"acm_certificate_arn": sv(v.ACMCertificateArn),
			"cloudfront_default_certificate": bv(v.CloudFrontDefaultCertificate),
			"iam_certificate_id":             sv(v.IAMCertificateId),
			"minimum_protocol_version":       string(v.MinimumProtocolVersion),
			"ssl_support_method":             string(v.SSLSupportMethod)})
	}
	geo := map[string]any{"restriction_type": "none", "locations": []any{}}
	if r := dc.Restrictions; r != nil && r.GeoRestriction != nil {
		geo = map[string]any{"restriction_type": string(r.GeoRestriction.RestrictionType),
			"locations": sortedStrings(r.GeoRestriction.Items)}
	}
	def := []any{}
	if dc.DefaultCacheBehavior != nil {
		def = append(def, cacheBehaviorAttrs(*dc.DefaultCacheBehavior))
	}
	return map[string]any{
		"caller_reference":       sv(dc.CallerReference),
		"aliases":                sortedStrings(aliases),
		"comment":                sv(dc.Comment),
		"default_root_object":    sv(dc.DefaultRootObject),
		"enabled":                bv(dc.Enabled),
		"is_ipv6_enabled":        bv(dc.IsIPV6Enabled),
		"http_version":           string(dc.HttpVersion),
		"price_class":            string(dc.PriceClass),
		"web_acl_id":             sv(dc.WebACLId),
		"staging":                bv(dc.Staging),
		"origin":                 originList,
		"default_cache_behavior": def,
		"ordered_cache_behavior": ordered,
		"custom_error_response":  errList,
		"logging_config":         logging,
		"viewer_certificate":     viewer,
		"restrictions":           []any{map[string]any{"geo_restriction": []any{geo}}},
	}
}

func originAttrs(o types.Origin) map[string]any {
	headers := []any{}
	if o.CustomHeaders != nil {
		for _, h := range o.CustomHeaders.Items {
			headers = append(headers, map[string]any{"name": sv(h.HeaderName), "value": sv(h.HeaderValue)})
		}
	}
	s3 := []any{}
	if o.S3OriginConfig != nil {
		s3 = append(s3, map[string]any{"origin_access_identity": sv(o.S3OriginConfig.OriginAccessIdentity)})
	}
	custom := []any{}
	if co := o.CustomOriginConfig; co != nil {
		var protocols []string
		if co.OriginSslProtocols != nil {
			for _, p := range co.OriginSslProtocols.Items {
				protocols = append(protocols, string(p))
			}
		}
		custom = append(custom, map[string]any{"http_port": i32(co.HTTPPort), "https_port": i32(co.HTTPSPort),
			"origin_protocol_policy": string(co.OriginProtocolPolicy), "origin_ssl_protocols": sortedStrings(protocols),
			"origin_read_timeout": i32(co.OriginReadTimeout), "origin_keepalive_timeout": i32(co.OriginKeepaliveTimeout)})
	}
	return map[string]any{
		"origin_id":                sv(o.Id),
		"domain_name":              sv(o.DomainName),
		"origin_path":              sv(o.OriginPath),
		"connection_attempts":      i32(o.ConnectionAttempts),
		"connection_timeout":       i32(o.ConnectionTimeout),
		"origin_access_control_id": sv(o.OriginAccessControlId),
		"custom_header":            headers,
		"s3_origin_config":         s3,
		"custom_origin_config":     custom,
	}
}

func cacheBehaviorAttrs(b types.DefaultCacheBehavior) map[string]any {
	var allowed, cached []string
	if am := b.AllowedMethods; am != nil {
		for _, m := range am.Items {
			allowed = append(allowed, string(m))
		}
		if am.CachedMethods != nil {
			for _, m := range am.CachedMethods.Items {
				cached = append(cached, string(m))
			}
		}
	}
	var signers, groups []string
	if b.TrustedSigners != nil {
		signers = b.TrustedSigners.Items
	}
	if b.TrustedKeyGroups != nil {
		groups = b.TrustedKeyGroups.Items
	}
	fns := []any{}
	if b.FunctionAssociations != nil {
		for _, f := range b.FunctionAssociations.Items {
			fns = append(fns, map[string]any{"event_type": string(f.EventType), "function_arn": sv(f.FunctionARN)})
		}
	}
	lambdas := []any{}
	if b.LambdaFunctionAssociations != nil {
		for _, l := range b.LambdaFunctionAssociations.Items {
			lambdas = append(lambdas, map[string]any{"event_type": string(l.EventType),
				"lambda_arn": sv(l.LambdaFunctionARN), "include_body": bv(l.IncludeBody)})
		}
	}
	forwarded := []any{}
	if fv := b.ForwardedValues; fv != nil {
		cookies := map[string]any{"forward": "", "whitelisted_names": []any{}}
		if ck := fv.Cookies; ck != nil {
			cookies["forward"] = string(ck.Forward)
			if ck.WhitelistedNames != nil {
				cookies["whitelisted_names"] = sortedStrings(ck.WhitelistedNames.Items)
			}
		}
		var headers, keys []string
		if fv.Headers != nil {
			headers = fv.Headers.Items
		}
		if fv.QueryStringCacheKeys != nil {
			keys = fv.QueryStringCacheKeys.Items
		}
		forwarded = append(forwarded, map[string]any{"query_string": bv(fv.QueryString),
			"cookies": []any{cookies}, "headers": sortedStrings(headers), "query_string_cache_keys": anyStrings(keys)})
	}
	return map[string]any{
		"target_origin_id":            sv(b.TargetOriginId),
		"viewer_protocol_policy":      string(b.ViewerProtocolPolicy),
		"allowed_methods":             sortedStrings(allowed),
		"cached_methods":              sortedStrings(cached),
		"cache_policy_id":             sv(b.CachePolicyId),
		"origin_request_policy_id":    sv(b.OriginRequestPolicyId),
		"response_headers_policy_id":  sv(b.ResponseHeadersPolicyId),
		"realtime_log_config_arn":     sv(b.RealtimeLogConfigArn),
		"field_level_encryption_id":   sv(b.FieldLevelEncryptionId),
		"compress":                    bv(b.Compress),
		"smooth_streaming":            bv(b.SmoothStreaming),
		"default_ttl":                 i64(b.DefaultTTL),
		"min_ttl":                     i64(b.MinTTL),
		"max_ttl":                     i64(b.MaxTTL),
		"trusted_signers":             anyStrings(signers),
		"trusted_key_groups":          anyStrings(groups),
		"function_association":        fns,
		"lambda_function_association": lambdas,
		"forwarded_values":            forwarded,
	}
}
