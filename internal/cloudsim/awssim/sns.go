package awssim

import (
	"net/http"
	"strconv"
	"strings"
)

const snsNS = "http://sns.amazonaws.com/doc/2010-03-31/"

// snsPage is SNS's fixed page: ListTopics and ListSubscriptions return up
// to 100 items and a NextToken, with no size parameter.
var snsPage = queryPage{inToken: "NextToken", outToken: "NextToken", def: 100}

// sns answers the SNS Query API for topics, subscriptions and their
// attributes and tags. A topic's id is its ARN, as in Terraform.
func (h *handler) sns(rw http.ResponseWriter, c *call) {
	if err := c.r.ParseForm(); err != nil {
		queryError(rw, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	if !queryFault(rw, h.w.Check("aws:sns", c.account)) {
		return
	}
	f := c.r.Form
	switch action := f.Get("Action"); action {
	case "ListTopics":
		queryList(rw, c, snsNS, action, "Topics", "member", snsPage, h.resources(c, "aws_sns_topic", false),
			func(_ *call, d *doc, m map[string]any) { d.text("TopicArn", str(m, "id")) })
	case "ListSubscriptions":
		queryList(rw, c, snsNS, action, "Subscriptions", "member", snsPage, h.resources(c, "aws_sns_topic_subscription", false),
			func(c *call, d *doc, m map[string]any) {
				d.text("SubscriptionArn", str(m, "id"))
				d.text("Owner", c.account)
				d.text("Protocol", str(m, "protocol"))
				d.text("Endpoint", str(m, "endpoint"))
				d.text("TopicArn", str(m, "topic_arn"))
			})
	case "GetTopicAttributes":
		t, ok := h.snsFind(rw, c, "aws_sns_topic", f.Get("TopicArn"))
		if !ok {
			return
		}
		queryResult(rw, snsNS, action, func(d *doc) {
			attrs := [][2]string{{"TopicArn", str(t, "id")}, {"Owner", c.account},
				{"DisplayName", str(t, "display_name")}, {"Policy", str(t, "policy")},
				{"SubscriptionsConfirmed", "0"}, {"SubscriptionsPending", "0"}, {"SubscriptionsDeleted", "0"}}
			for _, a := range [][2]string{{"DeliveryPolicy", "delivery_policy"}, {"KmsMasterKeyId", "kms_master_key_id"},
				{"SignatureVersion", "signature_version"}, {"TracingConfig", "tracing_config"}} {
				if v := str(t, a[1]); v != "" {
					attrs = append(attrs, [2]string{a[0], v})
				}
			}
			if boolean(t, "fifo_topic") {
				attrs = append(attrs, [2]string{"FifoTopic", "true"},
					[2]string{"ContentBasedDeduplication", strconv.FormatBool(boolean(t, "content_based_deduplication"))})
			}
			attributeMap(d, attrs)
		})
	case "GetSubscriptionAttributes":
		s, ok := h.snsFind(rw, c, "aws_sns_topic_subscription", f.Get("SubscriptionArn"))
		if !ok {
			return
		}
		queryResult(rw, snsNS, action, func(d *doc) {
			attrs := [][2]string{{"SubscriptionArn", str(s, "id")}, {"TopicArn", str(s, "topic_arn")},
				{"Owner", c.account}, {"Protocol", str(s, "protocol")}, {"Endpoint", str(s, "endpoint")},
				{"RawMessageDelivery", strconv.FormatBool(boolean(s, "raw_message_delivery"))},
				{"ConfirmationWasAuthenticated", strconv.FormatBool(boolean(s, "confirmation_was_authenticated"))},
				{"PendingConfirmation", strconv.FormatBool(boolean(s, "pending_confirmation"))}}
			for _, a := range [][2]string{{"FilterPolicy", "filter_policy"}, {"FilterPolicyScope", "filter_policy_scope"},
				{"RedrivePolicy", "redrive_policy"}, {"SubscriptionRoleArn", "subscription_role_arn"}} {
				if v := str(s, a[1]); v != "" {
					attrs = append(attrs, [2]string{a[0], v})
				}
			}
			attributeMap(d, attrs)
		})
	case "ListTagsForResource":
		t, ok := h.snsFind(rw, c, "aws_sns_topic", f.Get("ResourceArn"))
		if ok {
			queryResult(rw, snsNS, action, func(d *doc) { queryTags(d, "Tags", "member", t) })
		}
	default:
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+action)
	}
}

func (h *handler) snsFind(rw http.ResponseWriter, c *call, typ, arn string) (map[string]any, bool) {
	for _, m := range h.resources(c, typ, false) {
		if str(m, "id") == arn {
			return m, true
		}
	}
	what := "Topic"
	if strings.HasSuffix(typ, "subscription") {
		what = "Subscription"
	}
	queryError(rw, http.StatusNotFound, "Sender", "NotFound", what+" does not exist")
	return nil, false
}

// attributeMap writes a Query map: <Attributes><entry><key/><value/></entry>.
func attributeMap(d *doc, kv [][2]string) {
	d.open("Attributes")
	for _, e := range kv {
		d.open("entry")
		d.text("key", e[0])
		d.text("value", e[1])
		d.close("entry")
	}
	d.close("Attributes")
}
