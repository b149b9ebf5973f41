package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) snsListers() []discovery.Lister {
	newClient := func(cfg aws.Config) *sns.Client { return sns.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "sns", false, []string{"aws_sns_topic"}, newClient, p.listTopics),
		clientLister(p, "sns", false, []string{"aws_sns_topic_subscription"}, newClient, p.listSubscriptions),
	}
}

// listTopics emits aws_sns_topic with the ARN as id, reading each topic's
// attributes and tags (ListTopics returns only ARNs).
func (p *provider) listTopics(ctx context.Context, c *sns.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := sns.NewListTopicsPaginator(c, &sns.ListTopicsInput{})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list topics: %w", err)
		}
		for _, t := range out.Topics {
			arn := sv(t.TopicArn)
			at, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: t.TopicArn})
			if err != nil {
				return fmt.Errorf("get attributes of topic %s: %w", arn, err)
			}
			tg, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: t.TopicArn})
			if err != nil {
				return fmt.Errorf("list tags of topic %s: %w", arn, err)
			}
			a := at.Attributes
			tags := make(map[string]string, len(tg.Tags))
			for _, x := range tg.Tags {
				tags[sv(x.Key)] = sv(x.Value)
			}
			emit(newResource("aws_sns_topic", arn, s, map[string]any{
				"arn":                         arn,
				"name":                        arn[strings.LastIndexByte(arn, ':')+1:],
				"display_name":                a["DisplayName"],
				"policy":                      a["Policy"],
				"delivery_policy":             a["DeliveryPolicy"],
				"kms_master_key_id":           a["KmsMasterKeyId"],
				"signature_version":           atof(a["SignatureVersion"]),
				"tracing_config":              a["TracingConfig"],
				"fifo_topic":                  a["FifoTopic"] == "true",
				"content_based_deduplication": a["ContentBasedDeduplication"] == "true",
				"owner":                       a["Owner"],
			}, tags))
		}
	}
	return nil
}

// listSubscriptions emits confirmed subscriptions (a pending one has no
// ARN yet: "PendingConfirmation").
func (p *provider) listSubscriptions(ctx context.Context, c *sns.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := sns.NewListSubscriptionsPaginator(c, &sns.ListSubscriptionsInput{})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list subscriptions: %w", err)
		}
		for _, sub := range out.Subscriptions {
			arn := sv(sub.SubscriptionArn)
			if !strings.HasPrefix(arn, "arn:") {
				continue
			}
			at, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
			if err != nil {
				return fmt.Errorf("get attributes of subscription %s: %w", arn, err)
			}
			a := at.Attributes
			r := newResource("aws_sns_topic_subscription", arn, s, map[string]any{
				"arn":                            arn,
				"topic_arn":                      a["TopicArn"],
				"protocol":                       a["Protocol"],
				"endpoint":                       a["Endpoint"],
				"owner_id":                       a["Owner"],
				"raw_message_delivery":           a["RawMessageDelivery"] == "true",
				"filter_policy":                  a["FilterPolicy"],
				"filter_policy_scope":            a["FilterPolicyScope"],
				"redrive_policy":                 a["RedrivePolicy"],
				"subscription_role_arn":          a["SubscriptionRoleArn"],
				"confirmation_was_authenticated": a["ConfirmationWasAuthenticated"] == "true",
				"pending_confirmation":           a["PendingConfirmation"] == "true",
			}, nil)
			// Subscriptions carry no tags in Terraform.
			delete(r.Attrs, "tags")
			emit(r)
		}
	}
	return nil
}

// atof reads a numeric attribute string; "" and junk read as 0.
func atof(s string) float64 {
	var f float64
	_, _ = fmt.Sscan(s, &f)
	return f
}
