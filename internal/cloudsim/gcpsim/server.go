// Package gcpsim serves a world (internal/cloudsim/world) over the Google
// Cloud JSON REST APIs, so the official google.golang.org/api clients can
// list it as they would list a real project.
//
// The world holds resources in the Terraform google provider's shape; each
// handler renders them the way the API returns them (camelCase fields,
// int64 values as JSON strings where the API encodes them so, self links)
// and the listers in agent/discovery/gcp map them back. Lists page with
// maxResults/pageSize and nextPageToken, and failures use Google's error
// body, so the clients' own decoders judge the answers.
//
// Compute, Cloud Storage and Cloud DNS are served at their real paths
// (/compute/v1/..., /storage/v1/..., /dns/v1/...). Services whose real
// paths collide on one host (/v1/projects/...) are served under their
// host name: /iam.googleapis.com/v1/..., /pubsub.googleapis.com/v1/...,
// /cloudkms.googleapis.com/v1/..., /sqladmin.googleapis.com/v1/...,
// /container.googleapis.com/v1/..., /cloudresourcemanager.googleapis.com/v1/...
// A client reaches a service by setting its endpoint to URL + that prefix.
package gcpsim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// Host prefixes of the services served under their host name.
const (
	IAMHost       = "iam.googleapis.com"
	PubSubHost    = "pubsub.googleapis.com"
	KMSHost       = "cloudkms.googleapis.com"
	SQLAdminHost  = "sqladmin.googleapis.com"
	ContainerHost = "container.googleapis.com"
	CRMHost       = "cloudresourcemanager.googleapis.com"
)

// defaultPage is the page size when the client asks for none; small
// enough that a realistic world pages.
const defaultPage = 500

// server answers the API calls from one world.
type server struct {
	w *world.World
}

// NewHandler returns the HTTP handler of the simulated Google Cloud APIs.
func NewHandler(w *world.World) http.Handler {
	s := &server{w: w}
	mux := http.NewServeMux()
	s.routeCompute(mux)
	s.routeServices(mux)
	s.routeAssets(mux)
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		writeError(rw, http.StatusNotFound, "NOT_FOUND", "notFound",
			"The requested URL "+r.URL.Path+" was not found on this server.")
	})
	return mux
}

// check applies the world's faults to one call of api in project and
// reports whether the handler may go on answering.
func (s *server) check(rw http.ResponseWriter, api, project string) bool {
	switch s.w.Check("gcp:"+api, project) {
	case world.Throttle:
		rw.Header().Set("Retry-After", "0")
		writeError(rw, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "rateLimitExceeded",
			"Quota exceeded for quota metric 'Read requests' of service '"+api+".googleapis.com' for consumer 'project_number:"+project+"'.")
		return false
	case world.Deny:
		writeError(rw, http.StatusForbidden, "PERMISSION_DENIED", "forbidden",
			"The caller does not have permission to call "+api+" in project "+project+".")
		return false
	case world.Disabled:
		writeError(rw, http.StatusForbidden, "SERVICE_DISABLED", "accessNotConfigured",
			api+".googleapis.com API has not been used in project "+project+
				" before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/"+api+
				".googleapis.com/overview?project="+project+" then retry.")
		return false
	}
	return true
}

// writeError writes Google's JSON error body.
func writeError(rw http.ResponseWriter, code int, status, reason, msg string) {
	writeJSON(rw, code, map[string]any{"error": map[string]any{
		"code":    code,
		"message": msg,
		"status":  status,
		"errors":  []any{map[string]any{"message": msg, "domain": "global", "reason": reason}},
	}})
}

func writeJSON(rw http.ResponseWriter, code int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=UTF-8")
	rw.WriteHeader(code)
	_ = json.NewEncoder(rw).Encode(v)
}

// page cuts one page out of items: the page token is the offset of the
// page's first item, the size comes from maxResults or pageSize.
func page[T any](r *http.Request, items []T) ([]T, string, bool) {
	q := r.URL.Query()
	size := defaultPage
	for _, p := range []string{"maxResults", "pageSize"} {
		if v := q.Get(p); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, "", false
			}
			if n > 0 {
				size = min(n, defaultPage)
			}
		}
	}
	start := 0
	if t := q.Get("pageToken"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", false
		}
		start = n
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, true
}

// list answers a list call with one page of items under key.
func list(rw http.ResponseWriter, r *http.Request, kind, key string, items []map[string]any) {
	pg, next, ok := page(r, items)
	if !ok {
		writeError(rw, http.StatusBadRequest, "INVALID_ARGUMENT", "invalid", "Invalid page token or page size.")
		return
	}
	body := map[string]any{key: pg}
	if kind != "" {
		body["kind"] = kind
	}
	if next != "" {
		body["nextPageToken"] = next
	}
	writeJSON(rw, http.StatusOK, body)
}

// resources returns the world's resources of typ in project that keep
// says to keep (nil keeps all).
func (s *server) resources(typ, project string, keep func(*resource.Resource) bool) []resource.Resource {
	var out []resource.Resource
	for _, r := range s.w.List("google", typ, project, "") {
		if keep == nil || keep(&r) {
			out = append(out, r)
		}
	}
	return out
}

// render applies f to each resource.
func render(rs []resource.Resource, f func(*resource.Resource) map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(rs))
	for i := range rs {
		out = append(out, f(&rs[i]))
	}
	return out
}

// projects are the projects the world holds resources in, sorted.
func (s *server) projects() []string {
	seen := map[string]bool{}
	for _, r := range s.w.All() {
		if r.Provider == "google" && r.Account != "" {
			seen[r.Account] = true
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
