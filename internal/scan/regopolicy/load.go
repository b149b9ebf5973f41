// Package regopolicy runs custom security policies written in Rego (OPA
// v1) over the resource model, beside the built-in checks: same results,
// same outputs, same mutelist.
//
// A policy is a Rego module with deny (or violation) rules that produce
// messages about input.resource, and metadata naming it (id, title,
// severity, frameworks, resource types), given as a METADATA annotation
// on the package or as a `metadata` rule. Every policy is compiled once
// and its query prepared once (rego.PrepareForEval); evaluation then runs
// per resource, only for the policies whose declared types match. The
// input schema is documented in examples/policies/README.md.
package regopolicy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/driftmgr/driftmgr/internal/scan"
)

// ErrPolicy marks every policy loading error; the message names the file,
// the line and the reason.
var ErrPolicy = errors.New("policy")

// Meta is what a policy declares about itself.
type Meta struct {
	ID       string
	Title    string
	Severity scan.Severity
	// Description and Remediation explain a failure.
	Description string
	Remediation string
	// Frameworks map a framework name to the control IDs the policy
	// covers (the policy ID when it names none).
	Frameworks map[string][]string
	// Types are the resource types the policy judges; empty means every
	// type, and then only failures are reported (a pass on a resource the
	// policy never meant to judge would inflate compliance scores).
	Types []string
	// RelatedTypes are the types input.related carries for this policy.
	RelatedTypes []string
}

// Policy is one loaded, compiled policy with its prepared query.
type Policy struct {
	Meta
	// File and Line locate the package declaration.
	File    string
	Line    int
	Package string // data.driftmgr.s3_versioning
	query   rego.PreparedEvalQuery
}

// Set is the policies loaded together (sharing helper packages).
type Set struct {
	Policies []*Policy
	byType   map[string][]*Policy
	anyType  []*Policy
	related  map[string]bool
}

// Files lists the .rego files under dirs (recursively), without the
// *_test.rego files unless withTests.
func Files(dirs []string, withTests bool) ([]string, error) {
	var out []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".rego") || !withTests && strings.HasSuffix(p, "_test.rego") {
				return nil
			}
			out = append(out, p)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: list %s: %v", ErrPolicy, dir, err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ReadModules reads and parses files (Rego v1 syntax, annotations on).
func ReadModules(files []string) (map[string]*ast.Module, error) {
	mods := map[string]*ast.Module{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", ErrPolicy, f, err)
		}
		m, err := ast.ParseModuleWithOpts(f, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrPolicy, astError(err))
		}
		mods[f] = m
	}
	return mods, nil
}

// LoadDirs loads every non-test .rego file under dirs.
func LoadDirs(ctx context.Context, dirs []string) (*Set, error) {
	files, err := Files(dirs, false)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no .rego files in %s", ErrPolicy, strings.Join(dirs, ", "))
	}
	mods, err := ReadModules(files)
	if err != nil {
		return nil, err
	}
	return Compile(ctx, mods)
}

// Load compiles policies from sources (file name -> Rego text).
func Load(ctx context.Context, sources map[string]string) (*Set, error) {
	mods := map[string]*ast.Module{}
	for _, f := range sortedKeys(sources) {
		m, err := ast.ParseModuleWithOpts(f, sources[f], ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrPolicy, astError(err))
		}
		mods[f] = m
	}
	return Compile(ctx, mods)
}

