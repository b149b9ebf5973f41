package awssim

import (
	"bytes"
	"hash/crc32"
	"net/http"
	"sort"
	"strconv"
)

var dynamodbService = &jsonService{name: "dynamodb", namespace: "com.amazonaws.dynamodb.v20120810", version: "1.0",
	throttle: "ThrottlingException", deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// dynamodb answers the DynamoDB JSON 1.0 API (target prefix
// DynamoDB_20120810) from aws_dynamodb_table, whose id is the table name.
// ListTables pages by name: ExclusiveStartTableName in,
// LastEvaluatedTableName out, as the real API does.
func (h *handler) dynamodb(rw http.ResponseWriter, c *call) {
	crc := &crc32Writer{ResponseWriter: rw}
	defer crc.flush()
	h.serveJSON(crc, c, dynamodbService, map[string]func(*jsonCall){
		"ListTables":                h.ddbListTables,
		"DescribeTable":             h.ddbDescribeTable,
		"DescribeTimeToLive":        h.ddbTTL,
		"DescribeContinuousBackups": h.ddbBackups,
		"ListTagsOfResource":        h.ddbTags,
	})
}

// crc32Writer holds an answer back to send it with the X-Amz-Crc32
// header DynamoDB puts on every response. The SDK checks the body against
// it and, lacking the header, against 0.
type crc32Writer struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *crc32Writer) WriteHeader(status int)      { w.status = status }
func (w *crc32Writer) Write(b []byte) (int, error) { return w.body.Write(b) }

func (w *crc32Writer) flush() {
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(w.body.Bytes())), 10))
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(w.body.Bytes())
}

func ddbArn(c *call, name string) string {
	return "arn:aws:dynamodb:" + c.region + ":" + c.account + ":table/" + name
}

// ddbTables returns the call's tables sorted by name, the order ListTables
// answers in.
func (h *handler) ddbTables(c *call) []map[string]any {
	ts := h.resources(c, "aws_dynamodb_table", false)
	sort.Slice(ts, func(a, b int) bool { return str(ts[a], "id") < str(ts[b], "id") })
	return ts
}

func (h *handler) ddbListTables(j *jsonCall) {
	limit := j.limit("Limit")
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 100 {
		j.fail("ValidationException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: "+
			"Member must have value less than or equal to 100")
		return
	}
	start := j.str("ExclusiveStartTableName")
	names := []string{}
	for _, t := range h.ddbTables(j.call) {
		if n := str(t, "id"); n > start {
			names = append(names, n)
		}
	}
	out := map[string]any{}
	if len(names) > limit {
		names = names[:limit]
		out["LastEvaluatedTableName"] = names[limit-1]
	}
	out["TableNames"] = names
	j.reply(out)
}

// ddbTable finds the table named by TableName (or the ARN in
// ResourceArn), answering code when there is none.
func (h *handler) ddbTable(j *jsonCall, code string) (map[string]any, bool) {
	name := j.str("TableName")
	for _, t := range h.ddbTables(j.call) {
		if id := str(t, "id"); id == name || ddbArn(j.call, id) == j.str("ResourceArn") {
			return t, true
		}
	}
	if name == "" {
		name = j.str("ResourceArn")
	}
	j.fail(code, "Requested resource not found: Table: "+name+" not found")
	return nil, false
}

func ddbKeySchema(hash, rng string) []any {
	ks := []any{map[string]any{"AttributeName": hash, "KeyType": "HASH"}}
	if rng != "" {
		ks = append(ks, map[string]any{"AttributeName": rng, "KeyType": "RANGE"})
	}
	return ks
}

func ddbProjection(ix map[string]any) map[string]any {
	p := map[string]any{"ProjectionType": str(ix, "projection_type")}
	if nk := strs(ix, "non_key_attributes"); len(nk) > 0 {
		p["NonKeyAttributes"] = nk
	}
	return p
}

func ddbThroughput(m map[string]any) map[string]any {
	return map[string]any{"ReadCapacityUnits": num(m, "read_capacity"), "WriteCapacityUnits": num(m, "write_capacity"),
		"NumberOfDecreasesToday": 0}
}

