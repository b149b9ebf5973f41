package aws

import (
	"context"
	"errors"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/aws"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

const account = "123456789012"

// TestMain points the SDK's default chain at static test credentials (the
// access key id is the account) and away from the machine's shared config
// and CA bundle, once for the package, so tests that only sleep through
// throttling can run in parallel (t.Setenv forbids that).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "awsdisc")
	if err != nil {
		panic(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		panic(err)
	}
	for k, v := range map[string]string{"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty,
		"AWS_ACCESS_KEY_ID": account, "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_REGION": "us-east-1",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CA_BUNDLE": "", "AWS_PROFILE": ""} {
		os.Setenv(k, v)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sim starts awssim on 127.0.0.1 over w.
func sim(t testing.TB, w *world.World) string {
	t.Helper()
	srv := httptest.NewServer(awssim.NewHandler(w))
	t.Cleanup(srv.Close)
	return srv.URL
}

func discover(t *testing.T, opts Options) *discovery.Result {
	t.Helper()
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 20 * time.Millisecond
	}
	// Listers of one service share a client and with it the SDK's
	// adaptive rate limiter, which after a throttling answer sleeps at
	// its 0.5 call/s floor until it recovers: enough workers let those
	// sleeps overlap rather than queue (4 workers: ~28 s for the throttle
	// tests' fixtures, 16: ~11 s, more gains nothing).
	res, err := discovery.Run(context.Background(), []discovery.Provider{New(opts)}, discovery.Options{Concurrency: 16})
	require.NoError(t, err)
	return res
}

func byKey(rs []resource.Resource) map[resource.Key]resource.Resource {
	m := map[resource.Key]resource.Resource{}
	for _, r := range rs {
		m[r.Key()] = r
	}
	return m
}

// TestRoundTrip puts every type in Terraform shape into a world, lists it
// back through awssim and the real SDK, and expects no drift; then changes
// one attribute in the world and expects it reported.
func TestRoundTrip(t *testing.T) {
	fixtures := awssim.Fixtures(account, "us-east-1")
	changes := map[string]struct {
		attr  string
		value any
	}{
		"aws_vpc":                         {"enable_dns_hostnames", false},
		"aws_subnet":                      {"map_public_ip_on_launch", true},
		"aws_security_group":              {"description", "changed"},
		"aws_instance":                    {"instance_type", "t3.large"},
		"aws_route_table":                 {"route", []any{}},
		"aws_internet_gateway":            {"tags", map[string]any{"Name": "other"}},
		"aws_nat_gateway":                 {"connectivity_type", "private"},
		"aws_eip":                         {"public_ip", "198.51.100.1"},
		"aws_ebs_volume":                  {"size", float64(100)},
		"aws_network_acl":                 {"subnet_ids", []any{}},
		"aws_key_pair":                    {"key_type", "ed25519"},
		"aws_iam_user":                    {"tags", map[string]any{"team": "other"}},
		"aws_iam_access_key":              {"status", "Inactive"},
		"aws_iam_role":                    {"description", "changed"},
		"aws_iam_role_policy_attachment":  {"policy_arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		"aws_iam_policy":                  {"policy", `{"Version":"2012-10-17","Statement":[]}`},
		"aws_iam_group":                   {"path", "/admins/"},
		"aws_iam_account_password_policy": {"minimum_password_length", float64(8)},
		"aws_iam_instance_profile":        {"role", "other"},
		"aws_iam_user_policy_attachment":  {"policy_arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		"aws_iam_group_policy_attachment": {"policy_arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
	}
	for typ, c := range dataChanges {
		changes[typ] = c
	}
	for typ, c := range appChanges {
		changes[typ] = c
	}
	for typ, c := range restChanges {
		changes[typ] = c
	}
	w := world.New(fixtures)
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	require.Empty(t, res.Skipped)
	listed := byKey(res.Resources)
	for _, f := range fixtures {
		t.Run(f.Type, func(t *testing.T) {
			live, ok := listed[f.Key()]
			if id := attachmentID(f); id != "" {
				live, ok = listed[resource.Key{Provider: "aws", Type: f.Type, ID: id}]
			}
			require.True(t, ok, "%s not listed", f.Key())
			assert.Equal(t, resource.SourceLive, live.Source)
			r := drift.Compare([]resource.Resource{f}, []resource.Resource{live}, drift.Options{})
			assert.Empty(t, r.Findings, "no drift expected for %s", f.Key())

			c, ok := changes[f.Type]
			require.True(t, ok, "no change case for %s", f.Type)
			changed := live
			changed.Attrs = map[string]any{}
			for k, v := range live.Attrs {
				changed.Attrs[k] = v
			}
			changed.Attrs[c.attr] = c.value
			r = drift.Compare([]resource.Resource{f}, []resource.Resource{changed}, drift.Options{})
			assert.True(t, r.HasDrift(), "change of %s not reported", c.attr)
		})
	}
	// Every type lists no more than its fixture.
	assert.Len(t, res.Resources, len(fixtures))
}

// TestWorldChangeIsSeen patches the world at run time and expects the
// listers to report the change as drift.
func TestWorldChangeIsSeen(t *testing.T) {
	fixtures := awssim.Fixtures(account, "us-east-1")
	w := world.New(fixtures)
	url := sim(t, w)
	sg := resource.Key{Provider: "aws", Type: "aws_security_group", ID: "sg-0a1"}
	open := map[string]any{"protocol": "tcp", "from_port": float64(22), "to_port": float64(22),
		"cidr_blocks": []any{"0.0.0.0/0"}, "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{},
		"security_groups": []any{}, "self": false, "description": "debug"}
	cur, _ := w.Get(sg)
	require.NoError(t, w.Patch(sg, map[string]any{"ingress": append(cur.Attrs["ingress"].([]any), open)}))
	require.True(t, w.Delete(resource.Key{Provider: "aws", Type: "aws_iam_group", ID: "admins"}))
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	r := drift.Compare(fixtures, res.Resources, drift.Options{})
	kinds := map[string]drift.Kind{}
	for _, f := range r.Findings {
		kinds[f.Type+"."+f.ID] = f.Kind
	}
	assert.Equal(t, map[string]drift.Kind{"aws_security_group.sg-0a1": drift.Modified,
		"aws_iam_group.admins": drift.Missing,
		"aws_iam_group_policy_attachment.admins-20240101000000000000000003": drift.Missing}, kinds)
}

// TestPaging lists many resources with tiny pages.
func TestPaging(t *testing.T) {
	t.Parallel()
	var rs []resource.Resource
	for i := range 12 {
		for _, f := range awssim.Fixtures(account, "us-east-1") {
			f.ID = fmt.Sprintf("%s-%02d", f.ID, i)
			f.Attrs["id"] = f.ID
			if f.Type == "aws_iam_role_policy_attachment" {
				f.Attrs["role"] = fmt.Sprintf("app-%02d", i)
			}
			if f.Type == "aws_iam_access_key" {
				f.Attrs["user"] = fmt.Sprintf("alice-%02d", i)
			}
			if f.Type == "aws_iam_account_password_policy" {
				continue
			}
			rs = append(rs, f)
		}
	}
	w := world.New(rs)
	url := sim(t, w)
	for _, size := range []int32{1, 5} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, PageSize: size,
				GenericTypes: []string{GenericNone}})
			require.Empty(t, res.Skipped)
			count := map[string]int{}
			for _, r := range res.Resources {
				count[r.Type]++
			}
			for _, typ := range []string{"aws_vpc", "aws_subnet", "aws_security_group", "aws_instance",
				"aws_route_table", "aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_ebs_volume",
				"aws_network_acl", "aws_key_pair", "aws_iam_user", "aws_iam_access_key", "aws_iam_role",
				"aws_iam_policy", "aws_iam_group"} {
				assert.Equal(t, 12, count[typ], typ)
			}
			// Each role carries its managed_policy_arns attachment plus the
			// one attachment resource naming it.
			assert.Equal(t, 12, count["aws_iam_role_policy_attachment"])
		})
	}
}

