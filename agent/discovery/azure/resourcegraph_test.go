package azure

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/azuresim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/typemap"
)

// untypedAzure are resources of types no typed lister reads.
func untypedAzure() []resource.Resource {
	arm := func(ns, coll, name string) string {
		return rgID + "/providers/" + ns + "/" + coll + "/" + name
	}
	r := func(typ, id string, tg map[string]any) resource.Resource {
		attrs := map[string]any{"location": "West Europe"}
		if tg != nil {
			attrs["tags"] = tg
		}
		out := res(typ, id, attrs)
		out.Region = "westeurope"
		return out
	}
	out := []resource.Resource{
		r("azurerm_linux_web_app", arm("Microsoft.Web", "sites", "shop-api"), tags("env", "prod")),
		r("azurerm_windows_web_app", arm("Microsoft.Web", "sites", "legacy"), nil),
		r("azurerm_linux_virtual_machine_scale_set", arm("Microsoft.Compute", "virtualMachineScaleSets", "pool-l"), nil),
		r("azurerm_windows_virtual_machine_scale_set", arm("Microsoft.Compute", "virtualMachineScaleSets", "pool-w"), nil),
		r("azurerm_servicebus_namespace", arm("Microsoft.ServiceBus", "namespaces", "sb-orders"), tags("team", "orders")),
	}
	for i := range 5 {
		out = append(out, r("azurerm_container_registry", arm("Microsoft.ContainerRegistry", "registries", fmt.Sprintf("acr%d", i)), nil))
	}
	return out
}

func graphOf(t *testing.T, p discovery.Provider) *graphLister {
	t.Helper()
	for _, l := range p.Listers() {
		if g, ok := l.(*graphLister); ok {
			return g
		}
	}
	t.Fatal("no resource graph lister")
	return nil
}

func runAzure(t *testing.T, p discovery.Provider) *discovery.Result {
	t.Helper()
	res, err := discovery.Run(context.Background(), []discovery.Provider{p}, discovery.Options{Concurrency: 4})
	require.NoError(t, err)
	return res
}

// TestResourceGraphFindsUntypedTypes: through the real armresourcegraph
// client, two rows a page, the generic tier reports the types no typed
// lister reads, under azurerm's names (Linux or Windows by OS), with ids,
// regions and tags only; typed types come from the typed tier alone.
func TestResourceGraphFindsUntypedTypes(t *testing.T) {
	typedFixtures := fixtures()
	w := world.New(append(typedFixtures, untypedAzure()...))
	opts := serve(t, w)
	opts.Subscriptions = []string{sub}
	p := New(opts)
	graphOf(t, p).top = 2
	res := runAzure(t, p)
	require.Empty(t, res.Skipped)
	listed := map[resource.Key]resource.Resource{}
	for _, r := range res.Resources {
		listed[r.Key()] = r
	}
	for _, want := range untypedAzure() {
		got, ok := listed[want.Key()]
		require.True(t, ok, "%s not listed", want.Key())
		assert.Equal(t, "westeurope", got.Region)
		assert.Equal(t, sub, got.Account)
		wantAttrs := map[string]any{"id": want.ID}
		if tg, ok := want.Attrs["tags"]; ok {
			wantAttrs["tags"] = tg
		}
		assert.Equal(t, wantAttrs, got.Attrs, want.Key().String())
	}
	generic := 0
	for _, r := range res.Resources {
		if len(r.Attrs) <= 2 && r.Type != "azurerm_resource_group" {
			generic++
		}
	}
	assert.Equal(t, len(untypedAzure()), generic, "typed resources listed twice")
}

func TestResourceGraphSkipsTypedTypes(t *testing.T) {
	p := New(Options{Credential: nil, Subscriptions: []string{sub}})
	g := graphOf(t, p)
	typed := map[string]bool{}
	for _, l := range p.Listers() {
		if l != discovery.Lister(g) {
			for _, typ := range l.Types() {
				typed[typ] = true
			}
		}
	}
	require.NotEmpty(t, g.Types())
	for _, typ := range g.Types() {
		assert.False(t, typed[typ], typ)
	}
	assert.True(t, g.Global())
	assert.Equal(t, "Microsoft.ResourceGraph", g.Service())
	_, ok := g.mapRow(sub, map[string]any{"type": "microsoft.compute/virtualmachines", "id": "/x", "osType": "Windows"})
	assert.False(t, ok, "typed type")
	_, ok = g.mapRow(sub, map[string]any{"type": "microsoft.unknown/things", "id": "/x"})
	assert.False(t, ok)
	_, ok = g.mapRow(sub, map[string]any{"type": "microsoft.cache/redis"})
	assert.False(t, ok, "no id")
}

func TestResourceGraphFaults(t *testing.T) {
	t.Run("throttled", func(t *testing.T) {
		w := world.New(untypedAzure())
		w.SetFaults(world.Faults{ThrottleRate: 0.3})
		opts := serve(t, w, azuresim.WithRetryAfter(time.Millisecond))
		opts.Subscriptions = []string{sub}
		p := New(opts)
		graphOf(t, p).top = 3
		res := runAzure(t, p)
		for _, s := range res.Skipped {
			assert.NotEqual(t, "Microsoft.ResourceGraph", s.Service, s.Detail)
		}
		n := 0
		for _, r := range res.Resources {
			if typ, ok := typemap.AzureByTerraform(r.Type); ok && len(r.Attrs) <= 2 && typ.ARM != "" {
				n++
			}
		}
		assert.Equal(t, len(untypedAzure()), n)
	})
	t.Run("denied", func(t *testing.T) {
		w := world.New(append(fixtures(), untypedAzure()...))
		w.SetFaults(world.Faults{Deny: map[string]bool{"azure:Microsoft.ResourceGraph": true}})
		opts := serve(t, w)
		opts.Subscriptions = []string{sub}
		res := runAzure(t, New(opts))
		require.Len(t, res.Skipped, 1)
		assert.Equal(t, "Microsoft.ResourceGraph", res.Skipped[0].Service)
		assert.Equal(t, discovery.AccessDenied, res.Skipped[0].Reason)
		assert.NotEmpty(t, res.Resources, "the typed tier still reports")
	})
}

// TestResourceGraphSimRejects: what the simulator refuses, through the
// SDK's own error type.
func TestResourceGraphSimRejects(t *testing.T) {
	w := world.New(untypedAzure())
	opts := serve(t, w)
	p := New(opts).(*provider)
	g := graphOf(t, p)
	g.top = 5000 // over Resource Graph's limit
	err := g.List(context.Background(), discovery.Scope{Provider: Name, Account: sub}, func(resource.Resource) {})
	require.Error(t, err)
	assert.Equal(t, discovery.Failed, Classify(err))
}
