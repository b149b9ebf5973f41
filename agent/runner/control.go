package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"connectrpc.com/connect"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// controlLoop keeps a Control stream open to one of the controllers,
// trying them in order with backoff.
func (a *Agent) controlLoop(ctx context.Context) error {
	bo := a.newBackoff()
	for i := 0; ; i++ {
		base := a.cfg.Controllers[i%len(a.cfg.Controllers)]
		welcomed, err := a.session(ctx, base)
		a.setConnected(base, false)
		if ctx.Err() != nil {
			return nil
		}
		if refusedCode(err) {
			return a.refusal(base, err)
		}
		if !welcomed && a.certRefused(ctx, base) {
			return a.refusal(base, err)
		}
		wait := bo.next()
		if welcomed {
			// The stream worked; whatever ended it (a controller going
			// away, a revocation, a replaced stream) is worth one quick
			// retry, which also tells a revocation apart.
			bo.reset()
			wait = a.cfg.MinBackoff
		}
		a.log.Warn("control stream ended; reconnecting", "controller", base, "err", err, "in", wait)
		if sleepCtx(ctx, wait) != nil {
			return nil
		}
	}
}

// session runs one Control stream: Hello, Welcome, then heartbeats up and
// commands down until the stream breaks. welcomed says it got that far.
func (a *Agent) session(ctx context.Context, base string) (welcomed bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	stream := a.client(base).Control(ctx)
	hello := &pb.ControlRequest{Msg: &pb.ControlRequest_Hello{Hello: &pb.Hello{BootEpoch: a.ob.Epoch(),
		Version: a.cfg.Version, Providers: a.cfg.Providers}}}
	sendErr := stream.Send(hello)
	gotWelcome := make(chan struct{})
	senderDone := make(chan struct{})
	go func() {
		// The only sender after Hello. Closing the request side when the
		// session ends is what unblocks the HTTP/2 transport: while it
		// waits for more request body it does not watch the context, so a
		// cancelled stream would otherwise hang until the server gives up.
		defer close(senderDone)
		defer stream.CloseRequest()
		select {
		case <-gotWelcome:
		case <-ctx.Done():
			return
		}
		for {
			_, beat := a.intervals()
			if sleepCtx(ctx, beat) != nil {
				return
			}
			if err := stream.Send(&pb.ControlRequest{Msg: &pb.ControlRequest_Heartbeat{Heartbeat: a.heartbeat()}}); err != nil {
				cancel()
				return
			}
		}
	}()
	defer func() {
		cancel()
		<-senderDone
		_ = stream.CloseResponse()
	}()
	if sendErr != nil && !errors.Is(sendErr, io.EOF) {
		return false, sendErr
	}
	// After a failed Send, Receive has the server's reason.
	msg, err := stream.Receive()
	if err != nil {
		return false, err
	}
	w := msg.GetWelcome()
	if w == nil {
		return false, connect.NewError(connect.CodeInternal, errors.New("control stream: first message is not welcome"))
	}
	a.welcome(base, w)
	close(gotWelcome)
	for {
		msg, err := stream.Receive()
		if err != nil {
			return true, err
		}
		if c := msg.GetCommand(); c != nil {
			a.command(c)
		}
	}
}

// welcome applies the controller's answer to Hello.
func (a *Agent) welcome(base string, w *pb.Welcome) {
	a.setIntervals(time.Duration(w.GetScanIntervalSeconds())*time.Second, time.Duration(w.GetHeartbeatIntervalSeconds())*time.Second)
	epoch := a.ob.Epoch()
	if w.GetAckedEpoch() > epoch {
		// The controller applied batches of a newer epoch: this outbox was
		// replaced by an older copy, or the clock went back when it was
		// created. Every batch will be refused; say so loudly.
		a.log.Error("controller holds a newer boot epoch than this outbox: its batches will be refused",
			"outbox_epoch", epoch, "controller_epoch", w.GetAckedEpoch(), "outbox", filepath.Join(a.cfg.DataDir, "outbox.db"))
	}
	a.up.welcome(w.GetAckedSeq(), w.GetAckedEpoch() == epoch)
	a.setConnected(base, true)
	a.log.Info("connected to controller", "controller", base, "acked_seq", w.GetAckedSeq(), "epoch", epoch)
}

func (a *Agent) command(c *pb.Command) {
	if sn := c.GetScanNow(); sn != nil {
		a.log.Info("scan requested by controller", "command", c.GetId(), "reason", sn.GetReason())
		a.requestScan("command")
	}
}

func (a *Agent) heartbeat() *pb.Heartbeat {
	st := a.ob.Stats()
	return &pb.Heartbeat{OutboxDepth: uint64(st.Depth), OutboxBytes: uint64(st.Bytes), OutboxOldestSeconds: st.OldestAge.Seconds()}
}

// checkinLoop is the Control stream's fallback: Checkin long-polls, each
// a heartbeat that returns early with commands.
func (a *Agent) checkinLoop(ctx context.Context) error {
	bo := a.newBackoff()
	fresh := true
	for i := 0; ; {
		base := a.cfg.Controllers[i%len(a.cfg.Controllers)]
		_, beat := a.intervals()
		// The first poll returns at once, so uploads need not wait a
		// whole poll to learn that the controller is there. A poll must
		// end well within the controller's liveness window (three
		// heartbeat intervals), so it waits one interval.
		wait := int32(max(beat/time.Second, 1))
		if fresh {
			wait = 0
		}
		rctx, cancel := context.WithTimeout(ctx, time.Duration(wait)*time.Second+30*time.Second)
		resp, err := a.client(base).Checkin(rctx, connect.NewRequest(&pb.CheckinRequest{Heartbeat: a.heartbeat(),
			BootEpoch: a.ob.Epoch(), WaitSeconds: wait}))
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			a.setConnected(base, false)
			if refusedCode(err) || a.certRefused(ctx, base) {
				return a.refusal(base, err)
			}
			fresh = true
			i++
			d := bo.next()
			a.log.Warn("checkin failed; retrying", "controller", base, "err", err, "in", d)
			if sleepCtx(ctx, d) != nil {
				return nil
			}
			continue
		}
		bo.reset()
		if fresh {
			a.log.Info("checking in with controller", "controller", base, "acked_seq", resp.Msg.GetAckedSeq())
		}
		fresh = false
		a.up.checkin(resp.Msg.GetAckedSeq())
		a.setConnected(base, true)
		for _, c := range resp.Msg.GetCommands() {
			a.command(c)
		}
	}
}

// refusal is the fatal error for a controller that refuses the agent's
// certificate.
func (a *Agent) refusal(base string, err error) error {
	leaf := a.cert.Load().Leaf
	if now := a.cfg.Now(); !now.Before(leaf.NotAfter) {
		return fmt.Errorf("%w at %s; controller %s refused it (%v): remove %s and enroll with a new join token",
			ErrCertExpired, leaf.NotAfter.Format(time.RFC3339), base, err, filepath.Join(a.cfg.DataDir, agentFile))
	}
	return fmt.Errorf("%w: controller %s refused the agent's certificate (%v); enroll again with a new join token",
		ErrRevoked, base, err)
}
