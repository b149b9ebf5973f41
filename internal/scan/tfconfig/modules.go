package tfconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// maxModuleDepth bounds nested module calls (a module that calls itself
// would otherwise never end).
const maxModuleDepth = 8

// moduleCall is what a child module gets from its caller.
type moduleCall struct {
	prefix    string
	key       string
	inputs    map[string]cty.Value
	providers map[string]*providerConfig
}

// follow evaluates the module calls of m, whose files are in dir, the
// way Terraform does: the child's variables take the call's arguments
// (evaluated in m's scope, unknown when they are), its resources are
// addressed module.NAME.TYPE.NAME (module.NAME[0]... and
// module.NAME["key"]... with count and for_each) and it gets the provider
// configurations of the providers argument, or else m's default ones.
// A call that cannot be followed is listed in the Config's Skipped.
func (l *loader) follow(m *module, dir string, depth int) error {
	providers := m.providerConfigs()
	for _, blk := range m.modules {
		name := blk.Labels[0]
		skip := Skip{Address: m.prefix + "module." + name, Origin: origin(blk)}
		src, ok := literalString(blk.Body.Attributes["source"])
		if !ok {
			skip.Reason = "source is not a literal string; its resources are not judged"
			l.cfg.Skipped = append(l.cfg.Skipped, skip)
			continue
		}
		skip.Source = displaySource(src)
		key := name
		if m.key != "" {
			key = m.key + "." + name
		}
		childDir, reason := l.resolve(dir, key, src, blk)
		if reason == "" && depth >= maxModuleDepth {
			reason = fmt.Sprintf("module calls nest deeper than %d levels; its resources are not judged", maxModuleDepth)
		}
		var files map[string][]byte
		if reason == "" {
			var err error
			if files, err = readTF(childDir); err != nil {
				return err
			}
			switch {
			case len(files) > 0:
			case isLocalSource(src):
				reason = fmt.Sprintf("%s has no *.tf files; its resources are not judged", childDir)
			default:
				reason = fmt.Sprintf("%s has no *.tf files; run terraform init to judge its resources", childDir)
			}
		}
		ctx := m.evalContext(m.res)
		var keys []instanceKey
		if reason == "" {
			keys, reason = expandKeys(blk, ctx)
		}
		if reason != "" {
			skip.Reason = reason
			l.cfg.Skipped = append(l.cfg.Skipped, skip)
			continue
		}
		passed := passProviders(blk, providers)
		for _, k := range keys {
			ictx := k.scope(ctx)
			call := &moduleCall{prefix: m.prefix + "module." + name + k.suffix + ".", key: key,
				inputs: map[string]cty.Value{}, providers: passed}
			for arg, a := range blk.Body.Attributes {
				switch arg {
				case "source", "version", "providers", "depends_on", "count", "for_each":
					continue
				}
				call.inputs[arg] = evalExpr(a.Expr, ictx)
			}
			cm, err := l.parse(files, nil, nil, Options{NoDefaults: true}, call)
			if err != nil {
				return err
			}
			if err := l.follow(cm, childDir, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolve finds the directory of a module call: a local source under the
// caller's directory, any other where terraform init installed it. The
// reason says why it cannot be followed.
func (l *loader) resolve(dir, key, src string, blk *hclsyntax.Block) (string, string) {
	if l.root == "" {
		return "", "module calls are followed only when a directory is loaded; its resources are not judged"
	}
	if isLocalSource(src) {
		return filepath.Join(dir, filepath.FromSlash(src)), ""
	}
	e, ok := l.manifest[key]
	if !ok {
		return "", "not initialized; run terraform init to judge its resources"
	}
	if !sameSource(e.Source, src) {
		return "", fmt.Sprintf("source changed since terraform init installed %s; run terraform init to judge its resources", e.Source)
	}
	if want, ok := exactVersion(blk); ok && e.Version != "" && e.Version != want {
		return "", fmt.Sprintf("version %s is required but terraform init installed %s; run terraform init to judge its resources", want, e.Version)
	}
	return filepath.Join(l.root, filepath.FromSlash(e.Dir)), ""
}

// manifestEntry is one module terraform init installed.
type manifestEntry struct {
	Key     string `json:"Key"`
	Source  string `json:"Source"`
	Version string `json:"Version"`
	Dir     string `json:"Dir"`
}

// manifestPath is where terraform init records the installed modules,
// relative to the root module.
var manifestPath = filepath.Join(".terraform", "modules", "modules.json")

const manifestShape = `{"Modules": [{"Key": "vpc", "Source": "...", "Version": "...", "Dir": ".terraform/modules/vpc"}]}`

// readManifest reads the module manifest of the root module in dir, by
// key; no manifest (not initialized) is not an error.
func readManifest(dir string) (map[string]manifestEntry, error) {
	p := filepath.Join(dir, manifestPath)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrConfig, p, err)
	}
	return parseManifest(p, data)
}

// parseManifest reads a module manifest, p naming it in errors.
func parseManifest(p string, data []byte) (map[string]manifestEntry, error) {
	var doc struct {
		Modules []manifestEntry `json:"Modules"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("%w: %s:%d: %v; want terraform init's module manifest, %s", ErrConfig, p, lineAt(data, se.Offset), err, manifestShape)
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = "the document"
			}
			return nil, fmt.Errorf("%w: %s:%d: %s is a JSON %s; want terraform init's module manifest, %s", ErrConfig, p, lineAt(data, te.Offset), field, te.Value, manifestShape)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, p, err)
	}
	out := make(map[string]manifestEntry, len(doc.Modules))
	for _, e := range doc.Modules {
		if e.Key != "" {
			out[e.Key] = e
		}
	}
	return out, nil
}

// lineAt is the 1-based line of a byte offset.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return 1 + strings.Count(string(data[:off]), "\n")
}

// isLocalSource reports a local path source, which Terraform requires to
// start with ./ or ../.
func isLocalSource(src string) bool {
	for _, p := range []string{"./", "../", `.\`, `..\`} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}

// registrySource matches a registry module address,
// [HOST/]NAMESPACE/NAME/SYSTEM[//SUBDIR].
var registrySource = regexp.MustCompile(`^(?:([a-zA-Z0-9.-]+\.[a-zA-Z0-9-]+)/)?([a-zA-Z0-9][a-zA-Z0-9_-]*)/([a-zA-Z0-9][a-zA-Z0-9_-]*)/([a-zA-Z0-9]+)(//.*)?$`)

// displaySource is a source as modules.json records it: a registry
// address with its host, a github.com or bitbucket.org shorthand as the
// git URL it stands for, anything else as written.
func displaySource(src string) string {
	if m := scpSource.FindStringSubmatch(src); m != nil {
		return "git::ssh://" + m[1] + "/" + m[2]
	}
	if isLocalSource(src) || strings.Contains(src, "::") || strings.Contains(src, "://") {
		return src
	}
	if m := registrySource.FindStringSubmatch(src); m != nil && !isGitHost(m[1]) {
		host := m[1]
		if host == "" {
			host = "registry.terraform.io"
		}
		return strings.ToLower(host) + "/" + m[2] + "/" + m[3] + "/" + m[4] + m[5]
	}
	for _, host := range []string{"github.com/", "bitbucket.org/"} {
		if strings.HasPrefix(src, host) {
			repo, rest := splitRepo(strings.TrimPrefix(src, host))
			return "git::https://" + host + strings.TrimSuffix(repo, ".git") + ".git" + rest
		}
	}
	return src
}

// scpSource matches git's scp-like form, git@github.com:org/repo.git,
// which Terraform reads as git::ssh://git@github.com/org/repo.git.
var scpSource = regexp.MustCompile(`^(git@[a-zA-Z0-9.-]+):([^/].*)$`)

func isGitHost(h string) bool { return h == "github.com" || h == "bitbucket.org" }

// splitRepo splits OWNER/REPO from what follows (//subdir, ?ref=...).
func splitRepo(s string) (string, string) {
	end := len(s)
	if i := strings.Index(s, "?"); i >= 0 {
		end = i
	}
	if i := strings.Index(s[:end], "//"); i >= 0 {
		end = i
	}
	parts := strings.SplitN(s[:end], "/", 3)
	if len(parts) == 3 {
		n := len(parts[0]) + 1 + len(parts[1])
		return s[:n], s[n:]
	}
	return s[:end], s[end:]
}

// sameSource compares a manifest's source with the configuration's; a
// registry address matches with or without its default host.
func sameSource(recorded, configured string) bool {
	return recorded == configured || strings.EqualFold(displaySource(recorded), displaySource(configured))
}

// exactVersion reads a version argument that pins one version ("5.1.0",
// "= 5.1.0"). Ranges are not checked here: Terraform's own plan does.
func exactVersion(blk *hclsyntax.Block) (string, bool) {
	v, ok := literalString(blk.Body.Attributes["version"])
	if !ok {
		return "", false
	}
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "="))
	if v == "" || strings.ContainsAny(v, "<>~!=, ") {
		return "", false
	}
	return strings.TrimPrefix(v, "v"), true
}

// literalString is an attribute's value when it is a known string.
func literalString(a *hclsyntax.Attribute) (string, bool) {
	if a == nil {
		return "", false
	}
	v := evalExpr(a.Expr, nil)
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func origin(blk *hclsyntax.Block) string {
	return fmt.Sprintf("%s:%d", blk.TypeRange.Filename, blk.TypeRange.Start.Line)
}

// instanceKey is one instance of a block with count or for_each.
type instanceKey struct {
	suffix string    // "", "[0]" or `["a"]`
	key    cty.Value // count.index or each.key; NilVal when single
	value  cty.Value // each.value
}

// scope adds count.index or each.key and each.value to ctx.
func (k instanceKey) scope(ctx *hcl.EvalContext) *hcl.EvalContext {
	if k.key == cty.NilVal {
		return ctx
	}
	vars := make(map[string]cty.Value, len(ctx.Variables)+1)
	for n, v := range ctx.Variables {
		vars[n] = v
	}
	if k.key.Type() == cty.Number {
		vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": k.key})
	} else {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": k.key, "value": k.value})
	}
	return &hcl.EvalContext{Variables: vars, Functions: ctx.Functions}
}

// maxInstances bounds the instances of one count.
const maxInstances = 10000

// expandKeys reads a block's count or for_each; the reason says why the
// instances are not known from the configuration alone (none are
// guessed).
func expandKeys(blk *hclsyntax.Block, ctx *hcl.EvalContext) ([]instanceKey, string) {
	if a := blk.Body.Attributes["count"]; a != nil {
		v := evalExpr(a.Expr, ctx)
		if !v.IsKnown() {
			return nil, "count is not known from the configuration alone; its instances are not judged"
		}
		if n, err := convert.Convert(v, cty.Number); err == nil && !n.IsNull() {
			v = n
		}
		if v.IsNull() || v.Type() != cty.Number {
			return nil, fmt.Sprintf("count is %s, want a whole number; its instances are not judged", typeName(v))
		}
		n, acc := v.AsBigFloat().Int64()
		if acc != 0 || n < 0 {
			return nil, fmt.Sprintf("count is %s, want a whole number; its instances are not judged", v.AsBigFloat().String())
		}
		if n > maxInstances {
			return nil, fmt.Sprintf("count is %d, more than the %d instances judged", n, maxInstances)
		}
		out := make([]instanceKey, 0, n)
		for i := int64(0); i < n; i++ {
			out = append(out, instanceKey{suffix: fmt.Sprintf("[%d]", i), key: cty.NumberIntVal(i)})
		}
		return out, ""
	}
	if a := blk.Body.Attributes["for_each"]; a != nil {
		v := evalExpr(a.Expr, ctx)
		t := v.Type()
		if !v.IsKnown() || t.IsSetType() && !v.IsWhollyKnown() {
			return nil, "for_each is not known from the configuration alone; its instances are not judged"
		}
		if v.IsNull() || !(t.IsMapType() || t.IsObjectType() || t.IsSetType()) {
			return nil, fmt.Sprintf("for_each is %s, want a map or a set of strings; its instances are not judged", typeName(v))
		}
		var out []instanceKey
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if t.IsSetType() {
				k = ev
			}
			if k.Type() != cty.String {
				return nil, fmt.Sprintf("for_each is a set of %s, want a map or a set of strings; its instances are not judged", k.Type().FriendlyName())
			}
			out = append(out, instanceKey{suffix: fmt.Sprintf("[%q]", k.AsString()), key: k, value: ev})
		}
		return out, ""
	}
	return []instanceKey{{}}, ""
}

func typeName(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.Type().FriendlyName()
}
