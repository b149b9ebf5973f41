package pki

import (
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJoinToken(t *testing.T) {
	token, id, hash, err := NewJoinToken()
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^dmjt_[a-z2-7]{12}_[a-z2-7]{32}$`), token)
	assert.Len(t, hash, 32)

	gotID, secret, err := ParseToken(JoinTokenPrefix, token)
	require.NoError(t, err)
	assert.Equal(t, id, gotID)
	assert.Equal(t, token, "dmjt_"+id+"_"+secret)
	assert.True(t, CheckSecret(secret, hash))
	assert.Equal(t, hash, HashSecret(secret))

	token2, id2, hash2, err := NewJoinToken()
	require.NoError(t, err)
	assert.NotEqual(t, token, token2)
	assert.NotEqual(t, id, id2)
	assert.NotEqual(t, hash, hash2)
}

func TestAPIKey(t *testing.T) {
	key, id, hash, err := NewAPIKey()
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^dm_[a-z2-7]{12}_[a-z2-7]{32}$`), key)

	for _, prefix := range []string{"dm", "dm_", APIKeyPrefix} {
		gotID, secret, err := ParseToken(prefix, key)
		require.NoError(t, err, prefix)
		assert.Equal(t, id, gotID)
		assert.True(t, CheckSecret(secret, hash))
	}
}

func TestCheckSecret(t *testing.T) {
	_, _, hash, err := NewAPIKey()
	require.NoError(t, err)
	key, _, _, err := NewAPIKey()
	require.NoError(t, err)
	_, secret, err := ParseToken("dm", key)
	require.NoError(t, err)

	assert.False(t, CheckSecret(secret, hash), "another key's secret")
	assert.False(t, CheckSecret("", hash))
	assert.False(t, CheckSecret(secret, nil))
	assert.False(t, CheckSecret(secret, HashSecret(secret)[:16]), "truncated hash")
	assert.True(t, CheckSecret(secret, HashSecret(secret)))
}

func TestParseTokenErrors(t *testing.T) {
	joinToken, _, _, err := NewJoinToken()
	require.NoError(t, err)
	apiKey, _, _, err := NewAPIKey()
	require.NoError(t, err)
	const (
		id     = "abcdefghijkl"
		secret = "mnopqrstuvwxyz234567abcdefghijkl"
	)
	for _, tc := range []struct {
		name   string
		prefix string
		token  string
		want   string
	}{
		{"join token as API key", "dm", joinToken, `token: want prefix "dm_"`},
		{"API key as join token", "dmjt", apiKey, `token: want prefix "dmjt_"`},
		{"no prefix", "dm", id + "_" + secret, `token: want prefix "dm_"`},
		{"upper-case prefix", "dm", "DM_" + id + "_" + secret, `token: want prefix "dm_"`},
		{"empty", "dm", "", `token: want prefix "dm_"`},
		{"prefix only", "dm", "dm_", "token: want dm_<12 chars>_<32 chars>"},
		{"no secret", "dm", "dm_" + id, "token: want dm_<12 chars>_<32 chars>"},
		{"empty secret", "dm", "dm_" + id + "_", "token: want dm_<12 chars>_<32 chars>"},
		{"short secret", "dm", "dm_" + id + "_" + secret[:31], "token: want dm_<12 chars>_<32 chars>"},
		{"long secret", "dm", "dm_" + id + "_" + secret + "a", "token: want dm_<12 chars>_<32 chars>"},
		{"short id", "dm", "dm_" + id[:11] + "_" + secret + "a", "token: want dm_<12 chars>_<32 chars>"},
		{"trailing newline", "dm", "dm_" + id + "_" + secret + "\n", "token: want dm_<12 chars>_<32 chars>"},
		{"id not base32", "dm", "dm_abcdefghijk1_" + secret, "token id: not lowercase base32"},
		{"id upper case", "dm", "dm_ABCDEFGHIJKL_" + secret, "token id: not lowercase base32"},
		{"secret upper case", "dm", "dm_" + id + "_" + strings.ToUpper(secret), "token secret: not lowercase base32"},
		{"secret with 0", "dm", "dm_" + id + "_0" + secret[1:], "token secret: not lowercase base32"},
		{"secret with underscore", "dm", "dm_" + id + "__" + secret[1:], "token secret: not lowercase base32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gotID, gotSecret, err := ParseToken(tc.prefix, tc.token)
			require.ErrorIs(t, err, ErrMalformedToken)
			assert.EqualError(t, err, tc.want)
			assert.Empty(t, gotID)
			assert.Empty(t, gotSecret)
		})
	}
}

// A token pasted into the wrong place must not end up in a log line through
// the error that rejects it.
func TestParseTokenErrorsDoNotEchoSecret(t *testing.T) {
	joinToken, _, _, err := NewJoinToken()
	require.NoError(t, err)
	apiKey, _, _, err := NewAPIKey()
	require.NoError(t, err)
	joinSecret := joinToken[len("dmjt_")+13:]
	apiSecret := apiKey[len("dm_")+13:]

	for _, tc := range []struct {
		name, prefix, token, secret string
	}{
		{"wrong prefix", "dm", joinToken, joinSecret},
		{"wrong prefix other way", "dmjt", apiKey, apiSecret},
		{"truncated", "dm", apiKey[:len(apiKey)-1], apiSecret[:len(apiSecret)-1]},
		{"extended", "dm", apiKey + "x", apiSecret},
		{"bad character", "dm", apiKey[:len(apiKey)-1] + "!", apiSecret[:len(apiSecret)-1]},
		{"bad id", "dm", "dm_ABCDEFGHIJKL_" + apiSecret, apiSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseToken(tc.prefix, tc.token)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), tc.secret)
			assert.NotContains(t, err.Error(), tc.secret[:8])
		})
	}
}

func TestHashSecret(t *testing.T) {
	// sha256("abc")
	assert.Equal(t,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		hex.EncodeToString(HashSecret("abc")))
}

func FuzzParseToken(f *testing.F) {
	key, _, _, err := NewAPIKey()
	require.NoError(f, err)
	join, _, _, err := NewJoinToken()
	require.NoError(f, err)
	for _, s := range []string{key, join, "", "dm_", "dm__", "dmjt_abc_def"} {
		f.Add("dm", s)
		f.Add("dmjt", s)
	}
	f.Fuzz(func(t *testing.T, prefix, token string) {
		id, secret, err := ParseToken(prefix, token)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformedToken)
			require.Empty(t, id)
			require.Empty(t, secret)
			return
		}
		require.Len(t, id, 12)
		require.Len(t, secret, 32)
		require.Equal(t, token, strings.TrimSuffix(prefix, "_")+"_"+id+"_"+secret)
	})
}
