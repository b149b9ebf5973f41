package awssim

import (
	"net/http"
	"strings"
	"time"
)

const stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// sts answers GetCallerIdentity and AssumeRole. An assumed role's
// temporary access key id is the role's account number, so calls signed
// with it land in that account: that is how multi-account discovery is
// simulated.
func (h *handler) sts(rw http.ResponseWriter, c *call) {
	if err := c.r.ParseForm(); err != nil {
		queryError(rw, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	if !queryFault(rw, h.w.Check("aws:sts", c.account)) {
		return
	}
	switch action := c.r.Form.Get("Action"); action {
	case "GetCallerIdentity":
		queryResult(rw, stsNS, action, func(d *doc) {
			d.text("Arn", "arn:aws:iam::"+c.account+":user/awssim")
			d.text("UserId", "AIDAAWSSIM")
			d.text("Account", c.account)
		})
	case "AssumeRole":
		arn := c.r.Form.Get("RoleArn")
		parts := strings.Split(arn, ":")
		if len(parts) < 6 || !accountKey.MatchString(parts[4]) {
			queryError(rw, http.StatusBadRequest, "Sender", "ValidationError", "invalid role arn "+arn)
			return
		}
		if ext := c.r.Form.Get("ExternalId"); strings.HasPrefix(ext, "wrong") {
			queryError(rw, http.StatusForbidden, "Sender", "AccessDenied", "not authorized to perform sts:AssumeRole")
			return
		}
		queryResult(rw, stsNS, action, func(d *doc) {
			d.open("Credentials")
			d.text("AccessKeyId", parts[4])
			d.text("SecretAccessKey", "awssim-secret")
			d.text("SessionToken", "awssim-session")
			d.text("Expiration", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
			d.close("Credentials")
			d.open("AssumedRoleUser")
			d.text("Arn", "arn:aws:sts::"+parts[4]+":assumed-role/"+c.r.Form.Get("RoleSessionName"))
			d.text("AssumedRoleId", "AROAAWSSIM:"+c.r.Form.Get("RoleSessionName"))
			d.close("AssumedRoleUser")
		})
	default:
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+action)
	}
}
