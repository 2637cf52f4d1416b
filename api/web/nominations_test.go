package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/workflow"
)

// actorOf signs in through the service and resolves the session as a
// page does.
func (ts *testSite) actorOf(email, pw string) workflow.Actor {
	ts.t.Helper()
	ctx := context.Background()
	_, tok, err := ts.svc.Login(ctx, email, pw)
	if err != nil {
		ts.t.Fatal(err)
	}
	_, a, err := ts.authz.Actor(ctx, ts.svc, tok.Value)
	if err != nil {
		ts.t.Fatal(err)
	}
	return a
}

func (ts *testSite) demoActor(key string) workflow.Actor {
	a := ts.accounts[key]
	return ts.actorOf(a.Email, a.Password)
}

// signIn is a client signed in with an email and password.
func (ts *testSite) signIn(email, pw string) *client {
	ts.t.Helper()
	c := ts.client()
	if r := c.post("/login", url.Values{"email": {email}, "password": {pw}}); r.status != http.StatusSeeOther {
		ts.t.Fatalf("sign in %s: %d", email, r.status)
	}
	return c
}

// otherApplicant signs a company up and creates its organisation, both
// through the service, and signs its clerk in.
func (ts *testSite) otherApplicant(email string, withOrg bool) *client {
	ts.t.Helper()
	ctx := context.Background()
	const pw = "correct horse battery staple"
	if _, _, err := ts.svc.Signup(ctx, email, "別社 担当", "ja", pw); err != nil {
		ts.t.Fatal(err)
	}
	if withOrg {
		o := workflow.Organisation{Name: "株式会社別社", NameKana: "ベッシャ", LegalForm: "kabushiki_kaisha", Prefecture: "13",
			Municipality: "千代田区", Industry: "G", SMESector: workflow.SectorServices, TotalHeadcount: 30, RegularHeadcount: 25, Capital: new(int64)}
		*o.Capital = 10_000_000
		if _, err := ts.svc.CreateOrganisation(ctx, ts.actorOf(email, pw), o); err != nil {
			ts.t.Fatal(err)
		}
	}
	return ts.signIn(email, pw)
}

// draftID is the demo applicant's MIC draft.
func (ts *testSite) draftID() int64 {
	ts.t.Helper()
	items, _, err := ts.svc.Nominations(context.Background(), ts.demoActor("applicant"), workflow.NominationFilter{Programme: "mic-pioneer"})
	if err != nil || len(items) != 1 || items[0].Nomination.State != workflow.Draft {
		ts.t.Fatalf("the demo applicant's draft: %v %+v", err, items)
	}
	return items[0].Nomination.ID
}

func TestNominationPagesByRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		id := ts.draftID()
		clients := map[string]*client{"other": ts.otherApplicant("other@example.jp", true)}
		for _, k := range []string{"anon", "applicant", "mic-judge-1", "mic-secretariat", "mhlw-secretariat", "admin"} {
			clients[k] = ts.as(k)
		}
		// What the service answers each role for the nomination itself: the
		// pages must answer the same (another organisation's is 404).
		seen := map[string]int{"anon": http.StatusSeeOther, "mic-judge-1": http.StatusForbidden, "other": http.StatusNotFound, "applicant": http.StatusOK}
		for _, k := range []string{"mic-secretariat", "mhlw-secretariat", "admin"} {
			_, err := ts.svc.Nomination(context.Background(), ts.demoActor(k), id)
			seen[k] = http.StatusOK
			if err != nil {
				seen[k] = statusOf[workflow.ErrorCode(err)]
			}
		}
		t.Logf("the service answers the draft with: %v", seen)
		if seen["mhlw-secretariat"] != http.StatusNotFound {
			t.Errorf("MHLW's secretariat sees MIC's draft: %d", seen["mhlw-secretariat"])
		}
		p := func(s string) string { return nominationPath(id, s) }
		notApplicant := func(k string) int { // staff may read and act, but not withdraw
			if seen[k] != http.StatusOK {
				return seen[k]
			}
			return http.StatusForbidden
		}
		draftDone := func(k string) int { // a draft has no receipt: back to its page
			if seen[k] != http.StatusOK {
				return seen[k]
			}
			return http.StatusSeeOther
		}
		type row struct {
			path string
			want map[string]int
		}
		all := func(f func(string) int) map[string]int {
			m := map[string]int{}
			for k := range clients {
				m[k] = f(k)
			}
			return m
		}
		rows := []row{
			{"/nominations/new?programme=mic-pioneer", map[string]int{"anon": 303, "applicant": 200, "other": 200, "mic-judge-1": 403,
				"mic-secretariat": 200, "mhlw-secretariat": 200, "admin": 200}},
			{"/nominations/new?programme=no-such", map[string]int{"anon": 303, "applicant": 404, "other": 404, "mic-judge-1": 403,
				"mic-secretariat": 404, "mhlw-secretariat": 404, "admin": 404}},
			{p(""), all(func(k string) int { return seen[k] })},
			{p("/edit?step=1"), all(func(k string) int {
				switch k {
				case "anon", "applicant", "other", "mic-judge-1":
					return seen[k]
				}
				return http.StatusForbidden // staff hold no edit permission
			})},
			{p("/edit?step=4"), map[string]int{"anon": 303, "applicant": 200, "other": 404, "mic-judge-1": 403, "mic-secretariat": 403, "mhlw-secretariat": 403, "admin": 403}},
			{p("/edit?step=5"), map[string]int{"anon": 303, "applicant": 404, "other": 404, "mic-judge-1": 403, "mic-secretariat": 403, "mhlw-secretariat": 403, "admin": 403}},
			{p("/confirm"), map[string]int{"anon": 303, "applicant": 200, "other": 404, "mic-judge-1": 403, "mic-secretariat": 403, "mhlw-secretariat": 403, "admin": 403}},
			{p("/done"), all(draftDone)},
			{p("/withdraw"), all(func(k string) int {
				switch k {
				case "anon", "applicant", "other", "mic-judge-1":
					return seen[k]
				}
				return notApplicant(k)
			})},
			{"/nominations/999999", map[string]int{"anon": 303, "applicant": 404, "other": 404, "mic-judge-1": 403, "mic-secretariat": 404, "mhlw-secretariat": 404, "admin": 404}},
			{"/nominations/x1", map[string]int{"anon": 303, "applicant": 404, "other": 404, "mic-judge-1": 403, "mic-secretariat": 404, "mhlw-secretariat": 404, "admin": 404}},
		}
		for _, rw := range rows {
			for who, want := range rw.want {
				for _, lang := range []string{"ja", "en"} {
					c := clients[who]
					c.lang = lang
					r := c.get(rw.path)
					if r.status != want {
						t.Errorf("%s as %s (%s): %d, want %d", rw.path, who, lang, r.status, want)
						continue
					}
					switch want {
					case http.StatusSeeOther:
						loc := r.header.Get("Location")
						if who == "anon" && !strings.HasPrefix(loc, "/login?next=") {
							t.Errorf("%s as anon: to %s", rw.path, loc)
						}
					default:
						checkPage(t, r, lang)
					}
				}
			}
		}
		for _, c := range clients {
			c.lang = ""
		}
		// Another organisation's nomination is 404 for every page and post.
		other := clients["other"]
		for _, path := range []string{p("/edit?step=1"), p("/submit"), p("/withdraw")} {
			if r := other.post(path, url.Values{"version": {"1"}, "reason": {"x"}}); r.status != http.StatusNotFound {
				t.Errorf("POST %s by another applicant: %d", path, r.status)
			}
		}
		// The form: one control per question, named q.<key>, labelled
		// with the question's Japanese label; steps listed.
		r := clients["applicant"].get(p("/edit?step=1"))
		for _, name := range []string{"q.initiative_title", "q.initiative_summary", "q.rules_basis", "q.telework_forms"} {
			if len(find(r.doc, func(n *html.Node) bool { return attr(n, "name") == name })) == 0 {
				t.Errorf("step 1 has no %s", name)
			}
		}
		if l := find(r.doc, func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == "f-q-initiative-title" }); len(l) != 1 || !strings.HasPrefix(text(l[0]), "取組の名称") {
			t.Errorf("initiative_title's label")
		}
		if !strings.Contains(r.body, "1つ以上選んでください。") || strings.Contains(r.body, "1以上。") {
			t.Errorf("telework_forms' hint does not say how many to choose")
		}
		if fieldValue(r, "q.initiative_title") != "どこでもオフィス" {
			t.Errorf("saved answer not shown: %q", fieldValue(r, "q.initiative_title"))
		}
		steps := find(r.doc, func(n *html.Node) bool { return n.Data == "ol" && strings.Contains(attr(n, "class"), "steps") })
		if len(steps) != 1 {
			t.Fatal("no ol.steps")
		}
		cur := find(steps[0], func(n *html.Node) bool { return attr(n, "aria-current") == "step" })
		if len(cur) != 1 || !strings.Contains(text(cur[0]), "ステップ1") {
			t.Errorf("current step")
		}
		if byID(r, "autosave-status") == nil || !strings.Contains(r.body, "nominations.") {
			t.Errorf("autosave status or script missing")
		}
		r = clients["applicant"].get(p("/edit?step=2"))
		for name, typ := range map[string]string{"q.practised": "radio", "q.introduced_on": "date", "q.eligible_staff": "text"} {
			ns := find(r.doc, func(n *html.Node) bool { return attr(n, "name") == name })
			if len(ns) == 0 || attr(ns[0], "type") != typ {
				t.Errorf("%s is not a %s input", name, typ)
			}
		}
		if ns := find(r.doc, func(n *html.Node) bool { return attr(n, "name") == "q.eligible_staff" }); len(ns) == 0 || attr(ns[0], "inputmode") != "numeric" {
			t.Errorf("eligible_staff has no numeric inputmode")
		}
	})
}

