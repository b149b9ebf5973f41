package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) ec2Listers() []discovery.Lister {
	l := func(types []string, f func(context.Context, *ec2.Client, discovery.Scope, func(resource.Resource)) error) discovery.Lister {
		return &lister{service: "ec2", types: types, list: func(ctx context.Context, s discovery.Scope, emit func(resource.Resource)) error {
			cfg, err := p.cfg(s)
			if err != nil {
				return err
			}
			return f(ctx, ec2.NewFromConfig(cfg), s, emit)
		}}
	}
	return []discovery.Lister{
		l([]string{"aws_security_group"}, p.listSecurityGroups),
		l([]string{"aws_instance"}, p.listInstances),
		l([]string{"aws_vpc", "aws_default_vpc"}, p.listVpcs),
		l([]string{"aws_subnet"}, p.listSubnets),
		l([]string{"aws_route_table"}, p.listRouteTables),
		l([]string{"aws_internet_gateway"}, p.listInternetGateways),
		l([]string{"aws_nat_gateway"}, p.listNatGateways),
		l([]string{"aws_eip"}, p.listEIPs),
		l([]string{"aws_ebs_volume"}, p.listVolumes),
		l([]string{"aws_network_acl", "aws_default_network_acl"}, p.listNetworkACLs),
		l([]string{"aws_key_pair"}, p.listKeyPairs),
		l([]string{"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"}, p.listSecurityGroupRules),
		l([]string{"aws_vpc_endpoint"}, p.listVpcEndpoints),
		l([]string{"aws_launch_template"}, p.listLaunchTemplates),
	}
}

func ec2Tags(ts []types.Tag) map[string]string {
	out := make(map[string]string, len(ts))
	for _, t := range ts {
		out[sv(t.Key)] = sv(t.Value)
	}
	return out
}

func ec2ARN(s discovery.Scope, kind, id string) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:%s/%s", s.Region, s.Account, kind, id)
}

func (p *provider) listSecurityGroups(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe security groups: %w", err)
		}
		for _, g := range out.SecurityGroups {
			id := sv(g.GroupId)
			arn := sv(g.SecurityGroupArn)
			if arn == "" {
				arn = ec2ARN(s, "security-group", id)
			}
			emit(newResource("aws_security_group", id, s, map[string]any{
				"arn":         arn,
				"name":        sv(g.GroupName),
				"description": sv(g.Description),
				"vpc_id":      sv(g.VpcId),
				"owner_id":    sv(g.OwnerId),
				"ingress":     sgRules(g.IpPermissions, id, s.Account),
				"egress":      sgRules(g.IpPermissionsEgress, id, s.Account),
			}, ec2Tags(g.Tags)))
		}
	}
	return nil
}

// sgRules flattens IpPermissions the way the Terraform provider does: one
// rule per permission and description, since a Terraform rule block has
// one description for all its sources.
func sgRules(perms []types.IpPermission, self, account string) []any {
	rules := []any{}
	for _, perm := range perms {
		byDesc := map[string]map[string]any{}
		var order []string
		rule := func(desc *string) map[string]any {
			d := sv(desc)
			r, ok := byDesc[d]
			if !ok {
				r = map[string]any{
					"protocol": sv(perm.IpProtocol), "from_port": i32(perm.FromPort), "to_port": i32(perm.ToPort),
					"cidr_blocks": []any{}, "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{},
					"security_groups": []any{}, "self": false, "description": d,
				}
				byDesc[d] = r
				order = append(order, d)
			}
			return r
		}
		appendTo := func(r map[string]any, k, v string) { r[k] = append(r[k].([]any), v) }
		for _, x := range perm.IpRanges {
			appendTo(rule(x.Description), "cidr_blocks", sv(x.CidrIp))
		}
		for _, x := range perm.Ipv6Ranges {
			appendTo(rule(x.Description), "ipv6_cidr_blocks", sv(x.CidrIpv6))
		}
		for _, x := range perm.PrefixListIds {
			appendTo(rule(x.Description), "prefix_list_ids", sv(x.PrefixListId))
		}
		for _, x := range perm.UserIdGroupPairs {
			r := rule(x.Description)
			g := sv(x.GroupId)
			switch {
			case g == self:
				r["self"] = true
			case x.UserId != nil && *x.UserId != account:
				appendTo(r, "security_groups", *x.UserId+"/"+g)
			default:
				appendTo(r, "security_groups", g)
			}
		}
		if len(order) == 0 {
			rule(nil)
		}
		for _, d := range order {
			rules = append(rules, byDesc[d])
		}
	}
	return rules
}

