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

// attachmentID is the id the listers give an IAM policy attachment
// ("principal/policy-arn"), or "" for other types: state ids of
// attachments are invented by the provider and never match.
func attachmentID(f resource.Resource) string {
	field := map[string]string{"aws_iam_role_policy_attachment": "role",
		"aws_iam_user_policy_attachment": "user", "aws_iam_group_policy_attachment": "group"}[f.Type]
	if field == "" {
		return ""
	}
	return fmt.Sprint(f.Attrs[field]) + "/" + fmt.Sprint(f.Attrs["policy_arn"])
}

// obsTypes are the CloudTrail, CloudWatch and IAM instance profile types.
var obsTypes = []string{"aws_cloudtrail", "aws_cloudwatch_log_group", "aws_cloudwatch_metric_alarm",
	"aws_iam_instance_profile"}

func obsFixture(t *testing.T, typ string) resource.Resource {
	t.Helper()
	for _, f := range awssim.Fixtures(account, "us-east-1") {
		if f.Type == typ {
			return f
		}
	}
	t.Fatalf("no fixture of %s", typ)
	return resource.Resource{}
}

// TestObsChangeInTheWorld changes one attribute in the world at a time and
// expects exactly that attribute reported MODIFIED, after the unchanged
// world showed no drift at all. The security checks rely on the trail's
// multi-region, validation, encryption and logging attributes.
func TestObsChangeInTheWorld(t *testing.T) {
	t.Parallel()
	fixtures := awssim.Fixtures(account, "us-east-1")
	cases := []struct {
		typ   string
		attr  string
		value any
		path  resource.Path
	}{
		{"aws_cloudtrail", "is_multi_region_trail", false, "is_multi_region_trail"},
		{"aws_cloudtrail", "enable_log_file_validation", false, "enable_log_file_validation"},
		{"aws_cloudtrail", "kms_key_id", "", "kms_key_id"},
		{"aws_cloudtrail", "enable_logging", false, "enable_logging"},
		{"aws_cloudtrail", "include_global_service_events", false, "include_global_service_events"},
		{"aws_cloudtrail", "s3_key_prefix", "other", "s3_key_prefix"},
		{"aws_cloudtrail", "cloud_watch_logs_group_arn", "", "cloud_watch_logs_group_arn"},
		{"aws_cloudtrail", "event_selector", []any{map[string]any{"read_write_type": "WriteOnly",
			"include_management_events": true, "exclude_management_event_sources": []any{},
			"data_resource": []any{map[string]any{"type": "AWS::S3::Object",
				"values": []any{"arn:aws:s3:::app-data-" + account + "/"}}}}}, "event_selector[0].read_write_type"},
		{"aws_cloudtrail", "tags", map[string]any{"Name": "main", "env": "dev"}, "tags.env"},
		{"aws_cloudwatch_log_group", "retention_in_days", float64(30), "retention_in_days"},
		{"aws_cloudwatch_log_group", "kms_key_id", "", "kms_key_id"},
		{"aws_cloudwatch_log_group", "log_group_class", "INFREQUENT_ACCESS", "log_group_class"},
		{"aws_cloudwatch_metric_alarm", "threshold", float64(20), "threshold"},
		{"aws_cloudwatch_metric_alarm", "evaluation_periods", float64(5), "evaluation_periods"},
		{"aws_cloudwatch_metric_alarm", "actions_enabled", false, "actions_enabled"},
		{"aws_cloudwatch_metric_alarm", "dimensions", map[string]any{"LoadBalancer": "app/other/1"}, "dimensions.LoadBalancer"},
		{"aws_cloudwatch_metric_alarm", "treat_missing_data", "breaching", "treat_missing_data"},
		{"aws_iam_instance_profile", "role", "other", "role"},
		{"aws_iam_instance_profile", "tags", map[string]any{"team": "other"}, "tags.team"},
	}
	for _, tc := range cases {
		t.Run(tc.typ+"/"+tc.attr, func(t *testing.T) {
			f := obsFixture(t, tc.typ)
			w := world.New(fixtures)
			url := sim(t, w)
			// The typed listers alone: the generic tier's hundred-odd
			// ListResources calls per run would only add work here.
			opts := Options{Endpoint: url, Regions: []string{"us-east-1"}, GenericTypes: []string{GenericNone}}
			res := discover(t, opts)
			require.Empty(t, res.Skipped)
			r := drift.Compare([]resource.Resource{f}, ofType(res.Resources, tc.typ), drift.Options{})
			require.Empty(t, r.Findings, "no drift while the world equals the state")

			require.NoError(t, w.Patch(f.Key(), map[string]any{tc.attr: tc.value}))
			res = discover(t, opts)
			r = drift.Compare([]resource.Resource{f}, ofType(res.Resources, tc.typ), drift.Options{})
			own := r.Findings
			require.Len(t, own, 1)
			assert.Equal(t, drift.Modified, own[0].Kind)
			require.Len(t, own[0].Diffs, 1, "%+v", own[0].Diffs)
			assert.Equal(t, tc.path, own[0].Diffs[0].Path)
		})
	}
}

