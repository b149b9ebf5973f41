package audit

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
)

func TestOutcomeOf(t *testing.T) {
	apiKey, _ := realSecrets(t)
	tests := []struct {
		name         string
		err          error
		outcome, msg string
	}{
		{"success", nil, OutcomeOK, ""},
		{"connect error: code, and the message without the code prefix",
			connect.NewError(connect.CodePermissionDenied, errors.New("role viewer may not call X")),
			"permission_denied", "role viewer may not call X"},
		{"wrapped connect error",
			fmt.Errorf("revoke: %w", connect.NewError(connect.CodeNotFound, errors.New("no agent a-9"))),
			"not_found", "no agent a-9"},
		{"plain error is unknown", errors.New("disk on fire"), "unknown", "disk on fire"},
		{"secrets in the message are redacted",
			connect.NewError(connect.CodeUnauthenticated, errors.New("api key "+apiKey+" is revoked")),
			"unauthenticated", "api key [REDACTED] is revoked"},
		{"long messages are clipped",
			errors.New(strings.Repeat("a", MaxErrorLen+10)),
			"unknown", strings.Repeat("a", MaxErrorLen) + "…(+10 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outcome, msg := OutcomeOf(tt.err)
			assert.Equal(t, tt.outcome, outcome)
			assert.Equal(t, tt.msg, msg)
		})
	}
}

func TestRemoteIP(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1:5443":   "192.0.2.1",
		"[2001:db8::1]:80": "2001:db8::1",
		"192.0.2.1":        "192.0.2.1",
		"":                 "",
	} {
		assert.Equal(t, want, RemoteIP(in), in)
	}
}

func TestActor(t *testing.T) {
	assert.Equal(t, "key:k1", Actor{Kind: ActorKey, ID: "k1"}.String())
	assert.Equal(t, "anonymous", Actor{Kind: ActorAnonymous}.String())
	for _, k := range []ActorKind{ActorUser, ActorKey, ActorAgent, ActorController, ActorAnonymous} {
		assert.True(t, k.Valid(), k)
	}
	assert.False(t, ActorKind("root").Valid())
}
