package awssim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

const cloudfrontNS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

// cloudfront answers the CloudFront REST-XML API (global) from
// aws_cloudfront_distribution: ListDistributions (Marker and MaxItems, the
// marker being the next distribution's id), GetDistributionConfig with its
// ETag, and ListTagsForResource by ARN.
func (h *handler) cloudfront(rw http.ResponseWriter, c *call) {
	if !queryFault(rw, h.w.Check("aws:cloudfront", c.account)) {
		return
	}
	path, ok := strings.CutPrefix(c.r.URL.Path, "/2020-05-31/")
	if !ok || c.r.Method != http.MethodGet {
		cloudfrontError(rw, http.StatusBadRequest, "InvalidArgument", "awssim: this CloudFront operation is not simulated")
		return
	}
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "distribution":
		h.cloudfrontList(rw, c)
	case len(parts) == 3 && parts[0] == "distribution" && parts[2] == "config":
		h.cloudfrontConfig(rw, c, parts[1])
	case len(parts) == 1 && parts[0] == "tagging":
		h.cloudfrontTags(rw, c)
	default:
		cloudfrontError(rw, http.StatusBadRequest, "InvalidArgument", "awssim: this CloudFront operation is not simulated")
	}
}

func cloudfrontError(rw http.ResponseWriter, status int, code, msg string) {
	queryError(rw, status, "Sender", code, msg)
}

func cloudfrontARN(c *call, id string) string {
	return "arn:aws:cloudfront::" + c.account + ":distribution/" + id
}

func (h *handler) cloudfrontList(rw http.ResponseWriter, c *call) {
	ds := h.resources(c, "aws_cloudfront_distribution", true)
	q := c.r.URL.Query()
	size := 100
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			cloudfrontError(rw, http.StatusBadRequest, "InvalidArgument", "MaxItems must be a positive number")
			return
		}
		size = min(n, 100)
	}
	lo := 0
	if m := q.Get("Marker"); m != "" {
		lo = sort.Search(len(ds), func(i int) bool { return str(ds[i], "id") >= m })
		if lo == len(ds) || str(ds[lo], "id") != m {
			cloudfrontError(rw, http.StatusBadRequest, "InvalidArgument", "The marker is not valid: "+m)
			return
		}
	}
	hi := min(len(ds), lo+size)
	restXMLResult(rw, cloudfrontNS, "DistributionList", func(d *doc) {
		d.text("Marker", q.Get("Marker"))
		if hi < len(ds) {
			d.text("NextMarker", str(ds[hi], "id"))
		}
		d.num("MaxItems", float64(size))
		d.boolean("IsTruncated", hi < len(ds))
		d.num("Quantity", float64(hi-lo))
		d.open("Items")
		for _, m := range ds[lo:hi] {
			d.open("DistributionSummary")
			d.text("Id", str(m, "id"))
			d.text("ARN", cloudfrontARN(c, str(m, "id")))
			d.text("ETag", cloudfrontETag(m))
			d.text("Status", strOr(m, "status", "Deployed"))
			d.text("LastModifiedTime", created)
			d.text("DomainName", cloudfrontDomain(m))
			renderDistribution(d, m, true)
			d.close("DistributionSummary")
		}
		d.close("Items")
	})
}

func cloudfrontDomain(m map[string]any) string {
	return strOr(m, "domain_name", strings.ToLower(str(m, "id"))+".cloudfront.net")
}

func cloudfrontETag(m map[string]any) string { return strOr(m, "etag", "E"+str(m, "id")) }

// cloudfrontFind finds a distribution by id, answering NoSuchDistribution.
func (h *handler) cloudfrontFind(rw http.ResponseWriter, c *call, id string) (map[string]any, bool) {
	for _, m := range h.resources(c, "aws_cloudfront_distribution", true) {
		if str(m, "id") == id {
			return m, true
		}
	}
	cloudfrontError(rw, http.StatusNotFound, "NoSuchDistribution", "The specified distribution does not exist.")
	return nil, false
}

func (h *handler) cloudfrontConfig(rw http.ResponseWriter, c *call, id string) {
	m, ok := h.cloudfrontFind(rw, c, id)
	if !ok {
		return
	}
	rw.Header().Set("ETag", cloudfrontETag(m))
	restXMLResult(rw, cloudfrontNS, "DistributionConfig", func(d *doc) { renderDistribution(d, m, false) })
}

func (h *handler) cloudfrontTags(rw http.ResponseWriter, c *call) {
	arn := c.r.URL.Query().Get("Resource")
	id, ok := strings.CutPrefix(arn, "arn:aws:cloudfront::"+c.account+":distribution/")
	if !ok {
		cloudfrontError(rw, http.StatusBadRequest, "InvalidArgument", "The ARN is not valid: "+arn)
		return
	}
	for _, m := range h.resources(c, "aws_cloudfront_distribution", true) {
		if str(m, "id") == id {
			restXMLResult(rw, cloudfrontNS, "Tags", func(d *doc) {
				d.open("Items")
				for _, t := range tagsOf(m) {
					d.open("Tag")
					d.text("Key", t[0])
					d.text("Value", t[1])
					d.close("Tag")
				}
				d.close("Items")
			})
			return
		}
	}
	cloudfrontError(rw, http.StatusNotFound, "NoSuchResource", "The specified resource does not exist: "+arn)
}

