package aws

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// listSecurityGroupRules emits every rule with an id (sgr-...) as
// aws_vpc_security_group_ingress_rule or _egress_rule. Rules a state
// manages inline on its aws_security_group are matched to that group by
// the drift engine's reconciliation, so listing all of them is right.
func (p *provider) listSecurityGroupRules(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeSecurityGroupRulesPaginator(c, &ec2.DescribeSecurityGroupRulesInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe security group rules: %w", err)
		}
		for _, r := range out.SecurityGroupRules {
			id := sv(r.SecurityGroupRuleId)
			arn := sv(r.SecurityGroupRuleArn)
			if arn == "" {
				arn = ec2ARN(s, "security-group-rule", id)
			}
			attrs := map[string]any{
				"arn":                          arn,
				"security_group_rule_id":       id,
				"security_group_id":            sv(r.GroupId),
				"ip_protocol":                  sv(r.IpProtocol),
				"from_port":                    nil,
				"to_port":                      nil,
				"cidr_ipv4":                    sv(r.CidrIpv4),
				"cidr_ipv6":                    sv(r.CidrIpv6),
				"prefix_list_id":               sv(r.PrefixListId),
				"referenced_security_group_id": "",
				"description":                  sv(r.Description),
			}
			// Terraform holds no ports for all-protocol rules (the API
			// says -1).
			if sv(r.IpProtocol) != "-1" {
				attrs["from_port"], attrs["to_port"] = i32(r.FromPort), i32(r.ToPort)
			}
			if g := r.ReferencedGroupInfo; g != nil {
				ref := sv(g.GroupId)
				if u := sv(g.UserId); u != "" && u != s.Account {
					ref = u + "/" + ref
				}
				attrs["referenced_security_group_id"] = ref
			}
			typ := "aws_vpc_security_group_ingress_rule"
			if bv(r.IsEgress) {
				typ = "aws_vpc_security_group_egress_rule"
			}
			emit(newResource(typ, id, s, attrs, ec2Tags(r.Tags)))
		}
	}
	return nil
}

func (p *provider) listVpcEndpoints(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := ec2.NewDescribeVpcEndpointsPaginator(c, &ec2.DescribeVpcEndpointsInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe vpc endpoints: %w", err)
		}
		for _, e := range out.VpcEndpoints {
			state := string(e.State)
			if state == "deleted" || state == "deleting" {
				continue
			}
			id := sv(e.VpcEndpointId)
			var sgs []string
			for _, g := range e.Groups {
				sgs = append(sgs, sv(g.GroupId))
			}
			dns := []any{}
			for _, d := range e.DnsEntries {
				dns = append(dns, map[string]any{"dns_name": sv(d.DnsName), "hosted_zone_id": sv(d.HostedZoneId)})
			}
			emit(newResource("aws_vpc_endpoint", id, s, map[string]any{
				"arn":                   ec2ARN(s, "vpc-endpoint", id),
				"vpc_id":                sv(e.VpcId),
				"service_name":          sv(e.ServiceName),
				"vpc_endpoint_type":     string(e.VpcEndpointType),
				"state":                 state,
				"policy":                sv(e.PolicyDocument),
				"route_table_ids":       sortedStrings(e.RouteTableIds),
				"subnet_ids":            sortedStrings(e.SubnetIds),
				"security_group_ids":    sortedStrings(sgs),
				"network_interface_ids": sortedStrings(e.NetworkInterfaceIds),
				"private_dns_enabled":   bv(e.PrivateDnsEnabled),
				"requester_managed":     bv(e.RequesterManaged),
				"ip_address_type":       string(e.IpAddressType),
				"dns_entry":             dns,
				"owner_id":              sv(e.OwnerId),
			}, ec2Tags(e.Tags)))
		}
	}
	return nil
}

func sortedStrings(ss []string) []any {
	cp := append([]string(nil), ss...)
	sort.Strings(cp)
	return anyStrings(cp)
}

