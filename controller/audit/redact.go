package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Redacted replaces a secret in audit arguments and messages.
const Redacted = "[REDACTED]"

// MaxArgString is the most bytes of one string argument an entry keeps
// (a Rego policy or mutelist can be large; the log is replicated).
const MaxArgString = 1024

// maxMessageDepth bounds recursion through nested messages.
const maxMessageDepth = 32

// RedactMessage renders a request message as a JSON object for
// Entry.Args, with nothing secret in it:
//
//   - fields whose name says secret (IsSecretField: join_token, csr,
//     secret, password, api_key, private_key, credentials, ...) are
//     replaced by "[REDACTED]", whatever their type;
//   - other bytes fields become "[N bytes]": payloads are not the
//     audit log's business, and their contents are not readable anyway;
//   - every string is passed through RedactString, which removes API keys,
//     join tokens, bearer credentials, passwords in URLs and connection
//     strings, private key blocks and AWS key ids wherever they appear,
//     then clipped to MaxArgString;
//   - map entries whose key says secret are redacted like fields.
//
// Field names are the .proto names (join_token), fields in declaration
// order, unset fields left out; other values follow protojson (64-bit
// integers as strings, enums by name, well-known types in their JSON
// form). A nil message renders as {}.
func RedactMessage(m proto.Message) json.RawMessage {
	if m == nil || !m.ProtoReflect().IsValid() {
		return json.RawMessage("{}")
	}
	var b bytes.Buffer
	writeMessage(&b, m.ProtoReflect(), 0)
	return b.Bytes()
}

func writeMessage(b *bytes.Buffer, m protoreflect.Message, depth int) {
	desc := m.Descriptor()
	if depth > maxMessageDepth {
		writeJSONString(b, "[too deep]")
		return
	}
	if desc.FullName().Parent() == "google.protobuf" {
		writeWellKnown(b, m)
		return
	}
	b.WriteByte('{')
	first := true
	fields := desc.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(b, string(fd.Name()))
		b.WriteByte(':')
		v := m.Get(fd)
		switch {
		case IsSecretField(string(fd.Name())):
			writeJSONString(b, Redacted)
		case fd.IsList():
			l := v.List()
			b.WriteByte('[')
			for j := range l.Len() {
				if j > 0 {
					b.WriteByte(',')
				}
				writeValue(b, fd, l.Get(j), depth)
			}
			b.WriteByte(']')
		case fd.IsMap():
			writeMap(b, fd, v.Map(), depth)
		default:
			writeValue(b, fd, v, depth)
		}
	}
	b.WriteByte('}')
}

func writeMap(b *bytes.Buffer, fd protoreflect.FieldDescriptor, m protoreflect.Map, depth int) {
	type kv struct {
		k string
		v protoreflect.Value
	}
	entries := make([]kv, 0, m.Len())
	m.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		entries = append(entries, kv{k.String(), v})
		return true
	})
	slices.SortFunc(entries, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	b.WriteByte('{')
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, clip(RedactString(e.k), MaxArgString))
		b.WriteByte(':')
		if IsSecretField(e.k) {
			writeJSONString(b, Redacted)
		} else {
			writeValue(b, fd.MapValue(), e.v, depth)
		}
	}
	b.WriteByte('}')
}

// writeValue writes one singular value of fd's kind.
func writeValue(b *bytes.Buffer, fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		writeJSONString(b, strconv.FormatInt(v.Int(), 10))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		writeJSONString(b, strconv.FormatUint(v.Uint(), 10))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			writeJSONString(b, "NaN")
		case math.IsInf(f, 1):
			writeJSONString(b, "Infinity")
		case math.IsInf(f, -1):
			writeJSONString(b, "-Infinity")
		default:
			bits := 64
			if fd.Kind() == protoreflect.FloatKind {
				bits = 32
			}
			b.WriteString(strconv.FormatFloat(f, 'g', -1, bits))
		}
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			writeJSONString(b, string(ev.Name()))
		} else {
			b.WriteString(strconv.FormatInt(int64(v.Enum()), 10))
		}
	case protoreflect.StringKind:
		writeJSONString(b, clip(RedactString(v.String()), MaxArgString))
	case protoreflect.BytesKind:
		writeJSONString(b, fmt.Sprintf("[%d bytes]", len(v.Bytes())))
	case protoreflect.MessageKind, protoreflect.GroupKind:
		writeMessage(b, v.Message(), depth+1)
	default:
		writeJSONString(b, "[unsupported]")
	}
}

// writeWellKnown renders a google.protobuf type in its protojson form,
// then redacts it like any JSON: a Struct or Any can carry anything.
func writeWellKnown(b *bytes.Buffer, m protoreflect.Message) {
	out, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m.Interface())
	if err != nil {
		writeJSONString(b, "[unrenderable]")
		return
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		writeJSONString(b, "[unrenderable]")
		return
	}
	writeAny(b, redactAny(v, 0))
}

// RedactJSON applies the rules of RedactMessage to arbitrary JSON (a REST
// body): members whose name says secret are replaced, strings pass
// through RedactString. Keys come out sorted. Input that is not JSON is
// summarized by length rather than echoed.
func RedactJSON(raw []byte) json.RawMessage {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		var b bytes.Buffer
		writeJSONString(&b, fmt.Sprintf("[%d bytes, not JSON]", len(raw)))
		return b.Bytes()
	}
	var b bytes.Buffer
	writeAny(&b, redactAny(v, 0))
	return b.Bytes()
}

