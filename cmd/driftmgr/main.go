// Command driftmgr finds infrastructure drift between Terraform state and
// the live cloud. See `driftmgr --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/driftmgr/driftmgr/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
