package audit_test

import (
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/controller/audit"
	driftmgrv1 "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

func Example() {
	chain := audit.NewChain("acme")
	at := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

	// An agent enrolls: the join token and CSR never reach the log.
	req := &driftmgrv1.EnrollRequest{JoinToken: "dmjt_mnopqrstuvwx_zyxwvutsrqponmlkjihgfedcba765432", Csr: []byte{1, 2, 3}, Name: "web-1"}
	first, _ := chain.Append(audit.Entry{Time: at, Actor: audit.Actor{Kind: audit.ActorAnonymous},
		Action: driftmgrv1connect.AgentServiceEnrollProcedure, Args: audit.RedactMessage(req),
		Remote: audit.RemoteIP("192.0.2.7:51234"), Outcome: audit.OutcomeOK})

	// A viewer tries to revoke it and is refused.
	outcome, msg := audit.OutcomeOf(connect.NewError(connect.CodePermissionDenied, errors.New("role viewer may not revoke agents")))
	second, _ := chain.Append(audit.Entry{Time: at.Add(time.Minute), Actor: audit.Actor{Kind: audit.ActorKey, ID: "k2"},
		Action: driftmgrv1connect.AgentsServiceRevokeAgentProcedure, Args: audit.RedactMessage(&driftmgrv1.RevokeAgentRequest{AgentId: "a-1"}),
		Outcome: outcome, Error: msg})

	fmt.Println(first.Seq, string(first.Args))
	fmt.Println(second.Seq, second.Outcome, second.PrevHash == first.Hash)
	fmt.Println(audit.Verify([]audit.Entry{first, second}))

	second.Outcome = audit.OutcomeOK // tampering
	fmt.Println(audit.Verify([]audit.Entry{first, second}))
	// Output:
	// 1 {"csr":"[REDACTED]","join_token":"[REDACTED]","name":"web-1"}
	// 2 permission_denied true
	// <nil>
	// audit: tenant acme: entry 2 (position 1): altered: its contents do not match its hash
}
