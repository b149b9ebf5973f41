package pki

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
)

// Token prefixes. A prefix tells a human (and a secret scanner) what a
// leaked string is, and stops an API key being accepted as a join token.
const (
	JoinTokenPrefix = "dmjt"
	APIKeyPrefix    = "dm"
)

const (
	tokenIDLen     = 12 // 60 bits: a lookup key, not a secret
	tokenSecretLen = 32 // 160 bits
)

// tokenEncoding is lowercase base32 without padding: case-insensitive
// readers and URL, shell and YAML safe.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewJoinToken returns a tenant-scoped enrollment token
// "dmjt_<id>_<secret>", its id and the hash of its secret. Store the id and
// the hash (through raft); show the token once and never store it.
func NewJoinToken() (token, id string, hash []byte, err error) {
	return newToken(JoinTokenPrefix)
}

// NewAPIKey returns an API key "dm_<id>_<secret>", its id and the hash of
// its secret, with the same storage rules as a join token.
func NewAPIKey() (key, id string, hash []byte, err error) {
	return newToken(APIKeyPrefix)
}

func newToken(prefix string) (token, id string, hash []byte, err error) {
	// 8 bytes encode to 13 characters, of which the id keeps 12 (60 bits);
	// 20 bytes encode to exactly 32 (160 bits).
	b := make([]byte, 8+20)
	if _, err := rand.Read(b); err != nil {
		return "", "", nil, fmt.Errorf("generate %s token: %w", prefix, err)
	}
	id = tokenEncoding.EncodeToString(b[:8])[:tokenIDLen]
	secret := tokenEncoding.EncodeToString(b[8:])
	return prefix + "_" + id + "_" + secret, id, HashSecret(secret), nil
}

// ParseToken splits "<prefix>_<id>_<secret>" (prefix given with or without
// its trailing underscore: "dm" or "dm_", "dmjt") into id and secret.
// ParseToken(APIKeyPrefix, key) parses API keys and
// ParseToken(JoinTokenPrefix, token) join tokens; each refuses the other.
//
// Errors wrap ErrMalformedToken and never quote the input, which may be a
// secret pasted into the wrong field.
func ParseToken(prefix, token string) (id, secret string, err error) {
	prefix = strings.TrimSuffix(prefix, "_") + "_"
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok {
		return "", "", fail(ErrMalformedToken, "token", fmt.Sprintf("want prefix %q", prefix))
	}
	if len(rest) != tokenIDLen+1+tokenSecretLen || rest[tokenIDLen] != '_' {
		return "", "", fail(ErrMalformedToken, "token", fmt.Sprintf("want %s<%d chars>_<%d chars>", prefix, tokenIDLen, tokenSecretLen))
	}
	id, secret = rest[:tokenIDLen], rest[tokenIDLen+1:]
	if !isBase32(id) {
		return "", "", fail(ErrMalformedToken, "token id", "not lowercase base32")
	}
	if !isBase32(secret) {
		return "", "", fail(ErrMalformedToken, "token secret", "not lowercase base32")
	}
	return id, secret, nil
}

// HashSecret returns the SHA-256 of a token secret, the form stored in
// place of the secret. A fast hash is right here: the secrets are 160 random
// bits, so there is nothing for a slow hash to protect against guessing,
// and every authenticated request pays for the hash. Passwords, which are
// low-entropy, use argon2id elsewhere.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// CheckSecret reports whether secret hashes to hash, in constant time.
func CheckSecret(secret string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashSecret(secret), hash) == 1
}

func isBase32(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}
