package fsm

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// Bounds on uploaded records, checked before a batch reaches raft so a bad
// upload is refused with a clear error and never enters the log.
const (
	maxIDLen      = 256
	maxChanges    = 10000
	maxFieldBytes = 64 << 10
)

// DecodeUpload verifies an uploaded batch against the envelope the agent
// sent with it and decodes its records. Errors name the batch and what
// was wrong.
func DecodeUpload(epoch, seq uint64, sum, payload []byte) ([]*pb.Record, error) {
	b, err := outbox.DecodeBatch(payload)
	if err != nil {
		return nil, fmt.Errorf("batch seq %d: %w", seq, err)
	}
	if b.Epoch != epoch || b.Seq != seq {
		return nil, fmt.Errorf("batch seq %d: payload is epoch %d seq %d, envelope says epoch %d seq %d",
			seq, b.Epoch, b.Seq, epoch, seq)
	}
	if len(sum) != 0 && !bytes.Equal(sum, b.SHA256[:]) {
		return nil, fmt.Errorf("batch seq %d: sha256 in the request does not match the payload", seq)
	}
	if seq == 0 {
		return nil, fmt.Errorf("batch seq 0: sequences start at 1")
	}
	recs := make([]*pb.Record, 0, len(b.Records))
	for i, raw := range b.Records {
		r := &pb.Record{}
		if err := proto.Unmarshal(raw, r); err != nil {
			return nil, fmt.Errorf("batch seq %d record %d: not a driftmgr.v1.Record: %w", seq, i, err)
		}
		if err := validRecord(r); err != nil {
			return nil, fmt.Errorf("batch seq %d record %d: %w", seq, i, err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func validRecord(r *pb.Record) error {
	if handled, err := validSecurity(r); handled || err != nil {
		return err
	}
	switch k := r.GetKind().(type) {
	case *pb.Record_ScanStarted:
		return validID("scan_started.scan_id", k.ScanStarted.GetScanId())
	case *pb.Record_Finding:
		f := k.Finding
		if err := validID("finding.id", f.GetId()); err != nil {
			return err
		}
		if f.GetKind() == pb.DriftKind_DRIFT_KIND_UNSPECIFIED {
			return fmt.Errorf("finding %s: kind is unspecified; want MISSING, UNMANAGED or MODIFIED", f.GetId())
		}
		if _, ok := pb.DriftKind_name[int32(f.GetKind())]; !ok {
			return fmt.Errorf("finding %s: unknown kind %d", f.GetId(), f.GetKind())
		}
		if _, ok := pb.Severity_name[int32(f.GetSeverity())]; !ok {
			return fmt.Errorf("finding %s: unknown severity %d", f.GetId(), f.GetSeverity())
		}
		res := f.GetResource()
		if res.GetProvider() == "" || res.GetType() == "" || res.GetId() == "" {
			return fmt.Errorf("finding %s: resource needs provider, type and id", f.GetId())
		}
		if len(f.GetChanges()) > maxChanges {
			return fmt.Errorf("finding %s: %d attribute changes exceed the limit of %d", f.GetId(), len(f.GetChanges()), maxChanges)
		}
		for _, c := range f.GetChanges() {
			if len(c.GetStateJson()) > maxFieldBytes || len(c.GetLiveJson()) > maxFieldBytes {
				return fmt.Errorf("finding %s: change %s exceeds %d bytes", f.GetId(), c.GetPath(), maxFieldBytes)
			}
		}
		return nil
	case *pb.Record_Resolved:
		return validID("resolved.finding_id", k.Resolved.GetFindingId())
	case *pb.Record_ScanCompleted:
		return validID("scan_completed.id", k.ScanCompleted.GetId())
	}
	return fmt.Errorf("record has no content")
}

func validID(field, v string) error {
	if v == "" {
		return fmt.Errorf("%s is empty", field)
	}
	if len(v) > maxIDLen {
		return fmt.Errorf("%s is %d bytes, more than %d", field, len(v), maxIDLen)
	}
	return nil
}
