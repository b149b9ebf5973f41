package tfconfig

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
)

// Pos is a line of a configuration file.
type Pos struct {
	File string
	Line int
}

// String reads FILE:LINE.
func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

func posOf(p hcl.Pos, file string) Pos { return Pos{File: file, Line: p.Line} }

// Positions maps the attribute paths of one resource, in the form
// evidence names them (ingress[0].cidr_blocks, tags.Env,
// policy.Statement[0].Action), to where the configuration sets them. An
// attribute is at the line of its name, a nested block at the line of its
// type, an element of a list or object literal at its own line; inside
// jsonencode(...) the encoded document's paths are recorded the same way.
// A value the configuration leaves to the provider (a default) has none.
type Positions map[resource.Path]Pos

// Lookup returns where p is set or, when p lies inside a value that has
// no finer positions (a list from a variable, a decoded policy), where
// the nearest enclosing path is set.
func (ps Positions) Lookup(p resource.Path) (Pos, bool) {
	if pos, ok := ps[p]; ok {
		return pos, true
	}
	var best resource.Path
	found := false
	for q := range ps {
		if q != "" && p.HasPrefix(q) && (!found || len(q) > len(best)) {
			best, found = q, true
		}
	}
	return ps[best], found
}

// bodyPositions records where a resource body sets its attributes and
// nested blocks, indexed the way evalBody builds them. A block type that
// has a dynamic block gets a position for the type alone: which element
// is which is not known from the configuration.
func bodyPositions(b *hclsyntax.Body, prefix resource.Path, out Positions, top bool) {
	for name, a := range b.Attributes {
		if top && metaArgs[name] {
			continue
		}
		p := prefix.Field(name)
		out[p] = posOf(a.SrcRange.Start, a.SrcRange.Filename)
		exprPositions(a.Expr, p, out)
	}
	dynamic := map[string]bool{}
	for _, blk := range b.Blocks {
		if blk.Type == "dynamic" && len(blk.Labels) == 1 {
			dynamic[blk.Labels[0]] = true
		}
	}
	index := map[string]int{}
	for _, blk := range b.Blocks {
		typ := blk.Type
		if top && metaArgs[typ] {
			continue
		}
		if typ == "dynamic" {
			if len(blk.Labels) != 1 {
				continue
			}
			typ = blk.Labels[0]
		}
		p := prefix.Field(typ)
		pos := posOf(blk.TypeRange.Start, blk.TypeRange.Filename)
		if _, seen := out[p]; !seen {
			out[p] = pos
		}
		if dynamic[typ] {
			continue
		}
		ip := p.Index(index[typ])
		index[typ]++
		out[ip] = pos
		bodyPositions(blk.Body, ip, out, false)
	}
}

// exprPositions records the elements of list and object literals.
func exprPositions(e hclsyntax.Expression, p resource.Path, out Positions) {
	switch e := e.(type) {
	case *hclsyntax.ObjectConsExpr:
		for _, item := range e.Items {
			k := evalExpr(item.KeyExpr, nil)
			if !k.IsKnown() || k.IsNull() {
				continue
			}
			ks, err := convert.Convert(k, cty.String)
			if err != nil {
				continue
			}
			kp := p.Field(ks.AsString())
			r := item.KeyExpr.Range()
			out[kp] = posOf(r.Start, r.Filename)
			exprPositions(item.ValueExpr, kp, out)
		}
	case *hclsyntax.TupleConsExpr:
		for i, x := range e.Exprs {
			ip := p.Index(i)
			r := x.Range()
			out[ip] = posOf(r.Start, r.Filename)
			exprPositions(x, ip, out)
		}
	case *hclsyntax.FunctionCallExpr:
		if e.Name == "jsonencode" && len(e.Args) == 1 {
			exprPositions(e.Args[0], p, out)
		}
	case *hclsyntax.ParenthesesExpr:
		exprPositions(e.Expression, p, out)
	}
}

// Locate points each failing or muted result on one of c's resources at
// the line of the first attribute its evidence names that the
// configuration sets: the subject's own (ingress[0].cidr_blocks) or, when
// the evidence names a related resource (a security group's separate
// rule), that one's. A result whose evidence names none keeps the
// resource block's FILE:LINE (an attribute left to its default is set
// nowhere: the block is where to add it). Passing results and results on
// other resources are left alone.
//
// Origin is what every output prints as a configuration finding's
// location: the table, SARIF's physical location and region startLine,
// JSON's origin.
func (c *Config) Locate(rs []scan.Result) {
	byAddr := make(map[string]*resource.Resource, len(c.Resources))
	byRef := map[string][]string{}
	for i := range c.Resources {
		r := &c.Resources[i]
		byAddr[r.Address] = r
		byRef[r.Type+"."+r.ID] = append(byRef[r.Type+"."+r.ID], r.Address)
	}
	for i := range rs {
		res := &rs[i]
		subj := byAddr[res.Address]
		if res.Source != scan.SourceConfig || res.Status == scan.Pass || subj == nil || subj.Origin != res.Origin {
			continue
		}
		for _, ev := range res.Evidence {
			addr := res.Address
			if ev.Resource != "" {
				// A related resource by type.id; an id two resources share
				// (the same bucket name in two modules) names neither.
				if refs := byRef[ev.Resource]; len(refs) == 1 {
					addr = refs[0]
				} else {
					continue
				}
			}
			if p, ok := c.Positions[addr].Lookup(ev.Path); ok {
				res.Origin = p.String()
				break
			}
		}
	}
}