func ofType(rs []resource.Resource, typ string) []resource.Resource {
	var out []resource.Resource
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// TestObsAttachmentChange: an attachment's policy is its identity, so a
// changed policy reads as the state's one MISSING and the live one
// UNMANAGED, nothing else.
func TestObsAttachmentChange(t *testing.T) {
	fixtures := awssim.Fixtures(account, "us-east-1")
	for _, typ := range []string{"aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"} {
		t.Run(typ, func(t *testing.T) {
			w := world.New(fixtures)
			url := sim(t, w)
			res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
			require.Empty(t, drift.Compare(fixtures, res.Resources, drift.Options{}).Findings)

			f := obsFixture(t, typ)
			require.NoError(t, w.Patch(f.Key(), map[string]any{"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}))
			res = discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"}})
			kinds := map[string]drift.Kind{}
			for _, fd := range drift.Compare(fixtures, res.Resources, drift.Options{}).Findings {
				kinds[fd.Type+"."+fd.ID] = fd.Kind
			}
			principal := "alice"
			if typ == "aws_iam_group_policy_attachment" {
				principal = "admins"
			}
			assert.Equal(t, map[string]drift.Kind{typ + "." + f.ID: drift.Missing,
				typ + "." + principal + "/arn:aws:iam::aws:policy/ReadOnlyAccess": drift.Unmanaged}, kinds)
		})
	}
}

// TestObsPaging lists many resources of each type with tiny pages: every
// one comes back exactly once. Trails are paged by the API itself (20 a
// page) and read 20 at a time; only trails whose home region is scanned
// are listed, multi-region ones included.
func TestObsPaging(t *testing.T) {
	t.Parallel()
	const n = 45
	var rs []resource.Resource
	want := map[string]int{}
	for _, typ := range obsTypes {
		f := obsFixture(t, typ)
		for i := range n {
			c := f
			c.Attrs = map[string]any{}
			for k, v := range f.Attrs {
				c.Attrs[k] = v
			}
			c.ID = fmt.Sprintf("%s-%02d", f.ID, i)
			c.Attrs["id"] = c.ID
			if typ == "aws_iam_instance_profile" {
				c.Attrs["tags"] = map[string]any{"a": "1", "b": "2", "c": "3"}
			}
			rs = append(rs, c)
			want[typ]++
		}
	}
	// An organization trail of the management account, visible here.
	org := obsFixture(t, "aws_cloudtrail")
	org.ID = "arn:aws:cloudtrail:us-east-1:999999999999:trail/org"
	org.Attrs = map[string]any{"id": org.ID, "is_multi_region_trail": true, "is_organization_trail": true}
	rs = append(rs, org)
	// Trails of another region: not this scope's to list.
	for i := range 3 {
		tr := obsFixture(t, "aws_cloudtrail")
		tr.Region = "eu-west-1"
		tr.ID = fmt.Sprintf("arn:aws:cloudtrail:eu-west-1:%s:trail/eu-%d", account, i)
		tr.Attrs = map[string]any{"id": tr.ID, "is_multi_region_trail": i == 0, "s3_bucket_name": "b"}
		rs = append(rs, tr)
	}
	// Users and groups with several policies each.
	for i := range 7 {
		u := fmt.Sprintf("user-%d", i)
		g := fmt.Sprintf("group-%d", i)
		rs = append(rs, resource.Resource{Provider: "aws", Type: "aws_iam_user", ID: u, Account: account,
			Attrs: map[string]any{"id": u, "name": u}},
			resource.Resource{Provider: "aws", Type: "aws_iam_group", ID: g, Account: account,
				Attrs: map[string]any{"id": g, "name": g}})
		for j := range 3 {
			for typ, who := range map[string]string{"aws_iam_user_policy_attachment": "user", "aws_iam_group_policy_attachment": "group"} {
				principal := map[string]string{"user": u, "group": g}[who]
				id := fmt.Sprintf("%s-%d", principal, j)
				rs = append(rs, resource.Resource{Provider: "aws", Type: typ, ID: id, Account: account,
					Attrs: map[string]any{"id": id, who: principal, "policy_arn": fmt.Sprintf("arn:aws:iam::aws:policy/P%d", j)}})
				want[typ]++
			}
		}
	}
	url := sim(t, world.New(rs))
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
				if r.Type == "aws_iam_instance_profile" {
					assert.Len(t, r.Tags, 3, "tags read over several pages")
				}
			}
			for typ, n := range want {
				assert.Equal(t, n, count[typ], typ)
			}
		})
	}
}

