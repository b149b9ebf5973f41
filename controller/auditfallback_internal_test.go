package controller

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
)

func TestFloodGuard(t *testing.T) {
	g := newFloodGuard()
	t0 := time.Unix(1000, 0)
	for i := range floodBurst {
		if !g.allow("10.0.0.1", t0) {
			t.Fatalf("refused at %d within the burst", i)
		}
	}
	assert.False(t, g.allow("10.0.0.1", t0), "past the burst")
	assert.True(t, g.allow("10.0.0.2", t0), "another address has its own allowance")
	assert.True(t, g.allow("10.0.0.1", t0.Add(5*time.Millisecond)), "refills at floodRate: one entry per 5 ms")
	assert.False(t, g.allow("10.0.0.1", t0.Add(5*time.Millisecond)))
}

func TestUnproven(t *testing.T) {
	denied := connect.NewError(connect.CodeUnauthenticated, errors.New("x"))
	assert.True(t, unproven(Principal{}, denied))
	assert.True(t, unproven(Principal{Kind: "key", Tenant: "acme"}, denied), "a refused key proves nothing")
	assert.False(t, unproven(Principal{Kind: "key", Tenant: "acme"}, connect.NewError(connect.CodePermissionDenied, errors.New("x"))))
	assert.False(t, unproven(Principal{}, nil))
}

func TestAnswerCode(t *testing.T) {
	cases := []struct {
		status int
		header map[string]string
		want   connect.Code
	}{
		{200, nil, 0},
		{200, map[string]string{"Grpc-Status": "3"}, connect.CodeInvalidArgument},
		{200, map[string]string{http.TrailerPrefix + "Grpc-Status": "16"}, connect.CodeUnauthenticated},
		{200, map[string]string{"Grpc-Status": "0"}, 0},
		{400, nil, connect.CodeInvalidArgument},
		{401, nil, connect.CodeUnauthenticated},
		{403, nil, connect.CodePermissionDenied},
		{404, nil, connect.CodeNotFound},
		{429, nil, connect.CodeResourceExhausted},
		{501, nil, connect.CodeUnimplemented},
		{503, nil, connect.CodeUnavailable},
		{500, nil, connect.CodeUnknown},
	}
	for _, c := range cases {
		rec := &answerRecorder{ResponseWriter: httptest.NewRecorder()}
		for k, v := range c.header {
			rec.Header().Set(k, v)
		}
		rec.WriteHeader(c.status)
		assert.Equal(t, c.want, rec.code(), "%d %v", c.status, c.header)
	}
	rec := &answerRecorder{ResponseWriter: httptest.NewRecorder()}
	_, _ = rec.Write([]byte("x"))
	rec.Flush()
	assert.Equal(t, http.StatusOK, rec.status)
	assert.NotNil(t, rec.Unwrap())
}

func TestSessionsCountTenant(t *testing.T) {
	ss := newSessions()
	ss.open("acme", "a1")
	ss.open("acme", "a2")
	ss.open("acme-eu", "a3")
	assert.Equal(t, 3, ss.count())
	assert.Equal(t, 2, ss.countTenant("acme"), "a tenant named like another's prefix is not counted")
	assert.Equal(t, 1, ss.countTenant("acme-eu"))
	assert.Zero(t, ss.countTenant("globex"))
}
