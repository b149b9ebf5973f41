package awssim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// s3 answers the S3 REST-XML API, path-style: GET / is ListBuckets, GET
// /BUCKET?SUBRESOURCE reads one bucket configuration. Buckets are global
// to the account (ListBuckets answers from any region) but live in one
// region: configuration calls signed for another region are answered with
// PermanentRedirect, as S3 does, so listers must sign with the region
// GetBucketLocation reports.
//
// The bucket configurations are their own Terraform types in the world
// (aws_s3_bucket_versioning, ..._policy, ...), keyed by bucket name; a
// bucket without one answers the API's "not configured" error.
func (h *handler) s3(rw http.ResponseWriter, c *call) {
	if !s3Fault(rw, h.w.Check("aws:s3", c.account)) {
		return
	}
	r := c.r
	if r.Method != http.MethodGet {
		s3Error(rw, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	if name == "" {
		h.s3ListBuckets(rw, c, q)
		return
	}
	bucket, ok := h.s3Find(c, "aws_s3_bucket", name)
	if !ok {
		s3Error(rw, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	region := s3Region(bucket)
	if q.Has("location") {
		var d doc
		if region == "us-east-1" {
			d.b.WriteString(`<LocationConstraint xmlns="` + s3NS + `"/>`)
		} else {
			d.b.WriteString(`<LocationConstraint xmlns="` + s3NS + `">` + region + `</LocationConstraint>`)
		}
		writeXML(rw, http.StatusOK, d.b.String())
		return
	}
	if c.region != region {
		rw.Header().Set("X-Amz-Bucket-Region", region)
		s3Error(rw, http.StatusMovedPermanently, "PermanentRedirect",
			"The bucket you are attempting to access must be addressed using the specified endpoint.")
		return
	}
	switch {
	case q.Has("tagging"):
		if len(tagsOf(bucket)) == 0 {
			s3Error(rw, http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
			return
		}
		s3Result(rw, "Tagging", func(d *doc) {
			d.open("TagSet")
			for _, t := range tagsOf(bucket) {
				d.open("Tag")
				d.text("Key", t[0])
				d.text("Value", t[1])
				d.close("Tag")
			}
			d.close("TagSet")
		})
	case q.Has("publicAccessBlock"):
		h.s3Config(rw, c, name, "aws_s3_bucket_public_access_block", "NoSuchPublicAccessBlockConfiguration",
			"The public access block configuration was not found", renderPublicAccessBlock)
	case q.Has("versioning"):
		v, ok := h.s3Find(c, "aws_s3_bucket_versioning", name)
		s3Result(rw, "VersioningConfiguration", func(d *doc) {
			// A bucket that never had versioning set answers an empty
			// configuration, not an error.
			if ok {
				vc := obj(first(list(v, "versioning_configuration")))
				d.opt("Status", str(vc, "status"))
				d.opt("MfaDelete", str(vc, "mfa_delete"))
			}
		})
	case q.Has("encryption"):
		h.s3Config(rw, c, name, "aws_s3_bucket_server_side_encryption_configuration",
			"ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found",
			renderEncryption)
	case q.Has("policy"):
		p, ok := h.s3Find(c, "aws_s3_bucket_policy", name)
		if !ok {
			s3Error(rw, http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte(str(p, "policy")))
	case q.Has("lifecycle"):
		h.s3Config(rw, c, name, "aws_s3_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration",
			"The lifecycle configuration does not exist", renderLifecycle)
	default:
		s3Error(rw, http.StatusNotImplemented, "NotImplemented", "awssim: this S3 operation is not simulated")
	}
}

// s3ListBuckets pages with max-buckets and continuation-token.
func (h *handler) s3ListBuckets(rw http.ResponseWriter, c *call, q url.Values) {
	buckets := h.resources(c, "aws_s3_bucket", true)
	maxBuckets, _ := strconv.Atoi(q.Get("max-buckets"))
	lo, hi, next, ok := page(len(buckets), q.Get("continuation-token"), maxBuckets, 10000)
	if !ok {
		s3Error(rw, http.StatusBadRequest, "InvalidArgument", "Invalid continuation token")
		return
	}
	s3Result(rw, "ListAllMyBucketsResult", func(d *doc) {
		d.open("Owner")
		d.text("ID", "awssim-"+c.account)
		d.close("Owner")
		d.open("Buckets")
		for _, b := range buckets[lo:hi] {
			d.open("Bucket")
			d.text("Name", str(b, "id"))
			d.text("CreationDate", created)
			d.text("BucketRegion", s3Region(b))
			d.close("Bucket")
		}
		d.close("Buckets")
		d.opt("ContinuationToken", next)
	})
}

// s3Config answers one bucket configuration, or code when the bucket has
// none.
func (h *handler) s3Config(rw http.ResponseWriter, c *call, bucket, typ, code, msg string, render func(*doc, map[string]any)) {
	m, ok := h.s3Find(c, typ, bucket)
	if !ok {
		s3Error(rw, http.StatusNotFound, code, msg)
		return
	}
	root := map[string]string{
		"aws_s3_bucket_public_access_block":                  "PublicAccessBlockConfiguration",
		"aws_s3_bucket_server_side_encryption_configuration": "ServerSideEncryptionConfiguration",
		"aws_s3_bucket_lifecycle_configuration":              "LifecycleConfiguration",
	}[typ]
	s3Result(rw, root, func(d *doc) { render(d, m) })
}

// s3Find looks a bucket or bucket configuration up by bucket name.
func (h *handler) s3Find(c *call, typ, bucket string) (map[string]any, bool) {
	for _, m := range h.resources(c, typ, true) {
		if str(m, "id") == bucket || str(m, "bucket") == bucket {
			return m, true
		}
	}
	return nil, false
}

func s3Region(bucket map[string]any) string {
	if r := str(bucket, "region"); r != "" {
		return r
	}
	return DefaultRegion
}

func first(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l[0]
}

func renderPublicAccessBlock(d *doc, m map[string]any) {
	d.boolean("BlockPublicAcls", boolean(m, "block_public_acls"))
	d.boolean("IgnorePublicAcls", boolean(m, "ignore_public_acls"))
	d.boolean("BlockPublicPolicy", boolean(m, "block_public_policy"))
	d.boolean("RestrictPublicBuckets", boolean(m, "restrict_public_buckets"))
}

func renderEncryption(d *doc, m map[string]any) {
	for _, r := range list(m, "rule") {
		rule := obj(r)
		d.open("Rule")
		if def := obj(first(list(rule, "apply_server_side_encryption_by_default"))); def != nil {
			d.open("ApplyServerSideEncryptionByDefault")
			d.text("SSEAlgorithm", str(def, "sse_algorithm"))
			d.opt("KMSMasterKeyID", str(def, "kms_master_key_id"))
			d.close("ApplyServerSideEncryptionByDefault")
		}
		d.boolean("BucketKeyEnabled", boolean(rule, "bucket_key_enabled"))
		d.close("Rule")
	}
}

func renderLifecycle(d *doc, m map[string]any) {
	for _, r := range list(m, "rule") {
		rule := obj(r)
		d.open("Rule")
		d.opt("ID", str(rule, "id"))
		if f := obj(first(list(rule, "filter"))); f != nil {
			d.open("Filter")
			tags := list(f, "tag")
			if and := obj(first(list(f, "and"))); and != nil {
				d.open("And")
				d.opt("Prefix", str(and, "prefix"))
				for k, v := range obj(and["tags"]) {
					s, _ := v.(string)
					d.open("Tag")
					d.text("Key", k)
					d.text("Value", s)
					d.close("Tag")
				}
				lifecycleSizes(d, and)
				d.close("And")
			} else {
				d.opt("Prefix", str(f, "prefix"))
				if t := obj(first(tags)); t != nil {
					d.open("Tag")
					d.text("Key", str(t, "key"))
					d.text("Value", str(t, "value"))
					d.close("Tag")
				}
				lifecycleSizes(d, f)
			}
			d.close("Filter")
		}
		d.text("Status", str(rule, "status"))
		if e := obj(first(list(rule, "expiration"))); e != nil {
			d.open("Expiration")
			if v := num(e, "days"); v > 0 {
				d.num("Days", v)
			}
			d.opt("Date", str(e, "date"))
			if boolean(e, "expired_object_delete_marker") {
				d.boolean("ExpiredObjectDeleteMarker", true)
			}
			d.close("Expiration")
		}
		for _, t := range list(rule, "transition") {
			tr := obj(t)
			d.open("Transition")
			if v := num(tr, "days"); v > 0 {
				d.num("Days", v)
			}
			d.opt("Date", str(tr, "date"))
			d.text("StorageClass", str(tr, "storage_class"))
			d.close("Transition")
		}
		if e := obj(first(list(rule, "noncurrent_version_expiration"))); e != nil {
			d.open("NoncurrentVersionExpiration")
			d.num("NoncurrentDays", num(e, "noncurrent_days"))
			if v := num(e, "newer_noncurrent_versions"); v > 0 {
				d.num("NewerNoncurrentVersions", v)
			}
			d.close("NoncurrentVersionExpiration")
		}
		for _, t := range list(rule, "noncurrent_version_transition") {
			tr := obj(t)
			d.open("NoncurrentVersionTransition")
			d.num("NoncurrentDays", num(tr, "noncurrent_days"))
			if v := num(tr, "newer_noncurrent_versions"); v > 0 {
				d.num("NewerNoncurrentVersions", v)
			}
			d.text("StorageClass", str(tr, "storage_class"))
			d.close("NoncurrentVersionTransition")
		}
		if a := obj(first(list(rule, "abort_incomplete_multipart_upload"))); a != nil {
			d.open("AbortIncompleteMultipartUpload")
			d.num("DaysAfterInitiation", num(a, "days_after_initiation"))
			d.close("AbortIncompleteMultipartUpload")
		}
		d.close("Rule")
	}
}

func lifecycleSizes(d *doc, m map[string]any) {
	if v := num(m, "object_size_greater_than"); v > 0 {
		d.num("ObjectSizeGreaterThan", v)
	}
	if v := num(m, "object_size_less_than"); v > 0 {
		d.num("ObjectSizeLessThan", v)
	}
}

// s3Fault answers a fault as S3 does: SlowDown 503, AccessDenied 403, and
// NotSignedUp for an account without S3.
func s3Fault(rw http.ResponseWriter, f world.Fault) bool {
	switch f {
	case world.Throttle:
		s3Error(rw, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
	case world.Deny:
		s3Error(rw, http.StatusForbidden, "AccessDenied", "Access Denied")
	case world.Disabled:
		s3Error(rw, http.StatusForbidden, "NotSignedUp", "Your account is not signed up for the S3 service.")
	default:
		return true
	}
	return false
}

// s3Error writes S3's error document: a bare <Error>, no wrapper.
func s3Error(rw http.ResponseWriter, status int, code, msg string) {
	var d doc
	d.open("Error")
	d.text("Code", code)
	d.text("Message", msg)
	d.text("RequestId", "awssim")
	d.text("HostId", "awssim")
	d.close("Error")
	writeXML(rw, status, d.b.String())
}

func s3Result(rw http.ResponseWriter, root string, body func(d *doc)) {
	var d doc
	d.b.WriteString(`<` + root + ` xmlns="` + s3NS + `">`)
	body(&d)
	d.close(root)
	writeXML(rw, http.StatusOK, d.b.String())
}
