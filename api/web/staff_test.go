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

// staffOrg is an organisation the staff tests create: where it is, what
// it does and how many it employs.
type staffOrg struct {
	pref, industry string
	headcount      int
}

// submittedMIC creates organisations and submits a MIC nomination for
// each, through the services, as its applicant.
func (ts *testSite) submittedMIC(t testing.TB, prefix string, orgs ...staffOrg) []workflow.Nomination {
	t.Helper()
	return ts.submitted(t, "mic-pioneer", prefix, orgs...)
}

// submitted creates organisations and submits a nomination to programme
// for each (its call must be open on the site's clock), through the
// services, as its applicant.
func (ts *testSite) submitted(t testing.TB, programme, prefix string, orgs ...staffOrg) []workflow.Nomination {
	t.Helper()
	ctx := context.Background()
	var out []workflow.Nomination
	for i, so := range orgs {
		o, err := ts.svc.CreateOrganisation(ctx, testAdmin, workflow.Organisation{Name: fmt.Sprintf("株式会社%s%03d", prefix, i),
			NameKana: "テスト", LegalForm: "kabushiki_kaisha", Prefecture: so.pref, Municipality: "中央区", Industry: so.industry,
			SMESector: workflow.SectorServices, TotalHeadcount: so.headcount, RegularHeadcount: so.headcount})
		if err != nil {
			t.Fatal(err)
		}
		applicant := workflow.Actor{ID: "applicant:" + o.Name, Name: o.Name, OrganisationID: o.ID,
			Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}}
		n, err := ts.svc.CreateNomination(ctx, applicant, o.ID, demo.Key, programme)
		if err != nil {
			t.Fatal(err)
		}
		if n, err = ts.svc.UpdateAnswers(ctx, applicant, n.ID, n.Version, demo.Answers(programme, i)); err != nil {
			t.Fatal(err)
		}
		if n, err = ts.svc.Transition(ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{}); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func same(n int, o staffOrg) []staffOrg {
	out := make([]staffOrg, n)
	for i := range out {
		out[i] = o
	}
	return out
}

func (ts *testSite) state(t testing.TB, id int64) workflow.Nomination {
	t.Helper()
	v, err := ts.svc.Nomination(context.Background(), testAdmin, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Nomination
}

// rowsOf are the nomination ids a list page shows, in order.
func rowsOf(r *response) []int64 {
	var out []int64
	for _, n := range find(r.doc, func(n *html.Node) bool { return attr(n, "name") == "sel" }) {
		id, _, _ := strings.Cut(attr(n, "value"), ":")
		v, _ := strconv.ParseInt(id, 10, 64)
		out = append(out, v)
	}
	return out
}

func selection(ns ...workflow.Nomination) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%d:%d", n.ID, n.Version))
	}
	return out
}

// TestStaffDashboard: each secretariat sees its own ministry's programmes
// only, with the counts by state linking to the filtered list, the windows
// in 和暦 with the time left, and the stages' judging progress.
func TestStaffDashboard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		cases := []struct {
			who        string
			sees, hide []string
		}{
			{"mic-secretariat", []string{"テレワークトップランナー", "あと", "提出済"}, []string{"輝くテレワーク"}},
			{"mhlw-secretariat", []string{"輝くテレワーク"}, []string{"テレワークトップランナー"}},
			{"admin", []string{"テレワークトップランナー", "輝くテレワーク"}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.who, func(t *testing.T) {
				r := ts.as(tc.who).get("/staff")
				if r.status != http.StatusOK {
					t.Fatalf("%d\n%s", r.status, r.body)
				}
				checkPage(t, r, "ja")
				for _, s := range tc.sees {
					if !strings.Contains(r.body, s) {
						t.Errorf("missing %q", s)
					}
				}
				for _, s := range tc.hide {
					if strings.Contains(r.body, s) {
						t.Errorf("shows %q", s)
					}
				}
			})
		}
		counts, err := ts.svc.StateCounts(context.Background(), testAdmin, demo.Key, "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		r := ts.as("mic-secretariat").get("/staff")
		for st, n := range counts {
			q := url.Values{"cycle": {demo.Key}, "programme": {"mic-pioneer"}, "state": {string(st)}}
			link := find(r.doc, func(x *html.Node) bool { return x.Data == "a" && attr(x, "href") == "/staff/nominations?"+q.Encode() })
			if len(link) != 1 || text(link[0]) != fmt.Sprintf("%d件", n) {
				t.Errorf("%s: want one link reading %d件, got %d", st, n, len(link))
			}
		}
		for _, who := range []string{"applicant", "mic-judge-1", "mic-chair"} {
			if r := ts.as(who).get("/staff"); r.status != http.StatusForbidden {
				t.Errorf("%s: %d", who, r.status)
			}
		}
	})
}

