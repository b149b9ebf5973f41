package aws

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// restChanges are TestRoundTrip's change cases for the types of awssim's
// restFixtures.
var restChanges = map[string]struct {
	attr  string
	value any
}{
	"aws_route53_zone":            {"comment", "changed"},
	"aws_route53_record":          {"health_check_id", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
	"aws_cloudfront_distribution": {"price_class", "PriceClass_All"},
	"aws_lambda_function":         {"memory_size", float64(512)},
	"aws_eks_cluster":             {"version", "1.31"},
}

// restTypes are the types of restFixtures.
var restTypes = func() map[string]bool {
	m := map[string]bool{}
	for t := range restChanges {
		m[t] = true
	}
	return m
}()

func restFixtures(t *testing.T) []resource.Resource {
	t.Helper()
	var out []resource.Resource
	for _, f := range awssim.Fixtures(account, "us-east-1") {
		if restTypes[f.Type] {
			out = append(out, f)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestRestRoundTrip: every fixture listed back through awssim and the SDK
// shows no drift, and a change of one attribute in the world shows as
// exactly that attribute MODIFIED.
func TestRestRoundTrip(t *testing.T) {
	fixtures := restFixtures(t)
	w := world.New(fixtures)
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
	require.Empty(t, res.Skipped)
	require.Len(t, res.Resources, len(fixtures))
	r := drift.Compare(fixtures, res.Resources, drift.Options{})
	require.Empty(t, r.Findings)

	for _, f := range fixtures {
		t.Run(f.Type+"/"+f.ID, func(t *testing.T) {
			c := restChanges[f.Type]
			require.NoError(t, w.Patch(f.Key(), map[string]any{c.attr: c.value}))
			t.Cleanup(func() { w.Put(f) })
			res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
			require.Empty(t, res.Skipped)
			r := drift.Compare(fixtures, res.Resources, drift.Options{})
			require.Len(t, r.Findings, 1)
			got := r.Findings[0]
			assert.Equal(t, drift.Modified, got.Kind)
			assert.Equal(t, f.ID, got.ID)
			require.Len(t, got.Diffs, 1)
			assert.Equal(t, c.attr, string(got.Diffs[0].Path))
		})
	}
}

// TestRestPaging lists many zones, records, distributions, functions and
// clusters with tiny pages: every one comes back exactly once.
func TestRestPaging(t *testing.T) {
	t.Parallel()
	const n = 23
	var rs []resource.Resource
	for _, f := range restFixtures(t) {
		for i := range n {
			c := f
			c.Attrs = map[string]any{}
			for k, v := range f.Attrs {
				c.Attrs[k] = v
			}
			suffix := fmt.Sprintf("%02d", i)
			switch f.Type {
			case "aws_route53_zone":
				// The first copy keeps the id the records name.
				if i > 0 {
					c.ID = f.ID + suffix
				}
				c.Attrs["zone_id"] = c.ID
			case "aws_route53_record":
				// Many records in the first zone, including same-name,
				// different-type neighbours to page across.
				c.Attrs["name"] = fmt.Sprintf("r%s.%s", suffix, f.Attrs["name"])
				c.ID = fmt.Sprintf("%s_%s_%s", f.Attrs["zone_id"], c.Attrs["name"], f.Attrs["type"])
				if set := f.Attrs["set_identifier"]; set != "" {
					c.ID += "_" + set.(string)
				}
			case "aws_lambda_function":
				c.ID = f.ID + "-" + suffix
				c.Attrs["function_name"] = c.ID
			default:
				c.ID = f.ID + "-" + suffix
			}
			c.Attrs["id"] = c.ID
			rs = append(rs, c)
		}
	}
	url := sim(t, world.New(rs))
	for _, size := range []int32{1, 3} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, PageSize: size,
				GenericTypes: []string{GenericNone}})
			require.Empty(t, res.Skipped)
			seen := map[resource.Key]bool{}
			count := map[string]int{}
			for _, r := range res.Resources {
				assert.False(t, seen[r.Key()], "listed twice: %s", r.Key())
				seen[r.Key()] = true
				count[r.Type]++
			}
			for _, r := range rs {
				assert.True(t, seen[r.Key()], "not listed: %s", r.Key())
			}
			assert.Equal(t, len(rs), len(res.Resources))
			assert.Equal(t, 2*n, count["aws_route53_zone"])
			assert.Equal(t, 5*n, count["aws_route53_record"])
		})
	}
}

// TestRestFaults: a denied or disabled service is a skip with its reason
// while the others still list. (TestThrottling retries these services'
// throttling answers with every other fixture's.)
func TestRestFaults(t *testing.T) {
	w := world.New(restFixtures(t))
	url := sim(t, w)
	opts := Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}}
	for _, svc := range []string{"route53", "cloudfront", "lambda", "eks"} {
		t.Run(svc, func(t *testing.T) {
			w.SetFaults(world.Faults{Deny: map[string]bool{"aws:" + svc: true}})
			res := discover(t, opts)
			require.Len(t, res.Skipped, 1)
			s := res.Skipped[0]
			assert.Equal(t, svc, s.Service)
			assert.Equal(t, discovery.AccessDenied, s.Reason)
			assert.Equal(t, account, s.Account)
			assert.Equal(t, globalApp[svc], s.Region == "", "global services skip once per account")
			for _, r := range res.Resources {
				assert.NotEqual(t, svc, serviceOf(r.Type))
			}
			assert.NotEmpty(t, res.Resources)

			w.SetFaults(world.Faults{Disabled: map[string]bool{"aws:" + svc: true}})
			res = discover(t, opts)
			require.Len(t, res.Skipped, 1)
			assert.Equal(t, discovery.NotEnabled, res.Skipped[0].Reason)
		})
	}
}

