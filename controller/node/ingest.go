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
	b    *pb.IngestBatch
	done chan ingestResp
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

func (g *ingester) run() {
	defer g.n.wg.Done()
	for {
		var first *ingestReq
		select {
		case first = <-g.in:
		case <-g.stop:
			return
		}
		group := []*ingestReq{first}
		size := len(first.b.GetPayload())
		timer := time.NewTimer(g.n.cfg.GroupCommitWindow)
	collect:
		for size < g.n.cfg.GroupCommitBytes {
			select {
			case r := <-g.in:
				if size+len(r.b.GetPayload()) > g.n.cfg.GroupCommitBytes {
					g.propose(group)
					group, size = nil, 0
				}
				group = append(group, r)
				size += len(r.b.GetPayload())
			case <-timer.C:
				break collect
			case <-g.stop:
				timer.Stop()
				for _, r := range group {
					r.done <- ingestResp{err: errShutdown}
				}
				return
			}
		}
		timer.Stop()
		if len(group) > 0 {
			g.propose(group)
		}
	}
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
