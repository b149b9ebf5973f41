package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) cloudtrailListers() []discovery.Lister {
	newClient := func(cfg aws.Config) *cloudtrail.Client { return cloudtrail.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "cloudtrail", false, []string{"aws_cloudtrail"}, newClient, p.listTrails),
	}
}

// cloudtrailBatch is the most ARNs DescribeTrails and ListTags take at once.
const cloudtrailBatch = 20

// listTrails emits aws_cloudtrail keyed by the trail ARN, as the Terraform
// provider ids trails. ListTrails names every trail of the account in every
// region (a multi-region trail shows up in each one as a shadow trail); a
// trail is emitted only in the scope of its home region, so it is listed
// once, and only by the account that owns it: an organization trail shows
// up in every member account but is the management account's resource. Logging and event selectors come from GetTrailStatus and
// GetEventSelectors; the security checks read is_multi_region_trail,
// enable_log_file_validation and kms_key_id from here.
func (p *provider) listTrails(ctx context.Context, c *cloudtrail.Client, s discovery.Scope, emit func(resource.Resource)) error {
	var arns []string
	pg := cloudtrail.NewListTrailsPaginator(c, &cloudtrail.ListTrailsInput{})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list trails: %w", err)
		}
		for _, t := range out.Trails {
			if sv(t.HomeRegion) == s.Region && arnAccount(sv(t.TrailARN)) == s.Account {
				arns = append(arns, sv(t.TrailARN))
			}
		}
	}
	tags, err := trailTags(ctx, c, arns)
	if err != nil {
		return err
	}
	for lo := 0; lo < len(arns); lo += cloudtrailBatch {
		out, err := c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{
			TrailNameList: arns[lo:min(lo+cloudtrailBatch, len(arns))], IncludeShadowTrails: aws.Bool(false)})
		if err != nil {
			return fmt.Errorf("describe trails: %w", err)
		}
		for _, t := range out.TrailList {
			r, err := trailResource(ctx, c, s, t, tags[sv(t.TrailARN)])
			var gone *types.TrailNotFoundException
			if errors.As(err, &gone) {
				continue // deleted since it was listed
			}
			if err != nil {
				return err
			}
			emit(r)
		}
	}
	return nil
}

func trailResource(ctx context.Context, c *cloudtrail.Client, s discovery.Scope, t types.Trail, tags map[string]string) (resource.Resource, error) {
	arn := sv(t.TrailARN)
	st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
	if err != nil {
		return resource.Resource{}, fmt.Errorf("get status of trail %s: %w", arn, err)
	}
	// Like the provider, read selectors only when the trail has custom
	// ones: every trail answers GetEventSelectors with a default selector
	// that Terraform state does not hold.
	selectors := []any{}
	if bv(t.HasCustomEventSelectors) {
		es, err := c.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: t.TrailARN})
		if err != nil {
			return resource.Resource{}, fmt.Errorf("get event selectors of trail %s: %w", arn, err)
		}
		for _, e := range es.EventSelectors {
			data := []any{}
			for _, d := range e.DataResources {
				data = append(data, map[string]any{"type": sv(d.Type), "values": anyStrings(d.Values)})
			}
			selectors = append(selectors, map[string]any{
				"read_write_type":                  string(e.ReadWriteType),
				"include_management_events":        bv(e.IncludeManagementEvents),
				"data_resource":                    data,
				"exclude_management_event_sources": sortedStrings(e.ExcludeManagementEventSources),
			})
		}
	}
	return newResource("aws_cloudtrail", arn, s, map[string]any{
		"arn":                           arn,
		"name":                          sv(t.Name),
		"home_region":                   sv(t.HomeRegion),
		"s3_bucket_name":                sv(t.S3BucketName),
		"s3_key_prefix":                 sv(t.S3KeyPrefix),
		"sns_topic_name":                snsTopicName(t, s),
		"is_multi_region_trail":         bv(t.IsMultiRegionTrail),
		"is_organization_trail":         bv(t.IsOrganizationTrail),
		"include_global_service_events": bv(t.IncludeGlobalServiceEvents),
		"enable_log_file_validation":    bv(t.LogFileValidationEnabled),
		"kms_key_id":                    sv(t.KmsKeyId),
		"cloud_watch_logs_group_arn":    sv(t.CloudWatchLogsLogGroupArn),
		"cloud_watch_logs_role_arn":     sv(t.CloudWatchLogsRoleArn),
		"enable_logging":                bv(st.IsLogging),
		"event_selector":                selectors,
	}, tags), nil
}

// arnAccount is the account field of an ARN.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// snsTopicName is the provider's sns_topic_name: the topic's name when it
// is in the trail's account and home region, its ARN otherwise.
func snsTopicName(t types.Trail, s discovery.Scope) string {
	arn := sv(t.SnsTopicARN)
	parts := strings.Split(arn, ":")
	if len(parts) == 6 && parts[3] == sv(t.HomeRegion) && parts[4] == s.Account {
		return parts[5]
	}
	return arn
}

// trailTags reads the tags of trails, up to 20 ARNs per ListTags call.
func trailTags(ctx context.Context, c *cloudtrail.Client, arns []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for lo := 0; lo < len(arns); lo += cloudtrailBatch {
		pg := cloudtrail.NewListTagsPaginator(c, &cloudtrail.ListTagsInput{ResourceIdList: arns[lo:min(lo+cloudtrailBatch, len(arns))]})
		for pg.HasMorePages() {
			res, err := pg.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list tags of trails: %w", err)
			}
			for _, rt := range res.ResourceTagList {
				t := out[sv(rt.ResourceId)]
				if t == nil {
					t = map[string]string{}
					out[sv(rt.ResourceId)] = t
				}
				for _, kv := range rt.TagsList {
					t[sv(kv.Key)] = sv(kv.Value)
				}
			}
		}
	}
	return out, nil
}
