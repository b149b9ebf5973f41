package aws

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/e2e/emulators"
	"github.com/driftmgr/driftmgr/internal/cloudsim/awssim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestDynamoDBDynalite lists tables a real DynamoDB implementation
// (dynalite) created, in pages of two. Dynalite answers
// DescribeContinuousBackups with UnknownOperationException: the tables
// are still listed, with point_in_time_recovery unknown (absent), so a
// state that has it enabled shows no drift for it.
func TestDynamoDBDynalite(t *testing.T) {
	url := emulators.StartDynalite(t)
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
	c := dynamodb.NewFromConfig(cfg)
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	names := []string{"orders", "a-first", "m-middle", "z-last", "b-second"}
	for _, name := range names {
		in := &dynamodb.CreateTableInput{TableName: s(name),
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: s("pk"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: s("pk"), KeyType: types.KeyTypeHash}},
			BillingMode:          types.BillingModePayPerRequest}
		if name == "orders" {
			in.BillingMode = types.BillingModeProvisioned
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: n(5), WriteCapacityUnits: n(3)}
			in.AttributeDefinitions = append(in.AttributeDefinitions,
				types.AttributeDefinition{AttributeName: s("sk"), AttributeType: types.ScalarAttributeTypeS},
				types.AttributeDefinition{AttributeName: s("status"), AttributeType: types.ScalarAttributeTypeS})
			in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: s("sk"), KeyType: types.KeyTypeRange})
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: s("by-status"),
				KeySchema:             []types.KeySchemaElement{{AttributeName: s("status"), KeyType: types.KeyTypeHash}},
				Projection:            &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
				ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: n(2), WriteCapacityUnits: n(1)}}}
		}
		out, err := c.CreateTable(ctx, in)
		require.NoError(t, err, name)
		// Dynalite ignores tags given to CreateTable; TagResource sticks.
		_, err = c.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: out.TableDescription.TableArn,
			Tags: []types.Tag{{Key: s("env"), Value: s("test")}, {Key: s("Name"), Value: s(name)}}})
		require.NoError(t, err, name)
	}
	_, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: s("orders")})
	require.Error(t, err, "dynalite does not implement continuous backups")

	p := New(Options{PageSize: 2}).(*provider)
	scope := discovery.Scope{Provider: "aws", Account: account, Region: "us-east-1"}
	var got []resource.Resource
	require.NoError(t, p.listTables(ctx, c, scope, func(r resource.Resource) { got = append(got, r) }))
	listed := map[string]resource.Resource{}
	for _, r := range got {
		assert.NotContains(t, listed, r.ID, "listed twice")
		listed[r.ID] = r
		assert.NotContains(t, r.Attrs, "point_in_time_recovery", "unknown when the endpoint cannot tell")
	}
	require.Len(t, listed, len(names))

	o := listed["orders"].Attrs
	assert.Equal(t, "PROVISIONED", o["billing_mode"])
	assert.Equal(t, "PAY_PER_REQUEST", listed["z-last"].Attrs["billing_mode"])
	assert.Equal(t, "pk", o["hash_key"])
	assert.Equal(t, "sk", o["range_key"])
	assert.Equal(t, float64(5), o["read_capacity"])
	assert.Equal(t, float64(3), o["write_capacity"])
	assert.ElementsMatch(t, []any{map[string]any{"name": "pk", "type": "S"}, map[string]any{"name": "sk", "type": "S"},
		map[string]any{"name": "status", "type": "S"}}, o["attribute"])
	assert.Equal(t, []any{map[string]any{"name": "by-status", "hash_key": "status", "range_key": "",
		"projection_type": "KEYS_ONLY", "non_key_attributes": []any{}, "read_capacity": float64(2),
		"write_capacity": float64(1)}}, o["global_secondary_index"])
	// Dynalite has no streams, and time to live is always disabled.
	assert.Equal(t, false, o["stream_enabled"])
	assert.Equal(t, []any{map[string]any{"attribute_name": "", "enabled": false}}, o["ttl"])
	assert.Equal(t, "STANDARD", o["table_class"])
	assert.Equal(t, []any{}, o["server_side_encryption"])
	assert.Equal(t, map[string]string{"env": "test", "Name": "orders"}, listed["orders"].Tags)

	// A state with point in time recovery enabled: not reported, since
	// the live side could not read it; a real difference still is.
	state := listed["orders"]
	state.Source = resource.SourceState
	state.Attrs = map[string]any{}
	for k, v := range listed["orders"].Attrs {
		state.Attrs[k] = v
	}
	state.Attrs["point_in_time_recovery"] = []any{map[string]any{"enabled": true}}
	r := drift.Compare([]resource.Resource{state}, []resource.Resource{listed["orders"]}, drift.Options{})
	assert.Empty(t, r.Findings)
	state.Attrs["write_capacity"] = float64(10)
	r = drift.Compare([]resource.Resource{state}, []resource.Resource{listed["orders"]}, drift.Options{})
	require.Len(t, r.Findings, 1)
	require.Len(t, r.Findings[0].Diffs, 1)
	assert.Equal(t, "write_capacity", r.Findings[0].Diffs[0].Path.Root())
}

// TestDynamoDBSubCallFaults: in the simulator, an unsupported or disabled
// sub-call leaves its attribute unknown; any other error of it fails the
// lister, so the table type is skipped with the reason.
func TestDynamoDBSubCallFaults(t *testing.T) {
	var fixtures []resource.Resource
	for _, f := range jsonFixtures("us-east-1") {
		if f.Type == "aws_dynamodb_table" {
			fixtures = append(fixtures, f)
		}
	}
	w := world.New(fixtures)
	sim(t, w)
	p := New(Options{}).(*provider)
	for code, unknown := range map[string]bool{"UnknownOperationException": true,
		"SubscriptionRequiredException": true, "InternalServerError": false} {
		t.Run(code, func(t *testing.T) {
			srv := failOp(t, w, "DynamoDB_20120810.DescribeContinuousBackups", code)
			c := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv),
				Credentials: credentials.NewStaticCredentialsProvider(account, "secret", ""), RetryMaxAttempts: 1})
			var got []resource.Resource
			err := p.listTables(context.Background(), c, discovery.Scope{Provider: "aws", Account: account,
				Region: "us-east-1"}, func(r resource.Resource) { got = append(got, r) })
			if !unknown {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "continuous backups")
				return
			}
			require.NoError(t, err)
			require.Len(t, got, len(fixtures))
			for _, r := range got {
				assert.NotContains(t, r.Attrs, "point_in_time_recovery")
				assert.Contains(t, r.Attrs, "ttl")
			}
		})
	}
}

// failOp serves w through awssim but answers the operation target with a
// JSON protocol error of code (status 500 for server errors), and returns
// the server's URL.
func failOp(t *testing.T, w *world.World, target, code string) string {
	t.Helper()
	next := awssim.NewHandler(w)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != target {
			next.ServeHTTP(rw, r)
			return
		}
		status := http.StatusBadRequest
		if strings.HasPrefix(code, "Internal") {
			status = http.StatusInternalServerError
		}
		rw.Header().Set("Content-Type", "application/x-amz-json-1.0")
		rw.WriteHeader(status)
		fmt.Fprintf(rw, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"injected"}`, code)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
