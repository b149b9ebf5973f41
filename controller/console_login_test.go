package controller_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/driftmgr/driftmgr/controller"
	"github.com/driftmgr/driftmgr/controller/oidc"
	"github.com/driftmgr/driftmgr/controller/oidc/oidctest"
	"github.com/driftmgr/driftmgr/controller/testcluster"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
	"github.com/driftmgr/driftmgr/storage/state"
)

// consoleMappings give the test provider's groups roles in acme, and in
// globex, a tenant no one created.
var consoleMappings = []oidc.Mapping{
	{Tenant: "acme", Group: "acme-viewers", Role: oidc.RoleViewer},
	{Tenant: "acme", Group: "acme-operators", Role: oidc.RoleOperator},
	{Tenant: "acme", Group: "acme-admins", Role: oidc.RoleAdmin},
	{Tenant: "globex", Group: "globex-admins", Role: oidc.RoleAdmin},
}

// frontDoor is a TCP pass-through on localhost standing in for the load
// balancer in front of a cluster: the one address browsers and the
// provider know. The controllers' certificates name localhost.
type frontDoor struct {
	ln     net.Listener
	target atomic.Pointer[string]
}

func newFrontDoor(t *testing.T) *frontDoor {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &frontDoor{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			go f.pass(in)
		}
	}()
	return f
}

func (f *frontDoor) pass(in net.Conn) {
	defer in.Close()
	target := f.target.Load()
	if target == nil {
		return
	}
	out, err := net.Dial("tcp", *target)
	if err != nil {
		return
	}
	defer out.Close()
	go func() { _, _ = io.Copy(out, in); out.Close() }()
	_, _ = io.Copy(in, out)
}

// URL is the front door's base URL.
func (f *frontDoor) URL() string {
	return "https://localhost:" + strconv.Itoa(f.ln.Addr().(*net.TCPAddr).Port)
}

// to sends new connections to node i.
func (f *frontDoor) to(c *testcluster.Cluster, i int) {
	addr := c.Member(i).APIAddr
	f.target.Store(&addr)
}

// loginCluster starts n controllers with console sign-in against the
// provider p (nil: password login only) behind a front door, which
// single sign-on redirects back to.
func loginCluster(t *testing.T, n int, p *oidctest.Provider, edit func(*oidc.Config)) (*testcluster.Cluster, *frontDoor) {
	t.Helper()
	fd := newFrontDoor(t)
	redirect := fd.URL() + oidc.CallbackPath
	if p != nil {
		p.AllowRedirect(redirect)
	}
	c := testcluster.Start(t, n, testcluster.Options{Tune: func(cfg *controller.Config) {
		o := &oidc.Config{AllowPasswordLogin: true}
		if p != nil {
			o.Issuer, o.ClientID, o.ClientSecret, o.RedirectURL = p.Issuer, oidctest.ClientID, oidctest.ClientSecret, redirect
			o.Mappings = consoleMappings
			o.HTTPClient = &http.Client{Transport: p.Transport(), Timeout: 20 * time.Second}
		}
		if edit != nil {
			edit(o)
		}
		cfg.OIDC = o
	}})
	fd.to(c, 0)
	return c, fd
}

// consoleBrowser is a cookie-keeping client that trusts the cluster and the
// provider, and follows redirects as a browser does unless told to stop.
type consoleBrowser struct {
	t      *testing.T
	jar    *cookiejar.Jar
	hc     *http.Client
	stopAt string // "" follows all; "*" stops at the first redirect; else at a path
}

func newConsoleBrowser(t *testing.T, c *testcluster.Cluster, p *oidctest.Provider) *consoleBrowser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	var tr *http.Transport
	if p != nil {
		tr = p.Transport(c.CA.Cert)
	} else {
		pool := x509.NewCertPool()
		pool.AddCert(c.CA.Cert)
		tr = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	}
	// A new connection per request, so the front door routes each anew.
	tr.DisableKeepAlives = true
	b := &consoleBrowser{t: t, jar: jar}
	b.hc = &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if b.stopAt == "*" || (b.stopAt != "" && req.URL.Path == b.stopAt) || len(via) > 10 {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	return b
}

