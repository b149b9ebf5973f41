package controller_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/audit"
	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/quota"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/state"
)

// The attacker suite's tenants: A attacks, B is attacked, and nowhere
// does not exist (naming it must read exactly like naming B).
const (
	atkA       = "acme"
	atkB       = "globex"
	atkNowhere = "initech"
	// atkOff is a tenant that is disabled: its keys are refused, and the
	// refusals logged in its chain.
	atkOff = "umbrella"
)

// atkBBurst is B's request allowance: more than the suite spends as B,
// fewer than the metrics subtest spends to be refused.
const atkBBurst = 200

// atkWorld is one cluster seeded through the real API: tenant A with a
// key of every kind an attacker may hold, and tenant B with one of every
// object, whose data must never reach A.
type atkWorld struct {
	c     *testcluster.Cluster
	url   string
	hc    *http.Client
	owner string

	// A's keys (secrets), its agent and the ids of its keys.
	aAdmin, aViewer, aExpired, aRevoked, aDisabled string
	aAgent                                         *testAgent
	aKeyIDs                                        []string
	// offKey is an admin key of the disabled tenant.
	offKey string

	// B's admin and service-account keys, and its agent.
	bAdmin, bSAKey string
	bAgent         *testAgent
	bAgentSeq      uint64
	// b is one of B's objects of each kind, by kind, for the probes.
	b map[string]string
	// forbidden are the strings of B (ids, names, values, secrets) and the
	// platform owner's key: no response to A may contain any of them.
	forbidden []string
	// secrets are every key and join token secret issued: no refusal may
	// contain one.
	secrets []string
	// bActors are the audit actor ids of B's keys and agent.
	bActors []string

	mu       sync.Mutex
	seq      int
	attempts []atkAttempt
}

// atkAttempt is one refused (or probing) call and where the audit log
// must show it.
type atkAttempt struct {
	reqID, what string
	// log is the chain it must be in: a tenant or fsm.PlatformAuditTenant.
	log string
	// actor is "key:<id>" or "anonymous".
	actor, action, outcome string
}

// atkKeyID is the id part of an API key dm_<id>_<secret>.
func atkKeyID(key string) string {
	parts := strings.Split(key, "_")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

// reqID is a fresh X-Request-Id: the audit log keeps it, which is how
// each attempt is found there.
func (w *atkWorld) reqID() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return fmt.Sprintf("atk-%06d", w.seq)
}

func (w *atkWorld) expectAudit(a atkAttempt) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts = append(w.attempts, a)
}

// opts are the client options of a call: a key (or none), a tenant
// header (or none), extra raw headers, and the request id.
func (w *atkWorld) opts(key, tenant, reqID string, raw ...[2]string) []connect.ClientOption {
	var o []connect.ClientOption
	if key != "" {
		o = append(o, testcluster.Bearer(key))
	}
	if tenant != "" {
		o = append(o, controller.InTenant(tenant))
	}
	for _, h := range raw {
		o = append(o, connect.WithInterceptors(withHeader(h)))
	}
	if reqID != "" {
		o = append(o, connect.WithInterceptors(withHeader{"X-Request-Id", reqID}))
	}
	return o
}

// atkClients are the key-facing services with one set of options.
type atkClients struct {
	findings driftmgrv1connect.FindingsServiceClient
	security driftmgrv1connect.SecurityServiceClient
	agents   driftmgrv1connect.AgentsServiceClient
	tenancy  driftmgrv1connect.TenancyServiceClient
	audit    driftmgrv1connect.AuditServiceClient
	events   driftmgrv1connect.EventsServiceClient
}

