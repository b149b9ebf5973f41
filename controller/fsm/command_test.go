package fsm

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

func TestEncodeDecodeEveryCommand(t *testing.T) {
	cmds := map[CmdType]*pb.RaftCommand{
		CmdIngest:          ingestCmd(&pb.IngestBatch{Tenant: "a", AgentId: "x", Seq: 1, Payload: []byte{1}}),
		CmdEnroll:          enrollCmd("a", "t", "x", 0),
		CmdCreateJoinToken: createToken("a", "t", 0, 1),
		CmdDeleteJoinToken: deleteTokenCmd("a", "t"),
		CmdAckFinding:      ackCmd("a", "f", "me", ""),
		CmdAgentStatus:     statusCmd("a", "x", true, "", 0, 0),
		CmdRevokeAgent:     revokeCmd("a", "x"),
		CmdCreateAPIKey:    apiKeyCmd("a", "k"),
		CmdRenewAgent:      renewCmd("a", "x", "s", 0),
	}
	names := map[string]bool{}
	for want, c := range cmds {
		c.RequestId = "req-" + want.String()
		data, err := Encode(c)
		require.NoError(t, err, want.String())
		assert.Equal(t, byte(want), data[0], "%s: the first byte is the type", want)
		got, dec, err := Decode(data)
		require.NoError(t, err, want.String())
		assert.Equal(t, want, got)
		assert.True(t, proto.Equal(c, dec), want.String())
		assert.NotContains(t, want.String(), "unknown")
		names[want.String()] = true
	}
	assert.Len(t, names, len(cmds), "every type has its own name")
	assert.Equal(t, "unknown(200)", CmdType(200).String())
	assert.Equal(t, "unknown(0)", CmdType(0).String())
}

