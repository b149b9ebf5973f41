package regopolicy

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
)

// Options tune Evaluate.
type Options struct {
	// Workers bounds the goroutines evaluating (default GOMAXPROCS).
	Workers int
}

// chunk is how many resources one worker takes at a time.
const chunk = 256

// Evaluate runs the set's policies over rs: each resource is converted to
// Rego input once and evaluated by the prepared query of every policy
// whose declared types include its type (and of every policy that
// declares none). A policy that errors on a resource fails the whole
// evaluation: a policy that cannot decide must not read as passed.
func (s *Set) Evaluate(ctx context.Context, rs []resource.Resource, opts Options) ([]scan.Result, error) {
	if len(s.Policies) == 0 {
		return nil, nil
	}
	var rel *relIndex
	if len(s.related) > 0 {
		rel = newRelIndex(rs, s.related)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nChunks := (len(rs) + chunk - 1) / chunk
	out := make([][]scan.Result, nChunks)
	errs := make([]error, nChunks)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				lo := i * chunk
				out[i], errs[i] = s.evalChunk(ctx, rs[lo:min(lo+chunk, len(rs))], rel)
			}
		}()
	}
	for i := 0; i < nChunks; i++ {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var all []scan.Result
	for i := range out {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all = append(all, out[i]...)
	}
	return all, nil
}

func (s *Set) evalChunk(ctx context.Context, rs []resource.Resource, rel *relIndex) ([]scan.Result, error) {
	var out []scan.Result
	for i := range rs {
		r := &rs[i]
		typed := s.byType[r.Type]
		if len(typed) == 0 && len(s.anyType) == 0 {
			continue
		}
		input, err := ast.InterfaceToValue(Input(r, rel.related(r)))
		if err != nil {
			return nil, fmt.Errorf("policy input for %s: %w", r, err)
		}
		for _, group := range [2][]*Policy{typed, s.anyType} {
			for _, p := range group {
				res, err := p.eval(ctx, r, input, len(p.Types) > 0)
				if err != nil {
					return nil, err
				}
				if res != nil {
					out = append(out, *res)
				}
			}
		}
	}
	return out, nil
}

// eval judges one resource; typed policies report passes too.
func (p *Policy) eval(ctx context.Context, r *resource.Resource, input ast.Value, typed bool) (*scan.Result, error) {
	rs, err := p.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("policy %s (%s:%d) on %s: %w", p.ID, p.File, p.Line, r, err)
	}
	var msgs []any
	for _, res := range rs {
		for _, e := range res.Expressions {
			if l, ok := e.Value.([]any); ok {
				msgs = append(msgs, l...)
			}
		}
	}
	res := &scan.Result{CheckID: p.ID, Title: p.Title, Severity: p.Severity, Provider: r.Provider, Type: r.Type, ID: r.ID,
		Address: r.Address, Account: r.Account, Region: r.Region, Source: r.Source, Origin: r.Origin}
	if len(msgs) == 0 {
		if !typed {
			return nil, nil
		}
		res.Status, res.Message, res.Evidence = scan.Pass, "no "+p.Package+" rule denies this resource", []scan.Evidence{{Path: resource.Path("type"), Value: r.Type}}
		return res, nil
	}
	res.Status = scan.Fail
	var texts []string
	seen := map[resource.Path]bool{}
	for _, m := range msgs {
		text, ev := message(p, r, m)
		texts = append(texts, text)
		for _, e := range ev {
			// Two messages about one attribute cite it once.
			if _, isText := e.Value.(string); !seen[e.Path] || isText && e.Path == resource.Path("policy "+p.Package) {
				seen[e.Path] = true
				res.Evidence = append(res.Evidence, e)
			}
		}
	}
	sort.Strings(texts)
	res.Message = strings.Join(texts, "; ")
	return res, nil
}

// message reads one deny value: a string, or an object with msg (or
// message) and path or paths naming the attributes that decided it.
func message(p *Policy, r *resource.Resource, m any) (string, []scan.Evidence) {
	switch t := m.(type) {
	case string:
		return t, []scan.Evidence{{Path: resource.Path("policy " + p.Package), Value: t}}
	case map[string]any:
		text, _ := t["msg"].(string)
		if text == "" {
			text, _ = t["message"].(string)
		}
		var paths []any
		if v, ok := t["path"]; ok {
			paths = append(paths, v)
		}
		if l, ok := t["paths"].([]any); ok {
			paths = append(paths, l...)
		}
		var ev []scan.Evidence
		for _, pv := range paths {
			pth, val := lookup(r, pv)
			e := scan.Evidence{Path: pth, Value: val}
			if val != nil && resource.IsSensitive(pth, r.Sensitive) {
				e.Value = resource.Redacted
			}
			ev = append(ev, e)
		}
		if text == "" {
			text = fmt.Sprint(m)
		}
		if ev == nil {
			ev = []scan.Evidence{{Path: resource.Path("policy " + p.Package), Value: text}}
		}
		return text, ev
	}
	s := fmt.Sprint(m)
	return s, []scan.Evidence{{Path: resource.Path("policy " + p.Package), Value: s}}
}

