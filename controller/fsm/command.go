// Package fsm is the controller's raft state machine: the commands the
// leader proposes, and their deterministic application to the bbolt state
// (DESIGN.md section 5).
package fsm

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// CmdType is a log entry's first byte. The numbering is append-only: a
// number once used keeps its meaning forever, because old log entries and
// snapshots are replayed by newer binaries.
type CmdType byte

// Command types.
const (
	CmdIngest          CmdType = 1
	CmdEnroll          CmdType = 2
	CmdCreateJoinToken CmdType = 3
	CmdDeleteJoinToken CmdType = 4
	CmdAckFinding      CmdType = 5
	CmdAgentStatus     CmdType = 6
	CmdRevokeAgent     CmdType = 7
	CmdCreateAPIKey    CmdType = 8
	CmdRenewAgent      CmdType = 9
	CmdPutMutelist     CmdType = 10
	CmdPutPolicy       CmdType = 11
	CmdDeletePolicy    CmdType = 12
	// 20-49: tenancy and access, listed in tenancy.go.
	CmdAudit CmdType = 50
)

func (t CmdType) String() string {
	switch t {
	case CmdIngest:
		return "ingest"
	case CmdEnroll:
		return "enroll"
	case CmdCreateJoinToken:
		return "create_join_token"
	case CmdDeleteJoinToken:
		return "delete_join_token"
	case CmdAckFinding:
		return "ack_finding"
	case CmdAgentStatus:
		return "agent_status"
	case CmdRevokeAgent:
		return "revoke_agent"
	case CmdCreateAPIKey:
		return "create_api_key"
	case CmdRenewAgent:
		return "renew_agent"
	case CmdPutMutelist:
		return "put_mutelist"
	case CmdPutPolicy:
		return "put_policy"
	case CmdDeletePolicy:
		return "delete_policy"
	case CmdAudit:
		return "audit"
	}
	if n, ok := tenancyNames[t]; ok {
		return n
	}
	if n, ok := sessionNames[t]; ok {
		return n
	}
	return fmt.Sprintf("unknown(%d)", byte(t))
}

// TypeOf is the type of a command, from its payload.
func TypeOf(c *pb.RaftCommand) (CmdType, error) { return typeOf(c) }

// typeOf derives the type byte from the command's payload, so the two can
// never disagree.
func typeOf(c *pb.RaftCommand) (CmdType, error) {
	switch c.GetCmd().(type) {
	case *pb.RaftCommand_Ingest:
		return CmdIngest, nil
	case *pb.RaftCommand_Enroll:
		return CmdEnroll, nil
	case *pb.RaftCommand_CreateJoinToken:
		return CmdCreateJoinToken, nil
	case *pb.RaftCommand_DeleteJoinToken:
		return CmdDeleteJoinToken, nil
	case *pb.RaftCommand_AckFinding:
		return CmdAckFinding, nil
	case *pb.RaftCommand_AgentStatus:
		return CmdAgentStatus, nil
	case *pb.RaftCommand_RevokeAgent:
		return CmdRevokeAgent, nil
	case *pb.RaftCommand_CreateApiKey:
		return CmdCreateAPIKey, nil
	case *pb.RaftCommand_RenewAgent:
		return CmdRenewAgent, nil
	case *pb.RaftCommand_PutMutelist:
		return CmdPutMutelist, nil
	case *pb.RaftCommand_PutPolicy:
		return CmdPutPolicy, nil
	case *pb.RaftCommand_DeletePolicy:
		return CmdDeletePolicy, nil
	case *pb.RaftCommand_Audit:
		return CmdAudit, nil
	}
	if t, ok := tenancyTypeOf(c); ok {
		return t, nil
	}
	if t, ok := sessionTypeOf(c); ok {
		return t, nil
	}
	return 0, errors.New("command has no payload")
}

// Encode turns a command into a log entry: type byte, then the protobuf.
func Encode(c *pb.RaftCommand) ([]byte, error) {
	t, err := typeOf(c)
	if err != nil {
		return nil, err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode %s command: %w", t, err)
	}
	return append([]byte{byte(t)}, b...), nil
}

// Decode parses a log entry.
func Decode(data []byte) (CmdType, *pb.RaftCommand, error) {
	if len(data) == 0 {
		return 0, nil, errors.New("empty log entry")
	}
	c := &pb.RaftCommand{}
	if err := proto.Unmarshal(data[1:], c); err != nil {
		return 0, nil, fmt.Errorf("decode %s command: %w", CmdType(data[0]), err)
	}
	t, err := typeOf(c)
	if err != nil {
		return 0, nil, fmt.Errorf("decode %s command: %w", CmdType(data[0]), err)
	}
	if t != CmdType(data[0]) {
		return 0, nil, fmt.Errorf("log entry type byte %s does not match its %s payload", CmdType(data[0]), t)
	}
	return t, c, nil
}
