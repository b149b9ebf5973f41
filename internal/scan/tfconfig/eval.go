package tfconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
)

// SourceConfig marks resources read from configuration, not state or the
// cloud: their IDs are placeholders and their Origin is file:line.
const SourceConfig = scan.SourceConfig

// metaArgs are Terraform's meta-arguments: they configure Terraform, not
// the resource, and never reach state.
var metaArgs = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true,
	"lifecycle": true, "provisioner": true, "connection": true}

// identityAttrs are attributes a reference may read before apply: the
// object's identity. Unset, they resolve to a placeholder derived from
// the address, so a child that names its parent by id, arn or name still
// joins it. Any other unset attribute is unknown.
var identityAttrs = []string{"id", "arn", "name", "bucket", "self_link", "key_id", "unique_id", "email"}

// idAttrs names, per type, the attribute the provider uses as the id,
// so such a resource gets its real id when the attribute is known.
var idAttrs = map[string]string{"aws_s3_bucket": "bucket", "aws_iam_role": "name", "aws_iam_user": "name",
	"aws_iam_group": "name", "google_storage_bucket": "name"}

// passes bounds the rounds of resource evaluation: each round resolves
// one more link of a reference chain.
const passes = 4

type instance struct {
	blk   *hclsyntax.Block
	addr  string    // aws_s3_bucket.logs["a"]
	name  string    // logs["a"]: the placeholder id
	key   cty.Value // count.index or each.key; NilVal when single
	value cty.Value // each.value
	attrs map[string]cty.Value
}

// evalResources expands count and for_each, then evaluates every
// instance's body in rounds, each round seeing the previous one's values.
// The resources, where their attributes are set, and the blocks whose
// instances are not known go to cfg.
func (m *module) evalResources(cfg *Config) {
	var insts []*instance
	ctx0 := m.evalContext(nil)
	for _, blk := range m.resources {
		keys, reason := expandKeys(blk, ctx0)
		if reason != "" {
			cfg.Skipped = append(cfg.Skipped, Skip{Address: m.prefix + blk.Labels[0] + "." + blk.Labels[1], Origin: origin(blk), Reason: reason})
			continue
		}
		for _, k := range keys {
			insts = append(insts, &instance{blk: blk, addr: m.prefix + blk.Labels[0] + "." + blk.Labels[1] + k.suffix,
				name: m.prefix + blk.Labels[1] + k.suffix, key: k.key, value: k.value})
		}
	}
	res := map[string]map[string]cty.Value{}
	for round := 0; round < passes; round++ {
		for _, in := range insts {
			ctx := instanceKey{key: in.key, value: in.value}.scope(m.evalContext(res))
			in.attrs = evalBody(in.blk.Body, ctx, true)
		}
		res = refObjects(insts)
	}
	m.res = res
	providers := m.providerConfigs()
	blockPos := map[*hclsyntax.Block]Positions{}
	for _, in := range insts {
		typ := in.blk.Labels[0]
		id := in.name
		if v, ok := in.attrs[idAttrs[typ]]; ok && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			id = v.AsString()
		}
		r := resource.Resource{Provider: resource.ProviderFromType(typ), Type: typ, ID: id, Address: in.addr,
			Source: SourceConfig, Origin: origin(in.blk), Attrs: map[string]any{}}
		for name, v := range in.attrs {
			if g, ok := toGo(v); ok {
				r.Attrs[name] = g
			}
		}
		// State always carries the id attribute; checks join on it.
		r.Attrs["id"] = id
		pc := providers[providerRef(in.blk, r.Provider)]
		if pc != nil {
			r.Region = pc.region
		}
		if s, ok := r.Attrs["region"].(string); ok {
			r.Region = s
		} else if s, ok := r.Attrs["location"].(string); ok {
			r.Region = s
		}
		bp := blockPos[in.blk]
		if bp == nil {
			bp = Positions{}
			bodyPositions(in.blk.Body, "", bp, true)
			blockPos[in.blk] = bp
		}
		pos := make(Positions, len(bp))
		for p, at := range bp {
			pos[p] = at
		}
		providerTags(&r, in.attrs, pc, pos)
		cfg.Resources = append(cfg.Resources, r)
		cfg.Positions[r.Address] = pos
	}
}

