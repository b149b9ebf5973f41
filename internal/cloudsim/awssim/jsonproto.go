package awssim

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// jsonService describes one service speaking the AWS JSON 1.0 or 1.1
// protocol: every call is a POST whose X-Amz-Target header names
// "Prefix.Operation", with a JSON body and a JSON answer.
type jsonService struct {
	name      string // SigV4 service and fault key: "kms" checks "aws:kms"
	namespace string // shape namespace of error types, "com.amazonaws.kms"
	version   string // "1.0" or "1.1"
	// Error codes for injected faults.
	throttle, deny, disabled string
}

// jsonCall is one decoded JSON protocol request.
type jsonCall struct {
	*call
	op  string
	in  map[string]any
	rw  http.ResponseWriter
	svc *jsonService
}

// serveJSON decodes a JSON protocol call, answers injected faults, and
// hands the rest to ops by operation name.
func (h *handler) serveJSON(rw http.ResponseWriter, c *call, svc *jsonService, ops map[string]func(*jsonCall)) {
	j := &jsonCall{call: c, rw: rw, svc: svc}
	target := c.r.Header.Get("X-Amz-Target")
	_, j.op, _ = strings.Cut(target, ".")
	if err := json.NewDecoder(c.r.Body).Decode(&j.in); err != nil || c.r.Method != http.MethodPost {
		j.fail("SerializationException", "awssim: cannot decode the request body")
		return
	}
	switch h.w.Check("aws:"+svc.name, c.account) {
	case world.Throttle:
		j.fail(svc.throttle, "Rate exceeded")
		return
	case world.Deny:
		j.fail(svc.deny, "User is not authorized to perform: "+svc.name+":"+j.op)
		return
	case world.Disabled:
		j.fail(svc.disabled, "The AWS access key id needs a subscription for the service")
		return
	}
	op, ok := ops[j.op]
	if !ok {
		j.fail("UnknownOperationException", "awssim: unknown operation "+target)
		return
	}
	op(j)
}

// reply writes a successful answer.
func (j *jsonCall) reply(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		j.fail("InternalFailure", err.Error())
		return
	}
	j.rw.Header().Set("Content-Type", "application/x-amz-json-"+j.svc.version)
	j.rw.WriteHeader(http.StatusOK)
	_, _ = j.rw.Write(b)
}

// fail writes a JSON protocol error: {"__type": "namespace#Code",
// "message": ...}, status 400 as AWS answers client errors (and
// throttling) in this protocol.
func (j *jsonCall) fail(code, msg string) {
	j.rw.Header().Set("Content-Type", "application/x-amz-json-"+j.svc.version)
	j.rw.Header().Set("X-Amzn-ErrorType", code)
	j.rw.WriteHeader(http.StatusBadRequest)
	b, _ := json.Marshal(map[string]string{"__type": j.svc.namespace + "#" + code, "message": msg})
	_, _ = j.rw.Write(b)
}

// str reads a string member of the request.
func (j *jsonCall) str(k string) string { return str(j.in, k) }

// limit reads a page size member of the request.
func (j *jsonCall) limit(k string) int { return int(num(j.in, k)) }

// page cuts one page of n items by the offset token in member tok,
// answering code (the service's invalid-token error) on a bad token.
func (j *jsonCall) page(n int, tok, lim string, def int, code string) (lo, hi int, next string, ok bool) {
	lo, hi, next, ok = page(n, j.str(tok), j.limit(lim), def)
	if !ok {
		j.fail(code, "Invalid pagination token")
	}
	return lo, hi, next, ok
}
