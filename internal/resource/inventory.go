package resource

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// An inventory is a JSON array of resources in the shape `driftmgr state
// list --output json` prints and `driftmgr scan --live` reads:
//
//	[{"provider":"aws","type":"aws_instance","id":"i-1","attributes":{...}}]

// InventoryLimits bound what decoding one inventory may cost.
type InventoryLimits struct {
	// MaxBytes caps the document size (default 1 GiB).
	MaxBytes int64
	// MaxResources caps the number of resources (default 5,000,000).
	MaxResources int
}

// ErrInventory marks every inventory decoding error.
var ErrInventory = errors.New("inventory")

func (l InventoryLimits) withDefaults() InventoryLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 1 << 30
	}
	if l.MaxResources <= 0 {
		l.MaxResources = 5_000_000
	}
	return l
}

// DecodeInventory reads a JSON array of resources from r. source names the
// input in errors. Each resource needs type and id; provider is derived
// from the type when absent. Source defaults to live.
func DecodeInventory(source string, r io.Reader, lim InventoryLimits) ([]Resource, error) {
	lim = lim.withDefaults()
	lr := &limitedReader{r: r, left: lim.MaxBytes}
	dec := json.NewDecoder(lr)
	fail := func(format string, args ...any) error {
		if lr.exceeded {
			return fmt.Errorf("read inventory %s: %w: larger than %d bytes", source, ErrInventory, lim.MaxBytes)
		}
		return fmt.Errorf("read inventory %s: %w: %s", source, ErrInventory, fmt.Sprintf(format, args...))
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail("empty document, expected a JSON array of resources")
		}
		return nil, fail("not JSON (%v), expected a JSON array of resources", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fail("expected a JSON array of resources, got %v", describeToken(tok))
	}
	var out []Resource
	for dec.More() {
		if len(out) >= lim.MaxResources {
			return nil, fail("more than %d resources", lim.MaxResources)
		}
		var res Resource
		if err := dec.Decode(&res); err != nil {
			return nil, fail("resource [%d]: %v", len(out), err)
		}
		if res.Provider == "" {
			res.Provider = ProviderFromType(res.Type)
		}
		if err := res.Validate(); err != nil {
			return nil, fail("resource [%d]: %v", len(out), err)
		}
		if res.Source == "" {
			res.Source = SourceLive
		}
		if res.Origin == "" {
			res.Origin = source
		}
		if res.Attrs == nil {
			res.Attrs = map[string]any{}
		}
		out = append(out, res)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail("truncated after %d resources: %v", len(out), err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail("unexpected data after the array")
	}
	return out, nil
}

// EncodeInventory writes resources as an indented JSON array, with
// sensitive values redacted.
func EncodeInventory(w io.Writer, rs []Resource) error {
	out := make([]Resource, len(rs))
	for i, r := range rs {
		out[i] = r.Redact()
		if out[i].Attrs == nil {
			out[i].Attrs = map[string]any{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func describeToken(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return string(v)
	case string:
		return "a string"
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// limitedReader fails once more than left bytes are read, and remembers
// it, so the caller can say "too large" instead of "truncated".
type limitedReader struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, errors.New("size limit reached")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
