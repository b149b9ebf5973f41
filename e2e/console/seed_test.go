package console

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// seedBatch findings per upload keep a batch (~250 KB) well under the
// outbox's 512 KB record bound, as a real agent's batches are.
const seedBatch = 1000

// seedAgent is a test agent enrolled through the real agent API: it
// uploads findings as an agent's outbox would, without scanning anything.
type seedAgent struct {
	id     string
	epoch  uint64
	client driftmgrv1connect.AgentServiceClient
	http   *http.Client
}

// enrollSeedAgent creates a join token with the admin key over the
// console's address (base) and enrolls at the controller's agent TLS
// address (tlsAddr) by the CA pin alone, as `driftmgr agent --ca-pin` does.
func enrollSeedAgent(ctx context.Context, base, key, tlsAddr string) (*seedAgent, error) {
	agents := driftmgrv1connect.NewAgentsServiceClient(http.DefaultClient, base, connect.WithInterceptors(bearer(key)))
	tok, err := agents.CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{Description: "console e2e seed agent"}))
	if err != nil {
		return nil, fmt.Errorf("create join token: %w", err)
	}
	pin := tok.Msg.GetCaPin()
	host, _, err := net.SplitHostPort(tlsAddr)
	if err != nil {
		return nil, fmt.Errorf("agent TLS address %q: %w", tlsAddr, err)
	}
	signer, err := pki.NewKey()
	if err != nil {
		return nil, err
	}
	csr, err := pki.NewCSR(signer)
	if err != nil {
		return nil, err
	}
	// Nothing is trusted yet but the pin: the controller must send its CA
	// in the chain, and the server certificate must chain to it.
	enrollTLS := &tls.Config{MinVersion: tls.VersionTLS13, ServerName: host, InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error { return verifyPinned(cs, pin) }}
	ec := &http.Client{Transport: &http.Transport{TLSClientConfig: enrollTLS, ForceAttemptHTTP2: true}}
	defer ec.CloseIdleConnections()
	url := "https://" + tlsAddr
	resp, err := driftmgrv1connect.NewAgentServiceClient(ec, url).Enroll(ctx,
		connect.NewRequest(&pb.EnrollRequest{JoinToken: tok.Msg.GetSecret(), Csr: csr, Name: "console-e2e-seed", Version: "e2e"}))
	if err != nil {
		return nil, fmt.Errorf("enroll at %s: %w", url, err)
	}
	if err := pki.VerifyPin(resp.Msg.GetCaPem(), pin); err != nil {
		return nil, fmt.Errorf("enroll: the CA returned: %w", err)
	}
	cert, err := pki.AgentCertificate(resp.Msg.GetCertificatePem(), signer)
	if err != nil {
		return nil, err
	}
	mtls, err := pki.ClientTLS(resp.Msg.GetCaPem(), &cert, host)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: mtls, ForceAttemptHTTP2: true}}
	return &seedAgent{id: resp.Msg.GetAgentId(), epoch: uint64(time.Now().UnixNano()), http: hc,
		client: driftmgrv1connect.NewAgentServiceClient(hc, url)}, nil
}

func verifyPinned(cs tls.ConnectionState, pin string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("no server certificate")
	}
	roots := x509.NewCertPool()
	found := false
	for _, c := range cs.PeerCertificates[1:] {
		sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
		if "sha256:"+hex.EncodeToString(sum[:]) == strings.ToLower(pin) {
			roots.AddCert(c)
			found = true
		}
	}
	if !found {
		return fmt.Errorf("no certificate in the controller's chain matches the pin %s", pin)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, DNSName: cs.ServerName})
	return err
}

