package azuresim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func graphWorld() *world.World {
	const sub = "00000000-0000-0000-0000-0000000000aa"
	rg := "/subscriptions/" + sub + "/resourceGroups/RG-App/providers/"
	return world.New([]resource.Resource{
		{Provider: "azurerm", Type: "azurerm_windows_web_app", ID: rg + "Microsoft.Web/sites/legacy", Account: sub,
			Attrs: map[string]any{"location": "West Europe"}},
		{Provider: "azurerm", Type: "azurerm_windows_virtual_machine", ID: rg + "Microsoft.Compute/virtualMachines/vm1", Account: sub,
			Region: "westeurope", Attrs: map[string]any{}, Tags: map[string]string{"a": "b"}},
		{Provider: "azurerm", Type: "azurerm_container_registry", ID: rg + "Microsoft.ContainerRegistry/registries/acr", Account: sub,
			Attrs: map[string]any{"tags": map[string]any{"x": "y"}}},
		{Provider: "azurerm", Type: "azurerm_subnet", ID: rg + "Microsoft.Network/virtualNetworks/v/subnets/s", Account: sub,
			Attrs: map[string]any{}},
	})
}

func graphPost(t *testing.T, h http.Handler, method, body string, auth bool) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", strings.NewReader(body))
	if auth {
		req.Header.Set("Authorization", "Bearer t")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func TestResourceGraphQuery(t *testing.T) {
	h := NewHandler(graphWorld())
	q := `{"query":"Resources | project id","subscriptions":["00000000-0000-0000-0000-0000000000AA"],"options":{"$top":2}}`
	code, out := graphPost(t, h, http.MethodPost, q, true)
	require.Equal(t, http.StatusOK, code, out)
	assert.EqualValues(t, 3, out["totalRecords"], "subnets are not in the Resources table")
	assert.EqualValues(t, 2, out["count"])
	require.Equal(t, "2", out["$skipToken"])
	rows := out["data"].([]any)
	first := rows[0].(map[string]any)
	assert.Equal(t, "microsoft.compute/virtualmachines", first["type"])
	assert.Equal(t, "Windows", first["osType"])
	assert.Equal(t, "westeurope", first["location"])
	assert.Equal(t, map[string]any{"a": "b"}, first["tags"])
	assert.Equal(t, "rg-app", first["resourceGroup"])

	q = `{"query":"Resources","subscriptions":["00000000-0000-0000-0000-0000000000aa"],"options":{"$skipToken":"2"}}`
	code, out = graphPost(t, h, http.MethodPost, q, true)
	require.Equal(t, http.StatusOK, code)
	rows = out["data"].([]any)
	require.Len(t, rows, 1)
	assert.Equal(t, "app", rows[0].(map[string]any)["kind"])
	assert.Nil(t, out["$skipToken"])

	q = `{"query":"Resources","subscriptions":["00000000-0000-0000-0000-0000000000aa"],"options":{"$skip":1}}`
	_, out = graphPost(t, h, http.MethodPost, q, true)
	assert.EqualValues(t, 2, out["count"])
}

func TestResourceGraphErrors(t *testing.T) {
	h := NewHandler(graphWorld())
	ok := `{"query":"Resources","subscriptions":["s"]}`
	for name, tc := range map[string]struct {
		method, body string
		auth         bool
		code         int
	}{
		"get":          {http.MethodGet, ok, true, http.StatusMethodNotAllowed},
		"no token":     {http.MethodPost, ok, false, http.StatusUnauthorized},
		"bad json":     {http.MethodPost, "{", true, http.StatusBadRequest},
		"other table":  {http.MethodPost, `{"query":"ResourceContainers","subscriptions":["s"]}`, true, http.StatusBadRequest},
		"no subs":      {http.MethodPost, `{"query":"Resources"}`, true, http.StatusBadRequest},
		"bad token":    {http.MethodPost, `{"query":"Resources","subscriptions":["s"],"options":{"$skipToken":"x"}}`, true, http.StatusBadRequest},
		"top too high": {http.MethodPost, `{"query":"Resources","subscriptions":["s"],"options":{"$top":1001}}`, true, http.StatusBadRequest},
	} {
		t.Run(name, func(t *testing.T) {
			code, out := graphPost(t, h, tc.method, tc.body, tc.auth)
			assert.Equal(t, tc.code, code, out)
		})
	}
	w := graphWorld()
	h = NewHandler(w)
	for fault, code := range map[string]int{"deny": http.StatusForbidden, "disabled": http.StatusConflict, "throttle": http.StatusTooManyRequests} {
		f := world.Faults{}
		switch fault {
		case "deny":
			f.Deny = map[string]bool{"azure:Microsoft.ResourceGraph": true}
		case "disabled":
			f.Disabled = map[string]bool{"azure:Microsoft.ResourceGraph": true}
		case "throttle":
			f.ThrottleRate = 1
		}
		w.SetFaults(f)
		got, _ := graphPost(t, h, http.MethodPost, ok, true)
		assert.Equal(t, code, got, fault)
	}
}