// lookup follows a path given as "a.b[0].c" or ["a", "b", 0, "c"] into
// the resource's attributes; an absent value is nil.
func lookup(r *resource.Resource, pv any) (resource.Path, any) {
	var steps []any
	switch t := pv.(type) {
	case string:
		for _, part := range strings.Split(t, ".") {
			name, rest, _ := strings.Cut(part, "[")
			if name != "" {
				steps = append(steps, name)
			}
			for rest != "" {
				idx, after, _ := strings.Cut(rest, "]")
				if n, err := strconv.Atoi(idx); err == nil {
					steps = append(steps, float64(n))
				} else {
					steps = append(steps, strings.Trim(idx, `"`))
				}
				rest = strings.TrimPrefix(after, "[")
			}
		}
	case []any:
		steps = t
	}
	var pth resource.Path
	var cur any = r.Attrs
	for _, st := range steps {
		switch k := st.(type) {
		case string:
			pth = pth.Field(k)
			m, _ := cur.(map[string]any)
			cur = m[k]
		default:
			n, _ := k.(float64)
			if jn, ok := st.(interface{ Int64() (int64, error) }); ok {
				i, _ := jn.Int64()
				n = float64(i)
			}
			pth = pth.Index(int(n))
			l, _ := cur.([]any)
			if int(n) >= 0 && int(n) < len(l) {
				cur = l[int(n)]
			} else {
				cur = nil
			}
		}
	}
	return pth, cur
}

// Input is the document a policy sees as input, for one resource:
//
//	{"resource": {"provider", "type", "id", "account", "region", "address",
//	              "source", "origin", "attributes", "tags"},
//	 "related": {"TYPE": [resource, ...]}}
//
// Attributes are Terraform's names and shapes (nested blocks as lists of
// objects); values at sensitive paths are redacted. related carries, for
// the types a policy lists in related_types, the resources that name this
// one (by id, arn, name or bucket) or that it names.
func Input(r *resource.Resource, related map[string][]*resource.Resource) map[string]any {
	rel := map[string]any{}
	for t, rs := range related {
		l := make([]any, 0, len(rs))
		for _, x := range rs {
			l = append(l, resourceDoc(x))
		}
		rel[t] = l
	}
	return map[string]any{"resource": resourceDoc(r), "related": rel}
}

func resourceDoc(r *resource.Resource) map[string]any {
	attrs := r.Attrs
	if len(r.Sensitive) > 0 {
		attrs = resource.RedactAttrs(r.Attrs, r.Sensitive)
	}
	if attrs == nil {
		attrs = map[string]any{}
	}
	tags := make(map[string]any, len(r.Tags))
	for k, v := range r.Tags {
		tags[k] = v
	}
	return map[string]any{"provider": r.Provider, "type": r.Type, "id": r.ID, "account": r.Account, "region": r.Region,
		"address": r.Address, "source": string(r.Source), "origin": r.Origin, "attributes": attrs, "tags": tags}
}

// relIndex finds related resources of the types some policy asked for.
type relIndex struct {
	byValue map[string][]*resource.Resource // top-level string attribute value -> resources of related types
	byID    map[string][]*resource.Resource
}

func newRelIndex(rs []resource.Resource, types map[string]bool) *relIndex {
	ix := &relIndex{byValue: map[string][]*resource.Resource{}, byID: map[string][]*resource.Resource{}}
	for i := range rs {
		r := &rs[i]
		if !types[r.Type] {
			continue
		}
		ix.byID[r.ID] = append(ix.byID[r.ID], r)
		seen := map[string]bool{}
		for _, v := range r.Attrs {
			if s, ok := v.(string); ok && s != "" && !seen[s] {
				seen[s] = true
				ix.byValue[s] = append(ix.byValue[s], r)
			}
		}
	}
	return ix
}

var identity = []string{"id", "arn", "name", "bucket"}

func (ix *relIndex) related(r *resource.Resource) map[string][]*resource.Resource {
	if ix == nil {
		return nil
	}
	out := map[string][]*resource.Resource{}
	seen := map[*resource.Resource]bool{r: true}
	add := func(x *resource.Resource) {
		if !seen[x] {
			seen[x] = true
			out[x.Type] = append(out[x.Type], x)
		}
	}
	keys := []string{r.ID}
	for _, a := range identity {
		if s, ok := r.Attrs[a].(string); ok && s != "" {
			keys = append(keys, s)
		}
	}
	for _, k := range keys {
		for _, x := range ix.byValue[k] {
			add(x)
		}
	}
	for _, v := range r.Attrs {
		if s, ok := v.(string); ok && s != "" {
			for _, x := range ix.byID[s] {
				add(x)
			}
		}
	}
	return out
}
