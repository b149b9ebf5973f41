// Package azure discovers Azure resources through the official Azure SDK
// for Go (azcore arm clients) and maps them onto the resource model under
// the Terraform azurerm provider's type names, ids and attribute shapes.
//
// One scope is one subscription: ARM lists are subscription-wide, so every
// lister runs once per subscription and each resource takes its Region
// from its location.
package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions/v2"

	"github.com/driftmgr/driftmgr/agent/discovery"
)

// Options configure the Azure provider. The zero value discovers every
// subscription the default credential chain can see in Azure public cloud.
type Options struct {
	// Subscriptions to discover; empty means every subscription the
	// credential can list.
	Subscriptions []string
	// Credential authenticates ARM calls; nil means
	// azidentity.NewDefaultAzureCredential (environment, workload
	// identity, managed identity, Azure CLI, ...).
	Credential azcore.TokenCredential
	// Endpoint overrides the Azure Resource Manager endpoint (sovereign
	// clouds, the simulated cloud); it is also the token audience.
	Endpoint string
	// Transport sends the HTTP requests; the runner passes its
	// rate-limited client. Nil uses the SDK's default.
	Transport policy.Transporter
	// Retry tunes the SDK's retry policy, which retries throttled (429)
	// and transient answers honouring Retry-After. Zero keeps the SDK's
	// defaults.
	Retry policy.RetryOptions
}

// Name is the Terraform provider name.
const Name = "azurerm"

type provider struct {
	opts    Options
	cred    azcore.TokenCredential
	credErr error
	client  *arm.ClientOptions
	listers []discovery.Lister
}

// New returns the Azure provider. A credential that cannot be built is
// reported by Scopes, where the run can fail with a clear error.
func New(opts Options) discovery.Provider {
	p := &provider{opts: opts, cred: opts.Credential}
	if p.cred == nil {
		p.cred, p.credErr = azidentity.NewDefaultAzureCredential(nil)
	}
	co := &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{Retry: opts.Retry, Transport: opts.Transport},
		// Discovery only reads: the SDK would otherwise answer an
		// unregistered namespace by registering it, a write.
		DisableRPRegistration: true,
	}
	if opts.Endpoint != "" {
		co.Cloud = cloud.Configuration{
			ActiveDirectoryAuthorityHost: cloud.AzurePublic.ActiveDirectoryAuthorityHost,
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: opts.Endpoint, Audience: opts.Endpoint},
			},
		}
	}
	p.client = co
	p.listers = append(newListers(p), platformListers(p)...)
	p.listers = append(p.listers, newGraphLister(p, p.listers))
	return p
}

func (p *provider) Name() string { return Name }

func (p *provider) Listers() []discovery.Lister { return p.listers }

// Scopes returns one scope per subscription: the configured ones, or
// every enabled subscription the credential can see.
func (p *provider) Scopes(ctx context.Context) ([]discovery.Scope, error) {
	if p.credErr != nil {
		return nil, fmt.Errorf("azure credential: %w", p.credErr)
	}
	subs := p.opts.Subscriptions
	if len(subs) == 0 {
		c, err := armsubscriptions.NewClient(p.cred, p.client)
		if err != nil {
			return nil, fmt.Errorf("list subscriptions: %w", err)
		}
		pager := c.NewListPager(nil)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list subscriptions: %w", err)
			}
			for _, s := range page.Value {
				if s == nil || s.SubscriptionID == nil {
					continue
				}
				if s.State != nil && *s.State != armsubscriptions.SubscriptionStateEnabled {
					continue
				}
				subs = append(subs, *s.SubscriptionID)
			}
		}
		sort.Strings(subs)
	}
	scopes := make([]discovery.Scope, 0, len(subs))
	for _, s := range subs {
		scopes = append(scopes, discovery.Scope{Provider: Name, Account: s})
	}
	return scopes, nil
}

// ARM error codes by what they mean for a scan.
var (
	deniedCodes = map[string]bool{
		"AuthorizationFailed": true, "LinkedAuthorizationFailed": true, "AuthenticationFailed": true,
		"InvalidAuthenticationToken": true, "InvalidAuthenticationTokenTenant": true,
		"ExpiredAuthenticationToken": true, "Forbidden": true, "RequestDisallowedByPolicy": true,
	}
	notEnabledCodes = map[string]bool{
		"MissingSubscriptionRegistration": true, "SubscriptionNotRegistered": true,
		"NoRegisteredProviderFound": true, "SubscriptionNotFound": true, "DisabledSubscription": true,
		"ReadOnlyDisabledSubscription": true, "FeatureNotEnabled": true,
	}
	throttledCodes = map[string]bool{
		"TooManyRequests": true, "ResourceCollectionRequestsThrottled": true,
		"ResourceRequestsThrottled": true, "SubscriptionRequestsThrottled": true,
	}
)

// Classify maps an ARM error onto a skip reason.
func (p *provider) Classify(err error) discovery.SkipReason { return Classify(err) }

// Classify maps an ARM error onto a skip reason: the error code first
// (it is the documented contract), the HTTP status as a fallback.
func Classify(err error) discovery.SkipReason {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		switch {
		case deniedCodes[re.ErrorCode]:
			return discovery.AccessDenied
		case notEnabledCodes[re.ErrorCode]:
			return discovery.NotEnabled
		case throttledCodes[re.ErrorCode]:
			return discovery.Throttled
		}
		switch re.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return discovery.AccessDenied
		case http.StatusTooManyRequests:
			return discovery.Throttled
		}
		return discovery.Failed
	}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) {
		return discovery.AccessDenied
	}
	return discovery.Failed
}
