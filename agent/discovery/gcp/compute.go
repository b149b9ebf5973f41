package gcp

import (
	"context"
	"sort"

	compute "google.golang.org/api/compute/v1"

	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) computeListers() []*lister {
	return []*lister{
		{p: p, service: "compute", types: []string{"google_compute_firewall"}, list: p.listFirewalls},
		{p: p, service: "compute", types: []string{"google_compute_network"}, list: p.listNetworks},
		{p: p, service: "compute", types: []string{"google_compute_subnetwork"}, list: p.listSubnetworks},
		{p: p, service: "compute", types: []string{"google_compute_instance"}, list: p.listInstances},
		{p: p, service: "compute", types: []string{"google_compute_disk"}, list: p.listDisks},
		{p: p, service: "compute", types: []string{"google_compute_address"}, list: p.listAddresses},
		{p: p, service: "compute", types: []string{"google_compute_router"}, list: p.listRouters},
	}
}

func (p *provider) computeService(ctx context.Context) (*compute.Service, error) {
	opts, err := p.clientOptions(ctx, "compute")
	if err != nil {
		return nil, err
	}
	return compute.NewService(ctx, opts...)
}

func (p *provider) listFirewalls(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.computeService(ctx)
	if err != nil {
		return err
	}
	call := svc.Firewalls.List(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *compute.FirewallList) error {
		for _, f := range l.Items {
			emit(firewall(project, f))
		}
		return nil
	})
}

func firewall(project string, f *compute.Firewall) resource.Resource {
	id := "projects/" + project + "/global/firewalls/" + f.Name
	rules := func(protos []string, ports [][]string) []any {
		out := make([]any, 0, len(protos))
		for i := range protos {
			out = append(out, map[string]any{"protocol": protos[i], "ports": strs(ports[i])})
		}
		return out
	}
	var ap, dp []string
	var aports, dports [][]string
	for _, a := range f.Allowed {
		ap, aports = append(ap, a.IPProtocol), append(aports, a.Ports)
	}
	for _, d := range f.Denied {
		dp, dports = append(dp, d.IPProtocol), append(dports, d.Ports)
	}
	var logCfg []any
	if f.LogConfig != nil && f.LogConfig.Enable {
		logCfg = list(map[string]any{"metadata": f.LogConfig.Metadata})
	} else {
		logCfg = []any{}
	}
	return resource.Resource{Provider: "google", Type: "google_compute_firewall", ID: id, Account: project,
		Attrs: map[string]any{
			"id": id, "name": f.Name, "project": project, "network": f.Network, "description": f.Description,
			"direction": f.Direction, "priority": float64(f.Priority), "disabled": f.Disabled,
			"source_ranges": sortedStrs(f.SourceRanges), "destination_ranges": sortedStrs(f.DestinationRanges),
			"source_tags": sortedStrs(f.SourceTags), "target_tags": sortedStrs(f.TargetTags),
			"source_service_accounts": sortedStrs(f.SourceServiceAccounts),
			"target_service_accounts": sortedStrs(f.TargetServiceAccounts),
			"allow":                   rules(ap, aports), "deny": rules(dp, dports), "log_config": logCfg,
			"self_link": f.SelfLink, "creation_timestamp": f.CreationTimestamp,
		}}
}

func (p *provider) listNetworks(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.computeService(ctx)
	if err != nil {
		return err
	}
	call := svc.Networks.List(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *compute.NetworkList) error {
		for _, n := range l.Items {
			id := "projects/" + project + "/global/networks/" + n.Name
			routing := ""
			if n.RoutingConfig != nil {
				routing = n.RoutingConfig.RoutingMode
			}
			emit(resource.Resource{Provider: "google", Type: "google_compute_network", ID: id, Account: project,
				Attrs: map[string]any{
					"id": id, "name": n.Name, "project": project, "description": n.Description,
					"auto_create_subnetworks": n.AutoCreateSubnetworks, "routing_mode": routing,
					"mtu": float64(n.Mtu), "gateway_ipv4": n.GatewayIPv4, "self_link": n.SelfLink,
					"network_firewall_policy_enforcement_order": n.NetworkFirewallPolicyEnforcementOrder,
				}})
		}
		return nil
	})
}

