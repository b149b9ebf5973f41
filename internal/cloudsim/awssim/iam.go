package awssim

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

const (
	iamNS   = "https://iam.amazonaws.com/doc/2010-05-08/"
	created = "2024-01-01T00:00:00Z"
)

// iam answers the IAM Query API. IAM is global: every call sees the whole
// account whatever the signing region.
func (h *handler) iam(rw http.ResponseWriter, c *call) {
	if err := c.r.ParseForm(); err != nil {
		queryError(rw, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	if !queryFault(rw, h.w.Check("aws:iam", c.account)) {
		return
	}
	f := c.r.Form
	action := f.Get("Action")
	switch action {
	case "ListUsers":
		h.iamList(rw, c, action, "Users", h.resources(c, "aws_iam_user", true), renderUser)
	case "ListRoles":
		h.iamList(rw, c, action, "Roles", h.resources(c, "aws_iam_role", true), renderRole)
	case "ListGroups":
		h.iamList(rw, c, action, "Groups", h.resources(c, "aws_iam_group", true), renderGroup)
	case "ListPolicies":
		// Only customer managed policies live in the world: Scope=AWS
		// lists nothing.
		var ps []map[string]any
		if f.Get("Scope") != "AWS" {
			ps = h.resources(c, "aws_iam_policy", true)
		}
		h.iamList(rw, c, action, "Policies", ps, renderPolicy)
	case "ListAccessKeys":
		var keys []map[string]any
		for _, k := range h.resources(c, "aws_iam_access_key", true) {
			if str(k, "user") == f.Get("UserName") {
				keys = append(keys, k)
			}
		}
		h.iamList(rw, c, action, "AccessKeyMetadata", keys, renderAccessKey)
	case "ListAttachedRolePolicies":
		role, ok := h.iamFind(rw, c, "aws_iam_role", f.Get("RoleName"))
		if ok {
			h.iamList(rw, c, action, "AttachedPolicies", h.attached(c, role), renderAttached)
		}
	case "ListRolePolicies":
		role, ok := h.iamFind(rw, c, "aws_iam_role", f.Get("RoleName"))
		if ok {
			var names []map[string]any
			for _, p := range list(role, "inline_policy") {
				if n := str(obj(p), "name"); n != "" {
					names = append(names, map[string]any{"name": n})
				}
			}
			h.iamList(rw, c, action, "PolicyNames", names, func(_ *call, d *doc, m map[string]any) {
				_ = xmlEscape(&d.b, str(m, "name"))
			})
		}
	case "GetUser":
		if u, ok := h.iamFind(rw, c, "aws_iam_user", f.Get("UserName")); ok {
			iamResult(rw, action, func(d *doc) { d.open("User"); renderUser(c, d, u); d.close("User") })
		}
	case "GetRole":
		if r, ok := h.iamFind(rw, c, "aws_iam_role", f.Get("RoleName")); ok {
			iamResult(rw, action, func(d *doc) { d.open("Role"); renderRole(c, d, r); d.close("Role") })
		}
	case "GetRolePolicy":
		h.getRolePolicy(rw, c)
	case "GetPolicy":
		if p, ok := h.iamFind(rw, c, "aws_iam_policy", f.Get("PolicyArn")); ok {
			iamResult(rw, action, func(d *doc) { d.open("Policy"); renderPolicy(c, d, p); d.close("Policy") })
		}
	case "GetPolicyVersion":
		if p, ok := h.iamFind(rw, c, "aws_iam_policy", f.Get("PolicyArn")); ok {
			iamResult(rw, action, func(d *doc) {
				d.open("PolicyVersion")
				d.text("Document", url.QueryEscape(str(p, "policy")))
				d.text("VersionId", f.Get("VersionId"))
				d.boolean("IsDefaultVersion", f.Get("VersionId") == "v1")
				d.text("CreateDate", created)
				d.close("PolicyVersion")
			})
		}
	case "GetAccountPasswordPolicy":
		h.getPasswordPolicy(rw, c)
	case "ListInstanceProfiles", "ListInstanceProfileTags", "ListAttachedUserPolicies", "ListAttachedGroupPolicies":
		h.iamMore(rw, c, action)
	default:
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+action)
	}
}

// queryFault answers a fault in the AWS Query error format and reports
// whether the call may go on.
func queryFault(rw http.ResponseWriter, f world.Fault) bool {
	switch f {
	case world.Throttle:
		queryError(rw, http.StatusBadRequest, "Sender", "Throttling", "Rate exceeded")
	case world.Deny:
		queryError(rw, http.StatusForbidden, "Sender", "AccessDenied", "User is not authorized to perform this action")
	case world.Disabled:
		queryError(rw, http.StatusForbidden, "Sender", "OptInRequired", "The AWS Access Key Id needs a subscription for the service")
	default:
		return true
	}
	return false
}

func queryError(rw http.ResponseWriter, status int, typ, code, msg string) {
	var d doc
	d.open("ErrorResponse")
	d.open("Error")
	d.text("Type", typ)
	d.text("Code", code)
	d.text("Message", msg)
	d.close("Error")
	d.text("RequestId", "awssim")
	d.close("ErrorResponse")
	writeXML(rw, status, d.b.String())
}

// queryResult writes <ActionResponse><ActionResult>..</ActionResult>.
func queryResult(rw http.ResponseWriter, ns, action string, body func(d *doc)) {
	var d doc
	d.b.WriteString(`<` + action + `Response xmlns="` + ns + `">`)
	d.open(action + "Result")
	body(&d)
	d.close(action + "Result")
	d.open("ResponseMetadata")
	d.text("RequestId", "awssim")
	d.close("ResponseMetadata")
	d.close(action + "Response")
	writeXML(rw, http.StatusOK, d.b.String())
}

func iamResult(rw http.ResponseWriter, action string, body func(d *doc)) {
	queryResult(rw, iamNS, action, body)
}

func xmlEscape(b *strings.Builder, s string) error {
	var d doc
	d.text("x", s)
	t := d.b.String()
	_, err := b.WriteString(t[len("<x>") : len(t)-len("</x>")])
	return err
}

// iamList pages with Marker and MaxItems as IAM's List calls do.
func (h *handler) iamList(rw http.ResponseWriter, c *call, action, member string, items []map[string]any,
	render func(*call, *doc, map[string]any)) {
	maxItems, _ := strconv.Atoi(c.r.Form.Get("MaxItems"))
	lo, hi, next, ok := page(len(items), c.r.Form.Get("Marker"), maxItems, 100)
	if !ok {
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidInput", "Invalid Marker")
		return
	}
	iamResult(rw, action, func(d *doc) {
		d.open(member)
		for _, m := range items[lo:hi] {
			d.open("member")
			render(c, d, m)
			d.close("member")
		}
		d.close(member)
		d.boolean("IsTruncated", next != "")
		d.opt("Marker", next)
	})
}

// iamFind looks a resource up by its Terraform id, answering NoSuchEntity
// when there is none.
func (h *handler) iamFind(rw http.ResponseWriter, c *call, typ, id string) (map[string]any, bool) {
	for _, m := range h.resources(c, typ, true) {
		if str(m, "id") == id {
			return m, true
		}
	}
	queryError(rw, http.StatusNotFound, "Sender", "NoSuchEntity", fmt.Sprintf("The entity %s cannot be found.", id))
	return nil, false
}

// uniqueID derives a stable IAM unique id from a name.
func uniqueID(prefix, name string) string {
	f := fnv.New64a()
	f.Write([]byte(name))
	return prefix + strings.ToUpper(strconv.FormatUint(f.Sum64(), 36))
}

func iamPath(m map[string]any) string {
	if p := str(m, "path"); p != "" {
		return p
	}
	return "/"
}

func iamTags(d *doc, m map[string]any) {
	tags := tagsOf(m)
	if len(tags) == 0 {
		return
	}
	d.open("Tags")
	for _, t := range tags {
		d.open("member")
		d.text("Key", t[0])
		d.text("Value", t[1])
		d.close("member")
	}
	d.close("Tags")
}

func boundary(d *doc, m map[string]any) {
	if b := str(m, "permissions_boundary"); b != "" {
		d.open("PermissionsBoundary")
		d.text("PermissionsBoundaryType", "Policy")
		d.text("PermissionsBoundaryArn", b)
		d.close("PermissionsBoundary")
	}
}

func renderUser(c *call, d *doc, m map[string]any) {
	name := str(m, "id")
	d.text("Path", iamPath(m))
	d.text("UserName", name)
	d.text("UserId", uniqueID("AIDA", name))
	d.text("Arn", fmt.Sprintf("arn:aws:iam::%s:user%s%s", c.account, iamPath(m), name))
	d.text("CreateDate", created)
	boundary(d, m)
	iamTags(d, m)
}

func renderRole(c *call, d *doc, m map[string]any) {
	name := str(m, "id")
	d.text("Path", iamPath(m))
	d.text("RoleName", name)
	d.text("RoleId", uniqueID("AROA", name))
	d.text("Arn", fmt.Sprintf("arn:aws:iam::%s:role%s%s", c.account, iamPath(m), name))
	d.text("CreateDate", created)
	d.text("AssumeRolePolicyDocument", url.QueryEscape(str(m, "assume_role_policy")))
	d.opt("Description", str(m, "description"))
	msd := num(m, "max_session_duration")
	if msd == 0 {
		msd = 3600
	}
	d.num("MaxSessionDuration", msd)
	boundary(d, m)
	iamTags(d, m)
}

func renderGroup(c *call, d *doc, m map[string]any) {
	name := str(m, "id")
	d.text("Path", iamPath(m))
	d.text("GroupName", name)
	d.text("GroupId", uniqueID("AGPA", name))
	d.text("Arn", fmt.Sprintf("arn:aws:iam::%s:group%s%s", c.account, iamPath(m), name))
	d.text("CreateDate", created)
}

func renderPolicy(_ *call, d *doc, m map[string]any) {
	d.text("PolicyName", str(m, "name"))
	d.text("PolicyId", uniqueID("ANPA", str(m, "id")))
	d.text("Arn", str(m, "id"))
	d.text("Path", iamPath(m))
	d.text("DefaultVersionId", "v1")
	d.num("AttachmentCount", 0)
	d.boolean("IsAttachable", true)
	// The real ListPolicies leaves description and tags out; the lister
	// reads them from GetPolicy, so rendering them here changes nothing.
	d.opt("Description", str(m, "description"))
	d.text("CreateDate", created)
	d.text("UpdateDate", created)
	iamTags(d, m)
}

func renderAccessKey(_ *call, d *doc, m map[string]any) {
	d.text("UserName", str(m, "user"))
	d.text("AccessKeyId", str(m, "id"))
	status := str(m, "status")
	if status == "" {
		status = "Active"
	}
	d.text("Status", status)
	cd := str(m, "create_date")
	if cd == "" {
		cd = created
	}
	d.text("CreateDate", cd)
}

func renderAttached(_ *call, d *doc, m map[string]any) {
	arn := str(m, "arn")
	d.text("PolicyName", arn[strings.LastIndexByte(arn, '/')+1:])
	d.text("PolicyArn", arn)
}

// attached lists a role's managed policies: its managed_policy_arns and
// every aws_iam_role_policy_attachment naming it.
func (h *handler) attached(c *call, role map[string]any) []map[string]any {
	seen := map[string]bool{}
	var out []map[string]any
	add := func(arn string) {
		if arn != "" && !seen[arn] {
			seen[arn] = true
			out = append(out, map[string]any{"arn": arn})
		}
	}
	for _, a := range strs(role, "managed_policy_arns") {
		add(a)
	}
	for _, a := range h.resources(c, "aws_iam_role_policy_attachment", true) {
		if str(a, "role") == str(role, "id") {
			add(str(a, "policy_arn"))
		}
	}
	return out
}

func (h *handler) getRolePolicy(rw http.ResponseWriter, c *call) {
	role, ok := h.iamFind(rw, c, "aws_iam_role", c.r.Form.Get("RoleName"))
	if !ok {
		return
	}
	name := c.r.Form.Get("PolicyName")
	for _, p := range list(role, "inline_policy") {
		if str(obj(p), "name") == name {
			iamResult(rw, "GetRolePolicy", func(d *doc) {
				d.text("RoleName", str(role, "id"))
				d.text("PolicyName", name)
				d.text("PolicyDocument", url.QueryEscape(str(obj(p), "policy")))
			})
			return
		}
	}
	queryError(rw, http.StatusNotFound, "Sender", "NoSuchEntity", "The role policy with name "+name+" cannot be found.")
}

func (h *handler) getPasswordPolicy(rw http.ResponseWriter, c *call) {
	ps := h.resources(c, "aws_iam_account_password_policy", true)
	if len(ps) == 0 {
		queryError(rw, http.StatusNotFound, "Sender", "NoSuchEntity",
			"The Password Policy with domain name "+c.account+" cannot be found.")
		return
	}
	p := ps[0]
	iamResult(rw, "GetAccountPasswordPolicy", func(d *doc) {
		d.open("PasswordPolicy")
		d.num("MinimumPasswordLength", num(p, "minimum_password_length"))
		d.boolean("RequireSymbols", boolean(p, "require_symbols"))
		d.boolean("RequireNumbers", boolean(p, "require_numbers"))
		d.boolean("RequireUppercaseCharacters", boolean(p, "require_uppercase_characters"))
		d.boolean("RequireLowercaseCharacters", boolean(p, "require_lowercase_characters"))
		d.boolean("AllowUsersToChangePassword", boolean(p, "allow_users_to_change_password"))
		d.boolean("ExpirePasswords", num(p, "max_password_age") > 0)
		if v := num(p, "max_password_age"); v > 0 {
			d.num("MaxPasswordAge", v)
		}
		if v := num(p, "password_reuse_prevention"); v > 0 {
			d.num("PasswordReusePrevention", v)
		}
		d.boolean("HardExpiry", boolean(p, "hard_expiry"))
		d.close("PasswordPolicy")
	})
}
