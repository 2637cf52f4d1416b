package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// demoDay is the day the test sites' demo year is loaded around: MIC's call
// open, MHLW's closed, judging under way.
var demoDay = time.Date(2026, 12, 3, 10, 0, 0, 0, workflow.Tokyo)

// testAdmin is who tests act as to set up data through the service.
var testAdmin = workflow.Actor{ID: "cli:test", Name: "test", Grants: []workflow.Grant{{Role: workflow.RoleAdmin, Domain: workflow.AnyDomain}}}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// testSite is the web UI over a fresh database holding the demo year,
// served on a loopback port.
type testSite struct {
	t        testing.TB
	d        *db.DB
	svc      *workflow.Service
	authz    *policy.Authorizer
	site     *Site
	srv      *httptest.Server
	clock    *clock
	accounts map[string]demo.Account // by demo key: applicant, mic-judge-1, mic-secretariat, admin, …
}

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// newTestSite serves a copy of the demo year in a database of d's
// dialect; d itself stays empty. The demo is loaded once per dialect in
// the test binary (it takes seconds), and each site gets its own copy.
func newTestSite(t testing.TB, d *db.DB) *testSite {
	t.Helper()
	d, accounts := dbtest.Seeded(t, d.Dialect, "demo", loadDemo)
	ts := &testSite{t: t, d: d, clock: &clock{t: demoDay}, accounts: map[string]demo.Account{}}
	for _, a := range accounts {
		ts.accounts[a.Key] = a
	}
	ts.authz = policy.MustNew()
	ts.svc = workflow.NewService(db.NewStore(d), ts.clock.Now, workflow.WithAuthorizer(ts.authz),
		workflow.WithSheetKey(bytes.Repeat([]byte("k"), 32))) // signs the judges' offline scoring sheets
	var err error
	ts.site, err = newSite(Config{Service: ts.svc, Authorizer: ts.authz, Now: ts.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts.srv = httptest.NewServer(ts.site.Handler())
	t.Cleanup(ts.srv.Close)
	return ts
}

// loadDemo loads the demo year around demoDay and returns its accounts.
func loadDemo(ctx context.Context, d *db.DB) ([]demo.Account, error) {
	var out bytes.Buffer
	accounts, err := demo.Load(ctx, d, demoDay, testAdmin, &out)
	if err != nil {
		return nil, fmt.Errorf("demo: %w\n%s", err, out.String())
	}
	return accounts, nil
}

// client is a browser without JavaScript: a cookie jar, no redirects
// followed, same-origin headers on posts as a browser sends them.
type client struct {
	t    testing.TB
	ts   *testSite
	http *http.Client
	lang string // sent as Accept-Language when set
}

func (ts *testSite) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: ts.t, ts: ts, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// as signs in with a demo account and returns its client.
func (ts *testSite) as(key string) *client {
	ts.t.Helper()
	c := ts.client()
	if key == "anon" {
		return c
	}
	a, ok := ts.accounts[key]
	if !ok {
		ts.t.Fatalf("no demo account %q", key)
	}
	r := c.post("/login", url.Values{"email": {a.Email}, "password": {a.Password}})
	if r.status != http.StatusSeeOther {
		ts.t.Fatalf("sign in as %s: %d\n%s", key, r.status, r.body)
	}
	return c
}

type response struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := &response{status: res.StatusCode, header: res.Header, body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if r.doc, err = html.Parse(bytes.NewReader(b)); err != nil {
			c.t.Fatal(err)
		}
	}
	return r
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.ts.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form as a browser on this site's own page does.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	return c.postFrom(path, form, "same-origin")
}

func (c *client) postFrom(path string, form url.Values, fetchSite string) *response {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.ts.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", fetchSite)
	if fetchSite == "same-origin" {
		req.Header.Set("Origin", c.ts.srv.URL)
	} else {
		req.Header.Set("Origin", "https://evil.example")
	}
	return c.do(req)
}

// checkPage asserts what every page must be: <html lang>, one <h1>, a
// label for every control, unique ids, aria-describedby pointing at
// elements that exist, no untranslated catalogue key.
func checkPage(t testing.TB, r *response, lang string) {
	t.Helper()
	if r.doc == nil {
		t.Fatalf("not HTML: %s", r.header.Get("Content-Type"))
	}
	if strings.Contains(r.body, "⟦") {
		i := strings.Index(r.body, "⟦")
		t.Errorf("untranslated key: %s", r.body[i:min(len(r.body), i+60)])
	}
	root := find(r.doc, func(n *html.Node) bool { return n.Data == "html" })
	if len(root) != 1 || attr(root[0], "lang") != lang {
		t.Errorf("<html lang> is not %q", lang)
	}
	if h1 := find(r.doc, func(n *html.Node) bool { return n.Data == "h1" }); len(h1) != 1 {
		t.Errorf("%d <h1> elements", len(h1))
	}
	ids := map[string]bool{}
	for _, n := range find(r.doc, func(n *html.Node) bool { return attr(n, "id") != "" }) {
		if ids[attr(n, "id")] {
			t.Errorf("id %q twice", attr(n, "id"))
		}
		ids[attr(n, "id")] = true
	}
	labelled := map[string]bool{}
	for _, l := range find(r.doc, func(n *html.Node) bool { return n.Data == "label" }) {
		labelled[attr(l, "for")] = true
	}
	for _, n := range find(r.doc, func(n *html.Node) bool {
		return n.Data == "input" || n.Data == "select" || n.Data == "textarea"
	}) {
		switch attr(n, "type") {
		case "hidden", "submit", "button":
			continue
		}
		if !labelled[attr(n, "id")] && attr(n, "aria-label") == "" {
			t.Errorf("<%s name=%q> has no label", n.Data, attr(n, "name"))
		}
		for _, id := range strings.Fields(attr(n, "aria-describedby")) {
			if !ids[id] {
				t.Errorf("<%s name=%q> is described by missing #%s", n.Data, attr(n, "name"), id)
			}
		}
	}
}

func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// text is an element's text content, spaces collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// byID is the element with that id, or nil.
func byID(r *response, id string) *html.Node {
	ns := find(r.doc, func(n *html.Node) bool { return attr(n, "id") == id })
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

// fieldValue is the value a form shows for the control named name.
func fieldValue(r *response, name string) string {
	ns := find(r.doc, func(n *html.Node) bool { return attr(n, "name") == name })
	if len(ns) == 0 {
		return ""
	}
	if ns[0].Data == "textarea" {
		return text(ns[0])
	}
	return attr(ns[0], "value")
}
