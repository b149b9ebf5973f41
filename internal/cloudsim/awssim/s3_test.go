package awssim_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// TestS3AndSQSErrors: the S3 and SQS answers the SDK must parse as each
// service's own errors.
func TestS3AndSQSErrors(t *testing.T) {
	w, cfg := start(t)
	ctx := context.Background()
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	qc := sqs.NewFromConfig(cfg)
	bucket := aws.String("app-data-" + account)
	tests := []struct {
		name  string
		fault world.Faults
		call  func() error
		want  string
	}{
		{"s3 throttle", world.Faults{ThrottleRate: 1}, func() error {
			_, err := sc.ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}, "SlowDown"},
		{"s3 deny", world.Faults{Deny: map[string]bool{"aws:s3": true}}, func() error {
			_, err := sc.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
			return err
		}, "AccessDenied"},
		{"s3 no bucket", world.Faults{}, func() error {
			_, err := sc.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("none")})
			return err
		}, "NoSuchBucket"},
		{"s3 wrong region", world.Faults{}, func() error {
			_, err := sc.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket},
				func(o *s3.Options) { o.Region = "eu-west-1" })
			return err
		}, "PermanentRedirect"},
		{"s3 bad token", world.Faults{}, func() error {
			_, err := sc.ListBuckets(ctx, &s3.ListBucketsInput{ContinuationToken: aws.String("x")})
			return err
		}, "InvalidArgument"},
		{"s3 not simulated", world.Faults{}, func() error {
			_, err := sc.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bucket})
			return err
		}, "NotImplemented"},
		{"sqs throttle", world.Faults{ThrottleRate: 1}, func() error {
			_, err := qc.ListQueues(ctx, &sqs.ListQueuesInput{})
			return err
		}, "RequestThrottled"},
		{"sqs no queue", world.Faults{}, func() error {
			_, err := qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String("https://none")})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue"},
		{"sqs no queue tags", world.Faults{}, func() error {
			_, err := qc.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String("https://none")})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.SetFaults(tc.fault)
			assert.Equal(t, tc.want, code(t, tc.call()))
		})
	}
	w.SetFaults(world.Faults{})

	out, err := sc.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, out.Buckets, 1)
	assert.Equal(t, "us-east-1", aws.ToString(out.Buckets[0].BucketRegion))
	// The JSON answer names the typed error; the Query-compatible header
	// gives ErrorCode() the code SQS's Query API always had.
	_, err = qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String("https://none")})
	var gone *sqstypes.QueueDoesNotExist
	assert.ErrorAs(t, err, &gone)
	q, err := qc.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("nomatch")})
	require.NoError(t, err)
	assert.Empty(t, q.QueueUrls)
}