func (w *atkWorld) clients(opts ...connect.ClientOption) atkClients {
	return atkClients{
		findings: driftmgrv1connect.NewFindingsServiceClient(w.hc, w.url, opts...),
		security: driftmgrv1connect.NewSecurityServiceClient(w.hc, w.url, opts...),
		agents:   driftmgrv1connect.NewAgentsServiceClient(w.hc, w.url, opts...),
		tenancy:  driftmgrv1connect.NewTenancyServiceClient(w.hc, w.url, opts...),
		audit:    driftmgrv1connect.NewAuditServiceClient(w.hc, w.url, opts...),
		events:   driftmgrv1connect.NewEventsServiceClient(w.hc, w.url, opts...),
	}
}

// as are the clients of a key acting in its own tenant, unrecorded.
func (w *atkWorld) as(key string) atkClients { return w.clients(w.opts(key, "", "")...) }

// atkMsg turns a generated client's answer into a message or an error.
func atkMsg[T any](r *connect.Response[T], err error) (proto.Message, error) {
	if err != nil {
		return nil, err
	}
	return any(r.Msg).(proto.Message), nil
}

// ---- B's and A's worlds ----

// atkBBatch is B's first upload: drift findings, security findings with a
// check, framework and category only B has, and a scan with a tally.
func atkBBatch(epoch, seq uint64) *pb.UploadRequest {
	var recs [][]byte
	for i := range 3 {
		recs = append(recs, record(atkBFinding(fmt.Sprintf("gx-drift-%d", i))))
	}
	for _, id := range []string{"gx-sec-1", "gx-sec-2"} {
		recs = append(recs, record(atkBSecFinding(id)))
	}
	recs = append(recs, record(&pb.Record{Kind: &pb.Record_ScanCompleted{ScanCompleted: &pb.Scan{Id: "gx-scan-1", StartedAt: timestamppb.Now(),
		FinishedAt: timestamppb.Now(), Security: &pb.SecurityTally{Checks: []*pb.CheckTally{{CheckId: "GX-PRIVATE-CHECK-007",
			Title: "GX private check", Severity: pb.Severity_SEVERITY_CRITICAL, Passed: 3, Failed: 2,
			Controls: []*pb.ControlRef{{Framework: "GX Secret Baseline", Control: "GX-1"}}}}}}}}))
	return batch(epoch, seq, recs...)
}

func atkBFinding(id string) *pb.Finding {
	return &pb.Finding{Id: id, Kind: pb.DriftKind_DRIFT_KIND_MODIFIED, Severity: pb.Severity_SEVERITY_HIGH,
		Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_kms_key", Id: "key-" + id, Account: "424242424242", Region: "me-central-1",
			Address: "aws_kms_key." + strings.ReplaceAll(id, "-", "_")},
		Origin: "s3://gx-state/prod.tfstate", LastSeen: timestamppb.Now(), ScanId: "gx-scan-1",
		Changes: []*pb.AttributeChange{{Path: "tags.gx_secret_tag", StateJson: `"gx-state-value"`, LiveJson: `"gx-live-value"`}}}
}

func atkBSecFinding(id string) *pb.Record {
	return &pb.Record{Kind: &pb.Record_SecurityFinding{SecurityFinding: &pb.SecurityFinding{
		Id: id, CheckId: "GX-PRIVATE-CHECK-007", Title: "GX private check", Severity: pb.Severity_SEVERITY_CRITICAL,
		Status:   pb.SecurityStatus_SECURITY_STATUS_FAIL,
		Resource: &pb.ResourceRef{Provider: "aws", Type: "aws_kms_key", Id: "key-" + id, Account: "424242424242", Region: "me-central-1"},
		Message:  "gx key rotation is off", Category: "gx-category", LastSeen: timestamppb.Now(), ScanId: "gx-scan-1",
		Evidence: []*pb.Evidence{{Path: "rotation", ValueJson: `"gx-evidence"`}},
		Controls: []*pb.ControlRef{{Framework: "GX Secret Baseline", Control: "GX-1"}},
	}}}
}

