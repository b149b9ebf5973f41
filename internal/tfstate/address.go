package tfstate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// providerName returns the short provider name (aws, azurerm, google) from
// a provider configuration address in any of the forms states carry:
//
//	provider.aws                                        0.11 to 0.12
//	provider.aws.west                                   legacy, alias west
//	provider["registry.terraform.io/hashicorp/aws"]     0.13 and later
//	provider["registry.terraform.io/hashicorp/aws"].west
//	module.net.provider["..."]                          configured in a module
//
// An empty address (common in 0.11 states) falls back to the resource type's
// prefix. The alias is dropped: discovery keys resources by provider type,
// not by the configuration that created them.
func providerName(addr, typ string) (string, error) {
	if addr == "" {
		return resource.ProviderFromType(typ), nil
	}
	rest := addr
	// Strip module.NAME and module.NAME["key"] / module.NAME[0] steps.
	for strings.HasPrefix(rest, "module.") {
		rest = rest[len("module."):]
		i := strings.IndexAny(rest, ".[")
		if i <= 0 {
			return "", fmt.Errorf("malformed provider address %q", clip(addr))
		}
		rest = rest[i:]
		if rest[0] == '[' {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return "", fmt.Errorf("malformed provider address %q", clip(addr))
			}
			rest = rest[end+1:]
		}
		if !strings.HasPrefix(rest, ".") {
			return "", fmt.Errorf("malformed provider address %q", clip(addr))
		}
		rest = rest[1:]
	}
	var name string
	switch {
	case strings.HasPrefix(rest, `provider["`):
		// provider["HOST/NAMESPACE/TYPE"] with an optional .alias.
		src := rest[len(`provider["`):]
		end := strings.Index(src, `"]`)
		if end < 0 || (len(src) > end+2 && src[end+2] != '.') {
			return "", fmt.Errorf("malformed provider address %q", clip(addr))
		}
		src = src[:end]
		name = src[strings.LastIndexByte(src, '/')+1:]
	case strings.HasPrefix(rest, "provider."):
		name, _, _ = strings.Cut(rest[len("provider."):], ".")
	default:
		return "", fmt.Errorf(`malformed provider address %q, expected provider.NAME or provider["SOURCE"]`, clip(addr))
	}
	if name == "" {
		return "", fmt.Errorf("malformed provider address %q: no provider type", clip(addr))
	}
	return shortProvider(name), nil
}

// shortProvider maps provider type names to the name live discovery uses.
// google-beta manages the same objects as google; keying them apart would
// report every beta-managed resource as both missing and unmanaged.
func shortProvider(name string) string {
	if name == "google-beta" {
		return "google"
	}
	return name
}

// resourceAddress builds the Terraform address of a resource, without the
// instance key: module.net.module.sg.aws_security_group.web.
func resourceAddress(module, typ, name string) string {
	if module == "" {
		return typ + "." + name
	}
	return module + "." + typ + "." + name
}

// indexKey renders a format 4 index_key as an address suffix: a count
// index 0 becomes "[0]", a for_each key "a" becomes `["a"]`, and no key
// (absent or null) becomes "".
func indexKey(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || raw[0] == 'n' {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return "[" + strconv.Quote(s) + "]", nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		n, err := strconv.Atoi(string(raw))
		if err != nil || n < 0 {
			return "", fmt.Errorf("expected a count index (non-negative integer), got %s", clip(string(raw)))
		}
		return "[" + strconv.Itoa(n) + "]", nil
	}
	return "", fmt.Errorf("expected a number or a string, got %s", jsonKind(raw))
}

// idOf reads the id attribute. ok is false when the instance has no usable
// id (missing, null or empty): it cannot be matched with a live resource.
// Terraform ids are strings; a number is tolerated and formatted, because
// hand-edited and third-party states do contain them.
func idOf(v any) (id string, ok bool, err error) {
	switch t := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return t, t != "", nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true, nil
	}
	return "", false, fmt.Errorf("expected a string, got %T", v)
}

// modulePath turns a format 3 module path ["root", "net", "sg"] into a
// module address: module.net.module.sg.
func modulePath(path []string) (string, error) {
	if len(path) == 0 {
		return "", nil
	}
	if path[0] != "root" {
		return "", fmt.Errorf(`expected the path to start with "root", got %q`, clip(path[0]))
	}
	var b strings.Builder
	for i, step := range path[1:] {
		if step == "" {
			return "", fmt.Errorf("empty module name at step %d", i+1)
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module.")
		b.WriteString(step)
	}
	return b.String(), nil
}
