package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScanFromS3 runs the whole scan against states in an S3 emulator:
// workspaces under env:/ found by a glob, read through the AWS SDK.
func TestScanFromS3(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)

	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acme-tfstate")})
	require.NoError(t, err)
	state, err := os.ReadFile(example("terraform.tfstate"))
	require.NoError(t, err)
	for _, key := range []string{"env:/prod/shop.tfstate", "env:/staging/shop.tfstate"} {
		_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acme-tfstate"), Key: aws.String(key), Body: bytes.NewReader(state)})
		require.NoError(t, err)
	}

	code, out, stderr := run(t, "", "scan", "--state", "s3://acme-tfstate/env:/*/shop.tfstate",
		"--s3-endpoint", srv.URL, "--s3-path-style",
		"--live", example("live.json"), "--driftignore", example(".driftignore"), "-o", "json")
	require.Equal(t, ExitDrift, code, stderr)
	res := decodeResult(t, out)
	assert.Equal(t, 12, res.Summary.Total, "two workspaces with the same resources count once")
	assert.Equal(t, "s3://acme-tfstate/env:/prod/shop.tfstate", res.Findings[0].Origin)

	code, _, stderr = run(t, "", "scan", "--state", "s3://acme-tfstate/nothing/*.tfstate",
		"--s3-endpoint", srv.URL, "--s3-path-style", "--live", example("live.json"))
	assert.Equal(t, ExitError, code)
	assert.Contains(t, stderr, "s3://acme-tfstate/nothing/*.tfstate")
}