// Compile compiles modules together and prepares one query per policy
// (a module with a deny or violation rule); a module without one is a
// helper library.
func Compile(ctx context.Context, mods map[string]*ast.Module) (*Set, error) {
	c := ast.NewCompiler().WithEnablePrintStatements(false)
	c.Compile(mods)
	if c.Failed() {
		return nil, fmt.Errorf("%w: %s", ErrPolicy, astError(c.Errors))
	}
	s := &Set{byType: map[string][]*Policy{}, related: map[string]bool{}}
	ids := map[string]string{}
	for _, f := range sortedKeys(mods) {
		m := mods[f]
		var rules []string
		for _, name := range []string{"deny", "violation"} {
			r := findRule(m, name)
			if r == nil {
				continue
			}
			if r.Head.RuleKind() != ast.MultiValue {
				return nil, fmt.Errorf("%w: %s:%d: %s must be a set rule (%s contains msg if { ... })", ErrPolicy, f, r.Location.Row, name, name)
			}
			rules = append(rules, name)
		}
		if len(rules) == 0 {
			continue
		}
		p := &Policy{File: f, Line: m.Package.Location.Row, Package: m.Package.Path.String()}
		meta, err := readMeta(ctx, c, m, p)
		if err != nil {
			return nil, err
		}
		p.Meta = meta
		if prev, dup := ids[p.ID]; dup {
			return nil, fmt.Errorf("%w: %s:%d: policy id %s already declared by %s", ErrPolicy, f, p.Line, p.ID, prev)
		}
		ids[p.ID] = fmt.Sprintf("%s:%d", f, p.Line)
		var parts []string
		for _, r := range rules {
			parts = append(parts, p.Package+"."+r)
		}
		q, err := rego.New(rego.Query(strings.Join(parts, " | ")), rego.Compiler(c)).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: prepare: %v", ErrPolicy, f, p.Line, err)
		}
		p.query = q
		s.Policies = append(s.Policies, p)
		if len(p.Types) == 0 {
			s.anyType = append(s.anyType, p)
		}
		for _, t := range p.Types {
			s.byType[t] = append(s.byType[t], p)
		}
		for _, t := range p.RelatedTypes {
			s.related[t] = true
		}
	}
	return s, nil
}

func findRule(m *ast.Module, name string) *ast.Rule {
	for _, r := range m.Rules {
		if r.Head.Name.String() == name || (len(r.Head.Reference) == 1 && r.Head.Reference[0].Value.Compare(ast.Var(name)) == 0) {
			return r
		}
	}
	return nil
}

