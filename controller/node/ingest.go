package node

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/fsm"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// ingester is group commit on the leader: uploads from every agent are
// coalesced into one raft entry of at most GroupCommitBytes every
// GroupCommitWindow. A serial commit per upload is bounded by fsync at a
// few hundred per second; one entry per window carries thousands of
// findings for the same fsync.
type ingester struct {
	n    *Node
	in   chan *ingestReq
	stop chan struct{}
}

type ingestReq struct {
	b      *pb.IngestBatch
	done   chan ingestResp
	parked time.Time // when it started waiting for its predecessor
}

type ingestResp struct {
	out *pb.IngestOutcome
	err error
}

func newIngester(n *Node) *ingester {
	return &ingester{n: n, in: make(chan *ingestReq, 1024), stop: make(chan struct{})}
}

var errShutdown = errors.New("controller is shutting down")

func (g *ingester) submit(ctx context.Context, b *pb.IngestBatch) (*pb.IngestOutcome, error) {
	r := &ingestReq{b: b, done: make(chan ingestResp, 1)}
	select {
	case g.in <- r:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-g.stop:
		return nil, errShutdown
	}
	select {
	case resp := <-r.done:
		return resp.out, resp.err
	case <-ctx.Done():
		// The batch may still commit; the agent resends it and the
		// high-water mark turns the resend into a duplicate.
		return nil, ctx.Err()
	}
}

func (g *ingester) close() { close(g.stop) }

// batchKey names one agent's boot epoch: the sequence batches follow.
type batchKey struct {
	tenant, agent string
	epoch         uint64
}

func keyOf(b *pb.IngestBatch) batchKey {
	return batchKey{b.GetTenant(), b.GetAgentId(), b.GetBootEpoch()}
}

// run collects groups. An agent pipelines several uploads, which may reach
// this loop out of order; sorting a group fixes that only within it, and a
// batch proposed ahead of its predecessor is refused as a gap, costing the
// agent a resend of the whole batch. So a batch whose predecessor has been
// neither committed nor proposed waits here (parked) until it is, or for
// parkTimeout, after which it goes ahead and the FSM decides.
func (g *ingester) run() {
	defer g.n.wg.Done()
	window := g.n.cfg.GroupCommitWindow
	parkTimeout := max(2*window, 100*time.Millisecond)
	var (
		group []*ingestReq
		size  int
		flush *time.Timer
		fire  <-chan time.Time
		// proposed is the highest seq this loop proposed per agent epoch.
		proposed = map[batchKey]uint64{}
		parked   = map[batchKey][]*ingestReq{}
		nparked  int
	)
	propose := func() {
		if len(group) > 0 {
			g.propose(group)
		}
		group, size = nil, 0
		if flush != nil {
			flush.Stop()
		}
		fire = nil
	}
	add := func(r *ingestReq) {
		n := len(r.b.GetPayload())
		if len(group) > 0 && size+n > g.n.cfg.GroupCommitBytes {
			propose()
		}
		group = append(group, r)
		size += n
		k := keyOf(r.b)
		proposed[k] = max(proposed[k], r.b.GetSeq())
		if len(group) == 1 {
			flush = time.NewTimer(window)
			fire = flush.C
		}
		if size >= g.n.cfg.GroupCommitBytes {
			propose()
		}
	}
	// admit adds r, or parks it if it overtook its predecessor, and then
	// adds the parked successors r lets through.
	admit := func(r *ingestReq) {
		k := keyOf(r.b)
		if next := max(g.highWater(k), proposed[k]) + 1; r.b.GetSeq() > next &&
			!(r.b.GetLostThrough() > 0 && r.b.GetSeq() == r.b.GetLostThrough()+1) {
			r.parked = time.Now()
			parked[k] = append(parked[k], r)
			nparked++
			return
		}
		add(r)
		for {
			waiting := parked[k]
			i := slices.IndexFunc(waiting, func(w *ingestReq) bool { return w.b.GetSeq() == proposed[k]+1 })
			if i < 0 {
				return
			}
			w := waiting[i]
			if parked[k] = slices.Delete(waiting, i, i+1); len(parked[k]) == 0 {
				delete(parked, k)
			}
			nparked--
			add(w)
		}
	}
	tick := time.NewTicker(window)
	defer tick.Stop()
	for {
		select {
		case r := <-g.in:
			admit(r)
		case <-fire:
			propose()
		case <-tick.C:
			if nparked == 0 {
				continue
			}
			for k, waiting := range parked {
				kept := waiting[:0]
				for _, w := range waiting {
					if time.Since(w.parked) >= parkTimeout {
						nparked--
						add(w)
					} else {
						kept = append(kept, w)
					}
				}
				if len(kept) == 0 {
					delete(parked, k)
				} else {
					parked[k] = kept
				}
			}
		case <-g.stop:
			if flush != nil {
				flush.Stop()
			}
			for _, r := range group {
				r.done <- ingestResp{err: errShutdown}
			}
			for _, waiting := range parked {
				for _, r := range waiting {
					r.done <- ingestResp{err: errShutdown}
				}
			}
			return
		}
	}
}

// highWater is the highest seq of the agent's epoch already applied here.
func (g *ingester) highWater(k batchKey) uint64 {
	var seq uint64
	_ = g.n.fsm.Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(k.tenant)
		if err != nil {
			return nil
		}
		if h := tt.HighWater(k.agent); h.Epoch == k.epoch {
			seq = h.Seq
		}
		return nil
	})
	return seq
}

// propose commits one group. Batches are ordered by agent and sequence so
// an agent's pipelined uploads that arrived out of order within the window
// still apply in order.
func (g *ingester) propose(group []*ingestReq) {
	slices.SortStableFunc(group, func(a, b *ingestReq) int {
		return cmp.Or(cmp.Compare(a.b.GetTenant(), b.b.GetTenant()), cmp.Compare(a.b.GetAgentId(), b.b.GetAgentId()),
			cmp.Compare(a.b.GetBootEpoch(), b.b.GetBootEpoch()), cmp.Compare(a.b.GetSeq(), b.b.GetSeq()))
	})
	cmd := &pb.IngestCommand{}
	for _, r := range group {
		cmd.Batches = append(cmd.Batches, r.b)
	}
	data, err := fsm.Encode(&pb.RaftCommand{At: timestamppb.Now(), Cmd: &pb.RaftCommand_Ingest{Ingest: cmd}})
	if err != nil {
		answer(group, nil, err)
		return
	}
	f := g.n.raft.Apply(data, leaderWait)
	// Waiting happens off this goroutine so the next group can be
	// proposed while this one replicates: raft pipelines them in order.
	go func() {
		if err := f.Error(); err != nil {
			answer(group, nil, err)
			return
		}
		res, ok := f.Response().(*pb.IngestResult)
		if !ok || len(res.GetOutcomes()) != len(group) {
			answer(group, nil, fmt.Errorf("ingest: unexpected apply response %T", f.Response()))
			return
		}
		answer(group, res.GetOutcomes(), nil)
	}()
}

func answer(group []*ingestReq, outs []*pb.IngestOutcome, err error) {
	if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) {
		err = fmt.Errorf("ingest: %w", err)
	}
	for i, r := range group {
		if err != nil {
			r.done <- ingestResp{err: err}
			continue
		}
		r.done <- ingestResp{out: outs[i]}
	}
}
