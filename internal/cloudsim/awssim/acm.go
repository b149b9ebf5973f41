package awssim

import (
	"net/http"
	"strings"
	"time"
)

var acmService = &jsonService{name: "acm", namespace: "com.amazonaws.acm", version: "1.1",
	throttle: "ThrottlingException", deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// acm answers the ACM JSON 1.1 API (target prefix CertificateManager) from
// aws_acm_certificate, whose id is the certificate ARN. As the real API,
// ListCertificates without Includes.keyTypes lists RSA_2048 certificates
// only.
func (h *handler) acm(rw http.ResponseWriter, c *call) {
	h.serveJSON(rw, c, acmService, map[string]func(*jsonCall){
		"ListCertificates":       h.acmList,
		"DescribeCertificate":    h.acmDescribe,
		"ListTagsForCertificate": h.acmTags,
	})
}

// epoch reads an RFC 3339 attribute as the seconds the JSON protocols
// carry timestamps in (0 when unset).
func epoch(m map[string]any, k string) float64 {
	t, err := time.Parse(time.RFC3339, str(m, k))
	if err != nil {
		return 0
	}
	return float64(t.Unix())
}

func (h *handler) acmList(j *jsonCall) {
	if n := j.limit("MaxItems"); n < 0 || n > 1000 {
		j.fail("ValidationException", "Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
		return
	}
	keyTypes := map[string]bool{"RSA_2048": true}
	if kt := strs(obj(j.in["Includes"]), "keyTypes"); len(kt) > 0 {
		keyTypes = map[string]bool{}
		for _, k := range kt {
			keyTypes[k] = true
		}
	}
	statuses := map[string]bool{}
	for _, s := range strs(j.in, "CertificateStatuses") {
		statuses[s] = true
	}
	var certs []map[string]any
	for _, c := range h.resources(j.call, "aws_acm_certificate", false) {
		if keyTypes[orDefault(str(c, "key_algorithm"), "RSA_2048")] && (len(statuses) == 0 || statuses[str(c, "status")]) {
			certs = append(certs, c)
		}
	}
	lo, hi, next, ok := j.page(len(certs), "NextToken", "MaxItems", 1000, "InvalidArgsException")
	if !ok {
		return
	}
	out := []any{}
	for _, c := range certs[lo:hi] {
		out = append(out, map[string]any{"CertificateArn": str(c, "id"), "DomainName": str(c, "domain_name"),
			"SubjectAlternativeNameSummaries": acmSANs(c), "HasAdditionalSubjectAlternativeNames": false,
			"Status": str(c, "status"), "Type": str(c, "type"), "KeyAlgorithm": orDefault(str(c, "key_algorithm"), "RSA_2048"),
			"RenewalEligibility": str(c, "renewal_eligibility"), "InUse": false, "CreatedAt": epoch(c, "not_before"),
			"NotBefore": epoch(c, "not_before"), "NotAfter": epoch(c, "not_after")})
	}
	res := map[string]any{"CertificateSummaryList": out}
	if next != "" {
		res["NextToken"] = next
	}
	j.reply(res)
}

// acmSANs are the certificate's names as ACM lists them: the domain name
// first, then the subject alternative names Terraform holds without it.
func acmSANs(c map[string]any) []string {
	return append([]string{str(c, "domain_name")}, strs(c, "subject_alternative_names")...)
}

// acmCert finds the certificate CertificateArn names, answering
// InvalidArnException for what is not a certificate ARN and
// ResourceNotFoundException for one that does not exist.
func (h *handler) acmCert(j *jsonCall) (map[string]any, bool) {
	arn := j.str("CertificateArn")
	if !strings.HasPrefix(arn, "arn:aws:acm:") || !strings.Contains(arn, ":certificate/") {
		j.fail("InvalidArnException", "String '"+arn+"' is not a valid ARN")
		return nil, false
	}
	for _, c := range h.resources(j.call, "aws_acm_certificate", false) {
		if str(c, "id") == arn {
			return c, true
		}
	}
	j.fail("ResourceNotFoundException", "Could not find certificate with id "+arn+".")
	return nil, false
}

func (h *handler) acmDescribe(j *jsonCall) {
	c, ok := h.acmCert(j)
	if !ok {
		return
	}
	var dvos []any
	for _, d := range list(c, "domain_validation_options") {
		d := obj(d)
		dvos = append(dvos, map[string]any{"DomainName": str(d, "domain_name"), "ValidationDomain": str(d, "domain_name"),
			"ValidationStatus": "SUCCESS", "ValidationMethod": str(c, "validation_method"),
			"ResourceRecord": map[string]any{"Name": str(d, "resource_record_name"), "Type": str(d, "resource_record_type"),
				"Value": str(d, "resource_record_value")}})
	}
	for _, e := range strs(c, "validation_emails") {
		dvos = append(dvos, map[string]any{"DomainName": str(c, "domain_name"), "ValidationStatus": "SUCCESS",
			"ValidationMethod": "EMAIL", "ValidationEmails": []string{e}})
	}
	cert := map[string]any{"CertificateArn": str(c, "id"), "DomainName": str(c, "domain_name"),
		"SubjectAlternativeNames": acmSANs(c), "Status": str(c, "status"), "Type": str(c, "type"),
		"KeyAlgorithm": orDefault(str(c, "key_algorithm"), "RSA_2048"), "SignatureAlgorithm": "SHA256WITHRSA",
		"NotBefore": epoch(c, "not_before"), "NotAfter": epoch(c, "not_after"), "CreatedAt": epoch(c, "not_before"),
		"RenewalEligibility": str(c, "renewal_eligibility"), "InUseBy": []string{}}
	if len(dvos) > 0 {
		cert["DomainValidationOptions"] = dvos
	}
	if o := obj(first(list(c, "options"))); o != nil {
		opts := map[string]any{"CertificateTransparencyLoggingPreference": str(o, "certificate_transparency_logging_preference")}
		if e := str(o, "export"); e != "" {
			opts["Export"] = e
		}
		cert["Options"] = opts
	}
	if ca := str(c, "certificate_authority_arn"); ca != "" {
		cert["CertificateAuthorityArn"] = ca
	}
	j.reply(map[string]any{"Certificate": cert})
}

func (h *handler) acmTags(j *jsonCall) {
	c, ok := h.acmCert(j)
	if !ok {
		return
	}
	tags := []any{}
	for _, kv := range tagsOf(c) {
		tags = append(tags, map[string]any{"Key": kv[0], "Value": kv[1]})
	}
	j.reply(map[string]any{"Tags": tags})
}