const atkBMutelist = "mutelist:\n  - check: GX-PRIVATE-CHECK-007\n    resource: aws_kms_key.key-gx-sec-2\n    reason: gx mute reason\n    owner: gx-owner\n"

var atkBPolicy = strings.NewReplacer("ACME-TAG-001", "GX-POLICY-001", "acme.owner", "globex.secret",
	"Buckets carry an owner tag", "GX secret policy", "ACME Baseline", "GX Secret Baseline").Replace(goodPolicy)

// newAtkWorld starts one node and seeds both tenants through the API:
// keys, users, service accounts, projects, join tokens, agents and their
// uploads, a mutelist, policies, acknowledgements, and so audit entries.
func newAtkWorld(t *testing.T) *atkWorld {
	t.Helper()
	// B gets a request rate: a refused call must not show its path (B's
	// ids) in the public /metrics. The burst outlasts the suite's calls.
	c := testcluster.Start(t, 1, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.Quotas.Tenants = map[string]quota.Limits{atkB: {RequestsPerSecond: 1, Burst: atkBBurst}}
	}})
	w := &atkWorld{c: c, url: c.URL(0), hc: c.HTTPClient(nil), owner: c.APIKey(t), b: map[string]string{}}
	ctx := timeout(t, 90*time.Second)
	must := func(_ proto.Message, err error) {
		t.Helper()
		require.NoError(t, err)
	}
	plat := w.as(w.owner)
	must(atkMsg(plat.tenancy.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: atkA, DisplayName: "Acme Inc"}))))
	must(atkMsg(plat.tenancy.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: atkB, DisplayName: "Globex Corporation"}))))
	must(atkMsg(plat.tenancy.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: atkOff}))))
	userKey := func(cl atkClients, name, role string) (*pb.User, string) {
		t.Helper()
		u, err := cl.tenancy.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: name, Role: role, Password: "correct horse battery",
			Email: name + "@example.com"}))
		require.NoError(t, err)
		k, err := cl.tenancy.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{Owner: &pb.CreateAPIKeyRequest_UserId{UserId: u.Msg.GetUser().GetId()}}))
		require.NoError(t, err)
		return u.Msg.GetUser(), k.Msg.GetSecret()
	}
	saKey := func(cl atkClients, sa string, ttl int64) *pb.CreateAPIKeyResponse {
		t.Helper()
		k, err := cl.tenancy.CreateAPIKey(ctx, connect.NewRequest(&pb.CreateAPIKeyRequest{
			Owner: &pb.CreateAPIKeyRequest_ServiceAccountId{ServiceAccountId: sa}, TtlSeconds: ttl}))
		require.NoError(t, err)
		return k.Msg
	}

	// Tenant A: an admin, a viewer, a disabled admin, and a service
	// account's expiring and revoked keys.
	_, w.aAdmin = userKey(w.clients(w.opts(w.owner, atkA, "")...), "alice", "admin")
	a := w.as(w.aAdmin)
	must(atkMsg(a.tenancy.CreateServiceAccount(ctx, connect.NewRequest(&pb.CreateServiceAccountRequest{Id: "a-ci", Role: "operator"}))))
	expiring := saKey(a, "a-ci", 1)
	w.aExpired = expiring.GetSecret()
	revoked := saKey(a, "a-ci", 0)
	w.aRevoked = revoked.GetSecret()
	must(atkMsg(a.tenancy.RevokeAPIKey(ctx, connect.NewRequest(&pb.RevokeAPIKeyRequest{Id: revoked.GetKey().GetId()}))))
	_, w.aViewer = userKey(a, "vic", "viewer")
	dave, daveKey := userKey(a, "dave", "admin")
	w.aDisabled = daveKey
	must(atkMsg(a.tenancy.UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: dave.GetId(), Disabled: proto.Bool(true)}))))
	must(atkMsg(a.tenancy.CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "a-proj",
		Accounts: []*pb.CloudAccount{{Provider: "aws", AccountId: "123456789012"}}}))))
	aTok, err := a.agents.CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{Project: "a-proj"}))
	require.NoError(t, err)
	w.aAgent, err = enrollWith(t, c, w.url, aTok.Msg.GetSecret(), "acme-agent")
	require.NoError(t, err)
	_, err = w.aAgent.upload(ctx, batch(w.aAgent.Epoch, 1, record(finding("acme-drift-0", pb.Severity_SEVERITY_HIGH, 0)),
		record(finding("acme-drift-1", pb.Severity_SEVERITY_LOW, 0)), record(secFinding("acme-sec-1", "DM-AWS-EC2-001", pb.Severity_SEVERITY_HIGH)),
		record(secTally("acme-scan-1"))))
	require.NoError(t, err)
	must(atkMsg(a.security.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "acme-owner.rego", Source: goodPolicy}))))
	must(atkMsg(a.security.PutMutelist(ctx, connect.NewRequest(&pb.PutMutelistRequest{
		Yaml: "mutelist:\n  - check: DM-AWS-EC2-001\n    resource: aws_security_group.sg-x\n    reason: acme bastion\n    owner: acme-sec\n"}))))
	w.aKeyIDs = []string{atkKeyID(w.aAdmin), atkKeyID(w.aViewer), atkKeyID(w.aExpired), atkKeyID(w.aRevoked), atkKeyID(w.aDisabled)}

	_, w.offKey = userKey(w.clients(w.opts(w.owner, atkOff, "")...), "olga", "admin")
	must(atkMsg(plat.tenancy.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: atkOff, Disabled: proto.Bool(true)}))))

	// Tenant B: one of everything.
	gina, bAdmin := userKey(w.clients(w.opts(w.owner, atkB, "")...), "gina-gx", "admin")
	w.bAdmin = bAdmin
	b := w.as(bAdmin)
	gus, _ := userKey(b, "gus-gx", "viewer")
	must(atkMsg(b.tenancy.CreateServiceAccount(ctx, connect.NewRequest(&pb.CreateServiceAccountRequest{Id: "gx-ci", Role: "operator",
		Description: "gx pipelines"}))))
	bSA := saKey(b, "gx-ci", 0)
	w.bSAKey = bSA.GetSecret()
	must(atkMsg(b.tenancy.CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "gx-proj", DisplayName: "GX Production",
		Accounts: []*pb.CloudAccount{{Provider: "aws", AccountId: "424242424242", Name: "gx-prod-account"}}}))))
	bTok, err := b.agents.CreateJoinToken(ctx, connect.NewRequest(&pb.CreateJoinTokenRequest{Project: "gx-proj", MaxUses: 2, Description: "gx token"}))
	require.NoError(t, err)
	w.bAgent, err = enrollWith(t, c, w.url, bTok.Msg.GetSecret(), "gx-agent")
	require.NoError(t, err)
	require.Equal(t, atkB, w.bAgent.Tenant)
	w.bAgentSeq = 1
	_, err = w.bAgent.upload(ctx, atkBBatch(w.bAgent.Epoch, w.bAgentSeq))
	require.NoError(t, err)
	must(atkMsg(b.findings.AcknowledgeFinding(ctx, connect.NewRequest(&pb.AcknowledgeFindingRequest{Id: "gx-drift-2", Note: "gx ack note"}))))
	must(atkMsg(b.security.PutMutelist(ctx, connect.NewRequest(&pb.PutMutelistRequest{Yaml: atkBMutelist}))))
	must(atkMsg(b.security.PutPolicy(ctx, connect.NewRequest(&pb.PutPolicyRequest{Name: "gx-policy.rego", Source: atkBPolicy}))))
	agents, err := b.agents.ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
	require.NoError(t, err)
	require.Len(t, agents.Msg.GetAgents(), 1)

	w.b = map[string]string{
		"tenant": atkB, "finding": "gx-drift-0", "resource": "key-gx-drift-0", "account": "424242424242",
		"secfinding": "gx-sec-1", "secresource": "key-gx-sec-1", "check": "GX-PRIVATE-CHECK-007", "framework": "GX Secret Baseline",
		"agent": w.bAgent.ID, "token": bTok.Msg.GetToken().GetId(), "user": gina.GetId(), "user2": gus.GetId(),
		"sa": "gx-ci", "key": atkKeyID(bAdmin), "sakey": bSA.GetKey().GetId(), "project": "gx-proj", "policy": "gx-policy.rego",
		"scan": "gx-scan-1",
	}
	for _, v := range w.b {
		w.forbidden = append(w.forbidden, v)
	}
	w.forbidden = append(w.forbidden, "Globex Corporation", "gina-gx", "gus-gx", "gx-drift-1", "gx-drift-2", "gx-drift-9", "gx-sec-2", "gx-sec-9",
		"key-gx-drift-", "key-gx-sec-", "aws_kms_key", "me-central-1", "gx-state", "gx_drift_", "gx_secret_tag", "gx-live-value", "gx-evidence",
		"gx key rotation", "GX private check", "gx-category", "gx-scan-2", "gx mute reason", "gx-owner", "gx ack note", "GX-POLICY-001",
		"GX secret policy", "globex.secret", "gx token", "gx pipelines", "GX Production", "gx-prod-account", "gx-agent",
		agents.Msg.GetAgents()[0].GetCertSerial(), w.owner, bAdmin, w.bSAKey, bTok.Msg.GetSecret())
	w.secrets = []string{w.owner, w.offKey, w.aAdmin, w.aViewer, w.aExpired, w.aRevoked, w.aDisabled, bAdmin, w.bSAKey,
		aTok.Msg.GetSecret(), bTok.Msg.GetSecret()}
	// The secret parts alone too: a refusal must not echo them cut out.
	for _, s := range slices.Clone(w.secrets) {
		if i := strings.LastIndex(s, "_"); i > 0 {
			w.secrets = append(w.secrets, s[i+1:])
		}
	}
	w.bActors = []string{atkKeyID(bAdmin), bSA.GetKey().GetId(), w.bAgent.ID}

	// The expiring key must have expired before the attacks.
	time.Sleep(time.Until(expiring.GetKey().GetExpiresAt().AsTime()) + 10*time.Millisecond)
	return w
}

