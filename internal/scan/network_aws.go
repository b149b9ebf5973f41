package scan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// An sgRule is one ingress permission of a security group, from an inline
// block or a separate rule resource, with where it was read.
type sgRule struct {
	from, to int
	proto    string // normalized: "tcp", "udp", "icmp", "-1"
	cidrs    []string
	res      *resource.Resource
	base     resource.Path // the rule's path: ingress[1], or "" for a rule resource
	cidrPath map[string]resource.Path
}

func (r sgRule) covers(port int) bool {
	if r.proto == "-1" {
		return true
	}
	return (r.proto == "tcp" || r.proto == "udp") && r.from <= port && port <= r.to
}

// atom identifies one (protocol, ports, source) permission.
func (r sgRule) atom(cidr string) string {
	if r.proto == "-1" {
		return "all " + cidr
	}
	return fmt.Sprintf("%s %d-%d %s", r.proto, r.from, r.to, cidr)
}

func (r sgRule) allPorts() bool {
	return r.proto == "-1" || (r.proto == "tcp" || r.proto == "udp") && r.from <= 0 && r.to >= 65535
}

func normProto(p string) string {
	switch strings.ToLower(p) {
	case "-1", "all", "":
		return "-1"
	case "6", "tcp":
		return "tcp"
	case "17", "udp":
		return "udp"
	case "1", "icmp":
		return "icmp"
	}
	return strings.ToLower(p)
}

func isWorld(c string) bool { return c == "0.0.0.0/0" || c == "::/0" }

func portNum(v any) int {
	f, _ := number(v)
	return int(f)
}

// sgIngress gathers the ingress rules of a security group: inline
// `ingress` blocks and aws_security_group_rule / aws_vpc_security_group_
// ingress_rule resources naming it.
func sgIngress(ix *Index, sg *resource.Resource) []sgRule {
	var out []sgRule
	for i, e := range list(sg.Attrs["ingress"]) {
		m := obj(e)
		if m == nil {
			continue
		}
		base := path("ingress").Index(i)
		out = append(out, blockRule(sg, base, m, "protocol"))
	}
	for _, rr := range ix.Related("aws_security_group_rule", "security_group_id", sg) {
		if str(rr.Attrs["type"]) != "ingress" {
			continue
		}
		out = append(out, blockRule(rr, "", rr.Attrs, "protocol"))
	}
	for _, rr := range ix.Related("aws_vpc_security_group_ingress_rule", "security_group_id", sg) {
		out = append(out, vpcRule(rr))
	}
	return out
}

func blockRule(r *resource.Resource, base resource.Path, m map[string]any, protoAttr string) sgRule {
	rule := sgRule{from: portNum(m["from_port"]), to: portNum(m["to_port"]), proto: normProto(str(m[protoAttr])),
		res: r, base: base, cidrPath: map[string]resource.Path{}}
	for _, attr := range []string{"cidr_blocks", "ipv6_cidr_blocks"} {
		for j, c := range list(m[attr]) {
			s := str(c)
			rule.cidrs = append(rule.cidrs, s)
			rule.cidrPath[s] = base.Field(attr).Index(j)
			if base == "" {
				rule.cidrPath[s] = path(attr).Index(j)
			}
		}
	}
	return rule
}

func vpcRule(r *resource.Resource) sgRule {
	rule := sgRule{from: portNum(r.Attrs["from_port"]), to: portNum(r.Attrs["to_port"]),
		proto: normProto(str(r.Attrs["ip_protocol"])), res: r, cidrPath: map[string]resource.Path{}}
	if rule.proto == "-1" {
		rule.from, rule.to = 0, 65535
	}
	for _, attr := range []string{"cidr_ipv4", "cidr_ipv6"} {
		if s := str(r.Attrs[attr]); s != "" {
			rule.cidrs = append(rule.cidrs, s)
			rule.cidrPath[s] = path(attr)
		}
	}
	return rule
}

