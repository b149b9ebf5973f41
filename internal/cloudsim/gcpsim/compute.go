package gcpsim

import (
	"net/http"
	"sort"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// computeType describes one Compute Engine collection: its Terraform type,
// its API collection name and kind, whether it is zonal, regional or
// global, and how to render one resource.
type computeType struct {
	tf, collection, kind string
	scope                string // "zones", "regions" or "global"
	render               func(*resource.Resource) map[string]any
}

var computeTypes = []computeType{
	{"google_compute_firewall", "firewalls", "compute#firewall", "global", renderFirewall},
	{"google_compute_network", "networks", "compute#network", "global", renderNetwork},
	{"google_compute_instance", "instances", "compute#instance", "zones", renderInstance},
	{"google_compute_disk", "disks", "compute#disk", "zones", renderDisk},
	{"google_compute_subnetwork", "subnetworks", "compute#subnetwork", "regions", renderSubnetwork},
	{"google_compute_address", "addresses", "compute#address", "regions", renderAddress},
	{"google_compute_router", "routers", "compute#router", "regions", renderRouter},
}

func (s *server) routeCompute(mux *http.ServeMux) {
	for _, ct := range computeTypes {
		if ct.scope == "global" {
			mux.HandleFunc("GET /compute/v1/projects/{p}/global/"+ct.collection, func(rw http.ResponseWriter, r *http.Request) {
				p := r.PathValue("p")
				if !s.check(rw, "compute", p) {
					return
				}
				list(rw, r, ct.kind+"List", "items", render(s.resources(ct.tf, p, nil), ct.render))
			})
			continue
		}
		mux.HandleFunc("GET /compute/v1/projects/{p}/"+ct.scope+"/{loc}/"+ct.collection, func(rw http.ResponseWriter, r *http.Request) {
			p, loc := r.PathValue("p"), r.PathValue("loc")
			if !s.check(rw, "compute", p) {
				return
			}
			rs := s.resources(ct.tf, p, func(res *resource.Resource) bool { return locationOf(ct, res) == loc })
			list(rw, r, ct.kind+"List", "items", render(rs, ct.render))
		})
		mux.HandleFunc("GET /compute/v1/projects/{p}/aggregated/"+ct.collection, func(rw http.ResponseWriter, r *http.Request) {
			p := r.PathValue("p")
			if !s.check(rw, "compute", p) {
				return
			}
			s.aggregated(rw, r, ct, p)
		})
	}
}

func locationOf(ct computeType, r *resource.Resource) string {
	if ct.scope == "zones" {
		return str(r.Attrs, "zone")
	}
	return str(r.Attrs, "region")
}

// aggregated answers an aggregatedList: the page is cut from the flat list
// of items and grouped by zone or region, as the API does.
func (s *server) aggregated(rw http.ResponseWriter, r *http.Request, ct computeType, project string) {
	rs := s.resources(ct.tf, project, nil)
	sort.SliceStable(rs, func(i, j int) bool { return locationOf(ct, &rs[i]) < locationOf(ct, &rs[j]) })
	pg, next, ok := page(r, rs)
	if !ok {
		writeError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "invalid", "Invalid page token or page size.")
		return
	}
	items := map[string]any{}
	for i := range pg {
		key := ct.scope + "/" + locationOf(ct, &pg[i])
		group, _ := items[key].(map[string]any)
		if group == nil {
			group = map[string]any{ct.collection: []any{}}
			items[key] = group
		}
		group[ct.collection] = append(group[ct.collection].([]any), ct.render(&pg[i]))
	}
	body := map[string]any{"kind": ct.kind + "AggregatedList", "items": items}
	if next != "" {
		body["nextPageToken"] = next
	}
	writeJSON(rw, http.StatusOK, body)
}

// common renders the fields every Compute resource has.
func common(r *resource.Resource, kind string) map[string]any {
	a := r.Attrs
	m := map[string]any{"kind": kind, "id": numericID(r.ID), "name": str(a, "name")}
	put(m, "description", str(a, "description"))
	put(m, "creationTimestamp", str(a, "creation_timestamp"))
	self := str(a, "self_link")
	if self == "" {
		self = computeBase + r.ID
	}
	m["selfLink"] = self
	return m
}

