package scan

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// A policy document as IAM reads it: Statement may be one object or a
// list, and Action, Resource and Principal a string or a list.
type policyDoc struct {
	Statements []statement
}

type statement struct {
	Index        int
	Effect       string
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
	Principals   []string // "*" or "AWS:arn", "Service:..."
	NotPrincipal bool
	Condition    map[string]any
}

// parsePolicy reads a JSON policy document; IAM may hand it URL-encoded.
func parsePolicy(s string) (*policyDoc, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if !strings.HasPrefix(s, "{") {
		if u, err := url.QueryUnescape(s); err == nil {
			s = u
		}
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, false
	}
	doc := &policyDoc{}
	var sts []any
	switch t := raw["Statement"].(type) {
	case []any:
		sts = t
	case map[string]any:
		sts = []any{t}
	}
	for i, e := range sts {
		m := obj(e)
		if m == nil {
			continue
		}
		st := statement{Index: i, Effect: str(m["Effect"]), Actions: strs(m["Action"]), NotActions: strs(m["NotAction"]),
			Resources: strs(m["Resource"]), NotResources: strs(m["NotResource"]), Condition: obj(m["Condition"])}
		p, np := m["Principal"], m["NotPrincipal"]
		if np != nil {
			p, st.NotPrincipal = np, true
		}
		switch t := p.(type) {
		case string:
			st.Principals = []string{t}
		case map[string]any:
			for _, k := range resource.SortedKeys(t) {
				for _, v := range strs(t[k]) {
					st.Principals = append(st.Principals, k+":"+v)
				}
			}
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, true
}

func (s statement) allow() bool { return strings.EqualFold(s.Effect, "Allow") }

// wildMatch matches an IAM pattern with * and ? against a name,
// case-insensitively, as IAM matches actions.
func wildMatch(pattern, name string) bool {
	p, n := strings.ToLower(pattern), strings.ToLower(name)
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			if p == "" {
				return true
			}
			for i := 0; i <= len(n); i++ {
				if wildMatch(p, n[i:]) {
					return true
				}
			}
			return false
		case '?':
			if n == "" {
				return false
			}
		default:
			if n == "" || p[0] != n[0] {
				return false
			}
		}
		p, n = p[1:], n[1:]
	}
	return n == ""
}

// grants reports whether the statement's action list covers action.
func (s statement) grants(action string) bool {
	if len(s.NotActions) > 0 {
		for _, a := range s.NotActions {
			if wildMatch(a, action) {
				return false
			}
		}
		return true
	}
	for _, a := range s.Actions {
		if wildMatch(a, action) {
			return true
		}
	}
	return false
}

func (s statement) anyResource() bool {
	if len(s.NotResources) > 0 {
		return true
	}
	for _, r := range s.Resources {
		if r == "*" {
			return true
		}
	}
	return false
}

// allowed reports whether the document allows action (on any resource),
// and by which statement; an unconditional Deny on * wins.
func (d *policyDoc) allowed(action string) (statement, bool) {
	for _, s := range d.Statements {
		if !s.allow() && s.grants(action) && s.anyResource() && len(s.Condition) == 0 {
			return statement{}, false
		}
	}
	for _, s := range d.Statements {
		if s.allow() && s.grants(action) {
			return s, true
		}
	}
	return statement{}, false
}

// restrictingKeys are condition keys that pin a public principal to
// known callers; a condition on anything else (aws:SecureTransport, say)
// leaves the statement public.
var restrictingKeys = []string{"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:principalorgid",
	"aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip",
	"aws:userid", "aws:username", "sts:externalid", "kms:calleraccount", "kms:viaservice", "aws:resourceorgid",
	"s3:dataaccesspointaccount", "aws:sourceorgid", "lambda:functionurlauthtype", "cognito-identity.amazonaws.com:aud"}

func (s statement) restricted() bool {
	for _, ops := range s.Condition {
		for k := range obj(ops) {
			lk := strings.ToLower(k)
			for _, r := range restrictingKeys {
				if lk == r {
					return true
				}
			}
		}
	}
	return false
}

