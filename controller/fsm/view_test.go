package fsm

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

var (
	providers = []string{"aws", "azure", "gcp"}
	regions   = []string{"eu-west-1", "us-east-1", "westeurope", "europe-west4", "us-central1"}
	types     = []string{"aws_instance", "aws_s3_bucket", "AWS::EC2::Instance", "azurerm_linux_virtual_machine", "google_compute_instance", "aws_iam_role"}
)

// viewFinding builds the i-th of n findings. Attributes cycle with
// different periods, and ids are scrambled against them, so every sort
// key has ties that only the id breaks.
func viewFinding(tenant string, i, n int) *pb.Finding {
	f := &pb.Finding{
		Id:       fmt.Sprintf("f%05d", (i*37)%n),
		Tenant:   tenant,
		AgentId:  fmt.Sprintf("ag%d", i%2),
		Kind:     pb.DriftKind(1 + i%3),
		Severity: pb.Severity(1 + (i/2)%5),
		Status:   pb.FindingStatus(1 + (i/3)%3),
		Resource: &pb.ResourceRef{
			Provider: providers[i%3],
			Account:  fmt.Sprintf("acct-%d", i%4),
			Region:   regions[i%5],
			Type:     types[i%6],
			Id:       fmt.Sprintf("Res-%02d", i%40),
		},
		LastSeen:  ts(time.Duration(i%10) * time.Minute),
		FirstSeen: ts(-time.Duration(i%7) * time.Hour),
	}
	if i%2 == 0 {
		f.Resource.Address = fmt.Sprintf("module.app.aws_instance.web_%d", i)
	}
	return f
}

const viewN = 83

func testView(t testing.TB) (*View, []*pb.Finding) {
	t.Helper()
	v := newView()
	var fs []*pb.Finding
	for i := range viewN {
		fs = append(fs, viewFinding("acme", i, viewN))
	}
	v.apply(Change{Index: 42, Tenant: "acme", Findings: fs})
	// Another tenant's findings, some with the same ids, never show up.
	var other []*pb.Finding
	for i := range 20 {
		f := viewFinding("other", i, viewN)
		f.Resource.Provider = "aws"
		other = append(other, f)
	}
	v.apply(Change{Index: 43, Tenant: "other", Findings: other})
	return v, fs
}

