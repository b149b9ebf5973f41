package aws

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// dataChanges are TestRoundTrip's change cases for the data listers'
// types.
var dataChanges = map[string]struct {
	attr  string
	value any
}{
	"aws_s3_bucket":                     {"tags", map[string]any{"Name": "other"}},
	"aws_s3_bucket_public_access_block": {"block_public_policy", false},
	"aws_s3_bucket_versioning": {"versioning_configuration",
		[]any{map[string]any{"status": "Suspended", "mfa_delete": ""}}},
	"aws_s3_bucket_server_side_encryption_configuration": {"rule", []any{map[string]any{"bucket_key_enabled": false,
		"apply_server_side_encryption_by_default": []any{map[string]any{"sse_algorithm": "AES256", "kms_master_key_id": ""}}}}},
	"aws_s3_bucket_policy":                  {"policy", `{"Version":"2012-10-17","Statement":[]}`},
	"aws_s3_bucket_lifecycle_configuration": {"rule", []any{}},
	"aws_kms_key":                           {"enable_key_rotation", false},
	"aws_sqs_queue":                         {"visibility_timeout_seconds", float64(30)},
	"aws_kms_alias":                         {"target_key_id", "0000abcd-12ab-34cd-56ef-1234567890ab"},
	"aws_cloudtrail":                        {"enable_log_file_validation", false},
	"aws_cloudwatch_log_group":              {"retention_in_days", float64(30)},
	"aws_cloudwatch_metric_alarm":           {"threshold", float64(20)},
}

// dataTypes are the types the data listers emit.
var dataTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range (&provider{}).dataListers() {
		for _, t := range l.Types() {
			m[t] = true
		}
	}
	return m
}()

// globalData are the data services listed once per account.
var globalData = map[string]bool{"s3": true}

func TestS3Region(t *testing.T) {
	// A bucket in another region than any scanned one is still listed
	// (ListBuckets is global) and read in its own region (the simulator
	// answers PermanentRedirect otherwise).
	fixtures := awssim.Fixtures(account, "eu-west-1")
	w := world.New(fixtures)
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	require.Empty(t, res.Skipped)
	n := 0
	for _, r := range res.Resources {
		if strings.HasPrefix(r.Type, "aws_s3_") {
			n++
			assert.Equal(t, "eu-west-1", r.Region, r.Key())
		}
	}
	assert.Equal(t, 6, n)
}

func TestS3NotConfigured(t *testing.T) {
	// A bare bucket: every configuration call answers its "not
	// configured" error, and only the bucket is listed.
	var rs []resource.Resource
	for _, f := range awssim.Fixtures(account, "us-east-1") {
		if f.Type == "aws_s3_bucket" {
			delete(f.Attrs, "tags")
			f.Tags = nil
			rs = append(rs, f)
		}
	}
	url := sim(t, world.New(rs))
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	require.Empty(t, res.Skipped)
	require.Len(t, res.Resources, 1)
	assert.Equal(t, "aws_s3_bucket", res.Resources[0].Type)
	assert.Empty(t, res.Resources[0].Attrs["tags"])
	assert.Empty(t, drift.Compare(rs, res.Resources, drift.Options{}).Findings)
}

func TestS3Denied(t *testing.T) {
	w := world.New(awssim.Fixtures(account, "us-east-1"))
	url := sim(t, w)
	w.SetFaults(world.Faults{Deny: map[string]bool{"aws:s3": true}})
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	require.Len(t, res.Skipped, 1)
	assert.Equal(t, "s3", res.Skipped[0].Service)
	assert.Equal(t, discovery.AccessDenied, res.Skipped[0].Reason)

	w.SetFaults(world.Faults{Disabled: map[string]bool{"aws:s3": true}})
	res = discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	require.Len(t, res.Skipped, 1)
	assert.Equal(t, discovery.NotEnabled, res.Skipped[0].Reason)
}

// TestS3Gofakes3 lists buckets from a real S3 protocol peer, gofakes3:
// ListBuckets, GetBucketLocation and GetBucketVersioning are its own
// answers. The configurations gofakes3 does not implement (it would answer
// them with a bucket listing) get S3's NotImplemented, which the lister
// reads as "nothing to compare". STS goes to the simulator.
func TestS3Gofakes3(t *testing.T) {
	faker := gofakes3.New(s3mem.New())
	unsupported := []string{"tagging", "publicAccessBlock", "encryption", "policy", "lifecycle"}
	s3peer := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		for _, q := range unsupported {
			if r.URL.Query().Has(q) {
				rw.WriteHeader(http.StatusNotImplemented)
				_, _ = rw.Write([]byte(`<Error><Code>NotImplemented</Code><Message>not implemented</Message></Error>`))
				return
			}
		}
		faker.Server().ServeHTTP(rw, r)
	})
	simh := awssim.NewHandler(world.New(nil))
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), "/s3/aws4_request") {
			s3peer.ServeHTTP(rw, r)
			return
		}
		simh.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	sim(t, world.New(nil)) // sets the test credentials and config

	ctx := context.Background()
	c := s3.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(account, "secret", "")}, func(o *s3.Options) {
		o.UsePathStyle = true
	})
	for _, b := range []string{"logs", "media"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		require.NoError(t, err)
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("media"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)

	res := discover(t, Options{Endpoint: srv.URL, Regions: []string{"us-east-1"}})
	require.Empty(t, res.Skipped)
	got := map[string]resource.Resource{}
	for _, r := range res.Resources {
		got[r.Type+"."+r.ID] = r
	}
	require.Len(t, got, 3, "two buckets and one versioning: %v", got)
	assert.Equal(t, "us-east-1", got["aws_s3_bucket.logs"].Attrs["region"])
	assert.Equal(t, []any{map[string]any{"status": "Enabled", "mfa_delete": ""}},
		got["aws_s3_bucket_versioning.media"].Attrs["versioning_configuration"])

	state := []resource.Resource{{Provider: "aws", Type: "aws_s3_bucket_versioning", ID: "media",
		Attrs: map[string]any{"bucket": "media", "versioning_configuration": []any{
			map[string]any{"status": "Suspended", "mfa_delete": ""}}}}}
	live := []resource.Resource{got["aws_s3_bucket_versioning.media"]}
	assert.True(t, drift.Compare(state, live, drift.Options{}).HasDrift())
}
