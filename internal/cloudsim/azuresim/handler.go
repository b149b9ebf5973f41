// Package azuresim serves the simulated cloud's Azure resources over the
// Azure Resource Manager REST protocol: subscription and resource-group
// scoped lists with value/nextLink paging, single GETs, the child
// collections (security rules, subnets), and ARM's error bodies for
// denied, unregistered and throttled calls. The real armnetwork,
// armcompute, armstorage, armresources and armsubscriptions clients read
// it through an endpoint override.
package azuresim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// Option tunes the handler.
type Option func(*handler)

// WithPageSize sets how many items one list page holds (default 100).
func WithPageSize(n int) Option {
	return func(h *handler) {
		if n > 0 {
			h.pageSize = n
		}
	}
}

// WithRetryAfter sets the delay a throttled answer asks for (default 1s).
// It is sent in Retry-After (whole seconds, at least 1) and in
// retry-after-ms, which the Azure SDK prefers.
func WithRetryAfter(d time.Duration) Option {
	return func(h *handler) { h.retryAfter = d }
}

type handler struct {
	w          *world.World
	pageSize   int
	retryAfter time.Duration
}

// NewHandler serves w's azurerm resources as Azure Resource Manager.
func NewHandler(w *world.World, opts ...Option) http.Handler {
	h := &handler{w: w, pageSize: 100, retryAfter: time.Second}
	for _, o := range opts {
		o(h)
	}
	return h
}

// apiError is ARM's error body.
type apiError struct {
	status  int
	code    string
	message string
}

func writeError(rw http.ResponseWriter, e apiError) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.Header().Set("x-ms-failure-cause", "gateway")
	rw.WriteHeader(e.status)
	_ = json.NewEncoder(rw).Encode(map[string]any{"error": map[string]any{"code": e.code, "message": e.message}})
}

func writeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(rw).Encode(v)
}

func (h *handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("x-ms-request-id", h.w.NextID("req-"))
	if h.resourceGraph(rw, r) {
		return
	}
	if r.Method != http.MethodGet {
		writeError(rw, apiError{http.StatusMethodNotAllowed, "MethodNotAllowed",
			fmt.Sprintf("The requested method %s is not supported by the simulated cloud.", r.Method)})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		writeError(rw, apiError{http.StatusUnauthorized, "AuthenticationFailed",
			"Authentication failed. The 'Authorization' header is missing."})
		return
	}
	if r.URL.Query().Get("api-version") == "" {
		writeError(rw, apiError{http.StatusBadRequest, "MissingApiVersionParameter",
			"The api-version query parameter (?api-version=) is required for all requests."})
		return
	}
	rt, err := parseRoute(r.URL.Path)
	if err != nil {
		writeError(rw, apiError{http.StatusNotFound, "InvalidResourceType", err.Error()})
		return
	}
	if fe, faulted := h.fault(rt); faulted {
		if fe.status == http.StatusTooManyRequests {
			secs := max(1, int(h.retryAfter.Round(time.Second)/time.Second))
			rw.Header().Set("Retry-After", strconv.Itoa(secs))
			rw.Header().Set("retry-after-ms", strconv.FormatInt(h.retryAfter.Milliseconds(), 10))
		}
		writeError(rw, fe)
		return
	}
	items, single, aerr := h.resolve(rt)
	if aerr != nil {
		writeError(rw, *aerr)
		return
	}
	if single != nil {
		writeJSON(rw, single)
		return
	}
	h.writePage(rw, r, items)
}

// fault asks the world what to do with the call.
func (h *handler) fault(rt route) (apiError, bool) {
	ns := rt.namespace()
	scope := "/subscriptions/" + rt.sub
	switch h.w.Check("azure:"+ns, rt.sub) {
	case world.Throttle:
		return apiError{http.StatusTooManyRequests, "TooManyRequests",
			"The request is being throttled as the limit has been reached for operation type - Read."}, true
	case world.Deny:
		return apiError{http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf(
			"The client 'driftmgr' with object id '00000000-0000-0000-0000-000000000000' does not have authorization to perform action '%s/%s/read' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
			ns, rt.coll, scope)}, true
	case world.Disabled:
		return apiError{http.StatusConflict, "MissingSubscriptionRegistration", fmt.Sprintf(
			"The subscription is not registered to use namespace '%s'. See https://aka.ms/rps-not-found for how to register subscriptions.", ns)}, true
	}
	return apiError{}, false
}

func (h *handler) writePage(rw http.ResponseWriter, r *http.Request, items []any) {
	start := 0
	if tok := r.URL.Query().Get("$skiptoken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(items) {
			writeError(rw, apiError{http.StatusBadRequest, "InvalidSkipToken", fmt.Sprintf("The skip token %q is not valid.", tok)})
			return
		}
		start = n
	}
	end := min(start+h.pageSize, len(items))
	page := map[string]any{"value": append([]any{}, items[start:end]...)}
	if end < len(items) {
		q := r.URL.Query()
		q.Set("$skiptoken", strconv.Itoa(end))
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		next := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		page["nextLink"] = next.String()
	}
	writeJSON(rw, page)
}

// route is a parsed ARM path.
type route struct {
	sub      string
	rg       string // empty: subscription scope
	ns, coll string // empty for /subscriptions and resourcegroups
	name     string // one resource, or the parent of child
	child    string // securityRules, subnets
	rgList   bool
	subList  bool
	rgGet    bool
}

func (rt route) namespace() string {
	if rt.ns == "" {
		return "Microsoft.Resources"
	}
	return rt.ns
}

