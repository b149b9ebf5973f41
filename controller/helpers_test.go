package controller_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// Timeouts sized for a 2-core CI machine running with -race.
const (
	waitLong = 20 * time.Second
	tick     = 20 * time.Millisecond
)

func timeout(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// addKey creates an API key of a tenant and role without an owner, by
// applying the older CreateAPIKeyCommand through a running node: a quick
// key of any role in any tenant. TenancyService.CreateAPIKey (tenancy_test.go)
// is how keys are made for real.
func addKey(t testing.TB, c *testcluster.Cluster, tenant, role string) string {
	t.Helper()
	key, id, hash, err := pki.NewAPIKey()
	require.NoError(t, err)
	n := c.WaitLeader(t, waitLong).Server().Node()
	_, err = n.Apply(timeout(t, 15*time.Second), &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateApiKey{CreateApiKey: &pb.CreateAPIKeyCommand{
		Key: &pb.StoredAPIKey{Id: id, Tenant: tenant, Role: role, SecretHash: hash, Description: "test " + role,
			CreatedAt: timestamppb.Now()}}}})
	require.NoError(t, err)
	return key
}

func agentsClient(c *testcluster.Cluster, url, key string) driftmgrv1connect.AgentsServiceClient {
	return driftmgrv1connect.NewAgentsServiceClient(c.HTTPClient(nil), url, testcluster.Bearer(key))
}

func findingsClient(c *testcluster.Cluster, url, key string) driftmgrv1connect.FindingsServiceClient {
	return driftmgrv1connect.NewFindingsServiceClient(c.HTTPClient(nil), url, testcluster.Bearer(key))
}

func clusterClient(c *testcluster.Cluster, url, key string) driftmgrv1connect.ClusterServiceClient {
	return driftmgrv1connect.NewClusterServiceClient(c.HTTPClient(nil), url, testcluster.Bearer(key))
}

// testAgent is an agent enrolled through the API: its certificate came
// from Enroll, exactly as a real agent's does.
type testAgent struct {
	ID, Tenant string
	Cert       tls.Certificate
	Epoch      uint64
	client     driftmgrv1connect.AgentServiceClient
	http       *http.Client
}

// joinToken creates a join token with the key's tenant and returns the
// secret token.
func joinToken(t testing.TB, c *testcluster.Cluster, url, key string, uses int32) string {
	t.Helper()
	resp, err := agentsClient(c, url, key).CreateJoinToken(timeout(t, 15*time.Second),
		connect.NewRequest(&pb.CreateJoinTokenRequest{MaxUses: uses}))
	require.NoError(t, err)
	return resp.Msg.GetSecret()
}

// enrollWith trades a join token and a fresh key's CSR for a certificate
// at url.
func enrollWith(t testing.TB, c *testcluster.Cluster, url, token, name string) (*testAgent, error) {
	t.Helper()
	key, err := pki.NewKey()
	require.NoError(t, err)
	csr, err := pki.NewCSR(key)
	require.NoError(t, err)
	cl := driftmgrv1connect.NewAgentServiceClient(c.HTTPClient(nil), url)
	resp, err := cl.Enroll(timeout(t, 15*time.Second), connect.NewRequest(&pb.EnrollRequest{JoinToken: token, Csr: csr, Name: name}))
	if err != nil {
		return nil, err
	}
	cert, err := pki.AgentCertificate(resp.Msg.GetCertificatePem(), key)
	require.NoError(t, err)
	a := &testAgent{ID: resp.Msg.GetAgentId(), Tenant: resp.Msg.GetTenant(), Cert: cert, Epoch: uint64(time.Now().UnixNano())}
	a.connect(c, url)
	return a, nil
}

// enrollAgent enrolls one agent in the tenant of key.
func enrollAgent(t testing.TB, c *testcluster.Cluster, url, key string) *testAgent {
	t.Helper()
	a, err := enrollWith(t, c, url, joinToken(t, c, url, key, 1), "test-agent")
	require.NoError(t, err)
	return a
}

// connect points the agent's client at url over one HTTP/2 connection.
func (a *testAgent) connect(c *testcluster.Cluster, url string) {
	a.http = c.HTTPClient(&a.Cert)
	a.client = driftmgrv1connect.NewAgentServiceClient(a.http, url)
}

