// Package tfconfig reads a Terraform configuration directory (*.tf) into
// the resource model, so the security checks judge a pull request the way
// they judge state and the live cloud.
//
// Each `resource "TYPE" "NAME"` block becomes a resource.Resource under
// Terraform's attribute names, nested blocks as lists of objects (the shape
// state holds). Expressions are evaluated as far as the configuration alone
// allows: literals, variables (defaults, terraform.tfvars, *.auto.tfvars,
// -var-file, -var), locals, a small set of pure functions (jsonencode, merge,
// format, ...) and references between resources. A reference to a
// resource's identity (id, arn, name, ...) resolves to a stable placeholder,
// so a child resource (a bucket's public access block) still joins its
// parent. Anything else known only after apply (data sources, module
// outputs, computed attributes) is left out: the checks do not judge what is
// absent, and nothing is guessed. Provider defaults that the checks read are
// filled in where the configuration leaves them unset (see defaults.go).
package tfconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// ErrConfig marks every configuration reading error.
var ErrConfig = errors.New("tfconfig")

// Options tune Load.
type Options struct {
	// Vars are -var NAME=VALUE assignments; they win over var files.
	Vars map[string]string
	// VarFiles are -var-file paths, read after the auto-loaded files.
	VarFiles []string
	// NoDefaults leaves provider defaults out (for tests of the parser).
	NoDefaults bool
}

// Load reads every *.tf file of dir, and of the local modules it calls,
// and returns their resources (the root's first, in address order of
// evaluation, then each module's).
func Load(dir string, opts Options) ([]resource.Resource, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, fmt.Errorf("%w: list %s: %v", ErrConfig, dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: %s has no *.tf files", ErrConfig, dir)
	}
	files := map[string][]byte{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", ErrConfig, n, err)
		}
		files[n] = data
	}
	varFiles := map[string][]byte{}
	var order []string
	auto, _ := filepath.Glob(filepath.Join(dir, "*.auto.tfvars"))
	sort.Strings(auto)
	if p := filepath.Join(dir, "terraform.tfvars"); fileExists(p) {
		order = append(order, p)
	}
	order = append(order, auto...)
	order = append(order, opts.VarFiles...)
	for _, n := range order {
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("%w: read var file %s: %v", ErrConfig, n, err)
		}
		varFiles[n] = data
	}
	m, out, err := parseModule(files, order, varFiles, opts, nil)
	if err != nil {
		return nil, err
	}
	mods, err := m.loadModules(dir, opts, 0)
	if err != nil {
		return nil, err
	}
	out = append(out, mods...)
	if !opts.NoDefaults {
		for i := range out {
			ApplyDefaults(&out[i])
		}
	}
	return out, nil
}

// maxModuleDepth bounds nested local module calls.
const maxModuleDepth = 8

// loadModules follows the module calls of m whose source is a local
// directory ("./net", "../shared"), without count or for_each: the child's
// variables take the call's arguments (evaluated in m's scope, unknown
// when they are), its resources are addressed module.NAME.TYPE.NAME, and
// provider regions are inherited. Registry and git sources are not
// fetched: their resources are not seen.
func (m *module) loadModules(dir string, opts Options, depth int) ([]resource.Resource, error) {
	if depth >= maxModuleDepth {
		return nil, nil
	}
	var out []resource.Resource
	for _, blk := range m.modules {
		src := ""
		if a := blk.Body.Attributes["source"]; a != nil {
			if v := evalExpr(a.Expr, nil); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
				src = v.AsString()
			}
		}
		if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
			continue
		}
		if blk.Body.Attributes["count"] != nil || blk.Body.Attributes["for_each"] != nil {
			continue
		}
		child := filepath.Join(dir, filepath.FromSlash(src))
		names, _ := filepath.Glob(filepath.Join(child, "*.tf"))
		if len(names) == 0 {
			continue
		}
		files := map[string][]byte{}
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				return nil, fmt.Errorf("%w: read %s: %v", ErrConfig, n, err)
			}
			files[n] = data
		}
		ctx := m.evalContext(m.res)
		call := &moduleCall{prefix: m.prefix + "module." + blk.Labels[0] + ".", inputs: map[string]cty.Value{}, regions: m.providerRegions()}
		for name, a := range blk.Body.Attributes {
			switch name {
			case "source", "version", "providers", "depends_on", "count", "for_each":
				continue
			}
			call.inputs[name] = evalExpr(a.Expr, ctx)
		}
		cm, rs, err := parseModule(files, nil, nil, Options{NoDefaults: true}, call)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		nested, err := cm.loadModules(child, opts, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, nested...)
	}
	return out, nil
}

// moduleCall is what a child module gets from its caller.
type moduleCall struct {
	prefix  string
	inputs  map[string]cty.Value
	regions map[string]string
}

func fileExists(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }

// Parse is Load over files already read: name -> content of each .tf file,
// and the var files in precedence order (later wins).
func Parse(files map[string][]byte, varOrder []string, varFiles map[string][]byte, opts Options) ([]resource.Resource, error) {
	_, out, err := parseModule(files, varOrder, varFiles, opts, nil)
	if err != nil {
		return nil, err
	}
	if !opts.NoDefaults {
		for i := range out {
			ApplyDefaults(&out[i])
		}
	}
	return out, nil
}

