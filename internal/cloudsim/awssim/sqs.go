package awssim

import (
	"net/http"
	"strconv"
	"strings"
)

var sqsService = &jsonService{name: "sqs", namespace: "com.amazonaws.sqs", version: "1.0",
	throttle: "RequestThrottled", deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// sqsAttrs maps Terraform's aws_sqs_queue attributes to the queue
// attribute names of GetQueueAttributes (whose values are all strings).
var sqsAttrs = []struct{ tf, api string }{
	{"delay_seconds", "DelaySeconds"}, {"max_message_size", "MaximumMessageSize"},
	{"message_retention_seconds", "MessageRetentionPeriod"},
	{"receive_wait_time_seconds", "ReceiveMessageWaitTimeSeconds"},
	{"visibility_timeout_seconds", "VisibilityTimeout"}, {"policy", "Policy"},
	{"redrive_policy", "RedrivePolicy"}, {"redrive_allow_policy", "RedriveAllowPolicy"},
	{"kms_master_key_id", "KmsMasterKeyId"}, {"kms_data_key_reuse_period_seconds", "KmsDataKeyReusePeriodSeconds"},
	{"sqs_managed_sse_enabled", "SqsManagedSseEnabled"}, {"fifo_queue", "FifoQueue"},
	{"content_based_deduplication", "ContentBasedDeduplication"}, {"deduplication_scope", "DeduplicationScope"},
	{"fifo_throughput_limit", "FifoThroughputLimit"},
}

// sqs answers the SQS JSON 1.0 API (target prefix AmazonSQS) from
// aws_sqs_queue, whose id is the queue URL.
func (h *handler) sqs(rw http.ResponseWriter, c *call) {
	h.serveJSON(rw, c, sqsService, map[string]func(*jsonCall){
		"ListQueues":         h.sqsListQueues,
		"GetQueueAttributes": h.sqsAttributes,
		"ListQueueTags":      h.sqsTags,
	})
}

func (h *handler) sqsListQueues(j *jsonCall) {
	var urls []string
	for _, q := range h.resources(j.call, "aws_sqs_queue", false) {
		u := str(q, "id")
		if strings.HasPrefix(u[strings.LastIndexByte(u, '/')+1:], j.str("QueueNamePrefix")) {
			urls = append(urls, u)
		}
	}
	lo, hi, next, ok := j.page(len(urls), "NextToken", "MaxResults", 1000, "InvalidParameterValue")
	if !ok {
		return
	}
	out := map[string]any{"QueueUrls": urls[lo:hi]}
	if next != "" {
		out["NextToken"] = next
	}
	j.reply(out)
}

func (h *handler) sqsQueue(j *jsonCall) (map[string]any, bool) {
	for _, q := range h.resources(j.call, "aws_sqs_queue", false) {
		if str(q, "id") == j.str("QueueUrl") {
			return q, true
		}
	}
	// The JSON protocol carries the Query code too, for old clients.
	j.rw.Header().Set("X-Amzn-Query-Error", "AWS.SimpleQueueService.NonExistentQueue;Sender")
	j.fail("QueueDoesNotExist", "The specified queue does not exist.")
	return nil, false
}

func (h *handler) sqsAttributes(j *jsonCall) {
	q, ok := h.sqsQueue(j)
	if !ok {
		return
	}
	u := str(q, "id")
	attrs := map[string]string{"QueueArn": "arn:aws:sqs:" + j.region + ":" + j.account + ":" + u[strings.LastIndexByte(u, '/')+1:],
		"CreatedTimestamp": "1704067200", "LastModifiedTimestamp": "1704067200", "ApproximateNumberOfMessages": "0"}
	for _, a := range sqsAttrs {
		switch v := q[a.tf].(type) {
		case string:
			if v != "" {
				attrs[a.api] = v
			}
		case float64:
			attrs[a.api] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			// SQS leaves FIFO-only attributes out of standard queues.
			if v || a.api == "SqsManagedSseEnabled" {
				attrs[a.api] = strconv.FormatBool(v)
			}
		}
	}
	j.reply(map[string]any{"Attributes": attrs})
}

func (h *handler) sqsTags(j *jsonCall) {
	q, ok := h.sqsQueue(j)
	if !ok {
		return
	}
	tags := map[string]string{}
	for _, t := range tagsOf(q) {
		tags[t[0]] = t[1]
	}
	j.reply(map[string]any{"Tags": tags})
}
