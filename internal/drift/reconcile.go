package drift

import (
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Terraform lets the same thing be managed inline on a parent or as its own
// resource: security group rules (inline ingress/egress or
// aws_security_group_rule), routes (aws_route_table.route or aws_route), IAM
// policy attachments (managed_policy_arns or *_policy_attachment). The API
// returns only one shape. reconcile brings both sides to one shape before
// matching so neither choice shows up as drift:
//
//   - what a separate state resource manages is removed from the parent's
//     inline list on both sides (a refreshed state holds it there too);
//   - a separate resource that live discovery cannot list on its own is
//     rebuilt from the live parent, so it is matched and compared;
//   - a separate live resource that the state manages inline on its parent
//     is dropped from the live side: it is managed, not UNMANAGED.
//
// Inputs are never modified: changed resources are shallow copies with new
// attribute maps.

// relation describes one parent/child pair.
type relation struct {
	parentType string
	childTypes map[string]bool
	// parentOf names the parent id a child belongs to.
	parentOf func(child *resource.Resource) string
	// atoms expands a child into the indivisible things it manages.
	childAtoms func(child *resource.Resource) []atom
	// parentAtoms expands a parent's inline lists into atoms.
	parentAtoms func(parent map[string]any) []atom
	// rebuild writes the parent's inline lists from the atoms left.
	rebuild func(parent map[string]any, left []atom) map[string]any
	// synth builds a live child from the live parent's atoms the state
	// child claims, or nil when none of them exists.
	synth func(state *resource.Resource, found []atom) *resource.Resource
	// foldIDs compares parent ids case-insensitively (Azure resource ids).
	foldIDs bool
}

// atom is one indivisible managed thing: key identifies it, fields carry
// what is compared (a rule's description, a route's target).
type atom struct {
	key    string
	fields map[string]any
}

var relations = []relation{sgRelation, routeRelation, iamRelation("aws_iam_role", "aws_iam_role_policy_attachment", "role"),
	iamRelation("aws_iam_user", "aws_iam_user_policy_attachment", "user"),
	iamRelation("aws_iam_group", "aws_iam_group_policy_attachment", "group"),
	azureChildRelation("azurerm_network_security_group", "security_rule", "azurerm_network_security_rule", "/securityRules/"),
	azureChildRelation("azurerm_virtual_network", "subnet", "azurerm_subnet", "/subnets/")}

func reconcile(st, lv []*resource.Resource) ([]*resource.Resource, []*resource.Resource) {
	for i := range relations {
		st, lv = relations[i].apply(st, lv)
	}
	return st, lv
}

func (rel *relation) apply(st, lv []*resource.Resource) ([]*resource.Resource, []*resource.Resource) {
	var stChildren, lvChildren []int
	for i, r := range st {
		if rel.childTypes[r.Type] {
			stChildren = append(stChildren, i)
		}
	}
	for i, r := range lv {
		if rel.childTypes[r.Type] {
			lvChildren = append(lvChildren, i)
		}
	}
	if len(stChildren) == 0 && len(lvChildren) == 0 {
		return st, lv
	}
	stParents := rel.parentsByID(st)
	lvParents := rel.parentsByID(lv)
	liveKeys := make(map[mkey]bool, len(lvChildren))
	for _, i := range lvChildren {
		liveKeys[matchKey(lv[i])] = true
	}
	stateKeys := make(map[mkey]bool, len(stChildren))
	for _, i := range stChildren {
		stateKeys[matchKey(st[i])] = true
	}

	// Atoms each parent has live, before anything is claimed.
	liveAtoms := map[string]map[string]atom{}
	for id, i := range lvParents {
		liveAtoms[id] = atomMap(rel.parentAtoms(lv[i].Attrs))
	}

	claimed := map[string]map[string]bool{} // parent id -> atom keys
	var synthesized []*resource.Resource
	for _, i := range stChildren {
		c := st[i]
		pid := rel.parentID(c)
		atoms := rel.childAtoms(c)
		if claimed[pid] == nil {
			claimed[pid] = map[string]bool{}
		}
		for _, a := range atoms {
			claimed[pid][a.key] = true
		}
		if liveKeys[matchKey(c)] {
			continue
		}
		la, ok := liveAtoms[pid]
		if !ok {
			continue
		}
		var found []atom
		for _, a := range atoms {
			if l, ok := la[a.key]; ok {
				found = append(found, l)
			}
		}
		if s := rel.synth(c, found); s != nil {
			synthesized = append(synthesized, s)
		}
	}

	// A live child with no state twin, managed inline by the state parent,
	// is not unmanaged.
	stateInline := map[string]map[string]atom{}
	drop := map[int]bool{}
	for _, i := range lvChildren {
		c := lv[i]
		if stateKeys[matchKey(c)] {
			continue
		}
		pid := rel.parentID(c)
		pi, ok := stParents[pid]
		if !ok {
			continue
		}
		if stateInline[pid] == nil {
			stateInline[pid] = atomMap(rel.parentAtoms(st[pi].Attrs))
		}
		atoms := rel.childAtoms(c)
		covered := len(atoms) > 0
		for _, a := range atoms {
			if _, ok := stateInline[pid][a.key]; !ok || claimed[pid][a.key] {
				covered = false
			}
		}
		if covered {
			drop[i] = true
		}
	}

	st = rel.strip(st, stParents, claimed)
	lv = rel.strip(lv, lvParents, claimed)
	if len(drop) > 0 {
		kept := make([]*resource.Resource, 0, len(lv))
		for i, r := range lv {
			if !drop[i] {
				kept = append(kept, r)
			}
		}
		lv = kept
	}
	return st, append(lv, synthesized...)
}

// strip removes claimed atoms from the parents' inline lists.
func (rel *relation) strip(rs []*resource.Resource, parents map[string]int, claimed map[string]map[string]bool) []*resource.Resource {
	var out []*resource.Resource
	for pid, keys := range claimed {
		i, ok := parents[pid]
		if !ok {
			continue
		}
		atoms := rel.parentAtoms(rs[i].Attrs)
		left := atoms[:0:0]
		for _, a := range atoms {
			if !keys[a.key] {
				left = append(left, a)
			}
		}
		if len(left) == len(atoms) {
			continue
		}
		if out == nil {
			out = append([]*resource.Resource(nil), rs...)
		}
		cp := *rs[i]
		cp.Attrs = rel.rebuild(rs[i].Attrs, left)
		out[i] = &cp
	}
	if out == nil {
		return rs
	}
	return out
}

func (rel *relation) parentsByID(rs []*resource.Resource) map[string]int {
	m := map[string]int{}
	for i, r := range rs {
		if r.Type == rel.parentType {
			m[rel.normID(r.ID)] = i
		}
	}
	return m
}

func (rel *relation) parentID(child *resource.Resource) string {
	return rel.normID(rel.parentOf(child))
}

func (rel *relation) normID(id string) string {
	if rel.foldIDs {
		return strings.ToLower(id)
	}
	return id
}

func atomMap(as []atom) map[string]atom {
	m := make(map[string]atom, len(as))
	for _, a := range as {
		m[a.key] = a
	}
	return m
}

func copyAttrs(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return formatNumber(t)
	case bool:
		if t {
			return "true"
		}
		return "false"
	}
	return ""
}

