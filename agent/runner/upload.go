package runner

import (
	"context"
	"errors"
	"sync"
	"time"

	"connectrpc.com/connect"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// uploadTimeout bounds one Upload: a commit waits for raft, which during
// an election can take a few seconds, never minutes.
const uploadTimeout = time.Minute

// errResend ends a pump whose batches must be resent in order from the
// controller's high-water mark (a gap, a refused batch, a new controller).
var errResend = errors.New("runner: resend from the lowest unacked batch")

// uploader moves the outbox to the controller: up to InFlight batches in
// flight, acked cumulatively, resent from the lowest unacked after any
// failure. Only its goroutine calls outbox Pending and Ack.
type uploader struct {
	a    *Agent
	wake chan struct{}

	mu sync.Mutex
	// ctlAcked is the controller's last reported high-water mark for
	// this epoch.
	ctlAcked uint64
	// epochKnown: the controller has applied a batch of this epoch. Until
	// then one batch goes at a time, because the controller starts a new
	// epoch wherever its first batch lands, and a pipelined seq 2 landing
	// before seq 1 would turn seq 1 into a "duplicate".
	epochKnown bool
	pendingAck uint64

	maxSent uint64 // uploader goroutine only
}

func newUploader(a *Agent) *uploader { return &uploader{a: a, wake: make(chan struct{}, 1)} }

// wakeUp tells the uploader there is news: records appended, acks known.
func (u *uploader) wakeUp() {
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

// welcome records the controller's high-water mark from Welcome.
func (u *uploader) welcome(acked uint64, sameEpoch bool) {
	u.mu.Lock()
	if sameEpoch {
		u.ctlAcked, u.epochKnown, u.pendingAck = acked, true, acked
	} else {
		u.ctlAcked, u.epochKnown = 0, false
	}
	u.mu.Unlock()
	u.wakeUp()
}

// checkin records the high-water mark a Checkin answer carries (0 when
// the controller holds nothing of this epoch).
func (u *uploader) checkin(acked uint64) {
	if acked == 0 {
		return
	}
	u.mu.Lock()
	u.ctlAcked, u.epochKnown, u.pendingAck = max(u.ctlAcked, acked), true, acked
	u.mu.Unlock()
	u.wakeUp()
}

func (u *uploader) window() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.epochKnown {
		return 1
	}
	return u.a.cfg.InFlight
}

func (u *uploader) controllerAcked() uint64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.ctlAcked
}

func (u *uploader) run(ctx context.Context) error {
	bo := u.a.newBackoff()
	for {
		if err := u.waitReady(ctx); err != nil {
			return nil
		}
		err := u.pump(ctx)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err == nil:
			bo.reset()
			continue
		case refusedCode(err):
			base, _, _ := u.a.connection()
			return u.a.refusal(base, err)
		case errors.Is(err, errResend):
			bo.reset()
			err = sleepCtx(ctx, u.a.cfg.MinBackoff)
		default:
			d := bo.next()
			u.a.log.Warn("upload failed; resending from the lowest unacked batch", "err", err, "in", d)
			err = sleepCtx(ctx, d)
		}
		if err != nil {
			return nil
		}
	}
}

// waitReady waits for a control channel and something to send.
func (u *uploader) waitReady(ctx context.Context) error {
	for {
		u.applyAcks(ctx)
		_, up, changed := u.a.connection()
		if up && u.a.ob.Stats().Depth > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-u.wake:
		}
	}
}

type sendResult struct {
	seq     uint64
	records int
	resp    *pb.UploadResponse
	err     error
}