// ruleName renders a rule for messages: "ingress[1] tcp 22-22".
func (r sgRule) name() string {
	ports := fmt.Sprintf("%d-%d", r.from, r.to)
	if r.from == r.to {
		ports = fmt.Sprint(r.from)
	}
	proto := r.proto
	if proto == "-1" {
		proto, ports = "all protocols", "all ports"
	}
	where := string(r.base)
	if where == "" {
		where = r.res.Type + "." + r.res.ID
	}
	return where + " (" + proto + " " + ports + ")"
}

// sgOpen judges whether any ingress rule lets the world reach what match
// accepts. Rules on separate resources are evidence about those resources.
func sgOpen(what string, match func(sgRule) bool) func(*Index, *resource.Resource) *Outcome {
	return func(ix *Index, r *resource.Resource) *Outcome {
		sg := r
		if r.Type != "aws_security_group" && r.Type != "aws_default_security_group" {
			// A rule resource is judged on its own only when its group
			// is not in the inventory; otherwise the group's result
			// covers it.
			gid := str(r.Attrs["security_group_id"])
			if len(ix.By("aws_security_group", "id", gid)) > 0 || len(ix.By("aws_default_security_group", "id", gid)) > 0 {
				return nil
			}
			if r.Type == "aws_security_group_rule" && str(r.Attrs["type"]) != "ingress" {
				return nil
			}
		}
		var rules []sgRule
		if sg.Type == "aws_security_group_rule" {
			rules = []sgRule{blockRule(sg, "", sg.Attrs, "protocol")}
		} else if sg.Type == "aws_vpc_security_group_ingress_rule" {
			rules = []sgRule{vpcRule(sg)}
		} else {
			rules = sgIngress(ix, sg)
		}
		// Live discovery lists each rule twice: inline on the group and as
		// its own aws_vpc_security_group_ingress_rule. The rule resource
		// is the one with an identity, so it alone is cited.
		separate := map[string]bool{}
		for _, rule := range rules {
			if rule.base == "" {
				for _, c := range rule.cidrs {
					separate[rule.atom(c)] = true
				}
			}
		}
		var bad []Evidence
		var names []string
		for _, rule := range rules {
			if !match(rule) {
				continue
			}
			for _, c := range rule.cidrs {
				if rule.base != "" && separate[rule.atom(c)] {
					continue
				}
				if isWorld(c) {
					bad = append(bad, ev(sg, rule.res, rule.cidrPath[c], c))
					names = append(names, rule.name()+" admits "+c+" to "+what)
				}
			}
		}
		if len(bad) > 0 {
			return failf(bad, "%s", strings.Join(names, "; "))
		}
		return pass(fmt.Sprintf("no ingress rule opens %s to 0.0.0.0/0 or ::/0 (%s checked)", what, plural(len(rules), "ingress rule")),
			ruleSummary(sg, rules)...)
	}
}

// ruleSummary is the evidence of a pass: every ingress source checked.
func ruleSummary(sg *resource.Resource, rules []sgRule) []Evidence {
	var out []Evidence
	for _, rule := range rules {
		if len(rule.cidrs) == 0 {
			continue
		}
		p := rule.base.Field("cidr_blocks")
		if rule.base == "" {
			p = rule.cidrPath[rule.cidrs[0]]
		}
		cs := append([]string(nil), rule.cidrs...)
		sort.Strings(cs)
		out = append(out, ev(sg, rule.res, p, strings.Join(cs, ",")))
	}
	if out == nil {
		out = []Evidence{{Path: "ingress", Value: plural(len(rules), "rule")}}
	}
	return out
}

var sgTypes = []string{"aws_security_group", "aws_default_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"}