// TestObsFaults: a service denied or not enabled is skipped with that
// reason, and the others are still listed.
func TestObsFaults(t *testing.T) {
	t.Parallel()
	for _, svc := range []string{"cloudtrail", "logs", "monitoring"} {
		t.Run(svc, func(t *testing.T) {
			w := world.New(awssim.Fixtures(account, "us-east-1"))
			url := sim(t, w)
			for fault, reason := range map[string]discovery.SkipReason{"deny": discovery.AccessDenied,
				"disabled": discovery.NotEnabled} {
				f := world.Faults{Deny: map[string]bool{"aws:" + svc: fault == "deny"},
					Disabled: map[string]bool{"aws:" + svc: fault == "disabled"}}
				w.SetFaults(f)
				res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1"},
					GenericTypes: []string{GenericNone}})
				require.Len(t, res.Skipped, 1, fault)
				assert.Equal(t, svc, res.Skipped[0].Service)
				assert.Equal(t, reason, res.Skipped[0].Reason, fault)
				assert.Len(t, res.Resources, len(awssim.Fixtures(account, "us-east-1"))-1)
			}
		})
	}
}

// TestObsMultiRegionTrailListedOnce: a multi-region trail is visible in
// every region's DescribeTrails (as a shadow trail) but listed once, in
// its home region.
func TestObsMultiRegionTrailListedOnce(t *testing.T) {
	w := world.New(awssim.Fixtures(account, "eu-west-1"))
	url := sim(t, w)
	res := discover(t, Options{Endpoint: url, Regions: []string{"us-east-1", "eu-west-1", "us-west-2"}})
	require.Empty(t, res.Skipped)
	var regions []string
	for _, r := range res.Resources {
		if r.Type == "aws_cloudtrail" {
			regions = append(regions, r.Region)
			assert.Equal(t, true, r.Attrs["is_multi_region_trail"])
		}
	}
	assert.Equal(t, []string{"eu-west-1"}, regions)
}
