package aws

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) elbListers() []discovery.Lister {
	newClient := func(cfg aws.Config) *elb.Client { return elb.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "elasticloadbalancing", false, []string{"aws_lb", "aws_lb_listener"}, newClient, p.listLoadBalancers),
		clientLister(p, "elasticloadbalancing", false, []string{"aws_lb_target_group"}, newClient, p.listTargetGroups),
	}
}

// elbTags reads the tags of up to 20 ARNs per DescribeTags call.
func elbTags(ctx context.Context, c *elb.Client, arns []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for lo := 0; lo < len(arns); lo += 20 {
		res, err := c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: arns[lo:min(lo+20, len(arns))]})
		if err != nil {
			return nil, fmt.Errorf("describe tags: %w", err)
		}
		for _, td := range res.TagDescriptions {
			t := map[string]string{}
			for _, x := range td.Tags {
				t[sv(x.Key)] = sv(x.Value)
			}
			out[sv(td.ResourceArn)] = t
		}
	}
	return out, nil
}

// listLoadBalancers emits aws_lb (attributes from
// DescribeLoadBalancerAttributes) and each one's aws_lb_listener.
func (p *provider) listLoadBalancers(ctx context.Context, c *elb.Client, s discovery.Scope, emit func(resource.Resource)) error {
	var lbs []types.LoadBalancer
	pg := elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{PageSize: p.boundedPage(1, 400)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe load balancers: %w", err)
		}
		lbs = append(lbs, out.LoadBalancers...)
	}
	var arns []string
	for _, lb := range lbs {
		arns = append(arns, sv(lb.LoadBalancerArn))
	}
	tags, err := elbTags(ctx, c, arns)
	if err != nil {
		return err
	}
	for _, lb := range lbs {
		arn := sv(lb.LoadBalancerArn)
		at, err := c.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return fmt.Errorf("describe attributes of load balancer %s: %w", arn, err)
		}
		a := map[string]string{}
		for _, kv := range at.Attributes {
			a[sv(kv.Key)] = sv(kv.Value)
		}
		var subnets []string
		for _, z := range lb.AvailabilityZones {
			subnets = append(subnets, sv(z.SubnetId))
		}
		idle, _ := strconv.Atoi(a["idle_timeout.timeout_seconds"])
		emit(newResource("aws_lb", arn, s, map[string]any{
			"arn":                              arn,
			"name":                             sv(lb.LoadBalancerName),
			"internal":                         lb.Scheme == types.LoadBalancerSchemeEnumInternal,
			"load_balancer_type":               string(lb.Type),
			"security_groups":                  sortedStrings(lb.SecurityGroups),
			"subnets":                          sortedStrings(subnets),
			"ip_address_type":                  string(lb.IpAddressType),
			"vpc_id":                           sv(lb.VpcId),
			"dns_name":                         sv(lb.DNSName),
			"zone_id":                          sv(lb.CanonicalHostedZoneId),
			"enable_deletion_protection":       a["deletion_protection.enabled"] == "true",
			"enable_http2":                     a["routing.http2.enabled"] == "true",
			"enable_cross_zone_load_balancing": a["load_balancing.cross_zone.enabled"] == "true",
			"idle_timeout":                     float64(idle),
		}, tags[arn]))
		if err := p.listListeners(ctx, c, s, lb.LoadBalancerArn, emit); err != nil {
			return err
		}
	}
	return nil
}

func (p *provider) listListeners(ctx context.Context, c *elb.Client, s discovery.Scope, lb *string, emit func(resource.Resource)) error {
	var ls []types.Listener
	pg := elb.NewDescribeListenersPaginator(c, &elb.DescribeListenersInput{LoadBalancerArn: lb, PageSize: p.boundedPage(1, 400)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe listeners of %s: %w", sv(lb), err)
		}
		ls = append(ls, out.Listeners...)
	}
	var arns []string
	for _, l := range ls {
		arns = append(arns, sv(l.ListenerArn))
	}
	tags, err := elbTags(ctx, c, arns)
	if err != nil {
		return err
	}
	for _, l := range ls {
		arn := sv(l.ListenerArn)
		cert := ""
		if len(l.Certificates) > 0 {
			cert = sv(l.Certificates[0].CertificateArn)
		}
		actions := []any{}
		for _, a := range l.DefaultActions {
			actions = append(actions, map[string]any{"type": string(a.Type), "target_group_arn": sv(a.TargetGroupArn),
				"order": i32(a.Order)})
		}
		emit(newResource("aws_lb_listener", arn, s, map[string]any{
			"arn":               arn,
			"load_balancer_arn": sv(l.LoadBalancerArn),
			"port":              i32(l.Port),
			"protocol":          string(l.Protocol),
			"ssl_policy":        sv(l.SslPolicy),
			"certificate_arn":   cert,
			"default_action":    actions,
		}, tags[arn]))
	}
	return nil
}

func (p *provider) listTargetGroups(ctx context.Context, c *elb.Client, s discovery.Scope, emit func(resource.Resource)) error {
	var tgs []types.TargetGroup
	pg := elb.NewDescribeTargetGroupsPaginator(c, &elb.DescribeTargetGroupsInput{PageSize: p.boundedPage(1, 400)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe target groups: %w", err)
		}
		tgs = append(tgs, out.TargetGroups...)
	}
	var arns []string
	for _, tg := range tgs {
		arns = append(arns, sv(tg.TargetGroupArn))
	}
	tags, err := elbTags(ctx, c, arns)
	if err != nil {
		return err
	}
	for _, tg := range tgs {
		arn := sv(tg.TargetGroupArn)
		matcher := ""
		if tg.Matcher != nil {
			matcher = sv(tg.Matcher.HttpCode)
		}
		emit(newResource("aws_lb_target_group", arn, s, map[string]any{
			"arn":                arn,
			"name":               sv(tg.TargetGroupName),
			"port":               i32(tg.Port),
			"protocol":           string(tg.Protocol),
			"protocol_version":   sv(tg.ProtocolVersion),
			"vpc_id":             sv(tg.VpcId),
			"target_type":        string(tg.TargetType),
			"ip_address_type":    string(tg.IpAddressType),
			"load_balancer_arns": sortedStrings(tg.LoadBalancerArns),
			"health_check": []any{map[string]any{
				"enabled":             bv(tg.HealthCheckEnabled),
				"protocol":            string(tg.HealthCheckProtocol),
				"port":                sv(tg.HealthCheckPort),
				"path":                sv(tg.HealthCheckPath),
				"interval":            i32(tg.HealthCheckIntervalSeconds),
				"timeout":             i32(tg.HealthCheckTimeoutSeconds),
				"healthy_threshold":   i32(tg.HealthyThresholdCount),
				"unhealthy_threshold": i32(tg.UnhealthyThresholdCount),
				"matcher":             matcher,
			}},
		}, tags[arn]))
	}
	return nil
}