// TestThrottling: with 30% of calls throttled, the adaptive retryer still
// gets every resource. Most of its time is the SDK's adaptive limiter
// sleeping at its 0.5 calls/s floor after throttling answers; the other
// throttle tests use standard retries and this one alone pays for it.
func TestThrottling(t *testing.T) {
	t.Parallel() // its own world and server; it mostly sleeps
	fixtures := awssim.Fixtures(account, "us-east-1")
	w := world.New(fixtures)
	url := sim(t, w)
	w.SetFaults(world.Faults{ThrottleRate: 0.3})
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, MaxAttempts: 20})
	assert.Empty(t, res.Skipped)
	assert.Len(t, res.Resources, len(fixtures))
}

// TestDenied: IAM denied still yields the EC2 resources and a skip per
// IAM lister.
func TestDenied(t *testing.T) {
	fixtures := awssim.Fixtures(account, "us-east-1")
	w := world.New(fixtures)
	url := sim(t, w)
	w.SetFaults(world.Faults{Deny: map[string]bool{"aws:iam": true}})
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	require.NotEmpty(t, res.Skipped)
	for _, s := range res.Skipped {
		assert.Equal(t, "iam", s.Service)
		assert.Equal(t, discovery.AccessDenied, s.Reason)
		assert.Equal(t, account, s.Account)
	}
	ec2 := 0
	for _, r := range res.Resources {
		assert.NotContains(t, r.Type, "aws_iam_")
		if !dataTypes[r.Type] && !appTypes[r.Type] && !restTypes[r.Type] {
			ec2++
		}
	}
	assert.Equal(t, 11, ec2)

	w.SetFaults(world.Faults{Disabled: map[string]bool{"aws:ec2": true}})
	res = discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	for _, s := range res.Skipped {
		assert.Equal(t, "ec2", s.Service)
		assert.Equal(t, discovery.NotEnabled, s.Reason)
	}
	assert.Len(t, res.Skipped, len((&provider{}).ec2Listers()))
}

