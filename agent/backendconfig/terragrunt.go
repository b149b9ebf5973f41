package backendconfig

// Terragrunt support. Every terragrunt.hcl below the working directory is a
// leaf unless another leaf includes it (the legacy root terragrunt.hcl). A
// leaf's remote_state is its own block or, failing that, the one of the
// files it includes, merged as Terragrunt does: the leaf's block replaces an
// included one unless the include says merge_strategy = "deep" (then the
// config maps merge, the leaf winning), and "no_merge" ignores the include.
//
// Evaluated: locals {} (each file its own), include path, remote_state
// backend and config, with the functions of terragrunt_funcs.go. Terragrunt
// evaluates an included file in the context of the including leaf, so
// get_terragrunt_dir and find_in_parent_folders start from the leaf there
// too. Not evaluated: dependency outputs, include.* references and any other
// function; they are ErrUnsupported errors naming file:line.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

const terragruntFileName = "terragrunt.hcl"

// maxTerragruntFiles bounds how many leaves one Discover evaluates.
const maxTerragruntFiles = 10000

// skipDirs are never searched for terragrunt.hcl: caches, provider
// downloads and dependencies hold copies, not leaves.
var skipDirs = map[string]bool{".terragrunt-cache": true, ".terraform": true, "node_modules": true}

// tgWalker holds what the leaves of one tree share: the root it was asked
// about and a cache of parsed files (every leaf includes the same root).
type tgWalker struct {
	dir, absDir string
	opts        Options
	files       map[string]*tgFile
	errs        map[string]error
}

// tgFile is one parsed Terragrunt file.
type tgFile struct {
	path   string // as shown to the user: below dir when inside it
	absDir string
	body   *hclsyntax.Body
}

// tgInclude is one evaluated include block of a leaf.
type tgInclude struct {
	name          string // block label, "" when unlabelled
	absPath       string
	mergeStrategy string
}

// tgScope is where an expression is evaluated: in the leaf itself
// (include == nil) or in an included file, and how deep in
// read_terragrunt_config calls.
type tgScope struct {
	include *tgInclude
	depth   int
}

// tgEval evaluates one leaf.
type tgEval struct {
	w        *tgWalker
	opts     Options
	leaf     *tgFile
	includes []tgInclude
	reading  map[string]bool       // read_terragrunt_config calls in progress
	reads    map[string]readResult // finished read_terragrunt_config calls
}

// remoteState is an evaluated remote_state block.
type remoteState struct {
	backend string
	config  map[string]cty.Value
	rng     hcl.Range
}

func discoverTerragrunt(ctx context.Context, dir string, opts Options) ([]Location, bool, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, false, fmt.Errorf("discover terragrunt in %s: %w", dir, err)
	}
	w := &tgWalker{dir: dir, absDir: absDir, opts: opts, files: map[string]*tgFile{}, errs: map[string]error{}}
	leaves, walkErr := w.find(ctx)
	if len(leaves) == 0 {
		return nil, false, walkErr
	}

	type result struct {
		locs []Location
		err  error
	}
	results := make(map[string]result, len(leaves))
	included := map[string]bool{}
	for _, leaf := range leaves {
		if err := ctx.Err(); err != nil {
			return nil, true, err
		}
		e := &tgEval{w: w, opts: opts}
		locs, err := e.run(leaf)
		for _, inc := range e.includes {
			included[inc.absPath] = true
		}
		results[leaf] = result{locs, err}
	}

	var (
		locs []Location
		errs = []error{walkErr}
	)
	for _, leaf := range leaves {
		if included[leaf] {
			continue // a parent configuration, evaluated through its children
		}
		locs = append(locs, results[leaf].locs...)
		errs = append(errs, results[leaf].err)
	}
	return locs, true, errors.Join(errs...)
}

