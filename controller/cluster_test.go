package controller_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// raftServers is the leader's raft configuration: server name -> voter.
func raftServers(t testing.TB, m *testcluster.Member) map[string]bool {
	t.Helper()
	f := m.Server().Node().Raft().GetConfiguration()
	require.NoError(t, f.Error())
	out := map[string]bool{}
	for _, s := range f.Configuration().Servers {
		out[string(s.ID)] = s.Suffrage == raft.Voter
	}
	return out
}

func raftStat(m *testcluster.Member, key string) uint64 {
	v, _ := strconv.ParseUint(m.Server().Node().Raft().Stats()[key], 10, 64)
	return v
}

func TestElection(t *testing.T) {
	for _, n := range []int{1, 3, 5} {
		t.Run(fmt.Sprintf("%d nodes", n), func(t *testing.T) {
			c := testcluster.Start(t, n, testcluster.Options{})
			key := c.APIKey(t)
			leader := c.WaitLeader(t, waitLong)
			ctx := timeout(t, 30*time.Second)
			var term uint64
			for i, m := range c.Members() {
				cl := clusterClient(c, c.URL(i), key)
				// Gossip and raft's configuration settle on every node.
				require.Eventually(t, func() bool {
					resp, err := cl.ListMembers(ctx, connect.NewRequest(&pb.ListMembersRequest{}))
					if err != nil || resp.Msg.GetLeader() != leader.Name || len(resp.Msg.GetMembers()) != n {
						return false
					}
					leaders := 0
					for j, mem := range resp.Msg.GetMembers() {
						want := c.Member(j)
						if mem.GetName() != want.Name || mem.GetApiAddress() != want.APIAddr || mem.GetStatus() != "alive" || !mem.GetVoter() {
							return false
						}
						if mem.GetLeader() {
							leaders++
						}
					}
					return leaders == 1
				}, waitLong, tick, "ListMembers on %s", m.Name)

				h, err := cl.GetHealth(ctx, connect.NewRequest(&pb.GetHealthRequest{}))
				require.NoError(t, err)
				require.Equal(t, m.Name, h.Msg.GetNode())
				require.Equal(t, leader.Name, h.Msg.GetLeader())
				require.True(t, h.Msg.GetReady())
				if m == leader {
					require.Equal(t, "Leader", h.Msg.GetRaftState())
				} else {
					require.Equal(t, "Follower", h.Msg.GetRaftState())
				}
				if term == 0 {
					term = h.Msg.GetTerm()
				}
				require.Equal(t, term, h.Msg.GetTerm(), "every node is in the leader's term")
				require.NotZero(t, h.Msg.GetCommitIndex())
			}
			servers := raftServers(t, leader)
			require.Len(t, servers, n)
			for name, voter := range servers {
				require.True(t, voter, "%s is a voter", name)
			}
		})
	}
}

