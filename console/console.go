// Package console serves the web console: the React app under console/
// built into dist/ by `npm run build --prefix console` and embedded here.
// A clean clone has only dist/.keep, so `go build` works without Node and
// the handler answers 503 until the console is built.
package console

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
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
	gz := &sync.Map{} // name -> gzipped bytes (nil: not worth it)
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
			if serveFile(w, r, fsys, gz, name, isAsset) {
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
func serveFile(w http.ResponseWriter, r *http.Request, fsys fs.FS, gzCache *sync.Map, name string, immutable bool) bool {
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
	w.Header().Add("Vary", "Accept-Encoding")
	if gz, ok := gzipped(gzCache, name, rs); ok && acceptsGzip(r) && r.Header.Get("Range") == "" {
		// Compressed once per file and kept: the build is immutable for
		// the life of the process, and a 600 KB bundle is ~200 KB on the
		// wire.
		w.Header().Set("Content-Encoding", "gzip")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(gz))
		return true
	}
	http.ServeContent(w, r, name, time.Time{}, rs)
	return true
}

// compressible are the types worth gzipping (images and fonts already are).
var compressible = map[string]bool{".html": true, ".js": true, ".mjs": true, ".css": true, ".json": true,
	".webmanifest": true, ".svg": true, ".txt": true, ".map": true}

// gzipped returns the gzip form of a compressible file of at least 1 KB,
// compressing it on first use.
func gzipped(gzCache *sync.Map, name string, rs io.ReadSeeker) ([]byte, bool) {
	if !compressible[path.Ext(name)] {
		return nil, false
	}
	k := name
	if v, ok := gzCache.Load(k); ok {
		b := v.([]byte)
		return b, b != nil
	}
	raw, err := io.ReadAll(rs)
	if _, serr := rs.Seek(0, io.SeekStart); err != nil || serr != nil {
		return nil, false
	}
	if len(raw) < 1024 {
		gzCache.Store(k, []byte(nil))
		return nil, false
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	b := buf.Bytes()
	gzCache.Store(k, b)
	return b, true
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
