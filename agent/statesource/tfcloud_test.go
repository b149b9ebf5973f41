package statesource

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tfcTestToken = "tfc-test-token"

// fakeTFC replays Terraform Cloud API v2 responses in the documented JSON:API
// shapes for organization "acme":
//
//	app-prod    ws-prod    has state
//	app-staging ws-staging has state
//	app-new     ws-new     no state version yet (404 on current-state-version)
//	net-core    ws-net     has state
//
// Listing is paged two workspaces per page, whatever page[size] asks, so
// pagination is exercised.
type fakeTFC struct {
	srv        *httptest.Server
	listCalls  atomic.Int32
	lastSearch atomic.Value
	lastTags   atomic.Value
}

var tfcWorkspaces = []struct{ id, name, state, tags string }{
	{"ws-prod", "app-prod", `{"serial":1,"ws":"app-prod"}`, `"team-app","prod"`},
	{"ws-staging", "app-staging", `{"serial":2,"ws":"app-staging"}`, `"team-app"`},
	{"ws-new", "app-new", "", `"team-app"`},
	{"ws-net", "net-core", `{"serial":3,"ws":"net-core"}`, `"team-net","prod"`},
	{"ws-big", "huge", `{"serial":9,"pad":"` + strings.Repeat("x", 2048) + `"}`, ``},
}