// cfItems writes CloudFront's <name><Quantity>n</Quantity><Items>..</Items></name>.
func cfItems(d *doc, name string, n int, each func(i int)) {
	d.open(name)
	d.num("Quantity", float64(n))
	if n > 0 {
		d.open("Items")
		for i := range n {
			each(i)
		}
		d.close("Items")
	}
	d.close(name)
}

func itemStrings(d *doc, name, member string, vs []string) {
	cfItems(d, name, len(vs), func(i int) { d.text(member, vs[i]) })
}

// renderDistribution writes the configuration elements shared by a
// DistributionConfig and, with summary set, a DistributionSummary.
func renderDistribution(d *doc, m map[string]any, summary bool) {
	if !summary {
		d.text("CallerReference", strOr(m, "caller_reference", "awssim-"+str(m, "id")))
	}
	itemStrings(d, "Aliases", "CNAME", strs(m, "aliases"))
	if !summary {
		d.text("DefaultRootObject", str(m, "default_root_object"))
	}
	origins := list(m, "origin")
	cfItems(d, "Origins", len(origins), func(i int) { renderOrigin(d, obj(origins[i])) })
	d.open("DefaultCacheBehavior")
	renderCacheBehavior(d, obj(first(list(m, "default_cache_behavior"))))
	d.close("DefaultCacheBehavior")
	ordered := list(m, "ordered_cache_behavior")
	cfItems(d, "CacheBehaviors", len(ordered), func(i int) {
		d.open("CacheBehavior")
		d.text("PathPattern", str(obj(ordered[i]), "path_pattern"))
		renderCacheBehavior(d, obj(ordered[i]))
		d.close("CacheBehavior")
	})
	errs := list(m, "custom_error_response")
	cfItems(d, "CustomErrorResponses", len(errs), func(i int) {
		e := obj(errs[i])
		d.open("CustomErrorResponse")
		d.num("ErrorCode", num(e, "error_code"))
		d.opt("ResponsePagePath", str(e, "response_page_path"))
		if v := num(e, "response_code"); v != 0 {
			d.text("ResponseCode", strconv.Itoa(int(v)))
		}
		d.num("ErrorCachingMinTTL", num(e, "error_caching_min_ttl"))
		d.close("CustomErrorResponse")
	})
	d.text("Comment", str(m, "comment"))
	if !summary {
		l := obj(first(list(m, "logging_config")))
		d.open("Logging")
		d.boolean("Enabled", l != nil)
		d.boolean("IncludeCookies", boolean(l, "include_cookies"))
		d.text("Bucket", str(l, "bucket"))
		d.text("Prefix", str(l, "prefix"))
		d.close("Logging")
	}
	d.text("PriceClass", strOr(m, "price_class", "PriceClass_All"))
	d.boolean("Enabled", boolean(m, "enabled"))
	if v := obj(first(list(m, "viewer_certificate"))); v != nil {
		d.open("ViewerCertificate")
		d.boolean("CloudFrontDefaultCertificate", boolean(v, "cloudfront_default_certificate"))
		d.opt("IAMCertificateId", str(v, "iam_certificate_id"))
		d.opt("ACMCertificateArn", str(v, "acm_certificate_arn"))
		d.opt("SSLSupportMethod", str(v, "ssl_support_method"))
		d.opt("MinimumProtocolVersion", str(v, "minimum_protocol_version"))
		d.close("ViewerCertificate")
	}
	geo := obj(first(list(obj(first(list(m, "restrictions"))), "geo_restriction")))
	d.open("Restrictions")
	locations := strs(geo, "locations")
	d.open("GeoRestriction")
	d.text("RestrictionType", strOr(geo, "restriction_type", "none"))
	d.num("Quantity", float64(len(locations)))
	if len(locations) > 0 {
		members(d, "Items", "Location", locations)
	}
	d.close("GeoRestriction")
	d.close("Restrictions")
	d.text("WebACLId", str(m, "web_acl_id"))
	d.text("HttpVersion", strOr(m, "http_version", "http2"))
	d.boolean("IsIPV6Enabled", boolean(m, "is_ipv6_enabled"))
	d.boolean("Staging", boolean(m, "staging"))
}

