// Package gcp discovers Google Cloud resources through the official
// google.golang.org/api clients and maps them onto the resource model
// under the Terraform google provider's type names, ids and attribute
// shapes, so the drift engine compares them with state like for like.
//
// A scope is one project: Compute lists are project-wide or aggregated
// over zones and regions, so every lister runs once per project and sets
// each resource's region from its zone, region or location.
package gcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	crm "google.golang.org/api/cloudresourcemanager/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// Options configure the GCP provider.
type Options struct {
	// Projects to discover. Empty means every active project the
	// credential can see (Cloud Resource Manager projects.list).
	Projects []string
	// Endpoint, when set, is the base URL of every API, e.g. the
	// simulated cloud's (internal/cloudsim/gcpsim): Compute is reached at
	// Endpoint+"/compute/v1/", Storage at Endpoint+"/storage/v1/", DNS at
	// Endpoint+"/dns/v1/", the others at Endpoint+"/<host>/v1/".
	Endpoint string
	// HTTPClient carries the calls (the runner passes a rate-limiting,
	// authenticated one). Nil means Google application default
	// credentials with the cloud-platform.read-only scope.
	HTTPClient *http.Client
	// Regions, when set, keeps only resources in these regions (zonal
	// resources by their zone's region); global resources are kept.
	Regions []string
	// PageSize asks list calls for pages of this size (0: API default).
	PageSize int64
	// MaxAttempts bounds the tries of a throttled call (default 8).
	MaxAttempts int
	// Limiter, when set, paces calls per API and slows down on
	// throttling; it wraps whichever client carries the calls.
	Limiter *discovery.Limiter
	// Backoff is the first retry delay; it doubles up to MaxBackoff,
	// with jitter (defaults 200ms and 10s).
	Backoff, MaxBackoff time.Duration
}

// hosts maps an API to the path its endpoint has under Options.Endpoint.
var hosts = map[string]string{
	"compute":              "/compute/v1/",
	"storage":              "/storage/v1/",
	"dns":                  "/",
	"iam":                  "/iam.googleapis.com/",
	"pubsub":               "/pubsub.googleapis.com/",
	"cloudkms":             "/cloudkms.googleapis.com/",
	"sqladmin":             "/sqladmin.googleapis.com/",
	"container":            "/container.googleapis.com/",
	"cloudresourcemanager": "/cloudresourcemanager.googleapis.com/",
	"cloudasset":           "/cloudasset.googleapis.com/",
}

const readOnlyScope = "https://www.googleapis.com/auth/cloud-platform.read-only"

type provider struct {
	opts    Options
	regions map[string]bool

	once   sync.Once
	client *http.Client
	err    error
}

// New returns the GCP discovery provider.
func New(opts Options) discovery.Provider {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 200 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 10 * time.Second
	}
	p := &provider{opts: opts}
	if len(opts.Regions) > 0 {
		p.regions = map[string]bool{}
		for _, r := range opts.Regions {
			p.regions[r] = true
		}
	}
	return p
}

// Name is the Terraform provider name.
func (p *provider) Name() string { return "google" }

// Scopes returns one scope per project.
func (p *provider) Scopes(ctx context.Context) ([]discovery.Scope, error) {
	projects := p.opts.Projects
	if len(projects) == 0 {
		var err error
		if projects, err = p.listProjects(ctx); err != nil {
			return nil, fmt.Errorf("list gcp projects: %w", err)
		}
	}
	out := make([]discovery.Scope, 0, len(projects))
	for _, pr := range projects {
		out = append(out, discovery.Scope{Provider: "google", Account: pr})
	}
	return out, nil
}

func (p *provider) listProjects(ctx context.Context) ([]string, error) {
	opts, err := p.clientOptions(ctx, "cloudresourcemanager")
	if err != nil {
		return nil, err
	}
	svc, err := crm.NewService(ctx, opts...)
	if err != nil {
		return nil, err
	}
	var out []string
	call := svc.Projects.List().Filter("lifecycleState:ACTIVE")
	if p.opts.PageSize > 0 {
		call.PageSize(p.opts.PageSize)
	}
	err = call.Pages(ctx, func(l *crm.ListProjectsResponse) error {
		for _, pr := range l.Projects {
			if pr.LifecycleState == "" || pr.LifecycleState == "ACTIVE" {
				out = append(out, pr.ProjectId)
			}
		}
		return nil
	})
	return out, err
}