// refObjects builds the objects references see: type -> name -> value,
// with identity placeholders for what is unset.
func refObjects(insts []*instance) map[string]map[string]cty.Value {
	type group struct {
		count   map[int64]cty.Value
		forEach map[string]cty.Value
		single  cty.Value
	}
	groups := map[[2]string]*group{}
	for _, in := range insts {
		k := [2]string{in.blk.Labels[0], in.blk.Labels[1]}
		g := groups[k]
		if g == nil {
			g = &group{count: map[int64]cty.Value{}, forEach: map[string]cty.Value{}}
			groups[k] = g
		}
		obj := map[string]cty.Value{}
		for n, v := range in.attrs {
			obj[n] = v
		}
		if v, ok := obj[idAttrs[in.blk.Labels[0]]]; ok && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			obj["id"] = v
		}
		for _, a := range identityAttrs {
			if v, ok := obj[a]; ok && v.IsKnown() && !v.IsNull() {
				continue
			}
			if a == "id" || a == "name" || a == "bucket" {
				obj[a] = cty.StringVal(in.name)
			} else {
				obj[a] = cty.StringVal("(known after apply: " + in.addr + "." + a + ")")
			}
		}
		v := cty.ObjectVal(obj)
		switch {
		case in.key == cty.NilVal:
			g.single = v
		case in.key.Type() == cty.Number:
			i, _ := in.key.AsBigFloat().Int64()
			g.count[i] = v
		default:
			g.forEach[in.key.AsString()] = v
		}
	}
	out := map[string]map[string]cty.Value{}
	for k, g := range groups {
		if out[k[0]] == nil {
			out[k[0]] = map[string]cty.Value{}
		}
		switch {
		case len(g.count) > 0:
			vals := make([]cty.Value, len(g.count))
			for i := range vals {
				vals[i] = g.count[int64(i)]
			}
			out[k[0]][k[1]] = cty.TupleVal(vals)
		case len(g.forEach) > 0:
			out[k[0]][k[1]] = cty.ObjectVal(g.forEach)
		default:
			out[k[0]][k[1]] = g.single
		}
	}
	return out
}

// evalBody evaluates a resource body: attributes by expression, nested
// blocks as lists of objects. A block type that has a dynamic block is
// left out entirely: its content is not known from configuration alone.
func evalBody(b *hclsyntax.Body, ctx *hcl.EvalContext, top bool) map[string]cty.Value {
	out := map[string]cty.Value{}
	for name, a := range b.Attributes {
		if top && metaArgs[name] {
			continue
		}
		out[name] = evalExpr(a.Expr, ctx)
	}
	dynamic := map[string]bool{}
	blocks := map[string][]cty.Value{}
	var order []string
	for _, blk := range b.Blocks {
		if top && metaArgs[blk.Type] {
			continue
		}
		if blk.Type == "dynamic" {
			if len(blk.Labels) == 1 {
				dynamic[blk.Labels[0]] = true
			}
			continue
		}
		if _, seen := blocks[blk.Type]; !seen {
			order = append(order, blk.Type)
		}
		blocks[blk.Type] = append(blocks[blk.Type], objectOf(evalBody(blk.Body, ctx, false)))
	}
	for _, t := range order {
		if !dynamic[t] {
			out[t] = cty.TupleVal(blocks[t])
		}
	}
	for t := range dynamic {
		delete(out, t)
	}
	return out
}

func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// toGo converts a value to the resource model's JSON shapes; ok is false
// when the value is unknown or null (left out, not judged). An unknown
// inside a list makes the list unknown: a partial list would read as
// complete. An unknown object field is left out of its object.
func toGo(v cty.Value) (any, bool) {
	if !v.IsKnown() || v.IsNull() {
		return nil, false
	}
	v, _ = v.Unmark()
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString(), true
	case t == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f, true
	case t == cty.Bool:
		return v.True(), true
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			g, ok := toGo(e)
			if !ok {
				if e.IsKnown() && e.IsNull() {
					continue
				}
				return nil, false
			}
			out = append(out, g)
		}
		return out, true
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if g, ok := toGo(e); ok {
				out[k.AsString()] = g
			}
		}
		return out, true
	}
	return nil, false
}

// functions are the pure Terraform functions evaluated here; a call to
// any other function (file, templatefile, timestamp, ...) is unknown.
var functions = map[string]function.Function{
	"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc, "coalesce": stdlib.CoalesceFunc,
	"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc,
	"contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc,
	"flatten": stdlib.FlattenFunc, "floor": stdlib.FloorFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
	"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,
	"keys": stdlib.KeysFunc, "length": stdlib.LengthFunc, "lookup": stdlib.LookupFunc, "lower": stdlib.LowerFunc,
	"max": stdlib.MaxFunc, "merge": stdlib.MergeFunc, "min": stdlib.MinFunc, "range": stdlib.RangeFunc,
	"replace": stdlib.ReplaceFunc, "reverse": stdlib.ReverseListFunc, "setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc,
	"sort": stdlib.SortFunc, "split": stdlib.SplitFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc,
	"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tostring": stdlib.MakeToFunc(cty.String),
	"tonumber": stdlib.MakeToFunc(cty.Number), "tobool": stdlib.MakeToFunc(cty.Bool),
	"trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimspace": stdlib.TrimSpaceFunc,
	"trimsuffix": stdlib.TrimSuffixFunc, "upper": stdlib.UpperFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
}
