package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// addTenancyCommands adds `ctl tenant|project|user|service-account|key|
// role|whoami` (TenancyService) to ctl.
func addTenancyCommands(root *cobra.Command, f *ctlFlags, s Streams) {
	tc := newServiceClient(f, driftmgrv1connect.NewTenancyServiceClient)
	in := &passwordReader{s: s}
	root.AddCommand(tenantCmd(f, s, tc), projectCmd(f, s, tc), userCmd(f, s, tc, in), serviceAccountCmd(f, s, tc),
		keyCmd(f, s, tc), roleCmd(f, s, tc), whoamiCmd(f, s, tc), settingsCmd(f, s, tc))
}

type tenancyClient = serviceClient[driftmgrv1connect.TenancyServiceClient]

func when(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return "-"
	}
	return ts.AsTime().Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func tenantCmd(f *ctlFlags, s Streams, tc tenancyClient) *cobra.Command {
	cmd := &cobra.Command{Use: "tenant", Short: "Tenants of the platform (platform owners only)"}
	var name string
	var quotas pb.TenantQuotas
	create := &cobra.Command{
		Use: "create ID", Short: "Create a tenant", Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			resp, err := c.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: args[0], DisplayName: name, Quotas: &quotas}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) { fmt.Fprintf(w, "tenant %s created\n", resp.Msg.GetTenant().GetId()) })
		}),
	}
	create.Flags().StringVar(&name, "name", "", "display name (default: the id)")
	quotaFlags(create, &quotas)
	var setQ pb.TenantQuotas
	setQuotas := &cobra.Command{
		Use: "set-quotas ID", Short: "Replace a tenant's quotas (unset flags: the platform default)", Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			resp, err := c.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: args[0], Quotas: &setQ}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) { fmt.Fprintf(w, "tenant %s quotas replaced\n", args[0]) })
		}),
	}
	quotaFlags(setQuotas, &setQ)
	list := &cobra.Command{
		Use: "list", Short: "List tenants", Args: cobra.NoArgs,
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, _ []string) error {
			resp, err := c.ListTenants(ctx, connect.NewRequest(&pb.ListTenantsRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tNAME\tDISABLED\tCREATED")
				for _, t := range resp.Msg.GetTenants() {
					fmt.Fprintf(w, "%s\t%s\t%v\t%s\n", t.GetId(), t.GetDisplayName(), t.GetDisabled(), when(t.GetCreatedAt()))
				}
			})
		}),
	}
	setDisabled := func(use, short string, disabled bool) *cobra.Command {
		return &cobra.Command{
			Use: use + " ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
				if _, err := c.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: args[0], Disabled: proto.Bool(disabled)})); err != nil {
					return err
				}
				fmt.Fprintf(s.Out, "tenant %s %sd\n", args[0], use)
				return nil
			}),
		}
	}
	cmd.AddCommand(create, list, setQuotas,
		setDisabled("disable", "Disable a tenant: its keys and agents are refused, its data is kept", true),
		setDisabled("enable", "Enable a disabled tenant again", false))
	return cmd
}

// quotaFlags are a tenant's quotas as flags; 0 is the platform default.
func quotaFlags(cmd *cobra.Command, q *pb.TenantQuotas) {
	fl := cmd.Flags()
	fl.Int64Var(&q.MaxAgents, "max-agents", 0, "quota: enrolled agents (0: platform default)")
	fl.Int64Var(&q.MaxResources, "max-resources", 0, "quota: tracked resources, findings not resolved")
	fl.Int64Var(&q.ApiRequestsPerSecond, "api-rate", 0, "quota: API requests per second")
	fl.Int64Var(&q.Burst, "api-burst", 0, "quota: API requests at once after a quiet spell")
	fl.Int64Var(&q.MaxStreams, "max-streams", 0, "quota: concurrent streams (watches, agent control)")
	fl.Int64Var(&q.UploadBytesPerMinute, "upload-bytes-per-minute", 0, "quota: agent upload bytes per minute")
}