func TestViewListFilters(t *testing.T) {
	v, all := testView(t)
	tests := []struct {
		name   string
		filter *pb.FindingFilter
		want   func(*pb.Finding) bool
	}{
		{"none", nil, func(*pb.Finding) bool { return true }},
		{"provider", &pb.FindingFilter{Provider: []string{"gcp"}},
			func(f *pb.Finding) bool { return f.Resource.Provider == "gcp" }},
		{"two providers", &pb.FindingFilter{Provider: []string{"gcp", "azure"}},
			func(f *pb.Finding) bool { return f.Resource.Provider != "aws" }},
		{"account", &pb.FindingFilter{Account: []string{"acct-1"}},
			func(f *pb.Finding) bool { return f.Resource.Account == "acct-1" }},
		{"region", &pb.FindingFilter{Region: []string{"westeurope", "us-east-1"}},
			func(f *pb.Finding) bool { return f.Resource.Region == "westeurope" || f.Resource.Region == "us-east-1" }},
		{"type", &pb.FindingFilter{Type: []string{"aws_s3_bucket"}},
			func(f *pb.Finding) bool { return f.Resource.Type == "aws_s3_bucket" }},
		{"kind", &pb.FindingFilter{Kind: []pb.DriftKind{pb.DriftKind_DRIFT_KIND_MISSING}},
			func(f *pb.Finding) bool { return f.Kind == pb.DriftKind_DRIFT_KIND_MISSING }},
		{"severity", &pb.FindingFilter{Severity: []pb.Severity{pb.Severity_SEVERITY_CRITICAL, pb.Severity_SEVERITY_HIGH}},
			func(f *pb.Finding) bool { return f.Severity >= pb.Severity_SEVERITY_HIGH }},
		{"status", &pb.FindingFilter{Status: []pb.FindingStatus{pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED}},
			func(f *pb.Finding) bool { return f.Status == pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED }},
		{"agent", &pb.FindingFilter{AgentId: []string{"ag1"}},
			func(f *pb.Finding) bool { return f.AgentId == "ag1" }},
		{"since is inclusive", &pb.FindingFilter{Since: ts(3 * time.Minute)},
			func(f *pb.Finding) bool { return !f.LastSeen.AsTime().Before(t0.Add(3 * time.Minute)) }},
		{"until is inclusive", &pb.FindingFilter{Until: ts(5 * time.Minute)},
			func(f *pb.Finding) bool { return !f.LastSeen.AsTime().After(t0.Add(5 * time.Minute)) }},
		{"since and until", &pb.FindingFilter{Since: ts(2 * time.Minute), Until: ts(2 * time.Minute)},
			func(f *pb.Finding) bool { return f.LastSeen.AsTime().Equal(t0.Add(2 * time.Minute)) }},
		{"text in resource id, any case", &pb.FindingFilter{Text: "RES-1"},
			func(f *pb.Finding) bool { return strings.HasPrefix(f.Resource.Id, "Res-1") }},
		{"text in address", &pb.FindingFilter{Text: "web_4"},
			func(f *pb.Finding) bool { return strings.Contains(f.Resource.Address, "web_4") }},
		{"text in type", &pb.FindingFilter{Text: "s3_bucket"},
			func(f *pb.Finding) bool { return f.Resource.Type == "aws_s3_bucket" }},
		{"text in type, any case", &pb.FindingFilter{Text: "ec2::instance"},
			func(f *pb.Finding) bool { return f.Resource.Type == "AWS::EC2::Instance" }},
		{"text in type as written", &pb.FindingFilter{Text: "AWS::EC2"},
			func(f *pb.Finding) bool { return f.Resource.Type == "AWS::EC2::Instance" }},
		{"everything at once", &pb.FindingFilter{
			Provider: []string{"aws", "gcp"}, Severity: []pb.Severity{pb.Severity_SEVERITY_LOW, pb.Severity_SEVERITY_MEDIUM, pb.Severity_SEVERITY_HIGH},
			Status: []pb.FindingStatus{pb.FindingStatus_FINDING_STATUS_OPEN, pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED},
			Since:  ts(time.Minute), Text: "res-",
		}, func(f *pb.Finding) bool {
			return f.Resource.Provider != "azure" && f.Severity >= pb.Severity_SEVERITY_LOW && f.Severity <= pb.Severity_SEVERITY_HIGH &&
				f.Status != pb.FindingStatus_FINDING_STATUS_RESOLVED && !f.LastSeen.AsTime().Before(t0.Add(time.Minute))
		}},
		{"no match", &pb.FindingFilter{Provider: []string{"oracle"}}, func(*pb.Finding) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, f := range all {
				if tc.want(f) {
					want = append(want, f.GetId())
				}
			}
			r, err := v.List("acme", &pb.ListFindingsRequest{Filter: tc.filter, PageSize: MaxPageSize, OrderBy: "resource_id"})
			require.NoError(t, err)
			assert.ElementsMatch(t, want, ids(r.GetFindings()))
			assert.Equal(t, int64(len(want)), r.GetTotalSize())
			assert.Empty(t, r.GetNextPageToken())
			assert.Equal(t, uint64(43), r.GetRevision())
			if tc.name != "no match" {
				assert.NotEmpty(t, want, "the case selects something")
			}
			for _, f := range r.GetFindings() {
				assert.Equal(t, "acme", f.GetTenant())
			}
		})
	}
}

func TestViewListFacets(t *testing.T) {
	v, all := testView(t)
	filter := &pb.FindingFilter{Provider: []string{"aws", "azure"}}
	fields := []string{"provider", "account", "region", "type", "kind", "severity", "status", "agent_id"}
	r, err := v.List("acme", &pb.ListFindingsRequest{Filter: filter, PageSize: 1, Facets: fields})
	require.NoError(t, err)
	require.Len(t, r.GetFacets(), len(fields))
	get := map[string]func(*pb.Finding) string{
		"provider": func(f *pb.Finding) string { return f.Resource.Provider },
		"account":  func(f *pb.Finding) string { return f.Resource.Account },
		"region":   func(f *pb.Finding) string { return f.Resource.Region },
		"type":     func(f *pb.Finding) string { return f.Resource.Type },
		"kind":     func(f *pb.Finding) string { return f.Kind.String() },
		"severity": func(f *pb.Finding) string { return f.Severity.String() },
		"status":   func(f *pb.Finding) string { return f.Status.String() },
		"agent_id": func(f *pb.Finding) string { return f.AgentId },
	}
	for i, field := range fields {
		facet := r.GetFacets()[i]
		assert.Equal(t, field, facet.GetField(), "facets in the order asked")
		want := map[string]int64{}
		for _, f := range all {
			if f.Resource.Provider != "gcp" {
				want[get[field](f)]++
			}
		}
		got := map[string]int64{}
		var total int64
		for _, fv := range facet.GetValues() {
			got[fv.GetValue()] = fv.GetCount()
			total += fv.GetCount()
		}
		assert.Equal(t, want, got, "facet %s counts the filtered findings, not the page", field)
		assert.Equal(t, r.GetTotalSize(), total)
		assert.True(t, slices.IsSortedFunc(facet.GetValues(), func(a, b *pb.FacetValue) int {
			if a.GetCount() != b.GetCount() {
				return int(b.GetCount() - a.GetCount())
			}
			return strings.Compare(a.GetValue(), b.GetValue())
		}), "facet %s values by count, then value", field)
	}
	assert.NotContains(t, facetValues(r.GetFacets()[0]), "gcp")
}

