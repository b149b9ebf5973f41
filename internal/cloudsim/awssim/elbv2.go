package awssim

import (
	"net/http"
	"strconv"
	"strings"
)

const elbNS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"

// elbPage is how ELBv2 Describe calls page: Marker in, NextMarker out,
// PageSize 1..400.
var elbPage = queryPage{inToken: "Marker", outToken: "NextMarker", sizeParam: "PageSize", def: 400, min: 1, max: 400}

// elbv2 answers the Elastic Load Balancing v2 Query API: load balancers
// and their attributes, target groups, listeners and tags. Ids are ARNs,
// as in Terraform.
func (h *handler) elbv2(rw http.ResponseWriter, c *call) {
	if err := c.r.ParseForm(); err != nil {
		queryError(rw, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	if !queryFault(rw, h.w.Check("aws:elasticloadbalancing", c.account)) {
		return
	}
	f := c.r.Form
	switch action := f.Get("Action"); action {
	case "DescribeLoadBalancers":
		queryList(rw, c, elbNS, action, "LoadBalancers", "member", elbPage, h.resources(c, "aws_lb", false), renderLB)
	case "DescribeTargetGroups":
		queryList(rw, c, elbNS, action, "TargetGroups", "member", elbPage, h.resources(c, "aws_lb_target_group", false), renderTargetGroup)
	case "DescribeListeners":
		lb := f.Get("LoadBalancerArn")
		if lb == "" {
			queryError(rw, http.StatusBadRequest, "Sender", "ValidationError", "A load balancer ARN or listener ARNs must be specified")
			return
		}
		var ls []map[string]any
		for _, m := range h.resources(c, "aws_lb_listener", false) {
			if str(m, "load_balancer_arn") == lb {
				ls = append(ls, m)
			}
		}
		queryList(rw, c, elbNS, action, "Listeners", "member", elbPage, ls, renderListener)
	case "DescribeLoadBalancerAttributes":
		lb, ok := h.elbFind(rw, c, "aws_lb", f.Get("LoadBalancerArn"), "LoadBalancerNotFound")
		if !ok {
			return
		}
		queryResult(rw, elbNS, action, func(d *doc) {
			d.open("Attributes")
			for _, kv := range [][2]string{
				{"deletion_protection.enabled", strconv.FormatBool(boolean(lb, "enable_deletion_protection"))},
				{"idle_timeout.timeout_seconds", strconv.Itoa(int(numOr(lb, "idle_timeout", 60)))},
				{"routing.http2.enabled", strconv.FormatBool(lb["enable_http2"] != false)},
				{"load_balancing.cross_zone.enabled", strconv.FormatBool(boolean(lb, "enable_cross_zone_load_balancing"))},
			} {
				d.open("member")
				d.text("Key", kv[0])
				d.text("Value", kv[1])
				d.close("member")
			}
			d.close("Attributes")
		})
	case "DescribeTags":
		var arns []string
		for i := 1; f.Get("ResourceArns.member."+strconv.Itoa(i)) != ""; i++ {
			arns = append(arns, f.Get("ResourceArns.member."+strconv.Itoa(i)))
		}
		if len(arns) > 20 {
			queryError(rw, http.StatusBadRequest, "Sender", "ValidationError", "At most 20 resource ARNs can be specified")
			return
		}
		var found []map[string]any
		for _, arn := range arns {
			typ := "aws_lb"
			switch {
			case strings.Contains(arn, ":targetgroup/"):
				typ = "aws_lb_target_group"
			case strings.Contains(arn, ":listener/"):
				typ = "aws_lb_listener"
			}
			m, ok := h.elbFind(rw, c, typ, arn, "LoadBalancerNotFound")
			if !ok {
				return
			}
			found = append(found, m)
		}
		queryResult(rw, elbNS, action, func(d *doc) {
			d.open("TagDescriptions")
			for _, m := range found {
				d.open("member")
				d.text("ResourceArn", str(m, "id"))
				queryTags(d, "Tags", "member", m)
				d.close("member")
			}
			d.close("TagDescriptions")
		})
	default:
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+action)
	}
}

func (h *handler) elbFind(rw http.ResponseWriter, c *call, typ, arn, code string) (map[string]any, bool) {
	for _, m := range h.resources(c, typ, false) {
		if str(m, "id") == arn {
			return m, true
		}
	}
	queryError(rw, http.StatusBadRequest, "Sender", code, "One or more resources not found: "+arn)
	return nil, false
}

func renderLB(c *call, d *doc, m map[string]any) {
	d.text("LoadBalancerArn", str(m, "id"))
	d.text("LoadBalancerName", str(m, "name"))
	d.text("DNSName", str(m, "dns_name"))
	d.text("CanonicalHostedZoneId", str(m, "zone_id"))
	d.text("CreatedTime", created)
	scheme := "internet-facing"
	if boolean(m, "internal") {
		scheme = "internal"
	}
	d.text("Scheme", scheme)
	d.text("VpcId", str(m, "vpc_id"))
	d.open("State")
	d.text("Code", "active")
	d.close("State")
	d.text("Type", strOr(m, "load_balancer_type", "application"))
	d.open("AvailabilityZones")
	for i, s := range strs(m, "subnets") {
		d.open("member")
		d.text("ZoneName", c.region+string(rune('a'+i%6)))
		d.text("SubnetId", s)
		d.close("member")
	}
	d.close("AvailabilityZones")
	members(d, "SecurityGroups", "member", strs(m, "security_groups"))
	d.text("IpAddressType", strOr(m, "ip_address_type", "ipv4"))
}

func renderTargetGroup(_ *call, d *doc, m map[string]any) {
	d.text("TargetGroupArn", str(m, "id"))
	d.text("TargetGroupName", str(m, "name"))
	d.opt("Protocol", str(m, "protocol"))
	if v := num(m, "port"); v > 0 {
		d.num("Port", v)
	}
	d.opt("VpcId", str(m, "vpc_id"))
	d.opt("ProtocolVersion", str(m, "protocol_version"))
	d.text("TargetType", strOr(m, "target_type", "instance"))
	d.opt("IpAddressType", str(m, "ip_address_type"))
	for _, hc := range list(m, "health_check") {
		o := obj(hc)
		d.boolean("HealthCheckEnabled", boolean(o, "enabled"))
		d.opt("HealthCheckProtocol", str(o, "protocol"))
		d.opt("HealthCheckPort", str(o, "port"))
		d.opt("HealthCheckPath", str(o, "path"))
		d.num("HealthCheckIntervalSeconds", num(o, "interval"))
		d.num("HealthCheckTimeoutSeconds", num(o, "timeout"))
		d.num("HealthyThresholdCount", num(o, "healthy_threshold"))
		d.num("UnhealthyThresholdCount", num(o, "unhealthy_threshold"))
		if v := str(o, "matcher"); v != "" {
			d.open("Matcher")
			d.text("HttpCode", v)
			d.close("Matcher")
		}
	}
	members(d, "LoadBalancerArns", "member", strs(m, "load_balancer_arns"))
}

func renderListener(_ *call, d *doc, m map[string]any) {
	d.text("ListenerArn", str(m, "id"))
	d.text("LoadBalancerArn", str(m, "load_balancer_arn"))
	d.num("Port", num(m, "port"))
	d.text("Protocol", str(m, "protocol"))
	d.opt("SslPolicy", str(m, "ssl_policy"))
	d.open("Certificates")
	if v := str(m, "certificate_arn"); v != "" {
		d.open("member")
		d.text("CertificateArn", v)
		d.close("member")
	}
	d.close("Certificates")
	d.open("DefaultActions")
	for _, a := range list(m, "default_action") {
		o := obj(a)
		d.open("member")
		d.text("Type", str(o, "type"))
		d.opt("TargetGroupArn", str(o, "target_group_arn"))
		if v := num(o, "order"); v > 0 {
			d.num("Order", v)
		}
		d.close("member")
	}
	d.close("DefaultActions")
}
