package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/controller/oidc"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// devConsoleLogin signs in to the dev console as admin with the password
// the banner printed, over plain http, and calls the API with the cookie.
func devConsoleLogin(t *testing.T, base, banner, passwordFile string) {
	m := regexp.MustCompile(`(?m)^\s*password\s+(\S+)`).FindStringSubmatch(banner)
	require.NotNil(t, m, "no password in the banner: %s", banner)
	pw := m[1]
	raw, err := os.ReadFile(passwordFile)
	require.NoError(t, err, "--admin-password-file")
	assert.Equal(t, pw, strings.TrimSpace(string(raw)))

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	hc := &http.Client{Jar: jar}
	post := func(password string) (int, string) {
		body := `{"tenant":"default","username":"admin","password":` + strconvQuote(password) + `}`
		resp, err := hc.Post(base+oidc.PasswordPath, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post("not the password")
	assert.Equal(t, http.StatusUnauthorized, code, body)
	code, body = post(pw)
	require.Equal(t, http.StatusOK, code, body)
	var si oidc.SessionInfo
	require.NoError(t, json.Unmarshal([]byte(body), &si))
	assert.Equal(t, "owner", si.Role)
	assert.Equal(t, "default", si.Tenant)

	tc := driftmgrv1connect.NewTenancyServiceClient(hc, base, connect.WithInterceptors(csrfHeader(si.CSRFToken)))
	me, err := tc.WhoAmI(t.Context(), connect.NewRequest(&pb.WhoAmIRequest{}))
	require.NoError(t, err)
	assert.Equal(t, "owner", me.Msg.GetRole())
	assert.Equal(t, si.UserID, me.Msg.GetUserId())
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// csrfHeader sends a session's CSRF token on every call.
type csrfHeader string

func (h csrfHeader) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set(oidc.CSRFHeader, string(h))
		return next(ctx, req)
	}
}

func (h csrfHeader) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (h csrfHeader) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
