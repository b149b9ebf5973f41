package tfstate

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Format 4 (Terraform 0.12 to 1.x) keeps a flat list of resources, each
// with its module address, provider configuration address and instances:
//
//	{"version": 4, "resources": [{"module": "module.net", "mode": "managed",
//	  "type": "aws_subnet", "name": "private",
//	  "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
//	  "instances": [{"index_key": 0, "attributes": {...},
//	                 "sensitive_attributes": [[{"type": "get_attr", "value": "x"}]]}]}]}

// v4Resource holds one element of "resources". Fields stay raw so that a
// wrong shape is reported with its path instead of a Go type name.
type v4Resource struct {
	Module    json.RawMessage `json:"module"`
	Mode      json.RawMessage `json:"mode"`
	Type      json.RawMessage `json:"type"`
	Name      json.RawMessage `json:"name"`
	Provider  json.RawMessage `json:"provider"`
	Instances json.RawMessage `json:"instances"`
}

// v4ResourceTyped is v4Resource with the instances decoded in the same
// pass: the fast path for well-formed states.
type v4ResourceTyped struct {
	Module    json.RawMessage `json:"module"`
	Mode      json.RawMessage `json:"mode"`
	Type      json.RawMessage `json:"type"`
	Name      json.RawMessage `json:"name"`
	Provider  json.RawMessage `json:"provider"`
	Instances []*v4Instance   `json:"instances"`
}

// v4Instance holds one element of a resource's "instances".
type v4Instance struct {
	IndexKey            json.RawMessage `json:"index_key"`
	Attributes          json.RawMessage `json:"attributes"`
	AttributesFlat      json.RawMessage `json:"attributes_flat"`
	SensitiveAttributes json.RawMessage `json:"sensitive_attributes"`
}

// decodeV4Resources streams the "resources" array: each element is read
// and converted before the next one is read.
func (d *decoder) decodeV4Resources() error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.readErr("resources", err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return d.fail(ErrMalformed, "resources", "expected an array, got %s", tokenKind(tok))
	}
	for i := 0; d.dec.More(); i++ {
		path := fmt.Sprintf("resources[%d]", i)
		raw, err := d.readRaw(path)
		if err != nil {
			return err
		}
		if err := d.v4Resource(path, raw); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil { // the closing ']'
		return d.readErr("resources", err)
	}
	return nil
}

// v4Resource converts one resource and appends its managed instances.
func (d *decoder) v4Resource(path string, raw json.RawMessage) error {
	rs, instances, err := d.v4Shape(path, raw)
	if err != nil {
		return err
	}
	mode, err := d.str(path+".mode", rs.Mode)
	if err != nil {
		return err
	}
	switch mode {
	case "data":
		// Data sources read infrastructure, they do not manage it.
		return nil
	case "managed":
	default:
		return d.fail(ErrMalformed, path+".mode", `expected "managed" or "data", got %q`, clip(mode))
	}
	typ, err := d.str(path+".type", rs.Type)
	if err != nil {
		return err
	}
	name, err := d.str(path+".name", rs.Name)
	if err != nil {
		return err
	}
	if typ == "" || name == "" {
		return d.fail(ErrMalformed, path, "type and name are required")
	}
	module, err := d.str(path+".module", rs.Module)
	if err != nil {
		return err
	}
	providerAddr, err := d.str(path+".provider", rs.Provider)
	if err != nil {
		return err
	}
	provider, err := providerName(providerAddr, typ)
	if err != nil {
		return d.fail(ErrMalformed, path+".provider", "%v", err)
	}
	base := resourceAddress(module, typ, name)
	for j := range instances {
		ipath := fmt.Sprintf("%s.instances[%d]", path, j)
		if err := d.countInstance(ipath); err != nil {
			return err
		}
		if err := d.v4Instance(ipath, instances[j], base, provider, typ); err != nil {
			return err
		}
	}
	return nil
}

// v4Shape splits a resource into its fields and instances. Decoding into
// typed instances is one pass over the JSON; only when that fails is the
// resource walked level by level, to name the offending path in the error.
func (d *decoder) v4Shape(path string, raw json.RawMessage) (v4ResourceTyped, []*v4Instance, error) {
	var typed v4ResourceTyped
	if raw[0] == '{' && json.Unmarshal(raw, &typed) == nil && !slices.Contains(typed.Instances, nil) {
		return typed, typed.Instances, nil
	}
	var rs v4Resource
	if err := d.object(path, raw, &rs); err != nil {
		return typed, nil, err
	}
	raws, err := d.array(path+".instances", rs.Instances)
	if err != nil {
		return typed, nil, err
	}
	instances := make([]*v4Instance, len(raws))
	for j, iraw := range raws {
		instances[j] = new(v4Instance)
		if err := d.object(fmt.Sprintf("%s.instances[%d]", path, j), iraw, instances[j]); err != nil {
			return typed, nil, err
		}
	}
	typed = v4ResourceTyped{Module: rs.Module, Mode: rs.Mode, Type: rs.Type, Name: rs.Name, Provider: rs.Provider}
	return typed, instances, nil
}