// ---- nothing leaked ----

// leaks lists the forbidden strings (and, for refusals, secrets) s holds.
func (w *atkWorld) leaks(s string, refusal bool) []string {
	var found []string
	for _, f := range w.forbidden {
		if f != "" && strings.Contains(s, f) {
			found = append(found, f)
		}
	}
	if refusal {
		for _, f := range w.secrets {
			if f != "" && strings.Contains(s, f) {
				found = append(found, "secret "+f[:min(len(f), 8)]+"...")
			}
		}
	}
	return found
}

// requireNoLeak fails when s, with the strings A itself sent removed,
// holds anything of B's.
func (w *atkWorld) requireNoLeak(t testing.TB, what, s string, refusal bool, sent ...string) {
	t.Helper()
	for _, e := range sent {
		if e != "" {
			s = strings.ReplaceAll(s, e, "<sent>")
		}
	}
	if found := w.leaks(s, refusal); len(found) > 0 {
		t.Errorf("%s: the response reveals %q:\n%s", what, found, atkClip(s, 2000))
	}
}

func atkClip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// atkErrText is everything a Connect error shows the caller: code, message,
// details and metadata (headers and trailers).
func atkErrText(err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n", err)
	if ce := new(connect.Error); errors.As(err, &ce) {
		for _, d := range ce.Details() {
			b.Write(d.Bytes())
			b.WriteByte('\n')
		}
		for k, v := range ce.Meta() {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(v, ", "))
		}
	}
	return b.String()
}

