package backendconfig

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// maxParentFolders bounds find_in_parent_folders, as Terragrunt does.
const maxParentFolders = 100

// maxReadDepth bounds nested read_terragrunt_config calls so a file that
// reads itself fails instead of recursing forever.
const maxReadDepth = 8

// stdFunctions are the Terraform built-ins most used in remote_state and
// locals; anything else is reported as unsupported.
var stdFunctions = map[string]function.Function{
	"basename":   pathFunc(filepath.Base),
	"dirname":    pathFunc(filepath.Dir),
	"can":        tryfunc.CanFunc,
	"coalesce":   stdlib.CoalesceFunc,
	"concat":     stdlib.ConcatFunc,
	"contains":   stdlib.ContainsFunc,
	"element":    stdlib.ElementFunc,
	"format":     stdlib.FormatFunc,
	"join":       stdlib.JoinFunc,
	"jsondecode": stdlib.JSONDecodeFunc,
	"jsonencode": stdlib.JSONEncodeFunc,
	"keys":       stdlib.KeysFunc,
	"length":     stdlib.LengthFunc,
	"lookup":     stdlib.LookupFunc,
	"lower":      stdlib.LowerFunc,
	"merge":      stdlib.MergeFunc,
	"regex":      stdlib.RegexFunc,
	"replace":    stdlib.ReplaceFunc,
	"split":      stdlib.SplitFunc,
	"substr":     stdlib.SubstrFunc,
	"title":      stdlib.TitleFunc,
	"trim":       stdlib.TrimFunc,
	"trimprefix": stdlib.TrimPrefixFunc,
	"trimspace":  stdlib.TrimSpaceFunc,
	"trimsuffix": stdlib.TrimSuffixFunc,
	"try":        tryfunc.TryFunc,
	"upper":      stdlib.UpperFunc,
	"values":     stdlib.ValuesFunc,
}

// terragruntFunctionNames lists the Terragrunt functions evaluated by
// (*tgEval).functions, so expressions can be checked before evaluation.
var terragruntFunctionNames = []string{
	"find_in_parent_folders", "path_relative_to_include", "path_relative_from_include",
	"get_terragrunt_dir", "get_original_terragrunt_dir", "get_parent_terragrunt_dir",
	"get_env", "read_terragrunt_config",
}

func isKnownFunction(name string) bool {
	if _, ok := stdFunctions[name]; ok {
		return true
	}
	for _, n := range terragruntFunctionNames {
		if n == name {
			return true
		}
	}
	return false
}

func pathFunc(f func(string) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(f(args[0].AsString())), nil
		},
	})
}

// stringFunc builds a function of up to len(optional) optional string
// arguments returning a string.
func stringFunc(optional []string, impl func(args []string) (string, error)) function.Function {
	spec := &function.Spec{
		Type: function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > len(optional) {
				return cty.NilVal, fmt.Errorf("takes at most %d arguments", len(optional))
			}
			ss := make([]string, len(args))
			for i, a := range args {
				ss[i] = a.AsString()
			}
			s, err := impl(ss)
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(s), nil
		},
	}
	if len(optional) > 0 {
		spec.VarParam = &function.Parameter{Name: "arg", Type: cty.String}
	}
	return function.New(spec)
}

