package statesource

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// isolateAWS points the SDK's default chain at static test credentials and
// away from any real config, profile or instance metadata.
func isolateAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-test-key")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
}

// startFakeS3 serves gofakes3 on 127.0.0.1 with a bucket holding objects.
func startFakeS3(t *testing.T, bucket string, objects map[string]string) string {
	t.Helper()
	isolateAWS(t)
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)

	cfg, err := config.LoadDefaultConfig(context.Background())
	require.NoError(t, err)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	ctx := context.Background()
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	for k, v := range objects {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader([]byte(v))})
		require.NoError(t, err)
	}
	return srv.URL
}

var bucketObjects = map[string]string{
	"env:/prod/app.tfstate":    `{"env":"prod"}`,
	"env:/staging/app.tfstate": `{"env":"staging"}`,
	"env:/staging/db.tfstate":  `{"env":"staging-db"}`,
	"app.tfstate":              `{"env":"default"}`,
	"app.tfstate.backup":       `{"backup":true}`,
	"big/huge.tfstate":         strings.Repeat("x", 4096),
}

func TestFetchS3(t *testing.T) {
	endpoint := startFakeS3(t, "states", bucketObjects)
	opts := Options{S3Endpoint: endpoint, S3PathStyle: true, MaxBytes: 1024}
	tests := []struct {
		src  string
		want []string
	}{
		{"s3://states/app.tfstate", []string{"s3://states/app.tfstate"}},
		{"s3://states/env:/prod/app.tfstate", []string{"s3://states/env:/prod/app.tfstate"}},
		{"s3://states/env:/*/app.tfstate", []string{"s3://states/env:/prod/app.tfstate", "s3://states/env:/staging/app.tfstate"}},
		{"s3://states/env:/", []string{"s3://states/env:/prod/app.tfstate", "s3://states/env:/staging/app.tfstate", "s3://states/env:/staging/db.tfstate"}},
		{"s3://states/env:/staging/{app,db}.tfstate", []string{"s3://states/env:/staging/app.tfstate", "s3://states/env:/staging/db.tfstate"}},
		{"s3://states/*.tfstate", []string{"s3://states/app.tfstate"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			docs, err := Fetch(context.Background(), tt.src, opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, sources(docs))
			for _, d := range docs {
				key := strings.TrimPrefix(d.Source, "s3://states/")
				assert.Equal(t, bucketObjects[key], string(d.Data))
			}
		})
	}
}

func TestFetchS3EndpointFromEnv(t *testing.T) {
	endpoint := startFakeS3(t, "states", bucketObjects)
	t.Setenv("AWS_ENDPOINT_URL_S3", endpoint)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	docs, err := Fetch(context.Background(), "s3://states/app.tfstate", Options{S3PathStyle: true})
	require.NoError(t, err)
	assert.Equal(t, `{"env":"default"}`, string(docs[0].Data))
}

func TestFetchS3Errors(t *testing.T) {
	endpoint := startFakeS3(t, "states", bucketObjects)
	opts := Options{S3Endpoint: endpoint, S3PathStyle: true, MaxBytes: 1024}
	tests := []struct {
		src     string
		wantErr error
	}{
		{"s3://states/missing.tfstate", ErrNotFound},
		{"s3://nobucket/app.tfstate", ErrNotFound},
		{"s3://nobucket/**/*.tfstate", ErrNotFound},
		{"s3://states/nothing/**/*.tfstate", ErrNoMatch},
		{"s3://states/big/huge.tfstate", ErrTooLarge},
		{"s3://states/big/", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Fetch(context.Background(), tt.src, opts)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), strings.TrimSuffix(tt.src, "/"))
		})
	}
}

func TestFetchS3AccessDenied(t *testing.T) {
	isolateAWS(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`))
	}))
	t.Cleanup(srv.Close)
	opts := Options{S3Endpoint: srv.URL, S3PathStyle: true}
	for _, src := range []string{"s3://states/app.tfstate", "s3://states/*.tfstate"} {
		_, err := Fetch(context.Background(), src, opts)
		require.ErrorIs(t, err, ErrAccessDenied, src)
		assert.Contains(t, err.Error(), "s3://states/")
		assert.NotContains(t, err.Error(), "secret-test-key")
	}
}

func TestS3ErrorByStatus(t *testing.T) {
	isolateAWS(t)
	for status, want := range map[int]error{
		http.StatusNotFound:            ErrNotFound,
		http.StatusUnauthorized:        ErrAccessDenied,
		http.StatusInternalServerError: ErrFetch,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status) // no modeled body: mapping falls back to the status
		}))
		_, err := Fetch(context.Background(), "s3://states/x.tfstate", Options{S3Endpoint: srv.URL, S3PathStyle: true})
		srv.Close()
		require.ErrorIs(t, err, want, "status %d", status)
	}
}
