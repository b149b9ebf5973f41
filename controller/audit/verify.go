package audit

import (
	"errors"
	"fmt"
)

// What Verify finds wrong. A *VerifyError wraps one of them.
var (
	// ErrAltered: an entry's contents do not match its hash, or the entry
	// was replaced by one with a consistent hash that the next entry did
	// not chain.
	ErrAltered = errors.New("altered")
	// ErrMissing: sequence numbers skip; entries were deleted.
	ErrMissing = errors.New("missing")
	// ErrReordered: an entry is out of sequence order, or repeated.
	ErrReordered = errors.New("reordered")
	// ErrWrongTenant: an entry of another tenant is in the chain.
	ErrWrongTenant = errors.New("wrong tenant")
)

// VerifyError names the first place a chain is broken.
type VerifyError struct {
	Tenant string
	// Seq is the broken entry's; for ErrMissing, the first missing one.
	Seq uint64
	// Index is the position in the verified slice (for a JSONL export, the
	// line number less one), -1 for a missing entry.
	Index  int
	Err    error // ErrAltered, ErrMissing, ErrReordered or ErrWrongTenant
	Detail string
}

func (e *VerifyError) Error() string {
	where := fmt.Sprintf("entry %d", e.Seq)
	if e.Index >= 0 {
		where += fmt.Sprintf(" (position %d)", e.Index)
	}
	return fmt.Sprintf("audit: tenant %s: %s: %v: %s", e.Tenant, where, e.Err, e.Detail)
}

// Unwrap lets errors.Is(err, ErrAltered) and the like work.
func (e *VerifyError) Unwrap() error { return e.Err }

// Verify checks a tenant's whole chain, entries in the order stored
// (starting at Seq 1), and returns a *VerifyError for the first break or
// nil. The tenant is that of the first entry.
func Verify(entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return verify(entries[0].Tenant, 0, "", entries)
}

// VerifyAfter checks entries that continue the chain after anchor, an
// entry already trusted (from an earlier verification or a published
// head): for verifying one page of an export, or only what is new.
func VerifyAfter(anchor Entry, entries []Entry) error {
	return verify(anchor.Tenant, anchor.Seq, anchor.Hash, entries)
}

func verify(tenant string, prevSeq uint64, prevHash string, entries []Entry) error {
	fail := func(seq uint64, i int, err error, format string, args ...any) error {
		return &VerifyError{Tenant: tenant, Seq: seq, Index: i, Err: err, Detail: fmt.Sprintf(format, args...)}
	}
	for i, e := range entries {
		if e.Tenant != tenant {
			return fail(e.Seq, i, ErrWrongTenant, "it belongs to tenant %q", e.Tenant)
		}
		if e.ComputeHash() != e.Hash {
			return fail(e.Seq, i, ErrAltered, "its contents do not match its hash")
		}
		want := prevSeq + 1
		switch {
		case e.Seq == 0:
			return fail(e.Seq, i, ErrAltered, "it has no seq")
		case e.Seq == prevSeq:
			return fail(e.Seq, i, ErrReordered, "it appears twice")
		case e.Seq < want:
			return fail(e.Seq, i, ErrReordered, "it comes after entry %d", prevSeq)
		case e.Seq > want:
			// An entry that belongs before this one further on means
			// reordering, not loss; name the earliest such.
			earliest := e.Seq
			for _, later := range entries[i+1:] {
				if s := later.Seq; s >= want && s < earliest && later.Tenant == tenant {
					earliest = s
				}
			}
			if earliest < e.Seq {
				return fail(e.Seq, i, ErrReordered, "it comes before entry %d", earliest)
			}
			gap := fmt.Sprintf("the log goes from entry %d to entry %d", prevSeq, e.Seq)
			if prevSeq == 0 {
				gap = fmt.Sprintf("the log starts at entry %d", e.Seq)
			}
			if e.Seq == want+1 {
				return fail(want, -1, ErrMissing, "%s", gap)
			}
			return fail(want, -1, ErrMissing, "entries %d to %d are missing: %s", want, e.Seq-1, gap)
		}
		if e.PrevHash != prevHash {
			if i == 0 {
				if prevSeq == 0 {
					return fail(e.Seq, i, ErrAltered, "the first entry must not chain a previous hash")
				}
				return fail(e.Seq, i, ErrAltered, "it does not chain the hash of entry %d it should follow", prevSeq)
			}
			// Both entries are self-consistent, so the earlier one was
			// replaced wholesale, its hash recomputed.
			return fail(prevSeq, i-1, ErrAltered, "it was replaced: entry %d chained a different hash", e.Seq)
		}
		prevSeq, prevHash = e.Seq, e.Hash
	}
	return nil
}
