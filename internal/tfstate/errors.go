package tfstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Sentinel errors. Every error Decode and Parse return wraps exactly one of
// them, so callers map failures to status codes with errors.Is and never
// match on message text. The limit sentinels also wrap ErrLimitExceeded, so
// "the state is hostile or absurdly large" can be told apart from "the
// state is broken" in one check.
var (
	// ErrMalformed marks input that is not a Terraform state document:
	// empty, truncated, not JSON, or JSON of the wrong shape.
	ErrMalformed = errors.New("tfstate: malformed state")
	// ErrUnsupportedVersion marks a state whose format version is not 3
	// or 4 (Terraform 0.11 to 1.x).
	ErrUnsupportedVersion = errors.New("tfstate: unsupported state version")
	// ErrLimitExceeded is wrapped by every limit sentinel below.
	ErrLimitExceeded = errors.New("tfstate: limit exceeded")
	// ErrTooLarge marks a document longer than Limits.MaxBytes.
	ErrTooLarge = fmt.Errorf("%w: document too large", ErrLimitExceeded)
	// ErrTooManyResources marks a state with more than
	// Limits.MaxResources managed resource instances.
	ErrTooManyResources = fmt.Errorf("%w: too many resources", ErrLimitExceeded)
	// ErrTooDeep marks a value nested deeper than Limits.MaxDepth.
	ErrTooDeep = fmt.Errorf("%w: nesting too deep", ErrLimitExceeded)
	// ErrStringTooLong marks a string longer than Limits.MaxStringBytes.
	ErrStringTooLong = fmt.Errorf("%w: string too long", ErrLimitExceeded)
)

// stateError is the one error type the package returns. Its message reads
// "read state SOURCE: PATH: WHAT", where PATH locates the offending value
// the way jq would (resources[3].instances[0].attributes), because a user
// holding a 200 MB state needs to know where to look.
type stateError struct {
	source string
	path   string
	msg    string
	kind   error // one of the sentinels
	cause  error // an underlying error (I/O, JSON syntax), may be nil
}

func (e *stateError) Error() string {
	s := "read state " + e.source + ": "
	if e.path != "" {
		s += e.path + ": "
	}
	return s + e.msg
}

// Unwrap exposes both the sentinel and the cause to errors.Is / errors.As.
func (e *stateError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// jsonKind names the JSON type of a raw value for "expected X, got Y"
// messages.
func jsonKind(raw []byte) string {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return "an object"
		case '[':
			return "an array"
		case '"':
			return "a string"
		case 't', 'f':
			return "a boolean"
		case 'n':
			return "null"
		default:
			return "a number"
		}
	}
	return "nothing"
}

// tokenKind names a json.Token the same way jsonKind names raw values.
func tokenKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return "'" + v.String() + "'"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", t)
}

// clip shortens a value quoted in an error message: the value comes from
// the document, and an error must not carry megabytes of it into logs.
func clip(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// isEOF reports whether err means the input ended early.
func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