func facetValues(f *pb.Facet) []string {
	var out []string
	for _, v := range f.GetValues() {
		out = append(out, v.GetValue())
	}
	return out
}

// orderKeys renders a finding's sort key so that string order is key order.
var orderKeys = map[string]func(*pb.Finding) string{
	"severity":    func(f *pb.Finding) string { return fmt.Sprintf("%02d", f.Severity) },
	"last_seen":   func(f *pb.Finding) string { return fmt.Sprintf("%020d", f.LastSeen.AsTime().UnixNano()) },
	"first_seen":  func(f *pb.Finding) string { return fmt.Sprintf("%020d", f.FirstSeen.AsTime().UnixNano()) },
	"type":        func(f *pb.Finding) string { return f.Resource.Type },
	"kind":        func(f *pb.Finding) string { return fmt.Sprintf("%02d", f.Kind) },
	"resource_id": func(f *pb.Finding) string { return f.Resource.Id },
	"account":     func(f *pb.Finding) string { return f.Resource.Account },
	"region":      func(f *pb.Finding) string { return f.Resource.Region },
}

func TestViewListOrderAndPages(t *testing.T) {
	v, all := testView(t)
	require.Len(t, orderKeys, len(orderings), "every sort key is tested")
	for key, kf := range orderKeys {
		for _, dir := range []string{"", " asc", " desc"} {
			for _, size := range []int32{1, 7, viewN - 1, viewN, MaxPageSize} {
				order := key + dir
				t.Run(fmt.Sprintf("%s/%d", order, size), func(t *testing.T) {
					var got []*pb.Finding
					tok := ""
					for pages := 0; ; pages++ {
						require.Less(t, pages, viewN+1, "pages end")
						r, err := v.List("acme", &pb.ListFindingsRequest{PageSize: size, OrderBy: order, PageToken: tok})
						require.NoError(t, err)
						assert.Equal(t, int64(viewN), r.GetTotalSize())
						assert.LessOrEqual(t, len(r.GetFindings()), int(size))
						got = append(got, r.GetFindings()...)
						tok = r.GetNextPageToken()
						if tok == "" {
							break
						}
						assert.Len(t, r.GetFindings(), int(size), "only the last page is short")
					}
					assert.ElementsMatch(t, ids(all), ids(got), "every finding once")
					for i := 1; i < len(got); i++ {
						a, b := kf(got[i-1]), kf(got[i])
						if dir == " desc" {
							a, b = b, a
						}
						require.LessOrEqual(t, a, b, "%s: %s before %s", order, got[i-1].GetId(), got[i].GetId())
						if a == b {
							require.Less(t, got[i-1].GetId(), got[i].GetId(), "ties break by id")
						}
					}
				})
			}
		}
	}
}