func (p *provider) listSubnetworks(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.computeService(ctx)
	if err != nil {
		return err
	}
	call := svc.Subnetworks.AggregatedList(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *compute.SubnetworkAggregatedList) error {
		for _, key := range sortedKeys(l.Items) {
			for _, s := range l.Items[key].Subnetworks {
				region := last(s.Region)
				id := "projects/" + project + "/regions/" + region + "/subnetworks/" + s.Name
				ranges := []any{}
				for _, r := range s.SecondaryIpRanges {
					ranges = append(ranges, map[string]any{"range_name": r.RangeName, "ip_cidr_range": r.IpCidrRange})
				}
				emit(resource.Resource{Provider: "google", Type: "google_compute_subnetwork", ID: id, Account: project, Region: region,
					Attrs: map[string]any{
						"id": id, "name": s.Name, "project": project, "region": region, "network": s.Network,
						"description": s.Description, "ip_cidr_range": s.IpCidrRange,
						"private_ip_google_access": s.PrivateIpGoogleAccess, "gateway_address": s.GatewayAddress,
						"purpose": s.Purpose, "stack_type": s.StackType, "secondary_ip_range": ranges,
						"self_link": s.SelfLink, "creation_timestamp": s.CreationTimestamp,
					}})
			}
		}
		return nil
	})
}

func (p *provider) listAddresses(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.computeService(ctx)
	if err != nil {
		return err
	}
	call := svc.Addresses.AggregatedList(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *compute.AddressAggregatedList) error {
		for _, key := range sortedKeys(l.Items) {
			for _, a := range l.Items[key].Addresses {
				if a.Region == "" {
					continue // global addresses are google_compute_global_address
				}
				region := last(a.Region)
				id := "projects/" + project + "/regions/" + region + "/addresses/" + a.Name
				emit(resource.Resource{Provider: "google", Type: "google_compute_address", ID: id, Account: project, Region: region,
					Tags: tags(a.Labels),
					Attrs: map[string]any{
						"id": id, "name": a.Name, "project": project, "region": region, "address": a.Address,
						"address_type": a.AddressType, "network_tier": a.NetworkTier, "purpose": a.Purpose,
						"description": a.Description, "subnetwork": a.Subnetwork, "network": a.Network,
						"prefix_length": float64(a.PrefixLength), "labels": labels(a.Labels), "users": strs(a.Users),
						"self_link": a.SelfLink, "creation_timestamp": a.CreationTimestamp,
					}})
			}
		}
		return nil
	})
}

func (p *provider) listRouters(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.computeService(ctx)
	if err != nil {
		return err
	}
	call := svc.Routers.AggregatedList(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *compute.RouterAggregatedList) error {
		for _, key := range sortedKeys(l.Items) {
			for _, r := range l.Items[key].Routers {
				region := last(r.Region)
				id := "projects/" + project + "/regions/" + region + "/routers/" + r.Name
				bgp := []any{}
				if b := r.Bgp; b != nil {
					ranges := []any{}
					for _, ar := range b.AdvertisedIpRanges {
						ranges = append(ranges, map[string]any{"range": ar.Range, "description": ar.Description})
					}
					bgp = list(map[string]any{"asn": float64(b.Asn), "advertise_mode": b.AdvertiseMode,
						"advertised_groups": strs(b.AdvertisedGroups), "advertised_ip_ranges": ranges,
						"keepalive_interval": float64(b.KeepaliveInterval)})
				}
				emit(resource.Resource{Provider: "google", Type: "google_compute_router", ID: id, Account: project, Region: region,
					Attrs: map[string]any{
						"id": id, "name": r.Name, "project": project, "region": region, "network": r.Network,
						"description": r.Description, "bgp": bgp,
						"encrypted_interconnect_router": r.EncryptedInterconnectRouter,
						"self_link":                     r.SelfLink, "creation_timestamp": r.CreationTimestamp,
					}})
			}
		}
		return nil
	})
}

// allDisks lists every zonal disk of a project, for the disk lister and
// for the boot disks' initialize_params, which Terraform reads from the
// disk an instance boots from.
func (p *provider) allDisks(ctx context.Context, svc *compute.Service, project string, each func(*compute.Disk)) error {
	call := svc.Disks.AggregatedList(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *compute.DiskAggregatedList) error {
		for _, key := range sortedKeys(l.Items) {
			for _, d := range l.Items[key].Disks {
				if d.Zone != "" {
					each(d)
				}
			}
		}
		return nil
	})
}