func redactAny(v any, depth int) any {
	if depth > maxMessageDepth {
		return "[too deep]"
	}
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if IsSecretField(k) {
				out[clip(RedactString(k), MaxArgString)] = Redacted
			} else {
				out[clip(RedactString(k), MaxArgString)] = redactAny(x, depth+1)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = redactAny(x, depth+1)
		}
		return out
	case string:
		return clip(RedactString(v), MaxArgString)
	}
	return v
}

func writeAny(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // only maps, slices, strings, json.Number, bools, nil
	b.Truncate(b.Len() - 1)
}

func writeJSONString(b *bytes.Buffer, s string) { b.Write(appendString(nil, s)) }

// Name rules. A name is split into lowercase words at underscores,
// hyphens, dots and camelCase humps ("joinToken", "API-Key").
var (
	// secretWords make a name secret wherever they appear in it.
	secretWords = map[string]bool{
		"secret": true, "secrets": true, "password": true, "passwords": true, "passwd": true,
		"passphrase": true, "pwd": true, "token": true, "tokens": true, "csr": true,
		"credential": true, "credentials": true, "creds": true, "apikey": true,
		"privatekey": true, "accesskey": true, "secretkey": true, "authorization": true,
		"cookie": true, "cookies": true, "sas": true, "kubeconfig": true, "dsn": true, "otp": true,
	}
	// secretPairs are two adjacent words that together name a secret.
	secretPairs = map[string]bool{
		"private_key": true, "api_key": true, "access_key": true, "signing_key": true,
		"session_key": true, "encryption_key": true, "account_key": true, "shared_key": true,
		"master_key": true, "connection_string": true, "client_key": true,
	}
	// describingWords, as the last word, make a name about a secret rather
	// than the secret itself: token_id, secret_name, password_set.
	describingWords = map[string]bool{
		"id": true, "ids": true, "count": true, "name": true, "names": true, "type": true,
		"kind": true, "ttl": true, "at": true, "expires": true, "expiry": true, "prefix": true,
		"hint": true, "ref": true, "arn": true, "uses": true, "path": true, "url": true,
		"uri": true, "endpoint": true, "set": true, "enabled": true, "required": true,
		"seconds": true, "version": true,
	}
)

// IsSecretField reports whether a field, JSON member or map key of this
// name holds a secret.
func IsSecretField(name string) bool {
	words := nameWords(name)
	if len(words) == 0 || describingWords[words[len(words)-1]] {
		return false
	}
	if slices.Contains(words, "page") {
		return false // page_token, next_page_token: cursors, not credentials
	}
	for i, w := range words {
		if secretWords[w] {
			return true
		}
		if i > 0 && secretPairs[words[i-1]+"_"+w] {
			return true
		}
	}
	return false
}

func nameWords(name string) []string {
	var (
		words []string
		cur   []rune
	)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
			continue
		case unicode.IsUpper(r) && i > 0:
			prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(rs[i-1]) && nextLower) {
				flush()
			}
		}
		cur = append(cur, unicode.ToLower(r))
	}
	flush()
	return words
}

// Value rules: secrets recognised by their shape wherever they appear.
// Each has a cheap test for a literal its pattern needs, so ordinary
// strings skip the regular expressions.
var valueRules = []struct {
	hint func(s, lower string) bool
	re   *regexp.Regexp
	repl string
}{
	// DriftMgr API keys (dm_<id>_<secret>) and join tokens (dmjt_...).
	{func(s, l string) bool { return strings.Contains(l, "dm") && strings.Contains(s, "_") },
		regexp.MustCompile(`(?i)dm(?:jt)?_[a-z2-7]{12}_[a-z2-7]{32}`), Redacted},
	// PEM private keys, even cut off before their END line.
	{func(s, _ string) bool { return strings.Contains(s, "PRIVATE KEY-----") },
		regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)`), Redacted},
	// Authorization header values. Only Bearer is matched case-blind:
	// "basic" and "token" are ordinary words in error messages.
	{func(_, l string) bool { return strings.Contains(l, "bearer") },
		regexp.MustCompile(`(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}`), "$1 " + Redacted},
	{func(s, _ string) bool { return strings.Contains(s, "Basic") },
		regexp.MustCompile(`\b(Basic)\s+[A-Za-z0-9+/]{12,}={0,2}`), "$1 " + Redacted},
	// Passwords in URLs: scheme://user:password@host.
	{func(s, _ string) bool { return strings.Contains(s, "://") && strings.Contains(s, "@") },
		regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]+@`), "${1}:" + Redacted + "@"},
	// key=value secrets in connection strings and query strings
	// (AccountKey=...;, ?sig=..., password=...).
	{func(s, _ string) bool { return strings.Contains(s, "=") },
		regexp.MustCompile(`(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|sharedaccesssignature|sig|client[_-]?secret)=([^&;\s"']+)`), "${1}=" + Redacted},
	// AWS access key ids.
	{func(s, _ string) bool { return strings.Contains(s, "AKIA") || strings.Contains(s, "ASIA") },
		regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`), Redacted},
}

// RedactString removes secrets recognisable by their shape from s (see
// RedactMessage) and returns the rest unchanged.
func RedactString(s string) string {
	if len(s) < 5 { // shorter than the shortest match ("sig=x")
		return s
	}
	lower := strings.ToLower(s)
	for _, r := range valueRules {
		if r.hint(s, lower) {
			s = r.re.ReplaceAllString(s, r.repl)
			lower = strings.ToLower(s)
		}
	}
	return s
}
