// Package aws discovers what exists in AWS accounts through the official
// aws-sdk-go-v2 clients and maps it onto the resource model under
// Terraform's type names, ids and attribute shapes.
//
// Accounts are reached through the SDK's credential chain only: the
// default chain, a named profile, or a role assumed with STS (optionally
// with an external id). Credentials are never logged or returned. Every
// client uses the SDK's adaptive retry mode, so throttling errors are
// retried with backoff and a client-side send rate that adapts to them.
package aws

import (
	"context"
	"errors"
	"fmt"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/driftmgr/driftmgr/agent/discovery"
)

// Account says how to reach one AWS account. With neither Profile nor
// RoleARN set, the SDK's default credential chain is used.
type Account struct {
	// Profile is a shared config/credentials profile name.
	Profile string
	// RoleARN is a role to assume (from the default chain, or from
	// Profile when both are set).
	RoleARN string
	// ExternalID is passed to AssumeRole when the role's trust policy
	// requires one.
	ExternalID string
}

// Options configure the AWS provider.
type Options struct {
	// Accounts to discover; empty means one account from the default
	// credential chain.
	Accounts []Account
	// Regions to cover; "all" expands to every region EC2 DescribeRegions
	// reports as enabled for the account. Empty means the SDK's configured
	// region.
	Regions []string
	// Endpoint overrides the base URL of every service (the simulated
	// cloud in tests and dev mode).
	Endpoint string
	// HTTPClient carries every call. Nil lets the SDK build its own,
	// which is the only client it installs AWS_CA_BUNDLE into.
	HTTPClient *http.Client
	// Credentials, when set, replace the SDK's default credential chain
	// for every account entry (the simulated cloud takes any static key).
	Credentials aws.CredentialsProvider
	// Limiter, when set, paces every call per service and region and
	// slows down on throttling (it wraps whichever client carries them).
	Limiter *discovery.Limiter
	// MaxAttempts bounds the attempts per call, retries included
	// (default 10).
	MaxAttempts int
	// MaxBackoff caps the delay between retries (default the SDK's 20 s).
	MaxBackoff time.Duration
	// RetryMode is the SDK retry mode: aws.RetryModeAdaptive (the
	// default) adds the SDK's client-side rate limiter, which after a
	// throttling answer paces a client down to 0.5 calls/s and recovers
	// over seconds; aws.RetryModeStandard retries with backoff alone, for
	// runs paced by Limiter (and tests that would otherwise sleep).
	RetryMode aws.RetryMode
	// PageSize asks list calls for pages of this many items (0: the API's
	// default). Small pages exist for tests.
	PageSize int32
	// GenericTypes chooses what the generic tier (Cloud Control API)
	// lists: CloudFormation or Terraform type names of its table,
	// GenericAll for the whole table, GenericNone for nothing. Empty means
	// every table type no typed lister emits.
	GenericTypes []string
}

// New returns the AWS discovery provider.
func New(opts Options) discovery.Provider {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	if len(opts.Accounts) == 0 {
		opts.Accounts = []Account{{}}
	}
	return &provider{opts: opts, cfgs: map[string]aws.Config{}}
}

type provider struct {
	opts Options

	mu   sync.Mutex
	cfgs map[string]aws.Config // by account id, filled by Scopes
}

// Name implements discovery.Provider.
func (p *provider) Name() string { return "aws" }

