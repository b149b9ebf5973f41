package awssim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
)

// This file answers the EC2 calls behind security group rules, VPC
// endpoints and launch templates.
//
// The world is a live inventory: each record renders only itself. A rule
// managed on its own (aws_vpc_security_group_ingress_rule) shows in
// DescribeSecurityGroupRules; its group's IpPermissions come from the
// group's own ingress/egress lists, which hold it too in both a discovered
// inventory and a refreshed Terraform state.

// ec2ListEntry is the type of ec2Lists' values.
type ec2ListEntry = struct {
	typ, set string
	paged    bool
	render   func(h *handler, c *call, d *doc, m map[string]any)
}

func init() {
	ec2Lists["DescribeVpcEndpoints"] = ec2ListEntry{"aws_vpc_endpoint", "vpcEndpointSet", true, renderVpcEndpoint}
	ec2Lists["DescribeLaunchTemplates"] = ec2ListEntry{"aws_launch_template", "launchTemplates", true, renderLaunchTemplate}
}

// sgRuleTypes are the Terraform types of security group rules with ids.
var sgRuleTypes = []string{"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"}

// describeSecurityGroupRules lists both rule types, sorted by id, paged
// with MaxResults/NextToken; the group-id filter and SecurityGroupRuleId.N
// narrow the list as the API does.
func (h *handler) describeSecurityGroupRules(rw http.ResponseWriter, c *call) {
	var rules []map[string]any
	for _, typ := range sgRuleTypes {
		for _, m := range h.resources(c, typ, false) {
			m["_egress"] = typ == sgRuleTypes[1]
			rules = append(rules, m)
		}
	}
	groups, ids := ec2Filter(c, "group-id"), indexed(c, "SecurityGroupRuleId")
	kept := rules[:0]
	for _, m := range rules {
		if (len(groups) == 0 || groups[str(m, "security_group_id")]) && (len(ids) == 0 || ids[str(m, "id")]) {
			kept = append(kept, m)
		}
	}
	rules = kept
	sort.Slice(rules, func(i, j int) bool { return str(rules[i], "id") < str(rules[j], "id") })
	maxResults, _ := strconv.Atoi(c.r.Form.Get("MaxResults"))
	lo, hi, next, ok := page(len(rules), c.r.Form.Get("NextToken"), maxResults, 1000)
	if !ok {
		ec2Error(rw, http.StatusBadRequest, "InvalidNextToken", "The token is invalid.")
		return
	}
	var d doc
	d.b.WriteString(`<DescribeSecurityGroupRulesResponse xmlns="` + ec2NS + `">`)
	d.text("requestId", h.w.NextID("req-"))
	d.open("securityGroupRuleSet")
	for _, m := range rules[lo:hi] {
		d.open("item")
		id := str(m, "id")
		d.text("securityGroupRuleId", id)
		d.text("groupId", str(m, "security_group_id"))
		d.text("groupOwnerId", c.account)
		d.boolean("isEgress", boolean(m, "_egress"))
		d.text("ipProtocol", str(m, "ip_protocol"))
		from, to := float64(-1), float64(-1)
		if str(m, "ip_protocol") != "-1" {
			from, to = num(m, "from_port"), num(m, "to_port")
		}
		d.num("fromPort", from)
		d.num("toPort", to)
		d.opt("cidrIpv4", str(m, "cidr_ipv4"))
		d.opt("cidrIpv6", str(m, "cidr_ipv6"))
		d.opt("prefixListId", str(m, "prefix_list_id"))
		if g := str(m, "referenced_security_group_id"); g != "" {
			d.open("referencedGroupInfo")
			d.text("groupId", g)
			d.text("userId", c.account)
			d.close("referencedGroupInfo")
		}
		d.opt("description", str(m, "description"))
		d.text("securityGroupRuleArn", fmt.Sprintf("arn:aws:ec2:%s:%s:security-group-rule/%s", c.region, c.account, id))
		ec2Tags(&d, m)
		d.close("item")
	}
	d.close("securityGroupRuleSet")
	d.opt("nextToken", next)
	d.close("DescribeSecurityGroupRulesResponse")
	writeXML(rw, http.StatusOK, d.b.String())
}

// ec2Filter returns the values of the Filter.N named name.
func ec2Filter(c *call, name string) map[string]bool {
	out := map[string]bool{}
	for i := 1; ; i++ {
		n := c.r.Form.Get("Filter." + strconv.Itoa(i) + ".Name")
		if n == "" {
			return out
		}
		if n != name {
			continue
		}
		for j := 1; ; j++ {
			v := c.r.Form.Get("Filter." + strconv.Itoa(i) + ".Value." + strconv.Itoa(j))
			if v == "" {
				break
			}
			out[v] = true
		}
	}
}