// autosave posts a step as nominations.js does.
func (c *client) autosave(path string, form url.Values) *response {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.ts.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.ts.srv.URL)
	req.Header.Set("X-Autosave", "1")
	return c.do(req)
}

// stepValues are the values a step's form shows, as a browser would post them.
func stepValues(r *response) url.Values {
	v := url.Values{}
	for _, n := range find(r.doc, func(n *html.Node) bool {
		return (n.Data == "input" || n.Data == "textarea" || n.Data == "select") && attr(n, "name") != ""
	}) {
		name := attr(n, "name")
		switch {
		case n.Data == "textarea":
			v.Add(name, text(n))
		case n.Data == "select":
			for _, o := range find(n, func(o *html.Node) bool { return o.Data == "option" }) {
				for _, a := range o.Attr {
					if a.Key == "selected" {
						v.Add(name, attr(o, "value"))
					}
				}
			}
		case attr(n, "type") == "radio" || attr(n, "type") == "checkbox":
			for _, a := range n.Attr {
				if a.Key == "checked" {
					v.Add(name, attr(n, "value"))
				}
			}
		default:
			v.Add(name, attr(n, "value"))
		}
	}
	return v
}

func TestNominationFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		id := ts.draftID()
		c := ts.as("applicant")
		p := func(s string) string { return nominationPath(id, s) }
		ctx := context.Background()
		answers := func() workflow.Nomination {
			v, err := ts.svc.Nomination(ctx, ts.demoActor("applicant"), id)
			if err != nil {
				t.Fatal(err)
			}
			return v.Nomination
		}

		// Step 2 with letters in a number: 422, summary, every typed value kept.
		r := c.get(p("/edit?step=2"))
		form := stepValues(r)
		version := form.Get("version")
		form.Set("q.eligible_staff", "百五十")
		form.Set("q.teleworkers", "１２０")
		form.Set("go", "next")
		r = c.post(p("/edit?step=2"), form)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad number: %d", r.status)
		}
		checkPage(t, r, "ja")
		if byID(r, "form-errors") == nil || byID(r, "f-q-eligible-staff-error") == nil {
			t.Errorf("no summary or field error")
		}
		if !strings.Contains(text(byID(r, "f-q-eligible-staff-error")), "整数") {
			t.Errorf("the domain's message is not shown: %s", text(byID(r, "f-q-eligible-staff-error")))
		}
		if fieldValue(r, "q.eligible_staff") != "百五十" || fieldValue(r, "q.teleworkers") != "１２０" {
			t.Errorf("typed values not kept: %q %q", fieldValue(r, "q.eligible_staff"), fieldValue(r, "q.teleworkers"))
		}
		if answers().Answers["eligible_staff"] == nil {
			t.Fatal("demo draft has no eligible_staff")
		}

		// Fixed with full-width digits: 303 to step 3, saved as numbers.
		form.Set("q.eligible_staff", "１６０")
		r = c.post(p("/edit?step=2"), form)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != p("/edit?step=3") {
			t.Fatalf("fixed step: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
		}
		n := answers()
		if fmt.Sprint(n.Answers["eligible_staff"]) != "160" || fmt.Sprint(n.Answers["teleworkers"]) != "120" {
			t.Errorf("answers: %v %v", n.Answers["eligible_staff"], n.Answers["teleworkers"])
		}
		if strconv.Itoa(n.Version) == version {
			t.Errorf("version did not move")
		}

		// Too long a text, on step 1: 422 with the limit.
		r = c.get(p("/edit?step=1"))
		form = stepValues(r)
		form.Set("q.initiative_title", strings.Repeat("あ", 61))
		form.Set("go", "save")
		if r = c.post(p("/edit?step=1"), form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "60文字以内") {
			t.Errorf("too long: %d", r.status)
		}

		// Autosave: 204 and the version moves; then the page's old version is stale.
		r = c.get(p("/edit?step=3"))
		form = stepValues(r)
		old := form.Get("version")
		form.Set("q.outcomes", "通勤時間が平均50分短縮。")
		r = c.autosave(p("/edit?step=3"), form)
		if r.status != http.StatusNoContent {
			t.Fatalf("autosave: %d %s", r.status, r.body)
		}
		oldN, _ := strconv.Atoi(old)
		if r.header.Get("X-Version") != strconv.Itoa(oldN+1) {
			t.Errorf("autosave version: %s after %s", r.header.Get("X-Version"), old)
		}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("version", r.header.Get("X-Version"))
		bad.Set("q.avg_telework_days", "many")
		if r = c.autosave(p("/edit?step=3"), bad); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "数値") ||
			!strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("autosave refused: %d %q", r.status, r.body)
		}
		form.Set("q.outcomes", "私の入力")
		form.Set("go", "save")
		r = c.post(p("/edit?step=3"), form) // still the old version
		if r.status != http.StatusConflict {
			t.Fatalf("stale version: %d", r.status)
		}
		checkPage(t, r, "ja")
		if !strings.Contains(r.body, "通勤時間が平均50分短縮。") || !strings.Contains(r.body, "私の入力") {
			t.Errorf("conflict page lacks their or my value")
		}
		if r = c.autosave(p("/edit?step=3"), form); r.status != http.StatusConflict {
			t.Errorf("stale autosave: %d", r.status)
		}

		// A required answer cleared: the step is marked, and submitting lists it.
		r = c.get(p("/edit?step=4"))
		form = stepValues(r)
		form.Set("q.contact_name", "")
		form.Set("go", "next")
		if r = c.post(p("/edit?step=4"), form); r.status != http.StatusSeeOther || r.header.Get("Location") != p("/confirm") {
			t.Fatalf("clearing a required answer is a draft: %d %s", r.status, r.header.Get("Location"))
		}
		r = c.get(p("/confirm"))
		checkPage(t, r, "ja")
		if !strings.Contains(r.body, "未入力の必須項目あり") {
			t.Errorf("confirm does not mark the missing answer")
		}
		form = url.Values{"version": {fieldValue(r, "version")}}
		r = c.post(p("/submit"), form)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("submit with a missing answer: %d", r.status)
		}
		checkPage(t, r, "ja")
		links := find(byID(r, "confirm-problems"), func(n *html.Node) bool { return n.Data == "a" })
		if len(links) != 1 || attr(links[0], "href") != p("/edit?step=4#f-q-contact-name") || !strings.Contains(text(links[0]), "担当者氏名") {
			t.Errorf("missing answers not linked to their step: %d links", len(links))
		}

		// Fixed, confirmed, submitted: the receipt with the time in 和暦.
		r = c.get(p("/edit?step=4"))
		form = stepValues(r)
		form.Set("q.contact_name", "山田太郎")
		form.Set("go", "next")
		if r = c.post(p("/edit?step=4"), form); r.status != http.StatusSeeOther {
			t.Fatalf("refill: %d", r.status)
		}
		r = c.get(p("/confirm"))
		if !strings.Contains(r.body, "山田太郎") || !strings.Contains(r.body, "通勤時間が平均50分短縮。") || !strings.Contains(r.body, "サテライトオフィス勤務") {
			t.Errorf("confirm does not show the answers")
		}
		if r = c.postFrom(p("/submit"), url.Values{"version": {fieldValue(r, "version")}}, "cross-site"); r.status != http.StatusForbidden {
			t.Errorf("cross-site submit: %d", r.status)
		}
		r = c.get(p("/confirm"))
		r = c.post(p("/submit"), url.Values{"version": {fieldValue(r, "version")}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != p("/done") {
			t.Fatalf("submit: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
		}
		for _, lang := range []string{"ja", "en"} {
			c.lang = lang
			r = c.get(p("/done"))
			if r.status != http.StatusOK {
				t.Fatalf("done: %d", r.status)
			}
			checkPage(t, r, lang)
			if got := text(byID(r, "receipt")); got != fmt.Sprintf("%s-%06d", demo.Key, id) {
				t.Errorf("receipt %q", got)
			}
			at := text(byID(r, "submitted-at"))
			want := "令和8年12月3日(木) 10:00（日本時間）"
			if lang == "en" {
				want = "3 December 2026 (Thu) 10:00 JST"
			}
			if at != want {
				t.Errorf("submitted at %q, want %q", at, want)
			}
		}
		c.lang = ""
		if n := answers(); n.State != workflow.UnderReview && n.State != workflow.Submitted {
			t.Errorf("state after submit: %s", n.State)
		}
		// No more editing once submitted; the status page says under review.
		if r = c.get(p("/edit?step=1")); r.status != http.StatusSeeOther || r.header.Get("Location") != p("") {
			t.Errorf("edit after submit: %d", r.status)
		}
		r = c.get(p(""))
		if !strings.Contains(r.body, "審査中") || !strings.Contains(r.body, "提出") {
			t.Errorf("status after submit")
		}

		// Withdraw: the reason is required; then 303 with a notice.
		r = c.get(p("/withdraw"))
		checkPage(t, r, "ja")
		version = fieldValue(r, "version")
		if r = c.post(p("/withdraw"), url.Values{"version": {version}, "reason": {"  "}}); r.status != http.StatusUnprocessableEntity || byID(r, "form-errors") == nil {
			t.Errorf("withdraw without a reason: %d", r.status)
		}
		if r = c.postFrom(p("/withdraw"), url.Values{"version": {version}, "reason": {"社内事情"}}, "cross-site"); r.status != http.StatusForbidden {
			t.Errorf("cross-site withdraw: %d", r.status)
		}
		if r = c.post(p("/withdraw"), url.Values{"version": {version}, "reason": {"社内事情のため"}}); r.status != http.StatusSeeOther || r.header.Get("Location") != p("") {
			t.Fatalf("withdraw: %d", r.status)
		}
		r = c.get(p(""))
		if !strings.Contains(r.body, "応募を取り下げました。") || !strings.Contains(r.body, "取下げ") || !strings.Contains(r.body, "社内事情のため") {
			t.Errorf("status after withdrawal")
		}
		if r = c.get(p("/withdraw")); r.status != http.StatusConflict {
			t.Errorf("withdraw twice: %d", r.status)
		}
	})
}

