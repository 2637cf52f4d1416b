package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/workflow"
)

// staff is an administrator acting from the test, as the demo's loader does.
var staff = workflow.Actor{ID: "cli:test", Name: "test", Grants: []workflow.Grant{{Role: workflow.RoleAdmin, Domain: workflow.AnyDomain}}}

const evilName = `<script>alert("x")</script>浪速精密工業株式会社`

// publishMIC takes the demo's MIC programme to a published award list:
// its call closes, the Top 100 decision stands, the results are released
// and version 1 is published with the embargo given. One applicant's name
// is corrected to carry markup first, so the pages must escape it.
func publishMIC(t *testing.T, ts *testSite, embargo time.Time) {
	t.Helper()
	ctx := context.Background()
	ts.clock.Set(demoDay.AddDate(0, 0, 31)) // MIC's call closes 30 days after the demo day
	items, _, err := ts.svc.Nominations(ctx, staff, workflow.NominationFilter{Cycle: demo.Key, Programme: "mic-pioneer", Q: "浪速"})
	if err != nil || len(items) != 1 {
		t.Fatalf("nominations: %v %d", err, len(items))
	}
	n := items[0].Nomination
	name := evilName
	if _, err := ts.svc.CorrectPublic(ctx, staff, n.ID, n.Version, workflow.PublicPatch{OrganisationName: &name, Reason: "表記の確認"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.svc.Release(ctx, staff, demo.Key, "mic-pioneer", workflow.ReleaseRequest{ConfirmUndecided: true, Reason: "未審査分は対象外"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.svc.Publish(ctx, staff, demo.Key, "mic-pioneer", embargo, ""); err != nil {
		t.Fatal(err)
	}
}

// rows are the award tables' rows (their row headers: the names).
func rows(r *response) []string {
	var out []string
	for _, th := range find(r.doc, func(n *html.Node) bool {
		return n.Data == "th" && attr(n, "scope") == "row"
	}) {
		out = append(out, text(th))
	}
	return out
}

func TestPublicPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		cycle := "/awards/" + demo.Key

		// The demo year has nothing published yet (last year's list is):
		// its page says so plainly.
		for _, lang := range []string{"ja", "en"} {
			c := ts.as("anon")
			c.lang = lang
			r := c.get("/")
			if r.status != 200 {
				t.Fatalf("home %s: %d", lang, r.status)
			}
			checkPage(t, r, lang)
			if !strings.Contains(r.body, `href="/awards/`+demo.PastKey+`"`) {
				t.Error("the home does not link last year's published list")
			}
			if r := c.get(cycle); r.status != 200 || !strings.Contains(text(r.doc), map[string]string{"ja": "まだ公表されていません", "en": "has been published yet"}[lang]) {
				t.Errorf("empty award list %s: %d", lang, r.status)
			}
		}

		embargo := demoDay.AddDate(0, 0, 35)
		publishMIC(t, ts, embargo)

		// Embargoed: absent from every public page until its time.
		anon := ts.as("anon")
		for _, path := range []string{"/", cycle, cycle + "/mic-pioneer/v1"} {
			r := anon.get(path)
			if strings.Contains(r.body, "浪速精密工業") || strings.Contains(r.body, "さくらクラウド") {
				t.Errorf("%s shows the embargoed list (%d)", path, r.status)
			}
		}
		if r := anon.get(cycle + "/mic-pioneer/v1"); r.status != 404 {
			t.Errorf("embargoed permalink: %d", r.status)
		}
		ts.clock.Set(embargo.Add(-time.Second))
		if r := anon.get(cycle); strings.Contains(r.body, "さくらクラウド") {
			t.Error("the list shows a second before its embargo")
		}
		ts.clock.Set(embargo)

		// Every page, ja and en, signed out and signed in.
		pages := []string{"/", cycle, cycle + "?prefecture=27", cycle + "/mic-pioneer/v1", "/accessibility"}
		for _, who := range []string{"anon", "applicant", "mic-secretariat"} {
			for _, lang := range []string{"ja", "en"} {
				c := ts.as(who)
				c.lang = lang
				for _, p := range pages {
					r := c.get(p)
					if r.status != 200 {
						t.Errorf("%s %s %s: %d", who, lang, p, r.status)
						continue
					}
					checkPage(t, r, lang)
					signup := byID(r, "apply-heading") != nil
					if p == "/" && signup != (who == "anon") {
						t.Errorf("%s %s: sign-up entry shown = %v", who, lang, signup)
					}
				}
			}
		}

		// The home links to the list and the version; the list has its
		// rows by tier, captions, column headers, downloads and permalink.
		r := anon.get("/")
		for _, href := range []string{cycle + "?programme=mic-pioneer", cycle + "/mic-pioneer/v1"} {
			if len(find(r.doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == href })) == 0 {
				t.Errorf("home has no link to %s", href)
			}
		}
		r = anon.get(cycle)
		all := rows(r)
		if len(all) != 6 { // four selected for the Top 100, two Pioneers (one recognised only, one not selected for the Top 100)
			t.Fatalf("rows: %q", all)
		}
		if caps := find(r.doc, func(n *html.Node) bool { return n.Data == "caption" }); len(caps) != 2 {
			t.Errorf("%d tables, want one per tier (Top 100, Pioneer)", len(caps))
		}
		if cols := find(r.doc, func(n *html.Node) bool { return n.Data == "th" && attr(n, "scope") == "col" }); len(cols) < 10 {
			t.Errorf("%d column headers", len(cols))
		}
		for _, td := range find(r.doc, func(n *html.Node) bool { return n.Data == "td" }) {
			if attr(td, "data-label") == "" {
				t.Fatal("a cell without data-label: it reads without its header on a narrow screen")
			}
		}
		if !strings.Contains(text(byID(r, "result-count")), "6件") {
			t.Errorf("count: %q", text(byID(r, "result-count")))
		}
		links := map[string]string{}
		for _, a := range find(r.doc, func(n *html.Node) bool { return n.Data == "a" }) {
			links[attr(a, "href")] = text(a)
		}
		csvLink := "/api/v1/public/cycles/" + demo.Key + "/awards.csv"
		if !strings.Contains(links[csvLink], "CSV形式、UTF-8、") || !strings.Contains(links[csvLink], "KB") ||
			!strings.Contains(links["/api/v1/public/cycles/"+demo.Key+"/awards.xlsx"], "Excel形式") {
			t.Errorf("downloads: %q", links)
		}
		if _, ok := links[cycle+"/mic-pioneer/v1"]; !ok {
			t.Error("no permalink to version 1")
		}

		// The prefecture filter narrows the rows, and the downloads with them.
		r = anon.get(cycle + "?prefecture=27")
		if got := rows(r); len(got) != 1 || !strings.Contains(got[0], "浪速精密工業") {
			t.Errorf("Osaka: %q", got)
		}
		if sel := find(r.doc, func(n *html.Node) bool { return n.Data == "option" && attr(n, "value") == "27" }); len(sel) != 1 ||
			!hasAttr(sel[0], "selected") {
			t.Error("the chosen prefecture is not kept")
		}
		if len(find(r.doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == csvLink+"?prefecture=27" })) != 1 {
			t.Error("the CSV link does not carry the prefecture")
		}
		if r := anon.get(cycle + "?prefecture=13&programme=mhlw-kagayaku"); len(rows(r)) != 0 || !strings.Contains(r.body, "選んだ表彰の受賞一覧は、まだ公表されていません") {
			t.Errorf("MHLW has no list: %q", rows(r))
		}
		// Prefectures in JIS order: 北海道 first, 沖縄県 last.
		opts := find(r.doc, func(n *html.Node) bool {
			return n.Data == "option" && n.Parent != nil && attr(n.Parent, "name") == "prefecture"
		})
		if len(opts) != 48 || attr(opts[1], "value") != "01" || attr(opts[47], "value") != "47" {
			t.Errorf("prefecture options: %d", len(opts))
		}
		if r := anon.get(cycle + "?prefecture=99"); r.status != 422 || byID(r, "form-errors") == nil {
			t.Errorf("unknown prefecture: %d", r.status)
		}

		// The name with markup is text, never markup.
		for _, p := range []string{cycle, cycle + "/mic-pioneer/v1"} {
			r := anon.get(p)
			if strings.Contains(r.body, "<script>alert") || !strings.Contains(r.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
				t.Errorf("%s does not escape the name", p)
			}
		}

		// A correction: version 2 is the list; version 1 says it was
		// replaced. A version withdrawn before its embargo never appears.
		ctx := context.Background()
		if _, err := ts.svc.Publish(ctx, staff, demo.Key, "mic-pioneer", embargo.Add(time.Hour), "名称の誤りを訂正"); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.svc.Publish(ctx, staff, demo.Key, "mic-pioneer", embargo.Add(48*time.Hour), "再訂正"); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.svc.WithdrawPublication(ctx, staff, demo.Key, "mic-pioneer", 3, "誤って公表予約した"); err != nil {
			t.Fatal(err)
		}
		ts.clock.Set(embargo.Add(72 * time.Hour))
		r = anon.get(cycle)
		if _, ok := hrefs(r)[cycle+"/mic-pioneer/v2"]; !ok || strings.Contains(r.body, "/mic-pioneer/v3") {
			t.Errorf("the list does not link version 2 only")
		}
		if !strings.Contains(r.body, "名称の誤りを訂正") {
			t.Error("the correction's reason is not shown")
		}
		r = anon.get(cycle + "/mic-pioneer/v1")
		if r.status != 200 || !strings.Contains(r.body, "第2版が公表されています") {
			t.Errorf("version 1 does not say it was replaced: %d", r.status)
		}
		if strings.Contains(r.body, "第3版") {
			t.Error("version 1 lists the withdrawn version 3")
		}
		if r := anon.get(cycle + "/mic-pioneer/v3"); r.status != 404 {
			t.Errorf("withdrawn permalink: %d", r.status)
		}

		// Unknown cycles, programmes and versions are 404 pages.
		for _, p := range []string{"/awards/fy1999", "/awards/fy1999/mic-pioneer/v1", cycle + "/nope/v1", cycle + "/mic-pioneer/v9",
			cycle + "/mic-pioneer/1", cycle + "/mic-pioneer/v01", cycle + "/mic-pioneer/v0"} {
			r := anon.get(p)
			if r.status != http.StatusNotFound {
				t.Errorf("%s: %d", p, r.status)
				continue
			}
			checkPage(t, r, "ja")
		}
	})
}

func hrefs(r *response) map[string]bool {
	out := map[string]bool{}
	for _, a := range find(r.doc, func(n *html.Node) bool { return n.Data == "a" }) {
		out[attr(a, "href")] = true
	}
	return out
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