func strList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s := str(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// ---- security group rules ----

var sgRelation = relation{
	parentType: "aws_security_group",
	childTypes: map[string]bool{"aws_security_group_rule": true,
		"aws_vpc_security_group_ingress_rule": true, "aws_vpc_security_group_egress_rule": true},
	parentOf: func(c *resource.Resource) string { return str(c.Attrs["security_group_id"]) },
	childAtoms: func(c *resource.Resource) []atom {
		a := c.Attrs
		switch c.Type {
		case "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule":
			dir := strings.TrimSuffix(strings.TrimPrefix(c.Type, "aws_vpc_security_group_"), "_rule")
			src := firstNonEmpty(prefixed("cidr:", a["cidr_ipv4"]), prefixed("cidr6:", a["cidr_ipv6"]),
				prefixed("pl:", a["prefix_list_id"]), prefixed("sg:", a["referenced_security_group_id"]))
			return []atom{sgAtom(dir, a["ip_protocol"], a["from_port"], a["to_port"], src, a["description"])}
		}
		return sgElementAtoms(str(a["type"]), a, "source_security_group_id")
	},
	parentAtoms: func(p map[string]any) []atom {
		var out []atom
		for _, dir := range []string{"ingress", "egress"} {
			l, _ := p[dir].([]any)
			for _, e := range l {
				if m, ok := e.(map[string]any); ok {
					out = append(out, sgElementAtoms(dir, m, "")...)
				}
			}
		}
		return out
	},
	rebuild: func(p map[string]any, left []atom) map[string]any {
		out := copyAttrs(p)
		for _, dir := range []string{"ingress", "egress"} {
			if _, ok := p[dir]; ok {
				out[dir] = sgElements(dir, left)
			}
		}
		return out
	},
	synth: func(s *resource.Resource, found []atom) *resource.Resource {
		if len(found) == 0 {
			return nil
		}
		attrs := copyAttrs(s.Attrs)
		var cidrs, cidrs6, pls []string
		for _, a := range found {
			src := a.fields["source"].(string)
			switch {
			case strings.HasPrefix(src, "cidr:"):
				cidrs = append(cidrs, strings.TrimPrefix(src, "cidr:"))
			case strings.HasPrefix(src, "cidr6:"):
				cidrs6 = append(cidrs6, strings.TrimPrefix(src, "cidr6:"))
			case strings.HasPrefix(src, "pl:"):
				pls = append(pls, strings.TrimPrefix(src, "pl:"))
			}
			attrs["description"] = a.fields["description"]
		}
		if s.Type == "aws_security_group_rule" {
			attrs["cidr_blocks"] = anyList(cidrs)
			attrs["ipv6_cidr_blocks"] = anyList(cidrs6)
			attrs["prefix_list_ids"] = anyList(pls)
		}
		return synthetic(s, attrs)
	},
}

func synthetic(s *resource.Resource, attrs map[string]any) *resource.Resource {
	return &resource.Resource{Provider: s.Provider, Type: s.Type, ID: s.ID, Account: s.Account,
		Region: s.Region, Attrs: attrs, Source: resource.SourceLive, Origin: "derived from parent"}
}

func prefixed(p string, v any) string {
	if s := str(v); s != "" {
		return p + s
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func sgAtom(dir string, proto, from, to any, src string, desc any) atom {
	p := ipProtocol(str(proto))
	f, t := str(from), str(to)
	if p == "-1" {
		// All-traffic rules carry meaningless ports: AWS says -1 or 0.
		f, t = "", ""
	}
	key := strings.Join([]string{dir, p, f, t, src}, "|")
	return atom{key: key, fields: map[string]any{"dir": dir, "protocol": p, "from_port": from, "to_port": to,
		"source": src, "description": str(desc)}}
}

func sgElementAtoms(dir string, m map[string]any, sgField string) []atom {
	var out []atom
	add := func(src string) {
		out = append(out, sgAtom(dir, m["protocol"], m["from_port"], m["to_port"], src, m["description"]))
	}
	for _, c := range strList(m["cidr_blocks"]) {
		add("cidr:" + c)
	}
	for _, c := range strList(m["ipv6_cidr_blocks"]) {
		add("cidr6:" + c)
	}
	for _, c := range strList(m["prefix_list_ids"]) {
		add("pl:" + c)
	}
	for _, c := range strList(m["security_groups"]) {
		add("sg:" + c)
	}
	if sgField != "" {
		if s := str(m[sgField]); s != "" {
			add("sg:" + s)
		}
	}
	if b, _ := asBool(m["self"]); b {
		add("self")
	}
	return out
}

// sgElements regroups atoms into Terraform's inline rule shape, one element
// per protocol, port range and description.
func sgElements(dir string, atoms []atom) []any {
	type group struct {
		first               atom
		cidr, cidr6, pl, sg []string
		self                bool
	}
	groups := map[string]*group{}
	var order []string
	for _, a := range atoms {
		if a.fields["dir"] != dir {
			continue
		}
		k := strings.Join([]string{str(a.fields["protocol"]), str(a.fields["from_port"]), str(a.fields["to_port"]),
			str(a.fields["description"])}, "|")
		g, ok := groups[k]
		if !ok {
			g = &group{first: a}
			groups[k] = g
			order = append(order, k)
		}
		src := a.fields["source"].(string)
		switch {
		case strings.HasPrefix(src, "cidr:"):
			g.cidr = append(g.cidr, src[5:])
		case strings.HasPrefix(src, "cidr6:"):
			g.cidr6 = append(g.cidr6, src[6:])
		case strings.HasPrefix(src, "pl:"):
			g.pl = append(g.pl, src[3:])
		case strings.HasPrefix(src, "sg:"):
			g.sg = append(g.sg, src[3:])
		case src == "self":
			g.self = true
		}
	}
	sort.Strings(order)
	out := make([]any, 0, len(order))
	for _, k := range order {
		g := groups[k]
		f := g.first.fields
		out = append(out, map[string]any{
			"protocol": f["protocol"], "from_port": f["from_port"], "to_port": f["to_port"],
			"description": f["description"], "cidr_blocks": anyList(g.cidr), "ipv6_cidr_blocks": anyList(g.cidr6),
			"prefix_list_ids": anyList(g.pl), "security_groups": anyList(g.sg), "self": g.self,
		})
	}
	return out
}

// ---- routes ----

var routeTargets = []string{"gateway_id", "nat_gateway_id", "transit_gateway_id", "vpc_peering_connection_id",
	"network_interface_id", "egress_only_gateway_id", "vpc_endpoint_id", "carrier_gateway_id",
	"local_gateway_id", "core_network_arn"}

var routeRelation = relation{
	parentType: "aws_route_table",
	childTypes: map[string]bool{"aws_route": true},
	parentOf:   func(c *resource.Resource) string { return str(c.Attrs["route_table_id"]) },
	childAtoms: func(c *resource.Resource) []atom {
		a := c.Attrs
		dst := firstNonEmpty(str(a["destination_cidr_block"]), str(a["destination_ipv6_cidr_block"]),
			str(a["destination_prefix_list_id"]))
		return []atom{{key: dst, fields: a}}
	},
	parentAtoms: func(p map[string]any) []atom {
		l, _ := p["route"].([]any)
		out := make([]atom, 0, len(l))
		for _, e := range l {
			m, ok := e.(map[string]any)
			if !ok || str(m["gateway_id"]) == "local" {
				continue
			}
			dst := firstNonEmpty(str(m["cidr_block"]), str(m["ipv6_cidr_block"]), str(m["destination_prefix_list_id"]))
			out = append(out, atom{key: dst, fields: m})
		}
		return out
	},
	rebuild: func(p map[string]any, left []atom) map[string]any {
		out := copyAttrs(p)
		l := make([]any, len(left))
		for i, a := range left {
			l[i] = a.fields
		}
		out["route"] = l
		return out
	},
	synth: func(s *resource.Resource, found []atom) *resource.Resource {
		if len(found) == 0 {
			return nil
		}
		attrs := copyAttrs(s.Attrs)
		for _, t := range routeTargets {
			if _, ok := attrs[t]; ok || found[0].fields[t] != nil {
				attrs[t] = found[0].fields[t]
			}
		}
		return synthetic(s, attrs)
	},
}

// ---- IAM policy attachments ----

func iamRelation(parent, child, field string) relation {
	return relation{
		parentType: parent,
		childTypes: map[string]bool{child: true},
		parentOf:   func(c *resource.Resource) string { return str(c.Attrs[field]) },
		childAtoms: func(c *resource.Resource) []atom {
			return []atom{{key: str(c.Attrs["policy_arn"])}}
		},
		parentAtoms: func(p map[string]any) []atom {
			arns := strList(p["managed_policy_arns"])
			out := make([]atom, len(arns))
			for i, a := range arns {
				out[i] = atom{key: a}
			}
			return out
		},
		rebuild: func(p map[string]any, left []atom) map[string]any {
			out := copyAttrs(p)
			arns := make([]string, len(left))
			for i, a := range left {
				arns[i] = a.key
			}
			out["managed_policy_arns"] = anyList(arns)
			return out
		},
		synth: func(s *resource.Resource, found []atom) *resource.Resource {
			if len(found) == 0 {
				return nil
			}
			return synthetic(s, copyAttrs(s.Attrs))
		},
	}
}

// ---- Azure child resources (NSG rules, subnets) ----

// azureChildRelation links an ARM parent whose Terraform resource lists
// its children inline (security_rule, subnet) with the child resources,
// whose ARM ids are the parent's id + segment + name.
func azureChildRelation(parent, attr, child, segment string) relation {
	return relation{
		parentType: parent,
		childTypes: map[string]bool{child: true},
		foldIDs:    true,
		parentOf: func(c *resource.Resource) string {
			i := strings.Index(strings.ToLower(c.ID), strings.ToLower(segment))
			if i < 0 {
				return ""
			}
			return c.ID[:i]
		},
		childAtoms: func(c *resource.Resource) []atom {
			name := str(c.Attrs["name"])
			if name == "" {
				name = c.ID[strings.LastIndex(c.ID, "/")+1:]
			}
			return []atom{{key: strings.ToLower(name), fields: c.Attrs}}
		},
		parentAtoms: func(p map[string]any) []atom {
			l, _ := p[attr].([]any)
			out := make([]atom, 0, len(l))
			for _, e := range l {
				if m, ok := e.(map[string]any); ok {
					out = append(out, atom{key: strings.ToLower(str(m["name"])), fields: m})
				}
			}
			return out
		},
		rebuild: func(p map[string]any, left []atom) map[string]any {
			out := copyAttrs(p)
			l := make([]any, len(left))
			for i, a := range left {
				l[i] = a.fields
			}
			out[attr] = l
			return out
		},
		synth: func(s *resource.Resource, found []atom) *resource.Resource {
			if len(found) == 0 {
				return nil
			}
			attrs := copyAttrs(s.Attrs)
			for k, v := range found[0].fields {
				attrs[k] = v
			}
			return synthetic(s, attrs)
		},
	}
}