func TestStartNomination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := ts.otherApplicant("new@example.jp", true)
		r := c.get("/nominations/new?programme=mic-pioneer")
		checkPage(t, r, "ja")
		if !strings.Contains(r.body, "テレワークトップランナー") || !strings.Contains(r.body, "令和9年1月2日") {
			t.Errorf("new page lacks the programme or its deadline in 和暦")
		}
		form := url.Values{"cycle": {fieldValue(r, "cycle")}, "programme": {fieldValue(r, "programme")}}
		if r = c.postFrom("/nominations", form, "cross-site"); r.status != http.StatusForbidden {
			t.Errorf("cross-site create: %d", r.status)
		}
		r = c.post("/nominations", form)
		if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/edit?step=1") {
			t.Fatalf("create: %d %s", r.status, r.header.Get("Location"))
		}
		to := strings.TrimSuffix(r.header.Get("Location"), "/edit?step=1")
		if r = c.get(r.header.Get("Location")); r.status != http.StatusOK || fieldValue(r, "q.initiative_title") != "" {
			t.Errorf("new draft's first step: %d", r.status)
		}
		// Again: the domain says a nomination exists, with a link to it.
		r = c.post("/nominations", form)
		if r.status != http.StatusConflict || byID(r, "form-errors") == nil {
			t.Fatalf("second create: %d", r.status)
		}
		checkPage(t, r, "ja")
		if ls := find(r.doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == to }); len(ls) != 1 {
			t.Errorf("no link to the existing draft %s", to)
		}
		// MHLW's call has closed: said on the page, and refused by the domain.
		r = c.get("/nominations/new?programme=mhlw-kagayaku")
		if !strings.Contains(r.body, "締め切られました") || strings.Contains(r.body, `action="/nominations"`) {
			t.Errorf("closed call offers a button")
		}
		r = c.post("/nominations", url.Values{"cycle": {demo.Key}, "programme": {"mhlw-kagayaku"}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "募集期間") {
			t.Errorf("create in a closed call: %d", r.status)
		}
		// Without an organisation: a call to register it.
		c = ts.otherApplicant("noorg@example.jp", false)
		r = c.get("/nominations/new?programme=mic-pioneer")
		if r.status != http.StatusOK || !strings.Contains(r.body, `href="/org/new"`) {
			t.Errorf("no organisation: %d", r.status)
		}
	})
}