func (p *provider) listInstances(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe instances: %w", err)
		}
		for _, res := range out.Reservations {
			for _, in := range res.Instances {
				state := ""
				if in.State != nil {
					state = string(in.State.Name)
				}
				if state == "terminated" || state == "shutting-down" {
					continue
				}
				id := sv(in.InstanceId)
				var sgs []string
				for _, g := range in.SecurityGroups {
					sgs = append(sgs, sv(g.GroupId))
				}
				attrs := map[string]any{
					"arn":                    ec2ARN(s, "instance", id),
					"ami":                    sv(in.ImageId),
					"instance_type":          string(in.InstanceType),
					"key_name":               sv(in.KeyName),
					"subnet_id":              sv(in.SubnetId),
					"private_ip":             sv(in.PrivateIpAddress),
					"public_ip":              sv(in.PublicIpAddress),
					"vpc_security_group_ids": anyStrings(sgs),
					"ebs_optimized":          bv(in.EbsOptimized),
					"source_dest_check":      bv(in.SourceDestCheck),
					"instance_state":         state,
					"monitoring":             in.Monitoring != nil && in.Monitoring.State == types.MonitoringStateEnabled,
				}
				if pl := in.Placement; pl != nil {
					attrs["availability_zone"] = sv(pl.AvailabilityZone)
					attrs["tenancy"] = string(pl.Tenancy)
					attrs["placement_group"] = sv(pl.GroupName)
				}
				profile := ""
				if in.IamInstanceProfile != nil {
					arn := sv(in.IamInstanceProfile.Arn)
					profile = arn[strings.LastIndexByte(arn, '/')+1:]
				}
				attrs["iam_instance_profile"] = profile
				emit(newResource("aws_instance", id, s, attrs, ec2Tags(in.Tags)))
			}
		}
	}
	return nil
}

func (p *provider) listVpcs(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe vpcs: %w", err)
		}
		for _, v := range out.Vpcs {
			id := sv(v.VpcId)
			attrs := map[string]any{
				"arn":              ec2ARN(s, "vpc", id),
				"cidr_block":       sv(v.CidrBlock),
				"instance_tenancy": string(v.InstanceTenancy),
				"dhcp_options_id":  sv(v.DhcpOptionsId),
				"owner_id":         sv(v.OwnerId),
				"ipv6_cidr_block":  "",
			}
			for _, a := range v.Ipv6CidrBlockAssociationSet {
				attrs["ipv6_cidr_block"] = sv(a.Ipv6CidrBlock)
			}
			for _, a := range []types.VpcAttributeName{types.VpcAttributeNameEnableDnsSupport, types.VpcAttributeNameEnableDnsHostnames} {
				res, err := c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: v.VpcId, Attribute: a})
				if err != nil {
					return fmt.Errorf("describe vpc attribute %s of %s: %w", a, id, err)
				}
				if a == types.VpcAttributeNameEnableDnsSupport {
					attrs["enable_dns_support"] = res.EnableDnsSupport != nil && bv(res.EnableDnsSupport.Value)
				} else {
					attrs["enable_dns_hostnames"] = res.EnableDnsHostnames != nil && bv(res.EnableDnsHostnames.Value)
				}
			}
			typ := "aws_vpc"
			if bv(v.IsDefault) {
				typ = "aws_default_vpc"
			}
			emit(newResource(typ, id, s, attrs, ec2Tags(v.Tags)))
		}
	}
	return nil
}

func (p *provider) listSubnets(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe subnets: %w", err)
		}
		for _, n := range out.Subnets {
			id := sv(n.SubnetId)
			arn := sv(n.SubnetArn)
			if arn == "" {
				arn = ec2ARN(s, "subnet", id)
			}
			attrs := map[string]any{
				"arn":                             arn,
				"vpc_id":                          sv(n.VpcId),
				"cidr_block":                      sv(n.CidrBlock),
				"availability_zone":               sv(n.AvailabilityZone),
				"availability_zone_id":            sv(n.AvailabilityZoneId),
				"map_public_ip_on_launch":         bv(n.MapPublicIpOnLaunch),
				"assign_ipv6_address_on_creation": bv(n.AssignIpv6AddressOnCreation),
				"owner_id":                        sv(n.OwnerId),
				"ipv6_cidr_block":                 "",
			}
			for _, a := range n.Ipv6CidrBlockAssociationSet {
				attrs["ipv6_cidr_block"] = sv(a.Ipv6CidrBlock)
			}
			emit(newResource("aws_subnet", id, s, attrs, ec2Tags(n.Tags)))
		}
	}
	return nil
}