// parseAccount reads --account PROVIDER:ACCOUNT_ID[:NAME].
func parseAccount(v string) (*pb.CloudAccount, error) {
	parts := strings.SplitN(v, ":", 3)
	if len(parts) < 2 || parts[1] == "" || (parts[0] != "aws" && parts[0] != "azure" && parts[0] != "gcp") {
		return nil, fmt.Errorf("--account %q: want PROVIDER:ACCOUNT_ID[:NAME] with provider aws, azure or gcp", v)
	}
	a := &pb.CloudAccount{Provider: parts[0], AccountId: parts[1]}
	if len(parts) == 3 {
		a.Name = parts[2]
	}
	return a, nil
}

func projectCmd(f *ctlFlags, s Streams, tc tenancyClient) *cobra.Command {
	cmd := &cobra.Command{Use: "project", Short: "Projects of the tenant and their cloud accounts"}
	var name string
	var accounts []string
	create := &cobra.Command{
		Use: "create ID", Short: "Create a project", Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			req := &pb.CreateProjectRequest{Id: args[0], DisplayName: name}
			for _, v := range accounts {
				a, err := parseAccount(v)
				if err != nil {
					return err
				}
				req.Accounts = append(req.Accounts, a)
			}
			resp, err := c.CreateProject(ctx, connect.NewRequest(req))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) { fmt.Fprintf(w, "project %s created\n", args[0]) })
		}),
	}
	create.Flags().StringVar(&name, "name", "", "display name (default: the id)")
	create.Flags().StringArrayVar(&accounts, "account", nil, "cloud account PROVIDER:ACCOUNT_ID[:NAME], e.g. aws:123456789012:prod (repeatable)")
	list := &cobra.Command{
		Use: "list", Short: "List projects with their cloud accounts", Args: cobra.NoArgs,
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, _ []string) error {
			resp, err := c.ListProjects(ctx, connect.NewRequest(&pb.ListProjectsRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tNAME\tACCOUNTS\tCREATED")
				for _, p := range resp.Msg.GetProjects() {
					var accs []string
					for _, a := range p.GetAccounts() {
						accs = append(accs, a.GetProvider()+":"+a.GetAccountId())
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.GetId(), p.GetDisplayName(), dash(strings.Join(accs, ",")), when(p.GetCreatedAt()))
				}
			})
		}),
	}
	del := &cobra.Command{
		Use: "delete ID", Short: "Delete a project (refused while agents or join tokens are assigned to it)", Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			if _, err := c.DeleteProject(ctx, connect.NewRequest(&pb.DeleteProjectRequest{Id: args[0]})); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "project %s deleted\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(create, list, del)
	return cmd
}

// passwordReader reads passwords: prompted without echo on a terminal,
// else one per line from standard input (for scripts).
type passwordReader struct {
	s  Streams
	br *bufio.Reader
}

