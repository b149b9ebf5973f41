// Package awssim is the simulated cloud's AWS face: an HTTP handler that
// speaks the real AWS wire protocols (EC2 Query, AWS Query, REST-XML) and
// answers from a world.World, so the real aws-sdk-go-v2 clients can be
// pointed at it with a base endpoint and their own deserializers judge
// every answer.
//
// Requests are routed by the SigV4 credential scope of their Authorization
// header (Credential=AKID/DATE/REGION/SERVICE/aws4_request): the service
// and region come from there. The account is the access key id when that
// is 12 digits (so tests pick an account by picking a key), otherwise
// DefaultAccount. Signatures are not verified.
//
// The world holds resources in Terraform's shape; the handlers render them
// the way each API would (IpPermissions, URL-encoded IAM policies, ...).
package awssim

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// DefaultAccount is the account of requests whose access key id is not a
// 12-digit account number.
const DefaultAccount = "123456789012"

// DefaultRegion is used when a request carries no credential scope.
const DefaultRegion = "us-east-1"

// NewHandler returns the AWS simulator answering from w.
func NewHandler(w *world.World) http.Handler {
	return &handler{w: w}
}

type handler struct {
	w *world.World
}

// call is one decoded request.
type call struct {
	service, region, account string
	r                        *http.Request
}

var accountKey = regexp.MustCompile(`^[0-9]{12}$`)

// scope parses the SigV4 credential scope of the Authorization header.
func scope(r *http.Request) (akid, region, service string) {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return "", "", ""
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
}

func (h *handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	akid, region, service := scope(r)
	if region == "" {
		region = DefaultRegion
	}
	c := &call{service: service, region: region, account: DefaultAccount, r: r}
	if accountKey.MatchString(akid) {
		c.account = akid
	}
	if serve, ok := h.dataServices()[service]; ok {
		serve(rw, c)
		return
	}
	if serve, ok := h.restServices()[service]; ok {
		serve(rw, c)
		return
	}
	switch service {
	case "ec2":
		h.ec2(rw, c)
	case "iam":
		h.iam(rw, c)
	case "sts":
		h.sts(rw, c)
	case "s3":
		h.s3(rw, c)
	case "rds":
		h.rds(rw, c)
	case "sns":
		h.sns(rw, c)
	case "elasticloadbalancing":
		h.elbv2(rw, c)
	case "autoscaling":
		h.autoscaling(rw, c)
	case "cloudcontrolapi":
		h.cloudControl(rw, c)
	default:
		http.Error(rw, "awssim: unknown service "+service, http.StatusBadRequest)
	}
}

// resources lists the world's resources of one type visible to the call:
// its account, and its region unless global.
func (h *handler) resources(c *call, typ string, global bool) []map[string]any {
	region := c.region
	if global {
		region = ""
	}
	var out []map[string]any
	for _, r := range h.w.List("aws", typ, c.account, region) {
		a := r.Attrs
		if a == nil {
			a = map[string]any{}
		}
		if _, ok := a["id"]; !ok {
			a["id"] = r.ID
		}
		if len(r.Tags) > 0 {
			if _, ok := a["tags"]; !ok {
				t := map[string]any{}
				for k, v := range r.Tags {
					t[k] = v
				}
				a["tags"] = t
			}
		}
		out = append(out, a)
	}
	return out
}
