package statesource

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSourceParsing feeds arbitrary source strings (they come from users'
// command lines and config files) through the parsing helpers: none may
// panic, and a redacted URL never contains the password it was given.
func FuzzSourceParsing(f *testing.F) {
	for _, s := range []string{
		"s3://bucket/env:/*/app.tfstate", "gs://b/**/*.tfstate", "azurerm://a/c/x",
		"https://u:p@h/x?sig=1", "tfcloud://org/app-*?host=tfe", "s3://", "x[", `a\`, "{a,b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_ = longestLiteral(src)
		_ = literalPrefix(src)
		_, _, _ = splitBucketURL(src, "s3", "s3://BUCKET/KEY")
		if p, err := newObjectPattern(src); err == nil {
			_ = p.match(src)
		}
		red := redactURL(src)
		if u, err := url.Parse(src); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok && len(pw) > 3 && !strings.Contains(src[strings.Index(src, "@")+1:], pw) {
				if strings.Contains(red, pw) {
					t.Fatalf("redactURL(%q) = %q still contains the password", src, red)
				}
			}
		}
	})
}
