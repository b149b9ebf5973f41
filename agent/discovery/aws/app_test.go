package aws

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// appChanges are TestRoundTrip's change cases for the types of
// awssim's appFixtures.
var appChanges = map[string]struct {
	attr  string
	value any
}{
	"aws_vpc_security_group_ingress_rule": {"cidr_ipv4", "10.0.0.0/8"},
	"aws_vpc_security_group_egress_rule":  {"ip_protocol", "tcp"},
	"aws_vpc_endpoint":                    {"route_table_ids", []any{}},
	"aws_launch_template":                 {"instance_type", "t3.large"},
	"aws_db_instance":                     {"instance_class", "db.t3.large"},
	"aws_rds_cluster":                     {"deletion_protection", false},
	"aws_db_subnet_group":                 {"subnet_ids", []any{"subnet-0a1"}},
	"aws_sns_topic":                       {"display_name", "changed"},
	"aws_sns_topic_subscription":          {"raw_message_delivery", false},
	"aws_lb":                              {"idle_timeout", float64(120)},
	"aws_lb_target_group":                 {"port", float64(80)},
	"aws_lb_listener":                     {"ssl_policy", "ELBSecurityPolicy-2016-08"},
	"aws_autoscaling_group":               {"max_size", float64(10)},
}

// appTypes are the types of appFixtures; TestDenied counts the EC2 types
// it knew before them.
var appTypes = func() map[string]bool {
	m := map[string]bool{}
	for t := range appChanges {
		m[t] = true
	}
	return m
}()

// globalApp are the services of appFixtures listed once per account.
var globalApp = map[string]bool{"route53": true, "cloudfront": true}

// TestAppPaging lists many resources of each app type with tiny pages:
// every one comes back exactly once.
func TestAppPaging(t *testing.T) {
	t.Parallel()
	var rs []resource.Resource
	const n = 45 // more than two of RDS's smallest pages (20)
	for i := range n {
		for _, f := range awssim.Fixtures(account, "us-east-1") {
			if !appTypes[f.Type] {
				continue
			}
			f.ID = fmt.Sprintf("%s-%02d", f.ID, i)
			f.Attrs["id"] = f.ID
			pageRename(&f, i)
			rs = append(rs, f)
		}
	}
	w := world.New(rs)
	url := sim(t, w)
	for _, size := range []int32{1, 3} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, PageSize: size,
				GenericTypes: []string{GenericNone}})
			require.Empty(t, res.Skipped)
			count := map[string]int{}
			seen := map[resource.Key]bool{}
			for _, r := range res.Resources {
				assert.False(t, seen[r.Key()], "listed twice: %s", r.Key())
				seen[r.Key()] = true
				count[r.Type]++
			}
			for typ := range appTypes {
				assert.Equal(t, n, count[typ], typ)
			}
		})
	}
}

// pageRename gives the i-th copy of a fixture the names its API keys it
// by, where that is not the id.
func pageRename(f *resource.Resource, i int) {
	switch f.Type {
	case "aws_launch_template":
		f.Attrs["name"] = fmt.Sprintf("app-%02d", i)
	case "aws_lb_listener":
		f.Attrs["load_balancer_arn"] = fmt.Sprintf("%s-%02d", f.Attrs["load_balancer_arn"], i)
	case "aws_db_instance":
		f.Attrs["identifier"] = fmt.Sprintf("app-db-%02d", i)
	}
}

// TestAppWholeState compares every fixture at once: rules managed on
// their own and inline on their group are reconciled, not reported.
func TestAppWholeState(t *testing.T) {
	fixtures := awssim.Fixtures(account, "us-east-1")
	url := sim(t, world.New(fixtures))
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
	require.Empty(t, res.Skipped)
	r := drift.Compare(fixtures, res.Resources, drift.Options{})
	assert.Empty(t, r.Findings)
}

// TestSNSPaging: SNS pages are a fixed 100 items; 205 topics take three.
func TestSNSPaging(t *testing.T) {
	t.Parallel()
	var rs []resource.Resource
	for _, f := range awssim.Fixtures(account, "us-east-1") {
		if f.Type != "aws_sns_topic" {
			continue
		}
		for i := range 205 {
			c := f
			c.ID = fmt.Sprintf("%s-%03d", f.ID, i)
			c.Attrs = map[string]any{"id": c.ID, "display_name": "t"}
			rs = append(rs, c)
		}
	}
	w := world.New(rs)
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}})
	require.Empty(t, res.Skipped)
	assert.Len(t, res.Resources, 205)
}