// public reports whether an Allow statement grants to everyone.
func (s statement) public() bool {
	if !s.allow() || s.NotPrincipal {
		return s.allow() && s.NotPrincipal && !s.restricted()
	}
	for _, p := range s.Principals {
		if p == "*" || p == "AWS:*" || p == "CanonicalUser:*" {
			return !s.restricted()
		}
	}
	return false
}

// policySource is one policy document carried by a resource.
type policySource struct {
	path resource.Path // where the document lives, e.g. inline_policy[0].policy
	doc  *policyDoc
}

// identityPolicies returns the identity-based policy documents of an IAM
// resource.
func identityPolicies(r *resource.Resource) []policySource {
	var out []policySource
	switch r.Type {
	case "aws_iam_role", "aws_iam_user", "aws_iam_group":
		for i, e := range list(r.Attrs["inline_policy"]) {
			if d, ok := parsePolicy(str(obj(e)["policy"])); ok {
				out = append(out, policySource{path: path("inline_policy").Index(i).Field("policy"), doc: d})
			}
		}
	default:
		if d, ok := parsePolicy(str(r.Attrs["policy"])); ok {
			out = append(out, policySource{path: "policy", doc: d})
		}
	}
	return out
}

var identityPolicyTypes = []string{"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role", "aws_iam_user", "aws_iam_group"}

func stPath(base resource.Path, s statement, field string) resource.Path {
	return base.Field("Statement").Index(s.Index).Field(field)
}

func actionEvidence(subject *resource.Resource, src policySource, s statement) Evidence {
	if len(s.NotActions) > 0 {
		return ev(subject, subject, stPath(src.path, s, "NotAction"), strings.Join(s.NotActions, ","))
	}
	return ev(subject, subject, stPath(src.path, s, "Action"), strings.Join(s.Actions, ","))
}

// adminPolicy fails documents that allow "*" on "*".
func adminPolicy(_ *Index, r *resource.Resource) *Outcome {
	srcs := identityPolicies(r)
	if len(srcs) == 0 {
		return nil
	}
	var bad []Evidence
	for _, src := range srcs {
		for _, s := range src.doc.Statements {
			if s.allow() && len(s.Condition) == 0 && s.anyResource() && s.grants("*") && (len(s.NotActions) > 0 || hasExact(s.Actions, "*")) {
				bad = append(bad, actionEvidence(r, src, s), ev(r, r, stPath(src.path, s, "Resource"), strings.Join(s.Resources, ",")))
			}
		}
	}
	if len(bad) > 0 {
		return fail("policy allows every action on every resource (\"*\" on \"*\")", bad...)
	}
	return pass("no statement allows \"*\" on \"*\"", policyPaths(r, srcs)...)
}

// serviceWildcard fails documents that allow service:* on "*".
func serviceWildcard(_ *Index, r *resource.Resource) *Outcome {
	srcs := identityPolicies(r)
	if len(srcs) == 0 {
		return nil
	}
	var bad []Evidence
	var names []string
	for _, src := range srcs {
		for _, s := range src.doc.Statements {
			if !s.allow() || !s.anyResource() || len(s.Condition) > 0 {
				continue
			}
			for _, a := range s.Actions {
				if a != "*" && strings.HasSuffix(a, ":*") {
					bad = append(bad, ev(r, r, stPath(src.path, s, "Action"), a))
					names = append(names, a)
				}
			}
		}
	}
	if len(bad) > 0 {
		return failf(bad, "policy allows every action of a service on every resource: %s", strings.Join(names, ", "))
	}
	return pass("no statement allows a service wildcard on \"*\"", policyPaths(r, srcs)...)
}

func hasExact(ss []string, v string) bool {
	for _, s := range ss {
		if s == v {
			return true
		}
	}
	return false
}

