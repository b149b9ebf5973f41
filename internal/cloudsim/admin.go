package cloudsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// maxAdminBody bounds one mutation request.
const maxAdminBody = 1 << 20

// AdminHandler lets a dev-mode user or a test change the simulated cloud
// while it runs, which is how drift is made on purpose:
//
//	GET    /world                           every resource (JSON array)
//	PUT    /world                           create or replace one resource (JSON object)
//	PATCH  /world/{provider}/{type}/{id}    set top-level attributes (JSON object; null deletes)
//	DELETE /world/{provider}/{type}/{id}    remove a resource
//
// Mount it behind authentication: it has none of its own.
func AdminHandler(w *world.World) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /world", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		_ = resource.EncodeInventory(rw, w.All())
	})
	mux.HandleFunc("PUT /world", func(rw http.ResponseWriter, r *http.Request) {
		rs, err := resource.DecodeInventory("request body", io.LimitReader(r.Body, maxAdminBody), resource.InventoryLimits{})
		if err != nil {
			writeErr(rw, http.StatusBadRequest, err)
			return
		}
		for _, res := range rs {
			w.Put(res)
		}
		writeJSON(rw, http.StatusOK, map[string]int{"put": len(rs)})
	})
	key := func(r *http.Request) resource.Key {
		return resource.Key{Provider: r.PathValue("provider"), Type: r.PathValue("type"), ID: r.PathValue("id")}
	}
	mux.HandleFunc("PATCH /world/{provider}/{type}/{id...}", func(rw http.ResponseWriter, r *http.Request) {
		var attrs map[string]any
		dec := json.NewDecoder(io.LimitReader(r.Body, maxAdminBody))
		dec.UseNumber()
		if err := dec.Decode(&attrs); err != nil {
			writeErr(rw, http.StatusBadRequest, fmt.Errorf("request body: want a JSON object of attributes: %w", err))
			return
		}
		if err := w.Patch(key(r), numbersToFloat(attrs).(map[string]any)); err != nil {
			writeErr(rw, http.StatusNotFound, err)
			return
		}
		writeJSON(rw, http.StatusOK, map[string]string{"patched": key(r).String()})
	})
	mux.HandleFunc("DELETE /world/{provider}/{type}/{id...}", func(rw http.ResponseWriter, r *http.Request) {
		if !w.Delete(key(r)) {
			writeErr(rw, http.StatusNotFound, fmt.Errorf("delete %s: no such resource", key(r)))
			return
		}
		writeJSON(rw, http.StatusOK, map[string]string{"deleted": key(r).String()})
	})
	return mux
}

// numbersToFloat turns json.Number into float64, the shape every other
// value of the world has.
func numbersToFloat(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, x := range t {
			t[k] = numbersToFloat(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = numbersToFloat(x)
		}
		return t
	}
	return v
}

func writeJSON(rw http.ResponseWriter, code int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	_ = json.NewEncoder(rw).Encode(v)
}

func writeErr(rw http.ResponseWriter, code int, err error) {
	writeJSON(rw, code, map[string]string{"error": err.Error()})
}
