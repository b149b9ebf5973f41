package state

import (
	"fmt"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

var (
	kMutelist  = []byte("mutelist")
	kPolicyRev = []byte("policy_revision")
)

// SecurityFinding reads one failing check.
func (t *TenantTx) SecurityFinding(id string) (*pb.SecurityFinding, error) {
	f := &pb.SecurityFinding{}
	return f, getProto(t.bucket(tSecFindings), id, f)
}

// PutSecurityFinding writes a failing check; it must carry this tenant.
func (t *TenantTx) PutSecurityFinding(f *pb.SecurityFinding) error {
	if f.GetTenant() != t.name {
		return fmt.Errorf("security finding %s carries tenant %q, not %q", f.GetId(), f.GetTenant(), t.name)
	}
	return putProto(t.bucket(tSecFindings), f.GetId(), f)
}

// DeleteSecurityFinding removes a check that passes now; a missing one is
// not an error (a resend of the same resolution).
func (t *TenantTx) DeleteSecurityFinding(id string) error {
	b := t.bucket(tSecFindings)
	if b == nil {
		return errWrite
	}
	return b.Delete([]byte(id))
}

// ForEachSecurityFinding visits every failing check of the tenant.
func (t *TenantTx) ForEachSecurityFinding(fn func(*pb.SecurityFinding) error) error {
	return forEach(t.bucket(tSecFindings), func() *pb.SecurityFinding { return &pb.SecurityFinding{} }, fn)
}

// PutPosture keeps an agent's latest scan that carried a security tally;
// the compliance posture adds these up over the tenant's agents.
func (t *TenantTx) PutPosture(s *pb.Scan) error {
	if s.GetTenant() != t.name {
		return fmt.Errorf("scan %s carries tenant %q, not %q", s.GetId(), s.GetTenant(), t.name)
	}
	return putProto(t.bucket(tPosture), s.GetAgentId(), s)
}

// DeletePosture drops an agent's posture (the agent was revoked).
func (t *TenantTx) DeletePosture(agent string) error {
	b := t.bucket(tPosture)
	if b == nil {
		return errWrite
	}
	return b.Delete([]byte(agent))
}

// ForEachPosture visits each agent's latest security scan.
func (t *TenantTx) ForEachPosture(fn func(*pb.Scan) error) error {
	return forEach(t.bucket(tPosture), func() *pb.Scan { return &pb.Scan{} }, fn)
}

// Mutelist reads the tenant's mutelist; none reads as empty.
func (t *TenantTx) Mutelist() (*pb.StoredMutelist, error) {
	m := &pb.StoredMutelist{}
	b := t.bucket(tSecConfig)
	if b == nil || b.Get(kMutelist) == nil {
		return m, nil
	}
	return m, getProto(b, string(kMutelist), m)
}

// PutMutelist replaces the tenant's mutelist.
func (t *TenantTx) PutMutelist(m *pb.StoredMutelist) error {
	return putProto(t.bucket(tSecConfig), string(kMutelist), m)
}

// Policy reads one Rego policy by file name.
func (t *TenantTx) Policy(name string) (*pb.Policy, error) {
	p := &pb.Policy{}
	return p, getProto(t.bucket(tPolicies), name, p)
}

// PutPolicy writes a policy and moves the policy revision to index.
func (t *TenantTx) PutPolicy(p *pb.Policy, index uint64) error {
	if err := putProto(t.bucket(tPolicies), p.GetName(), p); err != nil {
		return err
	}
	return t.bucket(tSecConfig).Put(kPolicyRev, u64(index))
}

// DeletePolicy removes a policy and moves the policy revision to index.
func (t *TenantTx) DeletePolicy(name string, index uint64) error {
	b := t.bucket(tPolicies)
	if b == nil {
		return errWrite
	}
	if b.Get([]byte(name)) == nil {
		return fmt.Errorf("policy %s: %w", name, ErrNotFound)
	}
	if err := b.Delete([]byte(name)); err != nil {
		return err
	}
	return t.bucket(tSecConfig).Put(kPolicyRev, u64(index))
}

// ForEachPolicy visits the tenant's policies in name order.
func (t *TenantTx) ForEachPolicy(fn func(*pb.Policy) error) error {
	return forEach(t.bucket(tPolicies), func() *pb.Policy { return &pb.Policy{} }, fn)
}

// PolicyRevision is the raft index of the last policy change (0: none).
func (t *TenantTx) PolicyRevision() uint64 {
	b := t.bucket(tSecConfig)
	if b == nil {
		return 0
	}
	v := b.Get(kPolicyRev)
	if len(v) != 8 {
		return 0
	}
	return beUint64(v)
}
