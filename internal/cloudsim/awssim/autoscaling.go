package awssim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

const autoscalingNS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"

// asgPage is how Auto Scaling Describe calls page: NextToken and
// MaxRecords 1..100.
var asgPage = queryPage{inToken: "NextToken", outToken: "NextToken", sizeParam: "MaxRecords", def: 50, min: 1, max: 100}

// autoscaling answers DescribeAutoScalingGroups. Groups carry their tags
// (with PropagateAtLaunch) inline, as Terraform's tag blocks do.
func (h *handler) autoscaling(rw http.ResponseWriter, c *call) {
	if err := c.r.ParseForm(); err != nil {
		queryError(rw, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	if !queryFault(rw, h.w.Check("aws:autoscaling", c.account)) {
		return
	}
	switch action := c.r.Form.Get("Action"); action {
	case "DescribeAutoScalingGroups":
		queryList(rw, c, autoscalingNS, action, "AutoScalingGroups", "member", asgPage,
			h.resources(c, "aws_autoscaling_group", false), renderASG)
	default:
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+action)
	}
}

func renderASG(c *call, d *doc, m map[string]any) {
	name := str(m, "id")
	d.text("AutoScalingGroupName", name)
	d.text("AutoScalingGroupARN", fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:00000000-0000-4000-8000-000000000000:autoScalingGroupName/%s",
		c.region, c.account, name))
	for _, lt := range list(m, "launch_template") {
		o := obj(lt)
		d.open("LaunchTemplate")
		d.opt("LaunchTemplateId", str(o, "id"))
		d.opt("LaunchTemplateName", str(o, "name"))
		d.opt("Version", str(o, "version"))
		d.close("LaunchTemplate")
	}
	d.num("MinSize", num(m, "min_size"))
	d.num("MaxSize", num(m, "max_size"))
	d.num("DesiredCapacity", num(m, "desired_capacity"))
	d.num("DefaultCooldown", numOr(m, "default_cooldown", 300))
	members(d, "AvailabilityZones", "member", strs(m, "availability_zones"))
	members(d, "LoadBalancerNames", "member", strs(m, "load_balancers"))
	members(d, "TargetGroupARNs", "member", strs(m, "target_group_arns"))
	d.text("HealthCheckType", strOr(m, "health_check_type", "EC2"))
	d.num("HealthCheckGracePeriod", num(m, "health_check_grace_period"))
	d.text("CreatedTime", created)
	subnets := strs(m, "vpc_zone_identifier")
	sort.Strings(subnets)
	d.opt("VPCZoneIdentifier", strings.Join(subnets, ","))
	members(d, "TerminationPolicies", "member", strs(m, "termination_policies"))
	d.boolean("NewInstancesProtectedFromScaleIn", boolean(m, "protect_from_scale_in"))
	d.boolean("CapacityRebalance", boolean(m, "capacity_rebalance"))
	d.opt("ServiceLinkedRoleARN", str(m, "service_linked_role_arn"))
	if v := num(m, "max_instance_lifetime"); v > 0 {
		d.num("MaxInstanceLifetime", v)
	}
	d.open("Tags")
	for _, t := range list(m, "tag") {
		o := obj(t)
		d.open("member")
		d.text("ResourceId", name)
		d.text("ResourceType", "auto-scaling-group")
		d.text("Key", str(o, "key"))
		d.text("Value", str(o, "value"))
		d.boolean("PropagateAtLaunch", boolean(o, "propagate_at_launch"))
		d.close("member")
	}
	d.close("Tags")
}