// upload sends findings n0..n0+count-1 as batches seq, seq+1, ... of the
// agent's epoch, one at a time (a new epoch must start at seq 1 before
// anything else lands), and returns the next seq.
func (a *seedAgent) upload(ctx context.Context, seq uint64, n0, count int, now time.Time) (uint64, error) {
	for i := n0; i < n0+count; i += seedBatch {
		recs := make([][]byte, 0, seedBatch)
		for j := i; j < min(i+seedBatch, n0+count); j++ {
			b, err := proto.Marshal(&pb.Record{Kind: &pb.Record_Finding{Finding: seedFinding(j, now)}})
			if err != nil {
				return seq, err
			}
			recs = append(recs, b)
		}
		payload := outbox.EncodeBatch(outbox.Batch{Epoch: a.epoch, Seq: seq, Records: recs, Created: now})
		b, err := outbox.DecodeBatch(payload)
		if err != nil {
			return seq, err
		}
		resp, err := a.client.Upload(ctx, connect.NewRequest(&pb.UploadRequest{BootEpoch: a.epoch, Seq: seq, Sha256: b.SHA256[:], Payload: payload}))
		if err != nil {
			return seq, fmt.Errorf("upload seq %d: %w", seq, err)
		}
		if resp.Msg.GetAckedSeq() != seq || resp.Msg.GetDuplicate() {
			return seq, fmt.Errorf("upload seq %d: acked %d, duplicate %v", seq, resp.Msg.GetAckedSeq(), resp.Msg.GetDuplicate())
		}
		seq++
	}
	return seq, nil
}

// The seeded findings spread over providers, accounts, regions, types,
// kinds, severities and the last 30 days, so facets and sorts have work.
var seedClouds = []struct {
	provider string
	accounts []string
	regions  []string
	types    []string
}{
	{"aws", []string{"111111111111", "222222222222", "333333333333", "444444444444"},
		[]string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"},
		[]string{"aws_instance", "aws_security_group", "aws_s3_bucket", "aws_iam_role", "aws_db_instance", "aws_lambda_function", "aws_ebs_volume", "aws_vpc"}},
	{"azurerm", []string{"sub-prod", "sub-dev"},
		[]string{"westeurope", "northeurope", "eastus"},
		[]string{"azurerm_linux_virtual_machine", "azurerm_network_security_rule", "azurerm_storage_account", "azurerm_managed_disk"}},
	{"google", []string{"acme-prod", "acme-dev", "acme-data"},
		[]string{"us-central1", "europe-west1"},
		[]string{"google_compute_instance", "google_compute_firewall", "google_storage_bucket", "google_sql_database_instance"}},
}

func seedFinding(n int, now time.Time) *pb.Finding {
	c := seedClouds[n%len(seedClouds)]
	typ := c.types[(n/3)%len(c.types)]
	id := fmt.Sprintf("perf-%06d", n)
	kind := pb.DriftKind(1 + (n/7)%3)
	f := &pb.Finding{
		Id:       fmt.Sprintf("e2e-perf-%06d", n),
		Kind:     kind,
		Severity: pb.Severity(1 + (n*7919)%5),
		Resource: &pb.ResourceRef{Provider: c.provider, Type: typ, Id: id,
			Account: c.accounts[(n/5)%len(c.accounts)], Region: c.regions[(n/11)%len(c.regions)],
			Address: fmt.Sprintf("module.svc_%d.%s.r_%d", n%97, typ, n)},
		Origin:   "s3://acme-tfstate/perf/terraform.tfstate",
		LastSeen: timestamppb.New(now.Add(-time.Duration(n%43200) * time.Minute)),
		ScanId:   "scn-e2e-perf",
	}
	if kind == pb.DriftKind_DRIFT_KIND_UNMANAGED {
		f.Origin = "discovery"
		f.Resource.Address = ""
	}
	if kind == pb.DriftKind_DRIFT_KIND_MODIFIED {
		f.Changes = []*pb.AttributeChange{{Path: "tags.owner", StateJson: `"team-a"`, LiveJson: fmt.Sprintf(`"team-%d"`, n%50)}}
	}
	return f
}

func bearer(key string) connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+key)
			return next(ctx, req)
		}
	})
}

// totalFindings is how many findings the controller holds, of any status.
func totalFindings(ctx context.Context, base, key string) (int64, error) {
	cl := driftmgrv1connect.NewFindingsServiceClient(http.DefaultClient, base, connect.WithInterceptors(bearer(key)))
	resp, err := cl.ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{PageSize: 1}))
	if err != nil {
		return 0, fmt.Errorf("list findings: %w", err)
	}
	return resp.Msg.GetTotalSize(), nil
}
