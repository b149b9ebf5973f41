package controller

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/password"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

var usernameShape = regexp.MustCompile(`^[a-z0-9][a-z0-9._@+-]{0,127}$`)

func newID(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return prefix + "-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func validUsername(v string) error {
	if !usernameShape.MatchString(v) {
		return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("username %q: want 1-128 of a-z 0-9 . _ @ + - starting with a letter or digit", clip(v, 80)))
	}
	return nil
}

func validEmail(v string) error {
	if v != "" && (len(v) > 254 || !strings.Contains(v, "@") || strings.ContainsAny(v, " \t\r\n")) {
		return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("email %q: want an address like name@example.com", clip(v, 80)))
	}
	return nil
}

// passwordPolicy checks a new password; the error names the field and the
// rule, never the password.
func passwordPolicy(field, pw string) error {
	if err := password.CheckPolicy(pw); err != nil {
		return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("%s: %w", field, err))
	}
	return nil
}

// user reads a user of the caller's tenant.
func (s *Server) user(tenant, id string) (*pb.StoredUser, error) {
	var u *pb.StoredUser
	err := s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		u, err = tt.User(id)
		return err
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("user %q not found", clip(id, 80)))
	}
	return u, nil
}

// mayManage refuses changing an identity whose role is above the caller's
// (an admin cannot disable or demote an owner).
func mayManage(p Principal, what string, r Role) error {
	if r > p.Role {
		return connect.NewError(connect.CodePermissionDenied, fmt.Errorf("role %s may not change %s of role %s", p.Role, what, r))
	}
	return nil
}

func (t *tenancyService) CreateUser(ctx context.Context, req *connect.Request[pb.CreateUserRequest]) (*connect.Response[pb.CreateUserResponse], error) {
	p, m := PrincipalFrom(ctx), req.Msg
	username := strings.ToLower(strings.TrimSpace(m.GetUsername()))
	if err := validUsername(username); err != nil {
		return nil, err
	}
	role := RoleViewer
	if m.GetRole() != "" {
		var err error
		if role, err = parseRoleField("role", m.GetRole()); err != nil {
			return nil, err
		}
	}
	if err := canGrant(p, role); err != nil {
		return nil, err
	}
	if err := validEmail(m.GetEmail()); err != nil {
		return nil, err
	}
	if err := passwordPolicy("password", m.GetPassword()); err != nil {
		return nil, err
	}
	hash, err := password.Hash(m.GetPassword())
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	now := timestamppb.New(time.Now())
	u := &pb.User{Id: newID("usr"), Tenant: p.Tenant, Username: username, DisplayName: clip(m.GetDisplayName(), 256), Email: m.GetEmail(),
		Role: role.String(), Source: "local", CreatedAt: now, PasswordChangedAt: now, CreatedBy: p.String()}
	res, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateUser{CreateUser: &pb.CreateUserCommand{
		User: &pb.StoredUser{User: u, PasswordHash: hash}}}})
	if err != nil {
		return nil, applyErr("create user", err)
	}
	return connect.NewResponse(&pb.CreateUserResponse{User: res.(*pb.ApplyResult).GetUser()}), nil
}

func (t *tenancyService) ListUsers(ctx context.Context, _ *connect.Request[pb.ListUsersRequest]) (*connect.Response[pb.ListUsersResponse], error) {
	resp := &pb.ListUsersResponse{}
	err := t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		return tt.ForEachUser(func(u *pb.StoredUser) error { resp.Users = append(resp.Users, u.GetUser()); return nil })
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(resp), nil
}

func (t *tenancyService) GetUser(ctx context.Context, req *connect.Request[pb.GetUserRequest]) (*connect.Response[pb.GetUserResponse], error) {
	u, err := t.s.user(PrincipalFrom(ctx).Tenant, req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&pb.GetUserResponse{User: u.GetUser()}), nil
}

