package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/controller/fsm"
	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/state"
)

// keyPrincipal authenticates an API key id and secret. The key acts as
// its owner (a user or service account of its tenant) with the lower of
// its own role and the owner's current role, so demoting or disabling the
// owner takes effect on its keys at once.
//
// A resolved key is kept in keyCache until the FSM's identity generation
// moves, so a caller sending many requests (a flood over its rate
// included) costs a map lookup and a hash per request, not a read of the
// state. The secret is still checked against the stored hash every time.
func (s *Server) keyPrincipal(ctx context.Context, id, secret string) (Principal, error) {
	now := time.Now()
	gen := s.node.FSM().IdentityGeneration()
	if e, ok := s.keyCache.get(id, gen, now); ok {
		if !pki.CheckSecret(secret, e.hash) {
			return Principal{}, errors.New("api key is not valid")
		}
		if e.err != nil {
			return Principal{}, e.err
		}
		s.keyUse.record(id, now)
		return e.p, nil
	}
	known := func() bool {
		var ok bool
		_ = s.node.FSM().Store().View(func(tx *state.Tx) error { _, err := tx.APIKey(id); ok = err == nil; return nil })
		return ok
	}
	if !s.node.IsLeader() && !known() {
		// A key created a moment ago through another node may not have
		// reached this one yet: catch up with the leader once.
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_ = s.node.ReadBarrier(ctx)
		cancel()
	}
	var (
		p       Principal
		hash    []byte
		expires time.Time
	)
	err := s.node.FSM().Store().View(func(tx *state.Tx) error {
		k, err := tx.APIKey(id)
		if err != nil {
			return errors.New("api key is not valid")
		}
		hash = k.GetSecretHash()
		if k.GetExpiresAt() != nil {
			expires = k.GetExpiresAt().AsTime()
		}
		// Same answer for unknown and wrong secrets, so a caller cannot
		// probe which key ids exist.
		if !pki.CheckSecret(secret, k.GetSecretHash()) {
			return errors.New("api key is not valid")
		}
		p = Principal{Kind: "key", Tenant: k.GetTenant(), Home: k.GetTenant(), ID: k.GetId(), Role: ParseRole(k.GetRole()),
			User: k.GetUserId(), ServiceAccount: k.GetServiceAccountId()}
		if k.GetRevoked() {
			return errors.New("api key is revoked")
		}
		if k.GetExpiresAt() != nil && !now.Before(k.GetExpiresAt().AsTime()) {
			return errors.New("api key expired")
		}
		tt, err := tx.Tenant(k.GetTenant())
		if err != nil {
			return errors.New("api key is not valid")
		}
		switch {
		case p.User != "":
			u, err := tt.User(p.User)
			if err != nil {
				return errors.New("api key's user no longer exists")
			}
			if u.GetUser().GetDisabled() {
				return fmt.Errorf("api key's user %s is disabled", u.GetUser().GetUsername())
			}
			p.Role = min(p.Role, ParseRole(u.GetUser().GetRole()))
			p.Name = u.GetUser().GetUsername()
		case p.ServiceAccount != "":
			p.Name = p.ServiceAccount
			a, err := tt.ServiceAccount(p.ServiceAccount)
			if err != nil {
				return errors.New("api key's service account no longer exists")
			}
			p.Role = min(p.Role, ParseRole(a.GetRole()))
		}
		// A platform owner is above any one tenant: it can re-enable its own.
		if p.Role != RoleOwner && tx.TenantDisabled(k.GetTenant()) {
			return fmt.Errorf("tenant %s is disabled", k.GetTenant())
		}
		return nil
	})
	if err != nil {
		if p.Tenant != "" {
			// The secret was right: the attempt belongs in the key's
			// tenant's audit log, though it authenticates nothing.
			err = &refusedKey{err: err, who: Principal{Kind: "key", Tenant: p.Home, Home: p.Home, ID: p.ID}}
			s.keyCache.put(id, cachedKey{gen: gen, hash: hash, err: err, expires: expires})
		}
		return Principal{}, err
	}
	s.keyCache.put(id, cachedKey{gen: gen, hash: hash, p: p, expires: expires})
	s.keyUse.record(id, now)
	return p, nil
}

// keyCache holds resolved API keys, each with the identity generation it
// was resolved at (read before the state, so an entry made across a change
// is already stale). Only keys whose secret was presented correctly are
// kept; unknown ids are not, so random ids cannot fill it.
type keyCache struct {
	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	gen     uint64
	hash    []byte    // the stored secret hash, checked on every use
	p       Principal // the key's principal, or
	err     error     // why the key may not act (revoked, owner disabled...)
	expires time.Time // zero: never
}

