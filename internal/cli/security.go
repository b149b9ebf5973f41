package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/agent/stateload"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/filter"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/scan"
	"github.com/driftmgr/driftmgr/internal/scan/regopolicy"
	"github.com/driftmgr/driftmgr/internal/tfstate"
)

// errSecurityFindings makes `security scan` exit 1 (failures at or above
// --fail-on) without printing an error.
var errSecurityFindings = fmt.Errorf("security findings: %w", errDrift)

// securityNow is the scan clock (key ages, mutelist expiry); tests pin it.
var securityNow = time.Now

type securityFlags struct {
	scan     scanFlags
	mutelist string
	failOn   string
	all      bool
	now      func() time.Time
	tf       tfFlags
	policies []string
}

func newSecurityCmd(s Streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "security",
		Short: "Security and compliance scanning (CIS AWS/Azure/GCP, IAM analysis, secrets, drift that weakened security)",
	}
	c.AddCommand(newSecurityScanCmd(s), newSecurityChecksCmd(s))
	return c
}

func newSecurityChecksCmd(s Streams) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "checks [-o table|json]",
		Short: "List the built-in checks with their severities and CIS, Checkov, Prowler and Security Hub references",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			checks := append(scan.Builtin(), scan.SecretChecks()...)
			switch format {
			case "json":
				enc := json.NewEncoder(s.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(checks)
			case "table":
				tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE\tCIS")
				for _, c := range checks {
					var refs []string
					for _, f := range c.Frameworks() {
						if ids := c.Refs.CIS[f]; len(ids) > 0 {
							refs = append(refs, strings.TrimPrefix(string(f), "CIS ")+" "+strings.Join(ids, ","))
						}
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Title, strings.Join(refs, "; "))
				}
				return tw.Flush()
			}
			return fmt.Errorf("--output %q: want table or json", format)
		},
	}
	c.Flags().StringVarP(&format, "output", "o", "table", "table or json")
	return c
}

func newSecurityScanCmd(s Streams) *cobra.Command {
	f := &securityFlags{now: func() time.Time { return securityNow() }}
	c := &cobra.Command{
		Use:   "scan [--state SOURCE...] [--provider aws|azure|gcp | --live FILE] [flags]",
		Short: "Run the built-in security checks over state and/or the live cloud",
		Long: `Run the built-in security checks (CIS AWS Foundations, CIS Azure, CIS GCP, IAM
policy analysis, secrets detection) over the live cloud (--provider, --live) or,
without a live side, over Terraform state (--state). With both, drift is computed
too, and a drift that made a passing check fail is reported as its own finding
(DM-DRIFT-...): "this drift opened port 22 to the world".

Output formats (--output FORMAT[=PATH], repeatable): table (default), json,
sarif, junit, csv, html.

Terraform configuration (--tf DIR, repeatable): the *.tf files of DIR are
parsed and evaluated without Terraform (variables with -var/-var-file and
their defaults, locals, references between resources); a value known only
after apply is left out and not judged; provider defaults the checks read are
applied. Findings point at FILE:LINE of the resource block.

Custom policies (--policy DIR, repeatable): Rego (OPA v1) modules with deny or
violation rules over input.resource; see examples/policies/README.md. Their
results join the built-in ones: same outputs, same mutelist, same exit code.

Mutelist (--mutelist FILE): YAML entries with check, resource (patterns with *),
reason, owner and expires; an expired entry mutes nothing and is reported.

Exit code: 0 no unmuted failure at or above --fail-on, 1 failures, 2 error.`,
		Example: `  driftmgr security scan --provider aws --simulate examples/aws/world.json --state examples/aws/terraform.tfstate
  driftmgr security scan --state examples/azure/terraform.tfstate -o sarif=security.sarif
  driftmgr security scan --provider aws --region all --mutelist mutelist.yaml --fail-on critical
  driftmgr security scan --tf examples/security/tf -o sarif=security.sarif`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSecurityScan(cmd.Context(), s, f) },
	}
	fl := c.Flags()
	sf := &f.scan
	fl.StringArrayVar(&sf.states, "state", nil, "state source (repeatable); with no live side, default: found from the configuration in --dir")
	fl.StringArrayVar(&sf.live, "live", nil, "live inventory file, a JSON array of resources (repeatable)")
	fl.StringVar(&sf.driftignore, "driftignore", "", "ignore file in .driftignore syntax, for the drift side")
	fl.StringVar(&sf.config, "config", "", "driftmgr.yaml with ignore rules, for the drift side")
	fl.StringVar(&sf.filter, "filter", "", "JMESPath expression selecting the resources to scan")
	fl.StringArrayVarP(&sf.outputs, "output", "o", nil, "output FORMAT[=PATH] (repeatable): "+strings.Join(scan.Formats, ", "))
	fl.StringVar(&f.mutelist, "mutelist", "", "YAML mutelist of accepted failures")
	fl.StringVar(&f.failOn, "fail-on", "high", "lowest severity of an unmuted failure that makes the exit code 1: critical, high, medium, low, info")
	fl.BoolVar(&f.all, "all", false, "list passing results in the table too")
	f.tf.register(fl)
	fl.StringArrayVar(&f.policies, "policy", nil, "directory of custom Rego policies (repeatable); their results join the built-in ones")
	sf.sourceFlags.register(fl)
	sf.discover.register(fl)
	return c
}

