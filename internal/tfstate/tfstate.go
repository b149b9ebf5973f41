// Package tfstate turns one Terraform state document into DriftMgr's
// resource model.
//
// It reads state format 4 (Terraform 0.12 to 1.x) and format 3 (Terraform
// 0.11) and emits one resource.Resource per managed resource instance. It is
// a pure parser: no network, no files, no logging. Fetching state from local
// disk or buckets is agent/statesource's job.
//
// State files are untrusted input, so decoding streams over the document
// (one resource in memory at a time besides the result), every cost is
// bounded by Limits, and every failure is an error naming the source and
// the path of the offending value, never a panic.
package tfstate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// State is the part of a Terraform state DriftMgr uses.
type State struct {
	// Source names where the document came from (a path or URL); it is
	// copied into every resource's Origin and every error message.
	Source string
	// Version is the state format version: 3 or 4.
	Version int
	// TerraformVersion is the Terraform release that wrote the state.
	TerraformVersion string
	// Serial increases with every write of the state.
	Serial int64
	// Lineage identifies the state across its serials.
	Lineage string
	// Resources holds one entry per managed resource instance, in
	// document order (format 3: module order, then by address).
	Resources []resource.Resource
	// Outputs are the state's output values by name. Format 4 keeps
	// root outputs only; for format 3, outputs of child modules are
	// keyed by their module address, e.g. "module.net.vpc_id".
	Outputs map[string]Output
	// Skipped lists the addresses of managed instances that have no id
	// (a null, empty or missing "id" attribute, as kubernetes_manifest
	// and other plugin-framework resources do). They cannot be matched
	// against live resources, so they are not in Resources, but they are
	// reported so coverage figures can account for them.
	Skipped []string
}

// Output is one output value of a state.
type Output struct {
	// Value is the output value, JSON-shaped like resource attributes.
	Value any `json:"value"`
	// Sensitive is true when Terraform marked the output sensitive; its
	// value must then be redacted wherever it is shown.
	Sensitive bool `json:"sensitive,omitempty"`
}

// MarshalJSON redacts the value of a sensitive output, so that encoding a
// State for a report or an API answer cannot leak it by accident. Code
// that needs the secret (secret scanning) reads Value directly.
func (o Output) MarshalJSON() ([]byte, error) {
	type plain Output // no MarshalJSON: avoids recursion
	if o.Sensitive && o.Value != nil {
		o.Value = resource.Redacted
	}
	return json.Marshal(plain(o))
}

// Parse decodes a state document held in memory. See Decode.
func Parse(source string, data []byte, lim Limits) (*State, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, &stateError{source: source, kind: ErrTooLarge,
			msg: fmt.Sprintf("larger than %d bytes (%d bytes)", lim.MaxBytes, len(data))}
	}
	return Decode(source, bytes.NewReader(data), lim)
}

// Decode reads one state document from r. source names the document in the
// result and in errors, e.g. "s3://bucket/env/prod.tfstate".
//
// The top level and the resources (or modules) array are read token by
// token, so at most one resource's JSON is held beside the decoded result.
// Managed instances without an id are listed in State.Skipped; data sources
// are dropped. Every error wraps one of the package's sentinel errors.
func Decode(source string, r io.Reader, lim Limits) (*State, error) {
	lim = lim.withDefaults()
	lr := &limitedReader{r: r, max: lim.MaxBytes}
	d := &decoder{
		lim: lim,
		lr:  lr,
		dec: json.NewDecoder(lr),
		st:  &State{Source: source},
	}
	if err := d.decodeTop(); err != nil {
		return nil, err
	}
	return d.st, nil
}

// decoder carries one Decode call's state.
type decoder struct {
	lim   Limits
	lr    *limitedReader
	dec   *json.Decoder
	st    *State
	count int // managed instances seen, for MaxResources
}

