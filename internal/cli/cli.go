// Package cli is the driftmgr command line: flags in, exit code out. It
// wires the components together and holds no drift logic of its own.
//
// Exit codes are a contract scripts depend on: 0 in sync, 1 drift found,
// 2 error (bad input, unreadable source, bad flag).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes.
const (
	ExitInSync = 0
	ExitDrift  = 1
	ExitError  = 2
)

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// Streams are the process's standard streams, replaceable in tests.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// errDrift makes a command exit 1 without printing an error.
var errDrift = errors.New("drift found")

// Run executes the command line and returns the process exit code.
func Run(ctx context.Context, args []string, s Streams) int {
	root := newRoot(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return ExitInSync
	case errors.Is(err, errDrift):
		return ExitDrift
	default:
		fmt.Fprintf(s.Err, "Error: %v\n", err)
		return ExitError
	}
}

func newRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "driftmgr",
		Short: "Find and fix infrastructure drift between Terraform state and the live cloud",
		Long: `driftmgr compares Terraform state with what really runs in the cloud and reports
drift attribute by attribute: resources MISSING from the cloud, UNMANAGED by any
state, and MODIFIED outside Terraform.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s: %w (see '%s --help')", c.CommandPath(), err, c.CommandPath())
	})
	root.AddCommand(newScanCmd(s), newStateCmd(s), newDiscoverCmd(s), newGenDriftignoreCmd(s),
		newControllerCmd(s), newAgentCmd(s), newDevCmd(s), newTLSCmd(s), newCtlCmd(s), newSecurityCmd(s), newPolicyCmd(s))
	return root
}

// isTerminal reports whether w is a terminal (for colour and progress).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