// TestStaffListFilters: every filter of the URL narrows the list to the
// nominations it names, with the total.
func TestStaffListFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		okinawa := ts.submittedMIC(t, "沖縄", staffOrg{"47", "G", 10}, staffOrg{"47", "E", 150})
		nagano := ts.submittedMIC(t, "信濃", staffOrg{"20", "G", 500})
		ctx := context.Background()
		if _, err := ts.svc.Transition(ctx, testAdmin, nagano[0].ID, 0, workflow.StartScreening, workflow.Input{}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			query string
			want  []workflow.Nomination
		}{
			{"prefecture=47", []workflow.Nomination{okinawa[1], okinawa[0]}},
			{"prefecture=47&industry=E", []workflow.Nomination{okinawa[1]}},
			{"prefecture=47&size=le20", []workflow.Nomination{okinawa[0]}},
			{"size=gt300&q=" + url.QueryEscape("信濃"), []workflow.Nomination{nagano[0]}},
			{"state=screening&q=" + url.QueryEscape("信濃"), []workflow.Nomination{nagano[0]}},
			{"state=submitted&q=" + url.QueryEscape("信濃"), nil},
			{"programme=mhlw-kagayaku&q=" + url.QueryEscape("沖縄"), nil},
			{"programme=mic-pioneer&cycle=" + demo.Key + "&q=" + url.QueryEscape("沖縄"), []workflow.Nomination{okinawa[1], okinawa[0]}},
		}
		c := ts.as("mic-secretariat")
		for _, tc := range cases {
			t.Run(tc.query, func(t *testing.T) {
				r := c.get("/staff/nominations?" + tc.query)
				if r.status != http.StatusOK {
					t.Fatalf("%d\n%s", r.status, r.body)
				}
				checkPage(t, r, "ja")
				var want []int64
				for _, n := range tc.want {
					want = append(want, n.ID)
				}
				if got := rowsOf(r); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("rows %v, want %v", got, want)
				}
				if got := text(byID(r, "result-count")); !strings.Contains(got, fmt.Sprintf("%d件", len(want))) {
					t.Errorf("count %q, want %d件", got, len(want))
				}
			})
		}
		for _, bad := range []string{"size=huge", "state=approved"} {
			if r := c.get("/staff/nominations?" + bad); r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", bad, r.status)
			}
		}
		r := ts.as("mhlw-secretariat").get("/staff/nominations?q=" + url.QueryEscape("沖縄"))
		if len(rowsOf(r)) != 0 || strings.Contains(r.body, "株式会社沖縄") {
			t.Errorf("MHLW's secretariat sees MIC's nominations")
		}
		if r := ts.as("applicant").get("/staff/nominations"); r.status != http.StatusForbidden {
			t.Errorf("applicant: %d", r.status)
		}
	})
}