func (b *consoleBrowser) do(method, rawURL string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	require.NoError(b.t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.hc.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return resp, string(data)
}

// ssoCallback signs in at base's login through the provider's form and
// returns the callback URL the provider sends the browser to.
func (b *consoleBrowser) ssoCallback(p *oidctest.Provider, base, username, password, query string) *url.URL {
	b.t.Helper()
	b.stopAt = ""
	resp, body := b.do(http.MethodGet, base+oidc.LoginPath+query, nil, map[string]string{"Accept": "text/html"})
	require.Equal(b.t, http.StatusOK, resp.StatusCode, body)
	require.True(b.t, strings.HasPrefix(resp.Request.URL.String(), p.Issuer), "landed on %s, not the provider", resp.Request.URL)
	id := oidctest.AuthRequestID(body)
	require.NotEmpty(b.t, id, "no login form at the provider: %s", body)
	b.stopAt = oidc.CallbackPath
	form := url.Values{"id": {id}, "username": {username}, "password": {password}}
	resp, body = b.do(http.MethodPost, p.Issuer+oidctest.LoginFormPath, strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	require.Equal(b.t, http.StatusFound, resp.StatusCode, "provider refused the login: %s", body)
	u, err := resp.Location()
	require.NoError(b.t, err)
	return u
}

// callback follows the provider's redirect back and stops at the
// console's redirect.
func (b *consoleBrowser) callback(u *url.URL) (*http.Response, string) {
	b.t.Helper()
	b.stopAt = "*"
	return b.do(http.MethodGet, u.String(), nil, map[string]string{"Accept": "text/html"})
}

func (b *consoleBrowser) signIn(p *oidctest.Provider, base, username, password, query string) {
	b.t.Helper()
	resp, body := b.callback(b.ssoCallback(p, base, username, password, query))
	require.Equal(b.t, http.StatusFound, resp.StatusCode, body)
}

// passwordSignIn posts a password login to base.
func (b *consoleBrowser) passwordSignIn(base, tenant, username, password string) (int, string) {
	b.t.Helper()
	b.stopAt = "*"
	body, _ := json.Marshal(map[string]string{"tenant": tenant, "username": username, "password": password})
	resp, out := b.do(http.MethodPost, base+oidc.PasswordPath, bytes.NewReader(body), map[string]string{"Content-Type": "application/json"})
	return resp.StatusCode, out
}

// session reads GET /auth/session at base: the console's "who am I" and
// the CSRF token.
func (b *consoleBrowser) session(base string) (int, oidc.SessionInfo) {
	b.t.Helper()
	b.stopAt = "*"
	resp, body := b.do(http.MethodGet, base+oidc.SessionPath, nil, map[string]string{"Accept": "application/json"})
	var si oidc.SessionInfo
	if resp.StatusCode == http.StatusOK {
		require.NoError(b.t, json.Unmarshal([]byte(body), &si), body)
	}
	return resp.StatusCode, si
}

func (b *consoleBrowser) cookie(base, name string) *http.Cookie {
	u, _ := url.Parse(base)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// carry gives host to the browser's cookie for host from: the same
// browser reaching a controller directly rather than through the door.
func (b *consoleBrowser) carry(from, to, name string) {
	b.t.Helper()
	c := b.cookie(from, name)
	require.NotNil(b.t, c, "no %s cookie for %s", name, from)
	u, _ := url.Parse(to)
	b.jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/", Secure: true, HttpOnly: true}})
}

// tenancy is a TenancyService client of base authenticated by the
// browser's cookie only, sending the CSRF token when given.
func (b *consoleBrowser) tenancy(base, csrf string) driftmgrv1connect.TenancyServiceClient {
	var opts []connect.ClientOption
	if csrf != "" {
		opts = append(opts, connect.WithInterceptors(withHeader{oidc.CSRFHeader, csrf}))
	}
	return driftmgrv1connect.NewTenancyServiceClient(b.hc, base, opts...)
}

func (b *consoleBrowser) findings(base, csrf string) driftmgrv1connect.FindingsServiceClient {
	var opts []connect.ClientOption
	if csrf != "" {
		opts = append(opts, connect.WithInterceptors(withHeader{oidc.CSRFHeader, csrf}))
	}
	return driftmgrv1connect.NewFindingsServiceClient(b.hc, base, opts...)
}

// restWhoAmI reads GET /api/v1/whoami at base with the cookie only: a
// safe method needs no CSRF token.
func (b *consoleBrowser) restWhoAmI(base string) (int, *pb.WhoAmIResponse) {
	b.t.Helper()
	b.stopAt = "*"
	resp, body := b.do(http.MethodGet, base+"/api/v1/whoami", nil, map[string]string{"Accept": "application/json"})
	me := &pb.WhoAmIResponse{}
	if resp.StatusCode == http.StatusOK {
		var raw map[string]any
		require.NoError(b.t, json.Unmarshal([]byte(body), &raw), body)
		me.Tenant, _ = raw["tenant"].(string)
		me.Role, _ = raw["role"].(string)
		me.UserId, _ = raw["userId"].(string)
		me.Principal, _ = raw["principal"].(string)
	}
	return resp.StatusCode, me
}

// TestConsoleSSOThroughTheCluster is the done-when for single
// sign-on: a browser signs in through the in-process OpenID provider at a
// real three-node cluster over TLS, and its cookie alone reaches the API
// with the tenant and role its groups map to, on every node.
func TestConsoleSSOThroughTheCluster(t *testing.T) {
	p := oidctest.Start(t, oidctest.Options{})
	c, fd := loginCluster(t, 3, p, nil)
	door := fd.URL()
	ctx := timeout(t, 3*time.Minute)
	owner := c.APIKey(t)
	_, err := tenancyClient(c, 0, owner, "").CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: "acme"}))
	require.NoError(t, err)
	acme := tenancyClient(c, 0, owner, "acme")

	// alice is in acme-viewers and acme-admins: admin wins.
	b := newConsoleBrowser(t, c, p)
	b.signIn(p, door, "alice", "alice-pw", "")
	require.NotNil(t, b.cookie(door, oidc.SessionCookie), "no session cookie after the callback")
	code, si := b.session(door)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "acme", si.Tenant)
	assert.Equal(t, oidc.RoleAdmin, si.Role)
	assert.Equal(t, oidc.MethodOIDC, si.Method)
	require.NotEmpty(t, si.CSRFToken)

	// alice is now a federated user of acme; the session is hers by her
	// DriftMgr id.
	users, err := acme.ListUsers(ctx, connect.NewRequest(&pb.ListUsersRequest{}))
	require.NoError(t, err)
	require.Len(t, users.Msg.GetUsers(), 1)
	alice := users.Msg.GetUsers()[0]
	assert.Equal(t, "oidc", alice.GetSource())
	assert.Equal(t, "alice@acme.test", alice.GetUsername())
	assert.Equal(t, "u-alice", alice.GetSubject())
	assert.Equal(t, "admin", alice.GetRole())
	assert.Equal(t, alice.GetId(), si.UserID)

	// The cookie alone: REST reads need nothing more ...
	code, me := b.restWhoAmI(door)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "acme", me.GetTenant())
	assert.Equal(t, "admin", me.GetRole())
	assert.Equal(t, alice.GetId(), me.GetUserId())
	assert.Equal(t, "user:"+alice.GetId(), me.GetPrincipal())
	// ... Connect calls are POSTs, which a cookie makes unsafe: without the
	// CSRF token they are refused before reaching the API ...
	_, err = b.tenancy(door, "").WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
	requireCode(t, err, connect.CodePermissionDenied, "CSRF token")
	_, err = b.tenancy(door, "").CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "web"}))
	requireCode(t, err, connect.CodePermissionDenied, "CSRF token")
	_, err = b.tenancy(door, "not-the-token").CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "web"}))
	requireCode(t, err, connect.CodePermissionDenied, "CSRF token")
	// ... and with it they act as alice, in acme, as admin.
	who, err := b.tenancy(door, si.CSRFToken).WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
	require.NoError(t, err)
	assert.Equal(t, "acme", who.Msg.GetTenant())
	assert.Equal(t, "admin", who.Msg.GetRole())
	assert.Equal(t, alice.GetId(), who.Msg.GetUserId())
	assert.Empty(t, who.Msg.GetApiKeyId())
	_, err = b.findings(door, si.CSRFToken).ListFindings(ctx, connect.NewRequest(&pb.ListFindingsRequest{}))
	require.NoError(t, err)
	_, err = b.tenancy(door, si.CSRFToken).CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "web"}))
	require.NoError(t, err)
	projects, err := acme.ListProjects(ctx, connect.NewRequest(&pb.ListProjectsRequest{}))
	require.NoError(t, err)
	require.Len(t, projects.Msg.GetProjects(), 1)
	// An admin's session is no platform owner.
	_, err = b.tenancy(door, si.CSRFToken).ListTenants(ctx, connect.NewRequest(&pb.ListTenantsRequest{}))
	requireCode(t, err, connect.CodePermissionDenied)
	// API keys are unaffected by the CSRF check.
	_, err = acme.CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "api"}))
	require.NoError(t, err)

	// The session is replicated: the same cookie works on every node.
	for i := range 3 {
		b.carry(door, c.URL(i), oidc.SessionCookie)
		code, me := b.restWhoAmI(c.URL(i))
		require.Equal(t, http.StatusOK, code, "node %d", i)
		assert.Equal(t, alice.GetId(), me.GetUserId(), "node %d", i)
		who, err := b.tenancy(c.URL(i), si.CSRFToken).WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
		require.NoError(t, err, "node %d", i)
		assert.Equal(t, "admin", who.Msg.GetRole(), "node %d", i)
	}

	// The user's current role caps the session at once on every node ...
	_, err = acme.UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: alice.GetId(), Role: proto.String("viewer")}))
	require.NoError(t, err)
	for i := range 3 {
		code, me := b.restWhoAmI(c.URL(i))
		require.Equal(t, http.StatusOK, code)
		assert.Equal(t, "viewer", me.GetRole(), "node %d", i)
	}
	_, err = b.tenancy(c.URL(1), si.CSRFToken).CreateProject(ctx, connect.NewRequest(&pb.CreateProjectRequest{Id: "db"}))
	requireCode(t, err, connect.CodePermissionDenied, "role viewer may not call")
	// ... and for a federated user the provider's groups win again at the
	// next sign-in.
	b2 := newConsoleBrowser(t, c, p)
	b2.signIn(p, door, "alice", "alice-pw", "")
	users, err = acme.ListUsers(ctx, connect.NewRequest(&pb.ListUsersRequest{}))
	require.NoError(t, err)
	require.Len(t, users.Msg.GetUsers(), 1, "the same user signed in again")
	assert.Equal(t, "admin", users.Msg.GetUsers()[0].GetRole())
	code, me = b2.restWhoAmI(door)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "admin", me.GetRole())

	// Signing out on node 1 ends the session on every node at once; the
	// other browser's session of the same user lives on.
	_, si1 := b.session(c.URL(1))
	b.stopAt = "*"
	resp, body := b.do(http.MethodPost, c.URL(1)+oidc.LogoutPath, nil, map[string]string{oidc.CSRFHeader: si1.CSRFToken})
	require.Equal(t, http.StatusNoContent, resp.StatusCode, body)
	assert.Nil(t, b.cookie(c.URL(1), oidc.SessionCookie), "the browser is told to forget the cookie")
	for _, base := range []string{c.URL(0), c.URL(2), door} {
		code, _ := b.restWhoAmI(base)
		assert.Equal(t, http.StatusUnauthorized, code, "%s after sign-out", base)
		_, err := b.tenancy(base, si.CSRFToken).WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
		requireCode(t, err, connect.CodeUnauthenticated, "console session has ended")
	}
	code, _ = b2.restWhoAmI(door)
	assert.Equal(t, http.StatusOK, code)

	// Disabling the user ends its sessions at once, on every node.
	_, err = acme.UpdateUser(ctx, connect.NewRequest(&pb.UpdateUserRequest{Id: alice.GetId(), Disabled: proto.Bool(true)}))
	require.NoError(t, err)
	for i := range 3 {
		b2.carry(door, c.URL(i), oidc.SessionCookie)
		code, _ := b2.restWhoAmI(c.URL(i))
		assert.Equal(t, http.StatusUnauthorized, code, "node %d after disable", i)
	}
	// A disabled user cannot sign in again, and is told why.
	b3 := newConsoleBrowser(t, c, p)
	resp, body = b3.callback(b3.ssoCallback(p, door, "alice", "alice-pw", ""))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, body, "is disabled")
	assert.Nil(t, b3.cookie(door, oidc.SessionCookie))

	// Groups mapping to a tenant that does not exist refuse the sign-in
	// and create nothing.
	b4 := newConsoleBrowser(t, c, p)
	resp, body = b4.callback(b4.ssoCallback(p, door, "carol", "carol-pw", "?tenant=globex"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, body, "does not exist in DriftMgr")
	_, err = tenancyClient(c, 0, owner, "globex").WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
	requireCode(t, err, connect.CodeNotFound, `tenant "globex" not found`)

	// A sign-in started on node 0 finishes on node 2: every controller
	// derives the same key for the login flow's cookie from the CA.
	b5 := newConsoleBrowser(t, c, p)
	cb := b5.ssoCallback(p, door, "carol", "carol-pw", "?tenant=acme")
	fd.to(c, 2)
	resp, body = b5.callback(cb)
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	fd.to(c, 0)
	code, me = b5.restWhoAmI(door)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "operator", me.GetRole())

	// Sign-ins and sign-outs are in acme's audit log.
	audit := driftmgrv1connect.NewAuditServiceClient(c.HTTPClient(nil), c.URL(0), testcluster.Bearer(owner), controller.InTenant("acme"))
	require.Eventually(t, func() bool {
		ev, err := audit.ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{ActionPrefix: "console.", PageSize: 100}))
		if err != nil {
			return false
		}
		seen := map[string]int{}
		for _, e := range ev.Msg.GetEvents() {
			seen[e.GetAction()+" "+e.GetOutcome()+" "+e.GetActor().GetKind()]++
		}
		return seen["console.sign_in.oidc ok user"] == 3 && seen["console.sign_out ok user"] == 1 &&
			seen["console.sign_in.oidc permission_denied anonymous"] == 1
	}, waitLong, 100*time.Millisecond)
	// So are the calls the CSRF check refused, as alice's.
	require.Eventually(t, func() bool {
		ev, err := audit.ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{Outcome: "permission_denied",
			ActionPrefix: "/driftmgr.v1.TenancyService/", PageSize: 100}))
		if err != nil {
			return false
		}
		n := 0
		for _, e := range ev.Msg.GetEvents() {
			if strings.Contains(e.GetError(), "CSRF check") && e.GetActor().GetKind() == "user" && e.GetActor().GetId() == alice.GetId() {
				n++
			}
		}
		return n == 3
	}, waitLong, 100*time.Millisecond)
}