// config loads the SDK configuration for one account entry.
func (p *provider) config(ctx context.Context, a Account) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			standard := func(so *retry.StandardOptions) {
				so.MaxAttempts = p.opts.MaxAttempts
				if p.opts.MaxBackoff > 0 {
					so.MaxBackoff = p.opts.MaxBackoff
				}
			}
			if p.opts.RetryMode == aws.RetryModeStandard {
				return retry.NewStandard(standard)
			}
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, standard)
			})
		}),
	}
	if p.opts.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(p.opts.HTTPClient))
	}
	if p.opts.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(p.opts.Credentials))
	}
	if p.opts.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(p.opts.Endpoint))
	}
	if a.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws config (profile %q): %w", a.Profile, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if p.opts.Limiter != nil {
		if cfg.HTTPClient == nil {
			// What each service client would build for itself.
			cfg.HTTPClient = awshttp.NewBuildableClient()
		}
		cfg.HTTPClient = p.opts.Limiter.Doer(cfg.HTTPClient, discovery.AWSKey)
	}
	if a.RoleARN != "" {
		prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "driftmgr"
			if a.ExternalID != "" {
				o.ExternalID = aws.String(a.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(prov)
	}
	return cfg, nil
}

// Scopes implements discovery.Provider: each account's id comes from STS
// GetCallerIdentity, crossed with the regions.
func (p *provider) Scopes(ctx context.Context) ([]discovery.Scope, error) {
	switch p.opts.RetryMode {
	case "", aws.RetryModeAdaptive, aws.RetryModeStandard:
	default:
		return nil, fmt.Errorf("aws: RetryMode %q: expected %q or %q", p.opts.RetryMode,
			aws.RetryModeAdaptive, aws.RetryModeStandard)
	}
	var scopes []discovery.Scope
	for _, a := range p.opts.Accounts {
		cfg, err := p.config(ctx, a)
		if err != nil {
			return nil, err
		}
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("identify aws account (profile %q, role %q): %w", a.Profile, a.RoleARN, err)
		}
		account := aws.ToString(id.Account)
		p.mu.Lock()
		p.cfgs[account] = cfg
		p.mu.Unlock()
		regions, err := p.regions(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("list regions of aws account %s: %w", account, err)
		}
		for _, r := range regions {
			scopes = append(scopes, discovery.Scope{Provider: "aws", Account: account, Region: r})
		}
	}
	return scopes, nil
}

func (p *provider) regions(ctx context.Context, cfg aws.Config) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(r string) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, r := range p.opts.Regions {
		if r != "all" {
			add(r)
			continue
		}
		res, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
		if err != nil {
			return nil, err
		}
		for _, reg := range res.Regions {
			if aws.ToString(reg.OptInStatus) != "not-opted-in" {
				add(aws.ToString(reg.RegionName))
			}
		}
	}
	if len(out) == 0 {
		add(cfg.Region)
	}
	return out, nil
}

// cfg returns the configuration of an account Scopes identified, set to
// region (the default region for global services).
func (p *provider) cfg(scope discovery.Scope) (aws.Config, error) {
	p.mu.Lock()
	cfg, ok := p.cfgs[scope.Account]
	p.mu.Unlock()
	if !ok {
		return aws.Config{}, fmt.Errorf("aws account %s: %w", scope.Account, errUnknownAccount)
	}
	cfg = cfg.Copy()
	if scope.Region != "" {
		cfg.Region = scope.Region
	}
	return cfg, nil
}

var errUnknownAccount = errors.New("aws: account not among the discovered scopes")

// Listers implements discovery.Provider.
func (p *provider) Listers() []discovery.Lister {
	ls := append(p.ec2Listers(), p.iamListers()...)
	ls = append(ls, p.dataListers()...)
	ls = append(ls, p.appListers()...)
	return append(ls, p.cloudControlListers(ls)...)
}

// Error codes by what they mean for a scan.
var (
	deniedCodes = set("AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
		"UnauthorizedAccess", "AuthorizationError", "AllAccessDisabled", "InvalidClientTokenId")
	disabledCodes = set("OptInRequired", "NotSignedUp", "SubscriptionRequiredException", "AuthFailure",
		"UnrecognizedClientException", "InvalidAction")
	throttledCodes = set("Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
		"SlowDown", "TooManyRequestsException", "RequestThrottled", "RequestThrottledException",
		"ProvisionedThroughputExceededException", "LimitExceededException", "BandwidthLimitExceeded",
		"PriorRequestNotComplete", "EC2ThrottledException", "TransactionInProgressException")
)

func set(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// Classify implements discovery.Provider from the API error code.
func (p *provider) Classify(err error) discovery.SkipReason {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return discovery.Failed
	}
	switch code := ae.ErrorCode(); {
	case deniedCodes[code]:
		return discovery.AccessDenied
	case disabledCodes[code]:
		return discovery.NotEnabled
	case throttledCodes[code]:
		return discovery.Throttled
	}
	return discovery.Failed
}
