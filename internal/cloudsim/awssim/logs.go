package awssim

import (
	"net/http"
	"strings"
)

var logsService = &jsonService{name: "logs", namespace: "com.amazonaws.logs", version: "1.1",
	throttle: "ThrottlingException", deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// logs answers the CloudWatch Logs JSON 1.1 API (target prefix
// Logs_20140328) from aws_cloudwatch_log_group, keyed by name.
func (h *handler) logs(rw http.ResponseWriter, c *call) {
	h.serveJSON(rw, c, logsService, map[string]func(*jsonCall){
		"DescribeLogGroups":   h.logsDescribeGroups,
		"ListTagsForResource": h.logsTags,
	})
}

func logGroupArn(c *call, name string) string {
	return "arn:aws:logs:" + c.region + ":" + c.account + ":log-group:" + name
}

// logsDescribeGroups pages with nextToken and limit (1..50, default 50).
func (h *handler) logsDescribeGroups(j *jsonCall) {
	if _, ok := j.in["limit"]; ok && (j.limit("limit") < 1 || j.limit("limit") > 50) {
		j.fail("InvalidParameterException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: "+
			"Member must have value between 1 and 50")
		return
	}
	var groups []map[string]any
	prefix := j.str("logGroupNamePrefix")
	for _, g := range h.resources(j.call, "aws_cloudwatch_log_group", false) {
		if strings.HasPrefix(str(g, "id"), prefix) {
			groups = append(groups, g)
		}
	}
	lo, hi, next, ok := j.page(len(groups), "nextToken", "limit", 50, "InvalidParameterException")
	if !ok {
		return
	}
	out := []any{}
	for _, g := range groups[lo:hi] {
		name := str(g, "id")
		m := map[string]any{"logGroupName": name, "creationTime": 1704067200000, "metricFilterCount": 0,
			"storedBytes": 0, "arn": logGroupArn(j.call, name) + ":*", "logGroupArn": logGroupArn(j.call, name),
			"logGroupClass": strOr(g, "log_group_class", "STANDARD")}
		if v := num(g, "retention_in_days"); v > 0 {
			m["retentionInDays"] = v
		}
		if v := str(g, "kms_key_id"); v != "" {
			m["kmsKeyId"] = v
		}
		out = append(out, m)
	}
	res := map[string]any{"logGroups": out}
	if next != "" {
		res["nextToken"] = next
	}
	j.reply(res)
}

// logsTags answers ListTagsForResource for a log group ARN (without the
// ":*" suffix, which the API rejects here).
func (h *handler) logsTags(j *jsonCall) {
	arn := j.str("resourceArn")
	for _, g := range h.resources(j.call, "aws_cloudwatch_log_group", false) {
		if logGroupArn(j.call, str(g, "id")) == arn {
			tags := map[string]any{}
			for _, kv := range tagsOf(g) {
				tags[kv[0]] = kv[1]
			}
			j.reply(map[string]any{"tags": tags})
			return
		}
	}
	if strings.HasSuffix(arn, ":*") {
		j.fail("InvalidParameterException", "Invalid resourceArn: "+arn)
		return
	}
	j.fail("ResourceNotFoundException", "The specified log group does not exist: "+arn)
}
