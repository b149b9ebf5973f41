package tfstate

import (
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// enrich derives Tags, Account and Region from the attributes, where the
// provider's conventions allow it, so that filters and reports can group
// state resources the way they group live ones.
func enrich(r *resource.Resource) {
	switch r.Provider {
	case "aws":
		// tags_all holds the provider's default_tags too: what the cloud
		// shows, so state is judged like live resources and --tf config.
		r.Tags = firstMap(r.Attrs, "tags_all", "tags")
		r.Account, r.Region = awsARN(r.Attrs["arn"])
		if r.Region == "" {
			// AWS provider v6 records the region on every resource, also
			// those whose ARN has none (S3 buckets).
			r.Region, _ = r.Attrs["region"].(string)
		}
	case "azurerm":
		r.Tags = stringMap(r.Attrs["tags"])
		r.Account = azureSubscription(r.ID)
		if loc, ok := r.Attrs["location"].(string); ok {
			r.Region = azureLocation(loc)
		}
	case "google":
		r.Tags = firstMap(r.Attrs, "effective_labels", "labels")
		r.Account, _ = r.Attrs["project"].(string)
		r.Region = googleRegion(r.Attrs)
	default:
		r.Tags = stringMap(r.Attrs["tags"])
	}
}

// firstMap is the first of keys that holds a map of strings.
func firstMap(attrs map[string]any, keys ...string) map[string]string {
	for _, k := range keys {
		if m := stringMap(attrs[k]); m != nil {
			return m
		}
	}
	return nil
}

// stringMap returns v as a map of strings, or nil when v is not a
// non-empty map whose values are all strings (aws tags can hold a
// computed null during a partial apply; such a map is not flattened
// rather than half-flattened).
func stringMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, ok := e.(string)
		if !ok {
			return nil
		}
		out[k] = s
	}
	return out
}

// awsARN returns the account and region of an ARN,
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. Global services (IAM,
// S3) leave region or account empty, and so does this.
func awsARN(v any) (account, region string) {
	arn, ok := v.(string)
	if !ok || !strings.HasPrefix(arn, "arn:") {
		return "", ""
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "", ""
	}
	return parts[4], parts[3]
}

// azureSubscription returns SUB from an Azure resource id,
// /subscriptions/SUB/resourceGroups/... (the segment name is matched
// case-insensitively, as ARM does).
func azureSubscription(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "subscriptions") {
			return parts[i+1]
		}
	}
	return ""
}

// azureLocation normalizes a location the way ARM does ("West Europe" and
// "westeurope" are the same region), so state and live regions compare
// equal.
func azureLocation(loc string) string {
	return strings.ToLower(strings.ReplaceAll(loc, " ", ""))
}

// googleRegion reads region, else zone, else location, turning a zone
// (us-central1-a) into its region (us-central1).
func googleRegion(attrs map[string]any) string {
	if r, ok := attrs["region"].(string); ok && r != "" {
		return r
	}
	if z, ok := attrs["zone"].(string); ok && z != "" {
		return zoneRegion(z)
	}
	if l, ok := attrs["location"].(string); ok && l != "" {
		return zoneRegion(strings.ToLower(l))
	}
	return ""
}

// zoneRegion drops the zone suffix of a GCP zone: us-central1-a ->
// us-central1. Anything that is not REGION-LETTER is returned as is
// (multi-regions like "us", regions like "europe-west1").
func zoneRegion(z string) string {
	i := strings.LastIndexByte(z, '-')
	if i > 0 && len(z)-i == 2 && z[i+1] >= 'a' && z[i+1] <= 'z' {
		return z[:i]
	}
	return z
}