// TestStaffListVerdict: the 要件判定 filter narrows the list to the stored
// verdict, each row shows it, an unknown verdict is refused with the typed
// filters kept, and a cursor of one verdict does not page another.
func TestStaffListVerdict(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ns := ts.submittedMIC(t, "判定", same(3, staffOrg{"13", "G", 50})...)
		ctx := context.Background()
		for _, n := range ns {
			if n.Eligibility != workflow.Pass {
				t.Fatalf("fixture %d: %q", n.ID, n.Eligibility)
			}
		}
		due := ts.clock.Now().AddDate(0, 0, 14)
		failing, err := ts.svc.Transition(ctx, testAdmin, ns[1].ID, ns[1].Version, workflow.Return, workflow.Input{Reason: "確認", Due: &due})
		if err != nil {
			t.Fatal(err)
		}
		applicant := workflow.Actor{ID: "applicant:verdict", OrganisationID: failing.OrganisationID,
			Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}}
		if failing, err = ts.svc.UpdateAnswers(ctx, applicant, failing.ID, failing.Version, map[string]any{"practised": false}); err != nil || failing.Eligibility != workflow.Fail {
			t.Fatalf("not practised: %q, %v", failing.Eligibility, err)
		}
		q := "q=" + url.QueryEscape("株式会社判定")
		c := ts.as("mic-secretariat")
		for _, tc := range []struct {
			query, shown string
			want         []int64
		}{
			{"verdict=eligible&" + q, "適合", []int64{ns[2].ID, ns[0].ID}},
			{"verdict=ineligible&" + q, "不適合", []int64{failing.ID}},
			{"verdict=ineligible&state=submitted&" + q, "", nil},
			{"verdict=unknown&" + q, "", nil},
		} {
			t.Run(tc.query, func(t *testing.T) {
				r := c.get("/staff/nominations?" + tc.query)
				if r.status != http.StatusOK {
					t.Fatalf("%d\n%s", r.status, r.body)
				}
				checkPage(t, r, "ja")
				if got := rowsOf(r); fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("rows %v, want %v", got, tc.want)
				}
				cells := find(r.doc, func(n *html.Node) bool { return attr(n, "data-label") == "要件判定" })
				for _, cell := range cells {
					if text(cell) != tc.shown {
						t.Errorf("verdict cell %q, want %q", text(cell), tc.shown)
					}
				}
				if len(cells) != len(tc.want) {
					t.Errorf("%d verdict cells for %d rows", len(cells), len(tc.want))
				}
			})
		}
		r := c.get("/staff/nominations?verdict=maybe&" + q)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "要件判定「maybe」はありません") || !strings.Contains(r.body, `value="株式会社判定"`) {
			t.Errorf("unknown verdict: %d", r.status)
		}
		_, info, err := ts.svc.Nominations(ctx, testAdmin, workflow.NominationFilter{Verdict: workflow.Pass, Q: "株式会社判定", Page: workflow.Page{Limit: 1}})
		if err != nil || info.NextCursor == "" {
			t.Fatal(info, err)
		}
		if r := c.get("/staff/nominations?verdict=ineligible&" + q + "&cursor=" + url.QueryEscape(info.NextCursor)); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a cursor of another verdict: %d", r.status)
		}
	})
}

// TestStaffListPagesAndCSV: next and previous pages follow the cursor and
// come back to the same rows; the CSV holds every match with a BOM.
func TestStaffListPagesAndCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ns := ts.submittedMIC(t, "頁", same(workflow.DefaultLimit+5, staffOrg{"13", "G", 50})...)
		c := ts.as("mic-secretariat")
		q := "/staff/nominations?q=" + url.QueryEscape("株式会社頁")
		first := c.get(q)
		p1 := rowsOf(first)
		if len(p1) != workflow.DefaultLimit || p1[0] != ns[len(ns)-1].ID {
			t.Fatalf("page 1: %d rows from %v", len(p1), p1[:1])
		}
		next := find(first.doc, func(n *html.Node) bool { return attr(n, "rel") == "next" })
		if len(next) != 1 {
			t.Fatal("no next page")
		}
		second := c.get(attr(next[0], "href"))
		if p2 := rowsOf(second); len(p2) != 5 || p2[4] != ns[0].ID {
			t.Fatalf("page 2: %v", p2)
		}
		prev := find(second.doc, func(n *html.Node) bool { return attr(n, "rel") == "prev" })
		if len(prev) != 1 {
			t.Fatal("no previous page")
		}
		if back := rowsOf(c.get(attr(prev[0], "href"))); fmt.Sprint(back) != fmt.Sprint(p1) {
			t.Fatal("the previous page is not page 1")
		}
		r := c.get(q + "&format=csv")
		if r.status != http.StatusOK || !strings.HasPrefix(r.body, "\ufeff受付番号,") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %q", r.status, r.body[:min(80, len(r.body))])
		}
		if lines := strings.Count(strings.TrimSpace(r.body), "\n"); lines != len(ns) {
			t.Fatalf("csv has %d rows, want %d", lines, len(ns))
		}
	})
}