func renderFirewall(r *resource.Resource) map[string]any {
	a := r.Attrs
	m := common(r, "compute#firewall")
	m["network"] = link(str(a, "network"))
	m["priority"] = num(a, "priority")
	put(m, "direction", str(a, "direction"))
	m["disabled"] = boolean(a, "disabled")
	for tf, api := range map[string]string{"source_ranges": "sourceRanges", "destination_ranges": "destinationRanges",
		"source_tags": "sourceTags", "target_tags": "targetTags",
		"source_service_accounts": "sourceServiceAccounts", "target_service_accounts": "targetServiceAccounts"} {
		put(m, api, a[tf])
	}
	for tf, api := range map[string]string{"allow": "allowed", "deny": "denied"} {
		var rules []any
		for _, b := range blocks(a, tf) {
			rule := map[string]any{"IPProtocol": str(b, "protocol")}
			put(rule, "ports", b["ports"])
			rules = append(rules, rule)
		}
		put(m, api, rules)
	}
	if lc := block(a, "log_config"); lc != nil {
		m["logConfig"] = map[string]any{"enable": true, "metadata": str(lc, "metadata")}
	}
	return m
}

func renderNetwork(r *resource.Resource) map[string]any {
	a := r.Attrs
	m := common(r, "compute#network")
	m["autoCreateSubnetworks"] = boolean(a, "auto_create_subnetworks")
	put(m, "routingConfig", map[string]any{"routingMode": str(a, "routing_mode")})
	put(m, "mtu", num(a, "mtu"))
	put(m, "gatewayIPv4", str(a, "gateway_ipv4"))
	put(m, "networkFirewallPolicyEnforcementOrder", str(a, "network_firewall_policy_enforcement_order"))
	return m
}

func renderSubnetwork(r *resource.Resource) map[string]any {
	a := r.Attrs
	m := common(r, "compute#subnetwork")
	m["region"] = link("projects/" + r.Account + "/regions/" + str(a, "region"))
	m["network"] = link(str(a, "network"))
	m["ipCidrRange"] = str(a, "ip_cidr_range")
	put(m, "privateIpGoogleAccess", boolean(a, "private_ip_google_access"))
	put(m, "gatewayAddress", str(a, "gateway_address"))
	put(m, "purpose", str(a, "purpose"))
	put(m, "stackType", str(a, "stack_type"))
	var ranges []any
	for _, b := range blocks(a, "secondary_ip_range") {
		ranges = append(ranges, map[string]any{"rangeName": str(b, "range_name"), "ipCidrRange": str(b, "ip_cidr_range")})
	}
	put(m, "secondaryIpRanges", ranges)
	return m
}

func renderAddress(r *resource.Resource) map[string]any {
	a := r.Attrs
	m := common(r, "compute#address")
	m["region"] = link("projects/" + r.Account + "/regions/" + str(a, "region"))
	put(m, "address", str(a, "address"))
	put(m, "addressType", str(a, "address_type"))
	put(m, "networkTier", str(a, "network_tier"))
	put(m, "purpose", str(a, "purpose"))
	put(m, "subnetwork", link(str(a, "subnetwork")))
	put(m, "network", link(str(a, "network")))
	put(m, "labels", a["labels"])
	put(m, "users", a["users"])
	put(m, "prefixLength", num(a, "prefix_length"))
	m["status"] = "RESERVED"
	if l, _ := a["users"].([]any); len(l) > 0 {
		m["status"] = "IN_USE"
	}
	return m
}

func renderRouter(r *resource.Resource) map[string]any {
	a := r.Attrs
	m := common(r, "compute#router")
	m["region"] = link("projects/" + r.Account + "/regions/" + str(a, "region"))
	m["network"] = link(str(a, "network"))
	if b := block(a, "bgp"); b != nil {
		bgp := map[string]any{"asn": num(b, "asn")}
		put(bgp, "advertiseMode", str(b, "advertise_mode"))
		put(bgp, "advertisedGroups", b["advertised_groups"])
		put(bgp, "keepaliveInterval", num(b, "keepalive_interval"))
		var ranges []any
		for _, ar := range blocks(b, "advertised_ip_ranges") {
			x := map[string]any{"range": str(ar, "range")}
			put(x, "description", str(ar, "description"))
			ranges = append(ranges, x)
		}
		put(bgp, "advertisedIpRanges", ranges)
		m["bgp"] = bgp
	}
	put(m, "encryptedInterconnectRouter", boolean(a, "encrypted_interconnect_router"))
	return m
}