// v4Instance converts one instance. Deposed objects (left behind by
// create_before_destroy) are kept: they exist in the cloud and Terraform
// still manages them, so reporting them as unmanaged would be wrong.
func (d *decoder) v4Instance(path string, in *v4Instance, base, provider, typ string) error {
	key, err := indexKey(in.IndexKey)
	if err != nil {
		return d.fail(ErrMalformed, path+".index_key", "%v", err)
	}
	addr := base + key
	var attrs map[string]any
	switch {
	case len(in.Attributes) > 0 && in.Attributes[0] != 'n':
		if in.Attributes[0] != '{' {
			return d.fail(ErrMalformed, path+".attributes", "expected an object, got %s", jsonKind(in.Attributes))
		}
		v, err := d.value(path+".attributes", in.Attributes)
		if err != nil {
			return err
		}
		attrs = v.(map[string]any)
	case len(in.AttributesFlat) > 0 && in.AttributesFlat[0] != 'n':
		// States upgraded from 0.11 keep the flatmap form until the
		// provider next refreshes the instance.
		if attrs, err = d.flatAttributes(path+".attributes_flat", in.AttributesFlat); err != nil {
			return err
		}
	default:
		attrs = map[string]any{}
	}
	sensitive, err := d.sensitivePaths(path+".sensitive_attributes", in.SensitiveAttributes)
	if err != nil {
		return err
	}
	return d.emit(path, resource.Resource{
		Provider:  provider,
		Type:      typ,
		Address:   addr,
		Attrs:     attrs,
		Sensitive: sensitive,
	})
}

// emit fills the fields every format derives the same way and appends the
// resource, or records it as skipped when it has no id.
func (d *decoder) emit(path string, r resource.Resource) error {
	id, ok, err := idOf(r.Attrs["id"])
	if err != nil {
		return d.fail(ErrMalformed, path+".attributes.id", "%v", err)
	}
	if !ok {
		d.st.Skipped = append(d.st.Skipped, r.Address)
		return nil
	}
	if r.ID == "" {
		r.ID = id
	}
	r.Source = resource.SourceState
	r.Origin = d.st.Source
	enrich(&r)
	d.st.Resources = append(d.st.Resources, r)
	return nil
}

// sensitivePaths converts Terraform's cty path encoding into resource
// paths: [[{"type":"get_attr","value":"ingress"},
// {"type":"index","value":{"value":0,"type":"number"}}]] becomes
// "ingress[0]", and a string index becomes a map key: tags["x.y"].
func (d *decoder) sensitivePaths(path string, raw json.RawMessage) ([]resource.Path, error) {
	if len(raw) == 0 || raw[0] == 'n' {
		return nil, nil
	}
	if le := checkRaw(raw, d.lim); le != nil {
		return nil, d.limit(path, le)
	}
	type step struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	var steps [][]step
	if raw[0] != '[' || json.Unmarshal(raw, &steps) != nil {
		return nil, d.fail(ErrMalformed, path, "expected a list of paths, each a list of {type, value} steps")
	}
	out := make([]resource.Path, 0, len(steps))
	for i, ss := range steps {
		var p resource.Path
		for j, s := range ss {
			var err error
			if p, err = appendStep(p, s.Type, s.Value); err != nil {
				return nil, d.fail(ErrMalformed, fmt.Sprintf("%s[%d][%d]", path, i, j), "%v", err)
			}
		}
		if p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// appendStep appends one cty path step to p.
func appendStep(p resource.Path, typ string, raw json.RawMessage) (resource.Path, error) {
	if typ == "get_attr" {
		// The common step; skip the generic decode for plain names.
		if s, ok := plainString(raw); ok {
			return p.Field(s), nil
		}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return p, fmt.Errorf("step %q has no value", clip(typ))
	}
	switch typ {
	case "get_attr":
		name, ok := v.(string)
		if !ok {
			return p, fmt.Errorf("get_attr step: expected a string value, got %T", v)
		}
		return p.Field(name), nil
	case "index":
		// cty wraps the key with its type; accept the bare key too.
		if m, ok := v.(map[string]any); ok {
			v = m["value"]
		}
		switch k := v.(type) {
		case string:
			return p.Field(k), nil
		case float64:
			if k < 0 || k != float64(int(k)) {
				return p, fmt.Errorf("index step: %v is not a list index", k)
			}
			return p.Index(int(k)), nil
		}
		return p, fmt.Errorf("index step: expected a number or string key, got %T", v)
	}
	return p, fmt.Errorf("unknown step type %q (expected get_attr or index)", clip(typ))
}

// decodeV4Outputs reads {"name": {"value": V, "type": T, "sensitive": B}}.
// Format 3 module outputs share the shape and this function.
func (d *decoder) decodeV4Outputs(raw json.RawMessage) error {
	return d.outputs("outputs", "", raw)
}

func (d *decoder) outputs(path, prefix string, raw json.RawMessage) error {
	if raw[0] == 'n' {
		return nil
	}
	var byName map[string]json.RawMessage
	if err := d.object(path, raw, &byName); err != nil {
		return err
	}
	if d.st.Outputs == nil {
		d.st.Outputs = make(map[string]Output, len(byName))
	}
	for _, name := range resource.SortedKeys(byName) {
		opath := path + "." + name
		var o struct {
			Value     json.RawMessage `json:"value"`
			Sensitive json.RawMessage `json:"sensitive"`
		}
		if err := d.object(opath, byName[name], &o); err != nil {
			return err
		}
		var out Output
		if len(o.Value) > 0 {
			v, err := d.value(opath+".value", o.Value)
			if err != nil {
				return err
			}
			out.Value = v
		}
		switch string(o.Sensitive) {
		case "", "null", "false":
		case "true":
			out.Sensitive = true
		default:
			return d.fail(ErrMalformed, opath+".sensitive", "expected a boolean, got %s", jsonKind(o.Sensitive))
		}
		d.st.Outputs[prefix+name] = out
	}
	return nil
}