// TestStaffListStageTitle: a nomination under review is listed, and
// exported, with its stage's title in the page's language, not its key.
func TestStaffListStageTitle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := ts.as("mhlw-secretariat")
		for _, tc := range []struct{ lang, stage string }{{"ja", "審査会"}, {"en", "Review panel"}} {
			r := c.in(tc.lang).get("/staff/nominations?state=in_review")
			checkPage(t, r, tc.lang)
			stages := find(r.doc, func(n *html.Node) bool { return n.Data == "span" && attr(n, "class") == "meta" })
			if len(stages) != 3 {
				t.Fatalf("%s: %d rows name a stage, want the demo's 3", tc.lang, len(stages))
			}
			for _, n := range stages {
				if got := text(n); got != tc.stage {
					t.Errorf("%s: a row's stage reads %q, want %q", tc.lang, got, tc.stage)
				}
			}
			csv := c.in(tc.lang).get("/staff/nominations?state=in_review&format=csv")
			if n := strings.Count(csv.body, ","+tc.stage+","); n != 3 {
				t.Errorf("%s: the CSV names the stage %q on %d rows, want 3:\n%s", tc.lang, tc.stage, n, csv.body)
			}
		}
	})
}

// TestStaffBulk: twenty nominations screened through one confirmation;
// one blocked stops all and is named; a selection changed after the
// confirmation is a conflict; everything matching a filter is selectable.
func TestStaffBulk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ctx := context.Background()
		ns := ts.submittedMIC(t, "一括", same(20, staffOrg{"40", "G", 30})...)
		c := ts.as("mic-secretariat")
		unchanged := func(t *testing.T, skip int64) {
			t.Helper()
			for _, n := range ns {
				if n.ID != skip && ts.state(t, n.ID).State != workflow.Submitted {
					t.Fatalf("nomination %d changed", n.ID)
				}
			}
		}

		t.Run("one blocked", func(t *testing.T) {
			moved, err := ts.svc.Transition(ctx, testAdmin, ns[7].ID, 0, workflow.StartScreening, workflow.Input{})
			if err != nil {
				t.Fatal(err)
			}
			sel := selection(ns...)
			sel[7] = fmt.Sprintf("%d:%d", moved.ID, moved.Version)
			r := c.post("/staff/nominations/bulk/apply", url.Values{"action": {"start_screening"}, "sel": sel})
			if r.status != http.StatusConflict {
				t.Fatalf("%d\n%s", r.status, r.body)
			}
			checkPage(t, r, "ja")
			contains(t, r, "bulk-blocked", "この操作ができない応募が1件あります")
			if strings.Contains(r.body, "入力内容に") || strings.Contains(r.body, `action="/staff/nominations/bulk/apply"`) {
				t.Error("the refusal reads as a form error, or apply is still offered")
			}
			contains(t, r, fmt.Sprintf("sel-%d", moved.ID), "株式会社一括007", "では「要件確認の開始」はできません")
			unchanged(t, moved.ID)
			// The confirmation page checks the rows before anything is posted.
			r = c.post("/staff/nominations/bulk", url.Values{"action": {"start_screening"}, "sel": sel})
			if r.status != http.StatusOK {
				t.Fatalf("confirm: %d", r.status)
			}
			checkPage(t, r, "ja")
			contains(t, r, "bulk-blocked", "この操作ができない応募が1件あります", "操作できる19件だけで確認し直す")
			contains(t, r, fmt.Sprintf("sel-%d", moved.ID), "「審査要件の確認中」の応募には「要件確認の開始」はできません")
			if strings.Contains(r.body, `action="/staff/nominations/bulk/apply"`) {
				t.Error("apply offered with a row that cannot take the action")
			}
			// Continuing with only the eligible rows confirms those 19.
			var only []string
			for _, n := range find(r.doc, func(n *html.Node) bool { return attr(n, "name") == "sel" }) {
				only = append(only, attr(n, "value"))
			}
			r = c.post("/staff/nominations/bulk", url.Values{"action": {"start_screening"}, "sel": only})
			if r.status != http.StatusOK || byID(r, "bulk-blocked") != nil || !strings.Contains(text(byID(r, "bulk-what")), "19件") {
				t.Fatalf("only the eligible: %d, %d values", r.status, len(only))
			}
			// Back to submitted is not a transition: return and resubmit it.
			due := ts.clock.Now().AddDate(0, 0, 7)
			if _, err := ts.svc.Transition(ctx, testAdmin, ns[7].ID, 0, workflow.Return, workflow.Input{Reason: "確認", Due: &due}); err != nil {
				t.Fatal(err)
			}
			ns[7] = resubmit(t, ts, ns[7].ID)
		})

		t.Run("stale", func(t *testing.T) {
			r := c.post("/staff/nominations/bulk", url.Values{"action": {"start_screening"}, "sel": selection(ns...)})
			if r.status != http.StatusOK || !strings.Contains(text(byID(r, "bulk-what")), "20件") {
				t.Fatalf("confirm: %d\n%s", r.status, r.body)
			}
			confirmed := find(r.doc, func(n *html.Node) bool { return attr(n, "name") == "sel" })
			sel := []string{}
			for _, n := range confirmed {
				sel = append(sel, attr(n, "value"))
			}
			// Someone edits one after the confirmation page was shown.
			if _, err := ts.svc.Transition(ctx, testAdmin, ns[3].ID, 0, workflow.Return,
				workflow.Input{Reason: "差し戻し", Due: ptr(ts.clock.Now().AddDate(0, 0, 7))}); err != nil {
				t.Fatal(err)
			}
			r = c.post("/staff/nominations/bulk/apply", url.Values{"action": {"start_screening"}, "sel": sel})
			if r.status != http.StatusConflict || !strings.Contains(r.body, "確認した後に") {
				t.Fatalf("%d\n%s", r.status, r.body)
			}
			unchanged(t, ns[3].ID)
			ns[3] = resubmit(t, ts, ns[3].ID)
		})

		t.Run("twenty screened", func(t *testing.T) {
			r := c.post("/staff/nominations/bulk", url.Values{"action": {"start_screening"}, "sel": selection(ns...)})
			if r.status != http.StatusOK || len(find(r.doc, func(n *html.Node) bool { return attr(n, "name") == "sel" })) != 20 {
				t.Fatalf("confirm: %d", r.status)
			}
			checkPage(t, r, "ja")
			r = c.post("/staff/nominations/bulk/apply", url.Values{"action": {"start_screening"}, "sel": selection(ns...)})
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/nominations?state=screening" {
				t.Fatalf("apply: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
			}
			for _, n := range ns {
				if got := ts.state(t, n.ID).State; got != workflow.Screening {
					t.Fatalf("nomination %d is %s", n.ID, got)
				}
			}
		})

		t.Run("everything matching, with a reason", func(t *testing.T) {
			filter := url.Values{"all": {"true"}, "action": {"declare_ineligible"}, "state": {"screening"}, "prefecture": {"40"}}
			r := c.post("/staff/nominations/bulk", filter)
			confirmed := find(r.doc, func(n *html.Node) bool { return attr(n, "name") == "sel" })
			if r.status != http.StatusOK || len(confirmed) != 20 || byID(r, "f-reason") == nil {
				t.Fatalf("confirm: %d, %d rows", r.status, len(confirmed))
			}
			var sel []string
			for _, n := range confirmed {
				sel = append(sel, attr(n, "value"))
			}
			r = c.post("/staff/nominations/bulk/apply", url.Values{"action": {"declare_ineligible"}, "sel": sel, "reason": {"  "}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "理由を入力してください") {
				t.Fatalf("no reason: %d", r.status)
			}
			if got := ts.state(t, ns[0].ID).State; got != workflow.Screening {
				t.Fatalf("changed without a reason: %s", got)
			}
		})
	})
}

