package report

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// The plan format is shaped like `terraform show -json PLANFILE` (JSON
// output format 1.2) so tools that read Terraform plans (OPA/conftest,
// Sentinel-style policies, tfplan2md, jq scripts) can read drift. It
// answers "what would make the cloud match the state again":
//
//   - MISSING   -> actions ["create"]: apply would recreate it. before is
//     null; after holds nothing DriftMgr knows beyond the diffs (usually {}).
//   - MODIFIED  -> actions ["update"]: before holds the live values at the
//     differing paths, after the state values apply would restore.
//   - UNMANAGED -> actions ["no-op"] with change.importing.id set: Terraform
//     would neither create nor destroy it; adopting it is an import, which is
//     exactly how Terraform's own plan shows an import block that changes
//     nothing. driftctl printed "create" here, which tells a policy engine a
//     duplicate would be built; "no-op" + importing is the honest reading
//     and still lets a policy select unmanaged resources with
//     `change.importing`.
//
// before/after are partial objects: only the differing attributes, nested
// the way the paths say (ingress[2].cidr_blocks -> {"ingress":[null,null,
// {"cidr_blocks":...}]}); list positions that did not differ are null.
// provider_name is the short provider name from the Result ("aws"), not a
// registry address DriftMgr would have to guess. terraform_version is
// omitted: no Terraform ran. Findings without a Terraform address (unmanaged
// ones) get the driftctl-style address TYPE.ID.

const planFormatVersion = "1.2"

type tfPlan struct {
	FormatVersion   string           `json:"format_version"`
	Timestamp       string           `json:"timestamp,omitempty"`
	ResourceChanges []tfResourceChng `json:"resource_changes"`
}

type tfResourceChng struct {
	Address       string   `json:"address"`
	ModuleAddress string   `json:"module_address,omitempty"`
	Mode          string   `json:"mode"`
	Type          string   `json:"type"`
	Name          string   `json:"name"`
	Index         any      `json:"index,omitempty"`
	ProviderName  string   `json:"provider_name"`
	Change        tfChange `json:"change"`
}

type tfChange struct {
	Actions      []string     `json:"actions"`
	Before       any          `json:"before"`
	After        any          `json:"after"`
	AfterUnknown struct{}     `json:"after_unknown"`
	Importing    *tfImporting `json:"importing,omitempty"`
}

type tfImporting struct {
	ID string `json:"id"`
}

