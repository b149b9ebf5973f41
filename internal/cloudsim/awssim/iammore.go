package awssim

import (
	"fmt"
	"net/http"
	"net/url"
)

// iamMore answers the IAM calls for instance profiles and for the managed
// policies attached to users and groups (aws_iam_user_policy_attachment
// and aws_iam_group_policy_attachment resources naming them).
func (h *handler) iamMore(rw http.ResponseWriter, c *call, action string) {
	f := c.r.Form
	switch action {
	case "ListInstanceProfiles":
		// Like the real call, the list leaves tags out.
		h.iamList(rw, c, action, "InstanceProfiles", h.resources(c, "aws_iam_instance_profile", true),
			func(c *call, d *doc, m map[string]any) { h.renderInstanceProfile(c, d, m) })
	case "ListInstanceProfileTags":
		if p, ok := h.iamFind(rw, c, "aws_iam_instance_profile", f.Get("InstanceProfileName")); ok {
			var tags []map[string]any
			for _, t := range tagsOf(p) {
				tags = append(tags, map[string]any{"k": t[0], "v": t[1]})
			}
			h.iamList(rw, c, action, "Tags", tags, func(_ *call, d *doc, m map[string]any) {
				d.text("Key", str(m, "k"))
				d.text("Value", str(m, "v"))
			})
		}
	case "ListAttachedUserPolicies":
		if _, ok := h.iamFind(rw, c, "aws_iam_user", f.Get("UserName")); ok {
			h.iamList(rw, c, action, "AttachedPolicies",
				h.attachedTo(c, "aws_iam_user_policy_attachment", "user", f.Get("UserName")), renderAttached)
		}
	case "ListAttachedGroupPolicies":
		if _, ok := h.iamFind(rw, c, "aws_iam_group", f.Get("GroupName")); ok {
			h.iamList(rw, c, action, "AttachedPolicies",
				h.attachedTo(c, "aws_iam_group_policy_attachment", "group", f.Get("GroupName")), renderAttached)
		}
	}
}

// attachedTo lists the policies attachments of typ attach to the principal
// named name under field, once each.
func (h *handler) attachedTo(c *call, typ, field, name string) []map[string]any {
	seen := map[string]bool{}
	var out []map[string]any
	for _, a := range h.resources(c, typ, true) {
		if arn := str(a, "policy_arn"); str(a, field) == name && arn != "" && !seen[arn] {
			seen[arn] = true
			out = append(out, map[string]any{"arn": arn})
		}
	}
	return out
}

// renderInstanceProfile writes an InstanceProfile with its role, read from
// the world when it is there.
func (h *handler) renderInstanceProfile(c *call, d *doc, m map[string]any) {
	name := str(m, "id")
	d.text("Path", iamPath(m))
	d.text("InstanceProfileName", name)
	d.text("InstanceProfileId", uniqueID("AIPA", name))
	d.text("Arn", fmt.Sprintf("arn:aws:iam::%s:instance-profile%s%s", c.account, iamPath(m), name))
	d.text("CreateDate", created)
	d.open("Roles")
	if role := str(m, "role"); role != "" {
		r := map[string]any{"id": role}
		for _, w := range h.resources(c, "aws_iam_role", true) {
			if str(w, "id") == role {
				r = w
			}
		}
		d.open("member")
		d.text("Path", iamPath(r))
		d.text("RoleName", role)
		d.text("RoleId", uniqueID("AROA", role))
		d.text("Arn", fmt.Sprintf("arn:aws:iam::%s:role%s%s", c.account, iamPath(r), role))
		d.text("CreateDate", created)
		d.opt("AssumeRolePolicyDocument", url.QueryEscape(str(r, "assume_role_policy")))
		d.close("member")
	}
	d.close("Roles")
}