func ptr[T any](v T) *T { return &v }

// resubmit has the nomination's applicant resubmit it after a return.
func resubmit(t testing.TB, ts *testSite, id int64) workflow.Nomination {
	t.Helper()
	n := ts.state(t, id)
	applicant := workflow.Actor{ID: "applicant:again", OrganisationID: n.OrganisationID,
		Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}}
	out, err := ts.svc.Transition(context.Background(), applicant, id, 0, workflow.Resubmit, workflow.Input{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStaffCrossMinistry: MHLW's secretariat, a judge and an applicant
// reach MIC's nominations by direct URL: refused, nothing changed, nothing
// of the nomination shown.
func TestStaffCrossMinistry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ns := ts.submittedMIC(t, "秘密", staffOrg{"13", "G", 30}, staffOrg{"13", "G", 40})
		id := strconv.FormatInt(ns[0].ID, 10)
		cases := []struct {
			who, method, path string
			form              url.Values
			status            int
		}{
			{"mhlw-secretariat", "GET", "/staff/nominations/" + id, nil, http.StatusNotFound},
			{"mhlw-secretariat", "POST", "/staff/nominations/" + id + "/actions/start_screening", url.Values{"version": {strconv.Itoa(ns[0].Version)}}, http.StatusNotFound},
			{"mhlw-secretariat", "POST", "/staff/nominations/bulk", url.Values{"action": {"start_screening"}, "sel": selection(ns...)}, http.StatusNotFound},
			{"mhlw-secretariat", "POST", "/staff/nominations/bulk/apply", url.Values{"action": {"start_screening"}, "sel": selection(ns...)}, http.StatusNotFound},
			{"mic-judge-1", "GET", "/staff/nominations/" + id, nil, http.StatusForbidden},
			{"mic-judge-1", "POST", "/staff/nominations/bulk/apply", url.Values{"action": {"start_screening"}, "sel": selection(ns...)}, http.StatusForbidden},
			{"applicant", "GET", "/staff/nominations/" + id, nil, http.StatusForbidden},
			{"applicant", "POST", "/staff/nominations/" + id + "/actions/withdraw", url.Values{"version": {"1"}}, http.StatusForbidden},
			{"applicant", "POST", "/staff/nominations/bulk/apply", url.Values{"action": {"start_screening"}, "sel": selection(ns...)}, http.StatusForbidden},
		}
		for _, tc := range cases {
			t.Run(tc.who+" "+tc.method+" "+tc.path, func(t *testing.T) {
				c := ts.as(tc.who)
				var r *response
				if tc.method == "GET" {
					r = c.get(tc.path)
				} else {
					r = c.post(tc.path, tc.form)
				}
				if r.status != tc.status {
					t.Fatalf("%d, want %d\n%s", r.status, tc.status, r.body)
				}
				if strings.Contains(r.body, "株式会社秘密") || strings.Contains(r.body, receiptNumber(ns[0])) {
					t.Error("the refusal shows the nomination")
				}
				for _, n := range ns {
					if got := ts.state(t, n.ID); got.State != workflow.Submitted || got.Version != n.Version {
						t.Fatalf("nomination %d changed: %s v%d", n.ID, got.State, got.Version)
					}
				}
			})
		}
	})
}

