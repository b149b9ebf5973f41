package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/audit"
	"github.com/driftmgr/driftmgr/controller/fsm"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// newCtlAuditCmd is `driftmgr ctl audit`: the tenant's audit log, for its
// admins. An export is JSON lines that `ctl audit verify FILE` checks
// offline, so a copy kept elsewhere proves what the log said.
func newCtlAuditCmd(s Streams, f *ctlFlags) *cobra.Command {
	client := newServiceClient(f, driftmgrv1connect.NewAuditServiceClient)
	root := &cobra.Command{Use: "audit", Short: "The tenant's audit log: list, export, verify"}

	var since, until, kind, actor, action, outcome string
	var newest bool
	var limit int32
	list := &cobra.Command{
		Use: "list", Short: "List audit entries (oldest first; --newest to reverse)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := &pb.ListAuditEventsRequest{ActorKind: kind, ActorId: actor, ActionPrefix: action, Outcome: outcome, Newest: newest, PageSize: limit}
			for _, t := range []struct {
				flag, v string
				dst     **timestamppb.Timestamp
			}{{"--since", since, &req.Since}, {"--until", until, &req.Until}} {
				if t.v == "" {
					continue
				}
				ts, err := parseWhen(t.v, time.Now())
				if err != nil {
					return fmt.Errorf("%s %q: %w", t.flag, t.v, err)
				}
				*t.dst = timestamppb.New(ts)
			}
			c, err := client()
			if err != nil {
				return err
			}
			resp, err := c.ListAuditEvents(cmd.Context(), connect.NewRequest(req))
			if err != nil {
				return err
			}
			return f.print(s, resp.Msg, func(w *tabwriter.Writer) {
				fmt.Fprintln(w, "SEQ\tTIME\tACTOR\tACTION\tOUTCOME\tFROM")
				for _, e := range resp.Msg.GetEvents() {
					fmt.Fprintf(w, "%d\t%s\t%s:%s\t%s\t%s\t%s\n", e.GetSeq(), e.GetTime().AsTime().Format(time.RFC3339), e.GetActor().GetKind(),
						dash(e.GetActor().GetId()), e.GetAction(), e.GetOutcome(), dash(e.GetRemote()))
				}
				if t := resp.Msg.GetNextPageToken(); t != "" {
					fmt.Fprintf(w, "\nmore: narrow with --since/--until, or raise --limit\n")
				}
			})
		},
	}
	fl := list.Flags()
	fl.StringVar(&since, "since", "", "from this time (RFC 3339, or a duration ago like 24h)")
	fl.StringVar(&until, "until", "", "before this time (RFC 3339, or a duration ago)")
	fl.StringVar(&kind, "actor-kind", "", "user, key, agent, controller or anonymous")
	fl.StringVar(&actor, "actor", "", "actor id (API key id, user id, agent id)")
	fl.StringVar(&action, "action", "", "action prefix, e.g. /driftmgr.v1.AgentsService/")
	fl.StringVar(&outcome, "outcome", "", "ok, failed or a code like permission_denied")
	fl.BoolVar(&newest, "newest", false, "newest first")
	fl.Int32Var(&limit, "limit", 100, "entries (at most 1000)")

	var out string
	var after uint64
	export := &cobra.Command{
		Use: "export", Short: "Write the whole log as JSON lines (to --out or stdout)", Args: cobra.NoArgs,
		RunE: client.run(func(ctx context.Context, c driftmgrv1connect.AuditServiceClient, _ []string) error {
			stream, err := c.ExportAudit(ctx, connect.NewRequest(&pb.ExportAuditRequest{AfterSeq: after}))
			if err != nil {
				return err
			}
			defer stream.Close()
			w := s.Out
			var file *os.File
			if out != "" && out != "-" {
				if file, err = os.Create(out); err != nil {
					return fmt.Errorf("--out: %w", err)
				}
				defer file.Close()
				w = file
			}
			bw := bufio.NewWriter(w)
			n := 0
			for stream.Receive() {
				var entries []audit.Entry
				for _, e := range stream.Msg().GetEvents() {
					entries = append(entries, fsm.EntryOf(e))
				}
				if err := audit.WriteJSONL(bw, entries); err != nil {
					return err
				}
				n += len(entries)
			}
			if err := stream.Err(); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if file != nil {
				if err := file.Close(); err != nil {
					return fmt.Errorf("--out: %w", err)
				}
				fmt.Fprintf(s.Err, "%d entries written to %s\n", n, out)
			}
			return nil
		}),
	}
	export.Flags().StringVar(&out, "out", "", "file to write (default: stdout)")
	export.Flags().Uint64Var(&after, "after", 0, "only entries after this sequence")

	verify := &cobra.Command{
		Use:   "verify [FILE]",
		Short: "Check the hash chain: of the stored log, or of an export FILE (and that it matches the stored head)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				return verifyExport(s, args[0])
			}
			c, err := client()
			if err != nil {
				return err
			}
			resp, err := c.VerifyAudit(cmd.Context(), connect.NewRequest(&pb.VerifyAuditRequest{}))
			if err != nil {
				return err
			}
			if e := resp.Msg.GetError(); e != "" {
				return fmt.Errorf("audit log is broken: %s", e)
			}
			_, err = fmt.Fprintf(s.Out, "audit log intact: %d entries, head %d %s\n", resp.Msg.GetEntries(), resp.Msg.GetHeadSeq(), resp.Msg.GetHeadHash())
			return err
		},
	}
	root.AddCommand(list, export, verify)
	return root
}

// verifyExport checks an exported log offline: every entry's hash and the
// chain between them.
func verifyExport(s Streams, path string) error {
	var r io.Reader = os.Stdin
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		defer file.Close()
		r = file
	}
	entries, err := audit.ReadJSONL(r)
	if err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	if len(entries) == 0 {
		return fmt.Errorf("verify %s: no entries", path)
	}
	if entries[0].Seq != 1 {
		// A partial export (--after) verifies against its own first entry.
		err = audit.VerifyAfter(entries[0], entries[1:])
	} else {
		err = audit.Verify(entries)
	}
	if err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	last := entries[len(entries)-1]
	_, err = fmt.Fprintf(s.Out, "%s intact: entries %d-%d of tenant %s, head %s\n", path, entries[0].Seq, last.Seq, last.Tenant, last.Hash)
	return err
}

// parseWhen reads an RFC 3339 time or a duration before now ("24h").
func parseWhen(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(v, "-")); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("want an RFC 3339 time or a duration ago like 24h")
}