// keyCacheMax bounds the cache; past it, it starts again empty.
const keyCacheMax = 10000

func newKeyCache() *keyCache { return &keyCache{m: map[string]cachedKey{}} }

// get is id's entry if it was resolved at generation gen and the key has
// not expired since.
func (c *keyCache) get(id string, gen uint64, now time.Time) (cachedKey, bool) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if !ok || e.gen != gen || !e.expires.IsZero() && !now.Before(e.expires) {
		return cachedKey{}, false
	}
	return e, true
}

func (c *keyCache) put(id string, e cachedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= keyCacheMax {
		clear(c.m)
	}
	c.m[id] = e
}

// refusedKey is a real key that may not be used (revoked, expired, its
// owner or tenant disabled), with whose it is for the audit log only.
type refusedKey struct {
	err error
	who Principal
}

func (e *refusedKey) Error() string { return e.err.Error() }
func (e *refusedKey) Unwrap() error { return e.err }

func (s *Server) tenantDisabled(tenant string) bool {
	var off bool
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error { off = tx.TenantDisabled(tenant); return nil })
	return off
}

func (s *Server) tenantKnown(tenant string) bool {
	if state.ValidTenant(tenant) != nil {
		return false
	}
	var ok bool
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error { ok = tx.TenantKnown(tenant); return nil })
	return ok
}

// keyUsage is when this node last saw each API key used. Writing raft on
// every request would turn every read into a replicated write, so uses
// are kept in memory and proposed as one TouchAPIKeys command per flush
// interval (a minute by default): a key's last use is written at most
// once per interval per node, and trails the truth by at most that much.
// Uses not yet flushed when a node stops are lost; the next use records
// them again.
type keyUsage struct {
	mu      sync.Mutex
	pending map[string]time.Time
}

func newKeyUsage() *keyUsage { return &keyUsage{pending: map[string]time.Time{}} }

func (u *keyUsage) record(id string, at time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if at.After(u.pending[id]) {
		u.pending[id] = at
	}
}

// take empties the pending uses, in key order.
func (u *keyUsage) take() []*pb.APIKeyUse {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]*pb.APIKeyUse, 0, len(u.pending))
	for id, at := range u.pending {
		out = append(out, &pb.APIKeyUse{KeyId: id, At: timestamppb.New(at)})
	}
	clear(u.pending)
	slices.SortFunc(out, func(a, b *pb.APIKeyUse) int { return strings.Compare(a.GetKeyId(), b.GetKeyId()) })
	return out
}

// restore puts back uses whose flush failed, unless newer ones came.
func (u *keyUsage) restore(uses []*pb.APIKeyUse) {
	for _, use := range uses {
		u.record(use.GetKeyId(), use.GetAt().AsTime())
	}
}

// flushKeyUse proposes the pending key uses, if any.
func (s *Server) flushKeyUse(ctx context.Context) error {
	uses := s.keyUse.take()
	if len(uses) == 0 {
		return nil
	}
	_, err := s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_TouchApiKeys{TouchApiKeys: &pb.TouchAPIKeysCommand{Uses: uses}}})
	if err != nil {
		s.keyUse.restore(uses)
		return fmt.Errorf("record last use of %d api keys: %w", len(uses), err)
	}
	return nil
}

// keyUseLoop flushes key uses every KeyUseFlushInterval until the node stops.
func (s *Server) keyUseLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.KeyUseFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.node.Stopped():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		if err := s.flushKeyUse(ctx); err != nil {
			s.log.Warn("api key last use not recorded; retrying next interval", "err", err)
		}
		cancel()
	}
}

// propagate waits (up to 5 s) until every alive controller applied the
// write just made, so access it took away is refused everywhere once the
// caller hears back. A node that cannot be reached is logged: it cannot
// apply, and it refuses keys it does not know only once it catches up.
func (s *Server) propagate(ctx context.Context, what string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	pending, err := s.node.Propagate(ctx)
	if err != nil || len(pending) > 0 {
		s.log.Warn("write not confirmed applied on every controller", "what", what, "pending", pending, "err", err)
	}
}