// fail builds an error at path. A read that hit MaxBytes shows up as some
// JSON error wherever the decoder happened to be; it is reported as
// ErrTooLarge instead, which is the real cause.
func (d *decoder) fail(kind error, path, format string, args ...any) error {
	if d.lr.exceeded {
		return &stateError{source: d.st.Source, kind: ErrTooLarge,
			msg: fmt.Sprintf("larger than %d bytes", d.lim.MaxBytes)}
	}
	return &stateError{source: d.st.Source, path: path, kind: kind, msg: fmt.Sprintf(format, args...)}
}

// readErr turns an error from the JSON decoder into a state error.
func (d *decoder) readErr(path string, err error) error {
	var syn *json.SyntaxError
	switch {
	case d.lr.exceeded:
		return d.fail(ErrTooLarge, path, "")
	case isEOF(err):
		return d.fail(ErrMalformed, path, "truncated: the document ends early")
	case errors.As(err, &syn):
		return &stateError{source: d.st.Source, path: path, kind: ErrMalformed, cause: err,
			msg: fmt.Sprintf("not valid JSON at byte %d: %v", syn.Offset, err)}
	default:
		return &stateError{source: d.st.Source, path: path, kind: ErrMalformed, cause: err,
			msg: fmt.Sprintf("read failed: %v", err)}
	}
}

// limit reports a limitError from checkRaw at path.
func (d *decoder) limit(path string, le *limitError) error {
	return d.fail(le.kind, path, "%s", le.msg)
}

// decodeTop walks the top-level object. Keys may come in any order, but
// Terraform writes "version" first, so an unsupported version is usually
// rejected before anything else is read.
func (d *decoder) decodeTop() error {
	tok, err := d.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) && !d.lr.exceeded {
			return d.fail(ErrMalformed, "", "empty document, expected a Terraform state JSON object")
		}
		return d.readErr("", err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return d.fail(ErrMalformed, "", "expected a Terraform state JSON object, got %s", tokenKind(tok))
	}
	var sawResources, sawModules, sawFormatVersion bool
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.readErr("", err)
		}
		key, _ := tok.(string) // object keys are always strings
		switch key {
		case "version":
			if err := d.decodeVersion(); err != nil {
				return err
			}
			if d.st.Version == 3 && sawResources {
				return d.fail(ErrMalformed, "resources", "not part of a version 3 state (expected modules)")
			}
			if d.st.Version == 4 && sawModules {
				return d.fail(ErrMalformed, "modules", "not part of a version 4 state (expected resources)")
			}
		case "terraform_version":
			if d.st.TerraformVersion, err = d.readString(key); err != nil {
				return err
			}
		case "lineage":
			if d.st.Lineage, err = d.readString(key); err != nil {
				return err
			}
		case "serial":
			if d.st.Serial, err = d.readSerial(); err != nil {
				return err
			}
		case "resources":
			if d.st.Version == 3 {
				return d.fail(ErrMalformed, "resources", "not part of a version 3 state (expected modules)")
			}
			sawResources = true
			if err := d.decodeV4Resources(); err != nil {
				return err
			}
		case "modules":
			if d.st.Version == 4 {
				return d.fail(ErrMalformed, "modules", "not part of a version 4 state (expected resources)")
			}
			sawModules = true
			if err := d.decodeV3Modules(); err != nil {
				return err
			}
		case "outputs":
			raw, err := d.readRaw(key)
			if err != nil {
				return err
			}
			if err := d.decodeV4Outputs(raw); err != nil {
				return err
			}
		default:
			if key == "format_version" {
				sawFormatVersion = true
			}
			// check_results, backend (v3), remote (v3) and keys
			// from future Terraform releases: not needed.
			if _, err := d.readRaw(key); err != nil {
				return err
			}
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return d.readErr("", err)
	}
	switch _, err := d.dec.Token(); {
	case err == nil:
		return d.fail(ErrMalformed, "", "unexpected data after the state object")
	case !errors.Is(err, io.EOF):
		return d.readErr("", err)
	}
	switch {
	case d.st.Version == 0 && sawFormatVersion:
		return d.fail(ErrMalformed, "version", "missing; this looks like `terraform show -json` output, expected a state file (terraform state pull)")
	case d.st.Version == 0:
		return d.fail(ErrMalformed, "version", "missing, expected a Terraform state with version 3 or 4")
	case d.st.Version == 3 && sawResources:
		return d.fail(ErrMalformed, "resources", "not part of a version 3 state (expected modules)")
	case d.st.Version == 4 && sawModules:
		return d.fail(ErrMalformed, "modules", "not part of a version 4 state (expected resources)")
	}
	return nil
}