func (p *passwordReader) read(prompt string, confirm bool) (string, error) {
	if f, ok := p.s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(p.s.Err, prompt+": ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(p.s.Err)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", prompt, err)
		}
		if confirm {
			fmt.Fprint(p.s.Err, "again: ")
			b2, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(p.s.Err)
			if err != nil {
				return "", fmt.Errorf("read %s: %w", prompt, err)
			}
			if string(b) != string(b2) {
				return "", fmt.Errorf("%s: the two entries differ", prompt)
			}
		}
		return string(b), nil
	}
	if p.s.In == nil {
		return "", fmt.Errorf("%s: give it on standard input, one line", prompt)
	}
	if p.br == nil {
		p.br = bufio.NewReader(p.s.In)
	}
	line, err := p.br.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("%s: want one line on standard input: %w", prompt, err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// resolveUser turns a user id (usr-...) or username into a user.
func resolveUser(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, ref string) (*pb.User, error) {
	if strings.HasPrefix(ref, "usr-") {
		resp, err := c.GetUser(ctx, connect.NewRequest(&pb.GetUserRequest{Id: ref}))
		if err != nil {
			return nil, err
		}
		return resp.Msg.GetUser(), nil
	}
	resp, err := c.ListUsers(ctx, connect.NewRequest(&pb.ListUsersRequest{}))
	if err != nil {
		return nil, err
	}
	for _, u := range resp.Msg.GetUsers() {
		if u.GetUsername() == strings.ToLower(ref) {
			return u, nil
		}
	}
	return nil, fmt.Errorf("user %q: no user with that username (or usr-... id) in the tenant", ref)
}

func userCmd(f *ctlFlags, s Streams, tc tenancyClient, pw *passwordReader) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Users of the tenant"}
	var role, email, name string
	create := &cobra.Command{
		Use:   "create USERNAME",
		Short: "Create a local user (the password, at least 12 characters, is prompted for or read from standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			p, err := pw.read("password for "+args[0], true)
			if err != nil {
				return err
			}
			resp, err := c.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: args[0], Role: role, Email: email,
				DisplayName: name, Password: p}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintf(w, "user %s created: %s (%s)\n", resp.Msg.GetUser().GetUsername(), resp.Msg.GetUser().GetId(), resp.Msg.GetUser().GetRole())
			})
		}),
	}
	create.Flags().StringVar(&role, "role", "viewer", "viewer, operator, admin or owner (see `ctl role list`)")
	create.Flags().StringVar(&email, "email", "", "email address")
	create.Flags().StringVar(&name, "name", "", "display name")
	list := &cobra.Command{
		Use: "list", Short: "List users", Args: cobra.NoArgs,
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, _ []string) error {
			resp, err := c.ListUsers(ctx, connect.NewRequest(&pb.ListUsersRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tUSERNAME\tROLE\tSOURCE\tDISABLED\tEMAIL\tLAST LOGIN")
				for _, u := range resp.Msg.GetUsers() {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%v\t%s\t%s\n", u.GetId(), u.GetUsername(), u.GetRole(), u.GetSource(), u.GetDisabled(),
						dash(u.GetEmail()), when(u.GetLastLoginAt()))
				}
			})
		}),
	}
	update := func(use, short string, nargs int, edit func(req *pb.UpdateUserRequest, args []string), done string) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(nargs),
			RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
				u, err := resolveUser(ctx, c, args[0])
				if err != nil {
					return err
				}
				req := &pb.UpdateUserRequest{Id: u.GetId()}
				edit(req, args)
				if _, err := c.UpdateUser(ctx, connect.NewRequest(req)); err != nil {
					return err
				}
				fmt.Fprintf(s.Out, "user %s %s\n", u.GetUsername(), done)
				return nil
			}),
		}
	}
	setRole := update("set-role USER ROLE", "Set a user's role (viewer, operator, admin or owner)", 2,
		func(req *pb.UpdateUserRequest, args []string) { req.Role = proto.String(args[1]) }, "role set")
	disable := update("disable USER", "Disable a user: its API keys are refused", 1,
		func(req *pb.UpdateUserRequest, _ []string) { req.Disabled = proto.Bool(true) }, "disabled")
	enable := update("enable USER", "Enable a disabled user again", 1,
		func(req *pb.UpdateUserRequest, _ []string) { req.Disabled = proto.Bool(false) }, "enabled")
	del := &cobra.Command{
		Use: "delete USER", Short: "Delete a user and revoke its API keys", Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			u, err := resolveUser(ctx, c, args[0])
			if err != nil {
				return err
			}
			if _, err := c.DeleteUser(ctx, connect.NewRequest(&pb.DeleteUserRequest{Id: u.GetId()})); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "user %s deleted\n", u.GetUsername())
			return nil
		}),
	}
	passwd := &cobra.Command{
		Use:   "passwd USER",
		Short: "Set a local user's password (your own: the current one is asked first)",
		Args:  cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			u, err := resolveUser(ctx, c, args[0])
			if err != nil {
				return err
			}
			req := &pb.ChangePasswordRequest{Id: u.GetId()}
			me, err := c.WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
			if err != nil {
				return err
			}
			if me.Msg.GetUserId() == u.GetId() {
				if req.CurrentPassword, err = pw.read("current password", false); err != nil {
					return err
				}
			}
			if req.NewPassword, err = pw.read("new password for "+u.GetUsername(), true); err != nil {
				return err
			}
			if _, err := c.ChangePassword(ctx, connect.NewRequest(req)); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "password of %s changed\n", u.GetUsername())
			return nil
		}),
	}
	cmd.AddCommand(create, list, setRole, disable, enable, del, passwd)
	return cmd
}

