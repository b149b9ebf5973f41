package azuresim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// Azure Resource Graph: POST /providers/Microsoft.ResourceGraph/resources
// answers a query over the Resources table from the world, every azurerm
// resource whose type the typemap table knows becoming one row. The
// simulator does not run KQL: it checks the query reads the Resources
// table and returns every projected column the generic tier asks for
// (id, type, name, location, tags, subscriptionId, resourceGroup, kind,
// osType), paging by $skipToken (the offset) and $top.

// graphPath is the query endpoint's path.
const graphPath = "/providers/microsoft.resourcegraph/resources"

type graphRequest struct {
	Subscriptions []string `json:"subscriptions"`
	Query         string   `json:"query"`
	Options       struct {
		SkipToken string `json:"$skipToken"`
		Top       *int   `json:"$top"`
		Skip      *int   `json:"$skip"`
	} `json:"options"`
}

// resourceGraph answers a Resources query; it reports false when the
// request is not one.
func (h *handler) resourceGraph(rw http.ResponseWriter, r *http.Request) bool {
	if !strings.EqualFold(strings.TrimSuffix(r.URL.Path, "/"), graphPath) {
		return false
	}
	if r.Method != http.MethodPost {
		writeError(rw, apiError{http.StatusMethodNotAllowed, "MethodNotAllowed", "Resource Graph queries are POSTed."})
		return true
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		writeError(rw, apiError{http.StatusUnauthorized, "AuthenticationFailed",
			"Authentication failed. The 'Authorization' header is missing."})
		return true
	}
	var req graphRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(rw, apiError{http.StatusBadRequest, "BadRequest", "The request content was invalid: " + err.Error()})
		return true
	}
	table, _, _ := strings.Cut(strings.TrimSpace(req.Query), "|")
	if !strings.EqualFold(strings.TrimSpace(table), "Resources") {
		writeError(rw, apiError{http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("Please provide below info when asking for support: query %q reads a table the simulated cloud does not hold.", req.Query)})
		return true
	}
	if len(req.Subscriptions) == 0 {
		writeError(rw, apiError{http.StatusBadRequest, "BadRequest", "At least one subscription is required."})
		return true
	}
	for _, s := range req.Subscriptions {
		if fe, faulted := h.graphFault(s); faulted {
			if fe.status == http.StatusTooManyRequests {
				secs := max(1, int(h.retryAfter.Round(time.Second)/time.Second))
				rw.Header().Set("Retry-After", strconv.Itoa(secs))
				rw.Header().Set("retry-after-ms", strconv.FormatInt(h.retryAfter.Milliseconds(), 10))
			}
			writeError(rw, fe)
			return true
		}
	}
	rows := h.graphRows(req.Subscriptions)
	start := 0
	if req.Options.SkipToken != "" {
		n, err := strconv.Atoi(req.Options.SkipToken)
		if err != nil || n < 0 || n > len(rows) {
			writeError(rw, apiError{http.StatusBadRequest, "BadRequest", "The $skipToken is not valid."})
			return true
		}
		start = n
	} else if req.Options.Skip != nil && *req.Options.Skip >= 0 {
		start = min(*req.Options.Skip, len(rows))
	}
	size := h.pageSize
	if req.Options.Top != nil {
		if *req.Options.Top < 1 || *req.Options.Top > 1000 {
			writeError(rw, apiError{http.StatusBadRequest, "BadRequest", "$top must be between 1 and 1000."})
			return true
		}
		size = *req.Options.Top
	}
	end := min(start+size, len(rows))
	out := map[string]any{
		"totalRecords":    len(rows),
		"count":           end - start,
		"data":            rows[start:end],
		"resultTruncated": "false",
		"facets":          []any{},
	}
	if end < len(rows) {
		out["$skipToken"] = strconv.Itoa(end)
	}
	writeJSON(rw, out)
	return true
}

func (h *handler) graphFault(sub string) (apiError, bool) {
	switch h.w.Check("azure:Microsoft.ResourceGraph", sub) {
	case world.Throttle:
		return apiError{http.StatusTooManyRequests, "RateLimiting",
			"Please provide below info when asking for support: the request was throttled."}, true
	case world.Deny:
		return apiError{http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf(
			"The client 'driftmgr' does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope '/subscriptions/%s'.", sub)}, true
	case world.Disabled:
		return apiError{http.StatusConflict, "MissingSubscriptionRegistration",
			"The subscription is not registered to use namespace 'Microsoft.ResourceGraph'."}, true
	}
	return apiError{}, false
}

// graphRows are the Resources table rows of subs, sorted by id.
func (h *handler) graphRows(subs []string) []any {
	in := map[string]bool{}
	for _, s := range subs {
		in[strings.ToLower(s)] = true
	}
	var rs []resource.Resource
	for _, r := range h.w.All() {
		if r.Provider == "azurerm" && in[strings.ToLower(subscriptionOf(r))] {
			rs = append(rs, r)
		}
	}
	sort.Slice(rs, func(i, j int) bool { return strings.ToLower(rs[i].ID) < strings.ToLower(rs[j].ID) })
	var rows []any
	for _, r := range rs {
		t, ok := typemap.AzureByTerraform(r.Type)
		if !ok {
			continue
		}
		tags, _ := r.Attrs["tags"].(map[string]any)
		if tags == nil {
			tags = map[string]any{}
			for k, v := range r.Tags {
				tags[k] = v
			}
		}
		loc := armLocation(r.Attrs["location"])
		if loc == nil {
			loc = r.Region
		}
		row := map[string]any{
			"id": r.ID, "type": t.ARM, "name": nameOf(r), "location": loc, "tags": tags,
			"subscriptionId": subscriptionOf(r), "resourceGroup": strings.ToLower(idSegment(r.ID, "resourceGroups")),
			"kind": "", "osType": nil,
		}
		if t.OSType != "" {
			row["osType"] = t.OSType
			if t.ARM == "microsoft.web/sites" {
				row["osType"] = nil
				row["kind"] = "app"
				if t.OSType == "Linux" {
					row["kind"] = "app,linux"
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}