// decodeVersion reads and checks the format version.
func (d *decoder) decodeVersion() error {
	raw, err := d.readRaw("version")
	if err != nil {
		return err
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return d.fail(ErrMalformed, "version", "expected a number, got %s", jsonKind(raw))
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return d.fail(ErrMalformed, "version", "expected an integer, got %s", clip(string(raw)))
	}
	if v != 3 && v != 4 {
		return d.fail(ErrUnsupportedVersion, "version",
			"state format version %d is not supported (supported: 3 from Terraform 0.11, 4 from Terraform 0.12 and later)", v)
	}
	d.st.Version = v
	return nil
}

// readRaw reads the next value whole. Used for values that are small or
// that must be decoded as a unit anyway.
func (d *decoder) readRaw(path string) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		return nil, d.readErr(path, err)
	}
	return raw, nil
}

func (d *decoder) readString(path string) (string, error) {
	raw, err := d.readRaw(path)
	if err != nil {
		return "", err
	}
	return d.str(path, raw)
}

func (d *decoder) readSerial() (int64, error) {
	raw, err := d.readRaw("serial")
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, d.fail(ErrMalformed, "serial", "expected an integer, got %s", jsonKind(raw))
	}
	return n, nil
}

// str decodes an optional string: absent and null give "".
func (d *decoder) str(path string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || raw[0] == 'n' {
		return "", nil
	}
	if raw[0] != '"' {
		return "", d.fail(ErrMalformed, path, "expected a string, got %s", jsonKind(raw))
	}
	if len(raw)-2 > d.lim.MaxStringBytes {
		return "", d.fail(ErrStringTooLong, path, "string longer than %d bytes", d.lim.MaxStringBytes)
	}
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", d.fail(ErrMalformed, path, "invalid string: %v", err)
	}
	return s, nil
}

// plainString decodes a JSON string without escapes or control
// characters, the common case, without a trip through encoding/json.
// ok is false when the full decoder is needed.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '\\' || c == '"' || c < 0x20 || c >= 0x80 {
			return "", false
		}
	}
	return string(body), true
}

// value decodes an arbitrary JSON value into the resource model's shapes
// (encoding/json defaults: float64 numbers, no json.Number), after checking
// it against the depth and string limits.
func (d *decoder) value(path string, raw json.RawMessage) (any, error) {
	if le := checkRaw(raw, d.lim); le != nil {
		return nil, d.limit(path, le)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, d.fail(ErrMalformed, path, "invalid JSON value: %v", err)
	}
	return v, nil
}

// object decodes raw into dst (a struct of RawMessage fields or a map)
// after checking that raw is a JSON object, so shape errors name the path
// rather than a Go type.
func (d *decoder) object(path string, raw json.RawMessage, dst any) error {
	if len(raw) == 0 || raw[0] != '{' {
		return d.fail(ErrMalformed, path, "expected an object, got %s", jsonKind(raw))
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return d.fail(ErrMalformed, path, "unexpected shape: %v", err)
	}
	return nil
}

// array decodes raw into a slice of raw elements. Absent and null give an
// empty slice.
func (d *decoder) array(path string, raw json.RawMessage) ([]json.RawMessage, error) {
	if len(raw) == 0 || raw[0] == 'n' {
		return nil, nil
	}
	if raw[0] != '[' {
		return nil, d.fail(ErrMalformed, path, "expected an array, got %s", jsonKind(raw))
	}
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, d.fail(ErrMalformed, path, "invalid array: %v", err)
	}
	return out, nil
}

// countInstance enforces MaxResources.
func (d *decoder) countInstance(path string) error {
	d.count++
	if d.count > d.lim.MaxResources {
		return d.fail(ErrTooManyResources, path, "more than %d resource instances", d.lim.MaxResources)
	}
	return nil
}