// TestConsolePasswordLogin: local passwords through a controller, as the
// console's fallback; the administrator's switch turns them off.
func TestConsolePasswordLogin(t *testing.T) {
	c, _ := loginCluster(t, 1, nil, nil)
	ctl := c.URL(0)
	ctx := timeout(t, 2*time.Minute)
	owner := c.APIKey(t)
	plat := tenancyClient(c, 0, owner, "")
	_, err := plat.CreateTenant(ctx, connect.NewRequest(&pb.CreateTenantRequest{Id: "acme"}))
	require.NoError(t, err)
	acme := tenancyClient(c, 0, owner, "acme")
	const pw = "correct horse battery"
	bob, err := acme.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "bob", Role: "operator", Password: pw}))
	require.NoError(t, err)
	root, err := plat.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "root", Role: "owner", Password: pw}))
	require.NoError(t, err)

	b := newConsoleBrowser(t, c, nil)
	for _, tc := range []struct{ name, tenant, user, pw string }{
		{"wrong password", "acme", "bob", "not the password!"},
		{"unknown user", "acme", "nobody", pw},
		{"unknown tenant", "initech", "bob", pw},
		{"another tenant's user", "default", "bob", pw},
	} {
		code, body := b.passwordSignIn(ctl, tc.tenant, tc.user, tc.pw)
		assert.Equal(t, http.StatusUnauthorized, code, tc.name)
		assert.Contains(t, body, "bad_credentials", tc.name)
		assert.Nil(t, b.cookie(ctl, oidc.SessionCookie), tc.name)
	}
	code, body := b.passwordSignIn(ctl, "acme", "BOB", pw)
	require.Equal(t, http.StatusOK, code, body)
	got, err := acme.GetUser(ctx, connect.NewRequest(&pb.GetUserRequest{Id: bob.Msg.GetUser().GetId()}))
	require.NoError(t, err)
	assert.NotNil(t, got.Msg.GetUser().GetLastLoginAt(), "the sign-in time is recorded")
	_, si := b.session(ctl)
	assert.Equal(t, bob.Msg.GetUser().GetId(), si.UserID)
	assert.Equal(t, "operator", si.Role)
	assert.Equal(t, oidc.MethodPassword, si.Method)
	who, err := b.tenancy(ctl, si.CSRFToken).WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
	require.NoError(t, err)
	assert.Equal(t, "acme", who.Msg.GetTenant())
	assert.Equal(t, "operator", who.Msg.GetRole())
	// A user changes its own password with the session: its other
	// sessions end, this one goes on.
	elsewhere := newConsoleBrowser(t, c, nil)
	code, body = elsewhere.passwordSignIn(ctl, "acme", "bob", pw)
	require.Equal(t, http.StatusOK, code, body)
	code, _ = elsewhere.restWhoAmI(ctl)
	require.Equal(t, http.StatusOK, code)
	_, err = b.tenancy(ctl, si.CSRFToken).ChangePassword(ctx, connect.NewRequest(&pb.ChangePasswordRequest{Id: si.UserID,
		CurrentPassword: pw, NewPassword: "another long passphrase"}))
	require.NoError(t, err)
	code, _ = elsewhere.restWhoAmI(ctl)
	assert.Equal(t, http.StatusUnauthorized, code, "the session opened with the old password ended")
	code, _ = b.restWhoAmI(ctl)
	assert.Equal(t, http.StatusOK, code, "the session that changed it goes on")
	// The audit log names the user who did it.
	require.NoError(t, c.Member(0).Server().FlushAudit(ctx))
	acmeAudit := driftmgrv1connect.NewAuditServiceClient(c.HTTPClient(nil), ctl, testcluster.Bearer(owner),
		connect.WithInterceptors(withHeader{controller.TenantHeader, "acme"}))
	evs, err := acmeAudit.ListAuditEvents(ctx, connect.NewRequest(&pb.ListAuditEventsRequest{ActionPrefix: driftmgrv1connect.TenancyServiceChangePasswordProcedure,
		Consistency: pb.Consistency_CONSISTENCY_CONSISTENT}))
	require.NoError(t, err)
	require.Len(t, evs.Msg.GetEvents(), 1)
	assert.Equal(t, "user", evs.Msg.GetEvents()[0].GetActor().GetKind())
	assert.Equal(t, si.UserID, evs.Msg.GetEvents()[0].GetActor().GetId())
	assert.Equal(t, "bob", evs.Msg.GetEvents()[0].GetActor().GetName())

	// Deleting the user ends the session.
	_, err = acme.DeleteUser(ctx, connect.NewRequest(&pb.DeleteUserRequest{Id: si.UserID}))
	require.NoError(t, err)
	code, _ = b.restWhoAmI(ctl)
	assert.Equal(t, http.StatusUnauthorized, code)

	// A platform owner signs in to the console and acts in any tenant by
	// naming it, as its key would.
	b = newConsoleBrowser(t, c, nil)
	code, body = b.passwordSignIn(ctl, "default", "root", pw)
	require.Equal(t, http.StatusOK, code, body)
	_, si = b.session(ctl)
	assert.Equal(t, "owner", si.Role)
	assert.Equal(t, root.Msg.GetUser().GetId(), si.UserID)
	tenants, err := b.tenancy(ctl, si.CSRFToken).ListTenants(ctx, connect.NewRequest(&pb.ListTenantsRequest{}))
	require.NoError(t, err)
	assert.Len(t, tenants.Msg.GetTenants(), 2)
	inAcme := driftmgrv1connect.NewTenancyServiceClient(b.hc, ctl, connect.WithInterceptors(withHeader{oidc.CSRFHeader, si.CSRFToken},
		withHeader{controller.TenantHeader, "acme"}))
	me, err := inAcme.WhoAmI(ctx, connect.NewRequest(&pb.WhoAmIRequest{}))
	require.NoError(t, err)
	assert.Equal(t, "acme", me.Msg.GetTenant())
	assert.Equal(t, "default", me.Msg.GetHomeTenant())

	// A tenant's admin turns password sign-in off for its tenant only; a
	// viewer may not.
	_, err = acme.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "dana", Password: pw}))
	require.NoError(t, err)
	_, viewerKey := newUserKey(t, acme, "vic", "viewer")
	_, err = driftmgrv1connect.NewTenancyServiceClient(c.HTTPClient(nil), ctl, testcluster.Bearer(viewerKey)).SetPasswordLogin(ctx,
		connect.NewRequest(&pb.SetPasswordLoginRequest{Enabled: false}))
	requireCode(t, err, connect.CodePermissionDenied)
	_, adminKey := newUserKey(t, acme, "ada", "admin")
	acmeAdmin := driftmgrv1connect.NewTenancyServiceClient(c.HTTPClient(nil), ctl, testcluster.Bearer(adminKey))
	set, err := acmeAdmin.SetPasswordLogin(ctx, connect.NewRequest(&pb.SetPasswordLoginRequest{Enabled: false}))
	require.NoError(t, err)
	assert.True(t, set.Msg.GetTenant().GetPasswordLoginDisabled())
	bd := newConsoleBrowser(t, c, nil)
	code, body = bd.passwordSignIn(ctl, "acme", "dana", pw)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "password_login_disabled")
	code, body = bd.passwordSignIn(ctl, "default", "root", pw)
	assert.Equal(t, http.StatusOK, code, "another tenant's password sign-in is unaffected: %s", body)
	_, err = acmeAdmin.SetPasswordLogin(ctx, connect.NewRequest(&pb.SetPasswordLoginRequest{Enabled: true}))
	require.NoError(t, err)
	code, body = newConsoleBrowser(t, c, nil).passwordSignIn(ctl, "acme", "dana", pw)
	assert.Equal(t, http.StatusOK, code, body)

	// Disabling a tenant ends its users' sessions and refuses their
	// passwords.
	_, err = acme.CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "carl", Password: pw}))
	require.NoError(t, err)
	bc := newConsoleBrowser(t, c, nil)
	code, body = bc.passwordSignIn(ctl, "acme", "carl", pw)
	require.Equal(t, http.StatusOK, code, body)
	_, err = plat.UpdateTenant(ctx, connect.NewRequest(&pb.UpdateTenantRequest{Id: "acme", Disabled: proto.Bool(true)}))
	require.NoError(t, err)
	code, _ = bc.restWhoAmI(ctl)
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = bc.passwordSignIn(ctl, "acme", "carl", pw)
	assert.Equal(t, http.StatusUnauthorized, code)

	// The administrator's switch: password login off (single sign-on only).
	p := oidctest.Start(t, oidctest.Options{})
	off, _ := loginCluster(t, 1, p, func(o *oidc.Config) { o.AllowPasswordLogin = false })
	ob := newConsoleBrowser(t, off, p)
	code, body = ob.passwordSignIn(off.URL(0), "default", "root", pw)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "password_login_disabled")
	ob.stopAt = "*"
	resp, body := ob.do(http.MethodGet, off.URL(0)+oidc.SessionPath, nil, nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.JSONEq(t, `{"error":"unauthenticated","message":"Not signed in.","sso":true,"password_login":false}`, body)
}