func (t *tenancyService) UpdateUser(ctx context.Context, req *connect.Request[pb.UpdateUserRequest]) (*connect.Response[pb.UpdateUserResponse], error) {
	p, m := PrincipalFrom(ctx), req.Msg
	cur, err := t.s.user(p.Tenant, m.GetId())
	if err != nil {
		return nil, err
	}
	if err := mayManage(p, "user "+cur.GetUser().GetUsername(), ParseRole(cur.GetUser().GetRole())); err != nil {
		return nil, err
	}
	c := &pb.UpdateUserCommand{Tenant: p.Tenant, Id: m.GetId(), Disabled: m.Disabled, Email: m.Email}
	narrows := m.GetDisabled()
	if m.Role != nil {
		r, err := parseRoleField("role", m.GetRole())
		if err != nil {
			return nil, err
		}
		if err := canGrant(p, r); err != nil {
			return nil, err
		}
		s := r.String()
		c.Role = &s
		narrows = narrows || r < ParseRole(cur.GetUser().GetRole())
	}
	if m.Email != nil {
		if err := validEmail(m.GetEmail()); err != nil {
			return nil, err
		}
	}
	if m.DisplayName != nil {
		name := clip(m.GetDisplayName(), 256)
		c.DisplayName = &name
	}
	res, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_UpdateUser{UpdateUser: c}})
	if err != nil {
		return nil, applyErr("update user", err)
	}
	if narrows {
		t.s.propagate(ctx, "narrow user "+m.GetId())
	}
	return connect.NewResponse(&pb.UpdateUserResponse{User: res.(*pb.ApplyResult).GetUser()}), nil
}

func (t *tenancyService) DeleteUser(ctx context.Context, req *connect.Request[pb.DeleteUserRequest]) (*connect.Response[pb.DeleteUserResponse], error) {
	p := PrincipalFrom(ctx)
	cur, err := t.s.user(p.Tenant, req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	if err := mayManage(p, "user "+cur.GetUser().GetUsername(), ParseRole(cur.GetUser().GetRole())); err != nil {
		return nil, err
	}
	if _, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_DeleteUser{DeleteUser: &pb.DeleteUserCommand{
		Tenant: p.Tenant, Id: req.Msg.GetId()}}}); err != nil {
		return nil, applyErr("delete user", err)
	}
	t.s.propagate(ctx, "delete user "+req.Msg.GetId())
	return connect.NewResponse(&pb.DeleteUserResponse{}), nil
}

// ChangePassword sets a local user's password: one's own with the
// current password, anyone's (of a role not above the caller's) with
// users.manage.
func (t *tenancyService) ChangePassword(ctx context.Context, req *connect.Request[pb.ChangePasswordRequest]) (*connect.Response[pb.ChangePasswordResponse], error) {
	p, m := PrincipalFrom(ctx), req.Msg
	self := p.User != "" && p.User == m.GetId() && p.Tenant == p.Home
	if !self && !p.Role.Can(ActionUsersManage) {
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("role %s may change only its own password: another user's needs %s, which %s hold",
			p.Role, ActionUsersManage, rolesWith(ActionUsersManage)))
	}
	cur, err := t.s.user(p.Tenant, m.GetId())
	if err != nil {
		return nil, err
	}
	if !self {
		if err := mayManage(p, "user "+cur.GetUser().GetUsername(), ParseRole(cur.GetUser().GetRole())); err != nil {
			return nil, err
		}
	}
	if cur.GetUser().GetSource() != "local" {
		return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("user %s signs in through %s; it has no password here",
			cur.GetUser().GetUsername(), cur.GetUser().GetSource()))
	}
	if self {
		ok, err := password.Verify(m.GetCurrentPassword(), cur.GetPasswordHash())
		if err != nil || !ok {
			return nil, connect.NewError(connect.CodePermissionDenied, errors.New("current_password: does not match"))
		}
	}
	if err := passwordPolicy("new_password", m.GetNewPassword()); err != nil {
		return nil, err
	}
	hash, err := password.Hash(m.GetNewPassword())
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	// The user's sessions end with the change, in the same entry; the
	// caller's, if it is one of them, stays.
	if _, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_UpdateUser{UpdateUser: &pb.UpdateUserCommand{
		Tenant: p.Tenant, Id: m.GetId(), PasswordHash: &hash, KeepSession: p.Session}}}); err != nil {
		return nil, applyErr("change password", err)
	}
	return connect.NewResponse(&pb.ChangePasswordResponse{}), nil
}

func (t *tenancyService) CreateServiceAccount(ctx context.Context, req *connect.Request[pb.CreateServiceAccountRequest]) (*connect.Response[pb.CreateServiceAccountResponse], error) {
	p, m := PrincipalFrom(ctx), req.Msg
	if err := validID("id", m.GetId()); err != nil {
		return nil, err
	}
	role := RoleViewer
	if m.GetRole() != "" {
		var err error
		if role, err = parseRoleField("role", m.GetRole()); err != nil {
			return nil, err
		}
	}
	if err := canGrant(p, role); err != nil {
		return nil, err
	}
	a := &pb.ServiceAccount{Id: m.GetId(), Tenant: p.Tenant, Description: clip(m.GetDescription(), 256), Role: role.String(),
		CreatedAt: timestamppb.New(time.Now()), CreatedBy: p.String()}
	if _, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_CreateServiceAccount{CreateServiceAccount: &pb.CreateServiceAccountCommand{
		ServiceAccount: a}}}); err != nil {
		return nil, applyErr("create service account", err)
	}
	return connect.NewResponse(&pb.CreateServiceAccountResponse{ServiceAccount: a}), nil
}

