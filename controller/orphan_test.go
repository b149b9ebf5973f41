package controller_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// An agent whose control stream was held by a node killed without a
// goodbye is marked disconnected by the leader's sweep; a reconnect
// through a survivor marks it connected again.
func TestAgentOfKilledNodeIsMarkedDown(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	key := c.APIKey(t)
	f := c.Follower(t)
	a := enrollAgent(t, c, "https://"+f.APIAddr, key)
	a.connect(c, "https://"+f.APIAddr)
	ctx := timeout(t, 60*time.Second)
	stream := a.client.Control(ctx)
	require.NoError(t, stream.Send(&pb.ControlRequest{Msg: &pb.ControlRequest_Hello{Hello: &pb.Hello{BootEpoch: 1}}}))
	welcome, err := stream.Receive()
	require.NoError(t, err)
	require.NotNil(t, welcome.GetWelcome())

	connected := func(url string) func() bool {
		return func() bool {
			resp, err := agentsClient(c, url, key).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
			if err != nil {
				return false
			}
			for _, ag := range resp.Msg.GetAgents() {
				if ag.GetId() == a.ID {
					return ag.GetConnected()
				}
			}
			return false
		}
	}
	l := c.WaitLeader(t, 10*time.Second)
	require.Eventually(t, connected("https://"+l.APIAddr), 10*time.Second, 50*time.Millisecond)

	c.Kill(f.Index)
	l = c.WaitLeader(t, 15*time.Second)
	require.Eventually(t, func() bool { return !connected("https://" + l.APIAddr)() }, 30*time.Second, 100*time.Millisecond,
		"the agent held by the killed node is marked down")

	a.connect(c, "https://"+l.APIAddr)
	stream = a.client.Control(ctx)
	require.NoError(t, stream.Send(&pb.ControlRequest{Msg: &pb.ControlRequest_Hello{Hello: &pb.Hello{BootEpoch: 1}}}))
	_, err = stream.Receive()
	require.NoError(t, err)
	require.Eventually(t, connected("https://"+l.APIAddr), 10*time.Second, 50*time.Millisecond)
}
