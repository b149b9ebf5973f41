package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// route53Listers: Route 53 is global, listed once per account. Zones and
// their records are read by one lister so the zones are listed once.
func (p *provider) route53Listers() []discovery.Lister {
	newClient := func(cfg aws.Config) *route53.Client { return route53.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "route53", true, []string{"aws_route53_zone", "aws_route53_record"}, newClient, p.listHostedZones),
	}
}

// zoneID strips the "/hostedzone/" prefix Route 53 answers ids with:
// Terraform holds the bare id.
func zoneID(id *string) string { return strings.TrimPrefix(sv(id), "/hostedzone/") }

// dnsName spells a name the way the Terraform provider stores it: lower
// case, without the trailing dot, with the octal escapes Route 53 answers
// for "*" and other characters turned back into the characters.
func dnsName(s string) string {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// listHostedZones emits aws_route53_zone (details from GetHostedZone,
// tags from ListTagsForResources in tens) and every zone's records.
func (p *provider) listHostedZones(ctx context.Context, c *route53.Client, s discovery.Scope, emit func(resource.Resource)) error {
	var zones []types.HostedZone
	pg := route53.NewListHostedZonesPaginator(c, &route53.ListHostedZonesInput{MaxItems: p.boundedPage(1, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list hosted zones: %w", err)
		}
		zones = append(zones, out.HostedZones...)
	}
	tags := map[string]map[string]string{}
	for lo := 0; lo < len(zones); lo += 10 {
		var ids []string
		for _, z := range zones[lo:min(lo+10, len(zones))] {
			ids = append(ids, zoneID(z.Id))
		}
		out, err := c.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{
			ResourceType: types.TagResourceTypeHostedzone, ResourceIds: ids})
		if err != nil {
			return fmt.Errorf("list tags of hosted zones: %w", err)
		}
		for _, ts := range out.ResourceTagSets {
			t := map[string]string{}
			for _, x := range ts.Tags {
				t[sv(x.Key)] = sv(x.Value)
			}
			tags[sv(ts.ResourceId)] = t
		}
	}
	for _, z := range zones {
		id := zoneID(z.Id)
		got, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
		if err != nil {
			return fmt.Errorf("get hosted zone %s: %w", id, err)
		}
		vpcs := []any{}
		for _, v := range got.VPCs {
			vpcs = append(vpcs, map[string]any{"vpc_id": sv(v.VPCId), "vpc_region": string(v.VPCRegion)})
		}
		var servers []string
		delegation := ""
		if ds := got.DelegationSet; ds != nil {
			servers = ds.NameServers
			delegation = strings.TrimPrefix(sv(ds.Id), "/delegationset/")
		}
		primary := ""
		if len(servers) > 0 {
			primary = servers[0]
		}
		comment := ""
		if z.Config != nil {
			comment = sv(z.Config.Comment)
		}
		emit(newResource("aws_route53_zone", id, s, map[string]any{
			"arn":                 "arn:aws:route53:::hostedzone/" + id,
			"zone_id":             id,
			"name":                dnsName(sv(z.Name)),
			"comment":             comment,
			"delegation_set_id":   delegation,
			"name_servers":        sortedStrings(servers),
			"primary_name_server": primary,
			"vpc":                 vpcs,
		}, tags[id]))
		apex := apexDefaults{name: dnsName(sv(z.Name)), private: z.Config != nil && z.Config.PrivateZone,
			nameServers: map[string]bool{}}
		for _, ns := range servers {
			apex.nameServers[dnsName(ns)] = true
		}
		if err := p.listRecordSets(ctx, c, s, id, apex, emit); err != nil {
			return err
		}
	}
	return nil
}

// apexDefaults describes the records Route 53 creates with a zone: the
// SOA and the NS record at its apex naming its own name servers (any NS
// record at the apex of a private zone).
type apexDefaults struct {
	name        string
	private     bool
	nameServers map[string]bool
}

// created reports whether rs is one of those records, unchanged. Like
// driftctl, the lister leaves them out: every zone has them, few states
// do, and listing them would report two UNMANAGED records per zone. An
// apex NS record pointed elsewhere is listed.
func (a apexDefaults) created(rs types.ResourceRecordSet) bool {
	if dnsName(sv(rs.Name)) != a.name || sv(rs.SetIdentifier) != "" {
		return false
	}
	switch rs.Type {
	case types.RRTypeSoa:
		return true
	case types.RRTypeNs:
		if a.private {
			return true
		}
		for _, r := range rs.ResourceRecords {
			if !a.nameServers[dnsName(sv(r.Value))] {
				return false
			}
		}
		return len(rs.ResourceRecords) == len(a.nameServers)
	}
	return false
}

// listRecordSets emits aws_route53_record with the provider's id
// ZONEID_NAME_TYPE[_SETIDENTIFIER]. Records carry no tags.
func (p *provider) listRecordSets(ctx context.Context, c *route53.Client, s discovery.Scope, zone string, apex apexDefaults,
	emit func(resource.Resource)) error {
	pg := route53.NewListResourceRecordSetsPaginator(c, &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(zone), MaxItems: p.boundedPage(1, 300)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list record sets of zone %s: %w", zone, err)
		}
		for _, rs := range out.ResourceRecordSets {
			if apex.created(rs) {
				continue
			}
			name, typ, set := dnsName(sv(rs.Name)), string(rs.Type), sv(rs.SetIdentifier)
			id := zone + "_" + name + "_" + typ
			if set != "" {
				id += "_" + set
			}
			var records []string
			for _, r := range rs.ResourceRecords {
				v := sv(r.Value)
				if rs.Type == types.RRTypeTxt || rs.Type == types.RRTypeSpf {
					v = txtValue(v)
				}
				records = append(records, v)
			}
			alias := []any{}
			if a := rs.AliasTarget; a != nil {
				alias = append(alias, map[string]any{"name": dnsName(sv(a.DNSName)), "zone_id": sv(a.HostedZoneId),
					"evaluate_target_health": a.EvaluateTargetHealth})
			}
			weighted, latency, failover := []any{}, []any{}, []any{}
			if rs.Weight != nil {
				weighted = append(weighted, map[string]any{"weight": i64(rs.Weight)})
			}
			if rs.Region != "" {
				latency = append(latency, map[string]any{"region": string(rs.Region)})
			}
			if rs.Failover != "" {
				failover = append(failover, map[string]any{"type": string(rs.Failover)})
			}
			r := newResource("aws_route53_record", id, s, map[string]any{
				"zone_id":                          zone,
				"name":                             name,
				"fqdn":                             name,
				"type":                             typ,
				"ttl":                              i64(rs.TTL),
				"records":                          sortedStrings(records),
				"set_identifier":                   set,
				"alias":                            alias,
				"health_check_id":                  sv(rs.HealthCheckId),
				"weighted_routing_policy":          weighted,
				"latency_routing_policy":           latency,
				"failover_routing_policy":          failover,
				"multivalue_answer_routing_policy": bv(rs.MultiValueAnswer),
			}, nil)
			delete(r.Attrs, "tags")
			emit(r)
		}
	}
	return nil
}

// txtValue undoes Route 53's quoting of TXT values the way the provider
// does: the outer quotes go, and 255-character chunks ("a""b") join.
func txtValue(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.ReplaceAll(s[1:len(s)-1], `""`, "")
	}
	return s
}
