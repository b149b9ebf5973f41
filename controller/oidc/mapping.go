package oidc

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// rolesFor returns, per tenant, the highest role the groups earn.
// claimTenant is the tenant the provider named (Config.TenantClaim), or
// empty; with it set only that tenant counts and AnyTenant mappings apply
// to it.
func rolesFor(ms []Mapping, groups []string, claimTenant string) map[string]string {
	roles := map[string]string{}
	for _, m := range ms {
		if !slices.Contains(groups, m.Group) {
			continue
		}
		tenant := m.Tenant
		if tenant == AnyTenant {
			if claimTenant == "" {
				continue
			}
			tenant = claimTenant
		}
		if claimTenant != "" && tenant != claimTenant {
			continue
		}
		if roleRank(m.Role) > roleRank(roles[tenant]) {
			roles[tenant] = m.Role
		}
	}
	return roles
}

// chooseTenant picks the session's tenant among those the user has a role
// in: the one asked for at login, else the only one.
func chooseTenant(roles map[string]string, asked string, groups []string) (tenant, role string, err error) {
	tenants := make([]string, 0, len(roles))
	for t := range roles {
		tenants = append(tenants, t)
	}
	sort.Strings(tenants)
	switch {
	case len(tenants) == 0:
		return "", "", &failure{status: http.StatusForbidden, code: "no_role", err: ErrNoRole,
			msg: fmt.Sprintf("You signed in, but none of your groups (%s) is mapped to a DriftMgr role. "+
				"Ask an administrator to map one of them to a role in your tenant.", listOrNone(groups))}
	case asked != "":
		if r, ok := roles[asked]; ok {
			return asked, r, nil
		}
		return "", "", &failure{status: http.StatusForbidden, code: "no_role", err: ErrNoRole,
			msg: fmt.Sprintf("Your groups give you no role in tenant %q; they do in: %s.", asked, strings.Join(tenants, ", "))}
	case len(tenants) > 1:
		return "", "", &failure{status: http.StatusConflict, code: "choose_tenant",
			msg: fmt.Sprintf("Your groups give you a role in several tenants (%s): sign in again with %s?tenant=<one of them>.",
				strings.Join(tenants, ", "), LoginPath)}
	}
	return tenants[0], roles[tenants[0]], nil
}

func listOrNone(groups []string) string {
	if len(groups) == 0 {
		return "the provider sent no groups"
	}
	return strings.Join(groups, ", ")
}

// claim finds a claim by its whole name or, failing that, by a dotted path
// into nested objects ("realm_access.roles").
func claim(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	if !strings.Contains(name, ".") {
		return nil, false
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// stringsClaim reads a claim that is a list of strings or a single string.
func stringsClaim(claims map[string]any, name string) []string {
	v, ok := claim(claims, name)
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// stringClaim reads a string claim.
func stringClaim(claims map[string]any, name string) string {
	v, _ := claim(claims, name)
	s, _ := v.(string)
	return s
}
