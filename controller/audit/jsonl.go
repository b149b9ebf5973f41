package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// MaxLineBytes is the longest JSONL line ReadJSONL accepts.
const MaxLineBytes = 4 << 20

// WriteJSONL writes entries as JSON lines, one entry per line in its
// canonical form (Entry.MarshalJSON): the export format.
func WriteJSONL(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	for _, e := range entries {
		b, _ := e.MarshalJSON()
		bw.Write(b)
		if err := bw.WriteByte('\n'); err != nil {
			return fmt.Errorf("audit: write jsonl: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("audit: write jsonl: %w", err)
	}
	return nil
}

// ReadJSONL reads what WriteJSONL wrote. Blank lines are skipped; any
// other line must be exactly one entry with no unknown fields, and an
// error names its line number (from 1). It does not verify the chain:
// call Verify on the result.
func ReadJSONL(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	var (
		entries []Entry
		line    int
	)
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var e Entry
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("audit: jsonl line %d: %w", line, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("audit: jsonl line %d: more than one value on the line", line)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit: jsonl line %d: %w", line+1, err)
	}
	return entries, nil
}
