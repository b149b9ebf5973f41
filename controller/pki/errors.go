package pki

import "errors"

// Sentinel errors. Every error the package returns wraps one of them, so the
// API edge maps failures to status codes with errors.Is and never matches on
// message text.
var (
	// ErrBadCA marks CA material that cannot be loaded or used: not PEM,
	// not parseable, not a CA, cert and key that do not match, expired.
	ErrBadCA = errors.New("pki: bad ca")
	// ErrBadArgument marks a caller error: empty names, non-positive
	// validity.
	ErrBadArgument = errors.New("pki: bad argument")
	// ErrBadCSR marks a certificate request that does not parse or whose
	// self-signature does not verify.
	ErrBadCSR = errors.New("pki: bad certificate request")
	// ErrWeakKey marks a public key of a type or size the CA will not
	// certify (allowed: ECDSA P-256, Ed25519, RSA >= 2048 bits).
	ErrWeakKey = errors.New("pki: key type or size not allowed")
	// ErrBadIdentity marks a tenant or agent id that is not well formed, or
	// a certificate that does not carry exactly one driftmgr:// identity.
	ErrBadIdentity = errors.New("pki: bad identity")
	// ErrPinMismatch marks a CA certificate whose public key hash is not
	// the pinned one.
	ErrPinMismatch = errors.New("pki: ca pin mismatch")
	// ErrRevoked marks a peer certificate whose serial has been revoked.
	ErrRevoked = errors.New("pki: certificate revoked")
	// ErrNoClientCert marks a connection whose peer presented no
	// certificate.
	ErrNoClientCert = errors.New("pki: no client certificate")
	// ErrMalformedToken marks a join token or API key that is not of the
	// form <prefix>_<id>_<secret>. Its messages never quote the input: a
	// malformed token may still be mostly secret.
	ErrMalformedToken = errors.New("pki: malformed token")
)

// pkiError names the input at fault ("ca key", "tenant", "csr") and what is
// wrong with it, and unwraps to a sentinel and an optional cause. Its
// message reads "ca key: not a PEM block" or, when no single input is at
// fault, just the message ("ca cert and key do not match"): what an
// operator holding two PEM files needs to see.
type pkiError struct {
	input string
	msg   string
	kind  error
	cause error
}

func (e *pkiError) Error() string {
	s := e.msg
	if e.input != "" {
		s = e.input + ": " + s
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *pkiError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func fail(kind error, input, msg string) error {
	return &pkiError{input: input, msg: msg, kind: kind}
}

func failWrap(kind error, input, msg string, cause error) error {
	return &pkiError{input: input, msg: msg, kind: kind, cause: cause}
}