// atkErrMessage is a Connect error's message without its code.
func atkErrMessage(err error) string {
	if ce := new(connect.Error); errors.As(err, &ce) {
		return ce.Message()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// callDynamic calls a unary procedure with an empty request and decodes
// the answer whatever its type.
func (w *atkWorld) callDynamic(ctx context.Context, procedure string, opts ...connect.ClientOption) (proto.Message, error) {
	parts := strings.Split(strings.TrimPrefix(procedure, "/"), "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(parts[0]))
	if err != nil {
		return nil, err
	}
	out := d.(protoreflect.ServiceDescriptor).Methods().ByName(protoreflect.Name(parts[1])).Output()
	opts = append(opts, connect.WithResponseInitializer(func(_ connect.Spec, m any) error {
		*m.(*dynamicpb.Message) = *dynamicpb.NewMessage(out)
		return nil
	}))
	resp, err := connect.NewClient[emptypb.Empty, dynamicpb.Message](w.hc, w.url+procedure, opts...).
		CallUnary(ctx, connect.NewRequest(&emptypb.Empty{}))
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

// atkJSON is a message in its JSON form.
func atkJSON(t testing.TB, m proto.Message) string {
	t.Helper()
	b, err := protojson.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// atkVolatile change between two otherwise identical answers.
var atkVolatile = map[string]bool{"revision": true, "createdAt": true, "updatedAt": true, "at": true, "expiresAt": true,
	"commandId": true, "nextPageToken": true, "lastUsedAt": true}

// atkNormalJSON is a JSON document with volatile members removed and keys
// sorted, for comparing two answers.
func atkNormalJSON(t testing.TB, raw []byte) string {
	t.Helper()
	var v any
	if len(bytes.TrimSpace(raw)) == 0 {
		return ""
	}
	require.NoError(t, json.Unmarshal(raw, &v), "%s", raw)
	var strip func(any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k := range x {
				if atkVolatile[k] {
					delete(x, k)
				} else {
					x[k] = strip(x[k])
				}
			}
		case []any:
			for i := range x {
				x[i] = strip(x[i])
			}
		}
		return v
	}
	out, err := json.Marshal(strip(v))
	require.NoError(t, err)
	return string(out)
}

// atkLookalike is an id of the same shape as id that nobody has: the same
// prefix (up to the first '-'), separators and extension, other
// characters random.
func atkLookalike(id string) string {
	const lower, upper, digits = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
	pick := func(set string) byte {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		return set[n.Int64()]
	}
	keep := 0
	if i := strings.IndexByte(id, '-'); i > 0 && i < len(id)-1 {
		keep = i + 1
	}
	ext := ""
	body := id
	if strings.HasSuffix(id, ".rego") {
		body, ext = strings.TrimSuffix(id, ".rego"), ".rego"
	}
	for {
		b := []byte(body)
		for i := keep; i < len(b); i++ {
			switch c := b[i]; {
			case c >= 'a' && c <= 'z':
				b[i] = pick(lower)
			case c >= 'A' && c <= 'Z':
				b[i] = pick(upper)
			case c >= '0' && c <= '9':
				b[i] = pick(digits)
			}
		}
		if out := string(b) + ext; out != id {
			return out
		}
	}
}

// ---- REST routes ----

// atkRoute is one google.api.http binding.
type atkRoute struct {
	method, path, procedure string
	body                    bool
}

func (r atkRoute) String() string { return r.method + " " + r.path }

// atkRoutes lists every REST route of every service in package
// driftmgr.v1, from the google.api.http annotations (additional bindings
// included).
func atkRoutes(t testing.TB) []atkRoute {
	t.Helper()
	var out []atkRoute
	protoregistry.GlobalFiles.RangeFilesByPackage("driftmgr.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			svc := fd.Services().Get(i)
			for j := 0; j < svc.Methods().Len(); j++ {
				m := svc.Methods().Get(j)
				rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
				if rule == nil {
					continue
				}
				proc := "/" + string(svc.FullName()) + "/" + string(m.Name())
				for _, r := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
					method, path := atkBinding(r)
					if method != "" {
						out = append(out, atkRoute{method: method, path: path, procedure: proc, body: r.GetBody() != ""})
					}
				}
			}
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	require.NotEmpty(t, out)
	return out
}

func atkBinding(r *annotations.HttpRule) (string, string) {
	switch p := r.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		return http.MethodGet, p.Get
	case *annotations.HttpRule_Post:
		return http.MethodPost, p.Post
	case *annotations.HttpRule_Put:
		return http.MethodPut, p.Put
	case *annotations.HttpRule_Delete:
		return http.MethodDelete, p.Delete
	case *annotations.HttpRule_Patch:
		return http.MethodPatch, p.Patch
	case *annotations.HttpRule_Custom:
		return p.Custom.GetKind(), p.Custom.GetPath()
	}
	return "", ""
}

var atkPathParam = regexp.MustCompile(`\{([^}=]+)(=[^}]*)?\}`)

// params are a route's path variables.
func (r atkRoute) params() []string {
	var out []string
	for _, m := range atkPathParam.FindAllStringSubmatch(r.path, -1) {
		out = append(out, m[1])
	}
	return out
}

// fill puts values in a route's path variables (any variable without a
// value gets def).
func (r atkRoute) fill(def string, values map[string]string) string {
	return atkPathParam.ReplaceAllStringFunc(r.path, func(m string) string {
		name := atkPathParam.FindStringSubmatch(m)[1]
		v, ok := values[name]
		if !ok {
			v = def
		}
		return url.PathEscape(v)
	})
}

// atkHTTPResult is a REST answer as the caller sees it.
type atkHTTPResult struct {
	status int
	header http.Header
	body   []byte
}

// code is the Connect code a REST error body names.
func (r atkHTTPResult) code() string {
	var e struct {
		Code any `json:"code"`
	}
	_ = json.Unmarshal(r.body, &e)
	switch c := e.Code.(type) {
	case string:
		return c
	case float64:
		return connect.Code(c).String()
	}
	if r.status/100 == 2 {
		return audit.OutcomeOK
	}
	return fmt.Sprintf("http %d", r.status)
}

// message is the message a REST error body carries.
func (r atkHTTPResult) message() string {
	var e struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Message
}

// text is everything the caller sees: status, headers and body.
func (r atkHTTPResult) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", r.status)
	for k, v := range r.header {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(v, ", "))
	}
	b.Write(r.body)
	return b.String()
}

// rest calls a REST path with raw headers, and an empty JSON object for
// a body if it takes one.
func (w *atkWorld) rest(t testing.TB, method, path string, body bool, headers map[string]string) atkHTTPResult {
	t.Helper()
	if !body {
		return w.raw(t, method, path, "", headers)
	}
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range headers {
		h[k] = v
	}
	return w.raw(t, method, path, "{}", h)
}

// raw sends an HTTP request to the node as it is.
func (w *atkWorld) raw(t testing.TB, method, path, body string, headers map[string]string) atkHTTPResult {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(timeout(t, 15*time.Second), method, w.url+path, rd)
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := w.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return atkHTTPResult{status: resp.StatusCode, header: resp.Header, body: b}
}

// atkHTTPStatus is the HTTP status REST answers a Connect code with.
var atkHTTPStatus = map[connect.Code]int{
	connect.CodeUnauthenticated:    http.StatusUnauthorized,
	connect.CodePermissionDenied:   http.StatusForbidden,
	connect.CodeNotFound:           http.StatusNotFound,
	connect.CodeFailedPrecondition: http.StatusBadRequest,
	connect.CodeInvalidArgument:    http.StatusBadRequest,
	connect.CodeAlreadyExists:      http.StatusConflict,
	connect.CodeResourceExhausted:  http.StatusTooManyRequests,
	connect.CodeUnavailable:        http.StatusServiceUnavailable,
	connect.CodeInternal:           http.StatusInternalServerError,
	connect.CodeUnimplemented:      http.StatusNotImplemented,
	connect.CodeDeadlineExceeded:   http.StatusGatewayTimeout,
	connect.CodeCanceled:           499,
	connect.CodeUnknown:            http.StatusInternalServerError,
	connect.CodeAborted:            http.StatusConflict,
	connect.CodeOutOfRange:         http.StatusBadRequest,
	connect.CodeDataLoss:           http.StatusInternalServerError,
}

// ---- the audit log, read from the store ----

// auditLogs reads the chains of tenants A, B and the disabled one, and
// the platform's, from node i's store.
func (w *atkWorld) auditLogs(t testing.TB, i int) map[string][]audit.Entry {
	t.Helper()
	return atkReadAuditLogs(t, w.c, i, atkA, atkB, atkOff)
}

func atkReadAuditLogs(t testing.TB, c *testcluster.Cluster, i int, tenants ...string) map[string][]audit.Entry {
	t.Helper()
	out := map[string][]audit.Entry{}
	read := func(name string, l state.AuditLog) error {
		return l.ForEach(0, func(seq uint64, raw []byte) (bool, error) {
			var e audit.Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				return false, fmt.Errorf("%s entry %d: %w", name, seq, err)
			}
			out[name] = append(out[name], e)
			return true, nil
		})
	}
	// What other nodes committed, this one may not have applied yet.
	require.NoError(t, c.Member(i).Server().Node().ReadBarrier(timeout(t, 15*time.Second)))
	err := c.Member(i).Server().Node().FSM().Store().View(func(tx *state.Tx) error {
		for _, tn := range tenants {
			tt, err := tx.Tenant(tn)
			if err != nil {
				return err
			}
			if err := read(tn, tt.Audit()); err != nil {
				return err
			}
		}
		l, err := tx.PlatformAudit()
		if err != nil {
			return err
		}
		return read(fsm.PlatformAuditTenant, l)
	})
	require.NoError(t, err)
	return out
}

