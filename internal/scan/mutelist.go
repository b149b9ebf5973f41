package scan

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrMutelist marks every mutelist parsing error.
var ErrMutelist = errors.New("scan: mutelist")

// MuteEntry accepts the failures of a check on matching resources for a
// reason, with an owner and an expiry. Patterns use * as a wildcard and
// match type.id, the Terraform address or the bare id.
type MuteEntry struct {
	Check    string `yaml:"check" json:"check"`
	Resource string `yaml:"resource" json:"resource"`
	Account  string `yaml:"account,omitempty" json:"account,omitempty"`
	Region   string `yaml:"region,omitempty" json:"region,omitempty"`
	Reason   string `yaml:"reason" json:"reason"`
	Owner    string `yaml:"owner" json:"owner"`
	Expires  string `yaml:"expires,omitempty" json:"expires,omitempty"`

	expiry time.Time
	line   int
}

// Mutelist is a list of accepted failures.
type Mutelist struct {
	Entries []MuteEntry `yaml:"mutelist"`
}

// ParseMutelist reads a mutelist document:
//
//	mutelist:
//	  - check: DM-AWS-EC2-001      # or a pattern: DM-AWS-*
//	    resource: aws_security_group.sg-bastion*
//	    reason: bastion, source restricted by NACL
//	    owner: platform-team
//	    expires: 2026-12-31
//
// Every entry needs check, resource, reason and owner; expires is a date
// (YYYY-MM-DD, the mute ends at its start, UTC) or an RFC 3339 time.
func ParseMutelist(name string, data []byte) (*Mutelist, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var ml Mutelist
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrMutelist, name, err)
	}
	if err := dec.Decode(&ml); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrMutelist, name, err)
	}
	var lines []int
	if len(root.Content) > 0 {
		for i := 0; i+1 < len(root.Content[0].Content); i += 2 {
			if root.Content[0].Content[i].Value == "mutelist" {
				for _, n := range root.Content[0].Content[i+1].Content {
					lines = append(lines, n.Line)
				}
			}
		}
	}
	for i := range ml.Entries {
		e := &ml.Entries[i]
		if i < len(lines) {
			e.line = lines[i]
		}
		where := fmt.Sprintf("%s:%d", name, e.line)
		var missing []string
		for _, f := range []struct{ n, v string }{{"check", e.Check}, {"resource", e.Resource}, {"reason", e.Reason}, {"owner", e.Owner}} {
			if strings.TrimSpace(f.v) == "" {
				missing = append(missing, f.n)
			}
		}
		if missing != nil {
			return nil, fmt.Errorf("%w %s: entry %d needs %s", ErrMutelist, where, i+1, strings.Join(missing, ", "))
		}
		if e.Expires != "" {
			t, err := time.Parse("2006-01-02", e.Expires)
			if err != nil {
				if t, err = time.Parse(time.RFC3339, e.Expires); err != nil {
					return nil, fmt.Errorf("%w %s: entry %d: expires %q is not a date (YYYY-MM-DD) or RFC 3339 time", ErrMutelist, where, i+1, e.Expires)
				}
			}
			e.expiry = t
		}
	}
	return &ml, nil
}

// Line is the entry's line in its file (0 when built in code).
func (e *MuteEntry) Line() int { return e.line }

func (e *MuteEntry) expired(now time.Time) bool { return !e.expiry.IsZero() && !now.Before(e.expiry) }

func (e *MuteEntry) matches(r *Result) bool {
	if !glob(e.Check, r.CheckID) {
		return false
	}
	if e.Account != "" && !glob(e.Account, r.Account) || e.Region != "" && !glob(e.Region, r.Region) {
		return false
	}
	return glob(e.Resource, r.Resource()) || r.Address != "" && glob(e.Resource, r.Address) || glob(e.Resource, r.ID)
}

// Apply mutes failing results that an unexpired entry matches, and
// returns the expired entries that would have matched something (or
// any expired entry: an expired mute is a finding about the mutelist).
func (ml *Mutelist) Apply(rs []Result, now time.Time) []MuteEntry {
	var expired []MuteEntry
	for i := range ml.Entries {
		if ml.Entries[i].expired(now) {
			expired = append(expired, ml.Entries[i])
		}
	}
	for i := range rs {
		r := &rs[i]
		if r.Status != Fail {
			continue
		}
		if e := ml.Match(r, now); e != nil {
			r.Status = Muted
			r.Mute = &Mute{Reason: e.Reason, Owner: e.Owner, Expires: e.Expires}
		}
	}
	return expired
}

// Match returns the first unexpired entry that matches r, or nil. The
// controller calls it when it reads a stored failure, so a mutelist change
// takes effect without a rescan.
func (ml *Mutelist) Match(r *Result, now time.Time) *MuteEntry {
	for j := range ml.Entries {
		e := &ml.Entries[j]
		if !e.expired(now) && e.matches(r) {
			return e
		}
	}
	return nil
}

// Expiry is when the entry stops muting (zero: never).
func (e *MuteEntry) Expiry() time.Time { return e.expiry }

// glob matches s against a pattern where * matches any run of
// characters (including / and .).
func glob(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	// Walk the pattern without splitting it: the controller matches every
	// stored failure against every entry, so this must not allocate.
	first, rest, wild := strings.Cut(pattern, "*")
	if !wild {
		return pattern == s
	}
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	for {
		part, more, ok := strings.Cut(rest, "*")
		if !ok {
			return len(s) >= len(rest) && strings.HasSuffix(s, rest)
		}
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s, rest = s[i+len(part):], more
	}
}