// Listers returns the typed listers.
func (p *provider) Listers() []discovery.Lister {
	var out []discovery.Lister
	for _, l := range p.computeListers() {
		out = append(out, l)
	}
	for _, l := range p.serviceListers() {
		out = append(out, l)
	}
	return append(out, p.assetLister(out))
}

// Classify maps a Google API error onto a skip reason.
func (p *provider) Classify(err error) discovery.SkipReason { return Classify(err) }

// Classify maps a Google API error onto a skip reason: SERVICE_DISABLED
// (reason accessNotConfigured) is NotEnabled, other 401/403 AccessDenied,
// 429 or a rate-limit reason Throttled, anything else Failed.
func Classify(err error) discovery.SkipReason {
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return discovery.Failed
	}
	for _, it := range ge.Errors {
		switch it.Reason {
		case "accessNotConfigured", "SERVICE_DISABLED":
			return discovery.NotEnabled
		case "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "RATE_LIMIT_EXCEEDED":
			return discovery.Throttled
		}
	}
	switch {
	case strings.Contains(ge.Body, "SERVICE_DISABLED"):
		return discovery.NotEnabled
	case ge.Code == http.StatusTooManyRequests:
		return discovery.Throttled
	case ge.Code == http.StatusForbidden || ge.Code == http.StatusUnauthorized:
		return discovery.AccessDenied
	}
	return discovery.Failed
}

// httpClient is the shared client: the caller's, or one with default
// credentials, always behind the retrying transport.
func (p *provider) httpClient(ctx context.Context) (*http.Client, error) {
	p.once.Do(func() {
		base := p.opts.HTTPClient
		if base == nil {
			base, _, p.err = htransport.NewClient(context.WithoutCancel(ctx), option.WithScopes(readOnlyScope))
			if p.err != nil {
				p.err = fmt.Errorf("gcp credentials: %w", p.err)
				return
			}
		}
		cp := *base
		rt := base.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		if p.opts.Limiter != nil {
			// Under the retries, so every attempt waits for a token and
			// every throttled answer slows its API down.
			rt = p.opts.Limiter.Transport(rt, discovery.HostPathKey(2))
		}
		cp.Transport = &retryTransport{base: rt, attempts: p.opts.MaxAttempts,
			backoff: p.opts.Backoff, maxBackoff: p.opts.MaxBackoff}
		p.client = &cp
	})
	return p.client, p.err
}

// clientOptions are the options of one API's client.
func (p *provider) clientOptions(ctx context.Context, api string) ([]option.ClientOption, error) {
	hc, err := p.httpClient(ctx)
	if err != nil {
		return nil, err
	}
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	if p.opts.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(p.opts.Endpoint, "/")+hosts[api]))
	}
	return opts, nil
}

// lister is one typed lister: an API, the types it emits and the function
// that lists one project.
type lister struct {
	p       *provider
	service string
	types   []string
	list    func(ctx context.Context, project string, emit func(resource.Resource)) error
}

func (l *lister) Service() string { return l.service }
func (l *lister) Types() []string { return l.types }

// Global is true: every GCP list covers the whole project.
func (l *lister) Global() bool { return true }

func (l *lister) List(ctx context.Context, scope discovery.Scope, emit func(resource.Resource)) error {
	err := l.list(ctx, scope.Account, func(r resource.Resource) {
		if l.p.regions != nil && r.Region != "" && r.Region != "global" && !l.p.regions[r.Region] {
			return
		}
		emit(r)
	})
	if err != nil {
		return fmt.Errorf("list %s in project %s: %w", strings.Join(l.types, ", "), scope.Account, err)
	}
	return nil
}

// projectOf returns P from a link containing projects/P/.
func projectOf(link string) string {
	_, after, ok := strings.Cut(link, "projects/")
	if !ok {
		return ""
	}
	p, _, _ := strings.Cut(after, "/")
	return p
}

func formatUint(u uint64) string { return strconv.FormatUint(u, 10) }