func serviceOf(typ string) string {
	return map[string]string{"aws_route53_zone": "route53", "aws_route53_record": "route53",
		"aws_cloudfront_distribution": "cloudfront", "aws_lambda_function": "lambda", "aws_eks_cluster": "eks"}[typ]
}

// TestRestTyped: the generic tier leaves the typed types alone.
func TestRestTyped(t *testing.T) {
	p := New(Options{}).(*provider)
	var generic []string
	for _, l := range p.Listers() {
		if l.Service() == "cloudcontrol" {
			generic = append(generic, l.Types()...)
		}
	}
	for typ := range restTypes {
		assert.NotContains(t, generic, typ)
	}
}

func TestDNSName(t *testing.T) {
	for in, want := range map[string]string{
		"WWW.Example.com.": "www.example.com", `\052.example.com.`: "*.example.com",
		`a\100b.example.com.`: "a@b.example.com", `bad\9.example.com`: `bad\9.example.com`,
	} {
		assert.Equal(t, want, dnsName(in), in)
	}
	assert.Equal(t, "v=spf1 -all", txtValue(`"v=spf1 -all"`))
	assert.Equal(t, "abcdef", txtValue(`"abc""def"`))
	assert.Equal(t, "plain", txtValue("plain"))
}

// TestRoute53ApexRecords: the SOA and NS records Route 53 creates with
// every zone are left out, an apex NS record pointed elsewhere is not.
func TestRoute53ApexRecords(t *testing.T) {
	fixtures := restFixtures(t)
	ns := resource.Resource{Provider: "aws", Type: "aws_route53_record", ID: "Z0123456789ABCDEFGHIJ_example.com_NS",
		Account: account, Attrs: map[string]any{"zone_id": "Z0123456789ABCDEFGHIJ", "name": "example.com", "type": "NS",
			"ttl": float64(3600), "records": []any{"ns1.other.net", "ns2.other.net"}, "allow_overwrite": true}}
	url := sim(t, world.New(append(fixtures, ns)))
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
	require.Empty(t, res.Skipped)
	types := map[string]bool{}
	for _, r := range res.Resources {
		if r.Type == "aws_route53_record" {
			types[r.Attrs["name"].(string)+" "+r.Attrs["type"].(string)] = true
		}
	}
	assert.True(t, types["example.com NS"], "the delegated apex NS record is listed")
	assert.False(t, types["example.com SOA"])
	assert.False(t, types["internal.example NS"])
	r := drift.Compare(append(fixtures, ns), res.Resources, drift.Options{})
	assert.Empty(t, r.Findings)
}

// TestLambdaEnvironmentIsSensitive: environment variables are listed for
// the scanner but redacted wherever a resource or a finding is shown.
func TestLambdaEnvironmentIsSensitive(t *testing.T) {
	fixtures := restFixtures(t)
	w := world.New(fixtures)
	url := sim(t, w)
	key := resource.Key{Provider: "aws", Type: "aws_lambda_function", ID: "app-api"}
	require.NoError(t, w.Patch(key, map[string]any{"environment": []any{map[string]any{"variables": map[string]any{
		"LOG_LEVEL": "info", "DB_PASSWORD": "rotated-outside-terraform"}}}}))
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
	live := byKey(res.Resources)[key]
	env := live.Attrs["environment"].([]any)[0].(map[string]any)["variables"].(map[string]any)
	assert.Equal(t, "rotated-outside-terraform", env["DB_PASSWORD"], "kept for the scanner")
	assert.NotContains(t, fmt.Sprint(live.Redact().Attrs), "rotated-outside-terraform")

	r := drift.Compare(fixtures, res.Resources, drift.Options{})
	require.Len(t, r.Findings, 1)
	require.Len(t, r.Findings[0].Diffs, 1)
	d := r.Findings[0].Diffs[0]
	assert.Equal(t, resource.Path("environment[0].variables.DB_PASSWORD"), d.Path)
	assert.NotContains(t, fmt.Sprint(d.Expected, d.Actual), "rotated-outside-terraform")
	assert.NotContains(t, fmt.Sprint(d.Expected, d.Actual), "fixture-not-a-secret")
}

// TestLambdaConcurrency: a function without a reservation reads as the
// provider's -1, so removing a reservation is drift.
func TestLambdaConcurrency(t *testing.T) {
	fixtures := restFixtures(t)
	w := world.New(fixtures)
	url := sim(t, w)
	key := resource.Key{Provider: "aws", Type: "aws_lambda_function", ID: "app-api"}
	require.NoError(t, w.Patch(key, map[string]any{"reserved_concurrent_executions": float64(-1)}))
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
	assert.Equal(t, float64(-1), byKey(res.Resources)[key].Attrs["reserved_concurrent_executions"])
	r := drift.Compare(fixtures, res.Resources, drift.Options{})
	require.Len(t, r.Findings, 1)
	require.Len(t, r.Findings[0].Diffs, 1)
	assert.Equal(t, resource.Path("reserved_concurrent_executions"), r.Findings[0].Diffs[0].Path)
}
