package statesource

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// defaultStatePattern is what a bare bucket, container or directory expands to.
const defaultStatePattern = "**/*.tfstate"

// objectPattern describes what a cloud URL's key asks for: one exact object,
// or every object below prefix whose name matches glob.
type objectPattern struct {
	exact  string // set when the key names one object
	glob   string // full doublestar pattern over object names
	prefix string // literal part of glob, used to narrow server-side listing
}

func (p objectPattern) isGlob() bool { return p.glob != "" }

// newObjectPattern turns a bucket-relative key into an objectPattern. An
// empty key or one ending in "/" means every *.tfstate below it, the way a
// local directory does.
func newObjectPattern(key string) (objectPattern, error) {
	if key == "" || strings.HasSuffix(key, "/") {
		key += defaultStatePattern
	}
	if !hasMeta(key) {
		return objectPattern{exact: key}, nil
	}
	if !doublestar.ValidatePattern(key) {
		return objectPattern{}, fmt.Errorf("invalid glob %q", key)
	}
	return objectPattern{glob: key, prefix: literalPrefix(key)}, nil
}

// match reports whether an object name is selected by the pattern.
func (p objectPattern) match(name string) bool {
	if !p.isGlob() {
		return name == p.exact
	}
	ok, _ := doublestar.Match(p.glob, name) // pattern validated in newObjectPattern
	return ok
}

// hasMeta reports whether s contains doublestar glob syntax.
func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[{\`) }

// literalPrefix is the part of a pattern before its first glob character.
func literalPrefix(pattern string) string {
	if i := strings.IndexAny(pattern, `*?[{\`); i >= 0 {
		return pattern[:i]
	}
	return pattern
}

// splitBucketURL splits SCHEME://BUCKET/KEY into bucket and key; usage is the
// expected shape quoted in the error, e.g. "s3://BUCKET/KEY".
func splitBucketURL(src, scheme, usage string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(src, scheme+"://")
	if !ok {
		return "", "", fmt.Errorf("%w: %s: expected %s", ErrBadSource, redactURL(src), usage)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" || hasMeta(bucket) || strings.ContainsAny(bucket, "?#@") {
		return "", "", fmt.Errorf("%w: %s: expected %s", ErrBadSource, redactURL(src), usage)
	}
	return bucket, key, nil
}

// sensitiveQueryKeys are query parameter names (lower case substrings) whose
// values are credentials, such as SAS signatures or presigned-URL tokens.
var sensitiveQueryKeys = []string{"sig", "token", "key", "secret", "password", "credential", "auth"}

// redactURL returns raw without userinfo and with credential-like query
// values replaced, so it can appear in errors and Document.Source.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		// Unparseable: still strip anything that looks like userinfo.
		if scheme, rest, ok := strings.Cut(raw, "://"); ok {
			if at := strings.LastIndex(rest, "@"); at >= 0 {
				rest = rest[at+1:]
			}
			return scheme + "://" + rest
		}
		return raw
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			lk := strings.ToLower(k)
			for _, s := range sensitiveQueryKeys {
				if strings.Contains(lk, s) {
					q[k] = []string{"REDACTED"}
					break
				}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