// TestNoConsoleLoginWithoutOIDC: without Config.OIDC there is no /auth/
// and a session cookie authenticates nothing.
func TestNoConsoleLoginWithoutOIDC(t *testing.T) {
	c := testcluster.Start(t, 1, testcluster.Options{})
	b := newConsoleBrowser(t, c, nil)
	code, _ := b.passwordSignIn(c.URL(0), "default", "root", "whatever it is")
	assert.NotEqual(t, http.StatusOK, code)
	u, _ := url.Parse(c.URL(0))
	b.jar.SetCookies(u, []*http.Cookie{{Name: oidc.SessionCookie, Value: "forged", Path: "/", Secure: true}})
	_, err := b.tenancy(c.URL(0), "").WhoAmI(timeout(t, 15*time.Second), connect.NewRequest(&pb.WhoAmIRequest{}))
	requireCode(t, err, connect.CodeUnauthenticated, "an API key is required")
}

// sessionsOn counts the console sessions in node i's state.
func sessionsOn(t *testing.T, c *testcluster.Cluster, i int) int {
	t.Helper()
	n := 0
	require.NoError(t, c.Member(i).Server().Node().FSM().Store().View(func(tx *state.Tx) error {
		return tx.ForEachSession(func(*pb.StoredSession) error { n++; return nil })
	}))
	return n
}