func TestEncodeWithoutPayload(t *testing.T) {
	_, err := Encode(&pb.RaftCommand{RequestId: "r"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no payload")
}

func TestDecodeRefuses(t *testing.T) {
	ack, err := Encode(ackCmd("a", "f", "me", ""))
	require.NoError(t, err)
	retyped := func(b byte) []byte { d := append([]byte(nil), ack...); d[0] = b; return d }
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"nil entry", nil, []string{"empty log entry"}},
		{"empty entry", []byte{}, []string{"empty log entry"}},
		{"type byte only", []byte{byte(CmdEnroll)}, []string{"decode enroll command", "no payload"}},
		{"type byte mismatching payload", retyped(byte(CmdIngest)),
			[]string{"type byte ingest does not match its ack_finding payload"}},
		{"unknown type byte", retyped(99), []string{"type byte unknown(99) does not match its ack_finding payload"}},
		{"garbage", []byte{byte(CmdAckFinding), 0xff, 0xff, 0xff}, []string{"decode ack_finding command"}},
		{"truncated", ack[:len(ack)-3], []string{"decode ack_finding command"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, c, err := Decode(tc.data)
			require.Error(t, err)
			assert.Zero(t, typ)
			assert.Nil(t, c)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestDecodeUpload(t *testing.T) {
	good := findingRec("f1").GetFinding()
	rec := func(mut func(*pb.Finding)) *pb.Record {
		f := proto.Clone(good).(*pb.Finding)
		mut(f)
		return &pb.Record{Kind: &pb.Record_Finding{Finding: f}}
	}
	manyChanges := rec(func(f *pb.Finding) {
		for range maxChanges + 1 {
			f.Changes = append(f.Changes, &pb.AttributeChange{Path: "p"})
		}
	})
	tests := []struct {
		name    string
		seq     uint64
		sum     func(p []byte) []byte
		payload []byte
		want    string // empty: valid
	}{
		{name: "every record kind", seq: 1, payload: payload(t, 1, 1,
			scanStartedRec("s1"), findingRec("f1"), resolvedRec("f0", 0), scanDoneRec("s1", true, 0))},
		{name: "no records", seq: 1, payload: payload(t, 1, 1)},
		{name: "matching sha256", seq: 1, payload: payload(t, 1, 1, findingRec("f1")),
			sum: func(p []byte) []byte { b, _ := outbox.DecodeBatch(p); return b.SHA256[:] }},
		{name: "other sha256", seq: 1, payload: payload(t, 1, 1, findingRec("f1")),
			sum: func([]byte) []byte { return make([]byte, 32) }, want: "sha256 in the request does not match"},
		{name: "seq 0", seq: 0, payload: payload(t, 1, 0), want: "batch seq 0: sequences start at 1"},
		{name: "envelope mismatch", seq: 2, payload: payload(t, 1, 1), want: "payload is epoch 1 seq 1, envelope says epoch 1 seq 2"},
		{name: "not a batch", seq: 1, payload: []byte("hello"), want: "batch seq 1"},
		{name: "not a record", seq: 1, payload: outboxPayload(1, 1, []byte{0x0a, 0xff}), want: "record 0: not a driftmgr.v1.Record"},
		{name: "empty record", seq: 1, payload: outboxPayload(1, 1, nil), want: "record 0: record has no content"},
		{name: "scan started without id", seq: 1, payload: payload(t, 1, 1, scanStartedRec("")), want: "scan_started.scan_id is empty"},
		{name: "finding without id", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) { f.Id = "" })), want: "finding.id is empty"},
		{name: "finding id too long", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) { f.Id = strings.Repeat("x", maxIDLen+1) })),
			want: "finding.id is 257 bytes, more than 256"},
		{name: "finding id at the limit", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) { f.Id = strings.Repeat("x", maxIDLen) }))},
		{name: "unspecified kind", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) { f.Kind = 0 })), want: "kind is unspecified"},
		{name: "unknown kind", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) { f.Kind = 42 })), want: "unknown kind 42"},
		{name: "unknown severity", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) { f.Severity = 17 })), want: "unknown severity 17"},
		{name: "no resource", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) { f.Resource = nil })), want: "resource needs provider, type and id"},
		{name: "resource without type", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) { f.Resource.Type = "" })), want: "resource needs"},
		{name: "too many changes", seq: 1, payload: outboxPayload(1, 1, mustMarshal(t, manyChanges)), want: "10001 attribute changes exceed the limit of 10000"},
		{name: "change too large", seq: 1, payload: payload(t, 1, 1, rec(func(f *pb.Finding) {
			f.Changes = []*pb.AttributeChange{{Path: "user_data", LiveJson: strings.Repeat("x", maxFieldBytes+1)}}
		})), want: "change user_data exceeds 65536 bytes"},
		{name: "resolved without id", seq: 1, payload: payload(t, 1, 1, resolvedRec("", 0)), want: "resolved.finding_id is empty"},
		{name: "scan completed without id", seq: 1, payload: payload(t, 1, 1, scanDoneRec("", false, 0)), want: "scan_completed.id is empty"},
		{name: "second record bad", seq: 1, payload: payload(t, 1, 1, findingRec("f1"), resolvedRec("", 0)), want: "batch seq 1 record 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sum []byte
			if tc.sum != nil {
				sum = tc.sum(tc.payload)
			}
			recs, err := DecodeUpload(1, tc.seq, sum, tc.payload)
			if tc.want == "" {
				require.NoError(t, err)
				for _, r := range recs {
					assert.NoError(t, validRecord(r))
				}
				return
			}
			require.Error(t, err)
			assert.Nil(t, recs)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func mustMarshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

func FuzzDecodeUpload(f *testing.F) {
	f.Add(uint64(1), uint64(1), []byte(nil), payload(f, 1, 1, scanStartedRec("s1"), findingRec("f1", withChange("a", "1", "2")),
		resolvedRec("f0", 0), scanDoneRec("s1", true, 0)))
	f.Add(uint64(1), uint64(2), []byte(nil), payload(f, 1, 2))
	f.Add(uint64(0), uint64(0), []byte{1, 2}, []byte{})
	f.Add(uint64(1), uint64(1), []byte(nil), outboxPayload(1, 1, []byte{0x12, 0x03, 0x0a, 0x01, 0x78}))
	f.Add(uint64(7), uint64(9), make([]byte, 32), []byte("\x01\x07\x09\x00garbage"))
	f.Fuzz(func(t *testing.T, epoch, seq uint64, sum, data []byte) {
		recs, err := DecodeUpload(epoch, seq, sum, data)
		if err != nil {
			require.Nil(t, recs)
			return
		}
		require.NotZero(t, seq)
		for _, r := range recs {
			require.NoError(t, validRecord(r), "DecodeUpload returned a record it should have refused")
		}
	})
}
