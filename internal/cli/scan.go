package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/agent/stateload"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/filter"
	"github.com/driftmgr/driftmgr/internal/ignore"
	"github.com/driftmgr/driftmgr/internal/report"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// scanFlags are the flags of `driftmgr scan`. Live inventories come from
// --live files today; live discovery adds --provider beside it, and both
// feed the same list of live resources.
type scanFlags struct {
	sourceFlags
	discover    discoverFlags
	states      []string
	live        []string
	driftignore string
	config      string
	filter      string
	outputs     []string
	noColor     bool
}

func newScanCmd(s Streams) *cobra.Command {
	f := &scanFlags{}
	c := &cobra.Command{
		Use:   "scan [--state SOURCE...] (--provider aws|azure|gcp | --live FILE) [flags]",
		Short: "Compare Terraform state with the live cloud and report drift",
		Long: `Compare Terraform state with the live cloud and report drift.

State sources (--state, repeatable): a file, a directory (every **/*.tfstate),
a glob, s3://BUCKET/KEY, gs://BUCKET/OBJECT, azurerm://ACCOUNT/CONTAINER/BLOB,
http(s)://URL or tfcloud://ORG/WORKSPACE; keys and workspaces may be globs.
Without --state, the backend/cloud blocks of *.tf in the working directory and
Terragrunt remote_state blocks below it name the states.

Output formats (--output FORMAT[=PATH], repeatable): table (default), json,
sarif, junit, html, markdown, plan. Without PATH (or with -) to stdout.

Exit code: 0 in sync, 1 drift found, 2 error.`,
		Example: `  driftmgr scan --state examples/terraform.tfstate --live examples/live.json
  driftmgr scan --state s3://acme-tfstate/**/*.tfstate --live inventory.json --output json=drift.json --output html=drift.html
  driftmgr scan --provider aws --region all --state s3://acme-tfstate/**/*.tfstate
  driftmgr scan --provider aws --simulate examples/aws/world.json --state examples/aws/terraform.tfstate
  driftmgr scan --live live.json --filter "type=='aws_s3_bucket'"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runScan(cmd.Context(), s, f) },
	}
	fl := c.Flags()
	fl.StringArrayVar(&f.states, "state", nil, "state source (repeatable); default: found from the configuration in --dir")
	fl.StringArrayVar(&f.live, "live", nil, "live inventory file, a JSON array of resources (repeatable)")
	fl.StringVar(&f.driftignore, "driftignore", "", "ignore file in .driftignore syntax (default: .driftignore in the working directory, if present)")
	fl.StringVar(&f.config, "config", "", "driftmgr.yaml with ignore rules")
	fl.StringVar(&f.filter, "filter", "", "JMESPath expression over {type, id, provider, account, region, address, attrs, tags}")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "output FORMAT[=PATH] (repeatable)")
	fl.BoolVar(&f.noColor, "no-color", false, "never colour the table output")
	f.sourceFlags.register(fl)
	f.discover.register(fl)
	return c
}

type output struct {
	format report.Format
	path   string
}

func parseOutputs(specs []string) ([]output, error) {
	if len(specs) == 0 {
		return []output{{format: report.Format("table")}}, nil
	}
	var outs []output
	stdout := 0
	for _, spec := range specs {
		name, path, _ := strings.Cut(spec, "=")
		if n, p, ok := strings.Cut(spec, "://"); ok && !strings.Contains(n, "=") {
			name, path = n, p // driftctl's json://path form
		}
		f, err := report.ParseFormat(name)
		if err != nil {
			return nil, fmt.Errorf("--output %q: %w", spec, err)
		}
		if path == "" || path == "-" {
			path = ""
			stdout++
		}
		outs = append(outs, output{format: f, path: path})
	}
	if stdout > 1 {
		return nil, fmt.Errorf("--output: %d formats write to stdout; give all but one a path (FORMAT=PATH)", stdout)
	}
	return outs, nil
}

// loadIgnore reads the ignore rules from --driftignore (or ./.driftignore)
// and --config.
func loadIgnore(f *scanFlags) (*ignore.Rules, error) {
	var rules *ignore.Rules
	path := f.driftignore
	if path == "" {
		if _, err := os.Stat(".driftignore"); err == nil {
			path = ".driftignore"
		}
	}
	if path != "" {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read driftignore: %w", err)
		}
		defer fh.Close()
		rules, err = ignore.ParseDriftignore(path, fh)
		if err != nil {
			return nil, err
		}
	}
	if f.config != "" {
		data, err := os.ReadFile(f.config)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		y, err := ignore.ParseYAML(f.config, data)
		if err != nil {
			return nil, err
		}
		rules = rules.Merge(y)
	}
	return rules, nil
}

func loadLive(files []string) ([]resource.Resource, error) {
	var all []resource.Resource
	for _, path := range files {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read inventory: %w", err)
		}
		rs, err := resource.DecodeInventory(path, fh, resource.InventoryLimits{})
		fh.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, rs...)
	}
	return all, nil
}

func runScan(ctx context.Context, s Streams, f *scanFlags) error {
	outs, err := parseOutputs(f.outputs)
	if err != nil {
		return err
	}
	prog := newProgress(s.Err, isTerminal(s.Err))
	prog.set("finding state sources")
	prog.start()
	defer prog.stop()
	out, err := f.compute(ctx, prog)
	if err != nil {
		return err
	}
	prog.stop()
	reportSkips(s.Err, out.skips)
	if out.filterErrors > 0 {
		fmt.Fprintf(s.Err, "warning: --filter could not be evaluated on %d resources; they were left out\n", out.filterErrors)
	}
	ropts := report.Options{ToolVersion: Version, Sources: out.sources}
	for _, o := range outs {
		if err := writeOutput(s, o, out.result, ropts, f.noColor); err != nil {
			return err
		}
	}
	if out.result.HasDrift() {
		return errDrift
	}
	return nil
}

// scanOutcome is one comparison's result and what was not seen.
type scanOutcome struct {
	result       *drift.Result
	skips        []discovery.Skip
	sources      []string
	filterErrors int
	// state and live are what was compared (after --filter), for a
	// security scan of the same resources.
	state, live []resource.Resource
}

// compute reads the states, discovers or loads the live side and compares
// them: the scan without its output, shared by `scan` and the agent.
func (f *scanFlags) compute(ctx context.Context, prog *progress) (*scanOutcome, error) {
	lopts, err := f.loadOptions()
	if err != nil {
		return nil, err
	}
	if len(f.live) == 0 && !f.discover.enabled() {
		return nil, errors.New("scan: nothing to compare with: pass --provider aws|azure|gcp to discover the cloud, or --live FILE (a JSON array of resources)")
	}
	rules, err := loadIgnore(f)
	if err != nil {
		return nil, err
	}
	opts := drift.Options{}
	if rules != nil {
		opts.Ignore = rules
	}
	var flt *filter.Filter
	if f.filter != "" {
		if flt, err = filter.Compile(f.filter); err != nil {
			return nil, err
		}
		opts.Filter = flt
	}
	sources, err := f.sources(ctx, f.states)
	if err != nil {
		return nil, err
	}
	lopts.Progress = func(p stateload.Progress) {
		prog.set("reading states: %d/%d sources, %d documents, %d resources", p.SourcesDone, p.Sources, p.Documents, p.Resources)
	}
	loaded, err := stateload.Load(ctx, sources, lopts)
	if err != nil {
		return nil, err
	}
	prog.set("reading live inventory")
	live, err := loadLive(f.live)
	if err != nil {
		return nil, err
	}
	out := &scanOutcome{sources: sources}
	if f.discover.enabled() {
		found, err := f.discover.discoverLive(ctx, prog)
		if err != nil {
			return nil, err
		}
		out.skips = found.Skipped
		live = append(live, found.Resources...)
	}
	prog.set("comparing %d state resources with %d live resources", len(loaded.Resources), len(live))
	out.result = drift.Compare(loaded.Resources, live, opts)
	out.state, out.live = loaded.Resources, live
	if flt != nil {
		out.filterErrors = flt.Errors()
		out.state, out.live = keep(out.state, flt), keep(out.live, flt)
	}
	return out, nil
}

func writeOutput(s Streams, o output, res *drift.Result, ropts report.Options, noColor bool) error {
	if o.path == "" {
		ropts.Color = o.format == "table" && !noColor && os.Getenv("NO_COLOR") == "" && isTerminal(s.Out)
		return report.Write(s.Out, o.format, res, ropts)
	}
	// Render fully before touching the file, so a failed render never
	// leaves a truncated report behind.
	var buf bytes.Buffer
	if err := report.Write(&buf, o.format, res, ropts); err != nil {
		return err
	}
	if err := os.WriteFile(o.path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s report: %w", o.format, err)
	}
	return nil
}
