package awssim

import (
	"net/http"
	"strconv"
	"strings"
)

var lambdaService = &restJSONService{name: "lambda", throttle: "TooManyRequestsException",
	throttleStatus: http.StatusTooManyRequests, deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// lambda answers the Lambda REST-JSON API from aws_lambda_function:
// ListFunctions (Marker and MaxItems, 1..10000, of which Lambda returns
// at most 50 per page), GetFunction
// and ListTags by ARN. Environment variables are answered as Lambda does
// (the caller may read them); nothing here logs them.
func (h *handler) lambda(rw http.ResponseWriter, c *call) {
	if !lambdaService.fault(rw, h.w, c) {
		return
	}
	p := strings.TrimSuffix(c.r.URL.Path, "/")
	switch {
	case c.r.Method != http.MethodGet:
		restJSONError(rw, http.StatusBadRequest, "InvalidRequestContentException", "awssim: this Lambda operation is not simulated")
	case p == "/2015-03-31/functions":
		h.lambdaList(rw, c)
	case strings.HasPrefix(p, "/2019-09-30/functions/") && strings.HasSuffix(p, "/concurrency"):
		name := strings.TrimSuffix(strings.TrimPrefix(p, "/2019-09-30/functions/"), "/concurrency")
		if fn, ok := h.lambdaFind(rw, c, name); ok {
			out := map[string]any{}
			// Terraform's -1 is "no reservation": the API answers nothing.
			if v, ok := fn["reserved_concurrent_executions"].(float64); ok && v >= 0 {
				out["ReservedConcurrentExecutions"] = v
			}
			restJSONReply(rw, out)
		}
	case strings.HasPrefix(p, "/2015-03-31/functions/"):
		fn, ok := h.lambdaFind(rw, c, strings.TrimPrefix(p, "/2015-03-31/functions/"))
		if ok {
			restJSONReply(rw, map[string]any{"Configuration": renderFunction(c, fn), "Tags": lambdaTagMap(fn),
				"Code": map[string]any{"RepositoryType": "S3", "Location": "https://awssim.invalid/" + str(fn, "id")}})
		}
	case strings.HasPrefix(p, "/2017-03-31/tags/"):
		arn := strings.TrimPrefix(p, "/2017-03-31/tags/")
		if !strings.HasPrefix(arn, "arn:aws:lambda:") {
			restJSONError(rw, http.StatusBadRequest, "InvalidParameterValueException", "Invalid ARN: "+arn)
			return
		}
		if fn, ok := h.lambdaFind(rw, c, arn); ok {
			restJSONReply(rw, map[string]any{"Tags": lambdaTagMap(fn)})
		}
	default:
		restJSONError(rw, http.StatusBadRequest, "InvalidRequestContentException", "awssim: this Lambda operation is not simulated")
	}
}

func lambdaARN(c *call, name string) string {
	return "arn:aws:lambda:" + c.region + ":" + c.account + ":function:" + name
}

// lambdaFind finds a function by name or ARN, answering
// ResourceNotFoundException (404).
func (h *handler) lambdaFind(rw http.ResponseWriter, c *call, name string) (map[string]any, bool) {
	for _, fn := range h.resources(c, "aws_lambda_function", false) {
		if str(fn, "id") == name || lambdaARN(c, str(fn, "id")) == name {
			return fn, true
		}
	}
	restJSONError(rw, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+lambdaARN(c, name))
	return nil, false
}

func lambdaTagMap(fn map[string]any) map[string]string {
	out := map[string]string{}
	for _, t := range tagsOf(fn) {
		out[t[0]] = t[1]
	}
	return out
}

func (h *handler) lambdaList(rw http.ResponseWriter, c *call) {
	fns := h.resources(c, "aws_lambda_function", false)
	q := c.r.URL.Query()
	size := 0
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			restJSONError(rw, http.StatusBadRequest, "InvalidParameterValueException", "MaxItems must be between 1 and 10000")
			return
		}
		size = min(n, 50)
	}
	lo, hi, next, ok := page(len(fns), q.Get("Marker"), size, 50)
	if !ok {
		restJSONError(rw, http.StatusBadRequest, "InvalidParameterValueException", "Invalid Marker")
		return
	}
	out := []any{}
	for _, fn := range fns[lo:hi] {
		out = append(out, renderFunction(c, fn))
	}
	res := map[string]any{"Functions": out}
	if next != "" {
		res["NextMarker"] = next
	}
	restJSONReply(rw, res)
}

// renderFunction renders a FunctionConfiguration.
func renderFunction(c *call, fn map[string]any) map[string]any {
	name := str(fn, "id")
	out := map[string]any{
		"FunctionName":     name,
		"FunctionArn":      lambdaARN(c, name),
		"Role":             str(fn, "role"),
		"CodeSize":         num(fn, "source_code_size"),
		"Description":      str(fn, "description"),
		"Timeout":          numOr(fn, "timeout", 3),
		"MemorySize":       numOr(fn, "memory_size", 128),
		"LastModified":     "2024-01-01T00:00:00.000+0000",
		"CodeSha256":       str(fn, "code_sha256"),
		"Version":          "$LATEST",
		"PackageType":      strOr(fn, "package_type", "Zip"),
		"Architectures":    anyList(strs(fn, "architectures")),
		"TracingConfig":    map[string]any{"Mode": strOr(obj(first(list(fn, "tracing_config"))), "mode", "PassThrough")},
		"EphemeralStorage": map[string]any{"Size": numOr(obj(first(list(fn, "ephemeral_storage"))), "size", 512)},
		"State":            "Active",
	}
	if out["PackageType"] == "Zip" {
		out["Runtime"] = str(fn, "runtime")
		out["Handler"] = str(fn, "handler")
	}
	if k := str(fn, "kms_key_arn"); k != "" {
		out["KMSKeyArn"] = k
	}
	if env := obj(first(list(fn, "environment"))); env != nil {
		out["Environment"] = map[string]any{"Variables": obj(env["variables"])}
	}
	if v := obj(first(list(fn, "vpc_config"))); v != nil {
		out["VpcConfig"] = map[string]any{"SubnetIds": anyList(strs(v, "subnet_ids")),
			"SecurityGroupIds": anyList(strs(v, "security_group_ids")), "VpcId": str(v, "vpc_id"),
			"Ipv6AllowedForDualStack": boolean(v, "ipv6_allowed_for_dual_stack")}
	}
	if d := obj(first(list(fn, "dead_letter_config"))); d != nil {
		out["DeadLetterConfig"] = map[string]any{"TargetArn": str(d, "target_arn")}
	}
	layers := []any{}
	for _, l := range strs(fn, "layers") {
		layers = append(layers, map[string]any{"Arn": l, "CodeSize": 1024})
	}
	if len(layers) > 0 {
		out["Layers"] = layers
	}
	return out
}
