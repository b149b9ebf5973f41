package password

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cheap keeps the unit tests fast; Default is exercised once.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	phc, err := Hash("correct horse battery staple")
	require.NoError(t, err)
	assert.Regexp(t, `^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, phc)

	ok, err := Verify("correct horse battery staple", phc)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = Verify("correct horse battery stapl", phc)
	require.NoError(t, err)
	assert.False(t, ok, "wrong password")
	ok, err = Verify("", phc)
	require.NoError(t, err)
	assert.False(t, ok, "empty password")

	again, err := Hash("correct horse battery staple")
	require.NoError(t, err)
	assert.NotEqual(t, phc, again, "every hash has its own salt")
}

func TestDefaultCost(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	start := time.Now()
	_, err := Hash("correct horse battery staple")
	require.NoError(t, err)
	// ~35 ms on the CI machine; generous for -race and a shared box.
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestTamperedHashDoesNotVerify(t *testing.T) {
	phc, err := HashWith("correct horse battery staple", cheap)
	require.NoError(t, err)
	parts := strings.Split(phc, "$")
	flip := func(s string) string {
		b, err := base64.RawStdEncoding.DecodeString(s)
		require.NoError(t, err)
		b[0] ^= 1
		return base64.RawStdEncoding.EncodeToString(b)
	}
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, tampered := range map[string]string{
		"hash bit":   with(5, flip(parts[5])),
		"salt bit":   with(4, flip(parts[4])),
		"more time":  with(3, "m=64,t=2,p=1"),
		"other mem":  with(3, "m=72,t=1,p=1"),
		"other salt": with(4, base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))),
	} {
		t.Run(name, func(t *testing.T) {
			ok, err := Verify("correct horse battery staple", tampered)
			require.NoError(t, err)
			assert.False(t, ok)
		})
	}
}

func TestParse(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	good := "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key
	p, s, k, err := Parse(good)
	require.NoError(t, err)
	assert.Equal(t, Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, p)
	assert.Len(t, s, 16)
	assert.Len(t, k, 32)
	// Parameters in any order are the same string's meaning.
	p2, _, _, err := Parse("$argon2id$v=19$p=1,t=2,m=19456$" + salt + "$" + key)
	require.NoError(t, err)
	assert.Equal(t, p, p2)

	for _, tc := range []struct{ name, phc, want string }{
		{"empty", "", "want $argon2id$v=19"},
		{"bcrypt", "$2b$10$abcdefghijklmnopqrstuv", "want $argon2id"},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key, `algorithm "argon2i"`},
		{"old version", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key, `version "v=16"`},
		{"missing param", "$argon2id$v=19$m=19456,t=2$" + salt + "$" + key, "want m, t and p"},
		{"duplicate param", "$argon2id$v=19$m=1,m=2,t=2,p=1$" + salt + "$" + key, "want m=<KiB>,t=<passes>,p=<threads>"},
		{"unknown param", "$argon2id$v=19$m=19456,t=2,p=1,x=1$" + salt + "$" + key, `unknown parameter "x"`},
		{"not a number", "$argon2id$v=19$m=lots,t=2,p=1$" + salt + "$" + key, `m="lots" is not a number`},
		{"negative", "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key, "is not a number"},
		{"huge memory", "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key, "m=4194304, want"},
		{"zero time", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key, "t=0, want 1-16"},
		{"many passes", "$argon2id$v=19$m=19456,t=1000,p=1$" + salt + "$" + key, "t=1000"},
		{"zero threads", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key, "p=0"},
		{"too many threads", "$argon2id$v=19$m=19456,t=2,p=300$" + salt + "$" + key, "p=300"},
		{"short salt", "$argon2id$v=19$m=19456,t=2,p=1$YWJj$" + key, "salt"},
		{"salt not base64", "$argon2id$v=19$m=19456,t=2,p=1$!!!!!!!!!!!!$" + key, "salt"},
		{"short hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$YWJj", "hash is not base64"},
		{"padded hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "=", "hash is not base64"},
		{"extra field", good + "$x", "want $argon2id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := Parse(tc.phc)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrMalformedHash))
			assert.Contains(t, err.Error(), tc.want)
			ok, verr := Verify("correct horse battery staple", tc.phc)
			assert.False(t, ok)
			assert.Error(t, verr)
		})
	}
}

func TestCheckPolicy(t *testing.T) {
	err := CheckPolicy("short-pass1")
	require.ErrorIs(t, err, ErrTooShort)
	assert.Equal(t, "at least 12 characters (got 11)", err.Error())
	// Characters, not bytes: 11 two-byte letters are still too short.
	require.ErrorIs(t, CheckPolicy(strings.Repeat("é", 11)), ErrTooShort)
	require.NoError(t, CheckPolicy(strings.Repeat("é", 12)))
	require.NoError(t, CheckPolicy("twelve chars"))
	require.ErrorIs(t, CheckPolicy(strings.Repeat("x", 1025)), ErrTooLong)
	_, err = Hash(strings.Repeat("x", 1025))
	require.ErrorIs(t, err, ErrTooLong)
}

func FuzzParse(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2id$v=19$m=1,t=1,p=1$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, phc string) {
		p, salt, key, err := Parse(phc)
		if err != nil {
			return
		}
		// Whatever parses is within what Verify may be asked to spend.
		if p.Memory > maxMemory || p.Time > maxTime || p.Threads > maxThreads || len(salt) < minSaltLen || len(key) > maxKeyLen {
			t.Fatalf("accepted out-of-bounds parameters %+v", p)
		}
	})
}

func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
