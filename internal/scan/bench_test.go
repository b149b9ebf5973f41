package scan

import (
	"fmt"
	"testing"
	"time"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// benchInventory builds n resources in a mix like a mid-size AWS estate
// with Azure and GCP beside it: instances and volumes dominate, with
// security groups and their rule resources, IAM, buckets and their
// children, and the typed Azure/GCP resources.
func benchInventory(n int) []resource.Resource {
	mix := []func(i int) []resource.Resource{
		func(i int) []resource.Resource {
			return []resource.Resource{res("aws_instance", fmt.Sprintf("i-%d", i), map[string]any{"instance_type": "t3.micro",
				"metadata_options": []any{map[string]any{"http_tokens": "optional"}}, "user_data": "#!/bin/sh\necho start\napt-get update -y\n",
				"tags": map[string]any{"Name": "app"}})}
		},
		func(i int) []resource.Resource {
			return []resource.Resource{res("aws_ebs_volume", fmt.Sprintf("vol-%d", i), map[string]any{"encrypted": i%3 != 0, "size": 50.0})}
		},
		func(i int) []resource.Resource {
			id := fmt.Sprintf("sg-%d", i)
			return []resource.Resource{
				res("aws_security_group", id, map[string]any{"name": "web", "ingress": []any{ingress(443, 443, "tcp", "0.0.0.0/0"), ingress(22, 22, "tcp", "10.0.0.0/8")}, "egress": []any{ingress(0, 0, "-1", "0.0.0.0/0")}}),
				res("aws_security_group_rule", id+"-r", map[string]any{"type": "ingress", "security_group_id": id, "from_port": 3389.0, "to_port": 3389.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}}),
			}
		},
		func(i int) []resource.Resource {
			return []resource.Resource{
				res("aws_iam_role", fmt.Sprintf("role-%d", i), map[string]any{"assume_role_policy": trustEC2, "inline_policy": []any{map[string]any{"name": "p", "policy": polPassRole}}}),
				res("aws_iam_policy", fmt.Sprintf("arn:aws:iam::1:policy/p%d", i), map[string]any{"policy": polRead}),
			}
		},
		func(i int) []resource.Resource {
			b := fmt.Sprintf("bucket-%d", i)
			return []resource.Resource{
				res("aws_s3_bucket", b, map[string]any{"bucket": b}),
				res("aws_s3_bucket_public_access_block", b, map[string]any{"bucket": b, "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": i%2 == 0}),
				res("aws_s3_bucket_policy", b, map[string]any{"bucket": b, "policy": polTLS}),
			}
		},
		func(i int) []resource.Resource {
			return []resource.Resource{res("aws_lambda_function", fmt.Sprintf("fn-%d", i), map[string]any{"environment": []any{map[string]any{"variables": map[string]any{"MODE": "prod", "DB_HOST": "db.internal", "DB_PASSWORD": "Zq8#pL2!vN6@rT9w"}}}})}
		},
		func(i int) []resource.Resource {
			return []resource.Resource{res("aws_db_instance", fmt.Sprintf("db-%d", i), map[string]any{"publicly_accessible": false, "storage_encrypted": true, "auto_minor_version_upgrade": true})}
		},
		func(i int) []resource.Resource {
			return []resource.Resource{res("azurerm_network_security_group", fmt.Sprintf("/nsg/%d", i), map[string]any{"name": fmt.Sprintf("nsg-%d", i), "security_rule": []any{
				map[string]any{"name": "ssh", "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destination_port_range": "22", "source_address_prefix": "10.0.0.0/8"}}}),
				res("azurerm_storage_account", fmt.Sprintf("/sa/%d", i), map[string]any{"https_traffic_only_enabled": true, "min_tls_version": "TLS1_2", "allow_nested_items_to_be_public": false})}
		},
		func(i int) []resource.Resource {
			return []resource.Resource{res("google_compute_firewall", fmt.Sprintf("fw-%d", i), map[string]any{"direction": "INGRESS", "source_ranges": []any{"0.0.0.0/0"}, "allow": []any{map[string]any{"protocol": "tcp", "ports": []any{"80", "443"}}}}),
				res("google_compute_instance", fmt.Sprintf("vm-%d", i), map[string]any{"service_account": []any{map[string]any{"email": "1-compute@developer.gserviceaccount.com", "scopes": []any{"cloud-platform"}}}})}
		},
		func(i int) []resource.Resource {
			return []resource.Resource{res("aws_vpc", fmt.Sprintf("vpc-%d", i), nil), res("aws_subnet", fmt.Sprintf("subnet-%d", i), nil), res("aws_route_table", fmt.Sprintf("rtb-%d", i), nil)}
		},
	}
	var out []resource.Resource
	for i := 0; len(out) < n; i++ {
		out = append(out, mix[i%len(mix)](i)...)
	}
	return out[:n]
}

// BenchmarkScan100k evaluates 100,000 resources against every built-in
// check and the secret rules. Issue 7's target: under 5 s on 2 cores.
func BenchmarkScan100k(b *testing.B) {
	inv := benchInventory(100_000)
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := Run(Input{Live: inv, Now: now})
		if rep.Summary.Fail == 0 {
			b.Fatal("no failures")
		}
		b.ReportMetric(float64(len(rep.Results)), "results")
	}
}

// BenchmarkDriftSecurity100k: 100,000 state and 100,000 live resources
// with 1% drifted (security groups opened to the world); measures the scan
// including drift x security (the state side is evaluated too), not the
// drift comparison itself.
func BenchmarkDriftSecurity100k(b *testing.B) {
	state := benchInventory(100_000)
	live := make([]resource.Resource, len(state))
	var findings []drift.Finding
	for i, r := range state {
		r.Source = resource.SourceLive
		if r.Type == "aws_security_group" && i%100 < 3 {
			r.Attrs = map[string]any{"name": "web", "ingress": []any{ingress(22, 22, "tcp", "0.0.0.0/0")}}
			findings = append(findings, drift.Finding{Kind: drift.Modified, Provider: "aws", Type: r.Type, ID: r.ID, Severity: drift.Critical,
				Diffs: []drift.Diff{{Path: "ingress[1].cidr_blocks", Expected: []any{"10.0.0.0/8"}, Actual: []any{"0.0.0.0/0"}}}})
		}
		live[i] = r
	}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := Run(Input{State: state, Live: live, Drift: &drift.Result{Findings: findings}, Now: now})
		if rep.Summary.DriftWeakened == 0 {
			b.Fatal("no drift x security finding")
		}
		b.ReportMetric(float64(rep.Summary.DriftWeakened), "weakened")
	}
}
