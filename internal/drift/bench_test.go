package drift

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// genInventory builds n state resources and the matching live inventory
// with 1% modified, 1% missing and 1% unmanaged. Shapes mirror real states:
// mostly instances with nested blocks, security groups with rule sets and
// IAM roles with policy documents. Each side is built separately so no
// value is shared, as when both are decoded from JSON.
func genInventory(n int) (state, live []resource.Resource) {
	state = make([]resource.Resource, 0, n)
	live = make([]resource.Resource, 0, n)
	for i := range n {
		s := genResource(i, false)
		switch {
		case i%100 == 1: // missing
			state = append(state, s)
		case i%100 == 2: // modified
			state = append(state, s)
			live = append(live, genResource(i, true))
		case i%100 == 3: // unmanaged
			live = append(live, genResource(i, false))
		default:
			state = append(state, s)
			live = append(live, genResource(i, false))
		}
	}
	return state, live
}

func genResource(i int, modified bool) resource.Resource {
	switch i % 10 {
	case 0:
		return genSecurityGroup(i, modified)
	case 5:
		return genRole(i, modified)
	default:
		return genInstance(i, modified)
	}
}

func genInstance(i int, modified bool) resource.Resource {
	itype := "t3.micro"
	if modified {
		itype = "t3.large"
	}
	id := fmt.Sprintf("i-%017x", i)
	return resource.Resource{Provider: "aws", Type: "aws_instance", ID: id, Region: "us-east-1", Account: "123456789012",
		Attrs: map[string]any{
			"id": id, "ami": "ami-0c55b159cbfafe1f0", "instance_type": itype,
			"arn":                    fmt.Sprintf("arn:aws:ec2:us-east-1:123456789012:instance/%s", id),
			"availability_zone":      "us-east-1a",
			"subnet_id":              fmt.Sprintf("subnet-%08x", i%512),
			"vpc_security_group_ids": []any{fmt.Sprintf("sg-%08x", i%64), "sg-0000default"},
			"private_ip":             fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
			"key_name":               "deploy", "ebs_optimized": false, "monitoring": true,
			"user_data": "3f5a8c1e9b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a", "source_dest_check": true,
			"tags":                 map[string]any{"Name": fmt.Sprintf("web-%d", i), "Env": "prod", "Team": "platform"},
			"root_block_device":    []any{map[string]any{"volume_size": 20.0, "volume_type": "gp3", "encrypted": true, "delete_on_termination": true, "iops": 3000.0}},
			"metadata_options":     []any{map[string]any{"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1.0}},
			"credit_specification": []any{map[string]any{"cpu_credits": "unlimited"}},
			"tenancy":              "default",
		}}
}

func genSecurityGroup(i int, modified bool) resource.Resource {
	cidr := "10.0.0.0/8"
	if modified {
		cidr = "0.0.0.0/0"
	}
	id := fmt.Sprintf("sg-%017x", i)
	return resource.Resource{Provider: "aws", Type: "aws_security_group", ID: id, Region: "us-east-1",
		Attrs: map[string]any{
			"id": id, "name": fmt.Sprintf("sg-%d", i), "description": "app tier", "vpc_id": "vpc-0a1b2c3d",
			"ingress": []any{
				map[string]any{"protocol": "tcp", "from_port": 22.0, "to_port": 22.0, "cidr_blocks": []any{cidr}, "description": "ssh"},
				map[string]any{"protocol": "tcp", "from_port": 443.0, "to_port": 443.0, "cidr_blocks": []any{"0.0.0.0/0"}, "description": "https"},
				map[string]any{"protocol": "tcp", "from_port": 8080.0, "to_port": 8080.0, "security_groups": []any{"sg-0lb"}, "description": "lb"},
			},
			"egress": []any{map[string]any{"protocol": "-1", "from_port": 0.0, "to_port": 0.0, "cidr_blocks": []any{"0.0.0.0/0"}}},
			"tags":   map[string]any{"Name": fmt.Sprintf("sg-%d", i), "Env": "prod"},
		}}
}

func genRole(i int, modified bool) resource.Resource {
	action := `"s3:GetObject","s3:ListBucket"`
	if modified {
		action = `"s3:*"`
	}
	name := fmt.Sprintf("role-%d", i)
	return resource.Resource{Provider: "aws", Type: "aws_iam_role", ID: name,
		Attrs: map[string]any{
			"id": name, "name": name, "path": "/", "max_session_duration": 3600.0,
			"assume_role_policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			"inline_policy":      []any{map[string]any{"name": "s3", "policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + action + `],"Resource":"*"}]}`}},
			"tags":               map[string]any{"Team": "platform"},
		}}
}

func TestGeneratedInventoryDrift(t *testing.T) {
	state, live := genInventory(10_000)
	r := Compare(state, live, Options{})
	s := r.Summary
	if s.Missing != 100 || s.Unmanaged != 100 || s.Modified != 100 {
		t.Fatalf("want 100 of each kind, got %+v", s)
	}
	for _, f := range r.Findings {
		if f.Kind == Modified && len(f.Diffs) != 1 {
			t.Fatalf("%s: want exactly one diff, got %+v", f.ID, f.Diffs)
		}
	}
}

// BenchmarkCompare measures the engine alone over realistic inventories;
// ns/resource staying flat from 10k to 200k shows it is linear. The 200k
// case is the target in the drift-engine issue: under 2 s and under
// 1.5 GB peak (peak-heap-MB includes both inputs).
func BenchmarkCompare(b *testing.B) {
	for _, n := range []int{10_000, 50_000, 100_000, 200_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			state, live := genInventory(n)
			peak := startPeakSampler()
			b.ResetTimer()
			var r *Result
			for b.Loop() {
				r = Compare(state, live, Options{})
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/resource")
			b.ReportMetric(peak.stop()/(1<<20), "peak-heap-MB")
			if r.Summary.Modified != n/100 {
				b.Fatalf("modified = %d, want %d", r.Summary.Modified, n/100)
			}
		})
	}
}

type peakSampler struct {
	peak atomic.Uint64
	done chan struct{}
	wg   sync.WaitGroup
}

// startPeakSampler polls the heap every few milliseconds: Go reports no
// high-water mark of its own.
func startPeakSampler() *peakSampler {
	p := &peakSampler{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > p.peak.Load() {
				p.peak.Store(ms.HeapInuse)
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

func (p *peakSampler) stop() float64 {
	close(p.done)
	p.wg.Wait()
	return float64(p.peak.Load())
}