// CreateAPIKey issues a key acting as a user or service account.
func (t *tenancyService) CreateAPIKey(ctx context.Context, req *connect.Request[pb.CreateAPIKeyRequest]) (*connect.Response[pb.CreateAPIKeyResponse], error) {
	p, m := PrincipalFrom(ctx), req.Msg
	var owner, ownerName string
	var ownerRole Role
	err := t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(p.Tenant)
		if err != nil {
			return err
		}
		switch {
		case m.GetUserId() != "":
			u, err := tt.User(m.GetUserId())
			if err != nil {
				return connect.NewError(connect.CodeNotFound, fmt.Errorf("user %q not found", clip(m.GetUserId(), 80)))
			}
			owner, ownerName, ownerRole = "user", u.GetUser().GetUsername(), ParseRole(u.GetUser().GetRole())
		case m.GetServiceAccountId() != "":
			a, err := tt.ServiceAccount(m.GetServiceAccountId())
			if err != nil {
				return connect.NewError(connect.CodeNotFound, fmt.Errorf("service account %q not found", clip(m.GetServiceAccountId(), 80)))
			}
			owner, ownerName, ownerRole = "service account", a.GetId(), ParseRole(a.GetRole())
		default:
			return connect.NewError(connect.CodeInvalidArgument, errors.New("owner: set user_id or service_account_id (the key acts as it)"))
		}
		return nil
	})
	if err != nil {
		return nil, asConnect(err)
	}
	role := ownerRole
	if m.GetRole() != "" {
		if role, err = parseRoleField("role", m.GetRole()); err != nil {
			return nil, err
		}
		if role > ownerRole {
			return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("role %s exceeds the %s role of %s %s", role, ownerRole, owner, ownerName))
		}
	}
	if err := canGrant(p, role); err != nil {
		return nil, err
	}
	ttl := time.Duration(m.GetTtlSeconds()) * time.Second
	if ttl < 0 {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("ttl_seconds: must not be negative (0: the key does not expire)"))
	}
	secret, id, hash, err := pki.NewAPIKey()
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	now := time.Now()
	k := &pb.StoredAPIKey{Id: id, Tenant: p.Tenant, UserId: m.GetUserId(), ServiceAccountId: m.GetServiceAccountId(), Role: role.String(),
		SecretHash: hash, Description: clip(m.GetDescription(), 256), CreatedAt: timestamppb.New(now), CreatedBy: p.String()}
	if ttl > 0 {
		k.ExpiresAt = timestamppb.New(now.Add(ttl))
	}
	if _, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_IssueApiKey{IssueApiKey: &pb.IssueAPIKeyCommand{Key: k}}}); err != nil {
		return nil, applyErr("create api key", err)
	}
	return connect.NewResponse(&pb.CreateAPIKeyResponse{Key: fsm.PublicAPIKey(k), Secret: secret}), nil
}

// ListAPIKeys lists the tenant's keys, never their secrets.
func (t *tenancyService) ListAPIKeys(ctx context.Context, _ *connect.Request[pb.ListAPIKeysRequest]) (*connect.Response[pb.ListAPIKeysResponse], error) {
	resp := &pb.ListAPIKeysResponse{}
	err := t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(PrincipalFrom(ctx).Tenant)
		if err != nil {
			return err
		}
		return tt.ForEachAPIKey(func(k *pb.StoredAPIKey) error {
			resp.Keys = append(resp.Keys, fsm.PublicAPIKey(k))
			return nil
		})
	})
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(resp), nil
}

// RevokeAPIKey revokes a key and answers once every reachable controller
// has applied the revocation.
func (t *tenancyService) RevokeAPIKey(ctx context.Context, req *connect.Request[pb.RevokeAPIKeyRequest]) (*connect.Response[pb.RevokeAPIKeyResponse], error) {
	p, id := PrincipalFrom(ctx), req.Msg.GetId()
	var role Role
	err := t.s.node.FSM().Store().View(func(tx *state.Tx) error {
		tt, err := tx.Tenant(p.Tenant)
		if err != nil {
			return err
		}
		k, err := tt.APIKey(id)
		if err != nil {
			return connect.NewError(connect.CodeNotFound, fmt.Errorf("api key %q not found", clip(id, 80)))
		}
		role = ParseRole(k.GetRole())
		return nil
	})
	if err != nil {
		return nil, asConnect(err)
	}
	if role > p.Role {
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("role %s may not revoke a key of role %s", p.Role, role))
	}
	res, err := t.s.node.Apply(ctx, &pb.RaftCommand{Cmd: &pb.RaftCommand_RevokeApiKey{RevokeApiKey: &pb.RevokeAPIKeyCommand{Tenant: p.Tenant, Id: id}}})
	if err != nil {
		return nil, applyErr("revoke api key", err)
	}
	t.s.propagate(ctx, "revoke api key "+id)
	return connect.NewResponse(&pb.RevokeAPIKeyResponse{Key: res.(*pb.ApplyResult).GetApiKey()}), nil
}
