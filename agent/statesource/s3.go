package statesource

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// s3FallbackRegion is used when neither AWS_REGION nor the profile names one,
// because the SDK refuses to sign without a region. Buckets in other regions
// need AWS_REGION (or the profile's region) set, as Terraform's backend does.
const s3FallbackRegion = "us-east-1"

// newS3Client builds a client from the default credential chain (AWS_PROFILE,
// AWS_REGION, AWS_ENDPOINT_URL_S3, shared config, IMDS, ...) plus overrides.
func newS3Client(ctx context.Context, opts Options) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = s3FallbackRegion
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.S3Endpoint)
		}
		if opts.S3PathStyle {
			o.UsePathStyle = true
		}
	}), nil
}

func fetchS3(ctx context.Context, src string, opts Options) ([]Document, error) {
	bucket, key, err := splitBucketURL(src, "s3", "s3://BUCKET/KEY")
	if err != nil {
		return nil, err
	}
	pat, err := newObjectPattern(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadSource, src, err)
	}
	client, err := newS3Client(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w: load AWS config: %w", src, ErrFetch, err)
	}
	source := func(k string) string { return "s3://" + bucket + "/" + k }
	get := func(ctx context.Context, k string) (Document, error) {
		return getS3Object(ctx, client, bucket, k, source(k), opts.maxBytes())
	}
	if !pat.isGlob() {
		d, err := get(ctx, pat.exact)
		if err != nil {
			return nil, err
		}
		return []Document{d}, nil
	}
	var keys []string
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket),
		Prefix: aws.String(pat.prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, s3Error(src, "list", err)
		}
		for _, obj := range page.Contents {
			if k := aws.ToString(obj.Key); pat.match(k) {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("read state %s: %w", src, ErrNoMatch)
	}
	return fetchEach(ctx, keys, get)
}

func getS3Object(ctx context.Context, client *s3.Client, bucket, key, source string, max int64) (Document, error) {
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return Document{}, s3Error(source, "get", err)
	}
	defer out.Body.Close()
	if out.ContentLength != nil {
		if err := checkSize(source, *out.ContentLength, max); err != nil {
			return Document{}, err
		}
	}
	data, err := readLimited(out.Body, source, max)
	if err != nil {
		return Document{}, err
	}
	return Document{Source: source, Data: data}, nil
}

// s3Error maps SDK errors to the package's sentinels by modeled type, API
// error code, or HTTP status, in that order.
func s3Error(source, op string, err error) error {
	var (
		noKey    *types.NoSuchKey
		noBucket *types.NoSuchBucket
		notFound *types.NotFound
		apiErr   smithy.APIError
		respErr  *awshttp.ResponseError
	)
	sentinel := ErrFetch
	switch {
	case errors.As(err, &noKey), errors.As(err, &noBucket), errors.As(err, &notFound):
		sentinel = ErrNotFound
	case errors.As(err, &apiErr) && isS3AccessCode(apiErr.ErrorCode()):
		sentinel = ErrAccessDenied
	case errors.As(err, &respErr):
		switch respErr.HTTPStatusCode() {
		case http.StatusNotFound:
			sentinel = ErrNotFound
		case http.StatusUnauthorized, http.StatusForbidden:
			sentinel = ErrAccessDenied
		}
	}
	return fmt.Errorf("%s state %s: %w: %w", op, source, sentinel, err)
}

func isS3AccessCode(code string) bool {
	switch code {
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "AllAccessDisabled":
		return true
	}
	return false
}