// functions returns every function available while evaluating in scope s:
// the Terraform built-ins above and Terragrunt's own, whose paths are those
// of the leaf being evaluated (as in Terragrunt, included files evaluate in
// the context of the including leaf).
func (e *tgEval) functions(s tgScope) map[string]function.Function {
	fns := make(map[string]function.Function, len(stdFunctions)+len(terragruntFunctionNames))
	for k, v := range stdFunctions {
		fns[k] = v
	}
	leafDir := e.leaf.absDir

	fns["get_terragrunt_dir"] = stringFunc(nil, func([]string) (string, error) { return leafDir, nil })
	fns["get_original_terragrunt_dir"] = fns["get_terragrunt_dir"]

	fns["find_in_parent_folders"] = stringFunc([]string{"name", "fallback"}, func(args []string) (string, error) {
		name := "terragrunt.hcl"
		if len(args) > 0 && args[0] != "" {
			name = args[0]
		}
		dir := leafDir
		for range maxParentFolders {
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
			candidate := filepath.Join(dir, name)
			if _, err := os.Stat(candidate); err == nil {
				return candidate, nil
			}
		}
		if len(args) > 1 {
			return args[1], nil
		}
		return "", fmt.Errorf("no %s in any parent folder of %s", name, e.leaf.path)
	})

	fns["path_relative_to_include"] = stringFunc([]string{"name"}, func(args []string) (string, error) {
		inc, err := e.include(s, args)
		if err != nil || inc == nil {
			return ".", err
		}
		rel, err := filepath.Rel(filepath.Dir(inc.absPath), leafDir)
		return filepath.ToSlash(rel), err
	})
	fns["path_relative_from_include"] = stringFunc([]string{"name"}, func(args []string) (string, error) {
		inc, err := e.include(s, args)
		if err != nil || inc == nil {
			return ".", err
		}
		rel, err := filepath.Rel(leafDir, filepath.Dir(inc.absPath))
		return filepath.ToSlash(rel), err
	})
	fns["get_parent_terragrunt_dir"] = stringFunc([]string{"name"}, func(args []string) (string, error) {
		inc, err := e.include(s, args)
		if err != nil || inc == nil {
			return leafDir, err
		}
		return filepath.Dir(inc.absPath), nil
	})

	fns["get_env"] = function.New(&function.Spec{
		Params:   []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam: &function.Parameter{Name: "default", Type: cty.String},
		Type:     function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			if v, ok := e.opts.getenv(name); ok {
				return cty.StringVal(v), nil
			}
			switch len(args) {
			case 1:
				return cty.NilVal, fmt.Errorf("environment variable %s is not set and get_env has no default", name)
			case 2:
				return args[1], nil
			default:
				return cty.NilVal, fmt.Errorf("takes at most 2 arguments")
			}
		},
	})

	fns["read_terragrunt_config"] = function.New(&function.Spec{
		Params:   []function.Parameter{{Name: "path", Type: cty.String}},
		VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType},
		Type:     function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, fmt.Errorf("takes at most 2 arguments")
			}
			p := args[0].AsString()
			if !filepath.IsAbs(p) {
				p = filepath.Join(leafDir, p)
			}
			if _, err := os.Stat(p); err != nil && len(args) == 2 {
				return args[1], nil
			}
			return e.readConfig(p, s)
		},
	})
	return fns
}

// include picks the include a path function refers to: the named one, else
// the included file being evaluated, else the leaf's first include. It
// returns nil when the leaf includes nothing.
func (e *tgEval) include(s tgScope, args []string) (*tgInclude, error) {
	if len(args) > 0 && args[0] != "" {
		for i := range e.includes {
			if e.includes[i].name == args[0] {
				return &e.includes[i], nil
			}
		}
		return nil, fmt.Errorf("no include block named %q", args[0])
	}
	if s.include != nil {
		return s.include, nil
	}
	if len(e.includes) > 0 {
		return &e.includes[0], nil
	}
	return nil, nil
}

// readConfig implements read_terragrunt_config: the file's locals, as an
// object {locals = {...}}, evaluated in the current leaf's context.
func (e *tgEval) readConfig(absPath string, s tgScope) (cty.Value, error) {
	if s.depth >= maxReadDepth {
		return cty.NilVal, fmt.Errorf("read_terragrunt_config nested more than %d deep", maxReadDepth)
	}
	// Results are cached per leaf and the files being read are tracked, so
	// files reading each other (possibly under try()) cost one evaluation
	// each instead of growing exponentially with depth.
	key := absPath
	if s.include != nil {
		key += "\x00" + s.include.absPath
	}
	if r, ok := e.reads[key]; ok {
		return r.v, r.err
	}
	if e.reading[key] {
		return cty.NilVal, fmt.Errorf("read_terragrunt_config cycle through %s", e.w.display(absPath))
	}
	if e.reading == nil {
		e.reading, e.reads = map[string]bool{}, map[string]readResult{}
	}
	e.reading[key] = true
	defer delete(e.reading, key)

	v, err := func() (cty.Value, error) {
		cfg, err := e.w.parse(absPath)
		if err != nil {
			return cty.NilVal, err
		}
		locals, err := e.locals(cfg, tgScope{include: s.include, depth: s.depth + 1})
		if err != nil {
			return cty.NilVal, err
		}
		return cty.ObjectVal(map[string]cty.Value{"locals": cty.ObjectVal(locals)}), nil
	}()
	e.reads[key] = readResult{v, err}
	return v, err
}

type readResult struct {
	v   cty.Value
	err error
}
