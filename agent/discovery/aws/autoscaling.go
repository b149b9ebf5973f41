package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) autoscalingListers() []discovery.Lister {
	newClient := func(cfg aws.Config) *autoscaling.Client { return autoscaling.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "autoscaling", false, []string{"aws_autoscaling_group"}, newClient, p.listAutoScalingGroups),
	}
}

// listAutoScalingGroups emits aws_autoscaling_group keyed by name. Its
// tags are Terraform's tag blocks (key, value, propagate_at_launch); the
// resource has no tags map.
func (p *provider) listAutoScalingGroups(ctx context.Context, c *autoscaling.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := autoscaling.NewDescribeAutoScalingGroupsPaginator(c, &autoscaling.DescribeAutoScalingGroupsInput{
		MaxRecords: p.boundedPage(1, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe auto scaling groups: %w", err)
		}
		for _, g := range out.AutoScalingGroups {
			name := sv(g.AutoScalingGroupName)
			lt := []any{}
			if t := g.LaunchTemplate; t != nil {
				lt = append(lt, map[string]any{"id": sv(t.LaunchTemplateId), "name": sv(t.LaunchTemplateName),
					"version": sv(t.Version)})
			}
			tagBlocks := []any{}
			tags := map[string]string{}
			for _, t := range g.Tags {
				tagBlocks = append(tagBlocks, map[string]any{"key": sv(t.Key), "value": sv(t.Value),
					"propagate_at_launch": bv(t.PropagateAtLaunch)})
				tags[sv(t.Key)] = sv(t.Value)
			}
			var subnets []string
			if z := sv(g.VPCZoneIdentifier); z != "" {
				subnets = strings.Split(z, ",")
			}
			r := newResource("aws_autoscaling_group", name, s, map[string]any{
				"arn":                       sv(g.AutoScalingGroupARN),
				"name":                      name,
				"min_size":                  i32(g.MinSize),
				"max_size":                  i32(g.MaxSize),
				"desired_capacity":          i32(g.DesiredCapacity),
				"default_cooldown":          i32(g.DefaultCooldown),
				"availability_zones":        sortedStrings(g.AvailabilityZones),
				"vpc_zone_identifier":       sortedStrings(subnets),
				"load_balancers":            sortedStrings(g.LoadBalancerNames),
				"target_group_arns":         sortedStrings(g.TargetGroupARNs),
				"health_check_type":         sv(g.HealthCheckType),
				"health_check_grace_period": i32(g.HealthCheckGracePeriod),
				"termination_policies":      anyStrings(g.TerminationPolicies),
				"protect_from_scale_in":     bv(g.NewInstancesProtectedFromScaleIn),
				"capacity_rebalance":        bv(g.CapacityRebalance),
				"service_linked_role_arn":   sv(g.ServiceLinkedRoleARN),
				"max_instance_lifetime":     i32(g.MaxInstanceLifetime),
				"launch_template":           lt,
				"tag":                       tagBlocks,
			}, tags)
			delete(r.Attrs, "tags")
			emit(r)
		}
	}
	return nil
}
