package outbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	created := time.Date(2026, 11, 26, 1, 2, 3, 4, time.UTC)
	tests := []struct {
		name  string
		batch Batch
	}{
		{"no records", Batch{Epoch: 1, Seq: 1, Created: created}},
		{"one empty record", Batch{Epoch: 1, Seq: 2, Records: [][]byte{{}}, Created: created}},
		{"several records", Batch{Epoch: 1 << 62, Seq: 1 << 40, Records: [][]byte{[]byte("a"), []byte("bc"), bytes.Repeat([]byte("x"), 300)}, Created: created}},
		{"zero created time", Batch{Epoch: 9, Seq: 3, Records: [][]byte{[]byte("r")}}},
		{"largest record", Batch{Epoch: 9, Seq: 4, Records: [][]byte{bytes.Repeat([]byte{0xff}, MaxRecordSize)}, Created: created}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := EncodeBatch(tt.batch)
			require.LessOrEqual(t, len(data), MaxEncodedSize)
			require.Equal(t, headerSize(tt.batch)+recordsSectionSize(tt.batch.Records), len(data), "size precomputed by Append")
			got, err := DecodeBatch(data)
			require.NoError(t, err)
			assert.Equal(t, tt.batch.Epoch, got.Epoch)
			assert.Equal(t, tt.batch.Seq, got.Seq)
			assert.True(t, tt.batch.Created.Equal(got.Created), "created %v != %v", tt.batch.Created, got.Created)
			assert.Equal(t, tt.batch.Created.IsZero(), got.Created.IsZero())
			assert.Equal(t, len(data), got.Size)
			require.Len(t, got.Records, len(tt.batch.Records))
			for i := range got.Records {
				assert.Equal(t, tt.batch.Records[i], got.Records[i], "record %d", i)
			}
			_, sum := encodeBatch(tt.batch)
			assert.Equal(t, sum, got.SHA256)
			assert.Equal(t, sha256.Sum256(data[len(data)-recordsSectionSize(tt.batch.Records):]), got.SHA256,
				"the hash covers exactly the records section")
		})
	}
}

func TestEncodeBatchIgnoresGivenHash(t *testing.T) {
	b := Batch{Epoch: 1, Seq: 1, Records: [][]byte{[]byte("r")}, SHA256: [32]byte{1, 2, 3}}
	got, err := DecodeBatch(EncodeBatch(b))
	require.NoError(t, err)
	assert.NotEqual(t, b.SHA256, got.SHA256)
}

// rawBatch builds an encoded batch around an arbitrary records section with a valid hash, so
// tests can reach the checks behind the hash check.
func rawBatch(seq uint64, section []byte) []byte {
	data := []byte{formatVersion}
	data = binary.AppendUvarint(data, 1)
	data = binary.AppendUvarint(data, seq)
	data = binary.AppendVarint(data, 0)
	sum := sha256.Sum256(section)
	data = append(data, sum[:]...)
	return append(data, section...)
}

func uvarints(vs ...uint64) []byte {
	var out []byte
	for _, v := range vs {
		out = binary.AppendUvarint(out, v)
	}
	return out
}

func TestDecodeBatchErrors(t *testing.T) {
	vb := Batch{Epoch: 5, Seq: 7, Records: [][]byte{[]byte("hello"), []byte("world")}, Created: time.Unix(100, 0)}
	valid := EncodeBatch(vb)
	flipped := bytes.Clone(valid)
	flipped[len(flipped)-1] ^= 0xff
	hashFlipped := bytes.Clone(valid)
	hashFlipped[len(valid)-recordsSectionSize([][]byte{[]byte("hello"), []byte("world")})-1] ^= 1

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty input"},
		{"too large", make([]byte, MaxEncodedSize+1), "exceeds the 524416-byte limit"},
		{"unknown version", append([]byte{2}, valid[1:]...), "unknown format version 2"},
		{"truncated epoch", []byte{formatVersion, 0x80}, "truncated header reading epoch"},
		{"truncated seq", valid[:2], "truncated header reading seq"},
		{"truncated created", valid[:3], "batch seq 7: truncated header reading created time"},
		{"truncated hash", valid[:10], "batch seq 7: truncated header reading sha256"},
		{"no records section", valid[:headerSize(vb)], "batch seq 7: sha256 mismatch"},
		{"truncated records", valid[:len(valid)-1], "batch seq 7: sha256 mismatch"},
		{"corrupted record", flipped, "batch seq 7: sha256 mismatch"},
		{"corrupted hash", hashFlipped, "batch seq 7: sha256 mismatch"},
		{"empty section", rawBatch(7, nil), "batch seq 7: truncated record count"},
		{"absurd record length", rawBatch(3, append(uvarints(2, 1), append([]byte("a"), uvarints(9999999)...)...)), "batch seq 3: record 1 length 9999999 exceeds remaining 0 bytes"},
		{"record length beyond rest", rawBatch(3, append(uvarints(1, 9999999), make([]byte, 120)...)), "record 0 length 9999999 exceeds remaining 120 bytes"},
		{"truncated record length", rawBatch(3, []byte{2, 0, 0x80}), "record 1: truncated length"},
		{"count over limit", rawBatch(3, uvarints(MaxRecords+1)), "record count 100001 exceeds the limit of 100000"},
		{"count over remaining bytes", rawBatch(3, append(uvarints(50), make([]byte, 10)...)), "record count 50 exceeds remaining 10 bytes"},
		{"trailing bytes", rawBatch(3, []byte{1, 1, 'a', 'b', 'c'}), "batch seq 3: 2 trailing bytes after 1 records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBatch(tt.data)
			require.ErrorIs(t, err, ErrCorrupt)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

// FuzzDecodeBatch: the controller decodes uploads from agents it does not fully trust, so no
// input may panic it, and whatever it accepts must re-encode to an equal batch.
func FuzzDecodeBatch(f *testing.F) {
	seeds := []Batch{
		{Epoch: 1, Seq: 1},
		{Epoch: 1, Seq: 2, Records: [][]byte{{}}},
		{Epoch: 1 << 50, Seq: 300, Records: [][]byte{[]byte("a"), []byte(`{"id":"i-123","type":"aws_instance"}`)}, Created: time.Unix(1700000000, 5)},
		{Epoch: 3, Seq: 4, Records: [][]byte{bytes.Repeat([]byte("z"), 1000), {}, []byte("q")}, Created: time.Unix(-5, 0)},
	}
	for _, b := range seeds {
		data := EncodeBatch(b)
		f.Add(data)
		for _, cut := range []int{1, 2, 5, len(data) / 2, len(data) - 1} {
			if cut < len(data) {
				f.Add(data[:cut])
			}
		}
	}
	f.Add(rawBatch(3, append(uvarints(1, 9999999), make([]byte, 12)...)))
	f.Add(rawBatch(3, uvarints(MaxRecords+1)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBatch(data)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		require.LessOrEqual(t, len(b.Records), MaxRecords)
		again, err := DecodeBatch(EncodeBatch(b))
		require.NoError(t, err)
		require.Equal(t, b.Epoch, again.Epoch)
		require.Equal(t, b.Seq, again.Seq)
		require.Equal(t, b.SHA256, again.SHA256)
		require.True(t, b.Created.Equal(again.Created))
		require.Equal(t, len(b.Records), len(again.Records))
		for i := range b.Records {
			require.Equal(t, b.Records[i], again.Records[i])
		}
	})
}
