package awssim

import "net/http"

var kmsService = &jsonService{name: "kms", namespace: "com.amazonaws.kms", version: "1.1",
	throttle: "ThrottlingException", deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// kms answers the KMS JSON 1.1 API (target prefix TrentService) from
// aws_kms_key and aws_kms_alias. A key's world attribute key_state
// (not a Terraform attribute) simulates keys pending deletion;
// key_manager "AWS" simulates AWS managed keys.
func (h *handler) kms(rw http.ResponseWriter, c *call) {
	h.serveJSON(rw, c, kmsService, map[string]func(*jsonCall){
		"ListKeys":             h.kmsListKeys,
		"DescribeKey":          h.kmsDescribeKey,
		"GetKeyRotationStatus": h.kmsRotation,
		"GetKeyPolicy":         h.kmsPolicy,
		"ListResourceTags":     h.kmsTags,
		"ListAliases":          h.kmsListAliases,
	})
}

func kmsKeyArn(c *call, id string) string {
	return "arn:aws:kms:" + c.region + ":" + c.account + ":key/" + id
}

func (h *handler) kmsListKeys(j *jsonCall) {
	keys := h.resources(j.call, "aws_kms_key", false)
	lo, hi, next, ok := j.page(len(keys), "Marker", "Limit", 1000, "InvalidMarkerException")
	if !ok {
		return
	}
	out := []any{}
	for _, k := range keys[lo:hi] {
		out = append(out, map[string]any{"KeyId": str(k, "id"), "KeyArn": kmsKeyArn(j.call, str(k, "id"))})
	}
	j.reply(kmsPage(map[string]any{"Keys": out}, next))
}

func kmsPage(m map[string]any, next string) map[string]any {
	m["Truncated"] = next != ""
	if next != "" {
		m["NextMarker"] = next
	}
	return m
}

// kmsKey finds a key by id or ARN, answering NotFoundException.
func (h *handler) kmsKey(j *jsonCall) (map[string]any, bool) {
	id := j.str("KeyId")
	for _, k := range h.resources(j.call, "aws_kms_key", false) {
		if str(k, "id") == id || kmsKeyArn(j.call, str(k, "id")) == id {
			return k, true
		}
	}
	j.fail("NotFoundException", "Key '"+id+"' does not exist")
	return nil, false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (h *handler) kmsDescribeKey(j *jsonCall) {
	k, ok := h.kmsKey(j)
	if !ok {
		return
	}
	enabled := k["is_enabled"] != false
	state := str(k, "key_state")
	if state == "" {
		state = map[bool]string{true: "Enabled", false: "Disabled"}[enabled]
	}
	spec := orDefault(str(k, "customer_master_key_spec"), "SYMMETRIC_DEFAULT")
	j.reply(map[string]any{"KeyMetadata": map[string]any{
		"AWSAccountId": j.account, "KeyId": str(k, "id"), "Arn": kmsKeyArn(j.call, str(k, "id")),
		"CreationDate": 1704067200, "Enabled": enabled, "Description": str(k, "description"),
		"KeyUsage": orDefault(str(k, "key_usage"), "ENCRYPT_DECRYPT"), "KeyState": state,
		"Origin": "AWS_KMS", "KeyManager": orDefault(str(k, "key_manager"), "CUSTOMER"),
		"CustomerMasterKeySpec": spec, "KeySpec": spec, "EncryptionAlgorithms": []string{"SYMMETRIC_DEFAULT"},
		"MultiRegion": boolean(k, "multi_region"),
	}})
}

func (h *handler) kmsRotation(j *jsonCall) {
	k, ok := h.kmsKey(j)
	if !ok {
		return
	}
	out := map[string]any{"KeyId": str(k, "id"), "KeyRotationEnabled": boolean(k, "enable_key_rotation")}
	if boolean(k, "enable_key_rotation") {
		out["RotationPeriodInDays"] = num(k, "rotation_period_in_days")
	}
	j.reply(out)
}

func (h *handler) kmsPolicy(j *jsonCall) {
	k, ok := h.kmsKey(j)
	if !ok {
		return
	}
	j.reply(map[string]any{"Policy": str(k, "policy"), "PolicyName": "default"})
}

func (h *handler) kmsTags(j *jsonCall) {
	k, ok := h.kmsKey(j)
	if !ok {
		return
	}
	tags := tagsOf(k)
	lo, hi, next, ok := j.page(len(tags), "Marker", "Limit", 50, "InvalidMarkerException")
	if !ok {
		return
	}
	out := []any{}
	for _, t := range tags[lo:hi] {
		out = append(out, map[string]any{"TagKey": t[0], "TagValue": t[1]})
	}
	j.reply(kmsPage(map[string]any{"Tags": out}, next))
}

func (h *handler) kmsListAliases(j *jsonCall) {
	aliases := h.resources(j.call, "aws_kms_alias", false)
	lo, hi, next, ok := j.page(len(aliases), "Marker", "Limit", 100, "InvalidMarkerException")
	if !ok {
		return
	}
	out := []any{}
	for _, a := range aliases[lo:hi] {
		out = append(out, map[string]any{"AliasName": str(a, "id"),
			"AliasArn":    "arn:aws:kms:" + j.region + ":" + j.account + ":" + str(a, "id"),
			"TargetKeyId": str(a, "target_key_id")})
	}
	j.reply(kmsPage(map[string]any{"Aliases": out}, next))
}
