package audit

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenLines is the acme export, one JSON line per entry.
func goldenLines(t *testing.T) []string {
	t.Helper()
	return strings.Split(strings.TrimSpace(string(readGolden(t, "acme.jsonl"))), "\n")
}

func readLines(t *testing.T, lines []string) []Entry {
	t.Helper()
	entries, err := ReadJSONL(strings.NewReader(strings.Join(lines, "\n")))
	require.NoError(t, err)
	return entries
}

// TestTamperIsDetected edits the exported JSONL the way an attacker with
// the file (or the disk) would, and expects Verify to name what and where.
func TestTamperIsDetected(t *testing.T) {
	globex := sampleChain(t, "globex")
	var globexLine bytes.Buffer
	require.NoError(t, WriteJSONL(&globexLine, globex[2:3]))

	tests := []struct {
		name    string
		tamper  func(lines []string) []string
		wantErr error
		want    string
	}{
		{"untouched", func(l []string) []string { return l }, nil, ""},
		{"one byte of an argument", func(l []string) []string {
			l[3] = strings.Replace(l[3], `"agent_id":"a-1"`, `"agent_id":"a-2"`, 1)
			return l
		}, ErrAltered, "audit: tenant acme: entry 4 (position 3): altered: its contents do not match its hash"},
		{"an argument added", func(l []string) []string {
			l[1] = strings.Replace(l[1], `"max_uses":5`, `"max_uses":5,"note":"x"`, 1)
			return l
		}, ErrAltered, "audit: tenant acme: entry 2 (position 1): altered: its contents do not match its hash"},
		{"the outcome", func(l []string) []string {
			l[3] = strings.Replace(l[3], `"outcome":"permission_denied"`, `"outcome":"ok"`, 1)
			return l
		}, ErrAltered, "audit: tenant acme: entry 4 (position 3): altered: its contents do not match its hash"},
		{"the time", func(l []string) []string {
			l[6] = strings.Replace(l[6], `09:30:06`, `09:30:07`, 1)
			return l
		}, ErrAltered, "audit: tenant acme: entry 7 (position 6): altered: its contents do not match its hash"},
		{"the actor", func(l []string) []string {
			l[0] = strings.Replace(l[0], `"kind":"anonymous"`, `"kind":"controller"`, 1)
			return l
		}, ErrAltered, "audit: tenant acme: entry 1 (position 0): altered: its contents do not match its hash"},
		{"an entry deleted", func(l []string) []string {
			return append(l[:4:4], l[5:]...)
		}, ErrMissing, "audit: tenant acme: entry 5: missing: the log goes from entry 4 to entry 6"},
		{"two entries deleted", func(l []string) []string {
			return append(l[:2:2], l[4:]...)
		}, ErrMissing, "audit: tenant acme: entry 3: missing: entries 3 to 4 are missing: the log goes from entry 2 to entry 5"},
		{"the first entry deleted", func(l []string) []string {
			return l[1:]
		}, ErrMissing, "audit: tenant acme: entry 1: missing: the log starts at entry 2"},
		{"two entries swapped", func(l []string) []string {
			l[2], l[4] = l[4], l[2]
			return l
		}, ErrReordered, "audit: tenant acme: entry 5 (position 2): reordered: it comes before entry 3"},
		{"neighbours swapped", func(l []string) []string {
			l[5], l[6] = l[6], l[5]
			return l
		}, ErrReordered, "audit: tenant acme: entry 7 (position 5): reordered: it comes before entry 6"},
		{"an entry repeated", func(l []string) []string {
			return append(l[:3:3], append([]string{l[2]}, l[3:]...)...)
		}, ErrReordered, "audit: tenant acme: entry 3 (position 3): reordered: it appears twice"},
		{"an older entry moved to the end", func(l []string) []string {
			return append(append(l[:1:1], l[2:]...), l[1])
		}, ErrReordered, "audit: tenant acme: entry 3 (position 1): reordered: it comes before entry 2"},
		{"another tenant's entry spliced in", func(l []string) []string {
			l[2] = strings.TrimSpace(globexLine.String())
			return l
		}, ErrWrongTenant, `audit: tenant acme: entry 3 (position 2): wrong tenant: it belongs to tenant "globex"`},
		{"another tenant's entry relabelled", func(l []string) []string {
			l[2] = strings.Replace(strings.TrimSpace(globexLine.String()), `"tenant":"globex"`, `"tenant":"acme"`, 1)
			return l
		}, ErrAltered, "audit: tenant acme: entry 3 (position 2): altered: its contents do not match its hash"},
		{"an entry replaced and re-hashed", func(l []string) []string {
			e := readLines(t, l[3:4])[0]
			e.Outcome, e.Error = OutcomeOK, ""
			e.Hash = e.ComputeHash()
			b, _ := e.MarshalJSON()
			l[3] = string(b)
			return l
		}, ErrAltered, "audit: tenant acme: entry 4 (position 3): altered: it was replaced: entry 5 chained a different hash"},
		{"the first entry given a previous hash", func(l []string) []string {
			e := readLines(t, l[:1])[0]
			e.PrevHash = strings.Repeat("0", 64)
			e.Hash = e.ComputeHash()
			b, _ := e.MarshalJSON()
			l[0] = string(b)
			return l
		}, ErrAltered, "audit: tenant acme: entry 1 (position 0): altered: the first entry must not chain a previous hash"},
		{"a seq zeroed and re-hashed", func(l []string) []string {
			e := readLines(t, l[:1])[0]
			e.Seq = 0
			e.Hash = e.ComputeHash()
			b, _ := e.MarshalJSON()
			l[0] = string(b)
			return l
		}, ErrAltered, "audit: tenant acme: entry 0 (position 0): altered: it has no seq"},
		{"args made invalid", func(l []string) []string {
			l[0] = strings.Replace(l[0], `"args":{"tenant":"acme"}`, `"args":["acme"]`, 1)
			return l
		}, ErrAltered, "audit: tenant acme: entry 1 (position 0): altered: its contents do not match its hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(readLines(t, tt.tamper(goldenLines(t))))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestVerifyAfter(t *testing.T) {
	entries := readLines(t, goldenLines(t))
	require.NoError(t, VerifyAfter(entries[2], entries[3:]), "a page after a trusted entry")
	require.NoError(t, VerifyAfter(entries[6], nil))

	err := VerifyAfter(entries[1], entries[3:])
	require.ErrorIs(t, err, ErrMissing)
	assert.Equal(t, "audit: tenant acme: entry 3: missing: the log goes from entry 2 to entry 4", err.Error())

	forged := entries[2]
	forged.Hash = strings.Repeat("f", 64)
	err = VerifyAfter(forged, entries[3:])
	require.ErrorIs(t, err, ErrAltered)
	assert.Equal(t, "audit: tenant acme: entry 4 (position 0): altered: it does not chain the hash of entry 3 it should follow", err.Error())
}

func TestVerifyEmpty(t *testing.T) {
	require.NoError(t, Verify(nil))
}
