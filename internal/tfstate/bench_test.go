package tfstate

import (
	"bytes"
	"fmt"
	"testing"
)

// benchState builds a format 4 state of n resources with per instances
// each, shaped like real AWS resources (nested blocks, tags, ARNs,
// sensitive paths).
func benchState(n, per int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"version":4,"terraform_version":"1.9.5","serial":1,"lineage":"l","outputs":{},"resources":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"module":"module.m%d","mode":"managed","type":"aws_security_group","name":"sg",`+
			`"provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[`, i%17)
		for j := 0; j < per; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			id := fmt.Sprintf("sg-%08x", i*per+j)
			fmt.Fprintf(&b, `{"index_key":%d,"schema_version":1,"attributes":{"arn":"arn:aws:ec2:us-east-1:123456789012:security-group/%s",`+
				`"description":"managed by terraform","egress":[{"cidr_blocks":["0.0.0.0/0"],"from_port":0,"ipv6_cidr_blocks":[],"protocol":"-1","self":false,"to_port":0}],`+
				`"id":"%s","ingress":[{"cidr_blocks":["10.0.0.0/8","192.168.0.0/16"],"description":"https","from_port":443,"ipv6_cidr_blocks":[],"prefix_list_ids":[],"protocol":"tcp","security_groups":[],"self":false,"to_port":443}],`+
				`"name":"sg-%d-%d","revoke_rules_on_delete":false,"tags":{"Name":"sg-%d","Environment":"prod","Team":"platform"},"timeouts":null,"vpc_id":"vpc-0123456789abcdef0"},`+
				`"sensitive_attributes":[[{"type":"get_attr","value":"ingress"},{"type":"index","value":{"value":0,"type":"number"}},{"type":"get_attr","value":"description"}]],`+
				`"dependencies":["aws_vpc.main"]}`, j, id, id, i, j, j)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func TestBenchState(t *testing.T) {
	st, err := Parse("bench", benchState(10, 3), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Resources) != 30 || st.Resources[29].Address != "module.m9.aws_security_group.sg[2]" {
		t.Fatalf("unexpected bench state: %d resources", len(st.Resources))
	}
}

// BenchmarkDecode decodes a state of 10,000 instances (1,000 resources of
// count 10) from a reader, as the agent does for every state it scans.
func BenchmarkDecode(b *testing.B) {
	data := benchState(1000, 10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		st, err := Decode("bench", bytes.NewReader(data), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if len(st.Resources) != 10_000 {
			b.Fatalf("got %d resources", len(st.Resources))
		}
	}
}
