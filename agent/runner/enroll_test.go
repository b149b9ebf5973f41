package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/pki"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

func TestEnrollment(t *testing.T) {
	c := startCluster(t, 1, nil)
	ctx := context.Background()

	t.Run("valid token and pin, then restart reuses the identity", func(t *testing.T) {
		secret, pin := c.token(t, 0, 1)
		dir := t.TempDir()
		cfg := baseConfig(c, dir, &fakeScanner{})
		cfg.JoinToken, cfg.CAPin, cfg.CAPEM = secret, pin, c.CA.CertPEM
		a := startAgent(t, cfg)
		id := a.waitEnrolled(t)
		require.Eventually(t, func() bool { return a.Stats().Connected }, waitLong, 10*time.Millisecond)
		require.NoError(t, a.stop(t))

		for _, f := range []string{keyFile, certFile, caFile, agentFile} {
			_, err := os.Stat(filepath.Join(dir, f))
			require.NoError(t, err, f)
		}
		st, err := os.Stat(filepath.Join(dir, keyFile))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
		certBefore, err := os.ReadFile(filepath.Join(dir, certFile))
		require.NoError(t, err)

		// The token is used up, so only the saved identity can get in.
		b := startAgent(t, cfg)
		require.Eventually(t, func() bool { return b.Stats().Connected }, waitLong, 10*time.Millisecond)
		assert.Equal(t, id, b.Stats().AgentID)
		certAfter, err := os.ReadFile(filepath.Join(dir, certFile))
		require.NoError(t, err)
		assert.Equal(t, certBefore, certAfter)
		require.NoError(t, b.stop(t))
	})

	t.Run("pin only, CA sent in the controller's chain", func(t *testing.T) {
		secret, pin := c.token(t, 0, 1)
		cfg := baseConfig(c, t.TempDir(), &fakeScanner{})
		cfg.Controllers = []string{pinProxy(t, c, 0)}
		cfg.JoinToken, cfg.CAPin = secret, pin
		a, err := New(cfg)
		require.NoError(t, err)
		defer a.Close()
		id, err := a.enroll(ctx)
		require.NoError(t, err)
		assert.NotEmpty(t, id.AgentID)
		assert.Equal(t, "default", id.Tenant)
		_, ok, err := loadIdentity(cfg.DataDir)
		require.NoError(t, err)
		assert.True(t, ok)
	})

	refused := func(t *testing.T, cfg Config) error {
		t.Helper()
		a := startAgent(t, cfg)
		err := a.result(t)
		require.Error(t, err)
		_, ok, lerr := loadIdentity(cfg.DataDir)
		require.NoError(t, lerr)
		assert.False(t, ok, "no identity is saved after a refusal")
		return err
	}

	t.Run("wrong pin is refused before the token is sent", func(t *testing.T) {
		secret, _ := c.token(t, 0, 1)
		other := pki.TestCA(t)
		proxy := pinProxy(t, c, 0)
		for name, cfg := range map[string]func(*Config){
			"with CAPEM": func(cfg *Config) { cfg.CAPEM = c.CA.CertPEM },
			"pin only":   func(cfg *Config) { cfg.Controllers = []string{proxy} },
		} {
			t.Run(name, func(t *testing.T) {
				cfg2 := baseConfig(c, t.TempDir(), &fakeScanner{})
				cfg2.JoinToken, cfg2.CAPin = secret, other.Pin()
				cfg(&cfg2)
				err := refused(t, cfg2)
				assert.ErrorIs(t, err, ErrPinMismatch)
			})
		}
		// The token was never spent: it still enrolls its one agent.
		cfg := baseConfig(c, t.TempDir(), &fakeScanner{})
		cfg.JoinToken, cfg.CAPEM = secret, c.CA.CertPEM
		a, err := New(cfg)
		require.NoError(t, err)
		defer a.Close()
		_, err = a.enroll(ctx)
		require.NoError(t, err)
	})

	t.Run("pin only against a real controller, which sends its CA in the chain", func(t *testing.T) {
		secret, pin := c.token(t, 0, 1)
		cfg := baseConfig(c, t.TempDir(), &fakeScanner{})
		cfg.JoinToken, cfg.CAPin = secret, pin
		a, err := New(cfg)
		require.NoError(t, err)
		defer a.Close()
		_, err = a.enroll(ctx)
		require.NoError(t, err)
	})

	t.Run("unknown token", func(t *testing.T) {
		_, pin := c.token(t, 0, 1)
		cfg := baseConfig(c, t.TempDir(), &fakeScanner{})
		cfg.JoinToken, cfg.CAPin, cfg.CAPEM = "dmjt_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", pin, c.CA.CertPEM
		err := refused(t, cfg)
		assert.ErrorIs(t, err, ErrEnrollRefused)
		assert.Equal(t, connect.CodeUnauthenticated, connect.CodeOf(err))
	})

	t.Run("expired token", func(t *testing.T) {
		secret, pin := c.token(t, 1, 1)
		time.Sleep(1100 * time.Millisecond)
		cfg := baseConfig(c, t.TempDir(), &fakeScanner{})
		cfg.JoinToken, cfg.CAPin, cfg.CAPEM = secret, pin, c.CA.CertPEM
		err := refused(t, cfg)
		assert.ErrorIs(t, err, ErrEnrollRefused)
		assert.ErrorContains(t, err, "expired")
	})

	t.Run("used-up token", func(t *testing.T) {
		secret, pin := c.token(t, 0, 1)
		cfg := baseConfig(c, t.TempDir(), &fakeScanner{})
		cfg.JoinToken, cfg.CAPin, cfg.CAPEM = secret, pin, c.CA.CertPEM
		first := startAgent(t, cfg)
		first.waitEnrolled(t)
		cfg.DataDir = t.TempDir()
		err := refused(t, cfg)
		assert.ErrorIs(t, err, ErrEnrollRefused)
		assert.ErrorContains(t, err, "used up")
	})

	t.Run("no token", func(t *testing.T) {
		cfg := baseConfig(c, t.TempDir(), &fakeScanner{})
		cfg.CAPEM = c.CA.CertPEM
		err := refused(t, cfg)
		assert.ErrorIs(t, err, ErrEnrollRefused)
	})

	// The enrollment is on record through the API.
	ag, err := c.agents(0).ListAgents(ctx, connect.NewRequest(&pb.ListAgentsRequest{}))
	require.NoError(t, err)
	assert.Len(t, ag.Msg.GetAgents(), 5)
}