// find lists the absolute paths of every terragrunt.hcl below the root.
func (w *tgWalker) find(ctx context.Context) ([]string, error) {
	var leaves []string
	err := filepath.WalkDir(w.absDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == w.absDir {
				return err
			}
			return nil // an unreadable subdirectory holds no leaves we could use
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if path == w.absDir {
				return nil
			}
			name := d.Name()
			if skipDirs[name] || strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			if rel, _ := filepath.Rel(w.absDir, path); strings.Count(rel, string(filepath.Separator)) >= MaxDepth {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == terragruntFileName && d.Type().IsRegular() {
			if len(leaves) >= maxTerragruntFiles {
				return fmt.Errorf("more than %d %s files", maxTerragruntFiles, terragruntFileName)
			}
			leaves = append(leaves, path)
		}
		return nil
	})
	sort.Strings(leaves)
	if err != nil {
		return leaves, fmt.Errorf("discover terragrunt in %s: %w", w.dir, err)
	}
	return leaves, nil
}

// display names an absolute path the way the user named the root.
func (w *tgWalker) display(abs string) string {
	rel, err := filepath.Rel(w.absDir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return filepath.Join(w.dir, rel)
}

// parse reads and parses a Terragrunt file once per tree.
func (w *tgWalker) parse(absPath string) (*tgFile, error) {
	if f, ok := w.files[absPath]; ok {
		return f, nil
	}
	if err, ok := w.errs[absPath]; ok {
		return nil, err
	}
	f, err := w.parseFile(absPath)
	if err != nil {
		w.errs[absPath] = err
		return nil, err
	}
	w.files[absPath] = f
	return f, nil
}

func (w *tgWalker) parseFile(absPath string) (*tgFile, error) {
	name := w.display(absPath)
	data, err := readFile(absPath)
	if err != nil {
		return nil, err
	}
	f, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diagError(ErrSyntax, diags)
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil, fmt.Errorf("%s: %w: not native HCL syntax", name, ErrSyntax)
	}
	return &tgFile{path: name, absDir: filepath.Dir(absPath), body: body}, nil
}

// run evaluates one leaf into its locations.
func (e *tgEval) run(absPath string) ([]Location, error) {
	leaf, err := e.w.parse(absPath)
	if err != nil {
		return nil, err
	}
	e.leaf = leaf
	if err := e.evalIncludes(); err != nil {
		return nil, err
	}

	locals, err := e.locals(leaf, tgScope{})
	if err != nil {
		return nil, err
	}
	rs, err := e.remoteState(leaf, tgScope{}, locals)
	if err != nil {
		return nil, err
	}

	deep := false
	var inherited *remoteState
	for i := range e.includes {
		inc := &e.includes[i]
		if inc.mergeStrategy == "no_merge" || (rs != nil && inc.mergeStrategy != "deep") {
			continue
		}
		parent, err := e.w.parse(inc.absPath)
		if err != nil {
			return nil, err
		}
		scope := tgScope{include: inc}
		plocals, err := e.locals(parent, scope)
		if err != nil {
			return nil, err
		}
		prs, err := e.remoteState(parent, scope, plocals)
		if err != nil {
			return nil, err
		}
		if prs == nil {
			continue
		}
		if inc.mergeStrategy == "deep" {
			deep = true
			if inherited != nil {
				prs = mergeRemoteState(inherited, prs)
			}
		}
		inherited = prs
	}
	switch {
	case rs != nil && deep && inherited != nil:
		rs = mergeRemoteState(inherited, rs)
	case rs == nil:
		rs = inherited
	}
	if rs == nil {
		return nil, nil // a leaf whose module keeps state some other way
	}

	spec := backendSpec{typ: rs.backend, attrs: rs.config, file: pos(rs.rng), dir: e.w.display(leaf.absDir)}
	return spec.locations(e.opts)
}

// mergeRemoteState lays over on top of base: backend and config keys of
// over win.
func mergeRemoteState(base, over *remoteState) *remoteState {
	out := &remoteState{backend: over.backend, rng: over.rng, config: map[string]cty.Value{}}
	if out.backend == "" {
		out.backend = base.backend
	}
	for k, v := range base.config {
		out.config[k] = v
	}
	for k, v := range over.config {
		out.config[k] = v
	}
	return out
}

