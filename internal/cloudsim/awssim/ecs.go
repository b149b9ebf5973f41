package awssim

import (
	"net/http"
	"strconv"
	"strings"
)

var ecsService = &jsonService{name: "ecs", namespace: "com.amazonaws.ecs", version: "1.1",
	throttle: "ThrottlingException", deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// ecs answers the ECS JSON 1.1 API (target prefix
// AmazonEC2ContainerServiceV20141113) from aws_ecs_cluster and
// aws_ecs_service, both keyed by ARN; a service belongs to the cluster
// whose ARN its cluster attribute holds. DescribeClusters and
// DescribeServices report what they cannot find as failures with reason
// MISSING, and render tags and settings only when include asks for them.
// A world attribute status (not a Terraform one) simulates INACTIVE
// clusters and services.
func (h *handler) ecs(rw http.ResponseWriter, c *call) {
	h.serveJSON(rw, c, ecsService, map[string]func(*jsonCall){
		"ListClusters":     h.ecsListClusters,
		"DescribeClusters": h.ecsDescribeClusters,
		"ListServices":     h.ecsListServices,
		"DescribeServices": h.ecsDescribeServices,
	})
}

func ecsClusterArn(c *call, name string) string {
	return "arn:aws:ecs:" + c.region + ":" + c.account + ":cluster/" + name
}

func afterSlash(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

// ecsPage checks maxResults (1..100) and cuts a page of ARNs, def of
// them when maxResults is not given.
func (j *jsonCall) ecsPage(arns []string, member string, def int) {
	if n := j.limit("maxResults"); n < 0 || n > 100 {
		j.fail("InvalidParameterException", "maxResults must be between 1 and 100")
		return
	}
	lo, hi, next, ok := j.page(len(arns), "nextToken", "maxResults", def, "InvalidParameterException")
	if !ok {
		return
	}
	out := map[string]any{member: append([]string{}, arns[lo:hi]...)}
	if next != "" {
		out["nextToken"] = next
	}
	j.reply(out)
}

func (h *handler) ecsListClusters(j *jsonCall) {
	var arns []string
	for _, c := range h.resources(j.call, "aws_ecs_cluster", false) {
		arns = append(arns, str(c, "id"))
	}
	j.ecsPage(arns, "clusterArns", 100)
}

// ecsCluster finds a cluster by name or ARN ("default" when ref is empty).
func (h *handler) ecsCluster(c *call, ref string) (map[string]any, bool) {
	if ref == "" {
		ref = "default"
	}
	for _, cl := range h.resources(c, "aws_ecs_cluster", false) {
		if id := str(cl, "id"); id == ref || afterSlash(id) == ref {
			return cl, true
		}
	}
	return nil, false
}

func ecsTags(m map[string]any) []any {
	tags := []any{}
	for _, kv := range tagsOf(m) {
		tags = append(tags, map[string]any{"key": kv[0], "value": kv[1]})
	}
	return tags
}

func includes(j *jsonCall, what string) bool {
	for _, s := range strs(j.in, "include") {
		if s == what {
			return true
		}
	}
	return false
}

func (h *handler) ecsDescribeClusters(j *jsonCall) {
	refs := strs(j.in, "clusters")
	if len(refs) > 100 {
		j.fail("InvalidParameterException", "Clusters cannot have more than 100 elements")
		return
	}
	if len(refs) == 0 {
		refs = []string{"default"}
	}
	clusters, failures := []any{}, []any{}
	for _, ref := range refs {
		cl, ok := h.ecsCluster(j.call, ref)
		if !ok {
			arn := ref
			if !strings.HasPrefix(ref, "arn:") {
				arn = ecsClusterArn(j.call, ref)
			}
			failures = append(failures, map[string]any{"arn": arn, "reason": "MISSING"})
			continue
		}
		active := 0
		for _, s := range h.resources(j.call, "aws_ecs_service", false) {
			if str(s, "cluster") == str(cl, "id") {
				active++
			}
		}
		out := map[string]any{"clusterArn": str(cl, "id"), "clusterName": afterSlash(str(cl, "id")),
			"status": orDefault(str(cl, "status"), "ACTIVE"), "registeredContainerInstancesCount": 0,
			"runningTasksCount": 0, "pendingTasksCount": 0, "activeServicesCount": active}
		if includes(j, "SETTINGS") {
			var settings []any
			for _, s := range list(cl, "setting") {
				settings = append(settings, map[string]any{"name": str(obj(s), "name"), "value": str(obj(s), "value")})
			}
			out["settings"] = settings
		}
		if includes(j, "TAGS") {
			out["tags"] = ecsTags(cl)
		}
		clusters = append(clusters, out)
	}
	j.reply(map[string]any{"clusters": clusters, "failures": failures})
}

func (h *handler) ecsClusterNotFound(j *jsonCall) {
	j.fail("ClusterNotFoundException", "Cluster not found.")
}

// ecsServices lists the services of the cluster named in the request.
func (h *handler) ecsServices(j *jsonCall) (cluster map[string]any, services []map[string]any, ok bool) {
	cl, ok := h.ecsCluster(j.call, j.str("cluster"))
	if !ok {
		h.ecsClusterNotFound(j)
		return nil, nil, false
	}
	for _, s := range h.resources(j.call, "aws_ecs_service", false) {
		if str(s, "cluster") == str(cl, "id") {
			services = append(services, s)
		}
	}
	return cl, services, true
}

func (h *handler) ecsListServices(j *jsonCall) {
	_, services, ok := h.ecsServices(j)
	if !ok {
		return
	}
	var arns []string
	for _, s := range services {
		if str(s, "status") != "INACTIVE" { // ListServices omits deleted services
			arns = append(arns, str(s, "id"))
		}
	}
	j.ecsPage(arns, "serviceArns", 10) // ten by default, as documented
}

func (h *handler) ecsDescribeServices(j *jsonCall) {
	refs := strs(j.in, "services")
	if len(refs) == 0 || len(refs) > 10 {
		j.fail("InvalidParameterException", "Services cannot be empty and cannot have more than 10 elements")
		return
	}
	cl, services, ok := h.ecsServices(j)
	if !ok {
		return
	}
	out, failures := []any{}, []any{}
	for _, ref := range refs {
		var found map[string]any
		for _, s := range services {
			if str(s, "id") == ref || str(s, "name") == ref {
				found = s
			}
		}
		if found == nil {
			failures = append(failures, map[string]any{"arn": ref, "reason": "MISSING"})
			continue
		}
		out = append(out, h.ecsRenderService(j, cl, found))
	}
	j.reply(map[string]any{"services": out, "failures": failures})
}

func (h *handler) ecsRenderService(j *jsonCall, cl, s map[string]any) map[string]any {
	out := map[string]any{"serviceArn": str(s, "id"), "serviceName": str(s, "name"), "clusterArn": str(cl, "id"),
		"status": orDefault(str(s, "status"), "ACTIVE"), "desiredCount": num(s, "desired_count"),
		"runningCount": num(s, "desired_count"), "pendingCount": 0, "taskDefinition": str(s, "task_definition"),
		"schedulingStrategy":   orDefault(str(s, "scheduling_strategy"), "REPLICA"),
		"enableECSManagedTags": boolean(s, "enable_ecs_managed_tags"),
		"enableExecuteCommand": boolean(s, "enable_execute_command"),
		"propagateTags":        orDefault(str(s, "propagate_tags"), "NONE"), "createdAt": 1704067200,
		"deploymentController": map[string]any{"type": orDefault(str(obj(first(list(s, "deployment_controller"))), "type"), "ECS")},
	}
	if lt := str(s, "launch_type"); lt != "" {
		out["launchType"] = lt
	}
	if az := str(s, "availability_zone_rebalancing"); az != "" {
		out["availabilityZoneRebalancing"] = az
	}
	if pv := str(s, "platform_version"); pv != "" {
		out["platformVersion"] = pv
	}
	if r := str(s, "iam_role"); r != "" {
		out["roleArn"] = r
	}
	if g := num(s, "health_check_grace_period_seconds"); g > 0 {
		out["healthCheckGracePeriodSeconds"] = g
	}
	dc := map[string]any{"maximumPercent": num(s, "deployment_maximum_percent"),
		"minimumHealthyPercent": num(s, "deployment_minimum_healthy_percent")}
	if cb := obj(first(list(s, "deployment_circuit_breaker"))); cb != nil {
		dc["deploymentCircuitBreaker"] = map[string]any{"enable": boolean(cb, "enable"), "rollback": boolean(cb, "rollback")}
	}
	out["deploymentConfiguration"] = dc
	if nc := obj(first(list(s, "network_configuration"))); nc != nil {
		out["networkConfiguration"] = map[string]any{"awsvpcConfiguration": map[string]any{
			"subnets": strs(nc, "subnets"), "securityGroups": strs(nc, "security_groups"),
			"assignPublicIp": map[bool]string{true: "ENABLED", false: "DISABLED"}[boolean(nc, "assign_public_ip")]}}
	}
	lbs := []any{}
	for _, lb := range list(s, "load_balancer") {
		lb := obj(lb)
		m := map[string]any{"containerName": str(lb, "container_name"), "containerPort": num(lb, "container_port")}
		if tg := str(lb, "target_group_arn"); tg != "" {
			m["targetGroupArn"] = tg
		}
		if n := str(lb, "elb_name"); n != "" {
			m["loadBalancerName"] = n
		}
		lbs = append(lbs, m)
	}
	out["loadBalancers"] = lbs
	var cps []any
	for _, cp := range list(s, "capacity_provider_strategy") {
		cp := obj(cp)
		cps = append(cps, map[string]any{"capacityProvider": str(cp, "capacity_provider"),
			"weight": num(cp, "weight"), "base": num(cp, "base")})
	}
	if len(cps) > 0 {
		out["capacityProviderStrategy"] = cps
	}
	if includes(j, "TAGS") {
		out["tags"] = ecsTags(s)
	}
	out["deployments"] = []any{map[string]any{"id": "ecs-svc/" + strconv.Itoa(1), "status": "PRIMARY",
		"taskDefinition": str(s, "task_definition"), "desiredCount": num(s, "desired_count")}}
	return out
}
