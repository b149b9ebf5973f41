// Package discovery lists what really exists in the cloud and maps it onto
// the resource model, so the drift engine can compare it with state.
//
// Each cloud (agent/discovery/aws, azure, gcp) implements Provider: the
// scopes it covers (accounts x regions, subscriptions, projects) and the
// Listers that read one service in one scope through the official SDK.
// Run fans the listers out over the scopes on a bounded pool of workers,
// and turns a denied, disabled or throttled-out service into a Skip that
// the result reports, never into a failed scan.
package discovery

import (
	"context"
	"errors"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Scope is where a lister looks: one account (AWS account, Azure
// subscription, GCP project) and one region. Region is empty for a global
// service's single pass.
type Scope struct {
	Provider string `json:"provider"`
	Account  string `json:"account"`
	Region   string `json:"region,omitempty"`
}

// Lister reads one service's resources of one or more Terraform types.
type Lister interface {
	// Service names the API, e.g. "ec2", "iam", "Microsoft.Network",
	// "compute". Rate limits and skips are per service.
	Service() string
	// Types are the Terraform types the lister emits.
	Types() []string
	// Global reports a service listed once per account, not per region
	// (IAM, S3 bucket listing, Route 53, GCP projects' global resources).
	Global() bool
	// List emits every resource in scope. It returns the first error that
	// stops it; resources already emitted are kept.
	List(ctx context.Context, scope Scope, emit func(resource.Resource)) error
}

// Provider is one cloud.
type Provider interface {
	// Name is the Terraform provider name: aws, azurerm, google.
	Name() string
	// Scopes lists the accounts and regions to cover (regional listers
	// run in each; global ones once per account).
	Scopes(ctx context.Context) ([]Scope, error)
	// Listers are the typed and generic listers of this cloud.
	Listers() []Lister
	// Classify says why an error ended a lister: access denied, service
	// not enabled, throttled out, or another error.
	Classify(err error) SkipReason
}

// SkipReason says why part of the cloud was not seen.
type SkipReason string

// Reasons a service is skipped.
const (
	AccessDenied SkipReason = "access_denied"
	NotEnabled   SkipReason = "not_enabled"
	Throttled    SkipReason = "throttled"
	Failed       SkipReason = "error"
)

// Skip records a service in a scope that could not be (fully) listed.
type Skip struct {
	Scope
	Service string     `json:"service"`
	Reason  SkipReason `json:"reason"`
	Detail  string     `json:"detail"`
}

// ErrNoScopes is returned when a provider has nothing to cover.
var ErrNoScopes = errors.New("discovery: no account or region to discover")
