package azuresim

import (
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// kind is one ARM collection and the Terraform types stored in it.
type kind struct {
	ns, coll string
	types    []string
	spec     func(r resource.Resource) []field
	// extra renders what a spec cannot express.
	extra func(h *handler, r resource.Resource, out map[string]any)
	// children maps a child collection (lower case) to the properties
	// array that holds it.
	children map[string]string
}

func fixed(s []field) func(resource.Resource) []field {
	return func(resource.Resource) []field { return s }
}

var kinds = []kind{
	{ns: "Microsoft.Network", coll: "networkSecurityGroups", types: []string{"azurerm_network_security_group"},
		spec: fixed(nil), extra: renderNSG, children: map[string]string{"securityrules": "securityRules"}},
	{ns: "Microsoft.Network", coll: "virtualNetworks", types: []string{"azurerm_virtual_network"},
		spec: fixed(nil), extra: renderVNet, children: map[string]string{"subnets": "subnets"}},
	{ns: "Microsoft.Network", coll: "publicIPAddresses", types: []string{"azurerm_public_ip"}, spec: fixed(publicIPSpec)},
	{ns: "Microsoft.Network", coll: "networkInterfaces", types: []string{"azurerm_network_interface"}, spec: fixed(nicSpec)},
	{ns: "Microsoft.Compute", coll: "disks", types: []string{"azurerm_managed_disk"}, spec: fixed(diskSpec)},
	{ns: "Microsoft.Compute", coll: "virtualMachines",
		types: []string{"azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine"},
		spec: func(r resource.Resource) []field {
			if r.Type == "azurerm_windows_virtual_machine" {
				return windowsVMSpec
			}
			return linuxVMSpec
		}, extra: renderVM},
	{ns: "Microsoft.Storage", coll: "storageAccounts", types: []string{"azurerm_storage_account"},
		spec: fixed(storageAccountSpec), extra: renderStorageAccount},
	{ns: "Microsoft.KeyVault", coll: "vaults", types: []string{"azurerm_key_vault"},
		spec: fixed(keyVaultSpec), extra: renderKeyVault},
	{ns: "Microsoft.Sql", coll: "servers", types: []string{"azurerm_mssql_server"},
		spec: fixed(mssqlServerSpec), extra: renderMSSQLServer},
	{ns: "Microsoft.ContainerService", coll: "managedClusters", types: []string{"azurerm_kubernetes_cluster"},
		spec: fixed(aksSpec), extra: renderAKS},
	{ns: "Microsoft.Authorization", coll: "roleAssignments", types: []string{"azurerm_role_assignment"},
		spec: fixed(roleAssignmentSpec)},
}

func kindOf(ns, coll string) (kind, bool) {
	for _, k := range kinds {
		if strings.EqualFold(k.ns, ns) && strings.EqualFold(k.coll, coll) {
			return k, true
		}
	}
	return kind{}, false
}

// armLocation is the short form ARM always answers with.
func armLocation(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}

func envelope(r resource.Resource, typ string) map[string]any {
	out := map[string]any{
		"id":         r.ID,
		"name":       nameOf(r),
		"type":       typ,
		"properties": map[string]any{"provisioningState": "Succeeded"},
	}
	if loc, ok := r.Attrs["location"]; ok {
		out["location"] = armLocation(loc)
	}
	if tags, ok := r.Attrs["tags"].(map[string]any); ok {
		out["tags"] = tags
	} else {
		out["tags"] = map[string]any{}
	}
	return out
}

func (h *handler) renderKind(k kind, r resource.Resource) map[string]any {
	out := envelope(r, k.ns+"/"+k.coll)
	render(r.Attrs, k.spec(r), out)
	if k.extra != nil {
		k.extra(h, r, out)
	}
	return out
}

func renderResourceGroup(r resource.Resource) map[string]any {
	out := envelope(r, "Microsoft.Resources/resourceGroups")
	if m, ok := r.Attrs["managed_by"].(string); ok && m != "" {
		out["managedBy"] = m
	}
	return out
}

// children merges a parent's inline blocks with the separate resources of
// childType whose id lies under the parent: ARM has one list for both.
// A separate resource's attributes are laid over the inline block of the
// same name (a subnet's NSG comes from the vnet's view, its prefixes from
// the azurerm_subnet).
func (h *handler) children(parent resource.Resource, inline []any, childType, seg, armType string,
	inlineSpec, childSpec []field) []any {
	byName := map[string]map[string]any{}
	prefix := strings.ToLower(parent.ID + "/" + seg + "/")
	for _, e := range inline {
		em, _ := e.(map[string]any)
		o := map[string]any{}
		render(em, inlineSpec, o)
		name, _ := em["name"].(string)
		o["name"] = name
		byName[name] = o
	}
	for _, c := range h.w.List("azurerm", childType, "", "") {
		if !strings.HasPrefix(strings.ToLower(c.ID), prefix) {
			continue
		}
		o := byName[nameOf(c)]
		if o == nil {
			o = map[string]any{}
		}
		render(c.Attrs, childSpec, o)
		o["name"] = nameOf(c)
		byName[nameOf(c)] = o
	}
	out := make([]any, 0, len(byName))
	for _, n := range resource.SortedKeys(byName) {
		o := byName[n]
		o["id"] = parent.ID + "/" + seg + "/" + n
		o["type"] = armType
		props, ok := o["properties"].(map[string]any)
		if !ok {
			props = map[string]any{}
			o["properties"] = props
		}
		props["provisioningState"] = "Succeeded"
		out = append(out, o)
	}
	return out
}

func renderNSG(h *handler, r resource.Resource, out map[string]any) {
	inline, _ := r.Attrs["security_rule"].([]any)
	rules := h.children(r, inline, "azurerm_network_security_rule", "securityRules",
		"Microsoft.Network/networkSecurityGroups/securityRules", ruleSpec, ruleSpec)
	out["properties"].(map[string]any)["securityRules"] = rules
}

func renderVNet(h *handler, r resource.Resource, out map[string]any) {
	render(r.Attrs, vnetSpec[:len(vnetSpec)-1], out) // all but the subnet list
	inline, _ := r.Attrs["subnet"].([]any)
	subnets := h.children(r, inline, "azurerm_subnet", "subnets",
		"Microsoft.Network/virtualNetworks/subnets", vnetSubnetSpec, subnetSpec)
	out["properties"].(map[string]any)["subnets"] = subnets
}

func renderVM(_ *handler, r resource.Resource, out map[string]any) {
	props := out["properties"].(map[string]any)
	osType := "Linux"
	if r.Type == "azurerm_windows_virtual_machine" {
		osType = "Windows"
	}
	setPath(props, "storageProfile.osDisk.osType", osType)
	setPath(props, "storageProfile.osDisk.createOption", "FromImage")
	if keys, ok := r.Attrs["admin_ssh_key"].([]any); ok {
		var pk []any
		for _, k := range keys {
			km, _ := k.(map[string]any)
			user, _ := km["username"].(string)
			pk = append(pk, map[string]any{"path": "/home/" + user + "/.ssh/authorized_keys", "keyData": km["public_key"]})
		}
		setPath(props, "osProfile.linuxConfiguration.ssh.publicKeys", pk)
	}
	if bd, ok := r.Attrs["boot_diagnostics"].([]any); ok && len(bd) > 0 {
		bm, _ := bd[0].(map[string]any)
		d := map[string]any{"enabled": true}
		if u, _ := bm["storage_account_uri"].(string); u != "" {
			d["storageUri"] = u
		}
		setPath(props, "diagnosticsProfile.bootDiagnostics", d)
	}
	renderIdentity(r, out)
}

func renderStorageAccount(_ *handler, r resource.Resource, out map[string]any) {
	tier, _ := r.Attrs["account_tier"].(string)
	repl, _ := r.Attrs["account_replication_type"].(string)
	if tier != "" {
		out["sku"] = map[string]any{"name": tier + "_" + repl, "tier": tier}
	}
	if nr, ok := r.Attrs["network_rules"].([]any); ok && len(nr) > 0 {
		nm, _ := nr[0].(map[string]any)
		var bypass []string
		if bs, ok := nm["bypass"].([]any); ok {
			for _, b := range bs {
				s, _ := b.(string)
				bypass = append(bypass, s)
			}
		}
		sort.Strings(bypass)
		if len(bypass) == 0 {
			bypass = []string{"None"}
		}
		setPath(out, "properties.networkAcls.bypass", strings.Join(bypass, ", "))
	}
	renderIdentity(r, out)
}

// renderIdentity writes a Terraform identity block as ARM's managed
// identity object.
func renderIdentity(r resource.Resource, out map[string]any) {
	idb, ok := r.Attrs["identity"].([]any)
	if !ok || len(idb) == 0 {
		return
	}
	im, _ := idb[0].(map[string]any)
	o := map[string]any{"type": im["type"]}
	if p, _ := im["principal_id"].(string); p != "" {
		o["principalId"] = p
	}
	if t, _ := im["tenant_id"].(string); t != "" {
		o["tenantId"] = t
	}
	if ids, ok := im["identity_ids"].([]any); ok && len(ids) > 0 {
		ua := map[string]any{}
		for _, id := range ids {
			s, _ := id.(string)
			ua[s] = map[string]any{}
		}
		o["userAssignedIdentities"] = ua
	}
	out["identity"] = o
}