// TestConsoleSessionsSweptAndNotTouchedPerRequest: requests do not write
// raft (a session's last use is written at most once a minute), and the
// leader forgets expired sessions on every node, proposing a sweep only
// when there is something to forget.
func TestConsoleSessionsSweptAndNotTouchedPerRequest(t *testing.T) {
	c := testcluster.Start(t, 3, testcluster.Options{Tune: func(cfg *controller.Config) {
		cfg.OIDC = &oidc.Config{AllowPasswordLogin: true, SessionTTL: 3 * time.Second}
		cfg.SessionSweepInterval = 200 * time.Millisecond
	}})
	ctx := timeout(t, time.Minute)
	owner := c.APIKey(t)
	_, err := tenancyClient(c, 0, owner, "").CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "dan", Password: "correct horse battery"}))
	require.NoError(t, err)
	b := newConsoleBrowser(t, c, nil)
	code, body := b.passwordSignIn(c.URL(0), "default", "dan", "correct horse battery")
	require.Equal(t, http.StatusOK, code, body)
	for i := range 3 {
		require.Eventually(t, func() bool { return sessionsOn(t, c, i) == 1 }, waitLong, tick, "node %d", i)
	}
	for range 20 {
		code, _ := b.restWhoAmI(c.URL(0))
		require.Equal(t, http.StatusOK, code)
	}
	sweeps := 0
	for i := range 3 {
		assert.Zero(t, applyCount(t, c, i, "touch_session"), "node %d touched a fresh session", i)
		sweeps += applyCount(t, c, i, "sweep_sessions")
	}
	assert.Zero(t, sweeps, "a sweep was proposed with nothing to sweep")

	// Past its lifetime, with no request to notice, the leader sweeps it
	// from every node's state.
	for i := range 3 {
		require.Eventually(t, func() bool { return sessionsOn(t, c, i) == 0 }, waitLong, tick, "node %d", i)
	}
	sweeps = 0
	for i := range 3 {
		sweeps += applyCount(t, c, i, "sweep_sessions")
	}
	assert.Positive(t, sweeps)
	code, _ = b.restWhoAmI(c.URL(0))
	assert.Equal(t, http.StatusUnauthorized, code)
}