func TestAllRegionsAndAssumeRole(t *testing.T) {
	t.Parallel()
	other := "210987654321"
	rs := append(awssim.Fixtures(account, "eu-west-1"), awssim.Fixtures(other, "ap-southeast-2")...)
	w := world.New(rs)
	url := sim(t, w)
	p := New(Options{Endpoint: url, Regions: []string{"all"}, Accounts: []Account{
		{}, {RoleARN: "arn:aws:iam::" + other + ":role/driftmgr", ExternalID: "ext-1"}}})
	scopes, err := p.Scopes(context.Background())
	require.NoError(t, err)
	got := map[string][]string{}
	for _, s := range scopes {
		got[s.Account] = append(got[s.Account], s.Region)
	}
	assert.Equal(t, []string{"eu-west-1", "us-east-1", "us-west-2"}, got[account])
	assert.Equal(t, []string{"ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"}, got[other])

	res, err := discovery.Run(context.Background(), []discovery.Provider{p}, discovery.Options{})
	require.NoError(t, err)
	require.Empty(t, res.Skipped)
	// The world keys resources by type and id: the second account's
	// fixtures replace the first's where ids collide.
	assert.Len(t, res.Resources, w.Len())
	for _, r := range res.Resources {
		want, ok := w.Get(r.Key())
		if attachmentID(r) != "" {
			continue
		}
		require.True(t, ok, r.Key())
		_ = want
	}

	_, err = New(Options{Endpoint: url, Accounts: []Account{{RoleARN: "arn:aws:iam::" + other + ":role/x",
		ExternalID: "wrong"}}}).Scopes(context.Background())
	require.Error(t, err)
	_, err = New(Options{Endpoint: url, Accounts: []Account{{Profile: "nope"}}}).Scopes(context.Background())
	require.Error(t, err)
}

func TestListerOutsideScopes(t *testing.T) {
	p := New(Options{})
	for _, l := range p.Listers() {
		assert.NotEmpty(t, l.Types())
		if l.Service() != "cloudcontrol" { // one regional and one global lister
			assert.Equal(t, l.Service() == "iam" || globalData[l.Service()] || globalApp[l.Service()], l.Global())
		}
		err := l.List(context.Background(), discovery.Scope{Provider: "aws", Account: "999999999999"}, func(resource.Resource) {})
		assert.ErrorIs(t, err, errUnknownAccount)
	}
	assert.Equal(t, "aws", p.Name())
}

