package tfconfig

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// providerConfig is what a provider block gives the resources that use
// it: their region and the tags (aws default_tags) or labels (google
// default_labels) Terraform adds to each of them.
type providerConfig struct {
	region string
	// defaults are the default tags or labels: NilVal when the block sets
	// none, unknown when the configuration alone does not decide them.
	defaults cty.Value
	// defaultsPos are where the defaults are set: "" for the attribute,
	// then one entry per key.
	defaultsPos Positions
}

// providerConfigs maps provider references (aws, aws.west) to their
// configuration: the caller's, then m's own provider blocks, which
// replace an inherited one of the same reference.
func (m *module) providerConfigs() map[string]*providerConfig {
	out := map[string]*providerConfig{}
	for k, v := range m.inherited {
		out[k] = v
	}
	ctx := m.evalContext(nil)
	for _, blk := range m.providers {
		name := blk.Labels[0]
		ref := name
		if a := blk.Body.Attributes["alias"]; a != nil {
			if v := evalExpr(a.Expr, ctx); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
				ref += "." + v.AsString()
			}
		}
		pc := &providerConfig{}
		for _, attr := range []string{"region", "location"} {
			if a := blk.Body.Attributes[attr]; a != nil {
				if v := evalExpr(a.Expr, ctx); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
					pc.region = v.AsString()
				}
			}
		}
		switch name {
		case "aws":
			for _, b := range blk.Body.Blocks {
				if b.Type == "default_tags" {
					if a := b.Body.Attributes["tags"]; a != nil {
						pc.setDefaults(a, ctx)
					}
				}
			}
		case "google", "google-beta":
			if a := blk.Body.Attributes["default_labels"]; a != nil {
				pc.setDefaults(a, ctx)
			}
		}
		out[ref] = pc
	}
	return out
}

func (pc *providerConfig) setDefaults(a *hclsyntax.Attribute, ctx *hcl.EvalContext) {
	pc.defaults = evalExpr(a.Expr, ctx)
	pc.defaultsPos = Positions{"": posOf(a.SrcRange.Start, a.SrcRange.Filename)}
	exprPositions(a.Expr, "", pc.defaultsPos)
}

// passProviders are the provider configurations a module call gives its
// module: those its providers argument maps ({ aws = aws.west }), or
// else, as Terraform does, the caller's default (unaliased) ones.
func passProviders(blk *hclsyntax.Block, caller map[string]*providerConfig) map[string]*providerConfig {
	out := map[string]*providerConfig{}
	a := blk.Body.Attributes["providers"]
	if a == nil {
		for ref, pc := range caller {
			if !strings.Contains(ref, ".") {
				out[ref] = pc
			}
		}
		return out
	}
	pairs, diags := hcl.ExprMap(a.Expr)
	if diags.HasErrors() {
		return out
	}
	for _, p := range pairs {
		child, ok1 := traversalRef(p.Key)
		parent, ok2 := traversalRef(p.Value)
		if ok1 && ok2 && caller[parent] != nil {
			out[child] = caller[parent]
		}
	}
	return out
}

// providerRef names the provider configuration a resource uses: its
// provider meta-argument (aws.west) or its type's default.
func providerRef(blk *hclsyntax.Block, def string) string {
	a := blk.Body.Attributes["provider"]
	if a == nil {
		return def
	}
	if ref, ok := traversalRef(a.Expr); ok {
		return ref
	}
	return def
}

// traversalRef reads a provider reference, aws or aws.west.
func traversalRef(e hcl.Expression) (string, bool) {
	trav, diags := hcl.AbsTraversalForExpr(e)
	if diags.HasErrors() {
		return "", false
	}
	var parts []string
	for _, s := range trav {
		switch t := s.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, t.Name)
		case hcl.TraverseAttr:
			parts = append(parts, t.Name)
		}
	}
	return strings.Join(parts, "."), len(parts) > 0
}
