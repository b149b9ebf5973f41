package tfstate

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func TestEnrich(t *testing.T) {
	cases := []struct {
		name            string
		in              resource.Resource
		account, region string
		tags            map[string]string
	}{
		{"aws arn", resource.Resource{Provider: "aws", Attrs: map[string]any{
			"arn": "arn:aws-us-gov:ec2:us-gov-west-1:111122223333:instance/i-1", "tags": map[string]any{"a": "b"}}},
			"111122223333", "us-gov-west-1", map[string]string{"a": "b"}},
		{"aws iam is global", resource.Resource{Provider: "aws", Attrs: map[string]any{"arn": "arn:aws:iam::111122223333:role/x"}},
			"111122223333", "", nil},
		{"aws v6 region attribute", resource.Resource{Provider: "aws", Attrs: map[string]any{"arn": "arn:aws:s3:::bkt", "region": "eu-north-1"}},
			"", "eu-north-1", nil},
		{"aws tags_all holds the provider's default tags", resource.Resource{Provider: "aws", Attrs: map[string]any{
			"tags": map[string]any{"a": "b"}, "tags_all": map[string]any{"a": "b", "owner": "platform"}}},
			"", "", map[string]string{"a": "b", "owner": "platform"}},
		{"aws empty tags_all falls back to tags", resource.Resource{Provider: "aws", Attrs: map[string]any{
			"tags": map[string]any{"a": "b"}, "tags_all": map[string]any{}}},
			"", "", map[string]string{"a": "b"}},
		{"google effective_labels", resource.Resource{Provider: "google", Attrs: map[string]any{
			"labels": map[string]any{"a": "b"}, "effective_labels": map[string]any{"a": "b", "env": "prod"}}},
			"", "", map[string]string{"a": "b", "env": "prod"}},
		{"aws bad arn", resource.Resource{Provider: "aws", Attrs: map[string]any{"arn": "arn:aws:ec2"}}, "", "", nil},
		{"aws arn not a string", resource.Resource{Provider: "aws", Attrs: map[string]any{"arn": 3.0}}, "", "", nil},
		{"aws non-string tag value", resource.Resource{Provider: "aws", Attrs: map[string]any{"tags": map[string]any{"a": nil}}}, "", "", nil},
		{"azurerm", resource.Resource{Provider: "azurerm", ID: "/Subscriptions/sub-1/resourceGroups/rg",
			Attrs: map[string]any{"location": "East US 2", "tags": map[string]any{"env": "prod"}}},
			"sub-1", "eastus2", map[string]string{"env": "prod"}},
		{"azurerm no subscription", resource.Resource{Provider: "azurerm", ID: "rg"}, "", "", nil},
		{"google region", resource.Resource{Provider: "google", Attrs: map[string]any{"project": "p", "region": "europe-west1", "zone": "x-y-z"}},
			"p", "europe-west1", nil},
		{"google zone", resource.Resource{Provider: "google", Attrs: map[string]any{"zone": "asia-east1-b", "labels": map[string]any{"k": "v"}}},
			"", "asia-east1", map[string]string{"k": "v"}},
		{"google location zone", resource.Resource{Provider: "google", Attrs: map[string]any{"location": "us-central1-c"}}, "", "us-central1", nil},
		{"google multi-region", resource.Resource{Provider: "google", Attrs: map[string]any{"location": "US"}}, "", "us", nil},
		{"google nothing", resource.Resource{Provider: "google", Attrs: map[string]any{}}, "", "", nil},
		{"other provider tags", resource.Resource{Provider: "github", Attrs: map[string]any{"tags": map[string]any{"t": "1"}}}, "", "", map[string]string{"t": "1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.in
			enrich(&r)
			assert.Equal(t, tc.account, r.Account)
			assert.Equal(t, tc.region, r.Region)
			assert.Equal(t, tc.tags, r.Tags)
		})
	}
}