func TestFollowerForwardsWritesAndReadsConsistently(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	key := c.APIKey(t)
	leader := c.WaitLeader(t, waitLong)
	var followers []*testcluster.Member
	for _, m := range c.Members() {
		if m != leader {
			followers = append(followers, m)
		}
	}
	f1, f2 := followers[0], followers[1]
	ctx := timeout(t, 60*time.Second)
	url := func(m *testcluster.Member) string { return "https://" + m.APIAddr }

	// A join token created through a follower is on the leader when the
	// call returns: the write went through raft on the leader.
	tok, err := agentsClient(c, url(f1), key).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{MaxUses: 1}))
	require.NoError(t, err)
	list, err := agentsClient(c, url(leader), key).ListJoinTokens(ctx, connect.NewRequest(&pb.ListJoinTokensRequest{}))
	require.NoError(t, err)
	require.Contains(t, tokenIDs(list.Msg.GetTokens()), tok.Msg.GetToken().GetId())

	// Enrollment and an upload through the follower are forwarded too.
	a, err := enrollWith(t, c, url(f1), tok.Msg.GetSecret(), "fwd")
	require.NoError(t, err)
	// A consistent read on the other follower sees each upload at once
	// (the follower's view, not only its bbolt file, must have it).
	for seq := uint64(1); seq <= 15; seq++ {
		resp, err := a.upload(ctx, findingsBatch(a.Epoch, seq, fmt.Sprintf("fwd%d", seq), 2, 64))
		require.NoError(t, err)
		require.Equal(t, seq, resp.GetAckedSeq())
		got, err := listAll(ctx, c, url(f2), key, pb.Consistency_CONSISTENCY_CONSISTENT)
		require.NoError(t, err)
		require.EqualValues(t, 2*seq, got.GetTotalSize(), "consistent read on %s after upload %d", f2.Name, seq)
	}

	// Acknowledge through a follower, then through the leader, and read
	// each write back consistently from the other follower.
	fc := findingsClient(c, url(f2), key)
	for i := range 10 {
		via := f1
		if i%2 == 1 {
			via = leader
		}
		note := fmt.Sprintf("looked at it, round %d", i)
		ack, err := findingsClient(c, url(via), key).AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{
			Id: "fwd3-1", Note: note}))
		require.NoError(t, err, "acknowledge through %s", via.Name)
		require.Equal(t, pb.FindingStatus_FINDING_STATUS_ACKNOWLEDGED, ack.Msg.GetFinding().GetStatus())
		g, err := fc.GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "fwd3-1", Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
		require.NoError(t, err)
		require.Equal(t, note, g.Msg.GetFinding().GetAckNote(), "round %d: consistent read on %s", i, f2.Name)
		require.Equal(t, ack.Msg.GetFinding().GetRevision(), g.Msg.GetFinding().GetRevision())
	}
}

func tokenIDs(ts []*pb.JoinToken) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.GetId())
	}
	return out
}

func TestKilledLeaderWritesResume(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	key := c.APIKey(t)
	old := c.WaitLeader(t, waitLong)
	var survivors []*testcluster.Member
	for _, m := range c.Members() {
		if m != old {
			survivors = append(survivors, m)
		}
	}
	ctx := timeout(t, 60*time.Second)
	a := enrollAgent(t, c, "https://"+survivors[0].APIAddr, key)
	first := findingsBatch(a.Epoch, 1, "before", 10, 0)
	_, err := a.upload(ctx, first)
	require.NoError(t, err)

	start := time.Now()
	c.Kill(old.Index)
	nl := c.WaitLeader(t, waitLong)
	require.NotEqual(t, old.Name, nl.Name)
	// Consistent reads work on the new leader before any new write (its
	// commit index is then a no-op entry the FSM never sees).
	for _, m := range survivors {
		got, err := listAll(timeout(t, 5*time.Second), c, "https://"+m.APIAddr, key, pb.Consistency_CONSISTENCY_CONSISTENT)
		require.NoError(t, err, "consistent read on %s after the election", m.Name)
		require.Len(t, got.GetFindings(), 10)
	}
	// Writes through either survivor resume once they elect a leader;
	// Apply waits out the election.
	for _, m := range survivors {
		_, err := agentsClient(c, "https://"+m.APIAddr, key).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
		require.NoError(t, err, "write through %s", m.Name)
	}
	t.Logf("writes resumed %s after killing leader %s", time.Since(start).Round(time.Millisecond), old.Name)

	// The agent, whose ack for batch 1 was lost in the crash, resends it:
	// a duplicate, then the next batch applies once.
	resp, err := a.upload(ctx, first)
	require.NoError(t, err)
	require.True(t, resp.GetDuplicate())
	resp, err = a.upload(ctx, findingsBatch(a.Epoch, 2, "after", 10, 0))
	require.NoError(t, err)
	require.EqualValues(t, 2, resp.GetAckedSeq())
	require.False(t, resp.GetDuplicate())

	// The killed node comes back as a follower and catches up.
	c.Restart(t, old.Index)
	want, err := listAll(ctx, c, "https://"+nl.APIAddr, key, pb.Consistency_CONSISTENCY_STALE)
	require.NoError(t, err)
	require.EqualValues(t, 20, want.GetTotalSize())
	require.Eventually(t, func() bool {
		got, err := listAll(ctx, c, "https://"+old.APIAddr, key, pb.Consistency_CONSISTENCY_STALE)
		return err == nil && got.GetRevision() >= want.GetRevision() && len(got.GetFindings()) == 20
	}, waitLong, tick)
	require.False(t, c.Member(old.Index).Server().Node().IsLeader())
}

