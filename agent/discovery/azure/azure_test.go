package azure

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/azuresim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func discover(t *testing.T, opts Options) *discovery.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := discovery.Run(ctx, []discovery.Provider{New(opts)}, discovery.Options{Concurrency: 4})
	require.NoError(t, err)
	return res
}

func byKey(rs []resource.Resource) map[resource.Key]resource.Resource {
	m := make(map[resource.Key]resource.Resource, len(rs))
	for _, r := range rs {
		m[r.Key()] = r
	}
	return m
}

// TestRoundTrip puts every type into the simulated cloud in Terraform
// shape, lists it back through the SDK with one item per page, and
// checks that the drift engine sees no drift against the original and
// does see a changed attribute.
func TestRoundTrip(t *testing.T) {
	fx := fixtures()
	res := discover(t, serve(t, world.New(fx), azuresim.WithPageSize(1)))
	require.Empty(t, res.Skipped)
	live := byKey(res.Resources)
	changes := map[string]struct {
		attr string
		to   any
	}{
		"azurerm_resource_group":          {"location", "northeurope"},
		"azurerm_network_security_group":  {"tags", tags("env", "dev")},
		"azurerm_network_security_rule":   {"destination_port_range", "8080"},
		"azurerm_virtual_network":         {"address_space", []any{"10.9.0.0/16"}},
		"azurerm_subnet":                  {"address_prefixes", []any{"10.1.9.0/24"}},
		"azurerm_public_ip":               {"sku", "Basic"},
		"azurerm_network_interface":       {"ip_forwarding_enabled", true},
		"azurerm_linux_virtual_machine":   {"size", "Standard_B4ms"},
		"azurerm_windows_virtual_machine": {"timezone", "W. Europe Standard Time"},
		"azurerm_managed_disk":            {"disk_size_gb", float64(256)},
		"azurerm_storage_account":         {"min_tls_version", "TLS1_0"},
	}
	for _, st := range fx {
		t.Run(st.Type, func(t *testing.T) {
			lv, ok := live[st.Key()]
			require.True(t, ok, "%s not listed", st.Key())
			assert.Equal(t, sub, lv.Account)
			if _, hasLoc := st.Attrs["location"]; hasLoc {
				assert.Equal(t, "westeurope", lv.Region)
			}
			for k := range st.Attrs {
				assert.Contains(t, lv.Attrs, k, "live %s lacks %s", st.Type, k)
			}
			got := drift.Compare([]resource.Resource{st}, []resource.Resource{lv}, drift.Options{})
			assert.Empty(t, got.Findings, "unexpected drift")

			ch, ok := changes[st.Type]
			require.True(t, ok, "no change case for %s", st.Type)
			mod := st
			mod.Attrs = map[string]any{}
			for k, v := range st.Attrs {
				mod.Attrs[k] = v
			}
			mod.Attrs[ch.attr] = ch.to
			got = drift.Compare([]resource.Resource{mod}, []resource.Resource{lv}, drift.Options{})
			require.Len(t, got.Findings, 1)
			assert.Equal(t, drift.Modified, got.Findings[0].Kind)
		})
	}
	// Nothing listed that the world does not hold, except the rules and
	// subnets split off their parents (here all present as fixtures too).
	assert.Len(t, res.Resources, len(fx)+2) // inline ssh and https rules
}

func TestThrottlingStillReturnsEverything(t *testing.T) {
	fx := fixtures()
	w := world.New(fx)
	w.SetFaults(world.Faults{ThrottleRate: 0.3})
	res := discover(t, serve(t, w, azuresim.WithPageSize(1), azuresim.WithRetryAfter(2*time.Millisecond)))
	assert.Empty(t, res.Skipped)
	live := byKey(res.Resources)
	for _, r := range fx {
		assert.Contains(t, live, r.Key())
	}
	assert.Greater(t, w.Calls(), int64(len(fx)))
}