func (p *provider) listDisks(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.computeService(ctx)
	if err != nil {
		return err
	}
	// Terraform manages a disk an instance created for itself as the
	// instance's boot_disk, not as a google_compute_disk: listing it
	// again would report it UNMANAGED.
	boot := map[string]bool{}
	call := svc.Instances.AggregatedList(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	if err := call.Pages(ctx, func(l *compute.InstanceAggregatedList) error {
		for _, key := range sortedKeys(l.Items) {
			for _, in := range l.Items[key].Instances {
				for _, d := range in.Disks {
					if d.Boot && d.AutoDelete {
						boot[d.Source] = true
					}
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return p.allDisks(ctx, svc, project, func(d *compute.Disk) {
		if boot[d.SelfLink] {
			return
		}
		zone := last(d.Zone)
		id := "projects/" + project + "/zones/" + zone + "/disks/" + d.Name
		emit(resource.Resource{Provider: "google", Type: "google_compute_disk", ID: id, Account: project,
			Region: zoneRegion(zone), Tags: tags(d.Labels),
			Attrs: map[string]any{
				"id": id, "name": d.Name, "project": project, "zone": zone, "type": last(d.Type),
				"size": float64(d.SizeGb), "image": d.SourceImage, "snapshot": d.SourceSnapshot,
				"description": d.Description, "labels": labels(d.Labels), "users": strs(d.Users),
				"physical_block_size_bytes": float64(d.PhysicalBlockSizeBytes),
				"provisioned_iops":          float64(d.ProvisionedIops),
				"self_link":                 d.SelfLink, "creation_timestamp": d.CreationTimestamp,
			}})
	})
}

func (p *provider) listInstances(ctx context.Context, project string, emit func(resource.Resource)) error {
	svc, err := p.computeService(ctx)
	if err != nil {
		return err
	}
	disks := map[string]*compute.Disk{}
	if err := p.allDisks(ctx, svc, project, func(d *compute.Disk) { disks[d.SelfLink] = d }); err != nil {
		return err
	}
	call := svc.Instances.AggregatedList(project)
	if p.opts.PageSize > 0 {
		call.MaxResults(p.opts.PageSize)
	}
	return call.Pages(ctx, func(l *compute.InstanceAggregatedList) error {
		for _, key := range sortedKeys(l.Items) {
			for _, in := range l.Items[key].Instances {
				emit(instance(project, in, disks))
			}
		}
		return nil
	})
}

func instance(project string, in *compute.Instance, disks map[string]*compute.Disk) resource.Resource {
	zone := last(in.Zone)
	id := "projects/" + project + "/zones/" + zone + "/instances/" + in.Name
	nics := []any{}
	for _, n := range in.NetworkInterfaces {
		acs := []any{}
		for _, ac := range n.AccessConfigs {
			acs = append(acs, map[string]any{"nat_ip": ac.NatIP, "network_tier": ac.NetworkTier})
		}
		subProject := ""
		if n.Subnetwork != "" {
			subProject = projectOf(n.Subnetwork)
		}
		nics = append(nics, map[string]any{"name": n.Name, "network": n.Network, "subnetwork": n.Subnetwork,
			"subnetwork_project": subProject, "network_ip": n.NetworkIP, "stack_type": n.StackType, "access_config": acs})
	}
	boot, attached := []any{}, []any{}
	for _, d := range in.Disks {
		if !d.Boot {
			attached = append(attached, map[string]any{"source": d.Source, "device_name": d.DeviceName, "mode": d.Mode})
			continue
		}
		init := []any{}
		if src := disks[d.Source]; src != nil {
			init = list(map[string]any{"image": src.SourceImage, "size": float64(src.SizeGb),
				"type": last(src.Type), "labels": labels(src.Labels)})
		}
		boot = list(map[string]any{"source": d.Source, "device_name": d.DeviceName, "mode": d.Mode,
			"auto_delete": d.AutoDelete, "initialize_params": init})
	}
	sas := []any{}
	for _, sa := range in.ServiceAccounts {
		sas = append(sas, map[string]any{"email": sa.Email, "scopes": sortedStrs(sa.Scopes)})
	}
	sched := []any{}
	if s := in.Scheduling; s != nil {
		restart := true
		if s.AutomaticRestart != nil {
			restart = *s.AutomaticRestart
		}
		sched = list(map[string]any{"preemptible": s.Preemptible, "automatic_restart": restart,
			"on_host_maintenance": s.OnHostMaintenance, "provisioning_model": s.ProvisioningModel})
	}
	netTags := []any{}
	if in.Tags != nil {
		netTags = sortedStrs(in.Tags.Items)
	}
	metadata := map[string]any{}
	if in.Metadata != nil {
		for _, it := range in.Metadata.Items {
			if it.Value != nil {
				metadata[it.Key] = *it.Value
			}
		}
	}
	return resource.Resource{Provider: "google", Type: "google_compute_instance", ID: id, Account: project,
		Region: zoneRegion(zone), Tags: tags(in.Labels),
		Attrs: map[string]any{
			"id": id, "name": in.Name, "project": project, "zone": zone, "machine_type": last(in.MachineType),
			"description": in.Description, "hostname": in.Hostname, "can_ip_forward": in.CanIpForward,
			"deletion_protection": in.DeletionProtection, "labels": labels(in.Labels), "tags": netTags,
			"metadata": metadata, "instance_id": formatUint(in.Id), "current_status": in.Status,
			"cpu_platform": in.CpuPlatform, "network_interface": nics, "boot_disk": boot,
			"attached_disk": attached, "service_account": sas, "scheduling": sched, "self_link": in.SelfLink,
		}}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