// TestStaffDetail: the detail shows answers by their labels, the snapshot,
// verdicts and the timeline; each action posts with its inputs; a missing
// input keeps what was typed; a stale version is the conflict page.
func TestStaffDetail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		n := ts.submittedMIC(t, "詳細", staffOrg{"13", "G", 30})[0]
		c := ts.as("mic-secretariat")
		path := staffPath(n.ID, "")
		r := c.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("%d\n%s", r.status, r.body)
		}
		checkPage(t, r, "ja")
		for _, s := range []string{"株式会社詳細000", "取組の名称", "どこでもオフィス", "要件の判定", "提出", "令和", "/actions/start_screening", "/actions/return"} {
			if !strings.Contains(r.body, s) {
				t.Errorf("detail lacks %q", s)
			}
		}
		steps := []struct {
			name   string
			action string
			form   url.Values
			status int
			state  workflow.State
			check  string
		}{
			{"return without a due date", "return", url.Values{"reason": {"添付が不足"}}, http.StatusUnprocessableEntity, workflow.Submitted, "添付が不足"},
			{"stale version", "start_screening", url.Values{"version": {strconv.Itoa(n.Version - 1)}, "state": {"submitted"}}, http.StatusConflict, workflow.Submitted, "ほかの方が先に保存しました"},
			{"screen", "start_screening", url.Values{"version": {strconv.Itoa(n.Version)}}, http.StatusSeeOther, workflow.Screening, ""},
			{"return with reason and due date", "return", url.Values{"version": {strconv.Itoa(n.Version + 1)}, "reason": {"添付が不足"}, "due": {"2026-12-20"}}, http.StatusSeeOther, workflow.Returned, ""},
			{"an action not available now", "recognise", url.Values{"version": {strconv.Itoa(n.Version + 2)}}, http.StatusConflict, workflow.Returned, ""},
			{"no such action", "approve", url.Values{}, http.StatusNotFound, workflow.Returned, ""},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				r := c.post(staffPath(n.ID, "/actions/"+st.action), st.form)
				if r.status != st.status {
					t.Fatalf("%d, want %d\n%s", r.status, st.status, r.body)
				}
				if got := ts.state(t, n.ID).State; got != st.state {
					t.Fatalf("state %s, want %s", got, st.state)
				}
				if st.check != "" && !strings.Contains(r.body, st.check) {
					t.Errorf("page lacks %q", st.check)
				}
				if r.doc != nil {
					checkPage(t, r, "ja")
				}
			})
		}
		r = c.get(path)
		for _, s := range []string{"差戻し", "添付が不足", "令和8年12月20日(日) 24:00まで（日本時間）"} {
			if !strings.Contains(r.body, s) {
				t.Errorf("timeline lacks %q", s)
			}
		}
	})
}

