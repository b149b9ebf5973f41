package ignore

import (
	"errors"
	"fmt"
)

// Input bounds. A .driftignore or config file above them is rejected
// rather than read, so a wrong path (a state file, a binary) fails fast.
const (
	// MaxLineBytes bounds one .driftignore line.
	MaxLineBytes = 4 << 10
	// MaxFileBytes bounds a whole .driftignore or YAML file.
	MaxFileBytes = 1 << 20
)

var (
	// ErrSyntax marks every error about the text of a rule.
	ErrSyntax = errors.New("ignore: syntax error")
	// ErrTooLarge marks a file or line over MaxFileBytes or MaxLineBytes.
	ErrTooLarge = errors.New("ignore: input too large")
	// ErrUnrepresentable marks a finding Generate cannot write as a rule.
	ErrUnrepresentable = errors.New("ignore: cannot write as a rule")
)

// SyntaxError is an invalid rule, located by file and line.
type SyntaxError struct {
	File string
	Line int
	// Field names the YAML key holding the rule, e.g. "ignore.resources[1]";
	// empty for .driftignore.
	Field string
	Msg   string
}

func (e *SyntaxError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap lets callers test errors.Is(err, ErrSyntax).
func (e *SyntaxError) Unwrap() error { return ErrSyntax }
