// Package filter implements --filter: a JMESPath expression evaluated on
// each resource, which the scan keeps when the result is truthy. *Filter
// implements drift.Filter.
//
// The expression sees each resource as
//
//	{type, id, provider, account, region, address, attrs, tags}
//
// and, so that driftctl filters keep working unchanged, also as driftctl
// exposed it:
//
//	{Type, Id, Attr}
//
// where Attr is attrs (Terraform attribute names, as driftctl's were) with
// the resource's tags added under Attr.Tags unless an attribute of that
// name exists. Examples:
//
//	type=='aws_s3_bucket' && tags.env=='prod'
//	starts_with(type, 'aws_iam_') && region!='us-east-1'
//	Type=='aws_s3_bucket' && Id!='my-bucket'
//	Attr.Tags.Terraform=='true'
//
// Truthiness is JMESPath's: false, null, "", [] and {} are false; every
// other value, 0 included, is true. An expression that fails on a resource
// (a function given the wrong type, say) does not match it; Errors counts
// such failures and Err keeps the first, so the CLI can warn once.
package filter

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jmespath/go-jmespath"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// MaxExprBytes bounds a filter expression.
const MaxExprBytes = 4 << 10

var (
	// ErrSyntax marks an expression that does not compile.
	ErrSyntax = errors.New("filter: invalid expression")
	// ErrTooLong marks an expression over MaxExprBytes.
	ErrTooLong = errors.New("filter: expression too long")
	// ErrEval marks an evaluation that failed on one resource.
	ErrEval = errors.New("filter: evaluation failed")
)

// Filter is a compiled --filter expression. It is safe for concurrent use.
type Filter struct {
	expr string
	jp   *jmespath.JMESPath
	// fields are the document keys the expression may read; the others
	// are not built, which saves boxing every string of every resource.
	fields fieldSet

	errs     atomic.Int64
	firstMu  sync.Mutex
	firstErr error
}

const example = `type=='aws_s3_bucket' && tags.env=='prod'`

// Compile parses expr once for use on every resource.
func Compile(expr string) (f *Filter, err error) {
	if len(expr) > MaxExprBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(expr), MaxExprBytes)
	}
	if strings.TrimSpace(expr) == "" {
		return nil, fmt.Errorf("%w: empty expression, expected a JMESPath expression such as %s", ErrSyntax, example)
	}
	defer func() {
		// The parser is third-party code fed user input: a panic in it is
		// a rejected expression, not a crashed scan.
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("%w: %q: the JMESPath parser failed (%v), expected a JMESPath expression such as %s", ErrSyntax, expr, p, example)
		}
	}()
	jp, err := jmespath.Compile(expr)
	if err != nil {
		var se jmespath.SyntaxError
		if errors.As(err, &se) {
			msg := strings.TrimPrefix(se.Error(), "SyntaxError: ")
			return nil, fmt.Errorf("%w: %q: at offset %d: %s; expected a JMESPath expression such as %s\n\t%s",
				ErrSyntax, expr, se.Offset, msg, example, strings.ReplaceAll(se.HighlightLocation(), "\n", "\n\t"))
		}
		return nil, fmt.Errorf("%w: %q: %v", ErrSyntax, expr, err)
	}
	return &Filter{expr: expr, jp: jp, fields: fieldsOf(expr)}, nil
}

// String returns the expression.
func (f *Filter) String() string { return f.expr }

// Errors returns how many evaluations failed so far.
func (f *Filter) Errors() int { return int(f.errs.Load()) }

// Err returns the first evaluation failure, or nil.
func (f *Filter) Err() error {
	f.firstMu.Lock()
	defer f.firstMu.Unlock()
	return f.firstErr
}

// Match reports whether the expression is truthy on r. A failed
// evaluation is no match, counted by Errors.
func (f *Filter) Match(r *resource.Resource) (ok bool) {
	if r == nil {
		return false
	}
	d := getDoc()
	defer putDoc(d)
	d.fill(r, f.fields)
	defer func() {
		if p := recover(); p != nil {
			f.fail(r, fmt.Errorf("panic in JMESPath: %v", p))
			ok = false
		}
	}()
	v, err := f.jp.Search(d.root)
	if err != nil {
		f.fail(r, err)
		return false
	}
	return truthy(v)
}

func (f *Filter) fail(r *resource.Resource, err error) {
	if f.errs.Add(1) == 1 {
		f.firstMu.Lock()
		f.firstErr = fmt.Errorf("%w: filter %q on %s: %v", ErrEval, f.expr, r, err)
		f.firstMu.Unlock()
	}
}

// truthy is JMESPath truthiness.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

var _ drift.Filter = (*Filter)(nil)
