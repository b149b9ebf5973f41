package awssim

import (
	"io"
	"math"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
)

// cborService describes one service speaking Smithy RPC v2 CBOR: every
// call is a POST to /service/{Service}/operation/{Operation} with the
// header Smithy-Protocol: rpc-v2-cbor and a CBOR map body, answered in
// CBOR. Services that moved from AWS Query (awsQueryCompatible, like
// CloudWatch) also carry the Query error code in X-Amzn-Query-Error.
//
// CBOR is read and written with smithy-go's encoding/cbor, the codec the
// SDK itself is built on (its API is marked unstable, which matters little
// for a test double pinned to the same smithy-go as the client).
type cborService struct {
	name      string // SigV4 service and fault key: "monitoring" checks "aws:monitoring"
	namespace string // shape namespace of error types, "com.amazonaws.cloudwatch"
}

// cborCall is one decoded RPC v2 CBOR request.
type cborCall struct {
	*call
	op  string
	in  map[string]any
	rw  http.ResponseWriter
	svc *cborService
}

// serveCBOR decodes an RPC v2 CBOR call, answers injected faults, and
// hands the rest to ops by operation name.
func (h *handler) serveCBOR(rw http.ResponseWriter, c *call, svc *cborService, ops map[string]func(*cborCall)) {
	j := &cborCall{call: c, rw: rw, svc: svc, op: path.Base(c.r.URL.Path), in: map[string]any{}}
	if c.r.Method != http.MethodPost || c.r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" ||
		!strings.Contains(c.r.URL.Path, "/operation/") {
		j.fail(http.StatusBadRequest, "SerializationException", "", "awssim: not an RPC v2 CBOR request")
		return
	}
	body, err := io.ReadAll(c.r.Body)
	if err != nil {
		j.fail(http.StatusBadRequest, "SerializationException", "", err.Error())
		return
	}
	if len(body) > 0 {
		v, err := cbor.Decode(body)
		m, ok := fromCBOR(v).(map[string]any)
		if err != nil || !ok {
			j.fail(http.StatusBadRequest, "SerializationException", "", "awssim: cannot decode the CBOR body")
			return
		}
		j.in = m
	}
	switch h.w.Check("aws:"+svc.name, c.account) {
	case world.Throttle:
		j.fail(http.StatusBadRequest, "ThrottlingException", "Throttling", "Rate exceeded")
		return
	case world.Deny:
		j.fail(http.StatusForbidden, "AccessDeniedException", "AccessDenied", "User is not authorized to perform: "+svc.name+":"+j.op)
		return
	case world.Disabled:
		j.fail(http.StatusForbidden, "OptInRequiredException", "OptInRequired", "The AWS access key id needs a subscription for the service")
		return
	}
	op, ok := ops[j.op]
	if !ok {
		j.fail(http.StatusBadRequest, "UnknownOperationException", "InvalidAction", "awssim: unknown operation "+j.op)
		return
	}
	op(j)
}

// reply writes a successful answer.
func (j *cborCall) reply(v map[string]any) {
	j.write(http.StatusOK, toCBOR(v))
}

// fail writes an RPC v2 CBOR error: a map with "__type" (the error shape
// id) and "message", and the Query code (queryCode, or typ when empty) in
// X-Amzn-Query-Error as "Code;Sender".
func (j *cborCall) fail(status int, typ, queryCode, msg string) {
	if queryCode == "" {
		queryCode = typ
	}
	j.rw.Header().Set("X-Amzn-Query-Error", queryCode+";Sender")
	j.write(status, cbor.Map{"__type": cbor.String(j.svc.namespace + "#" + typ), "message": cbor.String(msg)})
}

func (j *cborCall) write(status int, v cbor.Value) {
	j.rw.Header().Set("Content-Type", "application/cbor")
	j.rw.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	j.rw.WriteHeader(status)
	_, _ = j.rw.Write(cbor.Encode(v))
}

// toCBOR converts JSON-like Go values to CBOR. Whole numbers become CBOR
// integers (the SDK reads int32 members only from integers), other floats
// doubles, and a time.Time an epoch-seconds timestamp (tag 1).
func toCBOR(v any) cbor.Value {
	switch t := v.(type) {
	case nil:
		return &cbor.Nil{}
	case string:
		return cbor.String(t)
	case bool:
		return cbor.Bool(t)
	case int:
		if t < 0 {
			return cbor.NegInt(uint64(-t - 1))
		}
		return cbor.Uint(uint64(t))
	case float64:
		return cbor.Float64(t)
	case time.Time:
		return &cbor.Tag{ID: 1, Value: cbor.Uint(uint64(t.Unix()))}
	case []string:
		l := make(cbor.List, len(t))
		for i, s := range t {
			l[i] = cbor.String(s)
		}
		return l
	case []any:
		l := make(cbor.List, len(t))
		for i, e := range t {
			l[i] = toCBOR(e)
		}
		return l
	case map[string]any:
		m := make(cbor.Map, len(t))
		for k, e := range t {
			m[k] = toCBOR(e)
		}
		return m
	}
	panic("awssim: no CBOR form for this value") // a handler bug, not a request error
}

// fromCBOR converts a decoded request to JSON-like Go values (numbers as
// float64, as encoding/json decodes them).
func fromCBOR(v cbor.Value) any {
	switch t := v.(type) {
	case cbor.String:
		return string(t)
	case cbor.Bool:
		return bool(t)
	case cbor.Uint:
		return float64(t)
	case cbor.NegInt:
		return -1 - float64(t)
	case cbor.Float32:
		return float64(t)
	case cbor.Float64:
		return float64(t)
	case cbor.List:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fromCBOR(e)
		}
		return out
	case cbor.Map:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = fromCBOR(e)
		}
		return out
	case *cbor.Tag:
		return fromCBOR(t.Value)
	}
	return nil
}

// cborInt is a whole number for an integer member.
func cborInt(f float64) int {
	if f > math.MaxInt32 || f < math.MinInt32 {
		return 0
	}
	return int(f)
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
