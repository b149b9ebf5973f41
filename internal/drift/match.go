package drift

import (
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// identities give the match key of types whose Terraform id is not stable
// between state and cloud: Terraform invents ids for attachments
// ("role-20240101120000000000000001") that no API returns, so they are
// matched by what they join instead.
var identities = map[string]func(attrs map[string]any) string{
	"aws_iam_role_policy_attachment":  joinAttrs("role", "policy_arn"),
	"aws_iam_user_policy_attachment":  joinAttrs("user", "policy_arn"),
	"aws_iam_group_policy_attachment": joinAttrs("group", "policy_arn"),
	"aws_iam_user_group_membership":   joinAttrs("user"),
	"aws_lb_target_group_attachment":  joinAttrs("target_group_arn", "target_id", "port"),
	"aws_volume_attachment":           joinAttrs("device_name", "volume_id", "instance_id"),
}

func joinAttrs(names ...string) func(map[string]any) string {
	return func(attrs map[string]any) string {
		parts := make([]string, len(names))
		for i, n := range names {
			s, ok := attrs[n].(string)
			if !ok {
				if f, ok := asNumber(attrs[n]); ok {
					s = formatNumber(f)
				} else {
					return "" // cannot build the key: fall back to the id
				}
			}
			parts[i] = s
		}
		return strings.Join(parts, "|")
	}
}

// identity is the part of the match key that names the object within its
// provider and type.
func identity(r *resource.Resource) string {
	if f, ok := identities[r.Type]; ok {
		if k := f(r.Attrs); k != "" {
			return k
		}
	}
	if r.Provider == "azurerm" {
		// ARM ids are case-insensitive, and the API often returns a
		// resource group's name in another case than the config used.
		return strings.ToLower(r.ID)
	}
	return r.ID
}

// mkey is the hash-join key: provider, type and identity. A struct of
// strings hashes without building a concatenated string per resource.
type mkey struct{ provider, typ, id string }

func matchKey(r *resource.Resource) mkey {
	return mkey{provider: r.Provider, typ: r.Type, id: identity(r)}
}

// sameScope is the discriminant for ids that are unique only within an
// account or region (Lambda function names, DynamoDB tables, KMS aliases):
// two resources with one key are the same object unless both know their
// account (or region) and the values differ.
func sameScope(a, b *resource.Resource) bool {
	return compatible(a.Account, b.Account) && compatible(normRegion(a.Region), normRegion(b.Region))
}

func compatible(a, b string) bool { return a == "" || b == "" || a == b }

func normRegion(r string) string {
	if r == "global" {
		return ""
	}
	return r
}

// index is a hash index from match key to resources. Nearly every key has
// one resource; the few that do not (the same name in two regions) keep
// the rest in an overflow map so the common case costs one map entry.
type index struct {
	first    map[mkey]int32
	overflow map[mkey][]int32
}

func newIndex(n int) *index {
	return &index{first: make(map[mkey]int32, n)}
}

func (x *index) add(key mkey, i int) {
	if _, ok := x.first[key]; !ok {
		x.first[key] = int32(i)
		return
	}
	if x.overflow == nil {
		x.overflow = make(map[mkey][]int32)
	}
	x.overflow[key] = append(x.overflow[key], int32(i))
}

// lookup returns the first candidate for key that accept approves.
func (x *index) lookup(key mkey, accept func(i int) bool) (int, bool) {
	i, ok := x.first[key]
	if !ok {
		return 0, false
	}
	if accept(int(i)) {
		return int(i), true
	}
	for _, j := range x.overflow[key] {
		if accept(int(j)) {
			return int(j), true
		}
	}
	return 0, false
}
