package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strings"
)

// Templates: templates/layout.html, the partials every page may use
// (templates/partials), and one file per page under templates/pages,
// named by its path without .html ("auth/login"). All are parsed at start.
//
//go:embed templates
var templateFS embed.FS

type views struct {
	pages map[string]*template.Template
}

// funcs are the template functions; none depends on the request (the
// language is in the Page), so the parsed templates are shared safely.
var funcs = template.FuncMap{
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
}

func parseViews() (*views, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	v := &views{pages: map[string]*template.Template{}}
	err = fs.WalkDir(templateFS, "templates/pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(templateFS, p); err != nil {
			return fmt.Errorf("web: template %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return fmt.Errorf("web: template %s defines no \"content\"", name)
		}
		v.pages[name] = t
		return nil
	})
	return v, err
}

func (v *views) render(w io.Writer, name string, p *Page) error {
	t, ok := v.pages[name]
	if !ok {
		return fmt.Errorf("no view %q", name)
	}
	return t.ExecuteTemplate(w, "layout.html", p)
}