type securityOutput struct{ format, path string }

func parseSecurityOutputs(specs []string) ([]securityOutput, error) {
	if len(specs) == 0 {
		return []securityOutput{{format: "table"}}, nil
	}
	var outs []securityOutput
	stdout := 0
	for _, spec := range specs {
		name, p, _ := strings.Cut(spec, "=")
		ok := false
		for _, f := range scan.Formats {
			ok = ok || f == name
		}
		if !ok {
			return nil, fmt.Errorf("--output %q: unknown format %q (want one of %s)", spec, name, strings.Join(scan.Formats, ", "))
		}
		if p == "" || p == "-" {
			p = ""
			stdout++
		}
		outs = append(outs, securityOutput{format: name, path: p})
	}
	if stdout > 1 {
		return nil, fmt.Errorf("--output: %d formats write to stdout; give all but one a path (FORMAT=PATH)", stdout)
	}
	return outs, nil
}

func runSecurityScan(ctx context.Context, s Streams, f *securityFlags) error {
	outs, err := parseSecurityOutputs(f.scan.outputs)
	if err != nil {
		return err
	}
	failOn, ok := scan.ParseSeverity(f.failOn)
	if !ok {
		return fmt.Errorf("--fail-on %q: want critical, high, medium, low or info", f.failOn)
	}
	var ml *scan.Mutelist
	if f.mutelist != "" {
		data, err := os.ReadFile(f.mutelist)
		if err != nil {
			return fmt.Errorf("read mutelist: %w", err)
		}
		if ml, err = scan.ParseMutelist(f.mutelist, data); err != nil {
			return err
		}
	}
	var policies *regopolicy.Set
	if len(f.policies) > 0 {
		if policies, err = regopolicy.LoadDirs(ctx, f.policies); err != nil {
			return err
		}
	}
	prog := newProgress(s.Err, isTerminal(s.Err))
	prog.set("finding state sources")
	prog.start()
	defer prog.stop()
	var in *scan.Input
	var skips []discovery.Skip
	if len(f.tf.dirs) > 0 {
		in, err = f.tf.collect(&f.scan)
	} else {
		in, skips, err = f.scan.collect(ctx, prog)
	}
	if err != nil {
		return err
	}
	in.Mutelist, in.Now = ml, f.now().UTC()
	if policies != nil {
		judged := in.Live
		if len(judged) == 0 {
			judged = in.State
		}
		prog.set("evaluating %d custom policies over %d resources", len(policies.Policies), len(judged))
		if in.Custom, err = policies.Evaluate(ctx, judged, regopolicy.Options{}); err != nil {
			return err
		}
		in.CustomChecks = policies.Checks()
	}
	prog.set("running security checks")
	rep := scan.Run(*in)
	f.tf.locate(rep)
	prog.stop()
	// A scope discovery could not read has no results, which must not
	// read as "passed": say so.
	reportSkips(s.Err, skips)
	f.tf.reportSkipped(s.Err)
	for _, e := range rep.ExpiredMutes {
		fmt.Fprintf(s.Err, "warning: mutelist %s:%d (%s %s, owner %s) expired %s and mutes nothing\n", f.mutelist, e.Line(), e.Check, e.Resource, e.Owner, e.Expires)
	}
	opts := scan.WriteOptions{ToolVersion: Version, All: f.all}
	for _, o := range outs {
		if o.path == "" {
			if err := scan.Write(s.Out, o.format, rep, opts); err != nil {
				return err
			}
			continue
		}
		var buf bytes.Buffer
		if err := scan.Write(&buf, o.format, rep, opts); err != nil {
			return err
		}
		if err := os.WriteFile(o.path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s report: %w", o.format, err)
		}
	}
	if rep.FailsAtOrAbove(failOn) {
		return errSecurityFindings
	}
	return nil
}

