package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/driftmgr/driftmgr/agent/stateload"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func newStateCmd(s Streams) *cobra.Command {
	c := &cobra.Command{Use: "state", Short: "Inspect Terraform state"}
	var (
		format string
		src    sourceFlags
	)
	list := &cobra.Command{
		Use:   "list [--output table|json] [SOURCE...]",
		Short: "List the managed resources the state holds",
		Long: `List the managed resources that one or more states hold (data sources are skipped;
sensitive values are redacted). SOURCE takes every form 'driftmgr scan --state' takes;
without SOURCE the configuration in --dir names the states.

The JSON output is an array of {provider, type, id, address, attributes, ...}: the
same format 'driftmgr scan --live' reads.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--output %q: expected table or json", format)
			}
			return runStateList(cmd.Context(), s, args, format, &src)
		},
	}
	fl := list.Flags()
	fl.StringVarP(&format, "output", "o", "table", "output format: table or json")
	src.register(fl)
	c.AddCommand(list)
	return c
}

func runStateList(ctx context.Context, s Streams, args []string, format string, src *sourceFlags) error {
	opts, err := src.loadOptions()
	if err != nil {
		return err
	}
	sources, err := src.sources(ctx, args)
	if err != nil {
		return err
	}
	loaded, err := stateload.Load(ctx, sources, opts)
	if err != nil {
		return err
	}
	if format == "json" {
		return resource.EncodeInventory(s.Out, loaded.Resources)
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tTYPE\tID\tPROVIDER\tREGION")
	for _, r := range loaded.Resources {
		region := r.Region
		if region == "" {
			region = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Address, r.Type, r.ID, r.Provider, region)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "\n%d resources in %d states\n", len(loaded.Resources), len(loaded.States))
	return nil
}