func TestDeniedAndDisabledNamespacesAreSkipped(t *testing.T) {
	fx := fixtures()
	w := world.New(fx)
	w.SetFaults(world.Faults{
		Deny:     map[string]bool{"azure:Microsoft.Compute": true},
		Disabled: map[string]bool{"azure:Microsoft.Storage@" + sub: true},
	})
	opts := serve(t, w)
	opts.Subscriptions = []string{sub}
	res := discover(t, opts)
	reasons := map[string]discovery.SkipReason{}
	for _, s := range res.Skipped {
		assert.Equal(t, sub, s.Account)
		reasons[s.Service] = s.Reason
	}
	assert.Equal(t, map[string]discovery.SkipReason{
		"Microsoft.Compute": discovery.AccessDenied,
		"Microsoft.Storage": discovery.NotEnabled,
	}, reasons)
	types := map[string]bool{}
	for _, r := range res.Resources {
		types[r.Type] = true
	}
	assert.True(t, types["azurerm_network_security_group"])
	assert.True(t, types["azurerm_resource_group"])
	assert.False(t, types["azurerm_managed_disk"])
	assert.False(t, types["azurerm_storage_account"])
}

func TestScopesListEnabledSubscriptions(t *testing.T) {
	fx := fixtures()
	other := res("azurerm_resource_group", "/subscriptions/"+sub2+"/resourceGroups/rg-other",
		map[string]any{"name": "rg-other", "location": "northeurope", "tags": tags()})
	other.Account = sub2
	p := New(serve(t, world.New(append(fx, other)), azuresim.WithPageSize(1)))
	scopes, err := p.Scopes(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []discovery.Scope{{Provider: "azurerm", Account: sub}, {Provider: "azurerm", Account: sub2}}, scopes)

	p = New(Options{Subscriptions: []string{"s1"}, Credential: &failingCred{}})
	scopes, err = p.Scopes(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []discovery.Scope{{Provider: "azurerm", Account: "s1"}}, scopes)
	assert.Equal(t, "azurerm", p.Name())
}

func TestScopesFailWhenSubscriptionsCannotBeListed(t *testing.T) {
	w := world.New(fixtures())
	w.SetFaults(world.Faults{Deny: map[string]bool{"azure:Microsoft.Resources": true}})
	_, err := New(serve(t, w)).Scopes(context.Background())
	require.Error(t, err)
	assert.Equal(t, discovery.AccessDenied, Classify(err))
}

type failingCred struct{}

func (failingCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, errors.New("no credential")
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want discovery.SkipReason
	}{
		{"authorization failed", &azcore.ResponseError{ErrorCode: "AuthorizationFailed", StatusCode: 403}, discovery.AccessDenied},
		{"bare 403", &azcore.ResponseError{StatusCode: http.StatusForbidden}, discovery.AccessDenied},
		{"bare 401", &azcore.ResponseError{StatusCode: http.StatusUnauthorized}, discovery.AccessDenied},
		{"unregistered", &azcore.ResponseError{ErrorCode: "MissingSubscriptionRegistration", StatusCode: 409}, discovery.NotEnabled},
		{"subscription not found", &azcore.ResponseError{ErrorCode: "SubscriptionNotFound", StatusCode: 404}, discovery.NotEnabled},
		{"throttled code", &azcore.ResponseError{ErrorCode: "SubscriptionRequestsThrottled", StatusCode: 429}, discovery.Throttled},
		{"bare 429", &azcore.ResponseError{StatusCode: http.StatusTooManyRequests}, discovery.Throttled},
		{"server error", &azcore.ResponseError{ErrorCode: "InternalServerError", StatusCode: 500}, discovery.Failed},
		{"wrapped", errors.Join(errors.New("list"), &azcore.ResponseError{ErrorCode: "AuthorizationFailed"}), discovery.AccessDenied},
		{"credential", &azidentity.AuthenticationFailedError{}, discovery.AccessDenied},
		{"other", errors.New("boom"), discovery.Failed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Classify(c.err))
			assert.Equal(t, c.want, New(Options{Credential: failingCred{}}).Classify(c.err))
		})
	}
}