// listLaunchTemplates reads the templates, then the data of every
// template's latest version in one paged call ($Latest without a template
// id lists the latest version of every template), which is the version
// the Terraform provider reads.
func (p *provider) listLaunchTemplates(ctx context.Context, c *ec2.Client, s discovery.Scope, emit func(resource.Resource)) error {
	var lts []types.LaunchTemplate
	pg := ec2.NewDescribeLaunchTemplatesPaginator(c, &ec2.DescribeLaunchTemplatesInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe launch templates: %w", err)
		}
		lts = append(lts, out.LaunchTemplates...)
	}
	if len(lts) == 0 {
		return nil
	}
	latest := map[string]types.LaunchTemplateVersion{}
	vp := ec2.NewDescribeLaunchTemplateVersionsPaginator(c, &ec2.DescribeLaunchTemplateVersionsInput{
		Versions: []string{"$Latest"}, MaxResults: p.pageSize()})
	for vp.HasMorePages() {
		out, err := vp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe launch template versions: %w", err)
		}
		for _, v := range out.LaunchTemplateVersions {
			latest[sv(v.LaunchTemplateId)] = v
		}
	}
	for _, lt := range lts {
		id := sv(lt.LaunchTemplateId)
		v := latest[id]
		attrs := launchTemplateData(v.LaunchTemplateData)
		attrs["arn"] = ec2ARN(s, "launch-template", id)
		attrs["name"] = sv(lt.LaunchTemplateName)
		attrs["description"] = sv(v.VersionDescription)
		attrs["default_version"] = i64(lt.DefaultVersionNumber)
		attrs["latest_version"] = i64(lt.LatestVersionNumber)
		emit(newResource("aws_launch_template", id, s, attrs, ec2Tags(lt.Tags)))
	}
	return nil
}

// launchTemplateData maps template data onto Terraform's attributes:
// absent blocks are empty lists, ebs_optimized and the EBS booleans are
// strings ("" when unset), as the provider stores them.
func launchTemplateData(d *types.ResponseLaunchTemplateData) map[string]any {
	if d == nil {
		d = &types.ResponseLaunchTemplateData{}
	}
	optBool := func(b *bool) string {
		if b == nil {
			return ""
		}
		return strconv.FormatBool(*b)
	}
	attrs := map[string]any{
		"image_id":                             sv(d.ImageId),
		"instance_type":                        string(d.InstanceType),
		"key_name":                             sv(d.KeyName),
		"user_data":                            sv(d.UserData),
		"kernel_id":                            sv(d.KernelId),
		"ram_disk_id":                          sv(d.RamDiskId),
		"vpc_security_group_ids":               sortedStrings(d.SecurityGroupIds),
		"security_group_names":                 sortedStrings(d.SecurityGroups),
		"ebs_optimized":                        optBool(d.EbsOptimized),
		"disable_api_termination":              bv(d.DisableApiTermination),
		"disable_api_stop":                     bv(d.DisableApiStop),
		"instance_initiated_shutdown_behavior": string(d.InstanceInitiatedShutdownBehavior),
		"iam_instance_profile":                 []any{},
		"monitoring":                           []any{},
		"metadata_options":                     []any{},
		"block_device_mappings":                []any{},
		"tag_specifications":                   []any{},
	}
	if p := d.IamInstanceProfile; p != nil {
		attrs["iam_instance_profile"] = []any{map[string]any{"arn": sv(p.Arn), "name": sv(p.Name)}}
	}
	if m := d.Monitoring; m != nil {
		attrs["monitoring"] = []any{map[string]any{"enabled": bv(m.Enabled)}}
	}
	if o := d.MetadataOptions; o != nil {
		attrs["metadata_options"] = []any{map[string]any{
			"http_endpoint":               string(o.HttpEndpoint),
			"http_tokens":                 string(o.HttpTokens),
			"http_put_response_hop_limit": i32(o.HttpPutResponseHopLimit),
			"http_protocol_ipv6":          string(o.HttpProtocolIpv6),
			"instance_metadata_tags":      string(o.InstanceMetadataTags),
		}}
	}
	bdms := []any{}
	for _, b := range d.BlockDeviceMappings {
		ebs := []any{}
		if e := b.Ebs; e != nil {
			ebs = append(ebs, map[string]any{
				"delete_on_termination": optBool(e.DeleteOnTermination),
				"encrypted":             optBool(e.Encrypted),
				"iops":                  i32(e.Iops),
				"throughput":            i32(e.Throughput),
				"volume_size":           i32(e.VolumeSize),
				"volume_type":           string(e.VolumeType),
				"kms_key_id":            sv(e.KmsKeyId),
				"snapshot_id":           sv(e.SnapshotId),
			})
		}
		bdms = append(bdms, map[string]any{"device_name": sv(b.DeviceName), "virtual_name": sv(b.VirtualName),
			"no_device": sv(b.NoDevice), "ebs": ebs})
	}
	attrs["block_device_mappings"] = bdms
	specs := []any{}
	for _, t := range d.TagSpecifications {
		tags := map[string]any{}
		for _, tg := range t.Tags {
			tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		specs = append(specs, map[string]any{"resource_type": string(t.ResourceType), "tags": tags})
	}
	attrs["tag_specifications"] = specs
	return attrs
}