// indexed returns the values of a list parameter name.1, name.2, ...
func indexed(c *call, name string) map[string]bool {
	out := map[string]bool{}
	for i := 1; ; i++ {
		v := c.r.Form.Get(name + "." + strconv.Itoa(i))
		if v == "" {
			return out
		}
		out[v] = true
	}
}

// stringSet writes a list of strings as <name><item>v</item>..</name>.
func stringSet(d *doc, name string, vs []string) {
	d.open(name)
	for _, v := range vs {
		d.text("item", v)
	}
	d.close(name)
}

func renderVpcEndpoint(_ *handler, c *call, d *doc, m map[string]any) {
	d.text("vpcEndpointId", str(m, "id"))
	typ := str(m, "vpc_endpoint_type")
	if typ == "" {
		typ = "Gateway"
	}
	d.text("vpcEndpointType", typ)
	d.text("vpcId", str(m, "vpc_id"))
	d.text("serviceName", str(m, "service_name"))
	state := str(m, "state")
	if state == "" {
		state = "available"
	}
	d.text("state", state)
	d.opt("policyDocument", str(m, "policy"))
	stringSet(d, "routeTableIdSet", strs(m, "route_table_ids"))
	stringSet(d, "subnetIdSet", strs(m, "subnet_ids"))
	d.open("groupSet")
	for _, g := range strs(m, "security_group_ids") {
		d.open("item")
		d.text("groupId", g)
		d.close("item")
	}
	d.close("groupSet")
	d.opt("ipAddressType", str(m, "ip_address_type"))
	d.boolean("privateDnsEnabled", boolean(m, "private_dns_enabled"))
	d.boolean("requesterManaged", boolean(m, "requester_managed"))
	stringSet(d, "networkInterfaceIdSet", strs(m, "network_interface_ids"))
	d.open("dnsEntrySet")
	for _, e := range list(m, "dns_entry") {
		d.open("item")
		d.text("dnsName", str(obj(e), "dns_name"))
		d.text("hostedZoneId", str(obj(e), "hosted_zone_id"))
		d.close("item")
	}
	d.close("dnsEntrySet")
	d.text("creationTimestamp", "2024-01-01T00:00:00.000Z")
	d.text("ownerId", c.account)
	ec2Tags(d, m)
}

func renderLaunchTemplate(_ *handler, _ *call, d *doc, m map[string]any) {
	d.text("launchTemplateId", str(m, "id"))
	d.text("launchTemplateName", str(m, "name"))
	d.text("createTime", "2024-01-01T00:00:00.000Z")
	d.text("createdBy", "arn:aws:iam::123456789012:user/awssim")
	d.num("defaultVersionNumber", max(1, num(m, "default_version")))
	d.num("latestVersionNumber", max(1, num(m, "latest_version")))
	ec2Tags(d, m)
}

// describeLaunchTemplateVersions answers with the template data of each
// template's latest (or default) version: the world holds one version, the
// one its attributes describe. Without LaunchTemplateId the API accepts
// only $Latest/$Default and lists them for every template.
func (h *handler) describeLaunchTemplateVersions(rw http.ResponseWriter, c *call) {
	f := c.r.Form
	id, name := f.Get("LaunchTemplateId"), f.Get("LaunchTemplateName")
	versions := indexed(c, "LaunchTemplateVersion")
	var out []map[string]any
	for _, m := range h.resources(c, "aws_launch_template", false) {
		if (id != "" && str(m, "id") != id) || (name != "" && str(m, "name") != name) {
			continue
		}
		out = append(out, m)
	}
	if (id != "" || name != "") && len(out) == 0 {
		ec2Error(rw, http.StatusBadRequest, "InvalidLaunchTemplateId.NotFound",
			"The specified launch template, with template ID "+id+", does not exist.")
		return
	}
	if id == "" && name == "" {
		for v := range versions {
			if v != "$Latest" && v != "$Default" {
				ec2Error(rw, http.StatusBadRequest, "InvalidParameterCombination",
					"Version numbers need a launch template id or name.")
				return
			}
		}
	}
	maxResults, _ := strconv.Atoi(f.Get("MaxResults"))
	lo, hi, next, ok := page(len(out), f.Get("NextToken"), maxResults, 1000)
	if !ok {
		ec2Error(rw, http.StatusBadRequest, "InvalidNextToken", "The token is invalid.")
		return
	}
	var d doc
	d.b.WriteString(`<DescribeLaunchTemplateVersionsResponse xmlns="` + ec2NS + `">`)
	d.text("requestId", h.w.NextID("req-"))
	d.open("launchTemplateVersionSet")
	for _, m := range out[lo:hi] {
		d.open("item")
		d.text("launchTemplateId", str(m, "id"))
		d.text("launchTemplateName", str(m, "name"))
		d.num("versionNumber", max(1, num(m, "latest_version")))
		d.opt("versionDescription", str(m, "description"))
		d.text("createTime", "2024-01-01T00:00:00.000Z")
		d.boolean("defaultVersion", max(1, num(m, "latest_version")) == max(1, num(m, "default_version")))
		d.open("launchTemplateData")
		renderLaunchTemplateData(&d, m)
		d.close("launchTemplateData")
		d.close("item")
	}
	d.close("launchTemplateVersionSet")
	d.opt("nextToken", next)
	d.close("DescribeLaunchTemplateVersionsResponse")
	writeXML(rw, http.StatusOK, d.b.String())
}