func TestViewListDefaultsAndLimits(t *testing.T) {
	v, _ := testView(t)
	def, err := v.List("acme", &pb.ListFindingsRequest{PageSize: MaxPageSize})
	require.NoError(t, err)
	explicit, err := v.List("acme", &pb.ListFindingsRequest{PageSize: MaxPageSize, OrderBy: "  severity desc "})
	require.NoError(t, err)
	assert.Equal(t, ids(explicit.GetFindings()), ids(def.GetFindings()), `the default order is "severity desc"`)
	assert.Equal(t, pb.Severity_SEVERITY_CRITICAL, def.GetFindings()[0].GetSeverity())

	big := newView()
	var fs []*pb.Finding
	for i := range 2500 {
		fs = append(fs, viewFinding("big", i, 2500))
	}
	big.apply(Change{Index: 1, Findings: fs})
	for _, tc := range []struct {
		size int32
		want int
	}{{0, DefaultPageSize}, {1, 1}, {999, 999}, {MaxPageSize, MaxPageSize}, {MaxPageSize + 1, MaxPageSize}, {1 << 30, MaxPageSize}} {
		r, err := big.List("big", &pb.ListFindingsRequest{PageSize: tc.size})
		require.NoError(t, err)
		assert.Len(t, r.GetFindings(), tc.want, "page_size %d", tc.size)
		assert.NotEmpty(t, r.GetNextPageToken())
		assert.Equal(t, int64(2500), r.GetTotalSize())
	}

	empty, err := v.List("nobody", &pb.ListFindingsRequest{Facets: []string{"kind"}})
	require.NoError(t, err)
	assert.Empty(t, empty.GetFindings())
	assert.Zero(t, empty.GetTotalSize())
	require.Len(t, empty.GetFacets(), 1)
	assert.Empty(t, empty.GetFacets()[0].GetValues())
}

func TestViewListErrors(t *testing.T) {
	v, _ := testView(t)
	first, err := v.List("acme", &pb.ListFindingsRequest{PageSize: 10, OrderBy: "severity"})
	require.NoError(t, err)
	tok := first.GetNextPageToken()
	require.NotEmpty(t, tok)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

	tests := []struct {
		name  string
		req   *pb.ListFindingsRequest
		field string
		msg   string
	}{
		{"negative page_size", &pb.ListFindingsRequest{PageSize: -1}, "page_size", "-1 is negative"},
		{"unknown order", &pb.ListFindingsRequest{OrderBy: "name"}, "order_by", `"name" is not a sort key`},
		{"order in capitals", &pb.ListFindingsRequest{OrderBy: "severity DESC"}, "order_by", "not a sort key"},
		{"order by id", &pb.ListFindingsRequest{OrderBy: "id desc"}, "order_by", "account, first_seen, kind"},
		{"unknown facet", &pb.ListFindingsRequest{Facets: []string{"kind", "tenant"}}, "facets", `"tenant" is not a facet`},
		{"token of another order", &pb.ListFindingsRequest{OrderBy: "last_seen", PageToken: tok}, "page_token", `"severity", not "last_seen"`},
		{"token of the reverse order", &pb.ListFindingsRequest{OrderBy: "severity desc", PageToken: tok}, "page_token", "was issued for"},
		{"token not base64", &pb.ListFindingsRequest{PageToken: "!!!"}, "page_token", "not a token"},
		{"token without order", &pb.ListFindingsRequest{PageToken: b64("10")}, "page_token", "not a token"},
		{"token with a bad offset", &pb.ListFindingsRequest{PageToken: b64("x|severity desc")}, "page_token", "not a token"},
		{"token with a negative offset", &pb.ListFindingsRequest{PageToken: b64("-5|severity desc")}, "page_token", "not a token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.List("acme", tc.req)
			require.Error(t, err)
			var ia *InvalidArgumentError
			require.True(t, errors.As(err, &ia), "%T", err)
			assert.Equal(t, tc.field, ia.Field)
			assert.Contains(t, err.Error(), tc.field+": ")
			assert.Contains(t, err.Error(), tc.msg)
		})
	}

	// A token past the end reads as an empty last page.
	r, err := v.List("acme", &pb.ListFindingsRequest{PageToken: b64("5000|severity desc")})
	require.NoError(t, err)
	assert.Empty(t, r.GetFindings())
	assert.Empty(t, r.GetNextPageToken())
	assert.Equal(t, int64(viewN), r.GetTotalSize())
}

