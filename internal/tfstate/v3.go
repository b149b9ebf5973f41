package tfstate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// Format 3 (Terraform 0.11) nests resources under modules, keyed by
// address, with flatmap attributes:
//
//	{"version": 3, "modules": [{"path": ["root", "net"],
//	  "outputs": {"vpc_id": {"sensitive": false, "type": "string", "value": "vpc-1"}},
//	  "resources": {"aws_instance.web.0": {"type": "aws_instance",
//	    "provider": "provider.aws.west",
//	    "primary": {"id": "i-1", "attributes": {"id": "i-1", "tags.%": "1", ...}}}}}]}

type v3Module struct {
	Path      json.RawMessage `json:"path"`
	Outputs   json.RawMessage `json:"outputs"`
	Resources json.RawMessage `json:"resources"`
}

type v3Resource struct {
	Provider json.RawMessage `json:"provider"`
	Primary  json.RawMessage `json:"primary"`
}

type v3Primary struct {
	ID         json.RawMessage `json:"id"`
	Attributes json.RawMessage `json:"attributes"`
}

// v3Key is a parsed resources key: aws_instance.web or aws_instance.web.0.
type v3Key struct {
	raw   string
	data  bool
	typ   string
	name  string
	index int // -1 without count
}

// parseV3Key splits a format 3 resources key.
func parseV3Key(k string) (v3Key, error) {
	key := v3Key{raw: k, index: -1}
	rest := k
	if strings.HasPrefix(rest, "data.") {
		key.data = true
		rest = rest[len("data."):]
	}
	parts := strings.Split(rest, ".")
	switch {
	case len(parts) == 3:
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 0 {
			return key, fmt.Errorf("expected TYPE.NAME or TYPE.NAME.INDEX, got %q", clip(k))
		}
		key.index = n
	case len(parts) != 2:
		return key, fmt.Errorf("expected TYPE.NAME or TYPE.NAME.INDEX, got %q", clip(k))
	}
	key.typ, key.name = parts[0], parts[1]
	if key.typ == "" || key.name == "" {
		return key, fmt.Errorf("expected TYPE.NAME or TYPE.NAME.INDEX, got %q", clip(k))
	}
	return key, nil
}

// decodeV3Modules streams the "modules" array.
func (d *decoder) decodeV3Modules() error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.readErr("modules", err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return d.fail(ErrMalformed, "modules", "expected an array, got %s", tokenKind(tok))
	}
	for i := 0; d.dec.More(); i++ {
		path := fmt.Sprintf("modules[%d]", i)
		raw, err := d.readRaw(path)
		if err != nil {
			return err
		}
		if err := d.v3Module(path, raw); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return d.readErr("modules", err)
	}
	return nil
}

func (d *decoder) v3Module(path string, raw json.RawMessage) error {
	var m v3Module
	if err := d.object(path, raw, &m); err != nil {
		return err
	}
	var steps []string
	if len(m.Path) > 0 && json.Unmarshal(m.Path, &steps) != nil {
		return d.fail(ErrMalformed, path+".path", `expected an array of strings like ["root", "net"], got %s`, jsonKind(m.Path))
	}
	module, err := modulePath(steps)
	if err != nil {
		return d.fail(ErrMalformed, path+".path", "%v", err)
	}
	if len(m.Outputs) > 0 {
		prefix := ""
		if module != "" {
			prefix = module + "."
		}
		if err := d.outputs(path+".outputs", prefix, m.Outputs); err != nil {
			return err
		}
	}
	if len(m.Resources) == 0 || m.Resources[0] == 'n' {
		return nil
	}
	var byKey map[string]json.RawMessage
	if err := d.object(path+".resources", m.Resources, &byKey); err != nil {
		return err
	}
	keys := make([]v3Key, 0, len(byKey))
	for k := range byKey {
		key, err := parseV3Key(k)
		if err != nil {
			return d.fail(ErrMalformed, path+".resources", "%v", err)
		}
		keys = append(keys, key)
	}
	// A JSON object has no order; sort by address so count indexes come
	// out 0, 1, ..., 10 rather than 0, 1, 10, 2.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.typ != b.typ {
			return a.typ < b.typ
		}
		if a.name != b.name {
			return a.name < b.name
		}
		return a.index < b.index
	})
	for _, key := range keys {
		if key.data {
			continue
		}
		rpath := path + ".resources." + clip(key.raw)
		if err := d.countInstance(rpath); err != nil {
			return err
		}
		if err := d.v3Resource(rpath, module, key, byKey[key.raw]); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) v3Resource(path, module string, key v3Key, raw json.RawMessage) error {
	var rs v3Resource
	if err := d.object(path, raw, &rs); err != nil {
		return err
	}
	providerAddr, err := d.str(path+".provider", rs.Provider)
	if err != nil {
		return err
	}
	provider, err := providerName(providerAddr, key.typ)
	if err != nil {
		return d.fail(ErrMalformed, path+".provider", "%v", err)
	}
	addr := resourceAddress(module, key.typ, key.name)
	if key.index >= 0 {
		addr += "[" + strconv.Itoa(key.index) + "]"
	}
	if len(rs.Primary) == 0 || rs.Primary[0] == 'n' {
		// Only deposed objects, or a half-written state: nothing to match.
		d.st.Skipped = append(d.st.Skipped, addr)
		return nil
	}
	var primary v3Primary
	if err := d.object(path+".primary", rs.Primary, &primary); err != nil {
		return err
	}
	id, err := d.str(path+".primary.id", primary.ID)
	if err != nil {
		return err
	}
	attrs := map[string]any{}
	if len(primary.Attributes) > 0 && primary.Attributes[0] != 'n' {
		if attrs, err = d.flatAttributes(path+".primary.attributes", primary.Attributes); err != nil {
			return err
		}
	}
	if id != "" {
		// primary.id is authoritative in format 3; attributes.id
		// normally repeats it.
		attrs["id"] = id
	}
	return d.emit(path, resource.Resource{
		Provider: provider,
		Type:     key.typ,
		Address:  addr,
		Attrs:    attrs,
	})
}