// TestSignInLanding: a sign-in without ?next= lands on the main page of the
// user's roles; with ?next= on that page.
func TestSignInLanding(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		tests := []struct{ who, next, want string }{
			{"mic-judge-1", "", "/judging"}, // the first sign-in since the site started
			{"applicant", "", "/me"},
			{"mic-judge-1", "", "/judging"},
			{"mic-chair", "", "/judging"},
			{"mic-secretariat", "", "/staff"},
			{"mhlw-secretariat", "", "/staff"},
			{"admin", "", "/admin/users"},
			{"mic-secretariat", "/staff/nominations", "/staff/nominations"},
			{"mic-judge-1", "https://evil.example/", "/judging"},
		}
		for _, tt := range tests {
			t.Run(tt.who+tt.next, func(t *testing.T) {
				a := ts.accounts[tt.who]
				c := ts.client()
				r := c.post("/login", url.Values{"email": {a.Email}, "password": {a.Password}, "next": {tt.next}})
				if r.status != http.StatusSeeOther || r.header.Get("Location") != tt.want {
					t.Fatalf("%d %q, want 303 to %s", r.status, r.header.Get("Location"), tt.want)
				}
				if r := c.get("/login"); r.header.Get("Location") != tt.want && tt.next == "" {
					t.Errorf("signed in, /login sends to %q, want %s", r.header.Get("Location"), tt.want)
				}
				if st := c.get(tt.want).status; st != http.StatusOK {
					t.Errorf("%s answers %d", tt.want, st)
				}
			})
		}
	})
}