func renderOrigin(d *doc, o map[string]any) {
	d.open("Origin")
	d.text("Id", str(o, "origin_id"))
	d.text("DomainName", str(o, "domain_name"))
	d.text("OriginPath", str(o, "origin_path"))
	headers := list(o, "custom_header")
	cfItems(d, "CustomHeaders", len(headers), func(i int) {
		d.open("OriginCustomHeader")
		d.text("HeaderName", str(obj(headers[i]), "name"))
		d.text("HeaderValue", str(obj(headers[i]), "value"))
		d.close("OriginCustomHeader")
	})
	if s3 := obj(first(list(o, "s3_origin_config"))); s3 != nil {
		d.open("S3OriginConfig")
		d.text("OriginAccessIdentity", str(s3, "origin_access_identity"))
		d.close("S3OriginConfig")
	}
	if co := obj(first(list(o, "custom_origin_config"))); co != nil {
		d.open("CustomOriginConfig")
		d.num("HTTPPort", num(co, "http_port"))
		d.num("HTTPSPort", num(co, "https_port"))
		d.text("OriginProtocolPolicy", str(co, "origin_protocol_policy"))
		itemStrings(d, "OriginSslProtocols", "SslProtocol", strs(co, "origin_ssl_protocols"))
		d.num("OriginReadTimeout", numOr(co, "origin_read_timeout", 30))
		d.num("OriginKeepaliveTimeout", numOr(co, "origin_keepalive_timeout", 5))
		d.close("CustomOriginConfig")
	}
	d.num("ConnectionAttempts", numOr(o, "connection_attempts", 3))
	d.num("ConnectionTimeout", numOr(o, "connection_timeout", 10))
	d.opt("OriginAccessControlId", str(o, "origin_access_control_id"))
	d.close("Origin")
}

func renderCacheBehavior(d *doc, b map[string]any) {
	d.text("TargetOriginId", str(b, "target_origin_id"))
	signers := strs(b, "trusted_signers")
	d.open("TrustedSigners")
	d.boolean("Enabled", len(signers) > 0)
	d.num("Quantity", float64(len(signers)))
	if len(signers) > 0 {
		members(d, "Items", "AwsAccountNumber", signers)
	}
	d.close("TrustedSigners")
	groups := strs(b, "trusted_key_groups")
	d.open("TrustedKeyGroups")
	d.boolean("Enabled", len(groups) > 0)
	d.num("Quantity", float64(len(groups)))
	if len(groups) > 0 {
		members(d, "Items", "KeyGroup", groups)
	}
	d.close("TrustedKeyGroups")
	d.text("ViewerProtocolPolicy", str(b, "viewer_protocol_policy"))
	allowed := strs(b, "allowed_methods")
	d.open("AllowedMethods")
	d.num("Quantity", float64(len(allowed)))
	members(d, "Items", "Method", allowed)
	itemStrings(d, "CachedMethods", "Method", strs(b, "cached_methods"))
	d.close("AllowedMethods")
	d.boolean("SmoothStreaming", boolean(b, "smooth_streaming"))
	d.boolean("Compress", boolean(b, "compress"))
	lambdas := list(b, "lambda_function_association")
	cfItems(d, "LambdaFunctionAssociations", len(lambdas), func(i int) {
		l := obj(lambdas[i])
		d.open("LambdaFunctionAssociation")
		d.text("LambdaFunctionARN", str(l, "lambda_arn"))
		d.text("EventType", str(l, "event_type"))
		d.boolean("IncludeBody", boolean(l, "include_body"))
		d.close("LambdaFunctionAssociation")
	})
	fns := list(b, "function_association")
	cfItems(d, "FunctionAssociations", len(fns), func(i int) {
		f := obj(fns[i])
		d.open("FunctionAssociation")
		d.text("FunctionARN", str(f, "function_arn"))
		d.text("EventType", str(f, "event_type"))
		d.close("FunctionAssociation")
	})
	d.text("FieldLevelEncryptionId", str(b, "field_level_encryption_id"))
	d.opt("RealtimeLogConfigArn", str(b, "realtime_log_config_arn"))
	d.opt("CachePolicyId", str(b, "cache_policy_id"))
	d.opt("OriginRequestPolicyId", str(b, "origin_request_policy_id"))
	d.opt("ResponseHeadersPolicyId", str(b, "response_headers_policy_id"))
	if fv := obj(first(list(b, "forwarded_values"))); fv != nil {
		d.open("ForwardedValues")
		d.boolean("QueryString", boolean(fv, "query_string"))
		ck := obj(first(list(fv, "cookies")))
		d.open("Cookies")
		d.text("Forward", strOr(ck, "forward", "none"))
		itemStrings(d, "WhitelistedNames", "Name", strs(ck, "whitelisted_names"))
		d.close("Cookies")
		itemStrings(d, "Headers", "Name", strs(fv, "headers"))
		itemStrings(d, "QueryStringCacheKeys", "Name", strs(fv, "query_string_cache_keys"))
		d.close("ForwardedValues")
		d.num("MinTTL", num(b, "min_ttl"))
		d.num("DefaultTTL", num(b, "default_ttl"))
		d.num("MaxTTL", num(b, "max_ttl"))
	}
}
