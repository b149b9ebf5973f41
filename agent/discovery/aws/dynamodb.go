package aws

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// listTables emits DynamoDB tables in Terraform's aws_dynamodb_table
// shape. ListTables pages by the last table name. Time to live and point
// in time recovery come from their own calls; one the endpoint does not
// support leaves its attribute unknown.
func (p *provider) listTables(ctx context.Context, c *dynamodb.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: p.boundedPage(1, 100)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list dynamodb tables: %w", err)
		}
		for _, name := range out.TableNames {
			d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
			var gone *types.ResourceNotFoundException
			if errors.As(err, &gone) {
				continue // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("describe dynamodb table %s: %w", name, err)
			}
			attrs, err := p.tableAttrs(ctx, c, d.Table)
			if err != nil {
				return err
			}
			tags, err := tableTags(ctx, c, d.Table.TableArn)
			if err != nil {
				return fmt.Errorf("list tags of dynamodb table %s: %w", name, err)
			}
			emit(newResource("aws_dynamodb_table", name, s, attrs, tags))
		}
	}
	return nil
}

func keyNames(ks []types.KeySchemaElement) (hash, rng string) {
	for _, k := range ks {
		switch k.KeyType {
		case types.KeyTypeHash:
			hash = sv(k.AttributeName)
		case types.KeyTypeRange:
			rng = sv(k.AttributeName)
		}
	}
	return hash, rng
}

func throughput(m map[string]any, t *types.ProvisionedThroughputDescription) {
	m["read_capacity"], m["write_capacity"] = float64(0), float64(0)
	if t != nil {
		m["read_capacity"], m["write_capacity"] = i64(t.ReadCapacityUnits), i64(t.WriteCapacityUnits)
	}
}

func projection(m map[string]any, pr *types.Projection) {
	m["projection_type"], m["non_key_attributes"] = "", []any{}
	if pr != nil {
		m["projection_type"], m["non_key_attributes"] = string(pr.ProjectionType), anyStrings(pr.NonKeyAttributes)
	}
}

// tableAttrs maps a table description, its time to live and its
// continuous backups onto Terraform's attributes, as the provider reads
// them: PROVISIONED when no billing mode summary is given, STANDARD when
// no table class is, an empty server_side_encryption for the default AWS
// owned key.
func (p *provider) tableAttrs(ctx context.Context, c *dynamodb.Client, t *types.TableDescription) (map[string]any, error) {
	name := sv(t.TableName)
	hash, rng := keyNames(t.KeySchema)
	billing := string(types.BillingModeProvisioned)
	if t.BillingModeSummary != nil && t.BillingModeSummary.BillingMode != "" {
		billing = string(t.BillingModeSummary.BillingMode)
	}
	class := string(types.TableClassStandard)
	if t.TableClassSummary != nil && t.TableClassSummary.TableClass != "" {
		class = string(t.TableClassSummary.TableClass)
	}
	attrs := map[string]any{"name": name, "arn": sv(t.TableArn), "billing_mode": billing, "hash_key": hash,
		"range_key": rng, "table_class": class, "deletion_protection_enabled": bv(t.DeletionProtectionEnabled),
		"stream_enabled": false, "stream_view_type": "", "stream_arn": sv(t.LatestStreamArn),
		"stream_label": sv(t.LatestStreamLabel), "server_side_encryption": []any{}}
	throughput(attrs, t.ProvisionedThroughput)
	defs := []any{}
	for _, a := range t.AttributeDefinitions {
		defs = append(defs, map[string]any{"name": sv(a.AttributeName), "type": string(a.AttributeType)})
	}
	attrs["attribute"] = defs
	gsis := []any{}
	for _, g := range t.GlobalSecondaryIndexes {
		h, r := keyNames(g.KeySchema)
		m := map[string]any{"name": sv(g.IndexName), "hash_key": h, "range_key": r}
		throughput(m, g.ProvisionedThroughput)
		projection(m, g.Projection)
		gsis = append(gsis, m)
	}
	attrs["global_secondary_index"] = gsis
	lsis := []any{}
	for _, l := range t.LocalSecondaryIndexes {
		_, r := keyNames(l.KeySchema)
		m := map[string]any{"name": sv(l.IndexName), "range_key": r}
		projection(m, l.Projection)
		lsis = append(lsis, m)
	}
	attrs["local_secondary_index"] = lsis
	if ss := t.StreamSpecification; ss != nil && bv(ss.StreamEnabled) {
		attrs["stream_enabled"], attrs["stream_view_type"] = true, string(ss.StreamViewType)
	}
	if sse := t.SSEDescription; sse != nil {
		attrs["server_side_encryption"] = []any{map[string]any{"enabled": sse.Status == types.SSEStatusEnabled,
			"kms_key_arn": sv(sse.KMSMasterKeyArn)}}
	}

	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &name})
	switch {
	case err == nil:
		// As the provider: ENABLING reads as not (yet) enabled.
		m := map[string]any{"attribute_name": "", "enabled": false}
		if d := ttl.TimeToLiveDescription; d != nil {
			m["attribute_name"] = sv(d.AttributeName)
			m["enabled"] = d.TimeToLiveStatus == types.TimeToLiveStatusEnabled
		}
		attrs["ttl"] = []any{m}
	case !p.unsupported(err):
		return nil, fmt.Errorf("describe time to live of dynamodb table %s: %w", name, err)
	}

	cb, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: &name})
	switch {
	case err == nil:
		m := map[string]any{"enabled": false}
		if d := cb.ContinuousBackupsDescription; d != nil && d.PointInTimeRecoveryDescription != nil {
			pitr := d.PointInTimeRecoveryDescription
			m["enabled"] = pitr.PointInTimeRecoveryStatus == types.PointInTimeRecoveryStatusEnabled
			if m["enabled"] == true {
				m["recovery_period_in_days"] = i32(pitr.RecoveryPeriodInDays)
			}
		}
		attrs["point_in_time_recovery"] = []any{m}
	case !p.unsupported(err):
		return nil, fmt.Errorf("describe continuous backups of dynamodb table %s: %w", name, err)
	}
	return attrs, nil
}

// tableTags pages ListTagsOfResource, which has no paginator.
func tableTags(ctx context.Context, c *dynamodb.Client, arn *string) (map[string]string, error) {
	tags := map[string]string{}
	in := &dynamodb.ListTagsOfResourceInput{ResourceArn: arn}
	for {
		out, err := c.ListTagsOfResource(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			tags[sv(t.Key)] = sv(t.Value)
		}
		if out.NextToken == nil || *out.NextToken == "" {
			return tags, nil
		}
		in.NextToken = out.NextToken
	}
}