// readMeta takes the package METADATA annotation (custom fields id,
// severity, frameworks, resource_types, related_types) or, failing that,
// evaluates the module's `metadata` rule once.
func readMeta(ctx context.Context, c *ast.Compiler, m *ast.Module, p *Policy) (Meta, error) {
	where := fmt.Sprintf("%s:%d", p.File, p.Line)
	fields := map[string]any{}
	for _, a := range m.Annotations {
		if a.Scope != "package" {
			continue
		}
		where = fmt.Sprintf("%s:%d", p.File, a.Location.Row)
		for k, v := range a.Custom {
			fields[k] = v
		}
		if a.Title != "" {
			fields["title"] = a.Title
		}
		if a.Description != "" {
			fields["description"] = a.Description
		}
	}
	if len(fields) == 0 {
		r := findRule(m, "metadata")
		if r == nil {
			return Meta{}, fmt.Errorf("%w: %s: no metadata: add a METADATA annotation on the package or a metadata rule with id, title and severity", ErrPolicy, where)
		}
		where = fmt.Sprintf("%s:%d", p.File, r.Location.Row)
		rs, err := rego.New(rego.Query(p.Package+".metadata"), rego.Compiler(c)).Eval(ctx)
		if err != nil {
			return Meta{}, fmt.Errorf("%w: %s: metadata: %v", ErrPolicy, where, err)
		}
		if len(rs) == 0 || len(rs[0].Expressions) == 0 {
			return Meta{}, fmt.Errorf("%w: %s: metadata is undefined: it must be a constant object", ErrPolicy, where)
		}
		obj, ok := rs[0].Expressions[0].Value.(map[string]any)
		if !ok {
			return Meta{}, fmt.Errorf("%w: %s: metadata must be an object", ErrPolicy, where)
		}
		fields = obj
	}
	var meta Meta
	meta.ID, _ = fields["id"].(string)
	meta.Title, _ = fields["title"].(string)
	meta.Description, _ = fields["description"].(string)
	meta.Remediation, _ = fields["remediation"].(string)
	sev, _ := fields["severity"].(string)
	var missing []string
	for _, f := range []struct{ n, v string }{{"id", meta.ID}, {"title", meta.Title}, {"severity", sev}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.n)
		}
	}
	if missing != nil {
		return Meta{}, fmt.Errorf("%w: %s: metadata needs %s", ErrPolicy, where, strings.Join(missing, ", "))
	}
	s, ok := scan.ParseSeverity(strings.ToLower(sev))
	if !ok {
		return Meta{}, fmt.Errorf("%w: %s: severity %q: want critical, high, medium, low or info", ErrPolicy, where, sev)
	}
	meta.Severity = s
	if strings.HasPrefix(meta.ID, "DM-") {
		return Meta{}, fmt.Errorf("%w: %s: id %s: the DM- prefix is reserved for built-in checks", ErrPolicy, where, meta.ID)
	}
	var err error
	if meta.Types, err = stringList(fields["resource_types"]); err != nil {
		return Meta{}, fmt.Errorf("%w: %s: resource_types: %v", ErrPolicy, where, err)
	}
	if meta.RelatedTypes, err = stringList(fields["related_types"]); err != nil {
		return Meta{}, fmt.Errorf("%w: %s: related_types: %v", ErrPolicy, where, err)
	}
	meta.Frameworks = map[string][]string{}
	switch fw := fields["frameworks"].(type) {
	case nil:
	case []any:
		names, err := stringList(fw)
		if err != nil {
			return Meta{}, fmt.Errorf("%w: %s: frameworks: %v", ErrPolicy, where, err)
		}
		for _, n := range names {
			meta.Frameworks[n] = []string{meta.ID}
		}
	case map[string]any:
		for n, v := range fw {
			ids, err := stringList(v)
			if err != nil {
				return Meta{}, fmt.Errorf("%w: %s: frameworks.%s: %v", ErrPolicy, where, n, err)
			}
			if len(ids) == 0 {
				ids = []string{meta.ID}
			}
			meta.Frameworks[n] = ids
		}
	default:
		return Meta{}, fmt.Errorf("%w: %s: frameworks: want a list of names or an object of name: [control ids]", ErrPolicy, where)
	}
	return meta, nil
}

func stringList(v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want strings, got %v", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a list of strings, got %v", v)
}

// astError renders OPA errors as FILE:LINE: reason, one per error.
func astError(err error) string {
	var errs ast.Errors
	if errors.As(err, &errs) {
		var parts []string
		for _, e := range errs {
			parts = append(parts, oneError(e))
		}
		return strings.Join(parts, "; ")
	}
	var e *ast.Error
	if errors.As(err, &e) {
		return oneError(e)
	}
	return err.Error()
}

func oneError(e *ast.Error) string {
	if e.Location != nil {
		return fmt.Sprintf("%s:%d: %s", e.Location.File, e.Location.Row, e.Message)
	}
	return e.Message
}

// Check describes the policy as a scan check, for rule lists, SARIF and
// compliance scores.
func (p *Policy) Check() *scan.Check {
	c := &scan.Check{ID: p.ID, Title: p.Title, Severity: p.Severity, Types: p.Types, Rationale: p.Description,
		Remediation: p.Remediation, Notes: fmt.Sprintf("custom policy %s (%s:%d)", p.Package, p.File, p.Line)}
	if len(p.Types) > 0 {
		c.Provider = providerOf(p.Types[0])
	}
	if len(p.Frameworks) > 0 {
		c.Refs.CIS = map[scan.Framework][]string{}
		for n, ids := range p.Frameworks {
			c.Refs.CIS[scan.Framework(n)] = ids
		}
	}
	return c
}

// Checks lists the set's policies as checks, in ID order.
func (s *Set) Checks() []*scan.Check {
	out := make([]*scan.Check, 0, len(s.Policies))
	for _, p := range s.Policies {
		out = append(out, p.Check())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func providerOf(typ string) string {
	if i := strings.IndexByte(typ, '_'); i > 0 {
		return typ[:i]
	}
	return typ
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
