package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// cloudwatchListers read CloudWatch Logs log groups and CloudWatch metric
// alarms. The CloudWatch client of the pinned SDK speaks Smithy RPC v2
// CBOR, not AWS Query; the simulator answers in CBOR accordingly.
func (p *provider) cloudwatchListers() []discovery.Lister {
	logsClient := func(cfg aws.Config) *cloudwatchlogs.Client { return cloudwatchlogs.NewFromConfig(cfg) }
	cwClient := func(cfg aws.Config) *cloudwatch.Client { return cloudwatch.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "logs", false, []string{"aws_cloudwatch_log_group"}, logsClient, p.listLogGroups),
		clientLister(p, "monitoring", false, []string{"aws_cloudwatch_metric_alarm"}, cwClient, p.listMetricAlarms),
	}
}

// listLogGroups emits aws_cloudwatch_log_group keyed by name. Its arn is
// the log group ARN without the ":*" that the Arn field carries, as the
// provider stores it; tags come from ListTagsForResource on that ARN.
func (p *provider) listLogGroups(ctx context.Context, c *cloudwatchlogs.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{Limit: p.boundedPage(1, 50)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe log groups: %w", err)
		}
		for _, g := range out.LogGroups {
			name := sv(g.LogGroupName)
			arn := sv(g.LogGroupArn)
			if arn == "" {
				arn = strings.TrimSuffix(sv(g.Arn), ":*")
			}
			tags, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: &arn})
			var gone *logtypes.ResourceNotFoundException
			if errors.As(err, &gone) {
				continue // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("list tags of log group %s: %w", name, err)
			}
			emit(newResource("aws_cloudwatch_log_group", name, s, map[string]any{
				"arn":               arn,
				"name":              name,
				"retention_in_days": i32(g.RetentionInDays),
				"kms_key_id":        sv(g.KmsKeyId),
				"log_group_class":   string(g.LogGroupClass),
			}, tags.Tags))
		}
	}
	return nil
}

// listMetricAlarms emits aws_cloudwatch_metric_alarm keyed by alarm name.
// DescribeAlarms returns metric alarms only unless asked for composite
// ones (another Terraform type).
func (p *provider) listMetricAlarms(ctx context.Context, c *cloudwatch.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}, MaxRecords: p.boundedPage(1, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe alarms: %w", err)
		}
		for _, a := range out.MetricAlarms {
			name := sv(a.AlarmName)
			tags, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
			var gone *cwtypes.ResourceNotFoundException
			if errors.As(err, &gone) {
				continue // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("list tags of alarm %s: %w", name, err)
			}
			t := make(map[string]string, len(tags.Tags))
			for _, kv := range tags.Tags {
				t[sv(kv.Key)] = sv(kv.Value)
			}
			dims := make(map[string]any, len(a.Dimensions))
			for _, d := range a.Dimensions {
				dims[sv(d.Name)] = sv(d.Value)
			}
			emit(newResource("aws_cloudwatch_metric_alarm", name, s, map[string]any{
				"arn":                                   sv(a.AlarmArn),
				"alarm_name":                            name,
				"alarm_description":                     sv(a.AlarmDescription),
				"comparison_operator":                   string(a.ComparisonOperator),
				"evaluation_periods":                    i32(a.EvaluationPeriods),
				"datapoints_to_alarm":                   i32(a.DatapointsToAlarm),
				"metric_name":                           sv(a.MetricName),
				"namespace":                             sv(a.Namespace),
				"period":                                i32(a.Period),
				"statistic":                             string(a.Statistic),
				"extended_statistic":                    sv(a.ExtendedStatistic),
				"threshold":                             f64(a.Threshold),
				"threshold_metric_id":                   sv(a.ThresholdMetricId),
				"unit":                                  string(a.Unit),
				"dimensions":                            dims,
				"actions_enabled":                       bv(a.ActionsEnabled),
				"alarm_actions":                         sortedStrings(a.AlarmActions),
				"ok_actions":                            sortedStrings(a.OKActions),
				"insufficient_data_actions":             sortedStrings(a.InsufficientDataActions),
				"treat_missing_data":                    sv(a.TreatMissingData),
				"evaluate_low_sample_count_percentiles": sv(a.EvaluateLowSampleCountPercentile),
			}, t))
		}
	}
	return nil
}

func f64(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