func startFakeTFC(t *testing.T) *fakeTFC {
	t.Helper()
	f := &fakeTFC{}
	mux := http.NewServeMux()
	apiError := func(w http.ResponseWriter, status int, title string) {
		w.Header().Set("Content-Type", jsonAPIType)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"errors":[{"status":"%d","title":%q}]}`, status, title)
	}
	authorized := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") != "Bearer "+tfcTestToken {
			apiError(w, http.StatusUnauthorized, "unauthorized")
			return false
		}
		return true
	}
	workspaceJSON := func(id, name, tags string) string {
		return fmt.Sprintf(`{"id":%q,"type":"workspaces","attributes":{"name":%q,"locked":false,"execution-mode":"remote","resource-count":3,"tag-names":[%s]},`+
			`"relationships":{"organization":{"data":{"id":"acme","type":"organizations"}}},"links":{"self":"/api/v2/organizations/acme/workspaces/%s"}}`,
			id, name, tags, name)
	}
	mux.HandleFunc("GET /api/v2/organizations/{org}/workspaces/{name}", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(w, r) {
			return
		}
		for _, ws := range tfcWorkspaces {
			if r.PathValue("org") == "acme" && ws.name == r.PathValue("name") {
				w.Header().Set("Content-Type", jsonAPIType)
				fmt.Fprintf(w, `{"data":%s}`, workspaceJSON(ws.id, ws.name, ws.tags))
				return
			}
		}
		apiError(w, http.StatusNotFound, "not found")
	})
	mux.HandleFunc("GET /api/v2/organizations/{org}/workspaces", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(w, r) {
			return
		}
		if r.PathValue("org") != "acme" {
			apiError(w, http.StatusNotFound, "not found")
			return
		}
		f.listCalls.Add(1)
		search := r.URL.Query().Get("search[name]")
		f.lastSearch.Store(search)
		// search[tags] is recorded but, like an older Terraform Enterprise,
		// not applied: the client must filter by tag itself as well.
		f.lastTags.Store(r.URL.Query().Get("search[tags]"))
		var matched []string
		for _, ws := range tfcWorkspaces {
			if strings.Contains(ws.name, search) {
				matched = append(matched, workspaceJSON(ws.id, ws.name, ws.tags))
			}
		}
		const size = 2
		page, _ := strconv.Atoi(r.URL.Query().Get("page[number]"))
		if page < 1 {
			page = 1
		}
		total := (len(matched) + size - 1) / size
		start, end := min((page-1)*size, len(matched)), min(page*size, len(matched))
		next := "null"
		if page < total {
			next = strconv.Itoa(page + 1)
		}
		w.Header().Set("Content-Type", jsonAPIType)
		fmt.Fprintf(w, `{"data":[%s],"links":{"self":"%s"},"meta":{"pagination":{"current-page":%d,"page-size":%d,"prev-page":null,"next-page":%s,"total-pages":%d,"total-count":%d}}}`,
			strings.Join(matched[start:end], ","), r.URL.String(), page, size, next, total, len(matched))
	})
	mux.HandleFunc("GET /api/v2/workspaces/{id}/current-state-version", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(w, r) {
			return
		}
		for _, ws := range tfcWorkspaces {
			if ws.id == r.PathValue("id") && ws.state != "" {
				w.Header().Set("Content-Type", jsonAPIType)
				fmt.Fprintf(w, `{"data":{"id":"sv-%s","type":"state-versions","attributes":{"created-at":"2024-01-01T00:00:00.000Z","serial":1,"status":"finalized",`+
					`"hosted-state-download-url":"%s/api/state-versions/sv-%s/hosted_state","hosted-json-state-download-url":"%s/api/state-versions/sv-%s/hosted_json_state"}}}`,
					ws.id, f.srv.URL, ws.id, f.srv.URL, ws.id)
				return
			}
		}
		apiError(w, http.StatusNotFound, "not found")
	})
	mux.HandleFunc("GET /api/state-versions/{sv}/hosted_state", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(w, r) {
			return
		}
		for _, ws := range tfcWorkspaces {
			if "sv-"+ws.id == r.PathValue("sv") {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(ws.state))
				return
			}
		}
		apiError(w, http.StatusNotFound, "not found")
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// isolateTFC clears every token source and points HOME at an empty dir.
func isolateTFC(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TFE_TOKEN", "")
	t.Setenv("TF_TOKEN_127_0_0_1", "")
	t.Setenv("TF_TOKEN_app_terraform_io", "")
	return home
}

func TestFetchTFCloud(t *testing.T) {
	f := startFakeTFC(t)
	isolateTFC(t)
	t.Setenv("TF_TOKEN_127_0_0_1", tfcTestToken)
	host := strings.TrimPrefix(f.srv.URL, "http://")
	src := func(ws string) string { return "tfcloud://acme/" + ws + "?host=" + host }
	tests := []struct {
		src        string
		want       []string
		wantSearch string
	}{
		{"tfcloud://acme/app-prod", []string{src("app-prod")}, ""},
		{"tfcloud://acme/app-*", []string{src("app-prod"), src("app-staging")}, "app-"},
		{"tfcloud://acme/*", []string{src("app-prod"), src("app-staging"), src("huge"), src("net-core")}, ""},
		{"tfcloud://acme/*?tags=prod", []string{src("app-prod"), src("net-core")}, ""},
		{"tfcloud://acme/app-*?tags=team-app,prod", []string{src("app-prod")}, "app-"},
		{"tfcloud://acme/{net,app}-[cp]*", []string{src("app-prod"), src("net-core")}, "-"},
		{"tfcloud://acme/*-core", []string{src("net-core")}, "-core"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			docs, err := Fetch(context.Background(), tt.src, Options{TFCloudHost: f.srv.URL, MaxBytes: 4096})
			require.NoError(t, err)
			assert.Equal(t, tt.want, sources(docs))
			for _, d := range docs {
				assert.Contains(t, string(d.Data), `"serial"`)
			}
			if hasMeta(tt.src) {
				assert.Equal(t, tt.wantSearch, f.lastSearch.Load())
				u, _ := url.Parse(tt.src)
				assert.Equal(t, u.Query().Get("tags"), f.lastTags.Load(), "tags are sent as search[tags]")
			}
		})
	}
	_, err := Fetch(context.Background(), "tfcloud://acme/app-prod?tags=prod", Options{TFCloudHost: f.srv.URL})
	assert.ErrorIs(t, err, ErrBadSource, "tags select among workspaces: a single name takes none")
	_, err = Fetch(context.Background(), "tfcloud://acme/*?tags=nobody", Options{TFCloudHost: f.srv.URL})
	assert.ErrorIs(t, err, ErrNoMatch)
}

func TestFetchTFCloudPaginates(t *testing.T) {
	f := startFakeTFC(t)
	isolateTFC(t)
	t.Setenv("TFE_TOKEN", tfcTestToken)
	docs, err := Fetch(context.Background(), "tfcloud://acme/*?host="+f.srv.URL, Options{MaxBytes: 4096})
	require.NoError(t, err)
	assert.Len(t, docs, 4) // 5 workspaces on 3 pages, one without state
	assert.Equal(t, int32(3), f.listCalls.Load())
}

func TestFetchTFCloudTokenSources(t *testing.T) {
	f := startFakeTFC(t)
	host := strings.TrimPrefix(f.srv.URL, "http://")
	tests := map[string]func(t *testing.T, home string){
		"TF_TOKEN_host": func(t *testing.T, _ string) { t.Setenv("TF_TOKEN_127_0_0_1", tfcTestToken) },
		"TFE_TOKEN":     func(t *testing.T, _ string) { t.Setenv("TFE_TOKEN", tfcTestToken) },
		"credentials file": func(t *testing.T, home string) {
			writeFile(t, home, ".terraform.d/credentials.tfrc.json",
				fmt.Sprintf(`{"credentials":{%q:{"token":%q},"other.example.com":{"token":"nope"}}}`, host, tfcTestToken))
		},
		"host token wins over TFE_TOKEN": func(t *testing.T, _ string) {
			t.Setenv("TF_TOKEN_127_0_0_1", tfcTestToken)
			t.Setenv("TFE_TOKEN", "wrong")
		},
	}
	for name, setup := range tests {
		t.Run(name, func(t *testing.T) {
			setup(t, isolateTFC(t))
			docs, err := Fetch(context.Background(), "tfcloud://acme/net-core", Options{TFCloudHost: f.srv.URL})
			require.NoError(t, err)
			assert.JSONEq(t, `{"serial":3,"ws":"net-core"}`, string(docs[0].Data))
		})
	}
}

func TestFetchTFCloudErrors(t *testing.T) {
	f := startFakeTFC(t)
	tests := []struct {
		name    string
		src     string
		token   string
		opts    Options
		wantErr error
		wantMsg string
	}{
		{"no token", "tfcloud://acme/app-prod", "", Options{}, ErrAccessDenied, "TF_TOKEN_127_0_0_1"},
		{"bad token", "tfcloud://acme/app-prod", "wrong-token", Options{}, ErrAccessDenied, "401 Unauthorized"},
		{"bad token listing", "tfcloud://acme/app-*", "wrong-token", Options{}, ErrAccessDenied, "401 Unauthorized"},
		{"missing workspace", "tfcloud://acme/nope", tfcTestToken, Options{}, ErrNotFound, "tfcloud://acme/nope"},
		{"missing org", "tfcloud://nobody/app-*", tfcTestToken, Options{}, ErrNotFound, "tfcloud://nobody/app-*"},
		{"workspace without state", "tfcloud://acme/app-new", tfcTestToken, Options{}, ErrNotFound, "no state version"},
		{"glob matching nothing", "tfcloud://acme/db-*", tfcTestToken, Options{}, ErrNoMatch, "tfcloud://acme/db-*"},
		{"glob matching only stateless", "tfcloud://acme/*-new", tfcTestToken, Options{}, ErrNoMatch, "has state"},
		{"too large", "tfcloud://acme/huge", tfcTestToken, Options{MaxBytes: 1024}, ErrTooLarge, "tfcloud://acme/huge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateTFC(t)
			t.Setenv("TFE_TOKEN", tt.token)
			tt.opts.TFCloudHost = f.srv.URL
			_, err := Fetch(context.Background(), tt.src, tt.opts)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.NotContains(t, err.Error(), tfcTestToken)
			assert.NotContains(t, err.Error(), "wrong-token")
		})
	}
}

func TestFetchTFCloudBadResponses(t *testing.T) {
	isolateTFC(t)
	t.Setenv("TFE_TOKEN", tfcTestToken)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr error
		wantMsg string
	}{
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) }, ErrFetch, "decode"},
		{"no id", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"data":{}}`)) }, ErrFetch, "no id"},
		{"no download URL", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"data":{"id":"x","type":"t","attributes":{}}}`))
		}, ErrFetch, "no hosted-state-download-url"},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"errors":[{"status":"503","title":"maintenance","detail":"back soon"}]}`))
		}, ErrFetch, "503 Service Unavailable: maintenance back soon"},
		{"forbidden", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }, ErrAccessDenied, "403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			_, err := Fetch(context.Background(), "tfcloud://acme/ws", Options{TFCloudHost: srv.URL})
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.Contains(t, err.Error(), "tfcloud://acme/ws?host=127.0.0.1:")
		})
	}
}