// evalIncludes evaluates the leaf's include blocks. Their path may use
// functions but, as in Terragrunt, no locals.
func (e *tgEval) evalIncludes() error {
	for _, b := range e.leaf.body.Blocks {
		if b.Type != "include" {
			continue
		}
		if len(b.Labels) > 1 {
			return fmt.Errorf("%s: %w: include takes at most one label", pos(b.DefRange()), ErrSyntax)
		}
		inc := tgInclude{}
		if len(b.Labels) == 1 {
			inc.name = b.Labels[0]
		}
		pathAttr, ok := b.Body.Attributes["path"]
		if !ok {
			return fmt.Errorf("%s: %w: include has no path", pos(b.DefRange()), ErrSyntax)
		}
		v, err := e.eval(pathAttr.Expr, tgScope{}, nil)
		if err != nil {
			return err
		}
		p, err := e.stringValue(v, pathAttr, "include path")
		if err != nil {
			return err
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(e.leaf.absDir, p)
		}
		inc.absPath = filepath.Clean(p)
		if a, ok := b.Body.Attributes["merge_strategy"]; ok {
			v, err := e.eval(a.Expr, tgScope{}, nil)
			if err != nil {
				return err
			}
			if inc.mergeStrategy, err = e.stringValue(v, a, "merge_strategy"); err != nil {
				return err
			}
		}
		e.includes = append(e.includes, inc)
	}
	return nil
}

// locals evaluates the locals blocks of f, in dependency order.
func (e *tgEval) locals(f *tgFile, s tgScope) (map[string]cty.Value, error) {
	pending := map[string]*hclsyntax.Attribute{}
	for _, b := range f.body.Blocks {
		if b.Type != "locals" {
			continue
		}
		for name, a := range b.Body.Attributes {
			if prev, dup := pending[name]; dup {
				return nil, fmt.Errorf("%s: %w: local %q already defined at %s", pos(a.SrcRange), ErrSyntax, name, pos(prev.SrcRange))
			}
			pending[name] = a
		}
	}
	done := make(map[string]cty.Value, len(pending))
	for len(pending) > 0 {
		names := make([]string, 0, len(pending))
		for n := range pending {
			names = append(names, n)
		}
		sort.Strings(names)
		progress := false
		for _, name := range names {
			a := pending[name]
			ready := true
			for _, tr := range hclsyntax.Variables(a.Expr) {
				if tr.RootName() != "local" {
					continue
				}
				ref := localName(tr)
				if _, ok := done[ref]; ok {
					continue
				}
				if _, ok := pending[ref]; !ok {
					return nil, fmt.Errorf("%s: %w: unknown local %q", pos(tr.SourceRange()), ErrEval, ref)
				}
				ready = false
			}
			if !ready {
				continue
			}
			v, err := e.eval(a.Expr, s, done)
			if err != nil {
				return nil, err
			}
			done[name] = v
			delete(pending, name)
			progress = true
		}
		if !progress {
			a := pending[names[0]]
			return nil, fmt.Errorf("%s: %w: local %q depends on itself", pos(a.SrcRange), ErrEval, names[0])
		}
	}
	return done, nil
}

func localName(tr hcl.Traversal) string {
	if len(tr) > 1 {
		if a, ok := tr[1].(hcl.TraverseAttr); ok {
			return a.Name
		}
	}
	return ""
}