func (a *testAgent) upload(ctx context.Context, req *pb.UploadRequest) (*pb.UploadResponse, error) {
	resp, err := a.client.Upload(ctx, connect.NewRequest(req))
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

// finding is a valid finding record; pad adds attribute-change bytes.
func finding(id string, sev pb.Severity, pad int) *pb.Finding {
	f := &pb.Finding{
		Id:       id,
		Kind:     pb.DriftKind_DRIFT_KIND_MODIFIED,
		Severity: sev,
		Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_s3_bucket", Id: "bucket-" + id, Account: "123456789012",
			Region: "eu-west-1", Address: "aws_s3_bucket.b_" + strings.ReplaceAll(id, "-", "_")},
		Origin:   "s3://state/prod.tfstate",
		LastSeen: timestamppb.Now(),
	}
	if pad > 0 {
		f.Changes = []*pb.AttributeChange{{Path: "tags.owner", StateJson: strconv.Quote(strings.Repeat("s", pad/2)),
			LiveJson: strconv.Quote(strings.Repeat("l", pad-pad/2))}}
	}
	return f
}

func record(m proto.Message) []byte {
	var r *pb.Record
	switch v := m.(type) {
	case *pb.Finding:
		r = &pb.Record{Kind: &pb.Record_Finding{Finding: v}}
	case *pb.Record:
		r = v
	default:
		panic(fmt.Sprintf("record of %T", m))
	}
	b, err := proto.Marshal(r)
	if err != nil {
		panic(err)
	}
	return b
}

// batch builds an upload of raw records as the agent's outbox encodes it.
func batch(epoch, seq uint64, recs ...[]byte) *pb.UploadRequest {
	payload := outbox.EncodeBatch(outbox.Batch{Epoch: epoch, Seq: seq, Records: recs, Created: time.Now()})
	req := &pb.UploadRequest{BootEpoch: epoch, Seq: seq, Payload: payload}
	// An oversized batch does not decode; it goes without the optional hash.
	if b, err := outbox.DecodeBatch(payload); err == nil {
		req.Sha256 = b.SHA256[:]
	}
	return req
}

// findingsBatch uploads n findings "<prefix>-<i>".
func findingsBatch(epoch, seq uint64, prefix string, n, pad int) *pb.UploadRequest {
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = record(finding(fmt.Sprintf("%s-%d", prefix, i), pb.Severity(1+i%5), pad))
	}
	return batch(epoch, seq, recs...)
}

// listAll lists every finding of the key's tenant at url with the given
// consistency, in id order.
func listAll(ctx context.Context, c *testcluster.Cluster, url, key string, cons pb.Consistency) (*pb.ListFindingsResponse, error) {
	out := &pb.ListFindingsResponse{}
	cl := findingsClient(c, url, key)
	tok := ""
	for {
		resp, err := cl.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{PageSize: 1000, PageToken: tok,
			OrderBy: "resource_id", Consistency: cons}))
		if err != nil {
			return nil, err
		}
		out.Findings = append(out.Findings, resp.Msg.GetFindings()...)
		out.TotalSize, out.Revision = resp.Msg.GetTotalSize(), resp.Msg.GetRevision()
		if tok = resp.Msg.GetNextPageToken(); tok == "" {
			return out, nil
		}
	}
}

// requireSameFindings checks two listings hold the same findings.
func requireSameFindings(t testing.TB, want, got *pb.ListFindingsResponse) {
	t.Helper()
	require.Equal(t, len(want.GetFindings()), len(got.GetFindings()))
	for i := range want.GetFindings() {
		require.True(t, proto.Equal(want.GetFindings()[i], got.GetFindings()[i]), "finding %d: want %v, got %v",
			i, want.GetFindings()[i], got.GetFindings()[i])
	}
}

// requireCode checks err is a Connect error of code whose message
// contains every fragment.
func requireCode(t testing.TB, err error, code connect.Code, fragments ...string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, connect.CodeOf(err), "error: %v", err)
	for _, f := range fragments {
		require.Contains(t, err.Error(), f)
	}
}

// get fetches a plain HTTP path of a node with an optional bearer key.
func get(t testing.TB, c *testcluster.Cluster, url, key string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(timeout(t, 15*time.Second), http.MethodGet, url, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := c.HTTPClient(nil).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, body
}

// metric reads one un-labelled sample from a node's /metrics.
func metric(t testing.TB, c *testcluster.Cluster, i int, name string) float64 {
	t.Helper()
	code, _, body := get(t, c, c.URL(i)+"/metrics", "")
	require.Equal(t, http.StatusOK, code)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			require.NoError(t, err)
			return f
		}
	}
	t.Fatalf("metric %s not exposed by node %d", name, i)
	return 0
}
