package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The UI's own texts: one JSON object of key → text per area and language,
// locales/<lang>/<area>.json. Domain messages are not here; they come from
// workflow in both languages.
//
//go:embed locales
var localeFS embed.FS

// catalogues maps language → key → text.
type catalogues map[string]map[string]string

// languages are the UI's languages, the default first.
var languages = []string{"ja", "en"}

// loadCatalogues reads every area file; a key defined twice in one
// language is an error, and so is a key one language lacks.
func loadCatalogues() (catalogues, error) {
	cat := catalogues{}
	origin := map[string]string{} // lang/key → file
	for _, lang := range languages {
		cat[lang] = map[string]string{}
		files, err := fs.Glob(localeFS, "locales/"+lang+"/*.json")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := localeFS.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("web: %s: %w", f, err)
			}
			for k, v := range m {
				if prev, dup := origin[lang+"/"+k]; dup {
					return nil, fmt.Errorf("web: key %q is in both %s and %s", k, prev, path.Base(f))
				}
				origin[lang+"/"+k] = path.Base(f)
				cat[lang][k] = v
			}
		}
	}
	for _, k := range cat.keys() {
		for _, lang := range languages {
			if strings.TrimSpace(cat[lang][k]) == "" {
				return nil, fmt.Errorf("web: key %q has no %s text", k, lang)
			}
		}
	}
	return cat, nil
}

// keys lists every key of any language, sorted.
func (cat catalogues) keys() []string {
	var ks []string
	for _, m := range cat {
		for k := range m {
			if !slices.Contains(ks, k) {
				ks = append(ks, k)
			}
		}
	}
	slices.Sort(ks)
	return ks
}

func (cat catalogues) has(key string) bool {
	_, ok := cat["ja"][key]
	return ok
}

// text is key's text in lang, formatted with args (fmt verbs); a missing
// key shows as ⟦key⟧, which the page tests look for.
func (cat catalogues) text(lang, key string, args ...any) string {
	t, ok := cat[lang][key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}
