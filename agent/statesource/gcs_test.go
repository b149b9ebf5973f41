package statesource

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startFakeGCS serves fake-gcs-server on 127.0.0.1 with a bucket holding objects.
func startFakeGCS(t *testing.T, bucket string, objects map[string]string) *fakestorage.Server {
	t.Helper()
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	var initial []fakestorage.Object
	for name, content := range objects {
		initial = append(initial, fakestorage.Object{
			ObjectAttrs: fakestorage.ObjectAttrs{BucketName: bucket, Name: name},
			Content:     []byte(content),
		})
	}
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme:         "http",
		Host:           "127.0.0.1",
		InitialObjects: initial,
		NoListener:     false,
	})
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "empty"})
	return srv
}

func TestFetchGCS(t *testing.T) {
	srv := startFakeGCS(t, "states", bucketObjects)
	opts := Options{GCSEndpoint: srv.URL() + "/storage/v1/", MaxBytes: 1024}
	tests := []struct {
		src  string
		want []string
	}{
		{"gs://states/app.tfstate", []string{"gs://states/app.tfstate"}},
		{"gs://states/env:/*/app.tfstate", []string{"gs://states/env:/prod/app.tfstate", "gs://states/env:/staging/app.tfstate"}},
		{"gs://states/env:/staging/", []string{"gs://states/env:/staging/app.tfstate", "gs://states/env:/staging/db.tfstate"}},
		{"gs://states/*.tfstate", []string{"gs://states/app.tfstate"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			docs, err := Fetch(context.Background(), tt.src, opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, sources(docs))
			for _, d := range docs {
				assert.Equal(t, bucketObjects[strings.TrimPrefix(d.Source, "gs://states/")], string(d.Data))
			}
		})
	}
}

func TestFetchGCSEmulatorHostEnv(t *testing.T) {
	srv := startFakeGCS(t, "states", bucketObjects)
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL(), "http://"))
	docs, err := Fetch(context.Background(), "gs://states/env:/prod/app.tfstate", Options{})
	require.NoError(t, err)
	assert.Equal(t, `{"env":"prod"}`, string(docs[0].Data))
}

func TestFetchGCSErrors(t *testing.T) {
	srv := startFakeGCS(t, "states", bucketObjects)
	opts := Options{GCSEndpoint: srv.URL() + "/storage/v1/", MaxBytes: 1024}
	tests := []struct {
		src     string
		wantErr error
	}{
		{"gs://states/missing.tfstate", ErrNotFound},
		{"gs://nobucket/app.tfstate", ErrNotFound},
		{"gs://nobucket/**", ErrNotFound},
		{"gs://empty", ErrNoMatch},
		{"gs://states/nothing/*.tfstate", ErrNoMatch},
		{"gs://states/big/huge.tfstate", ErrTooLarge},
		{"gs://states/big/", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Fetch(context.Background(), tt.src, opts)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), strings.TrimSuffix(tt.src, "/"))
		})
	}
}

func TestFetchGCSAccessDenied(t *testing.T) {
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":{"code":403,"message":"caller does not have storage.objects.get access"}}`))
	}))
	t.Cleanup(srv.Close)
	for _, src := range []string{"gs://states/app.tfstate", "gs://states/*.tfstate"} {
		_, err := Fetch(context.Background(), src, Options{GCSEndpoint: srv.URL + "/storage/v1/"})
		require.ErrorIs(t, err, ErrAccessDenied, src)
	}
}