// collect reads what a security scan judges: the states (when any are
// named or found), the live side (--live, --provider) and, with both,
// their drift. It is scanFlags.compute's pipeline keeping the resources,
// which the security checks need and compute's outcome does not carry.
func (f *scanFlags) collect(ctx context.Context, prog *progress) (*scan.Input, []discovery.Skip, error) {
	in := &scan.Input{}
	var skips []discovery.Skip
	var flt *filter.Filter
	if f.filter != "" {
		var err error
		if flt, err = filter.Compile(f.filter); err != nil {
			return nil, nil, err
		}
	}
	haveLive := len(f.live) > 0 || f.discover.enabled()
	if len(f.states) > 0 || !haveLive {
		lopts, err := f.loadOptions()
		if err != nil {
			return nil, nil, err
		}
		sources, err := f.sources(ctx, f.states)
		if err != nil {
			return nil, nil, err
		}
		if len(sources) == 0 && !haveLive {
			return nil, nil, errors.New("security scan: nothing to scan: pass --state SOURCE, --provider aws|azure|gcp or --live FILE")
		}
		lopts.Progress = func(p stateload.Progress) {
			prog.set("reading states: %d/%d sources, %d documents, %d resources", p.SourcesDone, p.Sources, p.Documents, p.Resources)
		}
		loaded, err := stateload.Load(ctx, sources, lopts)
		if err != nil {
			return nil, nil, err
		}
		in.State = loaded.Resources
		in.Outputs = localOutputs(sources)
	}
	live, err := loadLive(f.live)
	if err != nil {
		return nil, nil, err
	}
	if f.discover.enabled() {
		found, err := f.discover.discoverLive(ctx, prog)
		if err != nil {
			return nil, nil, err
		}
		live = append(live, found.Resources...)
		skips = found.Skipped
	}
	in.Live = live
	if flt != nil {
		in.State, in.Live = keep(in.State, flt), keep(in.Live, flt)
		if n := flt.Errors(); n > 0 {
			fmt.Fprintf(prog.w, "warning: --filter could not be evaluated on %d resources; they were left out\n", n)
		}
	}
	if len(in.State) > 0 && len(in.Live) > 0 {
		rules, err := loadIgnore(f)
		if err != nil {
			return nil, nil, err
		}
		opts := drift.Options{}
		if rules != nil {
			opts.Ignore = rules
		}
		prog.set("comparing %d state resources with %d live resources", len(in.State), len(in.Live))
		in.Drift = drift.Compare(in.State, in.Live, opts)
	}
	return in, skips, nil
}

func keep(rs []resource.Resource, flt *filter.Filter) []resource.Resource {
	out := rs[:0:0]
	for i := range rs {
		if flt.Match(&rs[i]) {
			out = append(out, rs[i])
		}
	}
	return out
}

// localOutputs reads the outputs of state sources that are local files,
// for secret scanning (the state loader keeps resources only).
func localOutputs(sources []string) []scan.StateOutput {
	var out []scan.StateOutput
	for _, src := range sources {
		st, err := os.Stat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			continue
		}
		doc, err := tfstate.Parse(src, data, tfstate.Limits{})
		if err != nil {
			continue
		}
		for _, name := range resource.SortedKeys(doc.Outputs) {
			o := doc.Outputs[name]
			out = append(out, scan.StateOutput{Origin: src, Name: name, Value: o.Value, Sensitive: o.Sensitive})
		}
	}
	return out
}
