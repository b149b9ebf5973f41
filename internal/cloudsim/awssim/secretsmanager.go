package awssim

import "net/http"

var secretsManagerService = &jsonService{name: "secretsmanager", namespace: "com.amazonaws.secretsmanager",
	version: "1.1", throttle: "ThrottlingException", deny: "AccessDeniedException",
	disabled: "SubscriptionRequiredException"}

// secretsManager answers the Secrets Manager JSON 1.1 API (target prefix
// secretsmanager) from aws_secretsmanager_secret, whose id is the secret
// ARN. It answers metadata only: there is deliberately no GetSecretValue
// (the simulator holds no secret values, and discovery must never ask).
func (h *handler) secretsManager(rw http.ResponseWriter, c *call) {
	h.serveJSON(rw, c, secretsManagerService, map[string]func(*jsonCall){
		"ListSecrets":       h.smListSecrets,
		"DescribeSecret":    h.smDescribeSecret,
		"GetResourcePolicy": h.smPolicy,
	})
}

// smEntry renders a secret's metadata, the members ListSecrets and
// DescribeSecret share.
func smEntry(s map[string]any) map[string]any {
	out := map[string]any{"ARN": str(s, "id"), "Name": str(s, "name"), "CreatedDate": 1704067200,
		"LastChangedDate": 1704067200}
	if d := str(s, "description"); d != "" {
		out["Description"] = d
	}
	// A secret under the AWS managed key aws/secretsmanager has no KmsKeyId.
	if k := str(s, "kms_key_id"); k != "" {
		out["KmsKeyId"] = k
	}
	if boolean(s, "rotation_enabled") {
		out["RotationEnabled"] = true
		out["RotationLambdaARN"] = str(s, "rotation_lambda_arn")
		r := obj(first(list(s, "rotation_rules")))
		rules := map[string]any{}
		if n := num(r, "automatically_after_days"); n > 0 {
			rules["AutomaticallyAfterDays"] = n
		}
		if d := str(r, "duration"); d != "" {
			rules["Duration"] = d
		}
		if e := str(r, "schedule_expression"); e != "" {
			rules["ScheduleExpression"] = e
		}
		out["RotationRules"] = rules
	}
	tags := []any{}
	for _, kv := range tagsOf(s) {
		tags = append(tags, map[string]any{"Key": kv[0], "Value": kv[1]})
	}
	out["Tags"] = tags
	return out
}

func (h *handler) smListSecrets(j *jsonCall) {
	if n := j.limit("MaxResults"); n < 0 || n > 100 {
		j.fail("InvalidParameterException", "MaxResults must be between 1 and 100")
		return
	}
	secrets := h.resources(j.call, "aws_secretsmanager_secret", false)
	lo, hi, next, ok := j.page(len(secrets), "NextToken", "MaxResults", 100, "InvalidNextTokenException")
	if !ok {
		return
	}
	list := []any{}
	for _, s := range secrets[lo:hi] {
		list = append(list, smEntry(s))
	}
	out := map[string]any{"SecretList": list}
	if next != "" {
		out["NextToken"] = next
	}
	j.reply(out)
}

// smSecret finds the secret SecretId names by ARN or by name.
func (h *handler) smSecret(j *jsonCall) (map[string]any, bool) {
	id := j.str("SecretId")
	for _, s := range h.resources(j.call, "aws_secretsmanager_secret", false) {
		if str(s, "id") == id || str(s, "name") == id {
			return s, true
		}
	}
	j.fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	return nil, false
}

func (h *handler) smDescribeSecret(j *jsonCall) {
	if s, ok := h.smSecret(j); ok {
		j.reply(smEntry(s))
	}
}

// smPolicy answers GetResourcePolicy; a secret without a policy answers
// without ResourcePolicy.
func (h *handler) smPolicy(j *jsonCall) {
	s, ok := h.smSecret(j)
	if !ok {
		return
	}
	out := map[string]any{"ARN": str(s, "id"), "Name": str(s, "name")}
	if p := str(s, "policy"); p != "" {
		out["ResourcePolicy"] = p
	}
	j.reply(out)
}
