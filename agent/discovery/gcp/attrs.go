package gcp

import (
	"sort"
	"strings"
)

// last returns the last segment of a self link or resource name:
// .../zones/us-central1-a -> us-central1-a.
func last(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

// zoneRegion drops the zone letter of a zone: us-central1-a -> us-central1.
// Regions and multi-regions are returned as they are.
func zoneRegion(z string) string {
	if i := strings.LastIndexByte(z, '-'); i > 0 && len(z)-i == 2 && z[i+1] >= 'a' && z[i+1] <= 'z' {
		return z[:i]
	}
	return z
}

// strs turns a string slice into a JSON-shaped list (never nil, as
// Terraform state holds [] for an empty list).
func strs(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

// sortedStrs is strs for attributes Terraform keeps as sets.
func sortedStrs(in []string) []any {
	cp := append([]string(nil), in...)
	sort.Strings(cp)
	return strs(cp)
}

// labels turns API labels into a JSON-shaped map (never nil).
func labels(in map[string]string) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// tags copies labels for resource.Resource.Tags (nil when empty).
func tags(in map[string]string) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// list wraps nested blocks as Terraform does: a block is a list of
// objects, empty when absent.
func list(blocks ...map[string]any) []any {
	out := make([]any, 0, len(blocks))
	for _, b := range blocks {
		if b != nil {
			out = append(out, b)
		}
	}
	return out
}