func writePlan(w io.Writer, res *drift.Result, opts Options) error {
	p := tfPlan{FormatVersion: planFormatVersion, ResourceChanges: []tfResourceChng{}}
	if !opts.GeneratedAt.IsZero() {
		p.Timestamp = opts.GeneratedAt.UTC().Format(time.RFC3339)
	}
	for _, f := range res.Findings {
		rc := tfResourceChng{Mode: "managed", Type: f.Type, ProviderName: f.Provider}
		rc.Address = f.Address
		if a, ok := parseAddress(f.Address); ok && a.typ == f.Type {
			rc.ModuleAddress, rc.Name, rc.Index = a.module, a.name, a.index
		} else {
			rc.Address, rc.Name = resourceName(f), f.ID
		}
		switch f.Kind {
		case drift.Missing:
			rc.Change.Actions = []string{"create"}
			rc.Change.After = partialObject(f.Diffs, func(d drift.Diff) any { return d.Expected })
		case drift.Unmanaged:
			rc.Change.Actions = []string{"no-op"}
			rc.Change.Before = map[string]any{}
			rc.Change.After = map[string]any{}
			rc.Change.Importing = &tfImporting{ID: f.ID}
		default:
			rc.Change.Actions = []string{"update"}
			rc.Change.Before = partialObject(f.Diffs, func(d drift.Diff) any { return d.Actual })
			rc.Change.After = partialObject(f.Diffs, func(d drift.Diff) any { return d.Expected })
		}
		p.ResourceChanges = append(p.ResourceChanges, rc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// partialObject nests the value side(d) of every diff at its path.
func partialObject(diffs []drift.Diff, side func(drift.Diff) any) map[string]any {
	root := map[string]any{}
	for _, d := range diffs {
		steps, ok := parsePath(d.Path)
		if !ok {
			// A path we cannot split stays a flat key rather than being
			// dropped or guessed at.
			root[string(d.Path)] = side(d)
			continue
		}
		setPath(root, steps, deepCopy(side(d)))
	}
	derefLists(root)
	return root
}

// deepCopy copies JSON-shaped values, so building a plan never writes into
// the Result's own maps and slices.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// step is one step of an attribute path: a key (field or map key) or a
// list index.
type step struct {
	key   string
	index int
	isIdx bool
}

// parsePath splits a resource.Path ("a.b[2].c", `tags["k.io/x"]`) into
// steps. The first step is always a key.
func parsePath(p resource.Path) ([]step, bool) {
	s := string(p)
	var out []step
	for s != "" {
		switch {
		case s[0] == '[':
			if len(s) > 1 && s[1] == '"' {
				q, err := strconv.QuotedPrefix(s[1:])
				if err != nil || len(s) < 2+len(q) || s[1+len(q)] != ']' {
					return nil, false
				}
				k, _ := strconv.Unquote(q)
				out = append(out, step{key: k})
				s = s[2+len(q):]
				continue
			}
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(s[1:end])
			if err != nil || n < 0 || n > 1<<16 {
				return nil, false
			}
			out = append(out, step{index: n, isIdx: true})
			s = s[end+1:]
		case s[0] == '.':
			if len(out) == 0 {
				return nil, false
			}
			s = s[1:]
			fallthrough
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			if end == 0 {
				return nil, false
			}
			out = append(out, step{key: s[:end]})
			s = s[end:]
		}
	}
	if len(out) == 0 || out[0].isIdx {
		return nil, false
	}
	return out, true
}

// setPath stores v at steps beneath m, creating maps and lists on the way.
// A later, deeper diff replaces a scalar an earlier diff left in its way.
func setPath(m map[string]any, steps []step, v any) {
	var cur any = m
	set := func(parent any, s step, child any) any {
		switch p := parent.(type) {
		case map[string]any:
			p[s.key] = child
		case *[]any:
			(*p)[s.index] = child
		}
		return child
	}
	for i, s := range steps {
		last := i == len(steps)-1
		var existing any
		switch c := cur.(type) {
		case map[string]any:
			existing = c[s.key]
		case *[]any:
			for len(*c) <= s.index {
				*c = append(*c, nil)
			}
			existing = (*c)[s.index]
		}
		if last {
			set(cur, s, v)
			break
		}
		next := steps[i+1]
		if next.isIdx {
			list, ok := existing.(*[]any)
			if !ok {
				list = &[]any{}
				set(cur, s, list)
			}
			cur = list
		} else {
			obj, ok := existing.(map[string]any)
			if !ok {
				obj = map[string]any{}
				set(cur, s, obj)
			}
			cur = obj
		}
	}
}

// derefLists replaces the *[]any setPath builds lists with by plain
// slices, once every diff is in place.
func derefLists(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = derefLists(e)
		}
		return t
	case *[]any:
		for i, e := range *t {
			(*t)[i] = derefLists(e)
		}
		return *t
	case []any:
		return t
	}
	return v
}

// tfAddress is a parsed Terraform resource address.
type tfAddress struct {
	module string // "module.net" or "module.a[0].module.b", "" for root
	typ    string
	name   string
	index  any // string for for_each, float64-compatible int for count, nil
}

// parseAddress splits module.net.aws_security_group.web["a"] into its
// module path, type, name and instance key. Data sources are refused: the
// plan only lists managed resources.
func parseAddress(addr string) (tfAddress, bool) {
	parts, ok := splitAddress(addr)
	if !ok {
		return tfAddress{}, false
	}
	var mod []string
	for len(parts) > 2 && stripKey(parts[0]) == "module" {
		if len(parts) < 4 {
			return tfAddress{}, false
		}
		mod = append(mod, parts[0]+"."+parts[1])
		parts = parts[2:]
	}
	if len(parts) != 2 || parts[0] == "data" {
		return tfAddress{}, false
	}
	name, key := parts[1], any(nil)
	if i := strings.IndexByte(name, '['); i >= 0 {
		raw := name[i+1 : len(name)-1]
		name = name[:i]
		if n, err := strconv.Atoi(raw); err == nil {
			key = n
		} else if s, err := strconv.Unquote(raw); err == nil {
			key = s
		} else {
			return tfAddress{}, false
		}
	}
	if name == "" || parts[0] == "" {
		return tfAddress{}, false
	}
	return tfAddress{module: strings.Join(mod, "."), typ: parts[0], name: name, index: key}, true
}

func stripKey(s string) string {
	if i := strings.IndexByte(s, '['); i >= 0 {
		return s[:i]
	}
	return s
}

// splitAddress splits at dots outside brackets and quotes, so
// web["a.b"] stays one part. module.x is split into "module", "x".
func splitAddress(addr string) ([]string, bool) {
	if addr == "" {
		return nil, false
	}
	var parts []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			parts = append(parts, addr[start:i])
			start = i + 1
		}
	}
	if inQuote || depth != 0 {
		return nil, false
	}
	return append(parts, addr[start:]), true
}
