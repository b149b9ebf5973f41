package oidc

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRolesFor(t *testing.T) {
	ms := []Mapping{
		{Tenant: "acme", Group: "acme-read", Role: RoleViewer},
		{Tenant: "acme", Group: "acme-ops", Role: RoleOperator},
		{Tenant: "acme", Group: "sre", Role: RoleAdmin},
		{Tenant: "globex", Group: "sre", Role: RoleViewer},
		{Tenant: AnyTenant, Group: "engineers", Role: RoleOperator},
	}
	for _, tc := range []struct {
		name        string
		groups      []string
		claimTenant string
		want        map[string]string
	}{
		{"nothing", nil, "", map[string]string{}},
		{"one group", []string{"acme-read"}, "", map[string]string{"acme": RoleViewer}},
		{"highest wins, in any order", []string{"sre", "acme-read", "acme-ops"}, "", map[string]string{"acme": RoleAdmin, "globex": RoleViewer}},
		{"any tenant ignored without a claim", []string{"engineers"}, "", map[string]string{}},
		{"any tenant applies to the claimed one", []string{"engineers"}, "initech", map[string]string{"initech": RoleOperator}},
		{"a claim limits to its tenant", []string{"sre", "engineers"}, "globex", map[string]string{"globex": RoleOperator}},
		{"groups compare exactly", []string{"SRE", "acme-read "}, "", map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, rolesFor(ms, tc.groups, tc.claimTenant))
		})
	}
}

func TestChooseTenant(t *testing.T) {
	tenant, role, err := chooseTenant(map[string]string{"acme": RoleAdmin}, "", []string{"g"})
	require.NoError(t, err)
	assert.Equal(t, "acme", tenant)
	assert.Equal(t, RoleAdmin, role)

	_, _, err = chooseTenant(map[string]string{}, "", nil)
	assert.ErrorIs(t, err, ErrNoRole)
	assert.Contains(t, err.Error(), "the provider sent no groups")

	var f *failure
	_, _, err = chooseTenant(map[string]string{"b": RoleViewer, "a": RoleAdmin}, "", nil)
	require.True(t, errors.As(err, &f))
	assert.Equal(t, http.StatusConflict, f.status)
	assert.Contains(t, f.msg, "(a, b)")
}

func TestClaims(t *testing.T) {
	var claims map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{
		"groups": ["a", "", 7, "b"],
		"one": "solo",
		"empty": "",
		"https://example.com/groups": ["ns"],
		"realm_access": {"roles": ["r1", "r2"]},
		"deep": {"x": "not an object"},
		"num": 5,
		"org": "acme"
	}`), &claims))
	assert.Equal(t, []string{"a", "b"}, stringsClaim(claims, "groups"), "non-strings and empties dropped")
	assert.Equal(t, []string{"solo"}, stringsClaim(claims, "one"))
	assert.Nil(t, stringsClaim(claims, "empty"))
	assert.Nil(t, stringsClaim(claims, "num"))
	assert.Nil(t, stringsClaim(claims, "missing"))
	assert.Equal(t, []string{"ns"}, stringsClaim(claims, "https://example.com/groups"), "a whole name with dots wins")
	assert.Equal(t, []string{"r1", "r2"}, stringsClaim(claims, "realm_access.roles"))
	assert.Nil(t, stringsClaim(claims, "realm_access.missing"))
	assert.Nil(t, stringsClaim(claims, "deep.x.y"))
	assert.Equal(t, "acme", stringClaim(claims, "org"))
	assert.Equal(t, "", stringClaim(claims, "num"))
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"/":                     "/",
		"/drift?tab=open#top":   "/drift?tab=open#top",
		"//evil.test/x":         "",
		"/\\evil.test":          "",
		"https://evil.test/":    "",
		"drift":                 "",
		"/a\r\nSet-Cookie: x=1": "",
		"/%zz":                  "",
	} {
		assert.Equal(t, want, safeNext(in), "next=%q", in)
	}
}

func TestProviderErrorText(t *testing.T) {
	f := providerError("server_error", strings.Repeat("é", 400))
	assert.Equal(t, http.StatusForbidden, f.status)
	assert.Equal(t, "server_error", f.code)
	assert.True(t, strings.HasPrefix(f.msg, "The identity provider refused the sign-in: é"))
	assert.LessOrEqual(t, len([]rune(f.msg)), 400, "quoted text is bounded")
	assert.Equal(t, "The identity provider refused the sign-in.", providerError("temporarily_unavailable", "").msg)
}

func TestFlowSealer(t *testing.T) {
	s, err := newFlowSealer(randomBytes(32))
	require.NoError(t, err)
	f := loginFlow{State: "s", Nonce: "n", Verifier: "v", Tenant: "acme", Next: "/x", Expires: 42}
	sealed := s.seal(f)
	assert.NotEqual(t, s.seal(f), sealed, "a fresh nonce every time")
	got, err := s.open(sealed)
	require.NoError(t, err)
	assert.Equal(t, f, got)
	for _, bad := range []string{"", "!!!", "AAAA", sealed[:len(sealed)-2]} {
		_, err := s.open(bad)
		assert.ErrorIs(t, err, errFlowCookie, "opened %q", bad)
	}
	_, err = newFlowSealer([]byte("short"))
	assert.Error(t, err)
}

func TestUsedStates(t *testing.T) {
	var u usedStates
	now := time.Now()
	assert.True(t, u.use("a", now.Add(time.Minute), now))
	assert.False(t, u.use("a", now.Add(time.Minute), now))
	assert.True(t, u.use("b", now.Add(time.Minute), now))
	// Past their flow's expiry, states are forgotten: the flow cookie's own
	// expiry refuses them by then.
	later := now.Add(2 * time.Minute)
	assert.True(t, u.use("c", later.Add(time.Minute), later))
	assert.Len(t, u.seen, 1)
}

// The flow cookie comes back from the browser: anything may be in it.
func FuzzFlowOpen(f *testing.F) {
	s, err := newFlowSealer(make([]byte, 32))
	require.NoError(f, err)
	f.Add(s.seal(loginFlow{State: "s", Expires: 1}))
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, v string) {
		got, err := s.open(v)
		if err == nil {
			// Only what was sealed opens; resealing round-trips.
			again, err := s.open(s.seal(got))
			require.NoError(t, err)
			require.Equal(t, got, again)
		}
	})
}

// next= comes from anyone's link.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "https://x", "/a?b#c", "/%2F%2Fx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == "" {
			return
		}
		require.Equal(t, next, got)
		require.True(t, strings.HasPrefix(got, "/"))
		require.False(t, strings.HasPrefix(got, "//"))
		require.NotContains(t, got, "\\")
	})
}
