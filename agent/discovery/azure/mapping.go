package azure

import (
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// base builds the resource and the attributes every top-level azurerm
// type has: id, name, location, resource_group_name and tags.
func base(sub, typ string, arm map[string]any) resource.Resource {
	id, _ := arm["id"].(string)
	attrs := map[string]any{"id": id, "name": arm["name"]}
	if rg := idSegment(id, "resourceGroups"); rg != "" {
		attrs["resource_group_name"] = rg
	}
	loc, _ := arm["location"].(string)
	if loc != "" {
		attrs["location"] = loc
	}
	tags := map[string]any{}
	var flat map[string]string
	if t, ok := arm["tags"].(map[string]any); ok {
		flat = make(map[string]string, len(t))
		for k, v := range t {
			tags[k] = v
			s, _ := v.(string)
			flat[k] = s
		}
	}
	attrs["tags"] = tags
	region := strings.ToLower(strings.ReplaceAll(loc, " ", ""))
	return resource.Resource{Provider: Name, Type: typ, ID: id, Account: sub, Region: region, Attrs: attrs, Tags: flat}
}

func mapSpec(typ string, spec []field) func(string, map[string]any, func(resource.Resource)) {
	return func(sub string, arm map[string]any, emit func(resource.Resource)) {
		r := base(sub, typ, arm)
		parse(arm, spec, r.Attrs)
		emit(r)
	}
}

func mapResourceGroup(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := base(sub, "azurerm_resource_group", arm)
	delete(r.Attrs, "resource_group_name")
	r.Attrs["managed_by"] = ""
	if m, ok := arm["managedBy"].(string); ok {
		r.Attrs["managed_by"] = m
	}
	emit(r)
}

// child builds a separate child resource (rule, subnet) from an element
// of its parent's list: Terraform state may hold it either inline or as
// its own resource.
func child(parent resource.Resource, typ, parentAttr string, arm map[string]any, spec []field) resource.Resource {
	id, _ := arm["id"].(string)
	attrs := map[string]any{
		"id":                  id,
		"name":                arm["name"],
		"resource_group_name": parent.Attrs["resource_group_name"],
		parentAttr:            parent.Attrs["name"],
	}
	parse(arm, spec, attrs)
	return resource.Resource{Provider: Name, Type: typ, ID: id, Account: parent.Account, Region: parent.Region, Attrs: attrs}
}

func mapNSG(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := base(sub, "azurerm_network_security_group", arm)
	parse(arm, nsgSpec, r.Attrs)
	emit(r)
	rules, _ := getPath(arm, "properties.securityRules").([]any)
	for _, e := range rules {
		if em, ok := e.(map[string]any); ok {
			emit(child(r, "azurerm_network_security_rule", "network_security_group_name", em, ruleSpec))
		}
	}
}

func mapVNet(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := base(sub, "azurerm_virtual_network", arm)
	parse(arm, vnetSpec, r.Attrs)
	emit(r)
	subnets, _ := getPath(arm, "properties.subnets").([]any)
	for _, e := range subnets {
		if em, ok := e.(map[string]any); ok {
			emit(child(r, "azurerm_subnet", "virtual_network_name", em, subnetSpec))
		}
	}
}

func mapNIC(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := base(sub, "azurerm_network_interface", arm)
	parse(arm, nicSpec, r.Attrs)
	// Computed from the ip configurations, primary first.
	var addrs []any
	primary := ""
	cfgs, _ := r.Attrs["ip_configuration"].([]any)
	for _, c := range cfgs {
		cm, _ := c.(map[string]any)
		a, _ := cm["private_ip_address"].(string)
		if a == "" {
			continue
		}
		if p, _ := cm["primary"].(bool); p && primary == "" {
			primary = a
			addrs = append([]any{a}, addrs...)
			continue
		}
		addrs = append(addrs, a)
	}
	if addrs == nil {
		addrs = []any{}
	}
	r.Attrs["private_ip_address"] = primary
	r.Attrs["private_ip_addresses"] = addrs
	emit(r)
}

func mapVM(sub string, arm map[string]any, emit func(resource.Resource)) {
	windows := getPath(arm, "properties.osProfile.windowsConfiguration") != nil ||
		strings.EqualFold(str(getPath(arm, "properties.storageProfile.osDisk.osType")), "Windows")
	typ, spec := "azurerm_linux_virtual_machine", linuxVMSpec
	if windows {
		typ, spec = "azurerm_windows_virtual_machine", windowsVMSpec
	}
	r := base(sub, typ, arm)
	parse(arm, spec, r.Attrs)
	if !windows {
		keys := []any{}
		pks, _ := getPath(arm, "properties.osProfile.linuxConfiguration.ssh.publicKeys").([]any)
		for _, k := range pks {
			km, _ := k.(map[string]any)
			keys = append(keys, map[string]any{"username": sshUser(str(km["path"])), "public_key": km["keyData"]})
		}
		r.Attrs["admin_ssh_key"] = keys
	}
	r.Attrs["boot_diagnostics"] = []any{}
	if bd, ok := getPath(arm, "properties.diagnosticsProfile.bootDiagnostics").(map[string]any); ok && bd["enabled"] == true {
		r.Attrs["boot_diagnostics"] = []any{map[string]any{"storage_account_uri": str(bd["storageUri"])}}
	}
	r.Attrs["identity"] = identity(arm)
	emit(r)
}

// sshUser reads the user out of /home/<user>/.ssh/authorized_keys, the
// only path Terraform's admin_ssh_key writes.
func sshUser(path string) string {
	p := strings.Split(strings.Trim(path, "/"), "/")
	if len(p) >= 2 && p[0] == "home" {
		return p[1]
	}
	return ""
}

func mapStorageAccount(sub string, arm map[string]any, emit func(resource.Resource)) {
	r := base(sub, "azurerm_storage_account", arm)
	parse(arm, storageAccountSpec, r.Attrs)
	if sku := str(getPath(arm, "sku.name")); sku != "" {
		tier, repl, _ := strings.Cut(sku, "_")
		r.Attrs["account_tier"], r.Attrs["account_replication_type"] = tier, repl
	}
	if nr, ok := r.Attrs["network_rules"].([]any); ok && len(nr) == 1 {
		nm := nr[0].(map[string]any)
		bypass := []any{}
		for _, b := range strings.Split(str(getPath(arm, "properties.networkAcls.bypass")), ",") {
			if b = strings.TrimSpace(b); b != "" && b != "None" {
				bypass = append(bypass, b)
			}
		}
		sort.Slice(bypass, func(i, j int) bool { return bypass[i].(string) < bypass[j].(string) })
		nm["bypass"] = bypass
	}
	r.Attrs["identity"] = identity(arm)
	emit(r)
}

// identity reads ARM's managed identity object as Terraform's identity
// block.
func identity(arm map[string]any) []any {
	im, ok := arm["identity"].(map[string]any)
	if !ok || str(im["type"]) == "" || strings.EqualFold(str(im["type"]), "None") {
		return []any{}
	}
	ids := []any{}
	if ua, ok := im["userAssignedIdentities"].(map[string]any); ok {
		for _, k := range resource.SortedKeys(ua) {
			ids = append(ids, k)
		}
	}
	return []any{map[string]any{
		"type":         im["type"],
		"identity_ids": ids,
		"principal_id": str(im["principalId"]),
		"tenant_id":    str(im["tenantId"]),
	}}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
