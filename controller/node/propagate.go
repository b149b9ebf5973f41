package node

import (
	"context"
	"fmt"
	"sync"
	"time"

	"connectrpc.com/connect"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// Propagate waits until every alive controller has applied everything
// committed so far, or ctx ends. It returns the controllers that did not
// confirm in time.
//
// A write that takes access away (a revoked API key, a disabled user)
// calls it before it answers, so a client that saw the answer is refused
// by every node, not only by the leader: followers otherwise learn of a
// commit up to a heartbeat later and would still admit the key. A node
// that cannot apply (partitioned, or not running) cannot be waited for;
// it is named in the result and the caller decides what to say.
func (n *Node) Propagate(ctx context.Context) ([]string, error) {
	var target uint64
	if n.IsLeader() {
		i, err := n.readIndex()
		if err != nil {
			return nil, fmt.Errorf("propagate: %w", err)
		}
		target = i
	} else {
		i, err := n.fwd.readIndex(ctx)
		if err != nil {
			return nil, fmt.Errorf("propagate: %w", err)
		}
		target = i
	}
	var (
		mu      sync.Mutex
		pending []string
		wg      sync.WaitGroup
	)
	for _, m := range n.Members() {
		if m.Status != "alive" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if m.Name == n.cfg.Name {
				err = n.waitApplied(ctx, target)
			} else if m.APIAddr == "" {
				err = fmt.Errorf("%s has not gossiped its API address", m.Name)
			} else {
				_, err = n.fwd.clientAt(m.APIAddr).WaitApplied(ctx, connect.NewRequest(&pb.WaitAppliedRequest{Index: target}))
			}
			if err != nil {
				mu.Lock()
				pending = append(pending, m.Name)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return pending, nil
}

// waitApplied blocks until this node has applied index i.
func (n *Node) waitApplied(ctx context.Context, i uint64) error {
	for n.applied.index() < i {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for index %d (applied %d): %w", i, n.applied.index(), ctx.Err())
		case <-n.stop:
			return fmt.Errorf("waiting for index %d: node stopped", i)
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// WaitApplied answers a peer's Propagate.
func (s *internal) WaitApplied(ctx context.Context, req *connect.Request[pb.WaitAppliedRequest]) (*connect.Response[pb.WaitAppliedResponse], error) {
	if err := s.n.waitApplied(ctx, req.Msg.GetIndex()); err != nil {
		return nil, connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	return connect.NewResponse(&pb.WaitAppliedResponse{AppliedIndex: s.n.applied.index()}), nil
}