func (h *handler) ddbDescribeTable(j *jsonCall) {
	t, ok := h.ddbTable(j, "ResourceNotFoundException")
	if !ok {
		return
	}
	name, arn := str(t, "id"), ddbArn(j.call, str(t, "id"))
	var defs []any
	for _, a := range list(t, "attribute") {
		defs = append(defs, map[string]any{"AttributeName": str(obj(a), "name"), "AttributeType": str(obj(a), "type")})
	}
	out := map[string]any{"TableName": name, "TableArn": arn, "TableId": "4e6f7c1a-0000-4000-8000-000000000001",
		"TableStatus": "ACTIVE", "CreationDateTime": 1704067200, "AttributeDefinitions": defs,
		"KeySchema": ddbKeySchema(str(t, "hash_key"), str(t, "range_key")), "ProvisionedThroughput": ddbThroughput(t),
		"TableSizeBytes": 0, "ItemCount": 0, "DeletionProtectionEnabled": boolean(t, "deletion_protection_enabled")}
	if str(t, "billing_mode") == "PAY_PER_REQUEST" {
		out["BillingModeSummary"] = map[string]any{"BillingMode": "PAY_PER_REQUEST",
			"LastUpdateToPayPerRequestDateTime": 1704067200}
	}
	var gsis, lsis []any
	for _, g := range list(t, "global_secondary_index") {
		g := obj(g)
		gsis = append(gsis, map[string]any{"IndexName": str(g, "name"), "IndexStatus": "ACTIVE",
			"IndexArn": arn + "/index/" + str(g, "name"), "KeySchema": ddbKeySchema(str(g, "hash_key"), str(g, "range_key")),
			"Projection": ddbProjection(g), "ProvisionedThroughput": ddbThroughput(g)})
	}
	for _, l := range list(t, "local_secondary_index") {
		l := obj(l)
		lsis = append(lsis, map[string]any{"IndexName": str(l, "name"), "IndexArn": arn + "/index/" + str(l, "name"),
			"KeySchema": ddbKeySchema(str(t, "hash_key"), str(l, "range_key")), "Projection": ddbProjection(l)})
	}
	if len(gsis) > 0 {
		out["GlobalSecondaryIndexes"] = gsis
	}
	if len(lsis) > 0 {
		out["LocalSecondaryIndexes"] = lsis
	}
	// A table without a stream carries no StreamSpecification at all.
	if boolean(t, "stream_enabled") {
		out["StreamSpecification"] = map[string]any{"StreamEnabled": true, "StreamViewType": str(t, "stream_view_type")}
		out["LatestStreamArn"] = arn + "/stream/" + str(t, "stream_label")
		out["LatestStreamLabel"] = str(t, "stream_label")
	}
	// Encryption with an AWS owned key is the default and not described.
	if sse := obj(first(list(t, "server_side_encryption"))); boolean(sse, "enabled") {
		out["SSEDescription"] = map[string]any{"Status": "ENABLED", "SSEType": "KMS",
			"KMSMasterKeyArn": str(sse, "kms_key_arn")}
	}
	if tc := str(t, "table_class"); tc != "" && tc != "STANDARD" {
		out["TableClassSummary"] = map[string]any{"TableClass": tc}
	}
	j.reply(map[string]any{"Table": out})
}

func (h *handler) ddbTTL(j *jsonCall) {
	t, ok := h.ddbTable(j, "ResourceNotFoundException")
	if !ok {
		return
	}
	ttl := obj(first(list(t, "ttl")))
	d := map[string]any{"TimeToLiveStatus": "DISABLED"}
	if boolean(ttl, "enabled") {
		d["TimeToLiveStatus"] = "ENABLED"
	}
	if a := str(ttl, "attribute_name"); a != "" {
		d["AttributeName"] = a
	}
	j.reply(map[string]any{"TimeToLiveDescription": d})
}

// ddbBackups answers DescribeContinuousBackups; a missing table is
// TableNotFoundException here, not ResourceNotFoundException.
func (h *handler) ddbBackups(j *jsonCall) {
	t, ok := h.ddbTable(j, "TableNotFoundException")
	if !ok {
		return
	}
	pitr := map[string]any{"PointInTimeRecoveryStatus": "DISABLED"}
	if p := obj(first(list(t, "point_in_time_recovery"))); boolean(p, "enabled") {
		pitr = map[string]any{"PointInTimeRecoveryStatus": "ENABLED",
			"RecoveryPeriodInDays": num(p, "recovery_period_in_days"), "EarliestRestorableDateTime": 1704067200,
			"LatestRestorableDateTime": 1704067500}
	}
	j.reply(map[string]any{"ContinuousBackupsDescription": map[string]any{"ContinuousBackupsStatus": "ENABLED",
		"PointInTimeRecoveryDescription": pitr}})
}

// ddbTags pages tags by an offset NextToken; DynamoDB has no page size
// parameter here and answers ten at most in this simulator so paging is
// exercised.
func (h *handler) ddbTags(j *jsonCall) {
	if j.str("ResourceArn") == "" {
		j.fail("ValidationException", "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint")
		return
	}
	t, ok := h.ddbTable(j, "ResourceNotFoundException")
	if !ok {
		return
	}
	tags := tagsOf(t)
	lo, hi, next, ok := j.page(len(tags), "NextToken", "", 10, "ValidationException")
	if !ok {
		return
	}
	out := []any{}
	for _, kv := range tags[lo:hi] {
		out = append(out, map[string]any{"Key": kv[0], "Value": kv[1]})
	}
	res := map[string]any{"Tags": out}
	if next != "" {
		res["NextToken"] = next
	}
	j.reply(res)
}
