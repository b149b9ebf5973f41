package azuresim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// nestedKind is a collection below one parent resource whose items are
// world resources of their own: blob containers under a storage account,
// databases under a SQL server. The child collections of kinds (rules,
// subnets) differ: ARM reads those out of the parent's properties.
type nestedKind struct {
	ns, coll string // the parent's collection
	path     string // below the parent, as ARM spells it
	typ      string
	armType  string
	spec     []field
	// extra renders what the spec cannot express; parent is the resource
	// the item lies under.
	extra func(parent, r resource.Resource, out map[string]any)
}

var nestedKinds = []nestedKind{
	{ns: "Microsoft.Storage", coll: "storageAccounts", path: "blobServices/default/containers",
		typ: "azurerm_storage_container", armType: "Microsoft.Storage/storageAccounts/blobServices/containers",
		spec: storageContainerSpec, extra: renderStorageContainer},
	{ns: "Microsoft.Sql", coll: "servers", path: "databases",
		typ: "azurerm_mssql_database", armType: "Microsoft.Sql/servers/databases",
		spec: mssqlDatabaseSpec, extra: renderMSSQLDatabase},
}

// nestedOf matches a route's child path against the nested kinds: the
// whole collection, or one item of it (returned as name).
func nestedOf(rt route) (n nestedKind, name string, ok bool) {
	for _, n := range nestedKinds {
		if !strings.EqualFold(n.ns, rt.ns) || !strings.EqualFold(n.coll, rt.coll) {
			continue
		}
		child, p := strings.ToLower(rt.child), strings.ToLower(n.path)
		if child == p {
			return n, "", true
		}
		if rest, found := strings.CutPrefix(child, p+"/"); found && rest != "" && !strings.Contains(rest, "/") {
			return n, rt.child[len(p)+1:], true
		}
	}
	return nestedKind{}, "", false
}

// resolveNested answers a nested collection or one of its items. The
// parent must exist, as in ARM, which answers a missing parent with
// ResourceNotFound (ParentResourceNotFound for some namespaces).
func (h *handler) resolveNested(n nestedKind, rt route, name string) ([]any, map[string]any, *apiError) {
	pk, _ := kindOf(n.ns, n.coll)
	var parent *resource.Resource
	for _, typ := range pk.types {
		for _, r := range h.inScope(rt.sub, rt.rg, typ) {
			if strings.EqualFold(nameOf(r), rt.name) {
				parent = &r
			}
		}
	}
	if parent == nil {
		return nil, nil, &apiError{http.StatusNotFound, "ResourceNotFound",
			fmt.Sprintf("The Resource '%s/%s/%s' under resource group '%s' was not found.", rt.ns, rt.coll, rt.name, rt.rg)}
	}
	prefix := strings.ToLower(parent.ID + "/" + n.path + "/")
	var objs []map[string]any
	for _, c := range h.w.List("azurerm", n.typ, "", "") {
		if !strings.HasPrefix(strings.ToLower(c.ID), prefix) {
			continue
		}
		if name != "" && !strings.EqualFold(nameOf(c), name) {
			continue
		}
		out := map[string]any{
			"id":         c.ID,
			"name":       nameOf(c),
			"type":       n.armType,
			"properties": map[string]any{},
		}
		render(c.Attrs, n.spec, out)
		if n.extra != nil {
			n.extra(*parent, c, out)
		}
		objs = append(objs, out)
	}
	sort.Slice(objs, func(i, j int) bool {
		return strings.ToLower(objs[i]["id"].(string)) < strings.ToLower(objs[j]["id"].(string))
	})
	if name == "" {
		return toAny(objs), nil, nil
	}
	if len(objs) == 0 {
		return nil, nil, &apiError{http.StatusNotFound, "ResourceNotFound",
			fmt.Sprintf("The Resource '%s/%s/%s/%s/%s' under resource group '%s' was not found.",
				rt.ns, rt.coll, rt.name, n.path, name, rt.rg)}
	}
	return nil, objs[0], nil
}