func parseRoute(p string) (route, error) {
	seg := strings.Split(strings.Trim(p, "/"), "/")
	var rt route
	bad := fmt.Errorf("the resource path %q is not served by the simulated cloud", p)
	if len(seg) == 0 || !strings.EqualFold(seg[0], "subscriptions") {
		return rt, bad
	}
	if len(seg) == 1 {
		rt.subList = true
		return rt, nil
	}
	rt.sub = seg[1]
	rest := seg[2:]
	if len(rest) >= 1 && strings.EqualFold(rest[0], "resourcegroups") {
		switch len(rest) {
		case 1:
			rt.rgList = true
			return rt, nil
		case 2:
			rt.rg, rt.rgGet = rest[1], true
			return rt, nil
		}
		rt.rg = rest[1]
		rest = rest[2:]
	}
	if len(rest) < 3 || !strings.EqualFold(rest[0], "providers") {
		return rt, bad
	}
	rt.ns, rt.coll = rest[1], rest[2]
	rest = rest[3:]
	if len(rest) > 0 && rt.rg == "" {
		return rt, bad
	}
	switch len(rest) {
	case 0:
	case 1:
		rt.name = rest[0]
	default:
		// Deeper paths are nested collections (blobServices/default/containers).
		rt.name, rt.child = rest[0], strings.Join(rest[1:], "/")
	}
	return rt, nil
}

// resolve answers a route with a list or one object.
func (h *handler) resolve(rt route) ([]any, map[string]any, *apiError) {
	if rt.subList {
		return h.subscriptions(), nil, nil
	}
	if rt.rgList || rt.rgGet {
		var out []any
		for _, r := range h.inScope(rt.sub, "", "azurerm_resource_group") {
			if rt.rgGet && !strings.EqualFold(nameOf(r), rt.rg) {
				continue
			}
			out = append(out, renderResourceGroup(r))
		}
		if rt.rgGet {
			if len(out) == 0 {
				return nil, nil, &apiError{http.StatusNotFound, "ResourceGroupNotFound",
					fmt.Sprintf("Resource group '%s' could not be found.", rt.rg)}
			}
			return nil, out[0].(map[string]any), nil
		}
		return out, nil, nil
	}
	if n, name, ok := nestedOf(rt); ok {
		return h.resolveNested(n, rt, name)
	}
	k, ok := kindOf(rt.ns, rt.coll)
	if !ok {
		return nil, nil, &apiError{http.StatusNotFound, "InvalidResourceType",
			fmt.Sprintf("The resource type '%s' could not be found in the namespace '%s'.", rt.coll, rt.ns)}
	}
	var objs []map[string]any
	for _, typ := range k.types {
		for _, r := range h.inScope(rt.sub, rt.rg, typ) {
			if rt.name != "" && !strings.EqualFold(nameOf(r), rt.name) {
				continue
			}
			objs = append(objs, h.renderKind(k, r))
		}
	}
	sort.Slice(objs, func(i, j int) bool {
		return strings.ToLower(objs[i]["id"].(string)) < strings.ToLower(objs[j]["id"].(string))
	})
	if rt.name == "" {
		return toAny(objs), nil, nil
	}
	if len(objs) == 0 {
		return nil, nil, &apiError{http.StatusNotFound, "ResourceNotFound",
			fmt.Sprintf("The Resource '%s/%s/%s' under resource group '%s' was not found.", rt.ns, rt.coll, rt.name, rt.rg)}
	}
	if rt.child == "" {
		return nil, objs[0], nil
	}
	path, ok := k.children[strings.ToLower(rt.child)]
	if !ok {
		return nil, nil, &apiError{http.StatusNotFound, "InvalidResourceType",
			fmt.Sprintf("The resource type '%s/%s' could not be found.", rt.coll, rt.child)}
	}
	props, _ := objs[0]["properties"].(map[string]any)
	items, _ := props[path].([]any)
	return items, nil, nil
}

func toAny(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

func (h *handler) subscriptions() []any {
	seen := map[string]bool{}
	for _, r := range h.w.All() {
		if r.Provider != "azurerm" {
			continue
		}
		if s := subscriptionOf(r); s != "" {
			seen[s] = true
		}
	}
	var out []any
	for _, s := range resource.SortedKeys(seen) {
		out = append(out, map[string]any{
			"id":             "/subscriptions/" + s,
			"subscriptionId": s,
			"displayName":    "sim-" + s,
			"state":          "Enabled",
			"tenantId":       "00000000-0000-0000-0000-00000000a11e",
		})
	}
	return out
}

// inScope lists the world's resources of typ in a subscription and,
// when rg is set, one resource group (ARM compares both ignoring case).
func (h *handler) inScope(sub, rg, typ string) []resource.Resource {
	var out []resource.Resource
	for _, r := range h.w.List("azurerm", typ, "", "") {
		if !strings.EqualFold(subscriptionOf(r), sub) {
			continue
		}
		if rg != "" && !strings.EqualFold(idSegment(r.ID, "resourceGroups"), rg) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func subscriptionOf(r resource.Resource) string {
	if s := idSegment(r.ID, "subscriptions"); s != "" {
		return s
	}
	return r.Account
}

// idSegment returns the value after key in an ARM id, ignoring case.
func idSegment(id, key string) string {
	seg := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(seg); i++ {
		if strings.EqualFold(seg[i], key) {
			return seg[i+1]
		}
	}
	return ""
}

func nameOf(r resource.Resource) string {
	if n, ok := r.Attrs["name"].(string); ok && n != "" {
		return n
	}
	return r.ID[strings.LastIndexByte(r.ID, '/')+1:]
}