func TestViewCounts(t *testing.T) {
	v, all := testView(t)
	want := &pb.FindingCounts{}
	for _, f := range all {
		switch f.Status {
		case pb.FindingStatus_FINDING_STATUS_RESOLVED:
			continue
		case pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED:
			want.Acknowledged++
		default:
			want.Open++
		}
		switch f.Kind {
		case pb.DriftKind_DRIFT_KIND_MISSING:
			want.Missing++
		case pb.DriftKind_DRIFT_KIND_UNMANAGED:
			want.Unmanaged++
		case pb.DriftKind_DRIFT_KIND_MODIFIED:
			want.Modified++
		}
		switch f.Severity {
		case pb.Severity_SEVERITY_CRITICAL:
			want.Critical++
		case pb.Severity_SEVERITY_HIGH:
			want.High++
		}
	}
	got := v.Counts("acme")
	assert.True(t, proto.Equal(want, got), "want %v\ngot  %v", want, got)
	assert.Positive(t, got.GetOpen())
	assert.Positive(t, got.GetAcknowledged())
	assert.Less(t, got.GetOpen()+got.GetAcknowledged(), int64(viewN), "resolved findings are not counted")
	assert.True(t, proto.Equal(&pb.FindingCounts{}, v.Counts("nobody")))

	// An unspecified status counts as open.
	v.apply(Change{Index: 44, Findings: []*pb.Finding{{Id: "u", Tenant: "u"}}})
	assert.Equal(t, int64(1), v.Counts("u").GetOpen())
	_, ok := v.Finding("u", "u")
	assert.True(t, ok)
	_, ok = v.Finding("acme", "u")
	assert.False(t, ok)
	assert.Equal(t, uint64(44), v.Revision())

	// Tracked follows status changes: resolved findings do not count.
	assert.EqualValues(t, got.GetOpen()+got.GetAcknowledged(), v.Tracked("acme"))
	assert.Equal(t, 1, v.Tracked("u"))
	v.apply(Change{Index: 45, Findings: []*pb.Finding{{Id: "u", Tenant: "u", Status: pb.FindingStatus_FINDING_STATUS_RESOLVED}}})
	assert.Equal(t, 0, v.Tracked("u"))
	v.apply(Change{Index: 46, Findings: []*pb.Finding{{Id: "u", Tenant: "u", Status: pb.FindingStatus_FINDING_STATUS_RESOLVED}}})
	assert.Equal(t, 0, v.Tracked("u"), "resolved twice counts once")
	v.apply(Change{Index: 47, Findings: []*pb.Finding{{Id: "u", Tenant: "u", Status: pb.FindingStatus_FINDING_STATUS_OPEN}}})
	assert.Equal(t, 1, v.Tracked("u"), "drifted again")
	assert.True(t, v.Has("u", "u"))
	assert.False(t, v.Has("acme", "u"))
}

// A listing is computed once and its pages served from the cache until
// the tenant's findings change; another tenant's change does not
// invalidate it, and a change to this tenant is seen at once.
func TestViewListingCache(t *testing.T) {
	v := newView()
	mk := func(tenant, id string, sev pb.Severity) *pb.Finding {
		return &pb.Finding{Id: id, Tenant: tenant, Kind: pb.DriftKind_DRIFT_KIND_MODIFIED, Severity: sev,
			Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_instance", Id: id}}
	}
	var fs []*pb.Finding
	for i := range 25 {
		fs = append(fs, mk("acme", fmt.Sprintf("f%02d", i), pb.Severity_SEVERITY_LOW))
	}
	v.apply(Change{Index: 1, Tenant: "acme", Findings: fs})
	req := &pb.ListFindingsRequest{PageSize: 10, OrderBy: "resource_id", Facets: []string{"severity"}}
	first, err := v.List("acme", req)
	require.NoError(t, err)
	require.Len(t, v.cache.items, 1)
	cached := v.cache.items[0]

	v.apply(Change{Index: 2, Tenant: "other", Findings: []*pb.Finding{mk("other", "x", pb.Severity_SEVERITY_HIGH)}})
	next, err := v.List("acme", &pb.ListFindingsRequest{PageSize: 10, OrderBy: "resource_id", Facets: []string{"severity"}, PageToken: first.GetNextPageToken()})
	require.NoError(t, err)
	assert.Same(t, cached, v.cache.items[0], "another tenant's change keeps the listing")
	assert.Equal(t, "f10", next.GetFindings()[0].GetId())
	assert.Equal(t, uint64(2), next.GetRevision())

	v.apply(Change{Index: 3, Tenant: "acme", Findings: []*pb.Finding{mk("acme", "f00", pb.Severity_SEVERITY_CRITICAL), mk("acme", "f99", pb.Severity_SEVERITY_LOW)}})
	again, err := v.List("acme", req)
	require.NoError(t, err)
	assert.Equal(t, int64(26), again.GetTotalSize(), "this tenant's change is seen at once")
	assert.Equal(t, pb.Severity_SEVERITY_CRITICAL, again.GetFindings()[0].GetSeverity())
	assert.Len(t, v.cache.items, 1, "the stale listing is replaced, not kept beside")

	for i := range maxListings + 3 {
		_, err := v.List("acme", &pb.ListFindingsRequest{Filter: &pb.FindingFilter{Text: fmt.Sprint(i)}})
		require.NoError(t, err)
	}
	assert.Len(t, v.cache.items, maxListings)
}
