package awssim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

var cloudwatchService = &cborService{name: "monitoring", namespace: "com.amazonaws.cloudwatch"}

// cloudwatch answers CloudWatch (SigV4 service "monitoring") in Smithy RPC
// v2 CBOR, the protocol the SDK's CloudWatch client speaks since it left
// AWS Query, from aws_cloudwatch_metric_alarm keyed by alarm name.
func (h *handler) cloudwatch(rw http.ResponseWriter, c *call) {
	h.serveCBOR(rw, c, cloudwatchService, map[string]func(*cborCall){
		"DescribeAlarms":      h.cwDescribeAlarms,
		"ListTagsForResource": h.cwTags,
	})
}

func alarmArn(c *call, name string) string {
	return "arn:aws:cloudwatch:" + c.region + ":" + c.account + ":alarm:" + name
}

// cwDescribeAlarms pages with NextToken and MaxRecords (1..100, default
// 50), filtered by AlarmNames, AlarmNamePrefix and AlarmTypes (metric
// alarms only when none is given; the world holds no composite alarms).
func (h *handler) cwDescribeAlarms(j *cborCall) {
	if v, ok := j.in["MaxRecords"]; ok {
		if n, _ := v.(float64); n < 1 || n > 100 {
			j.fail(http.StatusBadRequest, "InvalidParameterValueException", "InvalidParameterValue",
				"The parameter MaxRecords must be between 1 and 100.")
			return
		}
	}
	metric := true
	if types := strs(j.in, "AlarmTypes"); len(types) > 0 {
		metric = false
		for _, t := range types {
			metric = metric || t == "MetricAlarm"
		}
	}
	names := map[string]bool{}
	for _, n := range strs(j.in, "AlarmNames") {
		names[n] = true
	}
	var alarms []map[string]any
	if metric {
		for _, a := range h.resources(j.call, "aws_cloudwatch_metric_alarm", false) {
			name := str(a, "id")
			if (len(names) == 0 || names[name]) && strings.HasPrefix(name, str(j.in, "AlarmNamePrefix")) {
				alarms = append(alarms, a)
			}
		}
	}
	lo, hi, next, ok := page(len(alarms), str(j.in, "NextToken"), int(num(j.in, "MaxRecords")), 50)
	if !ok {
		j.fail(http.StatusBadRequest, "InvalidNextToken", "", "The service cannot find the NextToken.")
		return
	}
	out := []any{}
	for _, a := range alarms[lo:hi] {
		out = append(out, renderAlarm(j.call, a))
	}
	res := map[string]any{"MetricAlarms": out, "CompositeAlarms": []any{}}
	if next != "" {
		res["NextToken"] = next
	}
	j.reply(res)
}

func renderAlarm(c *call, a map[string]any) map[string]any {
	name := str(a, "id")
	updated := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	m := map[string]any{
		"AlarmName":                          name,
		"AlarmArn":                           alarmArn(c, name),
		"ActionsEnabled":                     a["actions_enabled"] != false,
		"AlarmActions":                       orEmpty(strs(a, "alarm_actions")),
		"OKActions":                          orEmpty(strs(a, "ok_actions")),
		"InsufficientDataActions":            orEmpty(strs(a, "insufficient_data_actions")),
		"ComparisonOperator":                 str(a, "comparison_operator"),
		"EvaluationPeriods":                  cborInt(num(a, "evaluation_periods")),
		"Threshold":                          num(a, "threshold"),
		"TreatMissingData":                   strOr(a, "treat_missing_data", "missing"),
		"StateValue":                         "OK",
		"StateReason":                        "Threshold Crossed: no datapoints were received",
		"StateUpdatedTimestamp":              updated,
		"StateTransitionedTimestamp":         updated,
		"AlarmConfigurationUpdatedTimestamp": updated,
	}
	for k, attr := range map[string]string{"AlarmDescription": "alarm_description", "MetricName": "metric_name",
		"Namespace": "namespace", "Statistic": "statistic", "ExtendedStatistic": "extended_statistic",
		"Unit": "unit", "ThresholdMetricId": "threshold_metric_id",
		"EvaluateLowSampleCountPercentile": "evaluate_low_sample_count_percentiles"} {
		if v := str(a, attr); v != "" {
			m[k] = v
		}
	}
	for k, attr := range map[string]string{"Period": "period", "DatapointsToAlarm": "datapoints_to_alarm"} {
		if v := num(a, attr); v > 0 {
			m[k] = cborInt(v)
		}
	}
	dims := []any{}
	d := obj(a["dimensions"])
	for _, k := range sortedKeys(d) {
		v, _ := d[k].(string)
		dims = append(dims, map[string]any{"Name": k, "Value": v})
	}
	m["Dimensions"] = dims
	return m
}

// cwTags answers ListTagsForResource for an alarm ARN.
func (h *handler) cwTags(j *cborCall) {
	arn := str(j.in, "ResourceARN")
	for _, a := range h.resources(j.call, "aws_cloudwatch_metric_alarm", false) {
		if alarmArn(j.call, str(a, "id")) == arn {
			tags := []any{}
			for _, kv := range tagsOf(a) {
				tags = append(tags, map[string]any{"Key": kv[0], "Value": kv[1]})
			}
			j.reply(map[string]any{"Tags": tags})
			return
		}
	}
	j.fail(http.StatusNotFound, "ResourceNotFoundException", "",
		"Alarm "+strconv.Quote(arn)+" does not exist.")
}
