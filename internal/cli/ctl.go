package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/node"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// ctlFlags say which controller to talk to and as whom.
type ctlFlags struct {
	addr   string
	caFile string
	apiKey string
	json   bool
	// tenant is the tenant a platform owner acts in (Driftmgr-Tenant).
	tenant string
}

// serviceClient makes a client of one service of the cluster the ctl
// flags name; run turns a command's work into a RunE that gets it first.
type serviceClient[C any] func() (C, error)

func newServiceClient[C any](f *ctlFlags, mk func(connect.HTTPClient, string, ...connect.ClientOption) C) serviceClient[C] {
	return func() (C, error) {
		hc, addr, err := f.client()
		if err != nil {
			var none C
			return none, err
		}
		return mk(hc, addr, f.opts()...), nil
	}
}

func (sc serviceClient[C]) run(fn func(ctx context.Context, c C, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c, err := sc()
		if err != nil {
			return err
		}
		return fn(cmd.Context(), c, args)
	}
}

func (f *ctlFlags) client() (*http.Client, string, error) {
	addr := f.addr
	if addr == "" {
		addr = os.Getenv("DRIFTMGR_ADDR")
	}
	if addr == "" {
		addr = "http://localhost:8080"
	}
	addr = strings.TrimRight(addr, "/")
	switch {
	case strings.HasPrefix(addr, "http://"):
		return &http.Client{Timeout: 30 * time.Second}, addr, nil
	case strings.HasPrefix(addr, "https://"):
	default:
		return nil, "", fmt.Errorf("--addr %q: want http://HOST:PORT or https://HOST:PORT", addr)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS13, NextProtos: []string{"h2"}}
	caFile := f.caFile
	if caFile == "" {
		caFile = os.Getenv("DRIFTMGR_CA_FILE")
	}
	if caFile != "" {
		pemData, err := os.ReadFile(caFile)
		if err != nil {
			return nil, "", fmt.Errorf("--ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, "", fmt.Errorf("--ca-file %s: no PEM certificate in it", caFile)
		}
		cfg.RootCAs = pool
	}
	return &http.Client{Transport: node.H2Transport(cfg), Timeout: 30 * time.Second}, addr, nil
}

func (f *ctlFlags) opts() []connect.ClientOption {
	key := f.apiKey
	if key == "" {
		key = os.Getenv("DRIFTMGR_API_KEY")
	}
	if key == "" {
		return nil
	}
	opts := []connect.ClientOption{controller.BearerKey(key)}
	tenant := f.tenant
	if tenant == "" {
		tenant = os.Getenv("DRIFTMGR_TENANT")
	}
	if tenant != "" {
		opts = append(opts, controller.InTenant(tenant))
	}
	return opts
}

func (f *ctlFlags) print(s Streams, m proto.Message, table func(w *tabwriter.Writer)) error {
	if f.json || table == nil {
		b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(m)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(s.Out, string(b))
		return err
	}
	w := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	table(w)
	return w.Flush()
}

func newCtlCmd(s Streams) *cobra.Command {
	f := &ctlFlags{}
	root := &cobra.Command{
		Use:   "ctl",
		Short: "Talk to a controller cluster: findings, agents, join tokens, members",
		Long: `Talk to a controller cluster as an operator.

The address comes from --addr or DRIFTMGR_ADDR (default http://localhost:8080,
the dev mode), the API key from --api-key or DRIFTMGR_API_KEY, and for https
the cluster CA from --ca-file or DRIFTMGR_CA_FILE.`,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&f.addr, "addr", "", "controller API URL")
	pf.StringVar(&f.caFile, "ca-file", "", "cluster CA certificate (PEM) for https")
	pf.StringVar(&f.apiKey, "api-key", "", "API key dm_<id>_<secret> (prefer DRIFTMGR_API_KEY: flags show in ps)")
	pf.BoolVar(&f.json, "json", false, "print JSON instead of a table")
	pf.StringVar(&f.tenant, "tenant", "", "platform owners: act in this tenant (or DRIFTMGR_TENANT); others always act in their own")

	cluster := func() (driftmgrv1connect.ClusterServiceClient, error) {
		hc, addr, err := f.client()
		if err != nil {
			return nil, err
		}
		return driftmgrv1connect.NewClusterServiceClient(hc, addr, f.opts()...), nil
	}
	agents := func() (driftmgrv1connect.AgentsServiceClient, error) {
		hc, addr, err := f.client()
		if err != nil {
			return nil, err
		}
		return driftmgrv1connect.NewAgentsServiceClient(hc, addr, f.opts()...), nil
	}
	findings := func() (driftmgrv1connect.FindingsServiceClient, error) {
		hc, addr, err := f.client()
		if err != nil {
			return nil, err
		}
		return driftmgrv1connect.NewFindingsServiceClient(hc, addr, f.opts()...), nil
	}

	var tenant string
	bootstrap := &cobra.Command{
		Use:   "bootstrap",
		Short: "Create the first tenant and a platform-owner API key of a new cluster (works once; the key is shown once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			resp, err := c.Bootstrap(cmd.Context(), connect.NewRequest(&pb.BootstrapRequest{Tenant: tenant}))
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "API key (tenant %s, platform owner), shown once:\n%s\n", resp.Msg.GetTenant(), resp.Msg.GetApiKey())
			return nil
		},
	}
	bootstrap.Flags().StringVar(&tenant, "tenant", "", "the first tenant, where the key's service account lives (default \"default\")")

	members := &cobra.Command{
		Use: "members", Short: "List the controllers", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			resp, err := c.ListMembers(cmd.Context(), connect.NewRequest(&pb.ListMembersRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "NAME\tSTATUS\tLEADER\tVOTER\tRAFT\tAPI")
				for _, m := range resp.Msg.GetMembers() {
					fmt.Fprintf(w, "%s\t%s\t%v\t%v\t%s\t%s\n", m.GetName(), m.GetStatus(), m.GetLeader(), m.GetVoter(), m.GetRaftAddress(), m.GetApiAddress())
				}
			})
		},
	}
	health := &cobra.Command{
		Use: "health", Short: "Show the answering node's raft health", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			resp, err := c.GetHealth(cmd.Context(), connect.NewRequest(&pb.GetHealthRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, nil)
		},
	}

	agentsCmd := &cobra.Command{Use: "agents", Short: "Enrolled agents"}
	agentsCmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List agents", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := agents()
			if err != nil {
				return err
			}
			resp, err := c.ListAgents(cmd.Context(), connect.NewRequest(&pb.ListAgentsRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tNAME\tCONNECTED\tREVOKED\tACKED SEQ\tLAST SEEN")
				for _, a := range resp.Msg.GetAgents() {
					fmt.Fprintf(w, "%s\t%s\t%v\t%v\t%d\t%s\n", a.GetId(), a.GetName(), a.GetConnected(), a.GetRevoked(), a.GetAckedSeq(),
						a.GetLastSeen().AsTime().Format(time.RFC3339))
				}
			})
		},
	}, &cobra.Command{
		Use: "scan AGENT_ID", Short: "Ask an agent to scan now", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := agents()
			if err != nil {
				return err
			}
			resp, err := c.TriggerScan(cmd.Context(), connect.NewRequest(&pb.TriggerScanRequest{AgentId: args[0]}))
			if err != nil {
				return err
			}
			if !resp.Msg.GetDelivered() {
				fmt.Fprintf(s.Out, "agent %s is not connected; it scans on its next schedule\n", args[0])
				return nil
			}
			fmt.Fprintf(s.Out, "scan requested (command %s)\n", resp.Msg.GetCommandId())
			return nil
		},
	}, &cobra.Command{
		Use: "revoke AGENT_ID", Short: "Revoke an agent's certificate and cut it off", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := agents()
			if err != nil {
				return err
			}
			if _, err := c.RevokeAgent(cmd.Context(), connect.NewRequest(&pb.RevokeAgentRequest{AgentId: args[0]})); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "agent %s revoked\n", args[0])
			return nil
		},
	})

	var ttl time.Duration
	var uses int32
	var desc, project string
	tokens := &cobra.Command{Use: "tokens", Short: "Join tokens for enrolling agents"}
	create := &cobra.Command{
		Use: "create", Short: "Create a join token (the secret is shown once)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := agents()
			if err != nil {
				return err
			}
			resp, err := c.CreateJoinToken(cmd.Context(), connect.NewRequest(&pb.CreateJoinTokenRequest{
				TtlSeconds: int64(ttl / time.Second), MaxUses: uses, Description: desc, Project: project}))
			if err != nil {
				return err
			}
			if f.json {
				return f.print(s, resp.Msg, nil)
			}
			fmt.Fprintf(s.Out, "join token (shown once): %s\nCA pin: %s\nexpires %s, %d use(s)\n", resp.Msg.GetSecret(), resp.Msg.GetCaPin(),
				resp.Msg.GetToken().GetExpiresAt().AsTime().Format(time.RFC3339), resp.Msg.GetToken().GetMaxUses())
			return nil
		},
	}
	create.Flags().DurationVar(&ttl, "ttl", time.Hour, "how long the token can be used")
	create.Flags().Int32Var(&uses, "uses", 1, "how many agents may enroll with it")
	create.Flags().StringVar(&desc, "description", "", "what the token is for")
	create.Flags().StringVar(&project, "project", "", "assign the agents enrolled with it to this project")
	tokens.AddCommand(create, &cobra.Command{
		Use: "list", Short: "List join tokens", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := agents()
			if err != nil {
				return err
			}
			resp, err := c.ListJoinTokens(cmd.Context(), connect.NewRequest(&pb.ListJoinTokensRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tUSES\tEXPIRES\tDESCRIPTION")
				for _, t := range resp.Msg.GetTokens() {
					fmt.Fprintf(w, "%s\t%d/%d\t%s\t%s\n", t.GetId(), t.GetUses(), t.GetMaxUses(), t.GetExpiresAt().AsTime().Format(time.RFC3339), t.GetDescription())
				}
			})
		},
	}, &cobra.Command{
		Use: "delete ID", Short: "Delete a join token", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := agents()
			if err != nil {
				return err
			}
			_, err = c.DeleteJoinToken(cmd.Context(), connect.NewRequest(&pb.DeleteJoinTokenRequest{Id: args[0]}))
			return err
		},
	})

	var kinds, sevs, types, statuses []string
	var limit int32
	var order string
	findingsCmd := &cobra.Command{Use: "findings", Short: "Drift findings"}
	list := &cobra.Command{
		Use: "list", Short: "List findings (server-side filtered and sorted)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := findings()
			if err != nil {
				return err
			}
			flt := &pb.FindingFilter{Type: types}
			for _, k := range kinds {
				v, ok := pb.DriftKind_value["DRIFT_KIND_"+strings.ToUpper(k)]
				if !ok {
					return fmt.Errorf("--kind %q: want missing, unmanaged or modified", k)
				}
				flt.Kind = append(flt.Kind, pb.DriftKind(v))
			}
			for _, sv := range sevs {
				v, ok := pb.Severity_value["SEVERITY_"+strings.ToUpper(sv)]
				if !ok {
					return fmt.Errorf("--severity %q: want critical, high, medium, low or info", sv)
				}
				flt.Severity = append(flt.Severity, pb.Severity(v))
			}
			for _, st := range statuses {
				v, ok := pb.FindingStatus_value["FINDING_STATUS_"+strings.ToUpper(st)]
				if !ok {
					return fmt.Errorf("--status %q: want open, acknowledged or resolved", st)
				}
				flt.Status = append(flt.Status, pb.FindingStatus(v))
			}
			resp, err := c.ListFindings(cmd.Context(), connect.NewRequest(&pb.ListFindingsRequest{Filter: flt, PageSize: limit, OrderBy: order}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tKIND\tSEVERITY\tSTATUS\tTYPE\tRESOURCE\tCHANGES")
				for _, fd := range resp.Msg.GetFindings() {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", fd.GetId(), strings.TrimPrefix(fd.GetKind().String(), "DRIFT_KIND_"),
						strings.ToLower(strings.TrimPrefix(fd.GetSeverity().String(), "SEVERITY_")),
						strings.ToLower(strings.TrimPrefix(fd.GetStatus().String(), "FINDING_STATUS_")),
						fd.GetResource().GetType(), fd.GetResource().GetId(), len(fd.GetChanges()))
				}
				fmt.Fprintf(w, "\n%d of %d findings\n", len(resp.Msg.GetFindings()), resp.Msg.GetTotalSize())
			})
		},
	}
	list.Flags().StringSliceVar(&kinds, "kind", nil, "missing, unmanaged, modified (repeatable)")
	list.Flags().StringSliceVar(&sevs, "severity", nil, "critical, high, medium, low, info (repeatable)")
	list.Flags().StringSliceVar(&types, "type", nil, "resource type (repeatable)")
	list.Flags().StringSliceVar(&statuses, "status", nil, "open, acknowledged, resolved (repeatable)")
	list.Flags().Int32Var(&limit, "limit", 100, "page size (at most 1000)")
	list.Flags().StringVar(&order, "order-by", "", "severity, last_seen, type, ... with optional ' desc'")
	var note string
	ack := &cobra.Command{
		Use: "ack ID", Short: "Acknowledge a finding", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := findings()
			if err != nil {
				return err
			}
			resp, err := c.AcknowledgeFinding(cmd.Context(), connect.NewRequest(&pb.AcknowledgeFindingRequest{Id: args[0], Note: note}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, nil)
		},
	}
	ack.Flags().StringVar(&note, "note", "", "why")
	findingsCmd.AddCommand(list, ack, &cobra.Command{
		Use: "get ID", Short: "Show one finding with its attribute changes", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := findings()
			if err != nil {
				return err
			}
			resp, err := c.GetFinding(cmd.Context(), connect.NewRequest(&pb.GetFindingRequest{Id: args[0]}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, nil)
		},
	})
	root.AddCommand(bootstrap, members, health, agentsCmd, tokens, findingsCmd, newCtlSecurityCmd(s, f), newCtlAuditCmd(s, f))
	addTenancyCommands(root, f, s)
	return root
}