func TestGracefulStopTransfersLeadership(t *testing.T) {
	// Slow elections: a leader that appears within a second of Stop came
	// from the transfer, not from a follower timing out.
	c := testcluster.Start(t, 3, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.Node.HeartbeatTimeout, cfg.Node.ElectionTimeout = 2*time.Second, 2*time.Second
		cfg.Node.DeadServerTimeout = time.Minute
	}})
	key := c.APIKey(t)
	old := c.WaitLeader(t, 30*time.Second)
	var survivors []*testcluster.Member
	for _, m := range c.Members() {
		if m != old {
			survivors = append(survivors, m)
		}
	}
	start := time.Now()
	c.Stop(old.Index)
	t.Logf("graceful stop of leader %s took %s", old.Name, time.Since(start).Round(time.Millisecond))
	// Raft on the old leader heartbeats until Stop shuts it down, so a
	// leader by then came from the transfer: an election after a silent
	// leader needs the 2s heartbeat timeout first.
	require.Eventually(t, func() bool {
		for _, m := range survivors {
			if m.Server().Node().IsLeader() {
				return true
			}
		}
		return false
	}, time.Second, 5*time.Millisecond, "leadership was not transferred")

	nl := c.WaitLeader(t, waitLong)
	// The stopped node left gossip, so it is removed from raft at once,
	// not after DeadServerTimeout (a minute here).
	require.Eventually(t, func() bool {
		_, in := raftServers(t, nl)[old.Name]
		return !in
	}, 10*time.Second, tick)
	ctx := timeout(t, 30*time.Second)
	for _, m := range survivors {
		_, err := agentsClient(c, "https://"+m.APIAddr, key).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
		require.NoError(t, err, "write through %s", m.Name)
	}
}

func TestRestartedNodeCatchesUp(t *testing.T) {
	t.Run("from the log", func(t *testing.T) {
		c := testcluster.Start(t, 3, testcluster.Options{})
		testCatchUp(t, c, 5)
		for _, m := range c.Members() {
			require.Zero(t, raftStat(m, "last_snapshot_index"), "%s took a snapshot", m.Name)
		}
	})
	t.Run("from a snapshot", func(t *testing.T) {
		c := testcluster.Start(t, 3, testcluster.Options{Tune: func(cfg *controller.Config) {
			cfg.Node.SnapshotThreshold, cfg.Node.TrailingLogs = 64, 16
			cfg.Node.SnapshotInterval = 100 * time.Millisecond
			cfg.Node.GroupCommitWindow = 5 * time.Millisecond
		}})
		testCatchUp(t, c, 120)
	})
}