// pump sends pending batches to the controller the control channel is on,
// keeping up to the window in flight, until the outbox is empty and idle
// (nil), the connection moves (nil), or something needs a resend or a
// backoff (error).
func (u *uploader) pump(ctx context.Context) (err error) {
	a := u.a
	base, up, changed := a.connection()
	if !up {
		return nil
	}
	cl := a.client(base)
	results := make(chan sendResult, MaxInFlight)
	inflight := 0
	defer func() {
		// Collect what is still in flight; acks that arrive are kept.
		for ; inflight > 0; inflight-- {
			r := <-results
			_ = u.handle(ctx, r)
		}
	}()
	next := a.ob.Stats().AckedSeq
	first := true // the next batch fetched is the lowest in the outbox
	var stop error
	for {
		u.applyAcks(ctx)
		fetched := 0
		if stop == nil {
			if room := u.window() - inflight; room > 0 {
				bs, err := a.ob.Pending(ctx, next, room)
				if err != nil {
					stop = err
				}
				for _, b := range bs {
					var lost uint64
					// Everything below the outbox's lowest batch was acked,
					// pruned by age or refused; telling the controller so
					// lets it move its high-water mark past seqs it will
					// never get. It ignores the claim for seqs it has.
					if first && b.Seq > 1 && b.Seq-1 > u.controllerAcked() {
						lost = b.Seq - 1
					}
					first = false
					u.sent(b.Seq)
					inflight++
					fetched++
					go u.send(ctx, cl, b, lost, results)
					next = b.Seq
				}
			}
		}
		if inflight == 0 {
			if stop != nil {
				return stop
			}
			if fetched == 0 {
				if st := a.ob.Stats(); st.AckedSeq < st.LastSeq && next > st.AckedSeq {
					// Sent but not acked (the controller answered with a
					// lower high-water mark): resend in order.
					return errResend
				}
				select {
				case <-ctx.Done():
					return nil
				case <-changed:
					return nil
				case <-u.wake:
				}
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case r := <-results:
			inflight--
			if err := u.handle(ctx, r); err != nil && stop == nil {
				stop = err
			}
		case <-changed:
			changed = nil
			if stop == nil {
				stop = errResend
			}
		case <-u.wake:
		}
	}
}

func (u *uploader) send(ctx context.Context, cl driftmgrv1connect.AgentServiceClient, b outbox.Batch, lost uint64, out chan<- sendResult) {
	ctx, cancel := context.WithTimeout(ctx, uploadTimeout)
	defer cancel()
	resp, err := cl.Upload(ctx, connect.NewRequest(&pb.UploadRequest{BootEpoch: b.Epoch, Seq: b.Seq, Sha256: b.SHA256[:],
		Payload: outbox.EncodeBatch(b), LostThrough: lost}))
	r := sendResult{seq: b.Seq, records: len(b.Records), err: err}
	if err == nil {
		r.resp = resp.Msg
	}
	out <- r
}

func (u *uploader) sent(seq uint64) {
	resent := seq <= u.maxSent
	u.maxSent = max(u.maxSent, seq)
	u.a.count(func(c *counters) {
		c.sent++
		if resent {
			c.resent++
		}
	})
}

// handle applies one Upload answer. A non-nil error stops launching new
// batches; the pump then drains and resends or backs off.
func (u *uploader) handle(ctx context.Context, r sendResult) error {
	a := u.a
	switch code := connect.CodeOf(r.err); {
	case r.err == nil:
		acked := r.resp.GetAckedSeq()
		u.mu.Lock()
		u.epochKnown, u.ctlAcked = true, max(u.ctlAcked, acked)
		u.mu.Unlock()
		if r.resp.GetDuplicate() {
			a.count(func(c *counters) { c.duplicates++ })
		}
		u.ack(ctx, acked)
		if acked < r.seq {
			// A gap: the controller wants an earlier batch first.
			return errResend
		}
		return nil
	case refusedCode(r.err):
		return r.err
	case code == connect.CodeInvalidArgument || code == connect.CodeFailedPrecondition:
		// The controller refuses this batch itself (corrupt, invalid, or
		// not acceptable for this agent). Sending it again gets the same
		// answer, and holding it would wedge every later batch behind
		// it, so once it is the lowest unacked batch it is dropped here
		// (acked locally) and counted; the next batch then tells the
		// controller it is lost (lost_through) so the high-water mark can
		// move on. Until it is the lowest, earlier batches go first.
		a.count(func(c *counters) { c.rejected++ })
		st := a.ob.Stats()
		bs, err := a.ob.Pending(ctx, st.AckedSeq, 1)
		if err == nil && len(bs) == 1 && bs[0].Seq == r.seq {
			a.log.Error("controller refused an upload batch; dropping it so later batches can be delivered",
				"epoch", a.ob.Epoch(), "seq", r.seq, "records", r.records, "code", code.String(), "err", r.err)
			u.ack(ctx, r.seq)
			a.lost("the controller refused a batch")
		} else {
			a.log.Warn("controller refused an upload batch while earlier ones are unacked; resending in order",
				"seq", r.seq, "err", r.err)
		}
		return errResend
	case code == connect.CodeAborted:
		// The controller holds a newer boot epoch for this agent: this
		// outbox was replaced while the clock was behind. Retrying cannot
		// help until an operator looks, so say exactly that.
		a.log.Error("controller refuses this outbox's boot epoch as older than one it already applied; "+
			"the outbox was replaced or the clock went back: check the clock, then move outbox.db aside to start a new epoch",
			"epoch", a.ob.Epoch(), "err", r.err)
		return r.err
	default:
		return r.err
	}
}

// applyAcks applies a high-water mark learned on the control channel.
func (u *uploader) applyAcks(ctx context.Context) {
	u.mu.Lock()
	seq := u.pendingAck
	u.pendingAck = 0
	u.mu.Unlock()
	if seq > 0 {
		u.ack(ctx, seq)
	}
}

// ack removes every batch up to seq from the outbox.
func (u *uploader) ack(ctx context.Context, seq uint64) {
	a := u.a
	before := a.ob.Stats().AckedSeq
	if seq <= before {
		return
	}
	if err := a.ob.Ack(ctx, seq); err != nil {
		if ctx.Err() == nil {
			a.log.Error("outbox ack", "seq", seq, "err", err)
		}
		return
	}
	a.count(func(c *counters) { c.acked += seq - before })
}