func (p *provider) listRouteTables(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeRouteTablesPaginator(c, &ec2.DescribeRouteTablesInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe route tables: %w", err)
		}
		for _, t := range out.RouteTables {
			id := sv(t.RouteTableId)
			routes := []any{}
			for _, r := range t.Routes {
				// Terraform leaves out the local route and propagated ones.
				if sv(r.GatewayId) == "local" || r.Origin == types.RouteOriginCreateRouteTable ||
					r.Origin == types.RouteOriginEnableVgwRoutePropagation {
					continue
				}
				gw, vpce := sv(r.GatewayId), ""
				if strings.HasPrefix(gw, "vpce-") {
					gw, vpce = "", gw
				}
				routes = append(routes, map[string]any{
					"cidr_block":                 sv(r.DestinationCidrBlock),
					"ipv6_cidr_block":            sv(r.DestinationIpv6CidrBlock),
					"destination_prefix_list_id": sv(r.DestinationPrefixListId),
					"gateway_id":                 gw,
					"vpc_endpoint_id":            vpce,
					"nat_gateway_id":             sv(r.NatGatewayId),
					"network_interface_id":       sv(r.NetworkInterfaceId),
					"transit_gateway_id":         sv(r.TransitGatewayId),
					"vpc_peering_connection_id":  sv(r.VpcPeeringConnectionId),
					"egress_only_gateway_id":     sv(r.EgressOnlyInternetGatewayId),
					"carrier_gateway_id":         sv(r.CarrierGatewayId),
					"local_gateway_id":           sv(r.LocalGatewayId),
					"core_network_arn":           sv(r.CoreNetworkArn),
				})
			}
			var vgws []string
			for _, v := range t.PropagatingVgws {
				vgws = append(vgws, sv(v.GatewayId))
			}
			emit(newResource("aws_route_table", id, s, map[string]any{
				"arn":              ec2ARN(s, "route-table", id),
				"vpc_id":           sv(t.VpcId),
				"owner_id":         sv(t.OwnerId),
				"route":            routes,
				"propagating_vgws": anyStrings(vgws),
			}, ec2Tags(t.Tags)))
		}
	}
	return nil
}

func (p *provider) listInternetGateways(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeInternetGatewaysPaginator(c, &ec2.DescribeInternetGatewaysInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe internet gateways: %w", err)
		}
		for _, g := range out.InternetGateways {
			id := sv(g.InternetGatewayId)
			vpc := ""
			if len(g.Attachments) > 0 {
				vpc = sv(g.Attachments[0].VpcId)
			}
			emit(newResource("aws_internet_gateway", id, s, map[string]any{
				"arn": ec2ARN(s, "internet-gateway", id), "vpc_id": vpc, "owner_id": sv(g.OwnerId),
			}, ec2Tags(g.Tags)))
		}
	}
	return nil
}

func (p *provider) listNatGateways(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeNatGatewaysPaginator(c, &ec2.DescribeNatGatewaysInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe nat gateways: %w", err)
		}
		for _, g := range out.NatGateways {
			if g.State == types.NatGatewayStateDeleted || g.State == types.NatGatewayStateDeleting {
				continue
			}
			attrs := map[string]any{
				"subnet_id":         sv(g.SubnetId),
				"connectivity_type": string(g.ConnectivityType),
			}
			for _, a := range g.NatGatewayAddresses {
				if !bv(a.IsPrimary) && len(g.NatGatewayAddresses) > 1 {
					continue
				}
				attrs["allocation_id"] = sv(a.AllocationId)
				attrs["association_id"] = sv(a.AssociationId)
				attrs["network_interface_id"] = sv(a.NetworkInterfaceId)
				attrs["private_ip"] = sv(a.PrivateIp)
				attrs["public_ip"] = sv(a.PublicIp)
			}
			emit(newResource("aws_nat_gateway", sv(g.NatGatewayId), s, attrs, ec2Tags(g.Tags)))
		}
	}
	return nil
}

