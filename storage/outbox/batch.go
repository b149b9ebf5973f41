package outbox

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// Bounds shared by Append and DecodeBatch. The decoder enforces them so that a hostile upload
// cannot make the controller allocate more than a small multiple of the bytes it sent.
const (
	// MaxRecordSize is the largest single record. It is also the largest batch target, so a
	// record of this size always travels alone.
	MaxRecordSize = 512 << 10
	// MaxRecords bounds the records in one batch; Append starts a new batch when it is reached.
	MaxRecords = 100000
	// MaxEncodedSize is the largest encoded batch: MaxRecordSize plus room for the header
	// (version, epoch, seq, created, sha256: at most 63 bytes) and the count and length varints.
	MaxEncodedSize = MaxRecordSize + 128
)

// formatVersion is the first byte of every encoded batch, so that the format can change
// without an old controller misreading a new agent's batches.
const formatVersion byte = 1

// Batch is one unit of upload: the controller applies or refuses it as a whole.
type Batch struct {
	// Epoch is the outbox's boot epoch; together with Seq and the agent id it is the
	// controller's dedupe key.
	Epoch uint64
	// Seq is gapless within Epoch and starts at 1.
	Seq uint64
	// SHA256 covers the encoded records section (count and length-prefixed records), so the
	// receiver can verify the payload independently of the envelope.
	SHA256 [32]byte
	// Records are opaque to the outbox. After DecodeBatch they alias the decoded bytes.
	Records [][]byte
	// Created is when Append wrote the batch; Prune ages batches by it.
	Created time.Time
	// Size is the encoded size in bytes: what the batch costs on disk and on the wire, and what
	// MaxBytes counts.
	Size int
}

// EncodeBatch returns the on-disk and on-wire form of b:
//
//	byte      format version (1)
//	uvarint   epoch
//	uvarint   seq
//	varint    created, unix nanoseconds (0 for the zero time)
//	[32]byte  sha256 of the records section
//	records section: uvarint count, then count times (uvarint length, bytes)
//
// The hash is computed here from b.Records; b.SHA256 and b.Size are ignored, so an encoded
// batch can never carry a hash that does not match its records.
func EncodeBatch(b Batch) []byte {
	data, _ := encodeBatch(b)
	return data
}

// encodeBatch encodes b and also returns the hash, which Append stores in the Batch it reports.
func encodeBatch(b Batch) ([]byte, [32]byte) {
	size := headerSize(b) + recordsSectionSize(b.Records)
	data := make([]byte, 0, size)
	data = append(data, formatVersion)
	data = binary.AppendUvarint(data, b.Epoch)
	data = binary.AppendUvarint(data, b.Seq)
	data = binary.AppendVarint(data, unixNanos(b.Created))
	hashAt := len(data)
	data = append(data, make([]byte, sha256.Size)...)
	data = binary.AppendUvarint(data, uint64(len(b.Records)))
	for _, r := range b.Records {
		data = binary.AppendUvarint(data, uint64(len(r)))
		data = append(data, r...)
	}
	sum := sha256.Sum256(data[hashAt+sha256.Size:])
	copy(data[hashAt:], sum[:])
	return data, sum
}

