package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/driftmgr/driftmgr/internal/scan/regopolicy"
)

// errPolicyTests makes `policy test` exit 1 when a test fails.
var errPolicyTests = fmt.Errorf("policy tests failed: %w", errDrift)

func newPolicyCmd(s Streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "policy",
		Short: "Custom Rego policies: list them, run their tests",
	}
	c.AddCommand(newPolicyTestCmd(s), newPolicyListCmd(s))
	return c
}

func newPolicyTestCmd(s Streams) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "test DIR...",
		Short: "Run the policies' own Rego tests (test_ rules in *_test.rego) and report pass/fail per test",
		Long: `Run the test_ rules of the .rego files under each DIR. The policies are
loaded as 'security scan --policy' loads them first, so a policy that would be
rejected at scan time fails here too, with its file, line and reason.

Exit code: 0 every test passed, 1 a test failed or errored, 2 error.`,
		Example: `  driftmgr policy test examples/policies`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			results, err := regopolicy.RunTests(cmd.Context(), dirs)
			if err != nil {
				return err
			}
			failed := 0
			for _, r := range results {
				if !r.Pass && !r.Skipped {
					failed++
				}
			}
			switch format {
			case "json":
				enc := json.NewEncoder(s.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(results); err != nil {
					return err
				}
			case "table":
				tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
				for _, r := range results {
					status := "PASS"
					switch {
					case r.Skipped:
						status = "SKIP"
					case r.Error != "":
						status = "ERROR"
					case !r.Pass:
						status = "FAIL"
					}
					fmt.Fprintf(tw, "%s\t%s.%s\t%s:%d\t%s\n", status, r.Package, r.Name, r.File, r.Line, r.Duration.Round(1000))
					if r.Error != "" {
						fmt.Fprintf(tw, "\t  %s\t\t\n", r.Error)
					}
					if !r.Pass && r.Output != "" {
						for _, l := range strings.Split(strings.TrimRight(r.Output, "\n"), "\n") {
							fmt.Fprintf(tw, "\t  %s\t\t\n", l)
						}
					}
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				fmt.Fprintf(s.Out, "%d tests: %d passed, %d failed\n", len(results), len(results)-failed, failed)
			default:
				return fmt.Errorf("--output %q: want table or json", format)
			}
			if failed > 0 {
				return errPolicyTests
			}
			return nil
		},
	}
	c.Flags().StringVarP(&format, "output", "o", "table", "table or json")
	return c
}

func newPolicyListCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "list DIR...",
		Short: "Load the policies under each DIR (as security scan would) and list their metadata",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			set, err := regopolicy.LoadDirs(cmd.Context(), dirs)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tTYPES\tTITLE\tFILE")
			for _, p := range set.Policies {
				types := strings.Join(p.Types, ",")
				if types == "" {
					types = "(all)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%d\n", p.ID, p.Severity, types, p.Title, p.File, p.Line)
			}
			return tw.Flush()
		},
	}
}