func init() {
	register(
		&Check{ID: "DM-AWS-EC2-001", Title: "Security group allows ingress from 0.0.0.0/0 or ::/0 to SSH (port 22)",
			Severity: High, Provider: "aws", Types: sgTypes,
			Rationale:   "SSH open to the internet invites brute force and exploitation of the SSH daemon; administration should come from known ranges, a bastion or Session Manager.",
			Remediation: "Restrict the rule's source to known CIDR ranges or a bastion's security group, or remove it and use SSM Session Manager.",
			Terraform:   "ingress { from_port = 22  to_port = 22  protocol = \"tcp\"  cidr_blocks = [\"10.0.0.0/8\"] }  # not 0.0.0.0/0 / ::/0",
			Refs: Refs{CIS: cis(CISAWS, "5.2", "5.3"), Checkov: []string{"CKV_AWS_24"},
				Prowler: []string{"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"}, SecurityHub: []string{"EC2.13", "EC2.53", "EC2.54"}},
			Weakened: "opened port 22 to the world",
			Eval:     sgOpen("port 22", func(r sgRule) bool { return r.covers(22) && r.proto != "udp" })},
		&Check{ID: "DM-AWS-EC2-002", Title: "Security group allows ingress from 0.0.0.0/0 or ::/0 to RDP (port 3389)",
			Severity: High, Provider: "aws", Types: sgTypes,
			Rationale:   "RDP open to the internet is a leading ransomware entry point.",
			Remediation: "Restrict the rule's source to known CIDR ranges or remove it and use Fleet Manager / a bastion.",
			Terraform:   "ingress { from_port = 3389  to_port = 3389  protocol = \"tcp\"  cidr_blocks = [\"10.0.0.0/8\"] }",
			Refs: Refs{CIS: cis(CISAWS, "5.2", "5.3"), Checkov: []string{"CKV_AWS_25"},
				Prowler: []string{"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389"}, SecurityHub: []string{"EC2.14", "EC2.53", "EC2.54"}},
			Weakened: "opened port 3389 to the world",
			Eval:     sgOpen("port 3389", func(r sgRule) bool { return r.covers(3389) })},
		&Check{ID: "DM-AWS-EC2-003", Title: "Security group allows ingress from 0.0.0.0/0 or ::/0 to all ports",
			Severity: Critical, Provider: "aws", Types: sgTypes,
			Rationale:   "A rule for every port and protocol from anywhere exposes every service the instances run.",
			Remediation: "Replace the rule with rules for the specific ports the service needs.",
			Terraform:   "ingress { from_port = 443  to_port = 443  protocol = \"tcp\"  cidr_blocks = [\"0.0.0.0/0\"] }  # instead of protocol = \"-1\"",
			Refs: Refs{CIS: cis(CISAWS, "5.2", "5.3"), Checkov: []string{"CKV_AWS_277"},
				Prowler: []string{"ec2_securitygroup_allow_ingress_from_internet_to_all_ports"}, SecurityHub: []string{"EC2.18", "EC2.19"}},
			Weakened: "opened every port to the world",
			Eval:     sgOpen("all ports", func(r sgRule) bool { return r.allPorts() })},
		&Check{ID: "DM-AWS-EC2-004", Title: "Default security group restricts all traffic",
			Severity: Medium, Provider: "aws", Types: []string{"aws_security_group", "aws_default_security_group"},
			Rationale:   "Resources launched without a group land in the VPC's default group; with no rules, that mistake isolates them instead of exposing them.",
			Remediation: "Remove every ingress and egress rule from each VPC's default security group; manage it with aws_default_security_group and no rule blocks.",
			Terraform:   "resource \"aws_default_security_group\" \"default\" { vpc_id = aws_vpc.main.id }  # no ingress/egress blocks",
			Refs: Refs{CIS: cis(CISAWS, "5.4"), Checkov: []string{"CKV2_AWS_12"},
				Prowler: []string{"ec2_securitygroup_default_restrict_traffic"}, SecurityHub: []string{"EC2.2"}},
			Weakened: "added rules to a default security group",
			Eval:     defaultSG},
		&Check{ID: "DM-AWS-EC2-005", Title: "Network ACL allows ingress from 0.0.0.0/0 to SSH or RDP",
			Severity: Medium, Provider: "aws", Types: []string{"aws_network_acl", "aws_default_network_acl"},
			Rationale:   "NACLs are the subnet-wide layer of defence; an allow for administration ports from anywhere leaves only security groups in the way.",
			Remediation: "Add a lower-numbered deny for ports 22 and 3389 from 0.0.0.0/0 and ::/0, or narrow the allowing rule's CIDR.",
			Terraform:   "ingress { rule_no = 90  action = \"deny\"  protocol = \"tcp\"  from_port = 22  to_port = 22  cidr_block = \"0.0.0.0/0\" }",
			Refs: Refs{CIS: cis(CISAWS, "5.1"), Checkov: []string{"CKV_AWS_231", "CKV_AWS_232"},
				Prowler: []string{"ec2_networkacl_allow_ingress_tcp_port_22", "ec2_networkacl_allow_ingress_tcp_port_3389"}, SecurityHub: []string{"EC2.21"}},
			Weakened: "let SSH or RDP through a network ACL from the world",
			Eval:     naclOpen},
	)
}