func policyPaths(r *resource.Resource, srcs []policySource) []Evidence {
	var out []Evidence
	for _, src := range srcs {
		out = append(out, ev(r, r, src.path, "statements: "+itoa(len(src.doc.Statements))))
	}
	return out
}

// escalations are the classic IAM privilege-escalation paths (Rhino
// Security Labs' list): holding every action of one set lets a principal
// raise its own privileges.
var escalations = [][]string{
	{"iam:CreatePolicyVersion"},
	{"iam:SetDefaultPolicyVersion"},
	{"iam:CreateAccessKey"},
	{"iam:CreateLoginProfile"},
	{"iam:UpdateLoginProfile"},
	{"iam:AttachUserPolicy"},
	{"iam:AttachGroupPolicy"},
	{"iam:AttachRolePolicy"},
	{"iam:PutUserPolicy"},
	{"iam:PutGroupPolicy"},
	{"iam:PutRolePolicy"},
	{"iam:AddUserToGroup"},
	{"iam:UpdateAssumeRolePolicy", "sts:AssumeRole"},
	{"iam:PassRole", "ec2:RunInstances"},
	{"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"},
	{"iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"},
	{"lambda:UpdateFunctionCode"},
	{"iam:PassRole", "glue:CreateDevEndpoint"},
	{"glue:UpdateDevEndpoint"},
	{"iam:PassRole", "cloudformation:CreateStack"},
	{"iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"},
	{"iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"},
	{"iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"},
	{"iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"},
}

func privEsc(_ *Index, r *resource.Resource) *Outcome {
	srcs := identityPolicies(r)
	if len(srcs) == 0 {
		return nil
	}
	var bad []Evidence
	var paths []string
	seen := map[resource.Path]bool{}
	admin := 0
	for _, src := range srcs {
		if isAdmin(src.doc) {
			admin++ // full admin is DM-AWS-IAM-010's finding
			continue
		}
		for _, combo := range escalations {
			var sts []statement
			for _, a := range combo {
				s, ok := src.doc.allowed(a)
				if !ok {
					sts = nil
					break
				}
				sts = append(sts, s)
			}
			if sts == nil {
				continue
			}
			paths = append(paths, strings.Join(combo, " + "))
			for _, s := range sts {
				e := actionEvidence(r, src, s)
				if !seen[e.Path] {
					seen[e.Path] = true
					bad = append(bad, e)
				}
			}
		}
	}
	if admin == len(srcs) {
		return nil
	}
	if len(bad) > 0 {
		sort.Strings(paths)
		return failf(bad, "policy allows privilege escalation: %s", strings.Join(paths, "; "))
	}
	return pass("no privilege-escalation combination allowed", policyPaths(r, srcs)...)
}

// publicPolicy judges a resource policy at attr for public statements.
func publicPolicy(r *resource.Resource, attr string) *Outcome {
	d, ok := parsePolicy(str(r.Attrs[attr]))
	if !ok {
		return nil
	}
	var bad []Evidence
	for _, s := range d.Statements {
		if s.public() {
			field := "Principal"
			if s.NotPrincipal {
				field = "NotPrincipal"
			}
			bad = append(bad, ev(r, r, stPath(path(attr), s, field), strings.Join(s.Principals, ",")),
				ev(r, r, stPath(path(attr), s, "Condition"), conditionKeys(s)))
		}
	}
	if len(bad) > 0 {
		return fail("policy grants access to any principal (\"*\") without a restricting condition", bad...)
	}
	return pass("no statement grants access to any principal without a restricting condition", ev(r, r, path(attr), "statements: "+itoa(len(d.Statements))))
}

func conditionKeys(s statement) any {
	var ks []string
	for op, m := range s.Condition {
		for k := range obj(m) {
			ks = append(ks, op+":"+k)
		}
	}
	if ks == nil {
		return nil
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func isAdmin(d *policyDoc) bool {
	for _, s := range d.Statements {
		if s.allow() && len(s.Condition) == 0 && s.anyResource() && len(s.NotActions) == 0 && hasExact(s.Actions, "*") {
			return true
		}
	}
	return false
}
