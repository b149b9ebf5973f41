package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// appListers are the listers of the application-tier services: RDS, SNS,
// ELBv2, Auto Scaling, Route 53, Lambda and CloudFront.
func (p *provider) appListers() []discovery.Lister {
	var out []discovery.Lister
	out = append(out, p.rdsListers()...)
	out = append(out, p.snsListers()...)
	out = append(out, p.elbListers()...)
	out = append(out, p.autoscalingListers()...)
	out = append(out, p.restListers()...)
	return out
}

// clientLister builds a lister that reads through one service client made
// from the scope's account configuration.
func clientLister[C any](p *provider, service string, global bool, types []string, client func(aws.Config) C,
	f func(context.Context, C, discovery.Scope, func(resource.Resource)) error) discovery.Lister {
	return &lister{service: service, types: types, global: global,
		list: func(ctx context.Context, s discovery.Scope, emit func(resource.Resource)) error {
			cfg, err := p.cfg(s)
			if err != nil {
				return err
			}
			return f(ctx, client(cfg), s, emit)
		}}
}

// boundedPage returns the configured page size raised or lowered into an
// API's bounds, or nil for the API default.
func (p *provider) boundedPage(lo, hi int32) *int32 {
	if p.opts.PageSize <= 0 {
		return nil
	}
	n := min(max(p.opts.PageSize, lo), hi)
	return &n
}
