package oidc

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Password login through a real browser against the same console that
// offers single sign-on, then turned off by an administrator.
func TestPasswordLoginEndToEnd(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.stopAt = "*"
	login := func(body string) (*http.Response, string) {
		return b.do(http.MethodPost, e.rpURL+PasswordPath, strings.NewReader(body),
			map[string]string{"Content-Type": "application/json", "Origin": e.rpURL, "Accept": "application/json"})
	}
	resp, body := login(`{"tenant":"acme","username":"root","password":"root-pw"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var si SessionInfo
	require.NoError(t, json.Unmarshal([]byte(body), &si))
	assert.Equal(t, SessionInfo{UserID: "u-root", Name: "Root", Email: "root@acme.test", Tenant: "acme", Role: RoleAdmin,
		Method: MethodPassword, ExpiresAt: si.ExpiresAt, CSRFToken: si.CSRFToken}, si)
	code, a := b.api(http.MethodPost, "/api/x", map[string]string{CSRFHeader: si.CSRFToken})
	require.Equal(t, http.StatusOK, code, a.Error)
	assert.Equal(t, "u-root", a.User)

	require.NoError(t, e.h.SetPasswordLogin(false))
	resp, body = login(`{"tenant":"acme","username":"root","password":"root-pw"}`)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	var eb errorBody
	require.NoError(t, json.Unmarshal([]byte(body), &eb))
	assert.Equal(t, errorBody{Error: "password_login_disabled", Message: "Password login is turned off. Sign in with single sign-on at /auth/oidc/login."}, eb)
	code, _, anon := e.browser().session()
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.False(t, anon.PasswordLogin, "the login page no longer offers it")
	assert.True(t, anon.SSO)
}

func TestPasswordLoginDisabledByConfig(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AllowPasswordLogin = false })
	rec := serve(e.h, http.MethodPost, PasswordPath, `{"tenant":"acme","username":"root","password":"root-pw"}`,
		map[string]string{"Content-Type": "application/json"})
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Contains(t, rec.Body.String(), "password_login_disabled")
	assert.Equal(t, 0, e.store.Len())

	// Without a verifier it cannot be turned on.
	h, err := New(Config{Issuer: e.cfg.Issuer, ClientID: "c", RedirectURL: e.cfg.RedirectURL, Mappings: testMappings}, NewMemoryStore(), nil)
	require.NoError(t, err)
	assert.ErrorIs(t, h.SetPasswordLogin(true), ErrConfig)
	require.NoError(t, h.SetPasswordLogin(false))
}

func TestPasswordLogin(t *testing.T) {
	h := newPasswordHandler(t, NewMemoryStore())
	jsonCT := map[string]string{"Content-Type": "application/json"}
	for _, tc := range []struct {
		name   string
		body   string
		hdr    map[string]string
		status int
		code   string
	}{
		{"right password", `{"tenant":"acme","username":"root","password":"root-pw"}`, jsonCT, http.StatusOK, ""},
		{"form post", url.Values{"tenant": {"acme"}, "username": {"root"}, "password": {"root-pw"}}.Encode(),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusOK, ""},
		{"wrong password", `{"tenant":"acme","username":"root","password":"nope"}`, jsonCT, http.StatusUnauthorized, "bad_credentials"},
		{"unknown tenant reads the same", `{"tenant":"nope","username":"root","password":"root-pw"}`, jsonCT, http.StatusUnauthorized, "bad_credentials"},
		{"tenant turned password login off", `{"tenant":"locked","username":"root","password":"root-pw"}`, jsonCT, http.StatusForbidden, "password_login_disabled"},
		{"verifier failing", `{"tenant":"broken","username":"root","password":"root-pw"}`, jsonCT, http.StatusInternalServerError, "password_check_failed"},
		{"user without a role", `{"tenant":"acme","username":"norole","password":"pw"}`, jsonCT, http.StatusForbidden, "no_role"},
		{"missing password", `{"tenant":"acme","username":"root"}`, jsonCT, http.StatusBadRequest, "bad_request"},
		{"not JSON", `{"tenant":`, jsonCT, http.StatusBadRequest, "bad_request"},
		{"bad form", "%zz", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusBadRequest, "bad_request"},
		{"other content type", "tenant=acme", map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType, "bad_request"},
		{"too big", `{"tenant":"` + strings.Repeat("a", maxPasswordBody) + `"}`, jsonCT, http.StatusBadRequest, "bad_request"},
		{"login CSRF from another site", `{"tenant":"acme","username":"root","password":"root-pw"}`,
			map[string]string{"Content-Type": "application/json", "Origin": "https://evil.test"}, http.StatusForbidden, "cross_site"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(h, http.MethodPost, PasswordPath, tc.body, tc.hdr)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.code == "" {
				var si SessionInfo
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &si))
				assert.Equal(t, "acme", si.Tenant)
				assert.Equal(t, MethodPassword, si.Method)
				var names []string
				for _, c := range rec.Result().Cookies() {
					names = append(names, c.Name)
				}
				assert.ElementsMatch(t, []string{SessionCookie, CSRFCookie}, names)
				return
			}
			var eb errorBody
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &eb))
			assert.Equal(t, tc.code, eb.Error)
			assert.NotEmpty(t, eb.Message)
			assert.Empty(t, rec.Result().Cookies())
			assert.NotContains(t, rec.Body.String(), "root-pw")
		})
	}
}

// Password login only: single sign-on answers that it is not configured.
func TestPasswordOnly(t *testing.T) {
	h := newPasswordHandler(t, NewMemoryStore())
	for _, p := range []string{LoginPath, CallbackPath + "?code=x&state=y"} {
		rec := serve(h, http.MethodGet, p, "", map[string]string{"Accept": "text/html"})
		assert.Equal(t, http.StatusNotFound, rec.Code)
		assert.Contains(t, rec.Body.String(), "sso_disabled")
	}
	h.passwordOn.Store(false)
	rec := serve(h, http.MethodPost, PasswordPath, `{}`, map[string]string{"Content-Type": "application/json"})
	var eb errorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &eb))
	assert.Equal(t, "Password login is turned off.", eb.Message)
}
