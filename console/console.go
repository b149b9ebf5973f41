// Package console serves the web console: the React app under console/
// built into dist/ by `npm run build --prefix console` and embedded here.
// A clean clone has only dist/.keep, so `go build` works without Node and
// the handler answers 503 until the console is built.
package console

import (
	"embed"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Handler serves the embedded console build.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// dist is a literal embedded directory: Sub cannot fail.
		panic(err)
	}
	return HandlerFS(sub)
}

// Cache policies. Files under /assets/ carry a content hash in their name,
// so a browser may keep them forever; everything else (index.html, the
// service worker, the manifest) must be revalidated so a deploy shows at
// once and a new service worker is found.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// notBuilt is the answer while dist holds no index.html.
const notBuilt = "console not built: run make console"

// contentTypes pins the types the console uses, so they do not depend on
// the host's mime tables.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".txt":         "text/plain; charset=utf-8",
	".map":         "application/json",
}

func contentType(name string) string {
	ext := path.Ext(name)
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// HandlerFS serves a console build from fsys (the root of a dist
// directory): hashed assets immutable, other files revalidated, and any
// other path that is not an asset answered with index.html so the app's
// router handles deep links.
func HandlerFS(fsys fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		index, err := fs.ReadFile(fsys, "index.html")
		if err != nil {
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, notBuilt, http.StatusServiceUnavailable)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		isAsset := name == "assets" || strings.HasPrefix(name, "assets/")
		if name != "" && name != "index.html" {
			if serveFile(w, r, fsys, name, isAsset) {
				return
			}
			if isAsset {
				// A missing hashed file is an old or wrong link, never a
				// route: index.html in its place would be parsed as code.
				w.Header().Set("Cache-Control", cacheRevalidate)
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Content-Type", contentTypes[".html"])
		w.Header().Set("Cache-Control", cacheRevalidate)
		http.ServeContent(w, r, "index.html", time.Time{}, strings.NewReader(string(index)))
	})
}

// serveFile writes fsys's file name, reporting false when there is none.
func serveFile(w http.ResponseWriter, r *http.Request, fsys fs.FS, name string, immutable bool) bool {
	f, err := fsys.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return false
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return false
		}
		rs = strings.NewReader(string(b))
	}
	w.Header().Set("Content-Type", contentType(name))
	if immutable {
		w.Header().Set("Cache-Control", cacheImmutable)
	} else {
		w.Header().Set("Cache-Control", cacheRevalidate)
	}
	if name == "sw.js" {
		// The worker controls the whole origin.
		w.Header().Set("Service-Worker-Allowed", "/")
	}
	http.ServeContent(w, r, name, time.Time{}, rs)
	return true
}
