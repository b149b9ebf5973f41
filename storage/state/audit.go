package state

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var (
	tAudit         = []byte("audit")
	bPlatformAudit = []byte("platform_audit")
)

// AuditLog is one audit chain's entries: a tenant's, or the platform's
// (calls that name no tenant: anonymous, malformed credentials). Entries
// are stored as the canonical JSON their hash covers, keyed by sequence,
// so what is read back is byte for byte what was sealed.
type AuditLog struct{ b *bolt.Bucket }

// Audit is the tenant's audit log.
func (t *TenantTx) Audit() AuditLog { return AuditLog{t.bucket(tAudit)} }

// PlatformAudit is the platform's audit log; in a read-only transaction
// before its first entry it reads as empty.
func (t *Tx) PlatformAudit() (AuditLog, error) {
	b := t.tx.Bucket(bPlatformAudit)
	if b == nil && t.tx.Writable() {
		var err error
		if b, err = t.tx.CreateBucket(bPlatformAudit); err != nil {
			return AuditLog{}, fmt.Errorf("platform audit: %w", err)
		}
	}
	return AuditLog{b}, nil
}

// Last returns the newest entry and its sequence (0 and nil when empty).
func (l AuditLog) Last() (uint64, []byte) {
	if l.b == nil {
		return 0, nil
	}
	k, v := l.b.Cursor().Last()
	if len(k) != 8 {
		return 0, nil
	}
	return binary.BigEndian.Uint64(k), v
}

// Append stores the entry with sequence seq, which must follow the last.
func (l AuditLog) Append(seq uint64, entry []byte) error {
	if l.b == nil {
		return errWrite
	}
	if last, _ := l.Last(); seq != last+1 {
		return fmt.Errorf("audit entry %d does not follow %d", seq, last)
	}
	return l.b.Put(u64(seq), entry)
}

// ForEach visits entries after seq in order until fn returns false.
func (l AuditLog) ForEach(after uint64, fn func(seq uint64, entry []byte) (bool, error)) error {
	if l.b == nil {
		return nil
	}
	c := l.b.Cursor()
	for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
		more, err := fn(binary.BigEndian.Uint64(k), v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// ForEachReverse visits entries before seq (0: from the newest), newest
// first, until fn returns false.
func (l AuditLog) ForEachReverse(before uint64, fn func(seq uint64, entry []byte) (bool, error)) error {
	if l.b == nil {
		return nil
	}
	c := l.b.Cursor()
	var k, v []byte
	if before == 0 {
		k, v = c.Last()
	} else {
		k, v = c.Seek(u64(before))
		if k == nil {
			k, v = c.Last()
		}
		for k != nil && binary.BigEndian.Uint64(k) >= before {
			k, v = c.Prev()
		}
	}
	for ; k != nil; k, v = c.Prev() {
		more, err := fn(binary.BigEndian.Uint64(k), v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}
