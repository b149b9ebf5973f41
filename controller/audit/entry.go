package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
)

// ActorKind is what sort of caller acted.
type ActorKind string

// The actors.
const (
	ActorUser       ActorKind = "user"       // a person signed in to the console
	ActorKey        ActorKind = "key"        // an API key (service account)
	ActorAgent      ActorKind = "agent"      // an enrolled agent
	ActorController ActorKind = "controller" // a controller node, on the cluster's behalf
	ActorAnonymous  ActorKind = "anonymous"  // no credentials (enrollment, bootstrap)
)

// Valid reports whether k is one of the known kinds.
func (k ActorKind) Valid() bool {
	switch k {
	case ActorUser, ActorKey, ActorAgent, ActorController, ActorAnonymous:
		return true
	}
	return false
}

// Actor is who acted.
type Actor struct {
	Kind ActorKind `json:"kind"`
	// ID is the user id, API key id, agent id or controller name.
	ID string `json:"id"`
	// Name is a human label (user's email, key or agent name), if known.
	Name string `json:"name"`
}

func (a Actor) String() string {
	if a.ID == "" {
		return string(a.Kind)
	}
	return string(a.Kind) + ":" + a.ID
}

// OutcomeOK is the Outcome of a call that succeeded; a failed call's
// Outcome is its Connect code ("permission_denied", "resource_exhausted").
const OutcomeOK = "ok"

// MaxErrorLen is the most bytes of an error message an entry keeps.
const MaxErrorLen = 512

// Entry is one audited action. Its JSON form is a stable, fixed-order
// object with every field present (see MarshalJSON): the canonical
// encoding its Hash is computed over.
type Entry struct {
	Tenant string `json:"tenant"`
	// Seq numbers the tenant's entries from 1, without gaps.
	Seq uint64 `json:"seq"`
	// Time is when the action happened, in UTC.
	Time  time.Time `json:"time"`
	Actor Actor     `json:"actor"`
	// Action is the RPC procedure ("/driftmgr.v1.AgentsService/RevokeAgent")
	// or REST route ("POST /api/v1/login").
	Action string `json:"action"`
	// Args is the request as a JSON object, secrets redacted
	// (RedactMessage, RedactJSON).
	Args json.RawMessage `json:"args"`
	// Remote is the client's IP address.
	Remote    string `json:"remote"`
	RequestID string `json:"request_id"`
	// Outcome is OutcomeOK or the Connect code of the failure.
	Outcome string `json:"outcome"`
	// Error is the failure's message, redacted and clipped to MaxErrorLen.
	Error string `json:"error"`
	// PrevHash is the Hash of the entry before; empty for Seq 1.
	PrevHash string `json:"prev_hash"`
	// Hash is ComputeHash of the entry: hex SHA-256.
	Hash string `json:"hash"`
}

// OutcomeOf returns the Outcome and Error of a call that returned err:
// OutcomeOK and "" for nil, else the Connect code (CodeUnknown for
// non-Connect errors) and the message, secrets redacted and clipped.
func OutcomeOf(err error) (outcome, message string) {
	if err == nil {
		return OutcomeOK, ""
	}
	var msg string
	if ce := (*connect.Error)(nil); errors.As(err, &ce) {
		msg = ce.Message()
	} else {
		msg = err.Error()
	}
	return connect.CodeOf(err).String(), clip(RedactString(msg), MaxErrorLen)
}

// RemoteIP is the address part of a host:port (http.Request.RemoteAddr),
// or addr itself when it has no port.
func RemoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// clip cuts s to at most max bytes on a rune boundary, saying how much
// was cut.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(+%d bytes)", len(s)-cut)
}