func TestReturnedNomination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ctx := context.Background()
		items, _, err := ts.svc.Nominations(ctx, testAdmin, workflow.NominationFilter{Programme: "mhlw-kagayaku", State: workflow.Returned})
		if err != nil || len(items) != 1 || items[0].OrganisationName != "株式会社杜の都ホテルズ" {
			t.Fatalf("the returned demo nomination: %v %+v", err, items)
		}
		n := items[0].Nomination
		const pw = "correct horse battery staple"
		if _, err := ts.svc.CreateUser(ctx, testAdmin, workflow.NewUser{Email: "hotels@example.jp", Name: "杜の都 担当", Locale: "ja", Password: pw,
			Role: workflow.RoleApplicant, Domain: workflow.AnyDomain, OrganisationID: n.OrganisationID}); err != nil {
			t.Fatal(err)
		}
		c := ts.signIn("hotels@example.jp", pw)
		p := func(s string) string { return nominationPath(n.ID, s) }
		for _, lang := range []string{"ja", "en"} {
			c.lang = lang
			r := c.get(p(""))
			if r.status != http.StatusOK {
				t.Fatalf("returned nomination: %d", r.status)
			}
			checkPage(t, r, lang)
			if text(byID(r, "return-reason")) != "時間外労働の記録が添付されていません" || byID(r, "return-due") == nil {
				t.Errorf("reason or due date missing")
			}
			if ls := find(r.doc, func(x *html.Node) bool { return x.Data == "a" && attr(x, "href") == p("/edit?step=1") }); len(ls) != 1 {
				t.Errorf("no link to correct it")
			}
		}
		c.lang = ""
		r := c.get(p(""))
		if !strings.Contains(text(byID(r, "return-due")), "令和8年12月17日") || !strings.Contains(r.body, "修正する") {
			t.Errorf("due date in 和暦: %q", text(byID(r, "return-due")))
		}
		// The demo applicant (another organisation) gets the API's 404.
		if r := ts.as("applicant").get(p("")); r.status != http.StatusNotFound {
			t.Errorf("another organisation's returned nomination: %d", r.status)
		}
		// Corrected and resubmitted through edit → confirm → submit.
		r = c.get(p("/edit?step=1"))
		form := stepValues(r)
		form.Set("q.max_monthly_overtime", "２０.５")
		form.Set("go", "next")
		if r = c.post(p("/edit?step=1"), form); r.status != http.StatusSeeOther || r.header.Get("Location") != p("/edit?step=2") {
			t.Fatalf("correction: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
		}
		r = c.get(p("/confirm"))
		if !strings.Contains(r.body, "再提出") || !strings.Contains(r.body, "20.5") {
			t.Errorf("confirm for a resubmission")
		}
		r = c.post(p("/submit"), url.Values{"version": {fieldValue(r, "version")}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != p("/done") {
			t.Fatalf("resubmit: %d\n%s", r.status, r.body)
		}
		if r = c.get(p("/done")); r.status != http.StatusOK || !strings.Contains(r.body, "修正した応募書類を受け付けました") {
			t.Errorf("done after resubmission: %d", r.status)
		}
	})
}
