package audit

import (
	"errors"
	"fmt"
	"sync"
)

// Chain appends one tenant's entries, giving each its Seq, PrevHash and
// Hash. It is safe for concurrent use, and deterministic: the same entries
// appended to chains at the same head give identical results, as raft
// replicas need.
type Chain struct {
	mu     sync.Mutex
	tenant string
	seq    uint64
	head   string
}

// NewChain starts an empty chain for tenant; its first entry gets Seq 1
// and an empty PrevHash.
func NewChain(tenant string) *Chain {
	return &Chain{tenant: tenant}
}

// ResumeChain continues the chain whose newest entry is last (as stored),
// after checking last's own hash.
func ResumeChain(last Entry) (*Chain, error) {
	if last.Seq == 0 {
		return nil, errors.New("audit: resume chain: entry has no seq")
	}
	if got := last.ComputeHash(); got != last.Hash {
		return nil, &VerifyError{Tenant: last.Tenant, Seq: last.Seq, Err: ErrAltered, Detail: "its contents do not match its hash"}
	}
	return &Chain{tenant: last.Tenant, seq: last.Seq, head: last.Hash}, nil
}

// Tenant is whose chain this is.
func (c *Chain) Tenant() string { return c.tenant }

// Head is the Seq and Hash of the newest entry (0 and "" when empty): what
// to publish so that a rewritten history can be told from the real one.
func (c *Chain) Head() (seq uint64, hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seq, c.head
}

// Append seals e as the chain's next entry and returns it. The caller sets
// Time, Actor, Action, Args, Remote, RequestID, Outcome and Error; Tenant
// may be left empty. Append puts Time in UTC, canonicalizes Args (empty
// becomes {}) and clips Error; it refuses an entry of another tenant, a
// zero Time, an unknown actor kind, an empty Action or Outcome, and Args
// that are not a JSON object.
func (c *Chain) Append(e Entry) (Entry, error) {
	if e.Tenant == "" {
		e.Tenant = c.tenant
	}
	if e.Tenant != c.tenant {
		return Entry{}, fmt.Errorf("audit: append to tenant %s: entry is for tenant %s: %w", c.tenant, e.Tenant, ErrWrongTenant)
	}
	if err := checkEntry(e); err != nil {
		return Entry{}, fmt.Errorf("audit: append to tenant %s: %w", c.tenant, err)
	}
	args, err := canonicalArgs(e.Args)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: append to tenant %s: %w", c.tenant, err)
	}
	e.Args = args
	e.Time = e.Time.UTC()
	e.Error = clip(e.Error, MaxErrorLen)

	c.mu.Lock()
	defer c.mu.Unlock()
	e.Seq = c.seq + 1
	e.PrevHash = c.head
	e.Hash = e.ComputeHash()
	c.seq, c.head = e.Seq, e.Hash
	return e, nil
}

func checkEntry(e Entry) error {
	switch {
	case e.Time.IsZero():
		return errors.New("time is required")
	case !e.Actor.Kind.Valid():
		return fmt.Errorf("actor kind %q is not one of user, key, agent, controller, anonymous", e.Actor.Kind)
	case e.Action == "":
		return errors.New("action is required")
	case e.Outcome == "":
		return errors.New("outcome is required (\"ok\" or a connect code)")
	}
	return nil
}