// testCatchUp kills a follower, writes batches of findings (plus an
// acknowledgement) through the leader, restarts the follower and checks
// its view matches the leader's.
func testCatchUp(t *testing.T, c *testcluster.Cluster, batches int) {
	key := c.APIKey(t)
	leader := c.WaitLeader(t, waitLong)
	lurl := "https://" + leader.APIAddr
	ctx := timeout(t, 60*time.Second)
	a := enrollAgent(t, c, lurl, key)
	_, err := a.upload(ctx, findingsBatch(a.Epoch, 1, "seen-by-all", 5, 0))
	require.NoError(t, err)
	f := c.Follower(t)
	fh, err := clusterClient(c, "https://"+f.APIAddr, key).GetHealth(ctx, connect.NewRequest(&pb.GetHealthRequest{}))
	require.NoError(t, err)
	c.Kill(f.Index)

	for seq := 2; seq <= batches+1; seq++ {
		// Each batch updates some findings and adds new ones.
		_, err := a.upload(ctx, findingsBatch(a.Epoch, uint64(seq), fmt.Sprintf("b%d", seq%7), 10+seq%5, seq))
		require.NoError(t, err)
	}
	_, err = findingsClient(c, lurl, key).AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{Id: "seen-by-all-2", Note: "while down"}))
	require.NoError(t, err)

	if batches > 100 {
		// The leader must have compacted away entries the follower needs,
		// so only a snapshot can bring it up to date.
		require.Eventually(t, func() bool {
			return raftStat(leader, "last_snapshot_index") > fh.Msg.GetLastLogIndex()+16
		}, waitLong, tick, "leader never snapshotted past the follower")
	}
	want, err := listAll(ctx, c, lurl, key, pb.Consistency_CONSISTENCY_STALE)
	require.NoError(t, err)

	c.Restart(t, f.Index)
	furl := "https://" + f.APIAddr
	var got *pb.ListFindingsResponse
	require.Eventually(t, func() bool {
		got, err = listAll(ctx, c, furl, key, pb.Consistency_CONSISTENCY_STALE)
		return err == nil && got.GetRevision() >= want.GetRevision()
	}, waitLong, tick, "restarted node never caught up")
	requireSameFindings(t, want, got)
	if batches > 100 {
		require.NotZero(t, raftStat(c.Member(f.Index), "last_snapshot_index"), "the follower did not install a snapshot")
	}
	// And it keeps following: a write after the restart reaches it.
	_, err = a.upload(ctx, findingsBatch(a.Epoch, uint64(batches+2), "late", 3, 0))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := findingsClient(c, furl, key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "late-2",
			Consistency: pb.Consistency_CONSISTENCY_STALE}))
		return err == nil
	}, waitLong, tick)
}

func TestPartitionedMinority(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	key := c.APIKey(t)
	leader := c.WaitLeader(t, waitLong)
	ctx := timeout(t, 90*time.Second)
	a := enrollAgent(t, c, "https://"+leader.APIAddr, key)
	_, err := a.upload(ctx, findingsBatch(a.Epoch, 1, "pre", 5, 0))
	require.NoError(t, err)

	cut := c.Follower(t)
	curl := "https://" + cut.APIAddr
	require.Eventually(t, func() bool {
		got, err := listAll(ctx, c, curl, key, pb.Consistency_CONSISTENCY_STALE)
		return err == nil && len(got.GetFindings()) == 5
	}, waitLong, tick)
	c.Partition(cut.Index)
	require.Eventually(t, func() bool { return !cut.Server().Node().HasLeader() }, waitLong, tick,
		"the cut-off node still believes in a leader")

	// Writes through the minority fail after the leader wait.
	start := time.Now()
	_, err = agentsClient(c, curl, key).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
	requireCode(t, err, connect.CodeUnavailable, "no cluster leader")
	require.GreaterOrEqual(t, time.Since(start), 4*time.Second, "a write should wait for an election first")

	// Reads: stale works, default and consistent refuse and say why.
	stale, err := listAll(ctx, c, curl, key, pb.Consistency_CONSISTENCY_STALE)
	require.NoError(t, err)
	require.Len(t, stale.GetFindings(), 5)
	fc := findingsClient(c, curl, key)
	_, err = fc.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
	requireCode(t, err, connect.CodeUnavailable, "no cluster leader", "consistency STALE")
	_, err = fc.GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "pre-1", Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
	requireCode(t, err, connect.CodeUnavailable, "consistent read")
	code, _, body := get(t, c, curl+"/readyz", "")
	require.Equal(t, 503, code, "readyz on the cut-off node: %s", body)

	// The majority elects (or keeps) a leader and takes writes.
	majority := c.WaitLeader(t, waitLong)
	require.NotEqual(t, cut.Name, majority.Name)
	for _, m := range c.Members() {
		if m == cut {
			continue
		}
		_, err := agentsClient(c, "https://"+m.APIAddr, key).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
		require.NoError(t, err, "write through %s", m.Name)
	}
	a.connect(c, "https://"+majority.APIAddr)
	_, err = a.upload(ctx, findingsBatch(a.Epoch, 2, "during", 7, 0))
	require.NoError(t, err)

	// After healing, the minority catches up and takes writes again.
	c.Heal()
	want, err := listAll(ctx, c, "https://"+majority.APIAddr, key, pb.Consistency_CONSISTENCY_CONSISTENT)
	require.NoError(t, err)
	require.Len(t, want.GetFindings(), 12)
	require.Eventually(t, func() bool {
		got, err := listAll(ctx, c, curl, key, pb.Consistency_CONSISTENCY_UNSPECIFIED)
		return err == nil && got.GetRevision() >= want.GetRevision()
	}, waitLong, tick)
	got, err := listAll(ctx, c, curl, key, pb.Consistency_CONSISTENCY_STALE)
	require.NoError(t, err)
	requireSameFindings(t, want, got)
	_, err = agentsClient(c, curl, key).CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{}))
	require.NoError(t, err)
}