func renderDisk(r *resource.Resource) map[string]any {
	a := r.Attrs
	m := common(r, "compute#disk")
	zone := str(a, "zone")
	m["zone"] = link("projects/" + r.Account + "/zones/" + zone)
	if t := str(a, "type"); t != "" {
		m["type"] = link("projects/" + r.Account + "/zones/" + zone + "/diskTypes/" + t)
	}
	if f := num(a, "size"); f > 0 {
		m["sizeGb"] = int64String(f)
	}
	put(m, "sourceImage", str(a, "image"))
	put(m, "sourceSnapshot", str(a, "snapshot"))
	put(m, "labels", a["labels"])
	put(m, "users", a["users"])
	if f := num(a, "physical_block_size_bytes"); f > 0 {
		m["physicalBlockSizeBytes"] = int64String(f)
	}
	if f := num(a, "provisioned_iops"); f > 0 {
		m["provisionedIops"] = int64String(f)
	}
	m["status"] = "READY"
	return m
}

func renderInstance(r *resource.Resource) map[string]any {
	a := r.Attrs
	m := common(r, "compute#instance")
	if id := str(a, "instance_id"); id != "" {
		m["id"] = id
	}
	zone := str(a, "zone")
	m["zone"] = link("projects/" + r.Account + "/zones/" + zone)
	m["machineType"] = link("projects/" + r.Account + "/zones/" + zone + "/machineTypes/" + str(a, "machine_type"))
	m["status"] = "RUNNING"
	put(m, "status", str(a, "current_status"))
	put(m, "cpuPlatform", str(a, "cpu_platform"))
	put(m, "hostname", str(a, "hostname"))
	put(m, "canIpForward", boolean(a, "can_ip_forward"))
	put(m, "deletionProtection", boolean(a, "deletion_protection"))
	put(m, "labels", a["labels"])
	put(m, "tags", map[string]any{"items": a["tags"]})
	if md, ok := a["metadata"].(map[string]any); ok && len(md) > 0 {
		var items []any
		for _, k := range resource.SortedKeys(md) {
			items = append(items, map[string]any{"key": k, "value": md[k]})
		}
		m["metadata"] = map[string]any{"items": items}
	}
	var nics []any
	for i, b := range blocks(a, "network_interface") {
		nic := map[string]any{"name": str(b, "name")}
		if nic["name"] == "" {
			nic["name"] = "nic" + int64String(float64(i))
		}
		put(nic, "network", link(str(b, "network")))
		put(nic, "subnetwork", link(str(b, "subnetwork")))
		put(nic, "networkIP", str(b, "network_ip"))
		put(nic, "stackType", str(b, "stack_type"))
		var acs []any
		for _, ac := range blocks(b, "access_config") {
			x := map[string]any{"type": "ONE_TO_ONE_NAT", "name": "External NAT"}
			put(x, "natIP", str(ac, "nat_ip"))
			put(x, "networkTier", str(ac, "network_tier"))
			acs = append(acs, x)
		}
		put(nic, "accessConfigs", acs)
		nics = append(nics, nic)
	}
	put(m, "networkInterfaces", nics)
	var disks []any
	if b := block(a, "boot_disk"); b != nil {
		disks = append(disks, attachedDisk(b, true))
	}
	for _, b := range blocks(a, "attached_disk") {
		disks = append(disks, attachedDisk(b, false))
	}
	put(m, "disks", disks)
	var sas []any
	for _, b := range blocks(a, "service_account") {
		sas = append(sas, map[string]any{"email": str(b, "email"), "scopes": b["scopes"]})
	}
	put(m, "serviceAccounts", sas)
	if b := block(a, "scheduling"); b != nil {
		sc := map[string]any{"preemptible": boolean(b, "preemptible")}
		if v, ok := b["automatic_restart"].(bool); ok {
			sc["automaticRestart"] = v
		}
		put(sc, "onHostMaintenance", str(b, "on_host_maintenance"))
		put(sc, "provisioningModel", str(b, "provisioning_model"))
		m["scheduling"] = sc
	}
	return m
}

func attachedDisk(b map[string]any, boot bool) map[string]any {
	d := map[string]any{"type": "PERSISTENT", "boot": boot, "source": link(str(b, "source"))}
	put(d, "deviceName", str(b, "device_name"))
	put(d, "mode", str(b, "mode"))
	if boot {
		d["autoDelete"] = boolean(b, "auto_delete")
	}
	return d
}
