package audit

import (
	"testing"

	driftmgrv1 "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// BenchmarkRedactMessage is the per-call cost of rendering a request for
// the log.
func BenchmarkRedactMessage(b *testing.B) {
	msg := &driftmgrv1.EnrollRequest{JoinToken: testJoinToken, Csr: make([]byte, 600), Name: "a-1", Hostname: "web-1", Version: "1.4.0"}
	b.ReportAllocs()
	for b.Loop() {
		RedactMessage(msg)
	}
}

// BenchmarkChainAppend is the per-entry cost of sealing (canonicalize and
// hash), which every replica pays when applying the log.
func BenchmarkChainAppend(b *testing.B) {
	c := NewChain("acme")
	e := Entry{Time: t0, Actor: Actor{Kind: ActorKey, ID: "k1"}, Action: "/driftmgr.v1.AgentsService/RevokeAgent",
		Args: RedactMessage(&driftmgrv1.RevokeAgentRequest{AgentId: "a-1"}), Remote: "10.0.0.1", RequestID: "r-1", Outcome: OutcomeOK}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Append(e); err != nil {
			b.Fatal(err)
		}
	}
}
