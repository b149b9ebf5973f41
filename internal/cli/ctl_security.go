package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// newCtlSecurityCmd is `driftmgr ctl security`: the security findings and
// compliance posture the cluster holds, and the tenant's mutelist and
// Rego policies its agents use.
func newCtlSecurityCmd(s Streams, f *ctlFlags) *cobra.Command {
	client := newServiceClient(f, driftmgrv1connect.NewSecurityServiceClient)
	root := &cobra.Command{Use: "security", Short: "Security findings, compliance, the mutelist and Rego policies"}

	var sevs, statuses, checks, frameworks, categories, types []string
	var limit int32
	var order, text string
	findings := &cobra.Command{
		Use: "findings", Short: "List failing checks (server-side filtered and sorted)", Args: cobra.NoArgs,
		RunE: client.run(func(ctx context.Context, c driftmgrv1connect.SecurityServiceClient, _ []string) error {
			flt := &pb.SecurityFindingFilter{CheckId: checks, Framework: frameworks, Category: categories, Type: types, Text: text}
			for _, sv := range sevs {
				v, ok := pb.Severity_value["SEVERITY_"+strings.ToUpper(sv)]
				if !ok {
					return fmt.Errorf("--severity %q: want critical, high, medium, low or info", sv)
				}
				flt.Severity = append(flt.Severity, pb.Severity(v))
			}
			for _, st := range statuses {
				v, ok := pb.SecurityStatus_value["SECURITY_STATUS_"+strings.ToUpper(st)]
				if !ok || v == 0 || st == "pass" {
					return fmt.Errorf("--status %q: want fail or muted", st)
				}
				flt.Status = append(flt.Status, pb.SecurityStatus(v))
			}
			resp, err := c.ListSecurityFindings(ctx, connect.NewRequest(&pb.ListSecurityFindingsRequest{Filter: flt, PageSize: limit, OrderBy: order}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tSTATUS\tSEVERITY\tCHECK\tRESOURCE\tMESSAGE")
				for _, fd := range resp.Msg.GetFindings() {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s.%s\t%s\n", fd.GetId(), strings.TrimPrefix(fd.GetStatus().String(), "SECURITY_STATUS_"),
						lowerEnum(fd.GetSeverity().String(), "SEVERITY_"), fd.GetCheckId(), fd.GetResource().GetType(), fd.GetResource().GetId(),
						clipLine(fd.GetMessage(), 100))
				}
				fmt.Fprintf(w, "\n%d of %d findings\n", len(resp.Msg.GetFindings()), resp.Msg.GetTotalSize())
			})
		}),
	}
	fl := findings.Flags()
	fl.StringSliceVar(&sevs, "severity", nil, "critical, high, medium, low, info (repeatable)")
	fl.StringSliceVar(&statuses, "status", nil, "fail, muted (repeatable)")
	fl.StringSliceVar(&checks, "check", nil, "check id (repeatable)")
	fl.StringSliceVar(&frameworks, "framework", nil, `framework, e.g. "CIS AWS Foundations v3.0" (repeatable)`)
	fl.StringSliceVar(&categories, "category", nil, "check, secret, drift, policy (repeatable)")
	fl.StringSliceVar(&types, "type", nil, "resource type (repeatable)")
	fl.StringVar(&text, "text", "", "substring of the resource id, address, type, check id or title")
	fl.Int32Var(&limit, "limit", 100, "page size (at most 1000)")
	fl.StringVar(&order, "order-by", "", "severity, last_seen, check_id, type, ... with optional ' desc'")

	get := &cobra.Command{
		Use: "get ID", Short: "Show one security finding with its evidence and fix", Args: cobra.ExactArgs(1),
		RunE: client.run(func(ctx context.Context, c driftmgrv1connect.SecurityServiceClient, args []string) error {
			resp, err := c.GetSecurityFinding(ctx, connect.NewRequest(&pb.GetSecurityFindingRequest{Id: args[0]}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, nil)
		}),
	}

	var framework string
	compliance := &cobra.Command{
		Use: "compliance", Short: "Compliance per framework; with --framework, its controls", Args: cobra.NoArgs,
		RunE: client.run(func(ctx context.Context, c driftmgrv1connect.SecurityServiceClient, _ []string) error {
			resp, err := c.GetCompliance(ctx, connect.NewRequest(&pb.GetComplianceRequest{Framework: framework}))
			if err != nil {
				return err
			}
			if framework != "" && len(resp.Msg.GetFrameworks()) == 0 {
				return fmt.Errorf("--framework %q: no results for it; the tenant's checks map to other frameworks (run without --framework to list them)", framework)
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				if framework != "" {
					fw := resp.Msg.GetFrameworks()[0]
					fmt.Fprintf(w, "%s: %.1f%% (%d passed, %d failed, %d muted)\n\n", fw.GetFramework(), fw.GetScore()*100, fw.GetPassed(), fw.GetFailed(), fw.GetMuted())
					fmt.Fprintln(w, "CONTROL\tSTATUS\tPASSED\tFAILED\tMUTED\tCHECKS\tTITLE")
					for _, ctl := range fw.GetControls() {
						fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", ctl.GetControl(), strings.TrimPrefix(ctl.GetStatus().String(), "SECURITY_STATUS_"),
							ctl.GetPassed(), ctl.GetFailed(), ctl.GetMuted(), strings.Join(ctl.GetCheckIds(), ","), clipLine(ctl.GetTitle(), 70))
					}
					return
				}
				fmt.Fprintln(w, "FRAMEWORK\tSCORE\tPASSED\tFAILED\tMUTED\tCONTROLS FAILING")
				for _, fw := range resp.Msg.GetFrameworks() {
					fmt.Fprintf(w, "%s\t%.1f%%\t%d\t%d\t%d\t%d of %d\n", fw.GetFramework(), fw.GetScore()*100, fw.GetPassed(), fw.GetFailed(), fw.GetMuted(),
						fw.GetControlsFailing(), fw.GetControlsFailing()+fw.GetControlsPassing())
				}
				fmt.Fprintf(w, "\nrisk score %.0f from %d agents (%d failed, %d muted)\n", resp.Msg.GetRiskScore(), resp.Msg.GetAgents(), resp.Msg.GetFailed(), resp.Msg.GetMuted())
			})
		}),
	}
	compliance.Flags().StringVar(&framework, "framework", "", "show this framework's controls")

	mutelist := &cobra.Command{Use: "mutelist", Short: "The tenant's mutelist (accepted failures, with reason, owner and expiry)"}
	mutelist.AddCommand(&cobra.Command{
		Use: "get", Short: "Print the mutelist YAML", Args: cobra.NoArgs,
		RunE: client.run(func(ctx context.Context, c driftmgrv1connect.SecurityServiceClient, _ []string) error {
			resp, err := c.GetMutelist(ctx, connect.NewRequest(&pb.GetMutelistRequest{}))
			if err != nil {
				return err
			}
			for _, e := range resp.Msg.GetExpired() {
				fmt.Fprintf(s.Err, "warning: expired mutelist entry, it mutes nothing: %s\n", e)
			}
			if f.json {
				return f.print(s, resp.Msg, nil)
			}
			_, err = fmt.Fprint(s.Out, resp.Msg.GetYaml())
			return err
		}),
	}, &cobra.Command{
		Use: "put FILE", Short: "Replace the mutelist with FILE (admin)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read mutelist: %w", err)
			}
			c, err := client()
			if err != nil {
				return err
			}
			resp, err := c.PutMutelist(cmd.Context(), connect.NewRequest(&pb.PutMutelistRequest{Yaml: string(data)}))
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			_, err = fmt.Fprintf(s.Out, "mutelist replaced: %d entries\n", resp.Msg.GetEntries())
			return err
		},
	})

	policies := &cobra.Command{Use: "policies", Short: "The tenant's Rego policies, run by its agents"}
	policies.AddCommand(&cobra.Command{
		Use: "list", Short: "List stored policies", Args: cobra.NoArgs,
		RunE: client.run(func(ctx context.Context, c driftmgrv1connect.SecurityServiceClient, _ []string) error {
			resp, err := c.ListPolicies(ctx, connect.NewRequest(&pb.ListPoliciesRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "NAME\tCHECKS\tUPDATED\tBY")
				for _, p := range resp.Msg.GetPolicies() {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.GetName(), strings.Join(p.GetCheckIds(), ","),
						p.GetUpdatedAt().AsTime().Format("2006-01-02 15:04"), p.GetUpdatedBy())
				}
			})
		}),
	}, &cobra.Command{
		Use: "put FILE.rego...", Short: "Store policies (compiled with the tenant's others first; admin)", Args: cobra.MinimumNArgs(1),
		RunE: client.run(func(ctx context.Context, c driftmgrv1connect.SecurityServiceClient, args []string) error {
			for _, path := range args {
				if strings.HasSuffix(path, "_test.rego") {
					// Tests run with `driftmgr policy test`; agents need
					// only the policies.
					fmt.Fprintf(s.Err, "skipping %s: a policy test file\n", path)
					continue
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("read policy: %w", err)
				}
				resp, err := c.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: filepath.Base(path), Source: string(data)}))
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				fmt.Fprintf(s.Out, "stored %s (%s)\n", resp.Msg.GetPolicy().GetName(), strings.Join(resp.Msg.GetPolicy().GetCheckIds(), ", "))
			}
			return nil
		}),
	}, &cobra.Command{
		Use: "delete NAME", Short: "Delete a stored policy (admin)", Args: cobra.ExactArgs(1),
		RunE: client.run(func(ctx context.Context, c driftmgrv1connect.SecurityServiceClient, args []string) error {
			if _, err := c.DeletePolicy(ctx, connect.NewRequest(&pb.DeletePolicyRequest{Name: args[0]})); err != nil {
				return err
			}
			_, err := fmt.Fprintf(s.Out, "deleted %s\n", args[0])
			return err
		}),
	})
	root.AddCommand(findings, get, compliance, mutelist, policies)
	return root
}

func lowerEnum(v, prefix string) string { return strings.ToLower(strings.TrimPrefix(v, prefix)) }

// clipLine keeps a table cell on one line and at most n runes.
func clipLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
