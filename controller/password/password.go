// Package password hashes and verifies user passwords with argon2id, in
// the PHC string format other tools read:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64>$<hash, base64>
//
// Hashing happens on the controller that takes the request, before the
// user record is proposed through raft: apply stays deterministic and
// only the hash is ever replicated.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// Default follows OWASP's first argon2id recommendation (19 MiB, 2 passes,
// 1 thread): about 35 ms on one core of the CI machine, under the 50 ms a
// login may spend here.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits on the parameters Verify accepts from a stored hash, so a
// tampered record cannot make a login allocate gigabytes or spin for
// minutes.
const (
	maxMemory  = 256 * 1024 // KiB
	maxTime    = 16
	maxThreads = 16
	minSaltLen = 8
	minKeyLen  = 16
	maxKeyLen  = 64
)

// MinLength is the password policy: at least this many characters.
const MinLength = 12

// maxBytes bounds what is hashed: longer input only costs CPU.
const maxBytes = 1024

// Sentinel errors; Verify's errors wrap ErrMalformedHash.
var (
	ErrTooShort      = fmt.Errorf("at least %d characters", MinLength)
	ErrTooLong       = fmt.Errorf("at most %d bytes", maxBytes)
	ErrMalformedHash = errors.New("password hash: not an argon2id PHC string")
)

// CheckPolicy checks a new password against the policy. The error says
// what is wanted, never the password.
func CheckPolicy(pw string) error {
	if n := utf8.RuneCountInString(pw); n < MinLength {
		return fmt.Errorf("%w (got %d)", ErrTooShort, n)
	}
	if len(pw) > maxBytes {
		return ErrTooLong
	}
	return nil
}

// Hash returns the PHC string of pw with a fresh random salt and the
// Default parameters.
func Hash(pw string) (string, error) { return HashWith(pw, Default) }

// HashWith is Hash with chosen parameters.
func HashWith(pw string, p Params) (string, error) {
	if len(pw) > maxBytes {
		return "", ErrTooLong
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the PHC string, comparing in
// constant time. An error means the stored hash itself is unusable.
func Verify(pw, phc string) (bool, error) {
	p, salt, want, err := Parse(phc)
	if err != nil {
		return false, err
	}
	if len(pw) > maxBytes {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Parse splits a PHC string into its parameters, salt and hash, and
// checks the parameters are within the limits Verify accepts.
func Parse(phc string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(phc, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: want $argon2id$v=19$m=..,t=..,p=..$salt$hash", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: algorithm %q, want argon2id", ErrMalformedHash, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q, want v=%d", ErrMalformedHash, parts[2], argon2.Version)
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return p, nil, nil, fmt.Errorf("%w: parameters %q, want m=<KiB>,t=<passes>,p=<threads>", ErrMalformedHash, parts[3])
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %s=%q is not a number", ErrMalformedHash, k, v)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: p=%d, at most %d", ErrMalformedHash, n, maxThreads)
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, fmt.Errorf("%w: unknown parameter %q", ErrMalformedHash, k)
		}
	}
	switch {
	case !seen["m"] || !seen["t"] || !seen["p"]:
		return p, nil, nil, fmt.Errorf("%w: parameters %q, want m, t and p", ErrMalformedHash, parts[3])
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return p, nil, nil, fmt.Errorf("%w: m=%d, want %d-%d KiB", ErrMalformedHash, p.Memory, 8*max(1, uint32(p.Threads)), maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return p, nil, nil, fmt.Errorf("%w: t=%d, want 1-%d", ErrMalformedHash, p.Time, maxTime)
	case p.Threads < 1 || p.Threads > maxThreads:
		return p, nil, nil, fmt.Errorf("%w: p=%d, want 1-%d", ErrMalformedHash, p.Threads, maxThreads)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen {
		return p, nil, nil, fmt.Errorf("%w: salt is not base64 of at least %d bytes", ErrMalformedHash, minSaltLen)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash is not base64 of %d-%d bytes", ErrMalformedHash, minKeyLen, maxKeyLen)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
