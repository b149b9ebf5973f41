package controller_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/pki"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

func TestUploads(t *testing.T) {
	// Small groups: a 100 KB batch fills one and is proposed at once. A
	// long window holds a batch that overtook its predecessor long enough
	// for that one to arrive, even on a loaded CI machine.
	c := testcluster.Start(t, 3, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.Node.GroupCommitBytes = 64 << 10
		cfg.Node.GroupCommitWindow = 150 * time.Millisecond
	}})
	key := c.APIKey(t)
	leader := c.WaitLeader(t, waitLong)
	follower := c.Follower(t)
	lurl, furl := "https://"+leader.APIAddr, "https://"+follower.APIAddr

	t.Run("a batch re-sent after a lost ack is a duplicate", func(t *testing.T) {
		ctx := timeout(t, 30*time.Second)
		a := enrollAgent(t, c, furl, key)
		ingested := metric(t, c, follower.Index, "driftmgr_ingest_records_total")
		dups := metric(t, c, follower.Index, "driftmgr_uploads_duplicate_total")
		b1 := findingsBatch(a.Epoch, 1, "dup", 10, 0)
		resp, err := a.upload(ctx, b1)
		require.NoError(t, err)
		requireAck(t, resp, 1, false)
		f, err := findingsClient(c, lurl, key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "dup-4"}))
		require.NoError(t, err)
		rev := f.Msg.GetFinding().GetRevision()

		// The ack was lost: the agent resends the very same bytes, twice.
		for range 2 {
			resp, err = a.upload(ctx, b1)
			require.NoError(t, err)
			require.True(t, resp.GetDuplicate())
			require.EqualValues(t, 1, resp.GetAckedSeq())
		}
		f, err = findingsClient(c, lurl, key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "dup-4"}))
		require.NoError(t, err)
		require.Equal(t, rev, f.Msg.GetFinding().GetRevision(), "a duplicate must not be applied again")
		require.Equal(t, ingested+10, metric(t, c, follower.Index, "driftmgr_ingest_records_total"), "records counted once")
		require.Equal(t, dups+2, metric(t, c, follower.Index, "driftmgr_uploads_duplicate_total"))

		// The sequence goes on from there.
		resp, err = a.upload(ctx, findingsBatch(a.Epoch, 2, "dup2", 1, 0))
		require.NoError(t, err)
		requireAck(t, resp, 2, false)
	})

	t.Run("a batch that overtakes an earlier one is refused until it arrives", func(t *testing.T) {
		ctx := timeout(t, 30*time.Second)
		a := enrollAgent(t, c, lurl, key)
		_, err := a.upload(ctx, findingsBatch(a.Epoch, 1, "ooo1", 2, 0))
		require.NoError(t, err)
		b2, b3 := findingsBatch(a.Epoch, 2, "ooo2", 2, 0), findingsBatch(a.Epoch, 3, "ooo3", 2, 0)
		resp, err := a.upload(ctx, b3)
		require.NoError(t, err)
		requireAck(t, resp, 1, false, "seq 3 before 2: resend from 2")
		_, err = findingsClient(c, lurl, key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "ooo3-0"}))
		requireCode(t, err, connect.CodeNotFound)

		resp, err = a.upload(ctx, b2)
		require.NoError(t, err)
		require.EqualValues(t, 2, resp.GetAckedSeq())
		resp, err = a.upload(ctx, b3)
		require.NoError(t, err)
		requireAck(t, resp, 3, false)
		for _, id := range []string{"ooo1-1", "ooo2-1", "ooo3-1"} {
			_, err = findingsClient(c, lurl, key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: id}))
			require.NoError(t, err, id)
		}
	})

	t.Run("pipelined batches arriving out of order apply in order", func(t *testing.T) {
		ctx := timeout(t, 30*time.Second)
		a := enrollAgent(t, c, furl, key)
		_, err := a.upload(ctx, findingsBatch(a.Epoch, 1, "pipe1", 1, 0))
		require.NoError(t, err)
		// Seq 3 reaches the leader first and fills a group by itself; the
		// leader holds it back until seq 2 is proposed instead of
		// proposing it alone and refusing it as a gap.
		done := make(chan *pb.UploadResponse, 1)
		go func() {
			resp, err := a.upload(ctx, findingsBatch(a.Epoch, 3, "pipe3", 100, 1000))
			assert.NoError(t, err)
			done <- resp
		}()
		time.Sleep(100 * time.Millisecond)
		resp, err := a.upload(ctx, findingsBatch(a.Epoch, 2, "pipe2", 100, 1000))
		require.NoError(t, err)
		require.GreaterOrEqual(t, resp.GetAckedSeq(), uint64(2))
		requireAck(t, <-done, 3, false)
	})

	t.Run("bad uploads are refused and the connection stays usable", func(t *testing.T) {
		ctx := timeout(t, 60*time.Second)
		a := enrollAgent(t, c, furl, key)
		var reused atomic.Bool
		traced := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused.Store(i.Reused) }})
		seq := uint64(1)
		good := func(t *testing.T) {
			t.Helper()
			reused.Store(false)
			resp, err := a.upload(traced, findingsBatch(a.Epoch, seq, fmt.Sprintf("good%d", seq), 3, 0))
			require.NoError(t, err)
			require.Equal(t, seq, resp.GetAckedSeq())
			if seq > 1 {
				require.True(t, reused.Load(), "the valid upload went over the same connection")
			}
			seq++
		}
		good(t)

		bigRecord := record(finding("big", pb.Severity_SEVERITY_LOW, outbox.MaxEncodedSize))
		hugeRecords := make([][]byte, 10)
		for i := range hugeRecords {
			hugeRecords[i] = record(finding(fmt.Sprintf("huge-%d", i), pb.Severity_SEVERITY_LOW, 500<<10))
		}
		longID := strings.Repeat("x", 300)
		cases := []struct {
			name string
			req  func() *pb.UploadRequest
			code connect.Code
			msg  []string
		}{
			{"sha256 of the envelope does not match", func() *pb.UploadRequest {
				r := findingsBatch(a.Epoch, seq, "bad", 2, 0)
				r.Sha256[0] ^= 0xff
				return r
			}, connect.CodeInvalidArgument, []string{"sha256 in the request does not match the payload"}},
			{"payload bytes flipped", func() *pb.UploadRequest {
				r := findingsBatch(a.Epoch, seq, "bad", 2, 0)
				r.Payload[len(r.Payload)-3] ^= 0xff
				return r
			}, connect.CodeInvalidArgument, []string{"corrupt", "sha256 mismatch"}},
			{"payload truncated in the records", func() *pb.UploadRequest {
				r := findingsBatch(a.Epoch, seq, "bad", 2, 0)
				r.Payload = r.Payload[:len(r.Payload)-20]
				return r
			}, connect.CodeInvalidArgument, []string{"corrupt"}},
			{"payload truncated in the header", func() *pb.UploadRequest {
				r := findingsBatch(a.Epoch, seq, "bad", 2, 0)
				r.Payload = r.Payload[:20]
				return r
			}, connect.CodeInvalidArgument, []string{"truncated header"}},
			{"empty payload", func() *pb.UploadRequest {
				return &pb.UploadRequest{BootEpoch: a.Epoch, Seq: seq}
			}, connect.CodeInvalidArgument, []string{"empty input"}},
			{"envelope names another batch", func() *pb.UploadRequest {
				r := findingsBatch(a.Epoch, seq, "bad", 2, 0)
				r.Seq = seq + 1
				return r
			}, connect.CodeInvalidArgument, []string{"envelope says"}},
			{"seq 0", func() *pb.UploadRequest { return findingsBatch(a.Epoch, 0, "bad", 1, 0) },
				connect.CodeInvalidArgument, []string{"sequences start at 1"}},
			{"record is not a Record", func() *pb.UploadRequest { return batch(a.Epoch, seq, []byte{0xff, 0xff, 0xff}) },
				connect.CodeInvalidArgument, []string{"record 0", "not a driftmgr.v1.Record"}},
			{"record without content", func() *pb.UploadRequest { return batch(a.Epoch, seq, record(&pb.Record{})) },
				connect.CodeInvalidArgument, []string{"record has no content"}},
			{"finding of unspecified kind", func() *pb.UploadRequest {
				f := finding("nokind", pb.Severity_SEVERITY_LOW, 0)
				f.Kind = pb.DriftKind_DRIFT_KIND_UNSPECIFIED
				return batch(a.Epoch, seq, record(finding("ok", pb.Severity_SEVERITY_LOW, 0)), record(f))
			}, connect.CodeInvalidArgument, []string{"record 1", "finding nokind: kind is unspecified"}},
			{"finding without a resource", func() *pb.UploadRequest {
				f := finding("nores", pb.Severity_SEVERITY_LOW, 0)
				f.Resource = nil
				return batch(a.Epoch, seq, record(f))
			}, connect.CodeInvalidArgument, []string{"finding nores: resource needs provider, type and id"}},
			{"finding id too long", func() *pb.UploadRequest {
				return batch(a.Epoch, seq, record(finding(longID, pb.Severity_SEVERITY_LOW, 0)))
			}, connect.CodeInvalidArgument, []string{"finding.id is 300 bytes"}},
			{"batch above outbox.MaxEncodedSize", func() *pb.UploadRequest { return batch(a.Epoch, seq, bigRecord) },
				connect.CodeInvalidArgument, []string{fmt.Sprintf("exceeds the %d-byte limit", outbox.MaxEncodedSize)}},
			// Connect refuses a message above the 4 MiB read limit before
			// decoding it, with the code gRPC uses for that.
			{"request above the 4 MiB read limit", func() *pb.UploadRequest { return batch(a.Epoch, seq, hugeRecords...) },
				connect.CodeResourceExhausted, []string{"larger than configured max 4194304"}},
		}
		rejected := metric(t, c, follower.Index, "driftmgr_uploads_rejected_total")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := a.upload(traced, tc.req())
				requireCode(t, err, tc.code, tc.msg...)
				good(t)
			})
		}
		require.Equal(t, rejected+float64(len(cases)-1), metric(t, c, follower.Index, "driftmgr_uploads_rejected_total"))
		got, err := listAll(ctx, c, lurl, key, pb.Consistency_CONSISTENCY_CONSISTENT)
		require.NoError(t, err)
		for _, f := range got.GetFindings() {
			if f.GetAgentId() == a.ID {
				require.True(t, strings.HasPrefix(f.GetId(), "good"), "finding %s of a refused upload was stored", f.GetId())
			}
		}
	})

	t.Run("identity comes from the certificate only", func(t *testing.T) {
		ctx := timeout(t, 30*time.Second)
		acmeKey := addKey(t, c, "acme", "admin")
		a := enrollAgent(t, c, lurl, acmeKey)
		require.Equal(t, "acme", a.Tenant)
		resp, err := a.upload(ctx, findingsBatch(a.Epoch, 1, "acme-only", 2, 0))
		require.NoError(t, err)
		require.EqualValues(t, 1, resp.GetAckedSeq())

		acme, err := listAll(ctx, c, lurl, acmeKey, pb.Consistency_CONSISTENCY_CONSISTENT)
		require.NoError(t, err)
		require.Len(t, acme.GetFindings(), 2)
		for _, f := range acme.GetFindings() {
			require.Equal(t, "acme", f.GetTenant())
			require.Equal(t, a.ID, f.GetAgentId())
		}
		_, err = findingsClient(c, lurl, key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "acme-only-0"}))
		requireCode(t, err, connect.CodeNotFound)

		// A certificate naming the same agent in tenant "default" (signed
		// by the cluster CA, so it passes TLS) writes nothing anywhere:
		// that agent is enrolled in acme only.
		forged := &testAgent{ID: a.ID, Tenant: "default", Cert: pki.TestAgentCert(t, c.CA, "default", a.ID), Epoch: a.Epoch}
		forged.connect(c, lurl)
		_, err = forged.upload(ctx, findingsBatch(a.Epoch, 2, "forged", 1, 0))
		requireCode(t, err, connect.CodeFailedPrecondition, "not enrolled in tenant default")
		ghost := &testAgent{Cert: pki.TestAgentCert(t, c.CA, "acme", "agt-never-enrolled"), Epoch: 1}
		ghost.connect(c, lurl)
		_, err = ghost.upload(ctx, findingsBatch(1, 1, "ghost", 1, 0))
		requireCode(t, err, connect.CodeFailedPrecondition, "agent agt-never-enrolled is not enrolled in tenant acme")
		acme2, err := listAll(ctx, c, lurl, acmeKey, pb.Consistency_CONSISTENCY_CONSISTENT)
		require.NoError(t, err)
		require.Len(t, acme2.GetFindings(), 2)
		def, err := listAll(ctx, c, lurl, key, pb.Consistency_CONSISTENCY_CONSISTENT)
		require.NoError(t, err)
		for _, f := range def.GetFindings() {
			require.NotContains(t, []string{"forged-0", "ghost-0"}, f.GetId())
		}
	})
}

