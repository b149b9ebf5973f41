package awssim_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// TestJSONProtocol: faults and errors of the JSON protocol services come
// back as the SDK's typed errors with the service's codes.
func TestJSONProtocol(t *testing.T) {
	w, cfg := start(t)
	ctx := context.Background()
	kc := kms.NewFromConfig(cfg)
	tests := []struct {
		name  string
		fault world.Faults
		call  func() error
		want  string
	}{
		{"kms throttle", world.Faults{ThrottleRate: 1}, func() error {
			_, err := kc.ListKeys(ctx, &kms.ListKeysInput{})
			return err
		}, "ThrottlingException"},
		{"kms deny", world.Faults{Deny: map[string]bool{"aws:kms": true}}, func() error {
			_, err := kc.ListAliases(ctx, &kms.ListAliasesInput{})
			return err
		}, "AccessDeniedException"},
		{"kms disabled", world.Faults{Disabled: map[string]bool{"aws:kms": true}}, func() error {
			_, err := kc.ListAliases(ctx, &kms.ListAliasesInput{})
			return err
		}, "SubscriptionRequiredException"},
		{"kms bad marker", world.Faults{}, func() error {
			_, err := kc.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("x")})
			return err
		}, "InvalidMarkerException"},
		{"kms no key", world.Faults{}, func() error {
			_, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("none")})
			return err
		}, "NotFoundException"},
		{"kms unknown operation", world.Faults{}, func() error {
			_, err := kc.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String("none")})
			return err
		}, "UnknownOperationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.SetFaults(tc.fault)
			assert.Equal(t, tc.want, code(t, tc.call()))
		})
	}
	w.SetFaults(world.Faults{})

	// Paging by hand: one key per page until the last.
	out, err := kc.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(1)})
	require.NoError(t, err)
	assert.Len(t, out.Aliases, 1)
	assert.False(t, out.Truncated)
}

func TestJSONMalformed(t *testing.T) {
	_, cfg := start(t)
	req, err := http.NewRequest(http.MethodPost, *cfg.BaseEndpoint, strings.NewReader("{not json"))
	require.NoError(t, err)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=x")
	req.Header.Set("X-Amz-Target", "TrentService.ListKeys")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "SerializationException", resp.Header.Get("X-Amzn-ErrorType"))
}