// remoteState evaluates the remote_state block (or attribute) of f, nil if
// it has none.
func (e *tgEval) remoteState(f *tgFile, s tgScope, locals map[string]cty.Value) (*remoteState, error) {
	var found *hclsyntax.Block
	for _, b := range f.body.Blocks {
		if b.Type != "remote_state" {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%s: %w: remote_state already defined at %s", pos(b.DefRange()), ErrSyntax, pos(found.DefRange()))
		}
		found = b
	}
	if found != nil {
		rs := &remoteState{rng: found.DefRange(), config: map[string]cty.Value{}}
		a, ok := found.Body.Attributes["backend"]
		if !ok {
			return nil, fmt.Errorf("%s: %w: remote_state has no backend", pos(found.DefRange()), ErrIncomplete)
		}
		v, err := e.eval(a.Expr, s, locals)
		if err != nil {
			return nil, err
		}
		if rs.backend, err = e.stringValue(v, a, "remote_state backend"); err != nil {
			return nil, err
		}
		if a, ok := found.Body.Attributes["config"]; ok {
			v, err := e.eval(a.Expr, s, locals)
			if err != nil {
				return nil, err
			}
			if rs.config, err = objectValue(v, a); err != nil {
				return nil, err
			}
		}
		return rs, nil
	}

	// remote_state = { backend = ..., config = ... }, as older configs write it.
	a, ok := f.body.Attributes["remote_state"]
	if !ok {
		return nil, nil
	}
	v, err := e.eval(a.Expr, s, locals)
	if err != nil {
		return nil, err
	}
	obj, err := objectValue(v, a)
	if err != nil {
		return nil, err
	}
	rs := &remoteState{rng: a.SrcRange, config: map[string]cty.Value{}}
	if b, ok := obj["backend"]; ok {
		if rs.backend, err = e.stringValue(b, a, "remote_state backend"); err != nil {
			return nil, err
		}
	}
	if c, ok := obj["config"]; ok {
		if rs.config, err = objectValue(c, a); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// eval checks expr for what cannot be evaluated here, then evaluates it.
func (e *tgEval) eval(expr hclsyntax.Expression, s tgScope, locals map[string]cty.Value) (cty.Value, error) {
	if err := checkSupported(expr, locals != nil); err != nil {
		return cty.NilVal, err
	}
	vars := map[string]cty.Value{}
	if locals != nil {
		vars["local"] = cty.ObjectVal(locals)
	}
	ctx := &hcl.EvalContext{Variables: vars, Functions: e.functions(s)}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, diagError(ErrEval, diags)
	}
	if !v.IsWhollyKnown() {
		return cty.NilVal, fmt.Errorf("%s: %w: value is not known until apply", pos(expr.Range()), ErrEval)
	}
	return v, nil
}

// checkSupported reports, before evaluation, the references and function
// calls backendconfig cannot evaluate, naming them and their position.
func checkSupported(expr hclsyntax.Expression, localsAllowed bool) error {
	for _, tr := range hclsyntax.Variables(expr) {
		root := tr.RootName()
		if root == "local" && localsAllowed {
			continue
		}
		what := fmt.Sprintf("reference to %s", root)
		switch root {
		case "dependency", "dependencies":
			what = "dependency outputs"
		case "local":
			what = "locals in an include block"
		}
		return fmt.Errorf("%s: %w: %s (backendconfig evaluates only locals and functions)", pos(tr.SourceRange()), ErrUnsupported, what)
	}
	var err error
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if ok && err == nil && !isKnownFunction(call.Name) {
			err = fmt.Errorf("%s: %w: function %s()", pos(call.NameRange), ErrUnsupported, call.Name)
		}
		return nil
	})
	return err
}

func (e *tgEval) stringValue(v cty.Value, a *hclsyntax.Attribute, what string) (string, error) {
	if v.IsNull() || v.Type() != cty.String {
		return "", fmt.Errorf("%s: %w: %s must be a string", pos(a.SrcRange), ErrEval, what)
	}
	return v.AsString(), nil
}

func objectValue(v cty.Value, a *hclsyntax.Attribute) (map[string]cty.Value, error) {
	if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return nil, fmt.Errorf("%s: %w: %s must be an object", pos(a.SrcRange), ErrEval, a.Name)
	}
	return v.AsValueMap(), nil
}