func TestRetryModeChecked(t *testing.T) {
	_, err := New(Options{RetryMode: "legacy"}).Scopes(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "RetryMode")
}

func TestClassify(t *testing.T) {
	p := New(Options{})
	for code, want := range map[string]discovery.SkipReason{
		"AccessDenied": discovery.AccessDenied, "UnauthorizedOperation": discovery.AccessDenied,
		"AccessDeniedException": discovery.AccessDenied, "OptInRequired": discovery.NotEnabled,
		"RequestLimitExceeded": discovery.Throttled, "Throttling": discovery.Throttled,
		"ThrottlingException": discovery.Throttled, "SlowDown": discovery.Throttled,
		"InternalError": discovery.Failed,
	} {
		err := fmt.Errorf("list: %w", &smithy.GenericAPIError{Code: code})
		assert.Equal(t, want, p.Classify(err), code)
	}
	assert.Equal(t, discovery.Failed, p.Classify(errors.New("boom")))
}

// TestLimiterWithCABundle: with AWS_CA_BUNDLE set (as on many corporate
// machines and on this one), the SDK accepts only its own HTTP client; the
// limiter must wrap that client, not replace it, and still see throttling.
func TestLimiterWithCABundle(t *testing.T) {
	// A few resources suffice to show the wrapping: every lister still
	// makes its calls, and each throttled call costs the SDK's adaptive
	// limiter seconds at its floor, so the full fixture set only adds
	// waiting.
	var fixtures []resource.Resource
	for _, f := range awssim.Fixtures(account, "us-east-1") {
		if f.Type == "aws_instance" || f.Type == "aws_vpc" || f.Type == "aws_s3_bucket" {
			fixtures = append(fixtures, f)
		}
	}
	require.Len(t, fixtures, 3)
	w := world.New(fixtures)
	url := sim(t, w)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(bundle, []byte(testCAPEM), 0o600))
	t.Setenv("AWS_CA_BUNDLE", bundle)
	w.SetFaults(world.Faults{ThrottleRate: 0.3})
	// A floor above the default 0.5/s: how far it slows is the limiter's
	// own tests' business; here it need only see the throttling.
	lim := discovery.NewLimiter(discovery.LimiterOptions{Rate: 1000, Burst: 100, MinRate: 200})
	// Standard retries: the driftmgr limiter does the pacing here (the
	// SDK's adaptive limiter would sleep at its 0.5/s floor on top;
	// TestThrottling covers that mode).
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, Limiter: lim,
		RetryMode: aws.RetryModeStandard})
	assert.Empty(t, res.Skipped)
	assert.Len(t, res.Resources, len(fixtures))
	throttled := 0
	for k, s := range lim.Stats() {
		assert.Contains(t, k, "aws:")
		throttled += s.Throttled
	}
	assert.Positive(t, throttled, "the limiter saw the throttling answers")
}

// testCAPEM is a throwaway self-signed certificate: the SDK only needs a
// parseable bundle.
const testCAPEM = `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIQIRi6zePL6mKjOipn+dNuaTAKBggqhkjOPQQDAjASMRAw
DgYDVQQKEwdBY21lIENvMB4XDTE3MTAyMDE5NDMwNloXDTE4MTAyMDE5NDMwNlow
EjEQMA4GA1UEChMHQWNtZSBDbzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABD0d
7VNhbWvZLWPuj/RtHFjvtJBEwOkhbN/BnnE8rnZR8+sbwnc/KhCk3FhnpHZnQz7B
5aETbbIgmuvewdjvSBSjYzBhMA4GA1UdDwEB/wQEAwICpDATBgNVHSUEDDAKBggr
BgEFBQcDATAPBgNVHRMBAf8EBTADAQH/MCkGA1UdEQQiMCCCDmxvY2FsaG9zdDo1
NDUzgg4xMjcuMC4wLjE6NTQ1MzAKBggqhkjOPQQDAgNIADBFAiEA2zpJEPQyz6/l
Wf86aX6PepsntZv2GYlA5UpabfT2EZICICpJ5h/iI+i341gBmLiAFQOyTDT+/wQc
6MF9+Yw1Yy0t
-----END CERTIFICATE-----
`
