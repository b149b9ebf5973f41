package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/cloudsim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// discoverFlags say which clouds to discover and how hard to push them;
// `discover` and `scan --provider` share them.
type discoverFlags struct {
	providers  []string
	accounts   []string
	regions    []string
	externalID string
	simulate   string
	// genericTypes feeds the AWS generic tier (Cloud Control): empty is
	// every table type no typed lister reads.
	genericTypes []string
	concurrency  int
	rate         float64
	// sim, when set, is a simulated cloud that outlives one scan (the
	// dev mode's, which tests and users mutate while it runs).
	sim *cloudsim.Server
	// onStats, when set, receives the rate limiter's per-key counters
	// after each discovery (the agent's metrics).
	onStats func(map[string]discovery.KeyStats)
}

func (f *discoverFlags) register(fl *pflag.FlagSet) {
	fl.StringSliceVar(&f.providers, "provider", nil, "cloud to discover: aws, azure or gcp (repeatable, or comma-separated)")
	fl.StringSliceVar(&f.accounts, "account", nil, "AWS profile or role ARN, Azure subscription id, GCP project id (repeatable; default: what the credentials see)")
	fl.StringSliceVar(&f.regions, "region", nil, "regions to cover (repeatable; 'all' = every enabled region; default: the configured region)")
	fl.StringVar(&f.externalID, "external-id", "", "external ID for assuming the --account role ARNs")
	fl.StringVar(&f.simulate, "simulate", "", "discover from the built-in simulated cloud serving this world file instead of the real clouds")
	fl.StringSliceVar(&f.genericTypes, "generic-types", nil, "AWS generic tier (Cloud Control): CloudFormation or Terraform type names, 'all' or 'none' (default: every type no typed lister reads)")
	fl.IntVar(&f.concurrency, "concurrency", 8, "listers running at once")
	fl.Float64Var(&f.rate, "rate", 20, "starting API calls per second per service and region (lowered on throttling)")
}

func (f *discoverFlags) enabled() bool { return len(f.providers) > 0 }

// discoverLive runs discovery. The simulated cloud, when asked for, lives
// only as long as the call.
func (f *discoverFlags) discoverLive(ctx context.Context, prog *progress) (*discovery.Result, error) {
	if f.concurrency <= 0 {
		return nil, fmt.Errorf("--concurrency %d: expected a positive number", f.concurrency)
	}
	if f.rate <= 0 {
		return nil, fmt.Errorf("--rate %g: expected a positive number of calls per second", f.rate)
	}
	sim := f.sim
	if sim == nil && f.simulate != "" {
		w, err := world.Load(f.simulate)
		if err != nil {
			return nil, err
		}
		if sim, err = cloudsim.Start(w); err != nil {
			return nil, err
		}
		defer sim.Close()
	}
	lim := discovery.NewLimiter(discovery.LimiterOptions{Rate: f.rate})
	if f.onStats != nil {
		defer func() { f.onStats(lim.Stats()) }()
	}
	providers, err := f.build(lim, sim)
	if err != nil {
		return nil, err
	}
	scopes := map[discovery.Scope][2]int{}
	return discovery.Run(ctx, providers, discovery.Options{
		Concurrency: f.concurrency,
		Progress: func(p discovery.Progress) {
			prog.set("discovering %s: %d/%d listers, %d resources, %d skipped",
				strings.Join(f.providers, ","), p.Done, p.Total, p.Resources, p.Skipped)
			scopes[p.Scope] = [2]int{p.ScopeDone, p.ScopeTotal}
			prog.setLines(scopeLines(scopes, 12))
		},
	})
}

// scopeLines renders a bar per account and region, the busiest first
// when there are more than fit.
func scopeLines(scopes map[discovery.Scope][2]int, limit int) []string {
	keys := make([]discovery.Scope, 0, len(scopes))
	for k := range scopes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		return a.Region < b.Region
	})
	var lines []string
	for i, k := range keys {
		if i == limit {
			lines = append(lines, fmt.Sprintf("… and %d more", len(keys)-limit))
			break
		}
		c := scopes[k]
		region := k.Region
		if region == "" {
			region = "global"
		}
		lines = append(lines, fmt.Sprintf("%-7s %-36s %-16s %s %d/%d", k.Provider, k.Account, region, bar(c[0], c[1], 20), c[0], c[1]))
	}
	return lines
}

func newDiscoverCmd(s Streams) *cobra.Command {
	f := &discoverFlags{}
	var out string
	c := &cobra.Command{
		Use:   "discover --provider aws|azure|gcp [--account ...] [--region ...] [-o json|table[=PATH]]",
		Short: "List what exists in the cloud, as a live inventory 'driftmgr scan --live' reads",
		Example: `  driftmgr discover --provider aws --region all -o json=live.json
  driftmgr discover --provider aws --simulate examples/aws/world.json -o table`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !f.enabled() {
				return fmt.Errorf("discover: --provider is required (aws, azure or gcp)")
			}
			format, path, _ := strings.Cut(out, "=")
			if format != "json" && format != "table" {
				return fmt.Errorf("--output %q: expected json or table, optionally =PATH", out)
			}
			prog := newProgress(s.Err, isTerminal(s.Err))
			prog.start()
			res, err := f.discoverLive(cmd.Context(), prog)
			prog.stop()
			if err != nil {
				return err
			}
			reportSkips(s.Err, res.Skipped)
			w := s.Out
			if path != "" && path != "-" {
				fh, err := os.Create(path)
				if err != nil {
					return fmt.Errorf("write inventory: %w", err)
				}
				defer fh.Close()
				w = fh
			}
			if format == "json" {
				return resource.EncodeInventory(w, res.Resources)
			}
			return inventoryTable(w, res.Resources)
		},
	}
	f.register(c.Flags())
	c.Flags().StringVarP(&out, "output", "o", "json", "json or table, optionally =PATH")
	return c
}

// reportSkips tells what was not seen: a denied or disabled service must
// never pass for an empty one.
func reportSkips(w io.Writer, skips []discovery.Skip) {
	if len(skips) == 0 {
		return
	}
	fmt.Fprintf(w, "warning: %d service scopes were not (fully) discovered; resources there are not reported as unmanaged:\n", len(skips))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, sk := range skips {
		region := sk.Region
		if region == "" {
			region = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", sk.Provider, sk.Account, region, sk.Service, sk.Reason, firstLine(sk.Detail, 120))
	}
	tw.Flush()
}

func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func inventoryTable(w io.Writer, rs []resource.Resource) error {
	type row struct{ provider, account, region, typ string }
	counts := map[row]int{}
	for _, r := range rs {
		counts[row{r.Provider, r.Account, r.Region, r.Type}]++
	}
	rows := make([]row, 0, len(counts))
	for r := range counts {
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		return a.provider+a.account+a.region+a.typ < b.provider+b.account+b.region+b.typ
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tACCOUNT\tREGION\tTYPE\tCOUNT")
	for _, r := range rows {
		region := r.region
		if region == "" {
			region = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", r.provider, r.account, region, r.typ, counts[r])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d resources\n", len(rs))
	return err
}
