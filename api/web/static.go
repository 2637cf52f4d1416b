package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// Stylesheets, scripts and images, served at content-hashed URLs
// (/static/<hash>/<name>) with a year's immutable caching: a changed file
// gets a new URL, so no browser keeps an old one.
//
//go:embed static
var staticFS embed.FS

type asset struct {
	body []byte
	hash string
	typ  string
}

type assets map[string]asset

func loadAssets() (*assets, error) {
	a := assets{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		a[name] = asset{body: b, hash: hex.EncodeToString(sum[:6]), typ: mime.TypeByExtension(path.Ext(p))}
		return nil
	})
	return &a, err
}

// url is a static file's hashed URL; an unknown name panics at the first
// render, which the page tests run.
func (a *assets) url(name string) string {
	f, ok := (*a)[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + f.hash + "/" + name
}

// serveStatic answers a hashed URL; an old hash is a 404, not a stale file.
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := (*a)[r.PathValue("name")]
	if !ok || f.hash != r.PathValue("hash") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.typ)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(f.body) //nolint:errcheck // the client went away
}

// noFavicon answers a browser's /favicon.ico with 204 No Content, cached a
// day: the site has no icon, and the request should not end in a 404 page.
func noFavicon(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.WriteHeader(http.StatusNoContent)
}
