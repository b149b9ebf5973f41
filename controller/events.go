package controller

import (
	"context"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/fsm"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// broker fans committed changes out to Watch streams on this node. Every
// node applies every entry, so a client may watch any node.
type broker struct {
	s      *Server
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	tenant string
	ch     chan *pb.WatchResponse
	// lagged is set when the subscriber's buffer overflowed; the stream
	// then sends fresh counts instead of the events it missed.
	lagged bool
}

func newBroker(s *Server) *broker { return &broker{s: s, subs: map[*subscriber]struct{}{}} }

func (b *broker) subscribe(tenant string) *subscriber {
	sub := &subscriber{tenant: tenant, ch: make(chan *pb.WatchResponse, 256)}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[sub] = struct{}{}
	return sub
}

func (b *broker) unsubscribe(sub *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, sub)
}

func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for sub := range b.subs {
		close(sub.ch)
		delete(b.subs, sub)
	}
}

// publish turns one applied change into events per tenant. It runs on the
// FSM's goroutine, so it never blocks: a slow subscriber is marked lagged.
func (b *broker) publish(c fsm.Change) {
	byTenant := map[string]*pb.FindingsChanged{}
	for _, f := range c.Findings {
		fc := byTenant[f.GetTenant()]
		if fc == nil {
			fc = &pb.FindingsChanged{}
			byTenant[f.GetTenant()] = fc
		}
		if len(fc.Ids) < 1000 {
			fc.Ids = append(fc.Ids, f.GetId())
		}
	}
	var sec *pb.SecurityChanged
	if len(c.SecFindings) > 0 || len(c.SecResolved) > 0 || len(c.Postures) > 0 || c.Mutelist != nil || c.Policies {
		sec = &pb.SecurityChanged{Posture: len(c.Postures) > 0, Mutelist: c.Mutelist != nil, Policies: c.Policies}
		for _, f := range c.SecFindings {
			if len(sec.Ids) < 1000 {
				sec.Ids = append(sec.Ids, f.GetId())
			}
		}
		for _, id := range c.SecResolved {
			if len(sec.Ids) < 1000 {
				sec.Ids = append(sec.Ids, id)
			}
		}
	}
	now := timestamppb.New(time.Now())
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	for sub := range b.subs {
		var evs []*pb.WatchResponse
		if fc := byTenant[sub.tenant]; fc != nil {
			evs = append(evs, &pb.WatchResponse{Revision: c.Index, At: now, Event: &pb.WatchResponse_FindingsChanged{FindingsChanged: fc}})
		}
		if sec != nil && c.Tenant == sub.tenant {
			evs = append(evs, &pb.WatchResponse{Revision: c.Index, At: now, Event: &pb.WatchResponse_SecurityChanged{SecurityChanged: sec}})
		}
		for _, sc := range c.Scans {
			if sc.GetTenant() == sub.tenant {
				evs = append(evs, &pb.WatchResponse{Revision: c.Index, At: now, Event: &pb.WatchResponse_ScanCompleted{ScanCompleted: sc}})
			}
		}
		for _, a := range c.Agents {
			if a.GetTenant() == sub.tenant {
				evs = append(evs, &pb.WatchResponse{Revision: c.Index, At: now, Event: &pb.WatchResponse_AgentStatus{
					AgentStatus: &pb.AgentStatus{AgentId: a.GetId(), Connected: a.GetConnected()}}})
			}
		}
		for _, ev := range evs {
			select {
			case sub.ch <- ev:
			default:
				sub.lagged = true
			}
		}
	}
}

type eventsService struct{ s *Server }

// Watch streams the caller's tenant's changes: current counts first, then
// changed finding IDs, scans and agent status as they commit, with fresh
// counts after each burst and every 15 seconds as a keep-alive.
func (e *eventsService) Watch(ctx context.Context, _ *connect.Request[pb.WatchRequest], stream *connect.ServerStream[pb.WatchResponse]) error {
	tenant := PrincipalFrom(ctx).Tenant
	still := e.s.newRecheck(PrincipalFrom(ctx))
	sub := e.s.events.subscribe(tenant)
	defer e.s.events.unsubscribe(sub)
	view := e.s.node.FSM().View()
	counts := func() error {
		if err := still.ok(); err != nil {
			return err
		}
		return stream.Send(&pb.WatchResponse{Revision: view.Revision(), At: timestamppb.Now(),
			Event: &pb.WatchResponse_Counts{Counts: view.Counts(tenant)}})
	}
	if err := counts(); err != nil {
		return err
	}
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	// A quiet stream still notices its caller losing access.
	access := time.NewTicker(time.Second)
	defer access.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-access.C:
			if err := still.ok(); err != nil {
				return err
			}
		case <-keepAlive.C:
			if err := counts(); err != nil {
				return err
			}
		case ev, ok := <-sub.ch:
			if !ok {
				return nil
			}
			if err := still.ok(); err != nil {
				return err
			}
			if err := stream.Send(ev); err != nil {
				return err
			}
			// Drain what else is queued, then send counts once.
		drain:
			for {
				select {
				case ev, ok := <-sub.ch:
					if !ok {
						return nil
					}
					if err := still.ok(); err != nil {
						return err
					}
					if err := stream.Send(ev); err != nil {
						return err
					}
				default:
					break drain
				}
			}
			if err := counts(); err != nil {
				return err
			}
		}
	}
}
