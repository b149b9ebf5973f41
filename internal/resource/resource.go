// Package resource is DriftMgr's one model of an infrastructure resource.
//
// Terraform state, plans and live discovery are all mapped onto Resource, keyed
// the Terraform way (provider, type, id) and carrying attributes under
// Terraform's attribute names and shapes, so the drift engine compares like
// with like. The package does no I/O and imports no cloud SDK.
package resource

import (
	"fmt"
	"sort"
	"strings"
)

// Source says where a resource was seen.
type Source string

// The sources a resource can come from.
const (
	SourceState Source = "state"
	SourceLive  Source = "live"
)

// Resource is one infrastructure object.
//
// Attrs holds JSON-shaped values only: map[string]any, []any, string,
// float64, bool and nil, exactly as encoding/json decodes them. Every reader
// and lister must produce that shape so comparison never meets a Go type it
// does not know.
type Resource struct {
	// Provider is the short provider name: "aws", "azurerm", "google".
	Provider string `json:"provider"`
	// Type is the Terraform resource type, e.g. "aws_security_group".
	Type string `json:"type"`
	// ID is the Terraform id attribute of the resource.
	ID string `json:"id"`
	// Account is the cloud account, subscription or project, when known.
	Account string `json:"account,omitempty"`
	// Region is the cloud region or location, when known.
	Region string `json:"region,omitempty"`
	// Address is the Terraform address, e.g.
	// module.net.aws_security_group.web["a"]. State resources only.
	Address string `json:"address,omitempty"`
	// Attrs are the attributes under Terraform's names and shapes.
	Attrs map[string]any `json:"attributes"`
	// Tags are the resource's tags or labels, flattened for filtering.
	Tags map[string]string `json:"tags,omitempty"`
	// Source says whether this came from state or from the live cloud.
	Source Source `json:"source,omitempty"`
	// Origin names what the resource was read from: a state URL or a
	// discovery scope. It is for messages, never for matching.
	Origin string `json:"origin,omitempty"`
	// Sensitive lists attribute paths whose values are secret. They are
	// compared but never printed, logged or reported.
	Sensitive []Path `json:"-"`
}

// Key identifies a resource the Terraform way. Two resources with the same
// Key are the same object.
type Key struct {
	Provider string
	Type     string
	ID       string
}

// String renders the key as provider:type.id for messages.
func (k Key) String() string { return k.Provider + ":" + k.Type + "." + k.ID }

// Key returns the resource's identity.
func (r *Resource) Key() Key { return Key{Provider: r.Provider, Type: r.Type, ID: r.ID} }

// String renders the resource as type.id, the form .driftignore uses.
func (r *Resource) String() string { return r.Type + "." + r.ID }

// Validate reports the first missing identity field.
func (r *Resource) Validate() error {
	switch {
	case r.Type == "":
		return fmt.Errorf("resource %q: type is empty", r.ID)
	case r.ID == "":
		return fmt.Errorf("resource %s: id is empty", r.Type)
	case r.Provider == "":
		return fmt.Errorf("resource %s.%s: provider is empty", r.Type, r.ID)
	}
	return nil
}

// ProviderFromType derives the short provider name from a Terraform type:
// "aws_instance" -> "aws", "azurerm_subnet" -> "azurerm".
func ProviderFromType(typ string) string {
	if i := strings.IndexByte(typ, '_'); i > 0 {
		return typ[:i]
	}
	return typ
}

// SortedKeys returns a map's keys in order, for deterministic walks.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