// atkFlushAudit commits every node's pending audit entries.
func atkFlushAudit(t testing.TB, c *testcluster.Cluster) {
	t.Helper()
	for _, m := range c.Members() {
		require.NoError(t, m.Server().FlushAudit(timeout(t, 30*time.Second)))
	}
}

// atkRequireAudited checks each attempt is in the chain it belongs to, as
// the right actor, action and outcome, and in no other chain.
func atkRequireAudited(t testing.TB, logs map[string][]audit.Entry, attempts []atkAttempt) {
	t.Helper()
	where := map[string]map[string]audit.Entry{}
	for name, entries := range logs {
		where[name] = map[string]audit.Entry{}
		for _, e := range entries {
			where[name][e.RequestID] = e
		}
	}
	missing := 0
	for _, a := range attempts {
		e, ok := where[a.log][a.reqID]
		if !ok {
			missing++
			if missing <= 20 {
				t.Errorf("%s (request %s) is not in the audit log of %s", a.what, a.reqID, a.log)
			}
			continue
		}
		if e.Actor.String() != a.actor || e.Action != a.action || e.Outcome != a.outcome {
			t.Errorf("%s (request %s) is logged in %s as %s calling %s: %s; want %s calling %s: %s", a.what, a.reqID, a.log,
				e.Actor, e.Action, e.Outcome, a.actor, a.action, a.outcome)
		}
		for name := range logs {
			if _, dup := where[name][a.reqID]; dup && name != a.log {
				t.Errorf("%s (request %s) is in the audit log of %s too", a.what, a.reqID, name)
			}
		}
	}
	if missing > 20 {
		t.Errorf("... and %d more attempts are not in the audit log", missing-20)
	}
}
