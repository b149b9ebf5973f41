package awssim

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

const ec2NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

// ec2Lists are the Describe calls answered from one Terraform type.
var ec2Lists = map[string]struct {
	typ, set string
	paged    bool
	render   func(h *handler, c *call, d *doc, m map[string]any)
}{
	"DescribeSecurityGroups":   {"aws_security_group", "securityGroupInfo", true, renderSecurityGroup},
	"DescribeVpcs":             {"aws_vpc", "vpcSet", true, renderVpc},
	"DescribeSubnets":          {"aws_subnet", "subnetSet", true, renderSubnet},
	"DescribeRouteTables":      {"aws_route_table", "routeTableSet", true, renderRouteTable},
	"DescribeInternetGateways": {"aws_internet_gateway", "internetGatewaySet", true, renderInternetGateway},
	"DescribeNatGateways":      {"aws_nat_gateway", "natGatewaySet", true, renderNatGateway},
	"DescribeAddresses":        {"aws_eip", "addressesSet", false, renderEIP},
	"DescribeVolumes":          {"aws_ebs_volume", "volumeSet", true, renderVolume},
	"DescribeNetworkAcls":      {"aws_network_acl", "networkAclSet", true, renderNetworkACL},
	"DescribeKeyPairs":         {"aws_key_pair", "keySet", false, renderKeyPair},
	"DescribeInstances":        {"aws_instance", "reservationSet", true, renderReservation},
}

// Regions the simulated EC2 reports as enabled, besides every region the
// world holds resources in; optInRegions are listed only with AllRegions.
var (
	enabledRegions = []string{"eu-west-1", "us-east-1", "us-west-2"}
	optInRegions   = []string{"af-south-1"}
)

