package controller

import (
	"fmt"
	"time"

	"connectrpc.com/connect"

	"github.com/driftmgr/driftmgr/storage/state"
)

// stillAllowed checks that a caller authenticated when its stream opened
// may still act: its key not revoked or expired, its user or service
// account not disabled or deleted, its tenant not disabled, its agent not
// revoked. Long-lived streams call it as they go, so a revocation ends
// them instead of leaving them delivering a tenant's events.
func (s *Server) stillAllowed(p Principal, now time.Time) error {
	refused := func(format string, args ...any) error {
		return connect.NewError(connect.CodeUnauthenticated, fmt.Errorf(format, args...))
	}
	var err error
	_ = s.node.FSM().Store().View(func(tx *state.Tx) error {
		switch p.Kind {
		case "key":
			k, e := tx.APIKey(p.ID)
			switch {
			case e != nil:
				err = refused("api key %s no longer exists", p.ID)
			case k.GetRevoked():
				err = refused("api key %s was revoked", p.ID)
			case k.GetExpiresAt() != nil && !now.Before(k.GetExpiresAt().AsTime()):
				err = refused("api key %s expired", p.ID)
			}
		case "user":
			if _, e := tx.Session(p.Session); e != nil {
				err = refused("console session ended (signed out or expired)")
			}
		case "agent":
			tt, e := tx.Tenant(p.Home)
			if e == nil {
				if a, e := tt.Agent(p.ID); e != nil || a.GetRevoked() {
					err = refused("agent %s was revoked", p.ID)
				}
			}
		}
		if err != nil || p.Home == "" {
			return nil
		}
		tt, e := tx.Tenant(p.Home)
		if e != nil {
			return nil
		}
		if p.User != "" {
			if u, e := tt.User(p.User); e != nil || u.GetUser().GetDisabled() {
				err = refused("user %s was disabled or deleted", p.User)
				return nil
			}
		}
		if p.ServiceAccount != "" {
			if _, e := tt.ServiceAccount(p.ServiceAccount); e != nil {
				err = refused("service account %s was deleted", p.ServiceAccount)
				return nil
			}
		}
		if p.Role != RoleOwner && tx.TenantDisabled(p.Home) {
			err = refused("tenant %s was disabled", p.Home)
		}
		return nil
	})
	return err
}

// recheck rate-limits stillAllowed for a stream: at most once per
// interval, so a busy stream does not read the store per message.
type recheck struct {
	s        *Server
	p        Principal
	every    time.Duration
	last     time.Time
	lastErr  error
	checkNow func() time.Time
}

func (s *Server) newRecheck(p Principal) *recheck {
	return &recheck{s: s, p: p, every: time.Second, checkNow: time.Now}
}

func (r *recheck) ok() error {
	now := r.checkNow()
	if r.lastErr != nil || now.Sub(r.last) < r.every {
		return r.lastErr
	}
	r.last = now
	r.lastErr = r.s.stillAllowed(r.p, now)
	return r.lastErr
}
