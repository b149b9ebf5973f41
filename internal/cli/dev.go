package cli

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	"github.com/driftmgr/driftmgr/agent/runner"
	"github.com/driftmgr/driftmgr/console"
	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/node"
	"github.com/driftmgr/driftmgr/controller/oidc"
	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/examples"
	"github.com/driftmgr/driftmgr/internal/cloudsim"
	"github.com/driftmgr/driftmgr/internal/cloudsim/world"
	"github.com/driftmgr/driftmgr/internal/resource"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// devFlags are `driftmgr dev`'s.
type devFlags struct {
	listen       string
	dataDir      string
	scanInterval time.Duration
	world        string
	keyFile      string
	passwordFile string
}

func newDevCmd(s Streams) *cobra.Command {
	f := &devFlags{}
	c := &cobra.Command{
		Use:   "dev",
		Short: "Run the whole product on this machine: a controller, an agent and a simulated cloud with drift in it",
		Long: `Run DriftMgr in one process for a first look, a demo or development, like
'consul agent -dev': a single-node controller (raft with one voter), one agent,
and the built-in simulated AWS, Azure and GCP clouds serving the bundled example
worlds, each drifted from its Terraform state (examples/{aws,azure,gcp}).

The API answers on --listen (plain HTTP, loopback only by default); the admin
API key, and the console password of user admin (a platform owner, tenant
default), are printed at start. Change the simulated cloud while it runs to make
new drift:

  curl -X PATCH -H "Authorization: Bearer $KEY" \
    http://localhost:8080/dev/v1/world/aws/aws_instance/i-0a1 -d '{"instance_type":"m5.4xlarge"}'

Nothing here is meant for production: data lives in a temporary directory
unless --data-dir is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDev(ctx, s, f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address of the API (and console) over plain HTTP")
	fl.StringVar(&f.dataDir, "data-dir", "", "keep state here across runs (default: a temporary directory, removed on exit)")
	fl.DurationVar(&f.scanInterval, "scan-interval", 30*time.Second, "how often the agent scans the simulated cloud")
	fl.StringVar(&f.world, "world", "", "serve this world file instead of the bundled examples (its states: --state is not needed, the scan compares against the bundled states)")
	fl.StringVar(&f.keyFile, "api-key-file", "", "also write the admin API key to this file (0600), for scripts and tests")
	fl.StringVar(&f.passwordFile, "admin-password-file", "", "also write the console password of user admin to this file (0600), for scripts and tests")
	return c
}

// devPort picks a free loopback port for a listener the dev mode must
// name before it starts (raft and gossip advertise their addresses).
func devPort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	u, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return devPort()
	}
	u.Close()
	return "127.0.0.1:" + strconv.Itoa(port), nil
}

func runDev(ctx context.Context, s Streams, f *devFlags) error {
	log := slog.New(slog.NewTextHandler(s.Err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dir := f.dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "driftmgr-dev-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--data-dir: %w", err)
	}

	// The simulated cloud, and the states it drifted from.
	w, states, err := devWorld(dir, f.world)
	if err != nil {
		return err
	}
	sim, err := cloudsim.Start(w)
	if err != nil {
		return err
	}
	defer sim.Close()

	ca, err := pki.NewCA("DriftMgr dev CA", 30*24*time.Hour, time.Now())
	if err != nil {
		return err
	}
	cert, err := ca.IssueServer([]string{"dev", "127.0.0.1", "localhost"}, 30*24*time.Hour, time.Now())
	if err != nil {
		return err
	}
	raftAddr, err := devPort()
	if err != nil {
		return err
	}
	gossipAddr, err := devPort()
	if err != nil {
		return err
	}
	var key string
	extra := map[string]http.Handler{
		"/dev/v1/": http.StripPrefix("/dev/v1", requireKey(&key, cloudsim.AdminHandler(w))),
		"/":        console.Handler(),
	}
	// The console signs in with a password over the plain HTTP listener:
	// cookies without the Secure flag.
	secure := false
	srv, err := controller.Start(ctx, controller.Config{
		APIAddr: "127.0.0.1:0", HTTPAddr: f.listen, ScanInterval: f.scanInterval, HeartbeatInterval: 5 * time.Second,
		OIDC:  &oidc.Config{AllowPasswordLogin: true, CookieSecure: &secure},
		Extra: extra, Logger: log,
		Node: node.Config{Name: "dev", DataDir: filepath.Join(dir, "controller"), RaftAddr: raftAddr, GossipAddr: gossipAddr,
			BootstrapExpect: 1, CA: ca, Cert: cert, Logger: log},
	})
	if err != nil {
		return err
	}
	defer srv.Shutdown(true)

	base := "http://" + srv.HTTPAddr()
	if key, err = devBootstrap(ctx, base, filepath.Join(dir, "admin.key")); err != nil {
		return err
	}
	if f.keyFile != "" {
		if err := os.WriteFile(f.keyFile, []byte(key+"\n"), 0o600); err != nil {
			return fmt.Errorf("--api-key-file: %w", err)
		}
	}
	password, err := devAdminUser(ctx, base, key, filepath.Join(dir, "admin.password"))
	if err != nil {
		return err
	}
	if f.passwordFile != "" {
		if err := os.WriteFile(f.passwordFile, []byte(password+"\n"), 0o600); err != nil {
			return fmt.Errorf("--admin-password-file: %w", err)
		}
	}
	ag := driftmgrv1connect.NewAgentsServiceClient(http.DefaultClient, base, controller.BearerKey(key))
	tok, err := ag.CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{Description: "dev agent"}))
	if err != nil {
		return fmt.Errorf("dev: join token: %w", err)
	}
	// The simulated cloud is local: no need to pace calls as for AWS.
	scan := agentScan{States: states, Providers: []string{"aws", "azure", "gcp"}, Rate: 2000, Concurrency: 16}
	a, err := runner.New(runner.Config{Controllers: []string{"https://" + srv.APIAddr()}, JoinToken: tok.Msg.GetSecret(),
		CAPin: tok.Msg.GetCaPin(), CAPEM: srv.CAPEM(), DataDir: filepath.Join(dir, "agent"), Name: "dev-agent", Version: Version,
		Providers: scan.Providers, Scanner: scan.scanner(sim), ScanInterval: f.scanInterval, Logger: log})
	if err != nil {
		return err
	}
	defer a.Close()

	fmt.Fprintf(s.Out, `DriftMgr dev mode
  console    %s  (sign in as admin with the password below)
  API        %s  (Connect, gRPC-Web and REST under /api/v1; TLS for agents on %s)
  API key    %s  (platform owner, tenant default)
  password   %s  (console user admin, platform owner, tenant default)
  data       %s
  agent      scans the simulated AWS, Azure and GCP clouds every %s

Try:
  export DRIFTMGR_API_KEY=%s
  driftmgr ctl findings list
  curl -H "Authorization: Bearer $DRIFTMGR_API_KEY" %s/api/v1/findings
  curl -X PATCH -H "Authorization: Bearer $DRIFTMGR_API_KEY" %s/dev/v1/world/aws/aws_instance/i-0a1 -d '{"instance_type":"m5.4xlarge"}'
Ctrl-C stops everything.
`, base, base, srv.APIAddr(), key, password, dir, f.scanInterval, key, base, base)

	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	select {
	case <-ctx.Done():
		<-errc
		return nil
	case err := <-errc:
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("dev agent: %w", err)
	}
}

// devBootstrap creates the admin key on a fresh data dir, or reads the one
// a previous run with the same --data-dir kept.
func devBootstrap(ctx context.Context, base, keyPath string) (string, error) {
	if b, err := os.ReadFile(keyPath); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	cl := driftmgrv1connect.NewClusterServiceClient(http.DefaultClient, base)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := cl.Bootstrap(ctx, connect.NewRequest(&pb.BootstrapRequest{}))
		if err == nil {
			key := resp.Msg.GetApiKey()
			if err := os.WriteFile(keyPath, []byte(key+"\n"), 0o600); err != nil {
				return "", err
			}
			return key, nil
		}
		if connect.CodeOf(err) != connect.CodeUnavailable || time.Now().After(deadline) {
			return "", fmt.Errorf("dev: bootstrap: %w", err)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// devAdminUser makes the console's user admin, a platform owner with a
// random password, on a fresh data dir, or reads the password a previous
// run with the same --data-dir kept (like the API key).
func devAdminUser(ctx context.Context, base, key, passwordPath string) (string, error) {
	if b, err := os.ReadFile(passwordPath); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	password := rand.Text()
	tc := driftmgrv1connect.NewTenancyServiceClient(http.DefaultClient, base, controller.BearerKey(key))
	_, err := tc.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "admin", DisplayName: "Dev admin", Role: "owner",
		Password: password}))
	if connect.CodeOf(err) == connect.CodeAlreadyExists {
		// The data dir outlived its password file: give admin a new one.
		users, lerr := tc.ListUsers(ctx, connect.NewRequest(&pb.ListUsersRequest{}))
		if lerr != nil {
			return "", fmt.Errorf("dev: admin user: %w", lerr)
		}
		for _, u := range users.Msg.GetUsers() {
			if u.GetUsername() == "admin" {
				_, err = tc.ChangePassword(ctx, connect.NewRequest(&pb.ChangePasswordRequest{Id: u.GetId(), NewPassword: password}))
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("dev: admin user: %w", err)
	}
	if err := os.WriteFile(passwordPath, []byte(password+"\n"), 0o600); err != nil {
		return "", err
	}
	return password, nil
}

// devWorld loads the simulated world and writes the states it drifted
// from into dir.
func devWorld(dir, worldFile string) (*world.World, []string, error) {
	stateDir := filepath.Join(dir, "states")
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, nil, err
	}
	var states []string
	var all []resource.Resource
	for _, cloud := range examples.Clouds {
		st, err := fs.ReadFile(examples.FS, cloud+"/terraform.tfstate")
		if err != nil {
			return nil, nil, err
		}
		p := filepath.Join(stateDir, cloud+".tfstate")
		if err := os.WriteFile(p, st, 0o600); err != nil {
			return nil, nil, err
		}
		states = append(states, p)
		if worldFile != "" {
			continue
		}
		wf, err := examples.FS.Open(cloud + "/world.json")
		if err != nil {
			return nil, nil, err
		}
		rs, err := resource.DecodeInventory(cloud+"/world.json", wf, resource.InventoryLimits{})
		wf.Close()
		if err != nil {
			return nil, nil, err
		}
		all = append(all, rs...)
	}
	if worldFile != "" {
		w, err := world.Load(worldFile)
		return w, states, err
	}
	return world.New(all), states, nil
}

// requireKey admits requests bearing the dev admin key.
func requireKey(key *string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if *key == "" || subtle.ConstantTimeCompare([]byte(got), []byte(*key)) != 1 {
			http.Error(w, "dev API: Authorization: Bearer <admin API key> required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
