package oidc

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
)

// failure is a refusal the person at the browser is shown: a status, a
// stable code for the console and a sentence saying what went wrong. err,
// if set, is the cause; it is logged, not shown.
type failure struct {
	status int
	code   string
	msg    string
	err    error
}

func (f *failure) Error() string { return f.code + ": " + f.msg }
func (f *failure) Unwrap() error { return f.err }

// errorBody is the JSON form of a failure.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// wantsHTML reports whether the client is a browser navigating to the
// login or callback page, rather than the console's script or an API
// client, which get JSON.
func wantsHTML(r *http.Request) bool {
	if r.URL.Path != LoginPath && r.URL.Path != CallbackPath {
		return false
	}
	return !strings.Contains(r.Header.Get("Accept"), "application/json")
}

var failPage = template.Must(template.New("fail").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>DriftMgr: sign-in failed</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>Sign-in failed</h1>
<p id="message">{{.Message}}</p>
<p><small>Reason: <code id="code">{{.Error}}</code></small></p>
<p><a href="{{.Retry}}">Try again</a> · <a href="/">Back to the console</a></p>
</body></html>
`))

// respondFailure writes f as a page for a navigating browser and as JSON
// for everything else.
func respondFailure(w http.ResponseWriter, r *http.Request, f *failure) {
	w.Header().Set("Cache-Control", "no-store")
	if !wantsHTML(r) {
		writeJSON(w, f.status, errorBody{Error: f.code, Message: f.msg})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(f.status)
	_ = failPage.Execute(w, struct{ Error, Message, Retry string }{f.code, f.msg, LoginPath})
}
