package aws

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

var (
	benchAccounts = []string{"111111111111", "222222222222", "333333333333"}
	benchRegions  = []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"}
)

// benchWorld spreads n regional EC2 resources over the accounts and
// regions the way real accounts hold them: a few VPCs, route tables,
// gateways and ACLs per region (VPCs are limited to five per region by
// default), and the rest instances, volumes, security groups, subnets,
// addresses and key pairs. Each id is unique (the world is keyed by type
// and id).
func benchWorld(n int) []resource.Resource {
	shapes := map[string]resource.Resource{}
	for _, f := range awssim.Fixtures("111111111111", "us-east-1") {
		if f.Region != "" && !strings.HasPrefix(f.Type, "aws_iam") {
			shapes[f.Type] = f
		}
	}
	perScope := map[string]int{"aws_vpc": 5, "aws_route_table": 10, "aws_internet_gateway": 5,
		"aws_nat_gateway": 5, "aws_network_acl": 5}
	bulk := []struct {
		typ    string
		weight int
	}{{"aws_instance", 40}, {"aws_ebs_volume", 30}, {"aws_security_group", 15}, {"aws_subnet", 5},
		{"aws_eip", 5}, {"aws_key_pair", 5}}
	var out []resource.Resource
	i := 0
	add := func(typ, account, region string) {
		r := shapes[typ]
		r.Attrs = cloneAttrs(r.Attrs)
		r.Account, r.Region = account, region
		r.ID = fmt.Sprintf("%s-b%07d", r.ID, i)
		r.Attrs["id"] = r.ID
		if typ == "aws_key_pair" {
			r.Attrs["key_name"] = r.ID
		}
		out = append(out, r)
		i++
	}
	scopes := len(benchAccounts) * len(benchRegions)
	for s := range scopes {
		for typ, k := range perScope {
			for range k {
				add(typ, benchAccounts[s%len(benchAccounts)], benchRegions[s/len(benchAccounts)])
			}
		}
	}
	for len(out) < n {
		for _, b := range bulk {
			for range b.weight {
				if len(out) == n {
					break
				}
				s := i % scopes
				add(b.typ, benchAccounts[s%len(benchAccounts)], benchRegions[s/len(benchAccounts)])
			}
		}
	}
	return out
}

func cloneAttrs(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// BenchmarkDiscover50k is the discovery issue's target: 50,000 resources
// across 3 accounts x 4 regions from the simulated cloud with 5% of calls
// throttled, with the SDK's default retry delays — under 60 s wall and
// 500 MB peak, no resource lost. Accounts are reached by assuming a role
// in each, as a real multi-account scan does.
func BenchmarkDiscover50k(b *testing.B) {
	const n = 50_000
	w := world.New(benchWorld(n))
	url := sim(b, w)
	w.SetFaults(world.Faults{ThrottleRate: 0.05})
	var accounts []Account
	for _, a := range benchAccounts {
		accounts = append(accounts, Account{RoleARN: "arn:aws:iam::" + a + ":role/driftmgr-read"})
	}
	peak := startPeak()
	b.ResetTimer()
	for b.Loop() {
		calls0 := w.Calls()
		lim := discovery.NewLimiter(discovery.LimiterOptions{Rate: 50, Burst: 20})
		res, err := discovery.Run(context.Background(),
			[]discovery.Provider{New(Options{Endpoint: url, Regions: benchRegions, Accounts: accounts, Limiter: lim})},
			discovery.Options{Concurrency: 8})
		require.NoError(b, err)
		require.Empty(b, res.Skipped, "no service may be throttled out")
		require.Len(b, res.Resources, n, "no resource lost")
		b.ReportMetric(float64(w.Calls()-calls0)/n, "calls/resource")
		throttled := 0
		for _, s := range lim.Stats() {
			throttled += s.Throttled
		}
		b.ReportMetric(float64(throttled), "throttled-calls")
	}
	b.StopTimer()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/discovery")
	b.ReportMetric(peak.stop()/(1<<20), "peak-heap-MB")
}

type peakHeap struct {
	max  atomic.Uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func startPeak() *peakHeap {
	p := &peakHeap{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > p.max.Load() {
				p.max.Store(ms.HeapInuse)
			}
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) stop() float64 {
	close(p.done)
	p.wg.Wait()
	return float64(p.max.Load())
}
