package web

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
)

// TestCataloguesCoverEveryKey: both languages have every key (loading
// refuses otherwise), and every key a template or handler names exists.
func TestCataloguesCoverEveryKey(t *testing.T) {
	cat, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]string{} // key → where
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFS.ReadFile(p)
		trees, err := parse.Parse(p, string(b), "{{", "}}", funcs, builtins)
		if err != nil {
			return err
		}
		for _, tr := range trees {
			walkT(tr.Root, func(key string) { used[key] = p })
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`\bT\("([a-z_.0-9]*[a-z0-9])"|render\([^,]+, "[^"]+", "([a-z_.0-9]+)"|flash\("([a-z_.0-9]+)"|navigation\("([a-z_.0-9]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			for _, k := range m[1:] {
				if k != "" {
					used[k] = f
				}
			}
		}
	}
	if len(used) < 20 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for k, where := range used {
		for _, lang := range languages {
			if _, ok := cat[lang][k]; !ok {
				t.Errorf("%s uses %q, missing in %s", where, k, lang)
			}
		}
	}
}

// builtins are text/template's predefined functions, for parse.Parse.
var builtins = func() map[string]any {
	m := map[string]any{}
	for _, name := range strings.Fields("and or not len index slice print printf println html js urlquery call eq ne lt le gt ge") {
		m[name] = fmt.Sprint // any non-nil value: parse only checks that the name exists
	}
	return m
}()

// walkT calls fn with the literal key of every .T "key" call in a template.
func walkT(n parse.Node, fn func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkT(c, fn)
		}
	case *parse.ActionNode:
		walkT(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkT(c, fn)
		}
	case *parse.CommandNode:
		for i, a := range n.Args {
			if f, ok := a.(*parse.FieldNode); ok && f.Ident[len(f.Ident)-1] == "T" && i+1 < len(n.Args) {
				if s, ok := n.Args[i+1].(*parse.StringNode); ok {
					fn(s.Text)
				}
			}
			walkT(a, fn)
		}
	case *parse.IfNode:
		walkT(n.Pipe, fn)
		walkT(n.List, fn)
		walkT(n.ElseList, fn)
	case *parse.RangeNode:
		walkT(n.Pipe, fn)
		walkT(n.List, fn)
		walkT(n.ElseList, fn)
	case *parse.WithNode:
		walkT(n.Pipe, fn)
		walkT(n.List, fn)
		walkT(n.ElseList, fn)
	case *parse.TemplateNode:
		walkT(n.Pipe, fn)
	}
}

// TestNoPageEscapesItsRule: the site's mux is written to only by route
// (which authenticates and enforces the rule) and files (static assets,
// public); every registered route has a rule.
func TestNoPageEscapesItsRule(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	handle := regexp.MustCompile(`mux\.Handle(Func)?\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, fn := range strings.Split(string(b), "\nfunc ") {
			if handle.MatchString(fn) && !strings.HasPrefix(fn, "(s *Site) route(") && !strings.HasPrefix(fn, "(s *Site) files(") {
				t.Errorf("%s: %s registers a handler outside route", f, strings.SplitN(fn, "\n", 2)[0])
			}
		}
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		seen := map[string]bool{}
		for _, r := range ts.site.Routes() {
			k := r.Method + " " + r.Pattern
			if seen[k] {
				t.Errorf("%s registered twice", k)
			}
			seen[k] = true
			if !r.Rule.Public && !r.Rule.SignedIn && r.Rule.Perm.Object == "" {
				t.Errorf("%s has no rule", k)
			}
		}
		if !seen["GET /login"] || !seen["POST /logout"] {
			t.Errorf("routes: %v", seen)
		}
	})
}

func TestSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		a := ts.accounts["applicant"]
		tests := []struct {
			name       string
			form       url.Values
			fetchSite  string
			status     int
			location   string
			kept       string // the email shown again
			wantCookie bool
		}{
			{"valid", url.Values{"email": {a.Email}, "password": {a.Password}}, "same-origin", 303, "/me", "", true},
			{"valid, back to where they were", url.Values{"email": {a.Email}, "password": {a.Password}, "next": {"/me/password"}}, "same-origin", 303, "/me/password", "", true},
			{"valid, next off site ignored", url.Values{"email": {a.Email}, "password": {a.Password}, "next": {"//evil.example/x"}}, "same-origin", 303, "/me", "", true},
			{"full-width email", url.Values{"email": {"ＡＰＰＬＩＣＡＮＴ＠ｄｅｍｏ.awardflow.example"}, "password": {a.Password}}, "same-origin", 303, "/me", "", true},
			{"wrong password", url.Values{"email": {a.Email}, "password": {"not-the-password"}}, "same-origin", 401, "", a.Email, false},
			{"nothing typed", url.Values{}, "same-origin", 422, "", "", false},
			{"cross-site", url.Values{"email": {a.Email}, "password": {a.Password}}, "cross-site", 403, "", "", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := ts.client()
				r := c.postFrom("/login", tt.form, tt.fetchSite)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d\n%s", r.status, tt.status, r.body)
				}
				if got := r.header.Get("Location"); got != tt.location {
					t.Errorf("Location %q, want %q", got, tt.location)
				}
				var session *http.Cookie
				for _, ck := range (&http.Response{Header: r.header}).Cookies() {
					if ck.Name == "awardflow" {
						session = ck
					}
				}
				if (session != nil) != tt.wantCookie {
					t.Fatalf("session cookie %v, want %v", session, tt.wantCookie)
				}
				if session != nil && (!session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/") {
					t.Errorf("cookie attributes: %+v", session)
				}
				if r.status == 401 || r.status == 422 {
					checkPage(t, r, "ja")
					if byID(r, "form-errors") == nil {
						t.Error("no error summary")
					}
					if got := fieldValue(r, "email"); got != tt.kept {
						t.Errorf("email kept as %q, want %q", got, tt.kept)
					}
					if fieldValue(r, "password") != "" {
						t.Error("the password is echoed back")
					}
				}
			})
		}
		t.Run("signed in, then signed out", func(t *testing.T) {
			c := ts.as("applicant")
			if r := c.get("/me/password"); r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("password page: %d %q", r.status, r.header.Get("Cache-Control"))
			}
			if r := c.post("/logout", nil); r.status != 303 || r.header.Get("Location") != "/" {
				t.Fatalf("logout: %d %s", r.status, r.header.Get("Location"))
			}
			r := c.get("/me/password")
			if r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/login?next=%2Fme%2Fpassword") {
				t.Fatalf("after logout: %d %s", r.status, r.header.Get("Location"))
			}
		})
	})
}

func TestLanguage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		tests := []struct {
			name, path, acceptLanguage, want string
		}{
			{"default", "/login", "", "ja"},
			{"query", "/login?lang=en", "", "en"},
			{"browser English", "/login", "en-GB,en;q=0.9", "en"},
			{"browser Japanese first", "/login", "ja,en;q=0.5", "ja"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := ts.client()
				c.lang = tt.acceptLanguage
				r := c.get(tt.path)
				checkPage(t, r, tt.want)
			})
		}
		t.Run("the choice is remembered over the browser's", func(t *testing.T) {
			c := ts.client()
			c.lang = "en"
			c.get("/login?lang=ja")
			checkPage(t, c.get("/signup"), "ja")
		})
	})
}

// TestShellPages renders the account pages in both languages, signed out
// and in, with their forms labelled.
func TestShellPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		pages := []struct {
			who, path string
			status    int
		}{
			{"anon", "/login", 200},
			{"anon", "/signup", 200},
			{"anon", "/invite/no-such-token", 200},
			{"applicant", "/me/password", 200},
			{"mic-judge-1", "/me/password", 200},
			{"anon", "/no/such/page", 404},
			{"applicant", "/no/such/page", 404},
		}
		for _, p := range pages {
			for _, lang := range languages {
				t.Run(p.who+p.path+"/"+lang, func(t *testing.T) {
					c := ts.as(p.who)
					r := c.get(p.path + "?lang=" + lang)
					if r.status != p.status {
						t.Fatalf("status %d, want %d", r.status, p.status)
					}
					checkPage(t, r, lang)
				})
			}
		}
	})
}

func TestSignUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		tests := []struct {
			name   string
			form   url.Values
			status int
			field  string // the field with the error
		}{
			{"valid", url.Values{"name": {"鈴木一郎"}, "email": {"suzuki@example.jp"}, "password": {"梅雨明けの青い空と白い雲"}, "password_again": {"梅雨明けの青い空と白い雲"}}, 303, ""},
			{"passwords differ", url.Values{"name": {"鈴木一郎"}, "email": {"suzuki2@example.jp"}, "password": {"梅雨明けの青い空と白い雲"}, "password_again": {"梅雨明けの青い空"}}, 422, "f-password-again"},
			{"common password", url.Values{"name": {"鈴木一郎"}, "email": {"suzuki3@example.jp"}, "password": {"password123"}, "password_again": {"password123"}}, 422, "f-password"},
			{"bad email", url.Values{"name": {"鈴木一郎"}, "email": {"suzuki"}, "password": {"梅雨明けの青い空と白い雲"}, "password_again": {"梅雨明けの青い空と白い雲"}}, 422, "f-email"},
			{"taken email", url.Values{"name": {"鈴木一郎"}, "email": {ts.accounts["applicant"].Email}, "password": {"梅雨明けの青い空と白い雲"}, "password_again": {"梅雨明けの青い空と白い雲"}}, 409, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := ts.client().post("/signup", tt.form)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d\n%s", r.status, tt.status, r.body)
				}
				if r.status == 303 {
					return
				}
				checkPage(t, r, "ja")
				if fieldValue(r, "name") != "鈴木一郎" || fieldValue(r, "email") != tt.form.Get("email") {
					t.Errorf("values not kept: %q %q", fieldValue(r, "name"), fieldValue(r, "email"))
				}
				if tt.field != "" {
					if n := byID(r, tt.field); n == nil || attr(n, "aria-invalid") != "true" {
						t.Errorf("%s not marked invalid", tt.field)
					}
				}
			})
		}
	})
}

func TestPasswordChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		a := ts.accounts["mic-judge-1"]
		other := ts.as("mic-judge-1")
		c := ts.as("mic-judge-1")
		r := c.post("/me/password", url.Values{"current": {"wrong-password!"}, "password": {"秋の夜長に読む長い小説"}, "password_again": {"秋の夜長に読む長い小説"}})
		if r.status != 422 || byID(r, "f-current-error") == nil {
			t.Fatalf("wrong current password: %d\n%s", r.status, r.body)
		}
		r = c.post("/me/password", url.Values{"current": {a.Password}, "password": {"秋の夜長に読む長い小説"}, "password_again": {"秋の夜長に読む長い小説"}})
		if r.status != 303 {
			t.Fatalf("change: %d\n%s", r.status, r.body)
		}
		if r := c.get("/me/password"); r.status != 200 {
			t.Errorf("this browser signed out: %d", r.status)
		}
		if r := other.get("/me/password"); r.status != 303 {
			t.Errorf("the other session lives on: %d", r.status)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := ts.client()
		r := c.get("/login")
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
		if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "style=") {
			t.Error("inline script or style")
		}
		css := ts.site.static.url("app.css")
		if r := c.get(css); r.status != 200 || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q", css, r.status, r.header.Get("Cache-Control"))
		}
		if r := c.get("/static/000000000000/app.css"); r.status != 404 {
			t.Errorf("an old hash: %d", r.status)
		}
		if r := c.get("/login?x=%00"); r.status != 400 {
			t.Errorf("NUL in the query: %d", r.status)
		}
	})
}

func TestSecureCookie(t *testing.T) {
	d := dbtest.SQLite(t)
	ts := newTestSite(t, d)
	ts.site.cfg.Secure = true
	a := ts.accounts["applicant"]
	r := ts.client().post("/login", url.Values{"email": {a.Email}, "password": {a.Password}})
	cookies := (&http.Response{Header: r.header}).Cookies()
	found := false
	for _, ck := range cookies {
		if ck.Name == "__Host-awardflow" {
			found = ck.Secure && ck.HttpOnly && ck.Path == "/" && ck.Domain == ""
		}
	}
	if !found {
		t.Errorf("no secure __Host- cookie: %v", cookies)
	}
}