// TestStaffPlainWords: the secretariat's pages name cycles, stages, history
// steps and eligibility rules in words, never by their keys.
func TestStaffPlainWords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := ts.as("mhlw-secretariat")
		items, _, err := ts.svc.Nominations(context.Background(), testAdmin, workflow.NominationFilter{Programme: "mhlw-kagayaku", State: workflow.InReview})
		if err != nil || len(items) == 0 {
			t.Fatalf("no MHLW entry in review: %v", err)
		}
		id := items[0].Nomination.ID
		cases := []struct {
			name, path string
			want, not  []string
		}{
			{"dashboard", "/staff", []string{`<span class="meta">【デモ】令和8年度 テレワーク推進企業表彰</span>`}, []string{">demo-telework"}},
			{"list", "/staff/nominations?state=in_review", []string{"審査会", ">" + workflow.EntryCode(id) + "</a>", `<option value="demo-telework">【デモ】令和8年度`}, []string{"(review)", ">demo-telework<"}},
			{"detail", staffPath(id, ""), []string{"審査中</span>（審査会）", `<dd id="entry-code">` + workflow.EntryCode(id) + "</dd>", "作成 → 下書き", "規則の名前", "<code>overtime-under-45h</code>",
				"「過去1年間で最も多い月の1人当たり時間外・休日労働時間（時間）」 &lt; 45", "条件を満たしています"},
				[]string{"(review)", "create →", "<td data-label=\"理由\"></td>"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := c.get(tc.path)
				if r.status != http.StatusOK {
					t.Fatalf("%d", r.status)
				}
				checkPage(t, r, "ja")
				main := r.body[strings.Index(r.body, "<main"):]
				for _, w := range tc.want {
					if !strings.Contains(main, w) {
						t.Errorf("lacks %q", w)
					}
				}
				for _, w := range tc.not {
					if strings.Contains(main, w) {
						t.Errorf("shows %q", w)
					}
				}
			})
		}
	})
}

// TestFavicon: a browser's /favicon.ico gets 204, not the 404 page.
func TestFavicon(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		for _, who := range []string{"anon", "mic-secretariat"} {
			if r := ts.as(who).get("/favicon.ico"); r.status != http.StatusNoContent || r.body != "" {
				t.Errorf("%s: %d %q", who, r.status, r.body)
			}
		}
	})
}

// TestStaffEnglish: English pages use ASCII punctuation around their
// figures and capitalise action buttons.
func TestStaffEnglish(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := ts.as("mhlw-secretariat").in("en")
		review := stagePath(workflow.StageRef{Cycle: demo.Key, Programme: "mhlw-kagayaku", Stage: "review"}, "")
		for _, path := range []string{"/staff", programmePath(demo.Key, "mhlw-kagayaku", ""), review, review + "/progress", review + "/ranking"} {
			r := c.get(path)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d", path, r.status)
			}
			checkPage(t, r, "en")
			for _, w := range []string{"：", "〜", "（"} {
				if strings.Contains(mainText(r), w) {
					t.Errorf("%s: %q in English", path, w)
				}
			}
		}
		items, _, err := ts.svc.Nominations(context.Background(), testAdmin, workflow.NominationFilter{Programme: "mhlw-kagayaku", State: workflow.InReview})
		if err != nil || len(items) == 0 {
			t.Fatalf("no entry in review: %v", err)
		}
		r := c.get(staffPath(items[0].Nomination.ID, ""))
		for _, w := range []string{">Not select<", ">Award<"} {
			if !strings.Contains(r.body, w) {
				t.Errorf("detail lacks %q", w)
			}
		}
	})
}

// TestAdminUsersRange: the users list's 範囲 filter offers a secretariat its
// own ministry only, an administrator every one.
func TestAdminUsersRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		for _, tc := range []struct {
			who  string
			want []string
		}{
			{"mhlw-secretariat", []string{"", "mhlw"}},
			{"mic-secretariat", []string{"", "mic"}},
			{"admin", append([]string{"", workflow.AnyDomain}, adminMinistries()...)},
		} {
			r := ts.as(tc.who).get("/admin/users")
			var got []string
			for _, o := range find(byID(r, "f-domain"), func(n *html.Node) bool { return n.Data == "option" }) {
				got = append(got, attr(o, "value"))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%s: %v, want %v", tc.who, got, tc.want)
			}
		}
	})
}
