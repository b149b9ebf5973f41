package regopolicy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test rule (test_...).
type TestResult struct {
	Package  string        `json:"package"`
	Name     string        `json:"name"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Pass     bool          `json:"pass"`
	Skipped  bool          `json:"skipped,omitempty"`
	Error    string        `json:"error,omitempty"`
	Output   string        `json:"output,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// RunTests runs the test_ rules of the .rego files under dirs (policies
// and their *_test.rego files together), in file and line order. The
// policies must load as policies too: a test suite over a policy that
// would be rejected at scan time does not pass.
func RunTests(ctx context.Context, dirs []string) ([]TestResult, error) {
	files, err := Files(dirs, true)
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
	policies := map[string]*ast.Module{}
	for f, m := range mods {
		if !strings.HasSuffix(f, "_test.rego") {
			policies[f] = m.Copy()
		}
	}
	if _, err := Compile(ctx, policies); err != nil {
		return nil, err
	}
	ch, err := tester.NewRunner().SetStore(inmem.New()).CapturePrintOutput(true).SetModules(mods).RunTests(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrPolicy, astError(err))
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{Package: strings.TrimPrefix(r.Package, "data."), Name: r.Name, Pass: r.Pass(), Skipped: r.Skip,
			Output: string(r.Output), Duration: r.Duration}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
		}
		if r.Error != nil {
			tr.Error = astError(r.Error)
		}
		out = append(out, tr)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}