func renderLaunchTemplateData(d *doc, m map[string]any) {
	d.opt("imageId", str(m, "image_id"))
	d.opt("instanceType", str(m, "instance_type"))
	d.opt("keyName", str(m, "key_name"))
	if u := str(m, "user_data"); u != "" {
		// Terraform holds user_data base64-encoded, as the API returns it.
		if _, err := base64.StdEncoding.DecodeString(u); err != nil {
			u = base64.StdEncoding.EncodeToString([]byte(u))
		}
		d.text("userData", u)
	}
	d.opt("kernelId", str(m, "kernel_id"))
	d.opt("ramDiskId", str(m, "ram_disk_id"))
	if ids := strs(m, "vpc_security_group_ids"); len(ids) > 0 {
		stringSet(d, "securityGroupIdSet", ids)
	}
	if ns := strs(m, "security_group_names"); len(ns) > 0 {
		stringSet(d, "securityGroupSet", ns)
	}
	d.opt("ebsOptimized", str(m, "ebs_optimized"))
	if boolean(m, "disable_api_termination") {
		d.boolean("disableApiTermination", true)
	}
	if boolean(m, "disable_api_stop") {
		d.boolean("disableApiStop", true)
	}
	d.opt("instanceInitiatedShutdownBehavior", str(m, "instance_initiated_shutdown_behavior"))
	for _, p := range list(m, "iam_instance_profile") {
		d.open("iamInstanceProfile")
		d.opt("arn", str(obj(p), "arn"))
		d.opt("name", str(obj(p), "name"))
		d.close("iamInstanceProfile")
	}
	for _, p := range list(m, "monitoring") {
		d.open("monitoring")
		d.boolean("enabled", boolean(obj(p), "enabled"))
		d.close("monitoring")
	}
	for _, p := range list(m, "metadata_options") {
		o := obj(p)
		d.open("metadataOptions")
		d.text("state", "applied")
		d.opt("httpEndpoint", str(o, "http_endpoint"))
		d.opt("httpTokens", str(o, "http_tokens"))
		if v := num(o, "http_put_response_hop_limit"); v > 0 {
			d.num("httpPutResponseHopLimit", v)
		}
		d.opt("httpProtocolIpv6", str(o, "http_protocol_ipv6"))
		d.opt("instanceMetadataTags", str(o, "instance_metadata_tags"))
		d.close("metadataOptions")
	}
	if bdms := list(m, "block_device_mappings"); len(bdms) > 0 {
		d.open("blockDeviceMappingSet")
		for _, b := range bdms {
			bm := obj(b)
			d.open("item")
			d.text("deviceName", str(bm, "device_name"))
			d.opt("virtualName", str(bm, "virtual_name"))
			d.opt("noDevice", str(bm, "no_device"))
			for _, e := range list(bm, "ebs") {
				em := obj(e)
				d.open("ebs")
				if v := str(em, "encrypted"); v != "" {
					d.text("encrypted", v)
				}
				if v := str(em, "delete_on_termination"); v != "" {
					d.text("deleteOnTermination", v)
				}
				for _, k := range [][2]string{{"iops", "iops"}, {"throughput", "throughput"}, {"volume_size", "volumeSize"}} {
					if v := num(em, k[0]); v > 0 {
						d.num(k[1], v)
					}
				}
				d.opt("volumeType", str(em, "volume_type"))
				d.opt("kmsKeyId", str(em, "kms_key_id"))
				d.opt("snapshotId", str(em, "snapshot_id"))
				d.close("ebs")
			}
			d.close("item")
		}
		d.close("blockDeviceMappingSet")
	}
	if specs := list(m, "tag_specifications"); len(specs) > 0 {
		d.open("tagSpecificationSet")
		for _, s := range specs {
			sm := obj(s)
			d.open("item")
			d.text("resourceType", str(sm, "resource_type"))
			ec2Tags(d, sm)
			d.close("item")
		}
		d.close("tagSpecificationSet")
	}
}

// ec2More answers the actions of this file that are not plain lists and
// reports whether action was one of them.
func (h *handler) ec2More(rw http.ResponseWriter, c *call, action string) bool {
	switch action {
	case "DescribeSecurityGroupRules":
		h.describeSecurityGroupRules(rw, c)
	case "DescribeLaunchTemplateVersions":
		h.describeLaunchTemplateVersions(rw, c)
	default:
		return false
	}
	return true
}