func serviceAccountCmd(f *ctlFlags, s Streams, tc tenancyClient) *cobra.Command {
	cmd := &cobra.Command{Use: "service-account", Aliases: []string{"sa"}, Short: "Service accounts of the tenant (identities for CI and scripts)"}
	var role, desc string
	create := &cobra.Command{
		Use: "create ID", Short: "Create a service account", Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			resp, err := c.CreateServiceAccount(ctx, connect.NewRequest(&pb.CreateServiceAccountRequest{Id: args[0], Role: role, Description: desc}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintf(w, "service account %s created (%s)\n", args[0], resp.Msg.GetServiceAccount().GetRole())
			})
		}),
	}
	create.Flags().StringVar(&role, "role", "viewer", "viewer, operator, admin or owner")
	create.Flags().StringVar(&desc, "description", "", "what it is for")
	list := &cobra.Command{
		Use: "list", Short: "List service accounts", Args: cobra.NoArgs,
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, _ []string) error {
			resp, err := c.ListServiceAccounts(ctx, connect.NewRequest(&pb.ListServiceAccountsRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tROLE\tCREATED\tDESCRIPTION")
				for _, a := range resp.Msg.GetServiceAccounts() {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", a.GetId(), a.GetRole(), when(a.GetCreatedAt()), a.GetDescription())
				}
			})
		}),
	}
	del := &cobra.Command{
		Use: "delete ID", Short: "Delete a service account and revoke its keys", Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			if _, err := c.DeleteServiceAccount(ctx, connect.NewRequest(&pb.DeleteServiceAccountRequest{Id: args[0]})); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "service account %s deleted\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(create, list, del)
	return cmd
}

func keyCmd(f *ctlFlags, s Streams, tc tenancyClient) *cobra.Command {
	cmd := &cobra.Command{Use: "key", Short: "API keys of the tenant"}
	var user, sa, role, desc string
	var ttl time.Duration
	create := &cobra.Command{
		Use:   "create (--user USER | --service-account ID)",
		Short: "Create an API key acting as a user or service account (the key is shown once)",
		Args:  cobra.NoArgs,
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, _ []string) error {
			req := &pb.CreateAPIKeyRequest{Role: role, Description: desc}
			switch {
			case (user == "") == (sa == ""):
				return errors.New("--user or --service-account: give exactly one, the identity the key acts as")
			case ttl < 0:
				return fmt.Errorf("--ttl %s: want a positive duration such as 720h, or 0 for no expiry", ttl)
			case user != "":
				u, err := resolveUser(ctx, c, user)
				if err != nil {
					return err
				}
				req.Owner = &pb.CreateAPIKeyRequest_UserId{UserId: u.GetId()}
			default:
				req.Owner = &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: sa}
			}
			req.TtlSeconds = int64(ttl / time.Second)
			resp, err := c.CreateAPIKey(ctx, connect.NewRequest(req))
			if err != nil {
				return err
			}
			if f.json {
				return f.print(s, resp.Msg, nil)
			}
			k := resp.Msg.GetKey()
			expires := "never expires"
			if k.GetExpiresAt() != nil {
				expires = "expires " + when(k.GetExpiresAt())
			}
			fmt.Fprintf(s.Out, "API key %s (tenant %s, %s, %s), shown once:\n%s\n", k.GetId(), k.GetTenant(), k.GetRole(), expires, resp.Msg.GetSecret())
			return nil
		}),
	}
	create.Flags().StringVar(&user, "user", "", "username or user id the key acts as")
	create.Flags().StringVar(&sa, "service-account", "", "service account the key acts as")
	create.Flags().StringVar(&role, "role", "", "the key's role, at most its owner's (default: the owner's)")
	create.Flags().DurationVar(&ttl, "ttl", 0, "lifetime, e.g. 720h (default: no expiry)")
	create.Flags().StringVar(&desc, "description", "", "what the key is for")
	list := &cobra.Command{
		Use: "list", Short: "List API keys (never their secrets)", Args: cobra.NoArgs,
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, _ []string) error {
			resp, err := c.ListAPIKeys(ctx, connect.NewRequest(&pb.ListAPIKeysRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "ID\tOWNER\tROLE\tCREATED\tEXPIRES\tLAST USED\tREVOKED\tDESCRIPTION")
				for _, k := range resp.Msg.GetKeys() {
					owner := "-"
					switch {
					case k.GetUserId() != "":
						owner = "user:" + k.GetUserId()
					case k.GetServiceAccountId() != "":
						owner = "sa:" + k.GetServiceAccountId()
					}
					revoked := "no"
					if k.GetRevoked() {
						revoked = when(k.GetRevokedAt())
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.GetId(), owner, k.GetRole(), when(k.GetCreatedAt()),
						when(k.GetExpiresAt()), when(k.GetLastUsedAt()), revoked, k.GetDescription())
				}
			})
		}),
	}
	revoke := &cobra.Command{
		Use: "revoke ID", Short: "Revoke an API key (refused by every controller once this returns)", Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			if _, err := c.RevokeAPIKey(ctx, connect.NewRequest(&pb.RevokeAPIKeyRequest{Id: args[0]})); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "API key %s revoked\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func roleCmd(f *ctlFlags, s Streams, tc tenancyClient) *cobra.Command {
	cmd := &cobra.Command{Use: "role", Short: "The fixed roles and what they may do"}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "Print the permission table: each action and the roles that hold it", Args: cobra.NoArgs,
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, _ []string) error {
			resp, err := c.ListRoles(ctx, connect.NewRequest(&pb.ListRolesRequest{}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				roles := resp.Msg.GetRoles()
				holds := map[string]map[string]bool{}
				fmt.Fprint(w, "ACTION")
				for _, r := range roles {
					fmt.Fprint(w, "\t"+strings.ToUpper(r.GetName()))
					holds[r.GetName()] = map[string]bool{}
					for _, a := range r.GetActions() {
						holds[r.GetName()][a] = true
					}
				}
				fmt.Fprintln(w, "\tDESCRIPTION")
				for _, a := range resp.Msg.GetActions() {
					held := false
					row := a.GetName()
					for _, r := range roles {
						mark := "-"
						if holds[r.GetName()][a.GetName()] {
							mark, held = "yes", true
						}
						row += "\t" + mark
					}
					if held { // public, agent and controller are no role's
						fmt.Fprintln(w, row+"\t"+a.GetDescription())
					}
				}
				fmt.Fprintln(w)
				for _, r := range roles {
					fmt.Fprintf(w, "%s: %s (%d actions)\n", r.GetName(), r.GetDescription(), len(r.GetActions()))
				}
			})
		}),
	})
	return cmd
}

