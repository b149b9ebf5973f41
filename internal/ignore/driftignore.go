package ignore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseDriftignore reads a .driftignore file. name is used in errors, which
// look like `.driftignore:7: expected resource_type.resource_id, got
// "aws_instance" (...)`. The whole file is rejected on the first bad line:
// a half-applied ignore file would report drift the user thinks is
// silenced, or hide drift they think is reported.
func ParseDriftignore(name string, r io.Reader) (*Rules, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("read %s: %w: larger than %d bytes; is this a .driftignore file?", name, ErrTooLarge, MaxFileBytes)
	}
	var rules []rule
	for n := 1; len(data) > 0; n++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if len(line) > MaxLineBytes {
			return nil, fmt.Errorf("%s:%d: %w: line longer than %d bytes", name, n, ErrTooLarge, MaxLineBytes)
		}
		text, ok := ruleText(string(line))
		if !ok {
			continue
		}
		ru, err := parseRule(text)
		if err != nil {
			return nil, &SyntaxError{File: name, Line: n, Msg: err.Error()}
		}
		ru.src = name + ":" + strconv.Itoa(n)
		rules = append(rules, ru)
	}
	return newRules(rules), nil
}

// ruleText trims a line and reports whether it holds a rule at all.
func ruleText(line string) (string, bool) {
	line = strings.TrimLeft(line, " \t")
	line = trimRightUnescaped(line)
	if line == "" || line[0] == '#' {
		return "", false
	}
	return line, true
}

// trimRightUnescaped trims trailing blanks and CR, keeping one escaped by
// a backslash ("id\ " ends in a space).
func trimRightUnescaped(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		if c != ' ' && c != '\t' && c != '\r' {
			break
		}
		// Count the backslashes before c: an odd number escapes it.
		n := 0
		for j := len(s) - 2; j >= 0 && s[j] == '\\'; j-- {
			n++
		}
		if n%2 == 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

// parseRule parses one rule: an optional '!' and a pattern.
func parseRule(text string) (rule, error) {
	ru := rule{kinds: maskAll}
	if strings.HasPrefix(text, "!") {
		ru.neg = true
		text = text[1:]
		if text == "" {
			return ru, errors.New(`expected a rule after "!"`)
		}
	}
	p, err := parsePattern(text)
	if err != nil {
		return ru, err
	}
	ru.pattern = p
	return ru, nil
}