func (h *handler) ec2(rw http.ResponseWriter, c *call) {
	if err := c.r.ParseForm(); err != nil {
		ec2Error(rw, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	switch h.w.Check("aws:ec2", c.account) {
	case world.Throttle:
		ec2Error(rw, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
		return
	case world.Deny:
		ec2Error(rw, http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation.")
		return
	case world.Disabled:
		ec2Error(rw, http.StatusUnauthorized, "OptInRequired", "You are not subscribed to this service.")
		return
	}
	action := c.r.Form.Get("Action")
	if l, ok := ec2Lists[action]; ok {
		h.ec2List(rw, c, action, l.typ, l.set, l.paged, l.render)
		return
	}
	switch action {
	case "DescribeVpcAttribute":
		h.describeVpcAttribute(rw, c)
	case "DescribeRegions":
		h.describeRegions(rw, c)
	default:
		if h.ec2More(rw, c, action) {
			return
		}
		ec2Error(rw, http.StatusBadRequest, "InvalidAction", "The action "+action+" is not valid for this web service.")
	}
}

func ec2Error(rw http.ResponseWriter, status int, code, msg string) {
	var d doc
	d.open("Response")
	d.open("Errors")
	d.open("Error")
	d.text("Code", code)
	d.text("Message", msg)
	d.close("Error")
	d.close("Errors")
	d.text("RequestID", "awssim")
	d.close("Response")
	writeXML(rw, status, d.b.String())
}

func (h *handler) ec2List(rw http.ResponseWriter, c *call, action, typ, set string, paged bool,
	render func(*handler, *call, *doc, map[string]any)) {
	items := h.resources(c, typ, false)
	lo, hi, next := 0, len(items), ""
	if paged {
		maxResults, _ := strconv.Atoi(c.r.Form.Get("MaxResults"))
		var ok bool
		lo, hi, next, ok = page(len(items), c.r.Form.Get("NextToken"), maxResults, 1000)
		if !ok {
			ec2Error(rw, http.StatusBadRequest, "InvalidNextToken", "The token is invalid.")
			return
		}
	}
	var d doc
	d.b.WriteString(`<` + action + `Response xmlns="` + ec2NS + `">`)
	d.text("requestId", h.w.NextID("req-"))
	d.open(set)
	for _, m := range items[lo:hi] {
		d.open("item")
		render(h, c, &d, m)
		d.close("item")
	}
	d.close(set)
	d.opt("nextToken", next)
	d.close(action + "Response")
	writeXML(rw, http.StatusOK, d.b.String())
}

func ec2Tags(d *doc, m map[string]any) {
	tags := tagsOf(m)
	if len(tags) == 0 {
		return
	}
	d.open("tagSet")
	for _, t := range tags {
		d.open("item")
		d.text("key", t[0])
		d.text("value", t[1])
		d.close("item")
	}
	d.close("tagSet")
}

func renderSecurityGroup(_ *handler, c *call, d *doc, m map[string]any) {
	id := str(m, "id")
	d.text("groupId", id)
	d.text("groupName", str(m, "name"))
	d.text("groupDescription", str(m, "description"))
	d.opt("vpcId", str(m, "vpc_id"))
	d.text("ownerId", c.account)
	d.text("securityGroupArn", fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", c.region, c.account, id))
	permissions(d, "ipPermissions", id, list(m, "ingress"))
	permissions(d, "ipPermissionsEgress", id, list(m, "egress"))
	ec2Tags(d, m)
}

// permissions renders Terraform's rule blocks as the API's IpPermissions:
// one permission per protocol and port range, each range carrying the
// description of the rule it came from.
func permissions(d *doc, name, self string, rules []any) {
	type ports struct {
		proto    string
		from, to float64
	}
	groups := map[ports][]map[string]any{}
	var order []ports
	for _, r := range rules {
		rule := obj(r)
		k := ports{str(rule, "protocol"), num(rule, "from_port"), num(rule, "to_port")}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], rule)
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.proto != b.proto {
			return a.proto < b.proto
		}
		return a.from < b.from
	})
	d.open(name)
	for _, k := range order {
		d.open("item")
		d.text("ipProtocol", k.proto)
		if k.proto != "-1" {
			d.num("fromPort", k.from)
			d.num("toPort", k.to)
		}
		var cidrs, v6, pls, sgs [][2]string
		for _, rule := range groups[k] {
			desc := str(rule, "description")
			for _, s := range strs(rule, "cidr_blocks") {
				cidrs = append(cidrs, [2]string{s, desc})
			}
			for _, s := range strs(rule, "ipv6_cidr_blocks") {
				v6 = append(v6, [2]string{s, desc})
			}
			for _, s := range strs(rule, "prefix_list_ids") {
				pls = append(pls, [2]string{s, desc})
			}
			for _, s := range strs(rule, "security_groups") {
				sgs = append(sgs, [2]string{s, desc})
			}
			if boolean(rule, "self") {
				sgs = append(sgs, [2]string{self, desc})
			}
		}
		pairs(d, "ipRanges", "cidrIp", cidrs)
		pairs(d, "ipv6Ranges", "cidrIpv6", v6)
		pairs(d, "prefixListIds", "prefixListId", pls)
		pairs(d, "groups", "groupId", sgs)
		d.close("item")
	}
	d.close(name)
}

func pairs(d *doc, name, field string, vs [][2]string) {
	d.open(name)
	for _, v := range vs {
		d.open("item")
		d.text(field, v[0])
		d.opt("description", v[1])
		d.close("item")
	}
	d.close(name)
}

func renderVpc(_ *handler, c *call, d *doc, m map[string]any) {
	d.text("vpcId", str(m, "id"))
	d.text("ownerId", c.account)
	d.text("state", "available")
	d.text("cidrBlock", str(m, "cidr_block"))
	d.opt("dhcpOptionsId", str(m, "dhcp_options_id"))
	tenancy := str(m, "instance_tenancy")
	if tenancy == "" {
		tenancy = "default"
	}
	d.text("instanceTenancy", tenancy)
	d.boolean("isDefault", boolean(m, "default"))
	if v6 := str(m, "ipv6_cidr_block"); v6 != "" {
		d.open("ipv6CidrBlockAssociationSet")
		d.open("item")
		d.text("ipv6CidrBlock", v6)
		d.open("ipv6CidrBlockState")
		d.text("state", "associated")
		d.close("ipv6CidrBlockState")
		d.close("item")
		d.close("ipv6CidrBlockAssociationSet")
	}
	ec2Tags(d, m)
}

func (h *handler) describeVpcAttribute(rw http.ResponseWriter, c *call) {
	id, attr := c.r.Form.Get("VpcId"), c.r.Form.Get("Attribute")
	var vpc map[string]any
	for _, m := range h.resources(c, "aws_vpc", false) {
		if str(m, "id") == id {
			vpc = m
		}
	}
	if vpc == nil {
		ec2Error(rw, http.StatusBadRequest, "InvalidVpcID.NotFound", "The vpc ID '"+id+"' does not exist")
		return
	}
	var value bool
	switch attr {
	case "enableDnsSupport":
		value = true
		if v, ok := vpc["enable_dns_support"].(bool); ok {
			value = v
		}
	case "enableDnsHostnames":
		value = boolean(vpc, "enable_dns_hostnames")
	case "enableNetworkAddressUsageMetrics":
		value = boolean(vpc, "enable_network_address_usage_metrics")
	default:
		ec2Error(rw, http.StatusBadRequest, "InvalidParameterValue", "Value ("+attr+") for parameter attribute is invalid.")
		return
	}
	var d doc
	d.b.WriteString(`<DescribeVpcAttributeResponse xmlns="` + ec2NS + `">`)
	d.text("requestId", h.w.NextID("req-"))
	d.text("vpcId", id)
	d.open(attr)
	d.boolean("value", value)
	d.close(attr)
	d.close("DescribeVpcAttributeResponse")
	writeXML(rw, http.StatusOK, d.b.String())
}

func renderSubnet(_ *handler, c *call, d *doc, m map[string]any) {
	id := str(m, "id")
	d.text("subnetId", id)
	d.text("subnetArn", fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", c.region, c.account, id))
	d.text("ownerId", c.account)
	d.text("state", "available")
	d.text("vpcId", str(m, "vpc_id"))
	d.text("cidrBlock", str(m, "cidr_block"))
	d.text("availabilityZone", str(m, "availability_zone"))
	d.opt("availabilityZoneId", str(m, "availability_zone_id"))
	d.boolean("mapPublicIpOnLaunch", boolean(m, "map_public_ip_on_launch"))
	d.boolean("assignIpv6AddressOnCreation", boolean(m, "assign_ipv6_address_on_creation"))
	d.boolean("defaultForAz", false)
	if v6 := str(m, "ipv6_cidr_block"); v6 != "" {
		d.open("ipv6CidrBlockAssociationSet")
		d.open("item")
		d.text("ipv6CidrBlock", v6)
		d.close("item")
		d.close("ipv6CidrBlockAssociationSet")
	}
	ec2Tags(d, m)
}

// routeTargets maps Terraform route attributes to the API's route fields.
var routeTargets = [][2]string{
	{"cidr_block", "destinationCidrBlock"},
	{"ipv6_cidr_block", "destinationIpv6CidrBlock"},
	{"destination_prefix_list_id", "destinationPrefixListId"},
	{"gateway_id", "gatewayId"},
	{"vpc_endpoint_id", "gatewayId"},
	{"nat_gateway_id", "natGatewayId"},
	{"network_interface_id", "networkInterfaceId"},
	{"transit_gateway_id", "transitGatewayId"},
	{"vpc_peering_connection_id", "vpcPeeringConnectionId"},
	{"egress_only_gateway_id", "egressOnlyInternetGatewayId"},
	{"carrier_gateway_id", "carrierGatewayId"},
	{"local_gateway_id", "localGatewayId"},
	{"core_network_arn", "coreNetworkArn"},
}

func renderRouteTable(h *handler, c *call, d *doc, m map[string]any) {
	id := str(m, "id")
	d.text("routeTableId", id)
	d.text("vpcId", str(m, "vpc_id"))
	d.text("ownerId", c.account)
	d.open("routeSet")
	// The API lists the implicit local route first; Terraform leaves it out.
	for _, v := range h.resources(c, "aws_vpc", false) {
		if str(v, "id") == str(m, "vpc_id") {
			d.open("item")
			d.text("destinationCidrBlock", str(v, "cidr_block"))
			d.text("gatewayId", "local")
			d.text("state", "active")
			d.text("origin", "CreateRouteTable")
			d.close("item")
		}
	}
	for _, r := range list(m, "route") {
		route := obj(r)
		d.open("item")
		for _, t := range routeTargets {
			d.opt(t[1], str(route, t[0]))
		}
		d.text("state", "active")
		d.text("origin", "CreateRoute")
		d.close("item")
	}
	d.close("routeSet")
	d.open("associationSet")
	d.close("associationSet")
	d.open("propagatingVgwSet")
	for _, g := range strs(m, "propagating_vgws") {
		d.open("item")
		d.text("gatewayId", g)
		d.close("item")
	}
	d.close("propagatingVgwSet")
	ec2Tags(d, m)
}

func renderInternetGateway(_ *handler, c *call, d *doc, m map[string]any) {
	d.text("internetGatewayId", str(m, "id"))
	d.text("ownerId", c.account)
	d.open("attachmentSet")
	if v := str(m, "vpc_id"); v != "" {
		d.open("item")
		d.text("vpcId", v)
		d.text("state", "available")
		d.close("item")
	}
	d.close("attachmentSet")
	ec2Tags(d, m)
}

func renderNatGateway(_ *handler, _ *call, d *doc, m map[string]any) {
	d.text("natGatewayId", str(m, "id"))
	d.text("subnetId", str(m, "subnet_id"))
	d.opt("vpcId", str(m, "vpc_id"))
	d.text("state", "available")
	ct := str(m, "connectivity_type")
	if ct == "" {
		ct = "public"
	}
	d.text("connectivityType", ct)
	d.text("createTime", "2024-01-01T00:00:00.000Z")
	d.open("natGatewayAddressSet")
	d.open("item")
	d.opt("allocationId", str(m, "allocation_id"))
	d.opt("associationId", str(m, "association_id"))
	d.opt("networkInterfaceId", str(m, "network_interface_id"))
	d.opt("privateIp", str(m, "private_ip"))
	d.opt("publicIp", str(m, "public_ip"))
	d.boolean("isPrimary", true)
	d.text("status", "succeeded")
	d.close("item")
	d.close("natGatewayAddressSet")
	ec2Tags(d, m)
}

func renderEIP(_ *handler, _ *call, d *doc, m map[string]any) {
	d.text("allocationId", str(m, "id"))
	domain := str(m, "domain")
	if domain == "" {
		domain = "vpc"
	}
	d.text("domain", domain)
	d.opt("publicIp", str(m, "public_ip"))
	d.opt("privateIpAddress", str(m, "private_ip"))
	d.opt("instanceId", str(m, "instance"))
	d.opt("networkInterfaceId", str(m, "network_interface"))
	d.opt("associationId", str(m, "association_id"))
	d.opt("publicIpv4Pool", str(m, "public_ipv4_pool"))
	d.opt("networkBorderGroup", str(m, "network_border_group"))
	ec2Tags(d, m)
}

func renderVolume(_ *handler, c *call, d *doc, m map[string]any) {
	id := str(m, "id")
	d.text("volumeId", id)
	d.text("volumeArn", fmt.Sprintf("arn:aws:ec2:%s:%s:volume/%s", c.region, c.account, id))
	d.text("availabilityZone", str(m, "availability_zone"))
	d.num("size", num(m, "size"))
	d.text("volumeType", str(m, "type"))
	if v := num(m, "iops"); v > 0 {
		d.num("iops", v)
	}
	if v := num(m, "throughput"); v > 0 {
		d.num("throughput", v)
	}
	d.boolean("encrypted", boolean(m, "encrypted"))
	d.opt("kmsKeyId", str(m, "kms_key_id"))
	d.opt("snapshotId", str(m, "snapshot_id"))
	d.boolean("multiAttachEnabled", boolean(m, "multi_attach_enabled"))
	d.opt("outpostArn", str(m, "outpost_arn"))
	d.text("status", "available")
	d.text("createTime", "2024-01-01T00:00:00.000Z")
	ec2Tags(d, m)
}

func renderNetworkACL(_ *handler, c *call, d *doc, m map[string]any) {
	d.text("networkAclId", str(m, "id"))
	d.text("vpcId", str(m, "vpc_id"))
	d.text("ownerId", c.account)
	d.boolean("default", false)
	d.open("entrySet")
	for _, dir := range []string{"ingress", "egress"} {
		for _, e := range list(m, dir) {
			entry := obj(e)
			d.open("item")
			d.num("ruleNumber", num(entry, "rule_no"))
			d.text("protocol", aclProtocol(str(entry, "protocol")))
			d.text("ruleAction", str(entry, "action"))
			d.boolean("egress", dir == "egress")
			d.opt("cidrBlock", str(entry, "cidr_block"))
			d.opt("ipv6CidrBlock", str(entry, "ipv6_cidr_block"))
			if p := str(entry, "protocol"); p != "-1" && p != "all" {
				d.open("portRange")
				d.num("from", num(entry, "from_port"))
				d.num("to", num(entry, "to_port"))
				d.close("portRange")
			}
			if p := aclProtocol(str(entry, "protocol")); p == "1" || p == "58" {
				d.open("icmpTypeCode")
				d.num("type", num(entry, "icmp_type"))
				d.num("code", num(entry, "icmp_code"))
				d.close("icmpTypeCode")
			}
			d.close("item")
		}
		// The default deny rule every ACL ends with.
		d.open("item")
		d.num("ruleNumber", 32767)
		d.text("protocol", "-1")
		d.text("ruleAction", "deny")
		d.boolean("egress", dir == "egress")
		d.text("cidrBlock", "0.0.0.0/0")
		d.close("item")
	}
	d.close("entrySet")
	d.open("associationSet")
	for i, s := range strs(m, "subnet_ids") {
		d.open("item")
		d.text("networkAclAssociationId", fmt.Sprintf("aclassoc-%08d", i))
		d.text("networkAclId", str(m, "id"))
		d.text("subnetId", s)
		d.close("item")
	}
	d.close("associationSet")
	ec2Tags(d, m)
}

// aclProtocol spells a protocol the way the network ACL API returns it: as
// its IANA number.
func aclProtocol(p string) string {
	switch p {
	case "tcp":
		return "6"
	case "udp":
		return "17"
	case "icmp":
		return "1"
	case "icmpv6":
		return "58"
	case "all":
		return "-1"
	}
	return p
}

func renderKeyPair(_ *handler, c *call, d *doc, m map[string]any) {
	d.text("keyName", str(m, "id"))
	d.opt("keyPairId", str(m, "key_pair_id"))
	d.opt("keyFingerprint", str(m, "fingerprint"))
	kt := str(m, "key_type")
	if kt == "" {
		kt = "rsa"
	}
	d.text("keyType", kt)
	if c.r.Form.Get("IncludePublicKey") == "true" {
		d.opt("publicKey", str(m, "public_key"))
	}
	d.text("createTime", "2024-01-01T00:00:00.000Z")
	ec2Tags(d, m)
}

func renderReservation(_ *handler, c *call, d *doc, m map[string]any) {
	id := str(m, "id")
	d.text("reservationId", "r-"+id[min(2, len(id)):])
	d.text("ownerId", c.account)
	d.open("instancesSet")
	d.open("item")
	d.text("instanceId", id)
	d.text("imageId", str(m, "ami"))
	d.text("instanceType", str(m, "instance_type"))
	d.open("instanceState")
	state := str(m, "instance_state")
	if state == "" {
		state = "running"
	}
	d.num("code", map[string]float64{"pending": 0, "running": 16, "stopped": 80, "terminated": 48}[state])
	d.text("name", state)
	d.close("instanceState")
	d.opt("keyName", str(m, "key_name"))
	d.opt("subnetId", str(m, "subnet_id"))
	d.opt("vpcId", str(m, "vpc_id"))
	d.opt("privateIpAddress", str(m, "private_ip"))
	d.opt("ipAddress", str(m, "public_ip"))
	d.open("placement")
	d.text("availabilityZone", str(m, "availability_zone"))
	tenancy := str(m, "tenancy")
	if tenancy == "" {
		tenancy = "default"
	}
	d.text("tenancy", tenancy)
	d.opt("groupName", str(m, "placement_group"))
	d.close("placement")
	d.open("monitoring")
	if boolean(m, "monitoring") {
		d.text("state", "enabled")
	} else {
		d.text("state", "disabled")
	}
	d.close("monitoring")
	d.boolean("ebsOptimized", boolean(m, "ebs_optimized"))
	sdc := true
	if v, ok := m["source_dest_check"].(bool); ok {
		sdc = v
	}
	d.boolean("sourceDestCheck", sdc)
	if p := str(m, "iam_instance_profile"); p != "" {
		d.open("iamInstanceProfile")
		d.text("arn", fmt.Sprintf("arn:aws:iam::%s:instance-profile/%s", c.account, p))
		d.text("id", "AIPA"+p)
		d.close("iamInstanceProfile")
	}
	d.open("groupSet")
	for _, g := range strs(m, "vpc_security_group_ids") {
		d.open("item")
		d.text("groupId", g)
		d.close("item")
	}
	d.close("groupSet")
	d.text("launchTime", "2024-01-01T00:00:00.000Z")
	ec2Tags(d, m)
	d.close("item")
	d.close("instancesSet")
}

func (h *handler) describeRegions(rw http.ResponseWriter, c *call) {
	set := map[string]string{}
	for _, r := range enabledRegions {
		set[r] = "opt-in-not-required"
	}
	for _, r := range h.w.All() {
		if r.Provider == "aws" && r.Region != "" && r.Account == c.account {
			set[r.Region] = "opt-in-not-required"
		}
	}
	if c.r.Form.Get("AllRegions") == "true" {
		for _, r := range optInRegions {
			if _, ok := set[r]; !ok {
				set[r] = "not-opted-in"
			}
		}
	}
	names := make([]string, 0, len(set))
	for r := range set {
		names = append(names, r)
	}
	sort.Strings(names)
	var d doc
	d.b.WriteString(`<DescribeRegionsResponse xmlns="` + ec2NS + `">`)
	d.text("requestId", h.w.NextID("req-"))
	d.open("regionInfo")
	for _, r := range names {
		d.open("item")
		d.text("regionName", r)
		d.text("regionEndpoint", "ec2."+r+".amazonaws.com")
		d.text("optInStatus", set[r])
		d.close("item")
	}
	d.close("regionInfo")
	d.close("DescribeRegionsResponse")
	writeXML(rw, http.StatusOK, d.b.String())
}
