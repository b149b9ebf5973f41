package audit

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	driftmgrv1 "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Fixed credentials of the right shape, so the golden file is stable and
// tests can look for them in output.
const (
	testAPIKey    = "dm_abcdefghijkl_abcdefghijklmnopqrstuvwxyz234567"
	testJoinToken = "dmjt_mnopqrstuvwx_zyxwvutsrqponmlkjihgfedcba765432"
)

var t0 = time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.UTC)

// sampleChain builds a tenant's log the way the server will: real request
// messages through RedactMessage, outcomes through OutcomeOf.
func sampleChain(t testing.TB, tenant string) []Entry {
	t.Helper()
	c := NewChain(tenant)
	var entries []Entry
	add := func(e Entry) {
		t.Helper()
		sealed, err := c.Append(e)
		require.NoError(t, err)
		entries = append(entries, sealed)
	}
	admin := Actor{Kind: ActorKey, ID: "k1", Name: "ci-admin"}
	add(Entry{Time: t0, Actor: Actor{Kind: ActorAnonymous}, Action: "POST /api/v1/bootstrap",
		Args: RedactMessage(&driftmgrv1.BootstrapRequest{Tenant: tenant}), Remote: "10.0.0.5", RequestID: "r-1", Outcome: OutcomeOK})
	add(Entry{Time: t0.Add(time.Second), Actor: admin, Action: driftmgrv1connect.AgentsServiceCreateJoinTokenProcedure,
		Args:   RedactMessage(&driftmgrv1.CreateJoinTokenRequest{TtlSeconds: 3600, MaxUses: 5, Description: "prod <eu> & co"}),
		Remote: "10.0.0.5", RequestID: "r-2", Outcome: OutcomeOK})
	add(Entry{Time: t0.Add(2 * time.Second), Actor: Actor{Kind: ActorAnonymous}, Action: driftmgrv1connect.AgentServiceEnrollProcedure,
		Args:   RedactMessage(&driftmgrv1.EnrollRequest{JoinToken: testJoinToken, Csr: []byte("csr-der"), Name: "a-1", Hostname: "web-1", Version: "1.4.0"}),
		Remote: "10.0.1.7", RequestID: "r-3", Outcome: OutcomeOK})
	outcome, msg := OutcomeOf(permissionDenied())
	add(Entry{Time: t0.Add(3 * time.Second), Actor: Actor{Kind: ActorKey, ID: "k2", Name: "viewer"}, Action: driftmgrv1connect.AgentsServiceRevokeAgentProcedure,
		Args: RedactMessage(&driftmgrv1.RevokeAgentRequest{AgentId: "a-1"}), Remote: "192.0.2.9", RequestID: "r-4", Outcome: outcome, Error: msg})
	add(Entry{Time: t0.Add(4 * time.Second), Actor: Actor{Kind: ActorAgent, ID: "a-1", Name: "web-1"}, Action: driftmgrv1connect.AgentServiceUploadProcedure,
		Args:   RedactMessage(&driftmgrv1.UploadRequest{BootEpoch: 3, Seq: 17, Sha256: make([]byte, 32), Payload: make([]byte, 2048)}),
		Remote: "10.0.1.7", RequestID: "r-5", Outcome: OutcomeOK})
	add(Entry{Time: t0.Add(5 * time.Second), Actor: admin, Action: driftmgrv1connect.FindingsServiceListFindingsProcedure,
		Args: RedactMessage(&driftmgrv1.ListFindingsRequest{PageSize: 50, PageToken: "cGFnZTI", Filter: &driftmgrv1.FindingFilter{
			Severity: []driftmgrv1.Severity{driftmgrv1.Severity_SEVERITY_HIGH}, Since: timestamppb.New(t0.Add(-24 * time.Hour))}}),
		Remote: "10.0.0.5", RequestID: "r-6", Outcome: OutcomeOK})
	add(Entry{Time: t0.Add(6 * time.Second), Actor: Actor{Kind: ActorUser, ID: "u-7", Name: "ana@example.com"}, Action: driftmgrv1connect.SecurityServicePutPolicyProcedure,
		Args:   RedactMessage(&driftmgrv1.PutPolicyRequest{Name: "owner.rego", Source: "package owner\n# token " + testAPIKey + "\n"}),
		Remote: "2001:db8::1", RequestID: "r-7", Outcome: OutcomeOK})
	return entries
}

func permissionDenied() error {
	return connect.NewError(connect.CodePermissionDenied,
		errors.New("role viewer may not call /driftmgr.v1.AgentsService/RevokeAgent; it needs admin"))
}

func goldenPath(name string) string { return filepath.Join("testdata", name) }

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(goldenPath(name))
	require.NoError(t, err)
	return b
}