func whoamiCmd(f *ctlFlags, s Streams, tc tenancyClient) *cobra.Command {
	return &cobra.Command{
		Use: "whoami", Short: "Show who the API key is, its tenant and role", Args: cobra.NoArgs,
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, _ []string) error {
			resp, err := c.WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
			if err != nil {
				return err
			}
			m := resp.Msg
			return f.print(s, m, func(w *tabwriter.Writer) {
				as := "-"
				switch {
				case m.GetUserId() != "":
					as = "user " + m.GetUserId()
				case m.GetServiceAccountId() != "":
					as = "service account " + m.GetServiceAccountId()
				}
				fmt.Fprintf(w, "principal\t%s\nacts as\t%s\ntenant\t%s\nhome tenant\t%s\nrole\t%s\n", m.GetPrincipal(), as, m.GetTenant(),
					m.GetHomeTenant(), m.GetRole())
			})
		}),
	}
}

// settingsCmd is the tenant's own settings, for its admins.
func settingsCmd(f *ctlFlags, s Streams, tc tenancyClient) *cobra.Command {
	cmd := &cobra.Command{Use: "settings", Short: "The tenant's settings (admins)"}
	cmd.AddCommand(&cobra.Command{
		Use: "password-login on|off", Short: "Allow or refuse console sign-in with a local password (single sign-on is unaffected)",
		Args: cobra.ExactArgs(1),
		RunE: tc.run(func(ctx context.Context, c driftmgrv1connect.TenancyServiceClient, args []string) error {
			var on bool
			switch args[0] {
			case "on":
				on = true
			case "off":
			default:
				return fmt.Errorf("password-login %q: want on or off", args[0])
			}
			resp, err := c.SetPasswordLogin(ctx, connect.NewRequest(&pb.SetPasswordLoginRequest{Enabled: on}))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintf(w, "password sign-in %s for tenant %s\n", args[0], resp.Msg.GetTenant().GetId())
			})
		}),
	})
	return cmd
}
