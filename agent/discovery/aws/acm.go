//lint:file-ignore SA1019 the provider still stores options.certificate_transparency_logging_preference in state

package aws

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/acm/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// listCertificates emits ACM certificates in Terraform's
// aws_acm_certificate shape. ListCertificates without a key type filter
// returns RSA_2048 certificates only, so every key type is asked for.
func (p *provider) listCertificates(ctx context.Context, c *acm.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := acm.NewListCertificatesPaginator(c, &acm.ListCertificatesInput{MaxItems: p.boundedPage(1, 1000),
		Includes: &types.Filters{KeyTypes: types.KeyAlgorithm("").Values()}})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list acm certificates: %w", err)
		}
		for _, sum := range out.CertificateSummaryList {
			arn := sv(sum.CertificateArn)
			d, err := c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: sum.CertificateArn})
			var gone *types.ResourceNotFoundException
			if errors.As(err, &gone) {
				continue // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("describe acm certificate %s: %w", arn, err)
			}
			tout, err := c.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{CertificateArn: sum.CertificateArn})
			if err != nil {
				return fmt.Errorf("list tags of acm certificate %s: %w", arn, err)
			}
			tags := make(map[string]string, len(tout.Tags))
			for _, t := range tout.Tags {
				tags[sv(t.Key)] = sv(t.Value)
			}
			emit(newResource("aws_acm_certificate", arn, s, certificateAttrs(d.Certificate), tags))
		}
	}
	return nil
}

// certificateAttrs maps a certificate as the provider reads it:
// subject_alternative_names without the domain name, the validation
// method of an Amazon issued certificate from its validation options
// ("NONE" for imported and private ones), DNS validation records in
// domain_validation_options and email addresses in validation_emails.
func certificateAttrs(cd *types.CertificateDetail) map[string]any {
	domain := sv(cd.DomainName)
	sans := []any{}
	for _, n := range cd.SubjectAlternativeNames {
		if n != domain {
			sans = append(sans, n)
		}
	}
	method := "NONE"
	dvos, emails := []any{}, []any{}
	for _, o := range cd.DomainValidationOptions {
		if cd.Type == types.CertificateTypeAmazonIssued && method == "NONE" && o.ValidationMethod != "" {
			method = string(o.ValidationMethod)
		}
		if rr := o.ResourceRecord; rr != nil {
			dvos = append(dvos, map[string]any{"domain_name": sv(o.DomainName), "resource_record_name": sv(rr.Name),
				"resource_record_type": string(rr.Type), "resource_record_value": sv(rr.Value)})
		}
		emails = append(emails, anyStrings(o.ValidationEmails)...)
	}
	opts := []any{}
	if o := cd.Options; o != nil {
		opts = append(opts, map[string]any{
			"certificate_transparency_logging_preference": string(o.CertificateTransparencyLoggingPreference),
			"export": string(o.Export)})
	}
	return map[string]any{"arn": sv(cd.CertificateArn), "domain_name": domain, "subject_alternative_names": sans,
		"validation_method": method, "key_algorithm": string(cd.KeyAlgorithm), "status": string(cd.Status),
		"type": string(cd.Type), "certificate_authority_arn": sv(cd.CertificateAuthorityArn),
		"not_before": rfc3339(cd.NotBefore), "not_after": rfc3339(cd.NotAfter),
		"renewal_eligibility": string(cd.RenewalEligibility), "options": opts,
		"domain_validation_options": dvos, "validation_emails": emails}
}
