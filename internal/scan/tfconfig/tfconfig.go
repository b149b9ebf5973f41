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
// filled in where the configuration leaves them unset (see defaults.go), and
// the provider's default tags and labels are merged into tags_all,
// terraform_labels and effective_labels as state shows them (tags.go).
//
// Modules are followed (modules.go): local ones from their directory,
// registry and git ones from where terraform init installed them. What
// cannot be judged (a module not installed, a count known only after
// apply) is listed in Config.Skipped, never silently left out. Where each
// attribute is set is kept per resource (positions.go), so a finding
// points at the line of the attribute its evidence names.
package tfconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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

// Config is what Load reads from a configuration directory.
type Config struct {
	// Resources are the evaluated resources: the root module's first,
	// then each called module's.
	Resources []resource.Resource
	// Skipped are the parts of the configuration that were not judged,
	// each with why: module calls that cannot be followed, resources
	// whose count or for_each the configuration alone does not decide.
	// They have no results, which must not read as passing: callers
	// report them.
	Skipped []Skip
	// Positions are, per resource address, where the configuration sets
	// each attribute and nested block (see Locate).
	Positions map[string]Positions
}

// Skip is a part of the configuration that was not judged.
type Skip struct {
	// Address is the module call (module.vpc, module.net["a"].module.db)
	// or the resource (aws_instance.web) left out.
	Address string
	// Source is a module call's source, a registry one with its host;
	// empty for a resource.
	Source string
	// Origin is FILE:LINE of the block.
	Origin string
	// Reason says why, and what would let it be judged.
	Reason string
}

// String reads "FILE:LINE: ADDRESS (SOURCE): REASON".
func (s Skip) String() string {
	what := s.Address
	if s.Source != "" {
		what += " (" + s.Source + ")"
	}
	return s.Origin + ": " + what + ": " + s.Reason
}

// Load reads every *.tf file of dir and of the modules it calls, and
// returns their resources. Local modules ("./net") are read from their
// directory; registry, git and other remote modules from where terraform
// init installed them (.terraform/modules/modules.json). A module that
// cannot be followed is not an error: it is listed in Config.Skipped.
func Load(dir string, opts Options) (*Config, error) {
	files, err := readTF(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: %s has no *.tf files", ErrConfig, dir)
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
	manifest, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	l := &loader{root: dir, manifest: manifest, cfg: newConfig()}
	m, err := l.parse(files, order, varFiles, opts, nil)
	if err != nil {
		return nil, err
	}
	if err := l.follow(m, dir, 0); err != nil {
		return nil, err
	}
	l.cfg.finish(opts)
	return l.cfg, nil
}

// Parse is Load over files already read: name -> content of each .tf file,
// and the var files in precedence order (later wins). It reads one module:
// module calls are listed in Config.Skipped.
func Parse(files map[string][]byte, varOrder []string, varFiles map[string][]byte, opts Options) (*Config, error) {
	l := &loader{cfg: newConfig()}
	m, err := l.parse(files, varOrder, varFiles, opts, nil)
	if err != nil {
		return nil, err
	}
	if err := l.follow(m, "", 0); err != nil {
		return nil, err
	}
	l.cfg.finish(opts)
	return l.cfg, nil
}

func newConfig() *Config { return &Config{Positions: map[string]Positions{}} }

// finish orders what was skipped by file and line, and fills in provider
// defaults unless opts leave them out.
func (c *Config) finish(opts Options) {
	sort.SliceStable(c.Skipped, func(i, j int) bool {
		fi, li := splitOrigin(c.Skipped[i].Origin)
		fj, lj := splitOrigin(c.Skipped[j].Origin)
		if fi != fj {
			return fi < fj
		}
		return li < lj
	})
	if opts.NoDefaults {
		return
	}
	for i := range c.Resources {
		ApplyDefaults(&c.Resources[i])
	}
}

// readTF reads the *.tf files of dir (none is not an error here).
func readTF(dir string) (map[string][]byte, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, fmt.Errorf("%w: list %s: %v", ErrConfig, dir, err)
	}
	files := map[string][]byte{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", ErrConfig, n, err)
		}
		files[n] = data
	}
	return files, nil
}

// splitOrigin reads FILE:LINE.
func splitOrigin(o string) (string, int) {
	i := strings.LastIndexByte(o, ':')
	if i < 0 {
		return o, 0
	}
	n, _ := strconv.Atoi(o[i+1:])
	return o[:i], n
}

func fileExists(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }

// loader reads a root module and the modules it calls into one Config.
type loader struct {
	// root is the root module's directory; empty for Parse, which
	// follows no module call.
	root     string
	manifest map[string]manifestEntry
	cfg      *Config
}

// parse evaluates one module's files; call is nil for the root.
func (l *loader) parse(files map[string][]byte, varOrder []string, varFiles map[string][]byte, opts Options, call *moduleCall) (*module, error) {
	p := hclparse.NewParser()
	var bodies []*hclsyntax.Body
	for _, name := range resource.SortedKeys(files) {
		f, diags := p.ParseHCL(files[name], name)
		if diags.HasErrors() {
			return nil, fmt.Errorf("%w: %s", ErrConfig, diagString(diags))
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil, fmt.Errorf("%w: %s: not native HCL syntax", ErrConfig, name)
		}
		bodies = append(bodies, body)
	}
	m := &module{vars: map[string]cty.Value{}, locals: map[string]cty.Value{}}
	if call != nil {
		m.prefix, m.key, m.inherited = call.prefix, call.key, call.providers
	}
	for _, b := range bodies {
		m.collect(b)
	}
	if err := m.setVars(varOrder, varFiles, opts.Vars); err != nil {
		return nil, err
	}
	if call != nil {
		for name := range m.vars {
			if v, ok := call.inputs[name]; ok {
				m.vars[name] = v
			}
		}
	}
	m.evalLocals()
	m.evalResources(l.cfg)
	return m, nil
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

	// prefix is "module.NAME." (with the instance key of a module called
	// with count or for_each) for a called module, "" for the root.
	prefix string
	// key is the module's key in modules.json: the call names from the
	// root joined by dots, "" for the root.
	key string
	// inherited are the provider configurations the caller passes.
	inherited map[string]*providerConfig
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
