package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/driftmgr/driftmgr/internal/filter"
	"github.com/driftmgr/driftmgr/internal/scan"
	"github.com/driftmgr/driftmgr/internal/scan/tfconfig"
)

// tfFlags select Terraform configuration directories for `security scan`.
type tfFlags struct {
	dirs     []string
	vars     []string
	varFiles []string
	// configs are the directories read by collect, for locate and
	// reportSkipped.
	configs []*tfconfig.Config
}

func (t *tfFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&t.dirs, "tf", nil, "Terraform configuration directory to scan (repeatable); its *.tf files are parsed, not applied")
	fl.StringArrayVar(&t.vars, "var", nil, "with --tf: set a variable, NAME=VALUE (repeatable)")
	fl.StringArrayVar(&t.varFiles, "var-file", nil, "with --tf: a .tfvars file (repeatable)")
}

// collect reads the configuration directories as the scan's only input:
// configuration has no live side and no drift.
func (t *tfFlags) collect(sf *scanFlags) (*scan.Input, error) {
	if len(sf.states) > 0 || len(sf.live) > 0 || sf.discover.enabled() {
		return nil, errors.New("security scan: --tf scans configuration alone; do not combine it with --state, --live or --provider")
	}
	opts := tfconfig.Options{Vars: map[string]string{}, VarFiles: t.varFiles}
	for _, v := range t.vars {
		name, val, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--var %q: want NAME=VALUE", v)
		}
		opts.Vars[name] = val
	}
	in := &scan.Input{}
	for _, dir := range t.dirs {
		cfg, err := tfconfig.Load(dir, opts)
		if err != nil {
			return nil, err
		}
		t.configs = append(t.configs, cfg)
		in.State = append(in.State, cfg.Resources...)
	}
	if sf.filter != "" {
		flt, err := filter.Compile(sf.filter)
		if err != nil {
			return nil, err
		}
		in.State = keep(in.State, flt)
	}
	return in, nil
}

// locate points the scan's findings on configuration resources at the
// line of the attribute their evidence names (see tfconfig.Config.Locate).
func (t *tfFlags) locate(rep *scan.Report) {
	for _, cfg := range t.configs {
		cfg.Locate(rep.Results)
	}
}

// reportSkipped warns of every module call and resource the configuration
// alone could not judge: it has no results, which must not read as
// "passed".
func (t *tfFlags) reportSkipped(w io.Writer) {
	for _, cfg := range t.configs {
		for _, sk := range cfg.Skipped {
			fmt.Fprintf(w, "warning: not scanned: %s\n", sk)
		}
	}
}