func TestTFCloudDefaultHostAndTokenFile(t *testing.T) {
	home := isolateTFC(t)
	// No token anywhere: the error names the default host's variable,
	// proving app.terraform.io is used without contacting it.
	_, err := Fetch(context.Background(), "tfcloud://acme/app", Options{})
	require.ErrorIs(t, err, ErrAccessDenied)
	assert.Contains(t, err.Error(), "TF_TOKEN_app_terraform_io")
	assert.Contains(t, err.Error(), "tfcloud://acme/app:")

	writeFile(t, home, ".terraform.d/credentials.tfrc.json", "{not json")
	_, err = Fetch(context.Background(), "tfcloud://acme/app", Options{})
	require.ErrorIs(t, err, ErrAccessDenied)
	assert.Contains(t, err.Error(), "credentials.tfrc.json")

	require.NoError(t, os.Remove(filepath.Join(home, ".terraform.d", "credentials.tfrc.json")))
	tok, err := tfcToken("my-tfe.example.com")
	require.Error(t, err)
	assert.Empty(t, tok)
	assert.Contains(t, err.Error(), "TF_TOKEN_my__tfe_example_com")

	require.NoError(t, os.WriteFile(filepath.Join(home, ".terraform.d", "credentials.tfrc.json"),
		[]byte(`{"credentials":{"my-tfe.example.com":{"token":"file-token"}}}`), 0o600))
	tok, err = tfcToken("my-tfe.example.com")
	require.NoError(t, err)
	assert.Equal(t, "file-token", tok)
}

func TestLongestLiteral(t *testing.T) {
	tests := map[string]string{
		"app-*":          "app-",
		"*-core":         "-core",
		"*":              "",
		"a*bcd?ef":       "bcd",
		"x[abcdef]y":     "x",
		"{prod,staging}": "",
		`app\*x`:         "app*x",
		"ab[unclosed":    "ab",
	}
	for in, want := range tests {
		assert.Equal(t, want, longestLiteral(in), in)
	}
}
