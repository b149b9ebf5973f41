package tfstate

import (
	"errors"
	"fmt"
	"io"
)

// Limits bound what decoding one state document may cost, because state
// files come from buckets that other people write to. A zero field takes
// its value from DefaultLimits, so the zero Limits is DefaultLimits.
type Limits struct {
	// MaxBytes caps the size of the document.
	MaxBytes int64
	// MaxResources caps the number of managed resource instances,
	// counting those skipped for want of an id.
	MaxResources int
	// MaxDepth caps how deeply one value (an instance's attributes, an
	// output value) may nest objects and arrays. encoding/json alone stops
	// at 10,000 levels, which is far more stack and time than any real
	// provider schema needs.
	MaxDepth int
	// MaxStringBytes caps one JSON string (key or value) as encoded in
	// the document, escapes included, and the length of a flatmap key.
	MaxStringBytes int
}

// DefaultLimits are generous for real states: the largest public reports of
// Terraform states are a few hundred MB and tens of thousands of
// instances; the deepest provider schemas (kubernetes_manifest) nest a few
// dozen levels; user_data and policy documents stay well under a few MB.
var DefaultLimits = Limits{
	MaxBytes:       512 << 20,
	MaxResources:   1_000_000,
	MaxDepth:       128,
	MaxStringBytes: 16 << 20,
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxResources <= 0 {
		l.MaxResources = DefaultLimits.MaxResources
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxStringBytes <= 0 {
		l.MaxStringBytes = DefaultLimits.MaxStringBytes
	}
	return l
}

// errReadLimit is what limitedReader returns to the JSON decoder; the
// decoder's error is then replaced by ErrTooLarge, which is why the reader
// remembers that it fired.
var errReadLimit = errors.New("read limit reached")

// limitedReader lets max bytes through and fails on the first byte beyond
// them. Unlike io.LimitReader it does not report a clean EOF at the limit,
// which would make a too-large document look merely truncated.
type limitedReader struct {
	r        io.Reader
	max      int64
	read     int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.exceeded {
		return 0, errReadLimit
	}
	// Ask for one byte more than allowed: getting it proves the
	// document is too large, while a document of exactly max bytes
	// still ends with a clean EOF.
	if room := l.max + 1 - l.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.max {
		l.exceeded = true
		return 0, errReadLimit
	}
	return n, err
}

// limitError is returned by checkRaw; the caller adds source and path.
type limitError struct {
	kind error
	msg  string
}

func (e *limitError) Error() string { return e.msg }

// checkRaw enforces MaxDepth and MaxStringBytes over one syntactically
// valid JSON value before it is decoded into Go values, so a hostile
// value costs one linear scan and no allocation.
func checkRaw(raw []byte, lim Limits) *limitError {
	depth := 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '{', '[':
			depth++
			if depth > lim.MaxDepth {
				return &limitError{ErrTooDeep, fmt.Sprintf("nesting deeper than %d levels", lim.MaxDepth)}
			}
		case '}', ']':
			depth--
		case '"':
			start := i + 1
			for i = start; i < len(raw); i++ {
				if raw[i] == '\\' {
					i++
					continue
				}
				if raw[i] == '"' {
					break
				}
			}
			if i-start > lim.MaxStringBytes {
				return &limitError{ErrStringTooLong, fmt.Sprintf("string longer than %d bytes", lim.MaxStringBytes)}
			}
		}
	}
	return nil
}
