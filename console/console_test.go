package console

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func built() fstest.MapFS {
	return fstest.MapFS{
		"index.html":              {Data: []byte(`<!doctype html><div id="root"></div>`)},
		"sw.js":                   {Data: []byte(`self.addEventListener("fetch", () => {})`)},
		"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		"manifest.webmanifest":    {Data: []byte(`{}`)},
		"assets/index-abc123.js":  {Data: []byte(`console.log(1)`)},
		"assets/index-abc123.css": {Data: []byte(`body{}`)},
	}
}

func get(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}

func TestHandlerCachingAndTypes(t *testing.T) {
	h := HandlerFS(built())
	cases := []struct {
		path, status, cache, ctype, body string
	}{
		{"/", "200", "no-cache", "text/html; charset=utf-8", `<div id="root">`},
		{"/index.html", "200", "no-cache", "text/html; charset=utf-8", `<div id="root">`},
		{"/sw.js", "200", "no-cache", "text/javascript; charset=utf-8", "addEventListener"},
		{"/manifest.webmanifest", "200", "no-cache", "application/manifest+json", "{}"},
		{"/favicon.svg", "200", "no-cache", "image/svg+xml", "<svg"},
		{"/assets/index-abc123.js", "200", "public, max-age=31536000, immutable", "text/javascript; charset=utf-8", "console.log"},
		{"/assets/index-abc123.css", "200", "public, max-age=31536000, immutable", "text/css; charset=utf-8", "body{}"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			w := get(t, h, http.MethodGet, c.path)
			assert.Equal(t, c.status, strings.Fields(w.Result().Status)[0])
			assert.Equal(t, c.cache, w.Header().Get("Cache-Control"))
			assert.Equal(t, c.ctype, w.Header().Get("Content-Type"))
			assert.Contains(t, w.Body.String(), c.body)
		})
	}
}

func TestHandlerSPAFallback(t *testing.T) {
	h := HandlerFS(built())
	for _, p := range []string{"/inventory", "/inventory?provider=aws&sort=-last_seen", "/findings/322f9e4f", "/deep/unknown/route", "/../../etc/passwd"} {
		w := get(t, h, http.MethodGet, p)
		require.Equal(t, http.StatusOK, w.Code, p)
		assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"), p)
		assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"), p)
		assert.Contains(t, w.Body.String(), `<div id="root">`, p)
	}
}

func TestHandlerMissingAssetIs404(t *testing.T) {
	w := get(t, HandlerFS(built()), http.MethodGet, "/assets/gone-000000.js")
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.NotContains(t, w.Body.String(), "<div")
}

func TestHandlerDirectoryIsNotListed(t *testing.T) {
	w := get(t, HandlerFS(built()), http.MethodGet, "/assets/")
	assert.Equal(t, http.StatusNotFound, w.Code)
}

func TestHandlerHeadAndMethods(t *testing.T) {
	h := HandlerFS(built())
	w := get(t, h, http.MethodHead, "/assets/index-abc123.js")
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Empty(t, w.Body.String())
	w = get(t, h, http.MethodPost, "/")
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
}

func TestHandlerNotBuilt(t *testing.T) {
	h := HandlerFS(fstest.MapFS{".keep": {Data: nil}})
	for _, p := range []string{"/", "/inventory", "/assets/index-abc123.js"} {
		w := get(t, h, http.MethodGet, p)
		assert.Equal(t, http.StatusServiceUnavailable, w.Code, p)
		assert.Equal(t, "console not built: run make console\n", w.Body.String(), p)
	}
}

// The embedded build answers either way: built (index.html) or the 503
// of a clean clone; never a panic or a directory listing.
func TestHandlerEmbedded(t *testing.T) {
	w := get(t, Handler(), http.MethodGet, "/")
	assert.Contains(t, []int{http.StatusOK, http.StatusServiceUnavailable}, w.Code)
}

// Compressible files of 1 KB or more go out gzipped to clients that ask;
// others, and clients that do not, get them as they are.
func TestHandlerGzip(t *testing.T) {
	fsys := built()
	big := strings.Repeat("export const x = 'drift';\n", 200)
	fsys["assets/big-abc.js"] = &fstest.MapFile{Data: []byte(big)}
	h := HandlerFS(fsys)
	req := func(path, accept string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			r.Header.Set("Accept-Encoding", accept)
		}
		h.ServeHTTP(w, r)
		return w
	}
	for range 2 { // the second answer comes from the cache
		w := req("/assets/big-abc.js", "br, gzip")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "gzip", w.Header().Get("Content-Encoding"))
		assert.Contains(t, w.Header().Values("Vary"), "Accept-Encoding")
		assert.Equal(t, "text/javascript; charset=utf-8", w.Header().Get("Content-Type"))
		assert.Less(t, w.Body.Len(), len(big)/4)
		zr, err := gzip.NewReader(w.Body)
		require.NoError(t, err)
		got, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, big, string(got))
	}
	for _, tc := range []struct{ path, accept string }{
		{"/assets/big-abc.js", ""},
		{"/assets/big-abc.js", "gzip;q=0"},
		{"/assets/index-abc123.js", "gzip"}, // under 1 KB
	} {
		w := req(tc.path, tc.accept)
		assert.Empty(t, w.Header().Get("Content-Encoding"), "%s with %q", tc.path, tc.accept)
	}
}