// parseModule evaluates one module's files; call is nil for the root.
func parseModule(files map[string][]byte, varOrder []string, varFiles map[string][]byte, opts Options, call *moduleCall) (*module, []resource.Resource, error) {
	p := hclparse.NewParser()
	var bodies []*hclsyntax.Body
	for _, name := range resource.SortedKeys(files) {
		f, diags := p.ParseHCL(files[name], name)
		if diags.HasErrors() {
			return nil, nil, fmt.Errorf("%w: %s", ErrConfig, diagString(diags))
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil, nil, fmt.Errorf("%w: %s: not native HCL syntax", ErrConfig, name)
		}
		bodies = append(bodies, body)
	}
	m := &module{vars: map[string]cty.Value{}, locals: map[string]cty.Value{}}
	if call != nil {
		m.prefix, m.inherited = call.prefix, call.regions
	}
	for _, b := range bodies {
		m.collect(b)
	}
	if err := m.setVars(varOrder, varFiles, opts.Vars); err != nil {
		return nil, nil, err
	}
	if call != nil {
		for name := range m.vars {
			if v, ok := call.inputs[name]; ok {
				m.vars[name] = v
			}
		}
	}
	m.evalLocals()
	return m, m.evalResources(), nil
}

func diagString(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		where := ""
		if d.Subject != nil {
			where = fmt.Sprintf("%s:%d: ", d.Subject.Filename, d.Subject.Start.Line)
		}
		parts = append(parts, where+d.Summary+": "+d.Detail)
	}
	return strings.Join(parts, "; ")
}

// module is one configuration directory being evaluated.
type module struct {
	varDecls   []*hclsyntax.Block
	localAttrs []*hclsyntax.Attribute
	resources  []*hclsyntax.Block
	providers  []*hclsyntax.Block
	modules    []*hclsyntax.Block

	// prefix is "module.NAME." for a called module, "" for the root.
	prefix string
	// inherited are the caller's provider regions.
	inherited map[string]string
	// res are the reference objects of the last evaluation round.
	res map[string]map[string]cty.Value

	vars   map[string]cty.Value
	locals map[string]cty.Value
}

func (m *module) collect(b *hclsyntax.Body) {
	for _, blk := range b.Blocks {
		switch blk.Type {
		case "variable":
			if len(blk.Labels) == 1 {
				m.varDecls = append(m.varDecls, blk)
			}
		case "locals":
			m.localAttrs = append(m.localAttrs, sortedAttrs(blk.Body)...)
		case "resource":
			if len(blk.Labels) == 2 {
				m.resources = append(m.resources, blk)
			}
		case "provider":
			if len(blk.Labels) == 1 {
				m.providers = append(m.providers, blk)
			}
		case "module":
			if len(blk.Labels) == 1 {
				m.modules = append(m.modules, blk)
			}
		}
	}
}

// sortedAttrs returns a body's attributes in source order.
func sortedAttrs(b *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SrcRange.Start.Byte < out[j].SrcRange.Start.Byte })
	return out
}

// setVars gives each declared variable its value: -var, then var files
// (later wins), then its default; a variable with none stays unknown.
func (m *module) setVars(order []string, files map[string][]byte, cli map[string]string) error {
	fromFiles := map[string]cty.Value{}
	p := hclparse.NewParser()
	for _, n := range order {
		f, diags := p.ParseHCL(files[n], n)
		if diags.HasErrors() {
			return fmt.Errorf("%w: %s", ErrConfig, diagString(diags))
		}
		attrs, diags := f.Body.JustAttributes()
		if diags.HasErrors() {
			return fmt.Errorf("%w: %s", ErrConfig, diagString(diags))
		}
		for name, a := range attrs {
			v, d := a.Expr.Value(nil)
			if d.HasErrors() {
				return fmt.Errorf("%w: %s", ErrConfig, diagString(d))
			}
			fromFiles[name] = v
		}
	}
	for _, blk := range m.varDecls {
		name := blk.Labels[0]
		v := cty.DynamicVal
		if a := blk.Body.Attributes["default"]; a != nil {
			if dv, d := a.Expr.Value(nil); !d.HasErrors() {
				v = dv
			}
		}
		if fv, ok := fromFiles[name]; ok {
			v = fv
		}
		if s, ok := cli[name]; ok {
			v = cliValue(s)
		}
		m.vars[name] = v
	}
	return nil
}

// cliValue reads a -var value: an HCL literal when it parses as one
// (true, 3, ["a"]), a string otherwise, as Terraform does for untyped
// variables.
func cliValue(s string) cty.Value {
	expr, diags := hclsyntax.ParseExpression([]byte(s), "-var", hcl.InitialPos)
	if !diags.HasErrors() {
		if v, d := expr.Value(nil); !d.HasErrors() && v.IsWhollyKnown() {
			return v
		}
	}
	return cty.StringVal(s)
}

// evalLocals evaluates locals in passes, so a local may use another
// declared after it; what stays unresolved is unknown.
func (m *module) evalLocals() {
	for _, a := range m.localAttrs {
		m.locals[a.Name] = cty.DynamicVal
	}
	for pass := 0; pass < 4; pass++ {
		ctx := m.evalContext(nil)
		for _, a := range m.localAttrs {
			m.locals[a.Name] = evalExpr(a.Expr, ctx)
		}
	}
}

func evalExpr(e hclsyntax.Expression, ctx *hcl.EvalContext) cty.Value {
	v, diags := e.Value(ctx)
	if diags.HasErrors() {
		return cty.DynamicVal
	}
	return v
}

// evalContext builds the scope expressions see: var, local, path,
// terraform, the resources evaluated so far (by type), and unknown data
// sources and module outputs.
func (m *module) evalContext(res map[string]map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":       objOrEmpty(m.vars),
		"local":     objOrEmpty(m.locals),
		"path":      cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal("."), "root": cty.StringVal("."), "cwd": cty.StringVal(".")}),
		"terraform": cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")}),
		"data":      cty.DynamicVal,
		"module":    cty.DynamicVal,
	}
	for typ, byName := range res {
		vars[typ] = objOrEmpty(byName)
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions}
}

func objOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}