// listEIPs reads DescribeAddresses, which does not page.
func (p *provider) listEIPs(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	out, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return fmt.Errorf("describe addresses: %w", err)
	}
	for _, a := range out.Addresses {
		id := sv(a.AllocationId)
		emit(newResource("aws_eip", id, s, map[string]any{
			"allocation_id":        id,
			"domain":               string(a.Domain),
			"public_ip":            sv(a.PublicIp),
			"private_ip":           sv(a.PrivateIpAddress),
			"instance":             sv(a.InstanceId),
			"network_interface":    sv(a.NetworkInterfaceId),
			"association_id":       sv(a.AssociationId),
			"public_ipv4_pool":     sv(a.PublicIpv4Pool),
			"network_border_group": sv(a.NetworkBorderGroup),
		}, ec2Tags(a.Tags)))
	}
	return nil
}

func (p *provider) listVolumes(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeVolumesPaginator(c, &ec2.DescribeVolumesInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe volumes: %w", err)
		}
		for _, v := range out.Volumes {
			id := sv(v.VolumeId)
			emit(newResource("aws_ebs_volume", id, s, map[string]any{
				"arn":                  ec2ARN(s, "volume", id),
				"availability_zone":    sv(v.AvailabilityZone),
				"size":                 i32(v.Size),
				"type":                 string(v.VolumeType),
				"iops":                 i32(v.Iops),
				"throughput":           i32(v.Throughput),
				"encrypted":            bv(v.Encrypted),
				"kms_key_id":           sv(v.KmsKeyId),
				"snapshot_id":          sv(v.SnapshotId),
				"multi_attach_enabled": bv(v.MultiAttachEnabled),
				"outpost_arn":          sv(v.OutpostArn),
			}, ec2Tags(v.Tags)))
		}
	}
	return nil
}

func (p *provider) listNetworkACLs(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeNetworkAclsPaginator(c, &ec2.DescribeNetworkAclsInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe network acls: %w", err)
		}
		for _, a := range out.NetworkAcls {
			id := sv(a.NetworkAclId)
			ingress, egress := []any{}, []any{}
			for _, e := range a.Entries {
				if i32(e.RuleNumber) == 32767 {
					continue // the implicit default deny Terraform does not hold
				}
				entry := map[string]any{
					"rule_no": i32(e.RuleNumber), "action": string(e.RuleAction), "protocol": sv(e.Protocol),
					"cidr_block": sv(e.CidrBlock), "ipv6_cidr_block": sv(e.Ipv6CidrBlock),
					"from_port": float64(0), "to_port": float64(0), "icmp_type": float64(0), "icmp_code": float64(0),
				}
				if e.PortRange != nil {
					entry["from_port"], entry["to_port"] = i32(e.PortRange.From), i32(e.PortRange.To)
				}
				if e.IcmpTypeCode != nil {
					entry["icmp_type"], entry["icmp_code"] = i32(e.IcmpTypeCode.Type), i32(e.IcmpTypeCode.Code)
				}
				if bv(e.Egress) {
					egress = append(egress, entry)
				} else {
					ingress = append(ingress, entry)
				}
			}
			var subnets []string
			for _, as := range a.Associations {
				subnets = append(subnets, sv(as.SubnetId))
			}
			typ := "aws_network_acl"
			if bv(a.IsDefault) {
				typ = "aws_default_network_acl"
			}
			emit(newResource(typ, id, s, map[string]any{
				"arn":        ec2ARN(s, "network-acl", id),
				"vpc_id":     sv(a.VpcId),
				"owner_id":   sv(a.OwnerId),
				"subnet_ids": anyStrings(subnets),
				"ingress":    ingress,
				"egress":     egress,
			}, ec2Tags(a.Tags)))
		}
	}
	return nil
}

// listKeyPairs reads DescribeKeyPairs, which does not page.
func (p *provider) listKeyPairs(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	include := true
	out, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{IncludePublicKey: &include})
	if err != nil {
		return fmt.Errorf("describe key pairs: %w", err)
	}
	for _, k := range out.KeyPairs {
		name := sv(k.KeyName)
		emit(newResource("aws_key_pair", name, s, map[string]any{
			"arn":         fmt.Sprintf("arn:aws:ec2:%s:%s:key-pair/%s", s.Region, s.Account, name),
			"key_name":    name,
			"key_pair_id": sv(k.KeyPairId),
			"key_type":    string(k.KeyType),
			"fingerprint": sv(k.KeyFingerprint),
			"public_key":  sv(k.PublicKey),
		}, ec2Tags(k.Tags)))
	}
	return nil
}
