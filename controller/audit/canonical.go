package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// hashDomain prefixes what is hashed, so an entry hash can never be
// mistaken for a hash of anything else, and a future format can change
// the prefix instead of silently changing meaning.
const hashDomain = "driftmgr.audit.v1\n"

// ComputeHash returns the hex SHA-256 of the entry's canonical encoding,
// which covers every field but Hash itself.
func (e Entry) ComputeHash() string {
	h := sha256.New()
	io.WriteString(h, hashDomain)
	h.Write(e.canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// MarshalJSON writes the canonical encoding with Hash appended: fields in
// a fixed order, all present, Time in UTC with nanoseconds, Args with
// sorted keys and no insignificant space, no HTML escaping.
func (e Entry) MarshalJSON() ([]byte, error) {
	c := e.canonical()
	b := make([]byte, 0, len(c)+80)
	b = append(b, c[:len(c)-1]...)
	b = append(b, `,"hash":`...)
	b = appendString(b, e.Hash)
	return append(b, '}'), nil
}

// canonical is the entry without Hash, as JSON.
func (e Entry) canonical() []byte {
	args := argsForm(e.Args)
	b := make([]byte, 0, 256+len(args))
	b = append(b, `{"tenant":`...)
	b = appendString(b, e.Tenant)
	b = append(b, `,"seq":`...)
	b = fmt.Append(b, e.Seq)
	b = append(b, `,"time":`...)
	b = appendString(b, e.Time.UTC().Format(time.RFC3339Nano))
	b = append(b, `,"actor":{"kind":`...)
	b = appendString(b, string(e.Actor.Kind))
	b = append(b, `,"id":`...)
	b = appendString(b, e.Actor.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, e.Actor.Name)
	b = append(b, `},"action":`...)
	b = appendString(b, e.Action)
	b = append(b, `,"args":`...)
	b = append(b, args...)
	for _, f := range [...]struct{ k, v string }{
		{"remote", e.Remote}, {"request_id", e.RequestID}, {"outcome", e.Outcome},
		{"error", e.Error}, {"prev_hash", e.PrevHash},
	} {
		b = append(b, ',')
		b = appendString(b, f.k)
		b = append(b, ':')
		b = appendString(b, f.v)
	}
	return append(b, '}')
}

func appendString(b []byte, s string) []byte {
	// Most strings (ids, procedures, hashes) are plain ASCII that needs no
	// escaping: skip the encoder.
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})...)
}

// argsForm is how Args appear in the canonical encoding: canonicalArgs
// when they are a proper object; otherwise (only a tampered or hand-made
// entry) compacted JSON, or the bytes as a JSON string when they are not
// JSON at all. Either way the entry still encodes, exports and re-reads to
// the same hash, and Verify reports the hash mismatch instead of failing.
func argsForm(raw json.RawMessage) []byte {
	if c, err := canonicalArgs(raw); err == nil {
		return c
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.Bytes()
	}
	return appendString(nil, string(raw))
}

// maxArgsDepth bounds the nesting of Args, which may come from an
// untrusted export.
const maxArgsDepth = 64

var errNotObject = errors.New("args: want a JSON object")

// canonicalArgs re-encodes a JSON object with sorted keys and no
// insignificant space; numbers keep their literal text. Empty means {}.
// Duplicate keys are refused: a reader could show the one the hash did
// not keep.
func canonicalArgs(raw json.RawMessage) ([]byte, error) {
	if c, ok := canonicalCache.get(raw); ok {
		return c, nil
	}
	c, err := canonicalArgsUncached(raw)
	if err == nil {
		canonicalCache.put(raw, c)
	}
	return c, err
}

// canonicalCache remembers the canonical form of recent Args. The same
// call shapes repeat all day (a listing's page size and facets), and an
// entry's Args are canonicalized when it is sealed, hashed, stored and
// when the chain resumes from it, on every node: the cache makes all but
// the first a map lookup. The result depends on the bytes alone, so a hit
// is the same answer; only small Args are kept, and the cache is emptied
// when full.
var canonicalCache = &argsCache{m: map[string][]byte{}}

const (
	argsCacheMax     = 1024
	argsCacheMaxSize = 1024 // bytes of Args
)

type argsCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *argsCache) get(raw []byte) ([]byte, bool) {
	if len(raw) > argsCacheMaxSize {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[string(raw)]
	// A copy: callers keep Args in entries they may hand on.
	return bytes.Clone(v), ok
}

func (c *argsCache) put(raw, canonical []byte) {
	if len(raw) > argsCacheMaxSize {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= argsCacheMax {
		clear(c.m)
	}
	c.m[string(raw)] = bytes.Clone(canonical)
}

func canonicalArgsUncached(raw json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("args: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	v, err := readObject(dec, 1)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF // the object was cut short
	}
	if err != nil {
		return nil, fmt.Errorf("args: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("args: data after the object")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("args: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// readValue reads one value whose first token is tok. Objects become maps
// (encoding/json writes map keys sorted), numbers json.Number.
func readValue(dec *json.Decoder, tok json.Token, depth int) (any, error) {
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth >= maxArgsDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxArgsDepth)
	}
	switch d {
	case '{':
		return readObject(dec, depth+1)
	case '[':
		arr := []any{}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readValue(dec, t, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token() // ]
		return arr, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

// readObject reads the members of an object whose { was read.
func readObject(dec *json.Decoder, depth int) (map[string]any, error) {
	obj := map[string]any{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := kt.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v is not a string", kt)
		}
		if _, dup := obj[k]; dup {
			return nil, fmt.Errorf("duplicate key %q", k)
		}
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if obj[k], err = readValue(dec, t, depth); err != nil {
			return nil, err
		}
	}
	_, err := dec.Token() // }
	return obj, err
}