func requireAck(t testing.TB, resp *pb.UploadResponse, seq uint64, dup bool, msg ...any) {
	t.Helper()
	require.Equal(t, seq, resp.GetAckedSeq(), msg...)
	require.Equal(t, dup, resp.GetDuplicate(), msg...)
}

func TestEnrollment(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	key := c.APIKey(t)
	url := c.URL(0)
	ctx := timeout(t, 60*time.Second)
	n := c.Member(0).Server().Node()

	t.Run("unknown and malformed tokens", func(t *testing.T) {
		unknown, _, _, err := pki.NewJoinToken()
		require.NoError(t, err)
		_, err = enrollWith(t, c, url, unknown, "x")
		requireCode(t, err, connect.CodeUnauthenticated, "join token is not recognized")

		_, err = enrollWith(t, c, url, "dmjt_not-a-token", "x")
		requireCode(t, err, connect.CodeUnauthenticated, "join token", "want dmjt_<12 chars>_<32 chars>")
		require.NotContains(t, err.Error(), "not-a-token", "errors never echo a token")

		// The right id with the wrong secret reads like an unknown token.
		real := joinToken(t, c, url, key, 1)
		wrong := real[:len(real)-4] + "aaaa"
		if wrong == real {
			wrong = real[:len(real)-4] + "bbbb"
		}
		_, err = enrollWith(t, c, url, wrong, "x")
		requireCode(t, err, connect.CodeUnauthenticated, "join token is not recognized")
	})

	t.Run("expired token", func(t *testing.T) {
		tok, id, hash, err := pki.NewJoinToken()
		require.NoError(t, err)
		_, err = n.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateJoinToken{CreateJoinToken: &pb.CreateJoinTokenCommand{
			Token: &pb.StoredJoinToken{SecretHash: hash, Token: &pb.JoinToken{Id: id, Tenant: "default", MaxUses: 5,
				ExpiresAt: timestamppb.New(time.Now().Add(-time.Minute))}}}}})
		require.NoError(t, err)
		_, err = enrollWith(t, c, url, tok, "x")
		requireCode(t, err, connect.CodePermissionDenied, "join token "+id+" expired at")
	})

	t.Run("used-up token, also under concurrent enrollments", func(t *testing.T) {
		tok := joinToken(t, c, url, key, 2)
		var wg sync.WaitGroup
		errs := make([]error, 5)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = enrollWith(t, c, url, tok, fmt.Sprintf("racer-%d", i))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			requireCode(t, err, connect.CodePermissionDenied, "used up")
		}
		require.Equal(t, 2, ok, "a token of 2 uses enrolls exactly 2 agents: %v", errs)
		_, err := enrollWith(t, c, url, tok, "late")
		requireCode(t, err, connect.CodePermissionDenied, "is used up (2 of 2 uses)")
	})

	t.Run("deleted token", func(t *testing.T) {
		tok := joinToken(t, c, url, key, 1)
		id := strings.Split(tok, "_")[1]
		_, err := agentsClient(c, url, key).DeleteJoinToken(ctx, connect.NewRequest(&pb.DeleteJoinTokenRequest{Id: id}))
		require.NoError(t, err)
		_, err = enrollWith(t, c, url, tok, "x")
		requireCode(t, err, connect.CodeUnauthenticated, "join token is not recognized")
	})

	t.Run("weak or broken CSR, without using up the token", func(t *testing.T) {
		tok := joinToken(t, c, url, key, 1)
		rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
		require.NoError(t, err)
		p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		require.NoError(t, err)
		csrOf := func(k any) []byte {
			der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, k)
			require.NoError(t, err)
			return der
		}
		good, err := pki.NewKey()
		require.NoError(t, err)
		tampered := csrOf(good)
		tampered[len(tampered)-1] ^= 0xff
		cl := driftmgrv1connect.NewAgentServiceClient(c.HTTPClient(nil), url)
		for _, tc := range []struct {
			name string
			csr  []byte
			msg  string
		}{
			{"RSA 1024", csrOf(rsaKey), "RSA 1024 bits, want at least 2048"},
			{"ECDSA P-384", csrOf(p384), "ECDSA curve P-384, want P-256"},
			{"not a CSR", []byte("hello"), "does not parse"},
			{"bad signature", tampered, "csr"},
			{"empty", nil, "csr"},
		} {
			_, err := cl.Enroll(ctx, connect.NewRequest(&pb.EnrollRequest{JoinToken: tok, Csr: tc.csr}))
			requireCode(t, err, connect.CodeInvalidArgument, tc.msg)
		}
		a, err := enrollWith(t, c, url, tok, "after refusals")
		require.NoError(t, err, "refused CSRs must not use up the token")
		require.Equal(t, "default", a.Tenant)
	})

	t.Run("enrolled agent is listed and can upload", func(t *testing.T) {
		a := enrollAgent(t, c, url, key)
		resp, err := a.upload(ctx, findingsBatch(a.Epoch, 1, "enrolled", 1, 0))
		require.NoError(t, err)
		require.EqualValues(t, 1, resp.GetAckedSeq())
		list, err := agentsClient(c, url, key).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
		require.NoError(t, err)
		var found *pb.Agent
		for _, ag := range list.Msg.GetAgents() {
			if ag.GetId() == a.ID {
				found = ag
			}
		}
		require.NotNil(t, found)
		require.EqualValues(t, 1, found.GetAckedSeq())
		require.Equal(t, pki.SerialHex(a.Cert.Leaf.SerialNumber), found.GetCertSerial())
	})
}

