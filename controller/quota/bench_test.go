package quota

import (
	"fmt"
	"sync/atomic"
	"testing"
)

func tenantNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("tenant-%04d", i)
	}
	return names
}

// BenchmarkAllow1000Tenants is the hot path of every API call with the
// issue's load shape: 1,000 tenants calling at once from every core.
func BenchmarkAllow1000Tenants(b *testing.B) {
	l := NewLimiter(Config{Default: Limits{RequestsPerSecond: 1e6, Burst: 1e6}})
	names := tenantNames(1000)
	for _, n := range names {
		_ = l.AllowRequest(n)
	}
	var next atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := next.Add(7919) // each goroutine starts elsewhere in the list
		for pb.Next() {
			i++
			if err := l.AllowRequest(names[i%uint64(len(names))]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAllowNoisyTenant is the worst case for lock contention: every
// core hammers one tenant that is over its rate, so every call is refused.
func BenchmarkAllowNoisyTenant(b *testing.B) {
	l := NewLimiter(Config{Default: Limits{RequestsPerSecond: 1}})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = l.AllowRequest("noisy")
		}
	})
}

// BenchmarkAcquireStream1000Tenants opens and closes streams across
// tenants.
func BenchmarkAcquireStream1000Tenants(b *testing.B) {
	l := NewLimiter(Config{Default: Limits{MaxStreams: 1000}})
	names := tenantNames(1000)
	var next atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := next.Add(7919)
		for pb.Next() {
			i++
			release, err := l.AcquireStream(names[i%uint64(len(names))])
			if err != nil {
				b.Fatal(err)
			}
			release()
		}
	})
}
