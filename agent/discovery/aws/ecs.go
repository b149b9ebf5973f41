package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// ecsDescribeBatch is the most services DescribeServices takes at once.
const ecsDescribeBatch = 10

// listECS emits ECS clusters and, per cluster, its services in Terraform's
// aws_ecs_cluster and aws_ecs_service shapes; both are keyed by ARN, as
// Terraform ids them. INACTIVE (deleted) clusters and services are left
// out, as Terraform drops them from state.
func (p *provider) listECS(ctx context.Context, c *ecs.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ecs.NewListClustersPaginator(c, &ecs.ListClustersInput{MaxResults: p.boundedPage(1, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list ecs clusters: %w", err)
		}
		if len(out.ClusterArns) == 0 {
			continue
		}
		d, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: out.ClusterArns,
			Include: []types.ClusterField{types.ClusterFieldTags, types.ClusterFieldSettings}})
		if err != nil {
			return fmt.Errorf("describe ecs clusters: %w", err)
		}
		for _, cl := range d.Clusters {
			if sv(cl.Status) == "INACTIVE" {
				continue
			}
			arn := sv(cl.ClusterArn)
			settings := []any{}
			for _, st := range cl.Settings {
				settings = append(settings, map[string]any{"name": string(st.Name), "value": sv(st.Value)})
			}
			emit(newResource("aws_ecs_cluster", arn, s, map[string]any{"arn": arn, "name": sv(cl.ClusterName),
				"setting": settings}, ecsTags(cl.Tags)))
			if err := p.listServices(ctx, c, s, arn, emit); err != nil {
				return err
			}
		}
	}
	return nil
}

func ecsTags(ts []types.Tag) map[string]string {
	tags := make(map[string]string, len(ts))
	for _, t := range ts {
		tags[sv(t.Key)] = sv(t.Value)
	}
	return tags
}

// listServices lists one cluster's services and describes them in batches
// of ecsDescribeBatch.
func (p *provider) listServices(ctx context.Context, c *ecs.Client, s discovery.Scope, cluster string, emit func(resource.Resource)) error {
	// ListServices answers ten at a time unless asked for more: ask for
	// its maximum, and describe what comes back in batches.
	size := p.boundedPage(1, 100)
	if size == nil {
		size = aws.Int32(100)
	}
	pg := ecs.NewListServicesPaginator(c, &ecs.ListServicesInput{Cluster: &cluster, MaxResults: size})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list services of ecs cluster %s: %w", cluster, err)
		}
		for lo := 0; lo < len(out.ServiceArns); lo += ecsDescribeBatch {
			batch := out.ServiceArns[lo:min(lo+ecsDescribeBatch, len(out.ServiceArns))]
			d, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: batch,
				Include: []types.ServiceField{types.ServiceFieldTags}})
			if err != nil {
				return fmt.Errorf("describe services of ecs cluster %s: %w", cluster, err)
			}
			// Services deleted since they were listed come back as
			// failures (reason MISSING) and are simply not emitted.
			for _, svc := range d.Services {
				if sv(svc.Status) == "INACTIVE" {
					continue
				}
				arn := sv(svc.ServiceArn)
				emit(newResource("aws_ecs_service", arn, s, serviceAttrs(&svc), ecsTags(svc.Tags)))
			}
		}
	}
	return nil
}

// serviceAttrs maps a service as the provider reads it. cluster, iam_role
// and task_definition are the ARNs the API reports; the provider keeps
// them in state in the form the configuration gave (a cluster or role
// name, a "family:revision"), which a comparison must reduce to the same
// form.
func serviceAttrs(svc *types.Service) map[string]any {
	attrs := map[string]any{"name": sv(svc.ServiceName), "cluster": sv(svc.ClusterArn),
		"task_definition": sv(svc.TaskDefinition), "desired_count": float64(svc.DesiredCount),
		"launch_type": string(svc.LaunchType), "platform_version": sv(svc.PlatformVersion),
		"scheduling_strategy": string(svc.SchedulingStrategy), "iam_role": sv(svc.RoleArn),
		"health_check_grace_period_seconds": i32(svc.HealthCheckGracePeriodSeconds),
		"enable_ecs_managed_tags":           svc.EnableECSManagedTags, "enable_execute_command": svc.EnableExecuteCommand,
		"propagate_tags":             string(svc.PropagateTags),
		"deployment_maximum_percent": float64(0), "deployment_minimum_healthy_percent": float64(0),
		"deployment_circuit_breaker": []any{}, "deployment_controller": []any{}, "network_configuration": []any{},
	}
	if dc := svc.DeploymentConfiguration; dc != nil {
		attrs["deployment_maximum_percent"] = i32(dc.MaximumPercent)
		attrs["deployment_minimum_healthy_percent"] = i32(dc.MinimumHealthyPercent)
		if cb := dc.DeploymentCircuitBreaker; cb != nil {
			attrs["deployment_circuit_breaker"] = []any{map[string]any{"enable": cb.Enable, "rollback": cb.Rollback}}
		}
	}
	if ctl := svc.DeploymentController; ctl != nil {
		attrs["deployment_controller"] = []any{map[string]any{"type": string(ctl.Type)}}
	}
	if nc := svc.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		v := nc.AwsvpcConfiguration
		attrs["network_configuration"] = []any{map[string]any{"subnets": anyStrings(v.Subnets),
			"security_groups": anyStrings(v.SecurityGroups), "assign_public_ip": v.AssignPublicIp == types.AssignPublicIpEnabled}}
	}
	lbs := []any{}
	for _, lb := range svc.LoadBalancers {
		lbs = append(lbs, map[string]any{"target_group_arn": sv(lb.TargetGroupArn), "elb_name": sv(lb.LoadBalancerName),
			"container_name": sv(lb.ContainerName), "container_port": i32(lb.ContainerPort)})
	}
	attrs["load_balancer"] = lbs
	cps := []any{}
	for _, cp := range svc.CapacityProviderStrategy {
		cps = append(cps, map[string]any{"capacity_provider": sv(cp.CapacityProvider), "weight": float64(cp.Weight),
			"base": float64(cp.Base)})
	}
	attrs["capacity_provider_strategy"] = cps
	return attrs
}