// TestConsoleWatchEndsAtSignOut: the console's open Watch ends when its
// session does, as a key's does when revoked.
func TestConsoleWatchEndsAtSignOut(t *testing.T) {
	c, _ := loginCluster(t, 1, nil, nil)
	ctx := timeout(t, time.Minute)
	_, err := tenancyClient(c, 0, c.APIKey(t), "").CreateUser(ctx, connect.NewRequest(&pb.CreateUserRequest{Username: "wes", Password: "correct horse battery"}))
	require.NoError(t, err)
	b := newConsoleBrowser(t, c, nil)
	code, body := b.passwordSignIn(c.URL(0), "default", "wes", "correct horse battery")
	require.Equal(t, http.StatusOK, code, body)
	_, si := b.session(c.URL(0))
	s, err := driftmgrv1connect.NewEventsServiceClient(b.hc, c.URL(0), connect.WithInterceptors(withHeader{oidc.CSRFHeader, si.CSRFToken})).
		Watch(ctx, connect.NewRequest(&pb.WatchRequest{}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.True(t, s.Receive(), "%v", s.Err())

	b.stopAt = "*"
	resp, body := b.do(http.MethodPost, c.URL(0)+oidc.LogoutPath, nil, map[string]string{oidc.CSRFHeader: si.CSRFToken})
	require.Equal(t, http.StatusNoContent, resp.StatusCode, body)
	done := make(chan struct{})
	go func() {
		for s.Receive() {
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the console's Watch went on after sign-out")
	}
	requireCode(t, s.Err(), connect.CodeUnauthenticated, "console session ended")
}
