package fsm

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// decoded is f as a node holds it after decoding a log entry: every
// string a copy of its own.
func decoded(t testing.TB, f proto.Message) proto.Message {
	b, err := proto.Marshal(f)
	require.NoError(t, err)
	out := f.ProtoReflect().New().Interface()
	require.NoError(t, proto.Unmarshal(b, out))
	return out
}

func same(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

func TestViewSharesRepeatedStrings(t *testing.T) {
	v := newView()
	a := decoded(t, viewFinding("acme", 0, 1000)).(*pb.Finding)
	b := decoded(t, viewFinding("acme", 60, 1000)).(*pb.Finding) // same agent, provider, account, region, type
	a.Origin, b.Origin = strings.Clone("s3://state/prod.tfstate"), strings.Clone("s3://state/prod.tfstate")
	wantA, wantB := proto.Clone(a), proto.Clone(b)
	require.False(t, same(a.GetResource().GetRegion(), b.GetResource().GetRegion()), "the test starts from separate copies")
	v.apply(Change{Index: 1, Findings: []*pb.Finding{a, b}})

	ga, _ := v.Finding("acme", a.GetId())
	gb, _ := v.Finding("acme", b.GetId())
	assert.True(t, proto.Equal(wantA, ga), "values are unchanged")
	assert.True(t, proto.Equal(wantB, gb), "values are unchanged")
	for _, pair := range [][2]string{
		{ga.GetTenant(), gb.GetTenant()}, {ga.GetAgentId(), gb.GetAgentId()}, {ga.GetOrigin(), gb.GetOrigin()},
		{ga.GetResource().GetProvider(), gb.GetResource().GetProvider()}, {ga.GetResource().GetAccount(), gb.GetResource().GetAccount()},
		{ga.GetResource().GetRegion(), gb.GetResource().GetRegion()}, {ga.GetResource().GetType(), gb.GetResource().GetType()},
	} {
		assert.True(t, same(pair[0], pair[1]), "%q is held once", pair[0])
	}
	assert.False(t, same(ga.GetId(), gb.GetId()))
	// A finding's own strings are one allocation.
	next := unsafe.Add(unsafe.Pointer(unsafe.StringData(ga.GetId())), len(ga.GetId()))
	assert.Equal(t, next, unsafe.Pointer(unsafe.StringData(ga.GetResource().GetId())), "id and resource id are packed")

	s1 := decoded(t, &pb.SecurityFinding{Id: "s1", Tenant: "acme", CheckId: "s3-public", Title: "Bucket is public", Category: "exposure",
		Remediation: "Block public access", Resource: &pb.ResourceRef{Provider: "aws", Region: strings.Clone(ga.GetResource().GetRegion())}}).(*pb.SecurityFinding)
	s2 := proto.Clone(s1).(*pb.SecurityFinding)
	s2.Id, s2.Title, s2.Remediation = "s2", strings.Clone(s1.Title), strings.Clone(s1.Remediation)
	v.apply(Change{Index: 2, Tenant: "acme", SecFindings: []*pb.SecurityFinding{s1, s2}})
	assert.True(t, same(s1.GetTitle(), s2.GetTitle()))
	assert.True(t, same(s1.GetRemediation(), s2.GetRemediation()))
	assert.True(t, same(s1.GetResource().GetRegion(), ga.GetResource().GetRegion()), "one table for both kinds")
}

func TestInternerIsBounded(t *testing.T) {
	var in interner
	first := in.str(strings.Clone("scan-0"))
	for i := range maxInterned + 10 {
		in.str(fmt.Sprintf("scan-%d", i))
		require.LessOrEqual(t, len(in.m), maxInterned)
	}
	// The table started again: a new copy is kept, the old one stays valid.
	again := in.str(strings.Clone("scan-0"))
	assert.Equal(t, "scan-0", again)
	assert.Equal(t, "scan-0", first)
	assert.Empty(t, in.str(""))

	big := strings.Repeat("x", 1<<20) + "eu-west-1"
	kept := in.str(big[1<<20:])
	assert.Equal(t, "eu-west-1", kept)
	assert.False(t, same(kept, big[1<<20:]), "the table keeps a copy, not a slice of the megabyte")
}

func TestPack(t *testing.T) {
	for _, tc := range []struct{ name, a, b, c string }{
		{"all set", "f1", "i-0abc", "aws_instance.web"},
		{"one empty", "f1", "", "aws_instance.web"},
		{"all empty", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, c := strings.Clone(tc.a), strings.Clone(tc.b), strings.Clone(tc.c)
			pack(&a, &b, &c)
			assert.Equal(t, []string{tc.a, tc.b, tc.c}, []string{a, b, c})
			if tc.a != "" && tc.c != "" {
				end := unsafe.Add(unsafe.Pointer(unsafe.StringData(a)), len(a)+len(b))
				assert.Equal(t, end, unsafe.Pointer(unsafe.StringData(c)), "one allocation")
			}
		})
	}
}

// BenchmarkViewHeap reports what 100,000 findings, decoded as a node
// decodes them, cost the view in heap bytes and objects per finding; the
// objects are what the collector's mark walks on every cycle.
func BenchmarkViewHeap(b *testing.B) {
	const n = 100000
	wire := make([][]byte, n)
	for i := range wire {
		f := viewFinding(fmt.Sprintf("t%03d", i%1000), i, n)
		f.Id = fmt.Sprintf("f%06d", i)
		f.Origin, f.ScanId = "s3://state/prod.tfstate", fmt.Sprintf("scan-%d", i%1000)
		var err error
		wire[i], err = proto.Marshal(f)
		require.NoError(b, err)
	}
	for b.Loop() {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		v := newView()
		for i, w := range wire {
			f := &pb.Finding{}
			require.NoError(b, proto.Unmarshal(w, f))
			v.apply(Change{Index: uint64(i + 1), Findings: []*pb.Finding{f}})
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/n, "heap-B/finding")
		b.ReportMetric(float64(m1.HeapObjects-m0.HeapObjects)/n, "objects/finding")
		runtime.KeepAlive(v)
	}
}

// A node that starts again builds its view from bbolt: the findings it
// decodes there share their repeated strings too.
func TestLoadedViewSharesRepeatedStrings(t *testing.T) {
	n := newNode(t)
	n.enroll("acme", "ag1")
	for _, o := range n.ingest(batch(t, "acme", "ag1", 1, 1, findingRec("f1", withScan("scan-1")), findingRec("f2", withScan("scan-1")))) {
		require.Equal(t, "applied", o.GetStatus(), o.GetError())
	}
	n.restart()
	a, ok := n.fsm.View().Finding("acme", "f1")
	require.True(t, ok)
	b, ok := n.fsm.View().Finding("acme", "f2")
	require.True(t, ok)
	assert.Equal(t, "scan-1", a.GetScanId())
	assert.True(t, same(a.GetScanId(), b.GetScanId()))
	assert.True(t, same(a.GetResource().GetType(), b.GetResource().GetType()))
	assert.True(t, same(a.GetTenant(), b.GetTenant()))
}