func TestRevokedAgentIsCutOff(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{})
	key := c.APIKey(t)
	leader := c.WaitLeader(t, waitLong)
	f := c.Follower(t)
	furl := "https://" + f.APIAddr
	ctx := timeout(t, 60*time.Second)
	a := enrollAgent(t, c, furl, key)

	// The agent holds a control stream on a follower.
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream := a.client.Control(streamCtx)
	require.NoError(t, stream.Send(&pb.ControlRequest{Msg: &pb.ControlRequest_Hello{Hello: &pb.Hello{BootEpoch: a.Epoch, Version: "test"}}}))
	welcome, err := stream.Receive()
	require.NoError(t, err)
	require.Equal(t, a.ID, welcome.GetWelcome().GetAgentId())
	_, err = a.upload(ctx, findingsBatch(a.Epoch, 1, "pre-revoke", 1, 0))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		list, err := agentsClient(c, "https://"+leader.APIAddr, key).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
		return err == nil && len(list.Msg.GetAgents()) == 1 && list.Msg.GetAgents()[0].GetConnected()
	}, waitLong, tick)

	// An admin revokes it through the leader.
	_, err = agentsClient(c, "https://"+leader.APIAddr, key).RevokeAgent(ctx, connect.NewRequest(&pb.RevokeAgentRequest{AgentId: a.ID}))
	require.NoError(t, err)

	// Its open stream on the follower is closed with the reason.
	received := make(chan error, 1)
	go func() {
		for {
			if _, err := stream.Receive(); err != nil {
				received <- err
				return
			}
		}
	}()
	select {
	case err := <-received:
		requireCode(t, err, connect.CodePermissionDenied, "agent certificate revoked")
	case <-time.After(waitLong):
		t.Fatal("the revoked agent's control stream stayed open")
	}

	// Requests on its existing connection are refused...
	_, err = a.upload(ctx, findingsBatch(a.Epoch, 2, "post-revoke", 1, 0))
	requireCode(t, err, connect.CodeUnauthenticated, "agent certificate is revoked")
	_, err = a.client.Renew(ctx, connect.NewRequest(&pb.RenewRequest{}))
	requireCode(t, err, connect.CodeUnauthenticated, "revoked")

	// ...and every node refuses a new TLS handshake with its certificate.
	for i := range c.Members() {
		fresh := &testAgent{Cert: a.Cert, Epoch: a.Epoch}
		fresh.connect(c, c.URL(i))
		require.Eventually(t, func() bool {
			_, err := fresh.upload(ctx, findingsBatch(a.Epoch, 2, "post-revoke", 1, 0))
			if err == nil {
				return false
			}
			fresh.connect(c, c.URL(i))
			return strings.Contains(err.Error(), "tls") && !strings.Contains(err.Error(), "agent certificate is revoked")
		}, waitLong, tick, "node %d accepted a handshake from a revoked certificate", i)
	}
	list, err := agentsClient(c, "https://"+leader.APIAddr, key).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
	require.NoError(t, err)
	require.True(t, list.Msg.GetAgents()[0].GetRevoked())
	require.False(t, list.Msg.GetAgents()[0].GetConnected())
	_, err = findingsClient(c, "https://"+leader.APIAddr, key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "post-revoke-0",
		Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
	requireCode(t, err, connect.CodeNotFound)
}

// A new boot epoch must start at seq 1 (or right after lost_through): if
// its seq 2 overtakes seq 1 (four batches in flight, a leader change), the
// controller must answer "gap", or seq 1 is later acked as a duplicate
// and its records are lost.
func TestNewEpochStartsAtSeqOne(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	key := c.APIKey(t)
	ctx := timeout(t, 30*time.Second)
	a := enrollAgent(t, c, c.URL(0), key)
	b1, b2 := findingsBatch(a.Epoch, 1, "first", 1, 0), findingsBatch(a.Epoch, 2, "second", 1, 0)
	resp, err := a.upload(ctx, b2)
	require.NoError(t, err)
	requireAck(t, resp, 0, false, "seq 2 of a new epoch before its seq 1")
	resp, err = a.upload(ctx, b1)
	require.NoError(t, err)
	requireAck(t, resp, 1, false)
	_, err = findingsClient(c, c.URL(0), key).GetFinding(ctx, connect.NewRequest(&pb.GetFindingRequest{Id: "first-0"}))
	require.NoError(t, err, "seq 1 was dropped")
}