func TestDeadServerCleanup(t *testing.T) {
	const deadAfter = 3 * time.Second
	c := testcluster.Start(t, 5, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.Node.DeadServerTimeout = deadAfter
	}})
	key := c.APIKey(t)
	leader := c.WaitLeader(t, waitLong)
	var followers []*testcluster.Member
	for _, m := range c.Members() {
		if m != leader {
			followers = append(followers, m)
		}
	}
	require.Eventually(t, func() bool { return len(raftServers(t, leader)) == 5 }, waitLong, tick)

	// Graceful: removed as soon as its gossip leave arrives.
	gone := followers[0]
	c.Stop(gone.Index)
	start := time.Now()
	require.Eventually(t, func() bool {
		_, in := raftServers(t, leader)[gone.Name]
		return !in
	}, 2*time.Second, 10*time.Millisecond, "a gracefully stopped node is removed at once")
	t.Logf("stopped node removed %s after Stop returned", time.Since(start).Round(time.Millisecond))

	// Killed: kept while it might come back, listed as dead, and removed
	// after DeadServerTimeout.
	dead := followers[1]
	members := func() map[string]*pb.Member {
		resp, err := clusterClient(c, "https://"+leader.APIAddr, key).ListMembers(timeout(t, 10*time.Second),
			connect.NewRequest(&pb.ListMembersRequest{}))
		require.NoError(t, err)
		out := map[string]*pb.Member{}
		for _, m := range resp.Msg.GetMembers() {
			out[m.GetName()] = m
		}
		return out
	}
	start = time.Now()
	c.Kill(dead.Index)
	require.Eventually(t, func() bool {
		m := members()[dead.Name]
		return m != nil && m.GetStatus() == "dead" && m.GetVoter()
	}, waitLong, tick, "a killed node is listed as a dead voter until it is removed")
	_, in := raftServers(t, leader)[dead.Name]
	require.True(t, in, "a killed node must stay in the configuration for DeadServerTimeout")
	require.Eventually(t, func() bool {
		_, in := raftServers(t, leader)[dead.Name]
		return !in
	}, waitLong, tick, "a killed node is removed after DeadServerTimeout")
	took := time.Since(start)
	t.Logf("killed node removed %s after the kill", took.Round(time.Millisecond))
	require.GreaterOrEqual(t, took, deadAfter)

	// The three that remain are the whole cluster and still take writes.
	require.Len(t, raftServers(t, leader), 3)
	ms := members()
	require.Len(t, ms, 3)
	for _, m := range ms {
		require.Equal(t, "alive", m.GetStatus())
		require.True(t, m.GetVoter())
	}
	var err error
	_, err = agentsClient(c, "https://"+followers[2].APIAddr, key).CreateJoinToken(timeout(t, 15*time.Second),
		connect.NewRequest(&pb.CreateJoinTokenRequest{}))
	require.NoError(t, err)
}