// DecodeBatch parses and verifies an encoded batch. It checks the size bound before anything
// else, then the hash, then every length against the bytes that remain, so hostile input costs
// at most one pass over MaxEncodedSize bytes and never panics. Errors wrap ErrCorrupt and say
// what was wrong and where. The returned Records alias data.
func DecodeBatch(data []byte) (Batch, error) {
	var b Batch
	if len(data) > MaxEncodedSize {
		return b, fmt.Errorf("%w: %d bytes exceeds the %d-byte limit", ErrCorrupt, len(data), MaxEncodedSize)
	}
	h, err := decodeHeader(data)
	if err != nil {
		return b, err
	}
	b.Epoch, b.Seq, b.Created, b.SHA256, b.Size = h.epoch, h.seq, h.created, h.sum, len(data)
	section := data[h.len:]
	if sha256.Sum256(section) != h.sum {
		return b, fmt.Errorf("%w: batch seq %d: sha256 mismatch", ErrCorrupt, b.Seq)
	}
	count, n := binary.Uvarint(section)
	if n <= 0 {
		return b, fmt.Errorf("%w: batch seq %d: truncated record count", ErrCorrupt, b.Seq)
	}
	rest := section[n:]
	if count > MaxRecords {
		return b, fmt.Errorf("%w: batch seq %d: record count %d exceeds the limit of %d", ErrCorrupt, b.Seq, count, MaxRecords)
	}
	// Every record takes at least its one-byte length, so a count above the remaining bytes is
	// a lie; checking it here keeps the allocation below proportional to the input.
	if count > uint64(len(rest)) {
		return b, fmt.Errorf("%w: batch seq %d: record count %d exceeds remaining %d bytes", ErrCorrupt, b.Seq, count, len(rest))
	}
	b.Records = make([][]byte, count)
	for i := range b.Records {
		l, n := binary.Uvarint(rest)
		if n <= 0 {
			return b, fmt.Errorf("%w: batch seq %d: record %d: truncated length", ErrCorrupt, b.Seq, i)
		}
		rest = rest[n:]
		if l > uint64(len(rest)) {
			return b, fmt.Errorf("%w: batch seq %d: record %d length %d exceeds remaining %d bytes", ErrCorrupt, b.Seq, i, l, len(rest))
		}
		b.Records[i] = rest[:l:l]
		rest = rest[l:]
	}
	if len(rest) != 0 {
		return b, fmt.Errorf("%w: batch seq %d: %d trailing bytes after %d records", ErrCorrupt, b.Seq, len(rest), count)
	}
	return b, nil
}

// header is the part of an encoded batch before the records section. Prune and Open read only
// this, so they do not hash or copy records.
type header struct {
	epoch, seq uint64
	created    time.Time
	sum        [32]byte
	len        int
}

func decodeHeader(data []byte) (header, error) {
	var h header
	if len(data) == 0 {
		return h, fmt.Errorf("%w: empty input", ErrCorrupt)
	}
	if data[0] != formatVersion {
		return h, fmt.Errorf("%w: unknown format version %d", ErrCorrupt, data[0])
	}
	off := 1
	var n int
	if h.epoch, n = binary.Uvarint(data[off:]); n <= 0 {
		return h, fmt.Errorf("%w: truncated header reading epoch", ErrCorrupt)
	}
	off += n
	if h.seq, n = binary.Uvarint(data[off:]); n <= 0 {
		return h, fmt.Errorf("%w: truncated header reading seq", ErrCorrupt)
	}
	off += n
	created, n := binary.Varint(data[off:])
	if n <= 0 {
		return h, fmt.Errorf("%w: batch seq %d: truncated header reading created time", ErrCorrupt, h.seq)
	}
	off += n
	if created != 0 {
		h.created = time.Unix(0, created)
	}
	if len(data)-off < sha256.Size {
		return h, fmt.Errorf("%w: batch seq %d: truncated header reading sha256", ErrCorrupt, h.seq)
	}
	copy(h.sum[:], data[off:])
	h.len = off + sha256.Size
	return h, nil
}

func unixNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func varintLen(v int64) int {
	u := uint64(v) << 1
	if v < 0 {
		u = ^u
	}
	return uvarintLen(u)
}

func headerSize(b Batch) int {
	return 1 + uvarintLen(b.Epoch) + uvarintLen(b.Seq) + varintLen(unixNanos(b.Created)) + sha256.Size
}

func recordsSectionSize(records [][]byte) int {
	n := uvarintLen(uint64(len(records)))
	for _, r := range records {
		n += uvarintLen(uint64(len(r))) + len(r)
	}
	return n
}