func defaultSG(ix *Index, r *resource.Resource) *Outcome {
	if r.Type == "aws_security_group" && str(r.Attrs["name"]) != "default" {
		return nil
	}
	var e []Evidence
	for _, dir := range []string{"ingress", "egress"} {
		if n := len(list(r.Attrs[dir])); n > 0 {
			e = append(e, ev(r, r, path(dir), plural(n, "rule")))
		}
	}
	for _, rr := range ix.Related("aws_security_group_rule", "security_group_id", r) {
		e = append(e, ev(r, rr, "type", str(rr.Attrs["type"])))
	}
	for _, t := range []string{"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"} {
		for _, rr := range ix.Related(t, "security_group_id", r) {
			e = append(e, ev(r, rr, "security_group_id", r.ID))
		}
	}
	if len(e) > 0 {
		return failf(e, "the default security group has %s", plural(len(e), "rule"))
	}
	return pass("the default security group has no rules", ev(r, r, "ingress", "0 rules"), ev(r, r, "egress", "0 rules"))
}

// naclOpen evaluates the NACL the way AWS does: for traffic from the
// world to a port, the lowest-numbered matching rule decides.
func naclOpen(_ *Index, r *resource.Resource) *Outcome {
	type entry struct {
		no     float64
		allow  bool
		m      map[string]any
		i      int
		cidrAt string
	}
	var es []entry
	for i, e := range list(r.Attrs["ingress"]) {
		m := obj(e)
		if m == nil {
			continue
		}
		no, _ := number(m["rule_no"])
		for _, a := range []string{"cidr_block", "ipv6_cidr_block"} {
			if isWorld(str(m[a])) {
				es = append(es, entry{no: no, allow: strings.EqualFold(str(m["action"]), "allow"), m: m, i: i, cidrAt: a})
			}
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].no < es[j].no })
	var bad, good []Evidence
	var names []string
	for _, port := range []int{22, 3389} {
		for _, e := range es {
			rule := sgRule{from: portNum(e.m["from_port"]), to: portNum(e.m["to_port"]), proto: normProto(str(e.m["protocol"]))}
			if !rule.covers(port) {
				continue
			}
			p := path("ingress").Index(e.i)
			if e.allow {
				bad = append(bad, ev(r, r, p.Field("action"), str(e.m["action"])), ev(r, r, p.Field(e.cidrAt), str(e.m[e.cidrAt])))
				names = append(names, fmt.Sprintf("port %d allowed by rule %v", port, e.no))
			} else {
				good = append(good, ev(r, r, p.Field("action"), str(e.m["action"])))
			}
			break
		}
	}
	if len(bad) > 0 {
		return failf(bad, "network ACL lets the world reach %s", strings.Join(names, ", "))
	}
	if good == nil {
		good = []Evidence{ev(r, r, "ingress", fmt.Sprintf("%d rules, none allowing 22/3389 from 0.0.0.0/0", len(list(r.Attrs["ingress"]))))}
	}
	return pass("no rule lets the world reach port 22 or 3389", good...)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