func (t *tenancyService) ListServiceAccounts(ctx context.Context, _ *connect.Request[pb.ListServiceAccountsRequest]) (*connect.Response[pb.ListServiceAccountsResponse], error) {
	resp := &pb.ListServiceAccountsResponse{}
	err := t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		return tt.ForEachServiceAccount(func(a *pb.ServiceAccount) error { resp.ServiceAccounts = append(resp.ServiceAccounts, a); return nil })
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(resp), nil
}

func (t *tenancyService) DeleteServiceAccount(ctx context.Context, req *connect.Request[pb.DeleteServiceAccountRequest]) (*connect.Response[pb.DeleteServiceAccountResponse], error) {
	p, id := PrincipalFrom(ctx), req.Msg.GetId()
	var role Role
	err := t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(p.Tenant)
		if err != nil {
			return err
		}
		a, err := tt.ServiceAccount(id)
		if err != nil {
			return connect.NewError(connect.CodeNotFound, fmt.Errorf("service account %q not found", clip(id, 80)))
		}
		role = ParseRole(a.GetRole())
		return nil
	})
	if err != nil {
		return nil, asConnect(err)
	}
	if err := mayManage(p, "service account "+id, role); err != nil {
		return nil, err
	}
	if _, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_DeleteServiceAccount{DeleteServiceAccount: &pb.DeleteServiceAccountCommand{
		Tenant: p.Tenant, Id: id}}}); err != nil {
		return nil, applyErr("delete service account", err)
	}
	t.s.propagate(ctx, "delete service account "+id)
	return connect.NewResponse(&pb.DeleteServiceAccountResponse{}), nil
}

// ErrBadLogin is VerifyPassword's answer for an unknown user, a wrong
// password and a disabled user alike, so a caller cannot tell them apart.
var ErrBadLogin = errors.New("unknown user or wrong password")

// VerifyPassword checks a local user's password, for the console's login
// (issue 5, login). It spends one argon2id hash whether or not the user
// exists, so timing does not tell which usernames do.
func (s *Server) VerifyPassword(ctx context.Context, tenant, username, pw string) (*pb.User, error) {
	var u *pb.StoredUser
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(tenant)
		if err != nil {
			return err
		}
		u, err = tt.UserByName(strings.ToLower(strings.TrimSpace(username)))
		return err
	})
	hash := dummyHash
	if u != nil && u.GetPasswordHash() != "" {
		hash = u.GetPasswordHash()
	}
	ok, err := password.Verify(pw, hash)
	if err != nil || !ok || u == nil || u.GetPasswordHash() == "" || u.GetUser().GetDisabled() || s.tenantDisabled(tenant) {
		return nil, ErrBadLogin
	}
	return u.GetUser(), nil
}

// dummyHash is verified against when the user does not exist.
var dummyHash = func() string {
	h, err := password.Hash("not a password anyone has: " + newID("x"))
	if err != nil {
		panic(err)
	}
	return h
}()

// FederatedLogin is what an OIDC login established about its user.
type FederatedLogin struct {
	Issuer, Subject, Email, Name string
	// Role is given to a user seen for the first time.
	Role Role
}

// LoginFederated records an OIDC login (issue 5, login): the user with
// the issuer and subject is updated, or created on its first login with
// its email (or subject) as username. A disabled user is refused.
func (s *Server) LoginFederated(ctx context.Context, tenant string, l FederatedLogin) (*pb.User, error) {
	if l.Issuer == "" || l.Subject == "" {
		return nil, errors.New("federated login: issuer and subject are required")
	}
	if l.Role == RoleNone {
		l.Role = RoleViewer
	}
	username := strings.ToLower(l.Email)
	if username == "" || !usernameShape.MatchString(username) {
		username = strings.ToLower(l.Subject)
	}
	if !usernameShape.MatchString(username) {
		username = newID("oidc")
	}
	res, err := s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_UpsertFederatedUser{UpsertFederatedUser: &pb.UpsertFederatedUserCommand{
		Tenant: tenant, Issuer: l.Issuer, Subject: l.Subject, Email: clip(l.Email, 254), DisplayName: clip(l.Name, 256),
		NewUserId: newID("usr"), Username: username, Role: l.Role.String()}}})
	if err != nil {
		return nil, applyErr("federated login", err)
	}
	return res.(*pb.ApplyResult).GetUser(), nil
}
