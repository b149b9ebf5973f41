package awssim

import (
	"net/http"
	"strings"
)

var cloudtrailService = &jsonService{name: "cloudtrail", namespace: "com.amazonaws.cloudtrail.v20131101", version: "1.1",
	throttle: "ThrottlingException", deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// trailPage is the ListTrails page size: the API takes no size parameter
// and pages on its own.
const trailPage = 20

// cloudtrail answers the CloudTrail JSON 1.1 API (target prefix
// CloudTrail_20131101) from aws_cloudtrail, whose id is the trail ARN and
// whose region is the trail's home region. A trail's world attribute
// enable_logging is what GetTrailStatus reports as IsLogging.
func (h *handler) cloudtrail(rw http.ResponseWriter, c *call) {
	h.serveJSON(rw, c, cloudtrailService, map[string]func(*jsonCall){
		"ListTrails":        h.ctListTrails,
		"DescribeTrails":    h.ctDescribeTrails,
		"GetTrailStatus":    h.ctTrailStatus,
		"GetEventSelectors": h.ctEventSelectors,
		"ListTags":          h.ctListTags,
	})
}

// trail is one world trail with its home region (from the ARN).
type trail struct {
	m           map[string]any
	arn, name   string
	region      string
	multiRegion bool
}

// trails lists the account's trails in every region, sorted by ARN.
func (h *handler) trails(c *call) []trail {
	var out []trail
	for _, m := range h.resources(c, "aws_cloudtrail", true) {
		arn := str(m, "id")
		parts := strings.SplitN(arn, ":", 6)
		if len(parts) < 6 {
			continue
		}
		out = append(out, trail{m: m, arn: arn, name: strings.TrimPrefix(parts[5], "trail/"), region: parts[3],
			multiRegion: boolean(m, "is_multi_region_trail")})
	}
	return out
}

// ctTrail finds a trail by ARN, or by name among the trails of the call's
// region, answering TrailNotFoundException.
func (h *handler) ctTrail(j *jsonCall, id string) (trail, bool) {
	for _, t := range h.trails(j.call) {
		if t.arn == id || (t.name == id && t.region == j.region) {
			return t, true
		}
	}
	j.fail("TrailNotFoundException", "Unknown trail: "+id+" for the user: "+j.account)
	return trail{}, false
}

func (h *handler) ctByARN(c *call, arn string) (trail, bool) {
	for _, t := range h.trails(c) {
		if t.arn == arn {
			return t, true
		}
	}
	return trail{}, false
}

// ctListTrails names every trail of the account, whatever its region.
func (h *handler) ctListTrails(j *jsonCall) {
	ts := h.trails(j.call)
	lo, hi, next, ok := page(len(ts), j.str("NextToken"), trailPage, trailPage)
	if !ok {
		j.fail("InvalidNextTokenException", "Invalid NextToken")
		return
	}
	out := []any{}
	for _, t := range ts[lo:hi] {
		out = append(out, map[string]any{"TrailARN": t.arn, "Name": t.name, "HomeRegion": t.region})
	}
	res := map[string]any{"Trails": out}
	if next != "" {
		res["NextToken"] = next
	}
	j.reply(res)
}

// ctDescribeTrails answers the named trails, or without names the trails
// of the call's region plus (includeShadowTrails, true by default) the
// multi-region trails of other regions.
func (h *handler) ctDescribeTrails(j *jsonCall) {
	shadows := true
	if v, ok := j.in["includeShadowTrails"].(bool); ok {
		shadows = v
	}
	var ts []trail
	if names := list(j.in, "trailNameList"); len(names) > 0 {
		for _, n := range names {
			s, _ := n.(string)
			for _, t := range h.trails(j.call) {
				if t.arn == s || (t.name == s && t.region == j.region) {
					ts = append(ts, t)
				}
			}
		}
	} else {
		for _, t := range h.trails(j.call) {
			if t.region == j.region || (shadows && t.multiRegion) {
				ts = append(ts, t)
			}
		}
	}
	out := []any{}
	for _, t := range ts {
		out = append(out, renderTrail(t))
	}
	j.reply(map[string]any{"trailList": out})
}

func renderTrail(t trail) map[string]any {
	m := t.m
	out := map[string]any{
		"Name": t.name, "TrailARN": t.arn, "HomeRegion": t.region,
		"S3BucketName":               str(m, "s3_bucket_name"),
		"IncludeGlobalServiceEvents": m["include_global_service_events"] != false,
		"IsMultiRegionTrail":         t.multiRegion,
		"IsOrganizationTrail":        boolean(m, "is_organization_trail"),
		"LogFileValidationEnabled":   boolean(m, "enable_log_file_validation"),
		"HasCustomEventSelectors":    len(list(m, "event_selector")) > 0,
		"HasInsightSelectors":        false,
	}
	for k, attr := range map[string]string{"S3KeyPrefix": "s3_key_prefix", "KmsKeyId": "kms_key_id",
		"CloudWatchLogsLogGroupArn": "cloud_watch_logs_group_arn", "CloudWatchLogsRoleArn": "cloud_watch_logs_role_arn"} {
		if v := str(m, attr); v != "" {
			out[k] = v
		}
	}
	if topic := str(m, "sns_topic_name"); topic != "" {
		out["SnsTopicName"] = topic
		if !strings.HasPrefix(topic, "arn:") {
			parts := strings.SplitN(t.arn, ":", 6)
			topic = "arn:aws:sns:" + t.region + ":" + parts[4] + ":" + topic
		}
		out["SnsTopicARN"] = topic
	}
	return out
}

func (h *handler) ctTrailStatus(j *jsonCall) {
	t, ok := h.ctTrail(j, j.str("Name"))
	if !ok {
		return
	}
	logging := t.m["enable_logging"] != false
	out := map[string]any{"IsLogging": logging}
	if logging {
		out["StartLoggingTime"] = 1704067200
		out["TimeLoggingStarted"] = created
	}
	j.reply(out)
}

// ctEventSelectors answers a trail's event selectors; one without custom
// selectors has the default one (all management events).
func (h *handler) ctEventSelectors(j *jsonCall) {
	t, ok := h.ctTrail(j, j.str("TrailName"))
	if !ok {
		return
	}
	sels := []any{}
	for _, e := range list(t.m, "event_selector") {
		o := obj(e)
		data := []any{}
		for _, d := range list(o, "data_resource") {
			data = append(data, map[string]any{"Type": str(obj(d), "type"), "Values": strs(obj(d), "values")})
		}
		sels = append(sels, map[string]any{"ReadWriteType": strOr(o, "read_write_type", "All"),
			"IncludeManagementEvents": o["include_management_events"] != false, "DataResources": data,
			"ExcludeManagementEventSources": orEmpty(strs(o, "exclude_management_event_sources"))})
	}
	if len(sels) == 0 {
		sels = append(sels, map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true,
			"DataResources": []any{}, "ExcludeManagementEventSources": []string{}})
	}
	j.reply(map[string]any{"TrailARN": t.arn, "EventSelectors": sels})
}

// ctListTags answers the tags of up to 20 trails by ARN.
func (h *handler) ctListTags(j *jsonCall) {
	ids := list(j.in, "ResourceIdList")
	if len(ids) == 0 || len(ids) > 20 {
		j.fail("InvalidParameterException", "ResourceIdList must name 1 to 20 resources")
		return
	}
	out := []any{}
	for _, id := range ids {
		s, _ := id.(string)
		if !strings.HasPrefix(s, "arn:") {
			j.fail("CloudTrailARNInvalidException", "Invalid ARN: "+s)
			return
		}
		t, ok := h.ctByARN(j.call, s)
		if !ok {
			j.fail("ResourceNotFoundException", "Resource "+s+" not found")
			return
		}
		tags := []any{}
		for _, kv := range tagsOf(t.m) {
			tags = append(tags, map[string]any{"Key": kv[0], "Value": kv[1]})
		}
		out = append(out, map[string]any{"ResourceId": t.arn, "TagsList": tags})
	}
	j.reply(map[string]any{"ResourceTagList": out})
}

func orEmpty(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
