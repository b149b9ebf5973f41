package awssim

import (
	"encoding/json"
	"net/http"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// restServices are the DNS, CDN, function and Kubernetes services (Route
// 53 and CloudFront in REST-XML, Lambda and EKS in REST-JSON), by SigV4
// service name.
func (h *handler) restServices() map[string]func(http.ResponseWriter, *call) {
	return map[string]func(http.ResponseWriter, *call){
		"route53":    h.route53,
		"cloudfront": h.cloudfront,
		"lambda":     h.lambda,
		"eks":        h.eks,
	}
}

// restJSONService describes how one REST-JSON service answers injected
// faults: the codes and the status of throttling (Lambda answers 429,
// most others 400).
type restJSONService struct {
	name           string // fault key: "lambda" checks "aws:lambda"
	throttle       string
	throttleStatus int
	deny, disabled string
}

// fault answers an injected fault and reports whether the call may go on.
func (s *restJSONService) fault(rw http.ResponseWriter, w *world.World, c *call) bool {
	switch w.Check("aws:"+s.name, c.account) {
	case world.Throttle:
		restJSONError(rw, s.throttleStatus, s.throttle, "Rate exceeded")
	case world.Deny:
		restJSONError(rw, http.StatusForbidden, s.deny, "User is not authorized to perform: "+s.name+" action")
	case world.Disabled:
		restJSONError(rw, http.StatusForbidden, s.disabled, "The AWS access key id needs a subscription for the service")
	default:
		return true
	}
	return false
}

// restJSONError writes a REST-JSON error: the code in X-Amzn-ErrorType
// (which the SDK reads first) and {"Type": "User", "message": ...}.
func restJSONError(rw http.ResponseWriter, status int, code, msg string) {
	typ := "User"
	if status >= 500 {
		typ = "Service"
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("X-Amzn-ErrorType", code)
	rw.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"Type": typ, "message": msg})
	_, _ = rw.Write(b)
}

// restJSONReply writes a successful REST-JSON answer.
func restJSONReply(rw http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		restJSONError(rw, http.StatusInternalServerError, "ServiceException", err.Error())
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(http.StatusOK)
	_, _ = rw.Write(b)
}

// restXMLResult writes a REST-XML answer under root in namespace ns.
func restXMLResult(rw http.ResponseWriter, ns, root string, body func(d *doc)) {
	var d doc
	d.b.WriteString(`<` + root + ` xmlns="` + ns + `">`)
	body(&d)
	d.close(root)
	writeXML(rw, http.StatusOK, d.b.String())
}

// anyList renders strings as a JSON list that is never null.
func anyList(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
