package aws

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) sqsListers() []discovery.Lister {
	return []discovery.Lister{&lister{service: "sqs", types: []string{"aws_sqs_queue"},
		list: func(ctx context.Context, s discovery.Scope, emit func(resource.Resource)) error {
			cfg, err := p.cfg(s)
			if err != nil {
				return err
			}
			return p.listQueues(ctx, sqs.NewFromConfig(cfg), s, emit)
		}}}
}

// sqsNumbers and sqsStrings map queue attributes to Terraform's
// aws_sqs_queue attributes by the type Terraform holds them in.
var (
	sqsNumbers = map[string]string{"DelaySeconds": "delay_seconds", "MaximumMessageSize": "max_message_size",
		"MessageRetentionPeriod": "message_retention_seconds", "ReceiveMessageWaitTimeSeconds": "receive_wait_time_seconds",
		"VisibilityTimeout": "visibility_timeout_seconds", "KmsDataKeyReusePeriodSeconds": "kms_data_key_reuse_period_seconds"}
	sqsStrings = map[string]string{"Policy": "policy", "RedrivePolicy": "redrive_policy",
		"RedriveAllowPolicy": "redrive_allow_policy", "KmsMasterKeyId": "kms_master_key_id",
		"DeduplicationScope": "deduplication_scope", "FifoThroughputLimit": "fifo_throughput_limit", "QueueArn": "arn"}
	sqsBools = map[string]string{"SqsManagedSseEnabled": "sqs_managed_sse_enabled", "FifoQueue": "fifo_queue",
		"ContentBasedDeduplication": "content_based_deduplication"}
)

// listQueues emits queues with every attribute GetQueueAttributes
// reports; the id is the queue URL, as Terraform's.
func (p *provider) listQueues(ctx context.Context, c *sqs.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := sqs.NewListQueuesPaginator(c, &sqs.ListQueuesInput{MaxResults: p.pageSize()})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list queues: %w", err)
		}
		for _, u := range out.QueueUrls {
			ga, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &u,
				AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
			var gone *types.QueueDoesNotExist
			if errors.As(err, &gone) {
				continue // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("get attributes of queue %s: %w", u, err)
			}
			tout, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: &u})
			if err != nil {
				return fmt.Errorf("list tags of queue %s: %w", u, err)
			}
			attrs := map[string]any{"url": u, "fifo_queue": false, "content_based_deduplication": false}
			for k, v := range ga.Attributes {
				if tf, ok := sqsNumbers[k]; ok {
					n, err := strconv.ParseFloat(v, 64)
					if err != nil {
						return fmt.Errorf("queue %s attribute %s: %w", u, k, err)
					}
					attrs[tf] = n
				} else if tf, ok := sqsStrings[k]; ok {
					attrs[tf] = v
				} else if tf, ok := sqsBools[k]; ok {
					attrs[tf] = v == "true"
				}
			}
			arn := sv(strPtr(ga.Attributes["QueueArn"]))
			attrs["name"] = arn[lastColon(arn)+1:]
			emit(newResource("aws_sqs_queue", u, s, attrs, tout.Tags))
		}
	}
	return nil
}

func lastColon(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}
