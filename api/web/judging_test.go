package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/workflow"
)

// The demo's open stages: MIC's Minister's Award review (visibility
// never; mic-judge-1 is assigned to its three entries and has scored none)
// and MHLW's review (visibility after_submit).
var (
	ministerStage = workflow.StageRef{Cycle: demo.Key, Programme: "mic-pioneer", Stage: "minister"}
	reviewStage   = workflow.StageRef{Cycle: demo.Key, Programme: "mhlw-kagayaku", Stage: "review"}
)

// judgeEntries are the entries a demo judge is assigned to at a stage.
func judgeEntries(t testing.TB, ts *testSite, key string, ref workflow.StageRef) []workflow.StageEntry {
	t.Helper()
	es, _, err := ts.svc.Entries(context.Background(), demoActor(t, ts, key), ref, workflow.Page{})
	if err != nil || len(es) == 0 {
		t.Fatalf("%s's entries at %s: %v (%d)", key, ref, err, len(es))
	}
	return es
}

// postWith posts a form with extra headers (X-Autosave).
func (c *client) postWith(path string, form url.Values, header map[string]string) *response {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.ts.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

// upload posts a file as the sheet form does.
func (c *client) upload(path string, file []byte, fields map[string]string) *response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v) //nolint:errcheck // a bytes.Buffer does not fail
	}
	w, _ := mw.CreateFormFile("file", "sheet.xlsx")
	w.Write(file) //nolint:errcheck
	mw.Close()
	req, err := http.NewRequest("POST", c.ts.srv.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

func textOf(r *response, id string) string {
	if n := byID(r, id); n != nil {
		return text(n)
	}
	return ""
}

func TestJudgingHome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		for _, tc := range []struct {
			who          string
			status       int
			want, reject []string
		}{
			{"mic-judge-1", 200, []string{"総務大臣賞審査", "百選審査", "提出済み 0／担当 3件（下書き 0件、未着手 3件）", "締切まであと", "令和", "表示されません"},
				[]string{"輝くテレワーク", "の順位"}},
			{"mic-chair", 200, []string{"総務大臣賞審査", "委員長", "の順位", "の採点の進捗", "/staff/cycles/demo-telework/mic-pioneer/stages/minister/ranking"}, []string{"輝くテレワーク"}},
			{"mhlw-judge-1", 200, []string{"輝くテレワーク", "自分の採点を提出した後に表示されます"}, []string{"総務大臣賞"}},
			{"mic-secretariat", 403, nil, []string{"総務大臣賞"}},
			{"applicant", 403, nil, []string{"総務大臣賞"}},
		} {
			t.Run(tc.who, func(t *testing.T) {
				r := ts.as(tc.who).get("/judging")
				if r.status != tc.status {
					t.Fatalf("status %d, want %d", r.status, tc.status)
				}
				checkPage(t, r, "ja")
				for _, w := range tc.want {
					if !strings.Contains(r.body, w) {
						t.Errorf("no %q in the page", w)
					}
				}
				for _, w := range tc.reject {
					if strings.Contains(r.body, w) {
						t.Errorf("%q in the page", w)
					}
				}
				if nav := strings.Contains(r.body, `href="/judging"`); nav != (tc.status == 200) {
					t.Errorf("the 審査 navigation entry shown: %v", nav)
				}
			})
		}
		r := ts.as("mic-judge-1").get("/judging?lang=en")
		checkPage(t, r, "en")
		if !strings.Contains(r.body, "MIC Minister") || !strings.Contains(r.body, "left") {
			t.Errorf("the English page lacks the stage or the time left")
		}
	})
}

func TestJudgingEntriesPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		es := judgeEntries(t, ts, "mic-judge-1", ministerStage)
		first := es[0].Nomination
		list := judgingPath(ministerStage, "")
		c := ts.as("mic-judge-1")
		for _, tc := range []struct {
			name, query string
			rows        int
			want        string
		}{
			{"all", "", 3, first.Snapshot.Name},
			{"not started", "?state=not_started", 3, "未着手"},
			{"submitted", "?state=submitted", 0, "条件に合う応募はありません"},
			{"text", "?q=" + url.QueryEscape(first.Snapshot.Name[len(first.Snapshot.Name)/2:]), 1, first.Snapshot.Name},
			{"code", "?q=" + workflow.EntryCode(first.ID), 1, workflow.EntryCode(first.ID)},
			{"full-width text", "?q=" + url.QueryEscape("Ｅ０"), 3, "3件（全3件中）"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.get(list + tc.query)
				if r.status != 200 {
					t.Fatalf("status %d", r.status)
				}
				checkPage(t, r, "ja")
				rows := find(r.doc, func(n *html.Node) bool { return n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" })
				if len(rows) != tc.rows {
					t.Errorf("%d rows, want %d", len(rows), tc.rows)
				}
				if !strings.Contains(r.body, tc.want) {
					t.Errorf("no %q", tc.want)
				}
				if next := byID(r, "next-unscored"); next == nil || attr(next, "href") != entryPath(ministerStage, first.ID, "") {
					t.Errorf("next unscored is not the first entry")
				}
			})
		}
		// The chair reads every entry, and none is its own.
		r := ts.as("mic-chair").get(list + "?state=not_assigned")
		if r.status != 200 || !strings.Contains(r.body, "担当外") || byID(r, "next-unscored") != nil {
			t.Errorf("chair's list: %d; next %v", r.status, byID(r, "next-unscored") != nil)
		}
	})
}

// Whoever may not judge an entry gets the same refusal as for no entry,
// and the page shows nothing of it: no answers, no organisation, no scores.
func TestJudgingEntryRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ctx := context.Background()
		es := judgeEntries(t, ts, "mic-judge-1", ministerStage)
		unassigned, conflicted := es[0].Nomination, es[1].Nomination
		judge := ts.userID("mic-judge-1")
		if err := ts.svc.Unassign(ctx, testAdmin, ministerStage, unassigned.ID, judge); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.svc.DeclareAffiliation(ctx, demoActor(t, ts, "mic-judge-1"), workflow.Affiliation{Name: conflicted.Snapshot.Name}); err != nil {
			t.Fatal(err)
		}
		// The conflicted judge was taken off the entry when it declared the
		// affiliation: the entry reads as 辞退済み, with nothing of the
		// application beyond its code and the organisation's name.
		for _, tc := range []struct {
			name, who   string
			entry       workflow.Nomination
			status, get int
		}{
			{"judge of the other ministry", "mhlw-judge-1", es[2].Nomination, 404, 404},
			{"judge not assigned", "mic-judge-1", unassigned, 404, 404},
			{"conflicted judge", "mic-judge-1", conflicted, 404, 200},
			{"applicant", "applicant", es[2].Nomination, 403, 403},
			{"signed out", "anon", es[2].Nomination, 303, 303},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := ts.as(tc.who)
				secrets := []string{"どこでもオフィス", "模範的な取組", "山田太郎"}
				if tc.get != 200 {
					secrets = append(secrets, tc.entry.Snapshot.Name)
				}
				for i, r := range []*response{
					c.get(entryPath(ministerStage, tc.entry.ID, "")),
					c.post(entryPath(ministerStage, tc.entry.ID, "/score"), url.Values{"version": {"0"}, "v.leadership": {"5"}, "go": {"save"}}),
					c.post(entryPath(ministerStage, tc.entry.ID, "/recusal"), url.Values{"reason": {"試験"}}),
				} {
					if want := map[bool]int{true: tc.get, false: tc.status}[i == 0]; r.status != want {
						t.Errorf("status %d, want %d", r.status, want)
					}
					for _, s := range secrets {
						if strings.Contains(r.body, s) {
							t.Errorf("the answer reveals %q", s)
						}
					}
					if i == 0 && r.status == 200 {
						checkPage(t, r, "ja")
						if !strings.Contains(r.body, "辞退済み") || strings.Contains(r.body, "score-form") {
							t.Errorf("the conflicted entry is not shown read-only as 辞退済み")
						}
					}
				}
				list := c.get(judgingPath(ministerStage, "?state=recused"))
				if shown := strings.Contains(list.body, tc.entry.Snapshot.Name); shown != (tc.get == 200) {
					t.Errorf("the list of recusals shows %s: %v", tc.entry.Snapshot.Name, shown)
				}
			})
		}
		if sc, err := ts.svc.EntryScores(ctx, testAdmin, ministerStage, unassigned.ID); err != nil {
			t.Fatal(err)
		} else {
			for _, v := range sc {
				if v.UserID == judge {
					t.Errorf("a refused judge's score was saved: %+v", v.Score)
				}
			}
		}
	})
}

// A judge scores: the page, autosave, save without JS with full-width
// digits, a wrong value, a stale version, submission through the
// confirmation, and other judges' scores never shown (visibility never).
func TestJudgingScore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		n := judgeEntries(t, ts, "mic-judge-1", ministerStage)[0].Nomination
		page, score := entryPath(ministerStage, n.ID, ""), entryPath(ministerStage, n.ID, "/score")
		c := ts.as("mic-judge-1")
		r := c.get(page)
		if r.status != 200 {
			t.Fatalf("entry page: %d", r.status)
		}
		checkPage(t, r, "ja")
		for _, w := range []string{"どこでもオフィス", n.Snapshot.Name, "取組の名称", "0〜10点（1点刻み）・重み 2", "この段階では、他の審査員の採点は表示されません",
			"令和2年4月1日(水)", `href="#rubric-heading"`} {
			if !strings.Contains(r.body, w) {
				t.Errorf("the entry page lacks %q", w)
			}
		}
		if strings.Contains(r.body, "模範的な取組") {
			t.Errorf("the page shows another judge's comment before (and although never) visible")
		}
		if strings.Contains(r.body, "2020-04-01") {
			t.Errorf("a date answer in ISO form, not 和暦")
		}
		steps := []struct {
			name    string
			form    url.Values
			auto    bool
			status  int
			version string // X-Version of an autosave
			want    []string
		}{
			{"autosave with full-width digits", url.Values{"version": {"0"}, "v.leadership": {"８"}, "comment": {"下書き"}}, true, 204, "1", nil},
			{"autosave a wrong value", url.Values{"version": {"1"}, "v.leadership": {"１１"}}, true, 422, "", []string{"0から10の範囲"}},
			{"autosave a stale version", url.Values{"version": {"0"}, "v.leadership": {"9"}}, true, 409, "", []string{"再読み込み"}},
			{"save without JS", url.Values{"version": {"1"}, "v.leadership": {"７"}, "v.impact": {"６．０"}, "comment": {"具体的"}, "go": {"save"}}, false, 303, "", nil},
			{"a wrong value kept", url.Values{"version": {"2"}, "v.leadership": {"11"}, "v.impact": {"6"}, "go": {"save"}}, false, 422, "", []string{"0から10の範囲", `value="11"`}},
			{"a stale version", url.Values{"version": {"1"}, "v.leadership": {"3"}, "go": {"save"}}, false, 409, "", []string{"保存されている内容", "あなた（別の画面"}},
			{"submit asks to confirm", url.Values{"version": {"2"}, "v.leadership": {"7"}, "v.impact": {"6"}, "comment": {"具体的"}, "go": {"submit"}}, false, 200, "", []string{"採点の提出の確認", "20 / 30", `value="confirm"`}},
			{"confirm submits", url.Values{"version": {"3"}, "v.leadership": {"7"}, "v.impact": {"6"}, "comment": {"具体的"}, "go": {"confirm"}}, false, 303, "", nil},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				h := map[string]string{}
				if st.auto {
					h["X-Autosave"] = "1"
				}
				r := c.postWith(score, st.form, h)
				if r.status != st.status {
					t.Fatalf("status %d, want %d: %s", r.status, st.status, r.body)
				}
				if st.version != "" && r.header.Get("X-Version") != st.version {
					t.Errorf("X-Version %q, want %s", r.header.Get("X-Version"), st.version)
				}
				for _, w := range st.want {
					if !strings.Contains(r.body, w) {
						t.Errorf("no %q in %s", w, r.body)
					}
				}
				if r.doc != nil && r.status != 303 {
					checkPage(t, r, "ja")
				}
				if st.status == 303 && r.header.Get("Location") != page {
					t.Errorf("redirected to %s, want %s", r.header.Get("Location"), page)
				}
			})
		}
		r = c.get(page)
		if s := textOf(r, "score-status"); s != "提出済み" {
			t.Errorf("after submitting the status is %q", s)
		}
		if !strings.Contains(r.body, "採点を提出しました") {
			t.Errorf("no flash after submitting")
		}
		// Visibility never: a correction resubmits; there is no draft to save.
		if strings.Contains(r.body, `value="save"`) || !strings.Contains(r.body, "訂正して再提出") {
			t.Errorf("a submitted score offers 保存, or no 訂正して再提出")
		}
		next := judgeEntries(t, ts, "mic-judge-1", ministerStage)[1].Nomination
		if a := byID(r, "next-unscored"); a == nil || attr(a, "href") != entryPath(ministerStage, next.ID, "") {
			t.Errorf("no link to the next entry to score (%s)", entryPath(ministerStage, next.ID, ""))
		}
		if strings.Contains(c.get(entryPath(ministerStage, next.ID, "")).body, `id="next-unscored"`) {
			t.Errorf("an entry not yet submitted links to the next")
		}
		if v := fieldValue(r, "v.leadership"); v != "7" {
			t.Errorf("leadership shows %q after submitting, want 7", v)
		}
		if s := textOf(r, "score-total"); s != "20" {
			t.Errorf("the server's total is %q, want 20 (2×7 + 1×6)", s)
		}
		if strings.Contains(r.body, "模範的な取組") || byID(r, "other-scores") != nil {
			t.Errorf("other judges' scores shown under visibility never")
		}
		for _, path := range []string{page, judgingPath(ministerStage, ""), "/me/conflicts"} {
			en := ts.as("mic-judge-1").get(path + "?lang=en")
			checkPage(t, en, "en")
			if path != "/me/conflicts" && !strings.Contains(en.body, "Submitted") {
				t.Errorf("%s in English lacks the status", path)
			}
		}
		sc, err := ts.svc.MyEntry(context.Background(), demoActor(t, ts, "mic-judge-1"), ministerStage, n.ID)
		if err != nil || sc.Score == nil || sc.Score.Status != workflow.ScoreSubmitted || sc.Score.Values["leadership"] != "7" || sc.Score.Values["impact"] != "6" {
			t.Fatalf("saved: %+v, %v", sc.Score, err)
		}
	})
}

// Under visibility after_submit a judge sees the others' submitted scores
// only once its own is submitted; the chair sees them all.
func TestJudgingOthersScores(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		n := judgeEntries(t, ts, "mhlw-judge-1", reviewStage)[0].Nomination
		page := entryPath(reviewStage, n.ID, "")
		c := ts.as("mhlw-judge-1")
		r := c.get(page)
		if byID(r, "other-scores") != nil || strings.Contains(r.body, "模範的な取組") {
			t.Fatalf("others' scores shown before submitting")
		}
		if !strings.Contains(textOf(r, "others-note"), "自分の採点を提出すると") {
			t.Errorf("no word on when the others' scores show: %q", textOf(r, "others-note"))
		}
		form := url.Values{"version": {"0"}, "v.wlb": {"４"}, "v.productivity": {"３"}, "v.originality": {"５"}, "go": {"save"}}
		if r := c.post(page+"/score", form); r.status != 303 {
			t.Fatalf("save: %d", r.status)
		}
		form.Set("version", "1")
		form.Set("go", "confirm")
		if r := c.post(page+"/score", form); r.status != 303 {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		r = c.get(page)
		if byID(r, "other-scores") == nil || !strings.Contains(r.body, "模範的な取組") {
			t.Errorf("others' scores not shown after submitting")
		}
		if byID(r, "score-readonly") == nil || !strings.Contains(r.body, "再開を依頼") {
			t.Errorf("the locked score is not read-only with why")
		}
		checkPage(t, r, "ja")
		if r := ts.as("mhlw-chair").get(page); r.status != 200 || byID(r, "other-scores") == nil {
			t.Errorf("the chair: %d, scores shown %v", r.status, byID(r, "other-scores") != nil)
		}
	})
}

func TestJudgingRecusal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		n := judgeEntries(t, ts, "mic-judge-1", ministerStage)[0].Nomination
		page := entryPath(ministerStage, n.ID, "")
		c := ts.as("mic-judge-1")
		for _, tc := range []struct {
			name, reason string
			status       int
		}{
			{"no reason", "  ", 422},
			{"with a reason", "取引先のため", 303},
			{"again", "取引先のため", 404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.post(page+"/recusal", url.Values{"reason": {tc.reason}})
				if r.status != tc.status {
					t.Fatalf("status %d, want %d", r.status, tc.status)
				}
				if tc.status == 422 && !strings.Contains(r.body, "辞退の理由を入力してください") {
					t.Errorf("no error for the missing reason")
				}
				if tc.status == 303 && r.header.Get("Location") != judgingPath(ministerStage, "") {
					t.Errorf("to %s", r.header.Get("Location"))
				}
			})
		}
		if r := c.get(page); r.status != 200 || !strings.Contains(r.body, "辞退済み") || !strings.Contains(r.body, "取引先のため") ||
			!strings.Contains(r.body, "令和8年12月3日") || strings.Contains(r.body, "score-form") {
			t.Errorf("the recused entry does not read 辞退済み with the reason and date: %d", r.status)
		}
		if r := c.get(judgingPath(ministerStage, "?state=recused")); !strings.Contains(r.body, "1件（全3件中）") {
			t.Errorf("the filter does not find the recusal")
		}
		home := c.get("/judging")
		if !strings.Contains(home.body, "辞退 1件") {
			t.Errorf("the home page does not count the recusal")
		}
		ties := c.get("/me/conflicts")
		if !strings.Contains(ties.body, "審査の辞退") || !strings.Contains(ties.body, "取引先のため") {
			t.Errorf("the recusal is not among the conflicts")
		}
	})
}

// setCells edits a downloaded sheet's Scores cells.
func setCells(t *testing.T, file []byte, cells map[string]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for ref, v := range cells {
		if err := f.SetCellStr(workflow.ScoresSheetName, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestJudgingSheet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		es := judgeEntries(t, ts, "mic-judge-1", ministerStage)
		sheet := judgingPath(ministerStage, "/sheet")
		c := ts.as("mic-judge-1")
		dl := c.get(sheet)
		if dl.status != 200 || dl.header.Get("Content-Type") != xlsxType || !strings.Contains(dl.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download: %d %s %s", dl.status, dl.header.Get("Content-Type"), dl.header.Get("Content-Disposition"))
		}
		saved := func() int {
			n := 0
			for _, e := range judgeEntries(t, ts, "mic-judge-1", ministerStage) {
				if e.MyScore != nil {
					n++
				}
			}
			return n
		}
		for _, tc := range []struct {
			name   string
			file   []byte
			status int
			want   []string
			saved  int
		}{
			{"too large", bytes.Repeat([]byte("x"), 6<<20), 413, []string{"ファイルが大きすぎます（5MBまで）"}, 0},
			{"not a workbook", []byte("not a workbook"), 422, []string{"Excel形式（.xlsx）のファイルとして読み取れません", "何も保存されていません"}, 0},
			{"one bad cell", setCells(t, []byte(dl.body), map[string]string{"D2": "８", "E2": "99", "D3": "5"}), 422, []string{"Scores!E2", "0から10の範囲で入力してください"}, 0},
			{"good", setCells(t, []byte(dl.body), map[string]string{"D2": "８", "E2": "7", "D3": "5"}), 303, nil, 2},
			{"the same again", setCells(t, []byte(dl.body), map[string]string{"D2": "８", "E2": "7", "D3": "5"}), 303, nil, 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.upload(sheet, tc.file, nil)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
				}
				if r.status != 303 {
					checkPage(t, r, "ja")
				}
				for _, w := range tc.want {
					if !strings.Contains(r.body, w) {
						t.Errorf("no %q", w)
					}
				}
				if n := saved(); n != tc.saved {
					t.Errorf("%d scores saved, want %d", n, tc.saved)
				}
			})
		}
		sc, err := ts.svc.MyEntry(context.Background(), demoActor(t, ts, "mic-judge-1"), ministerStage, es[0].Nomination.ID)
		if err != nil || sc.Score == nil || sc.Score.Values["leadership"] != "8" || sc.Score.Status != workflow.ScoreDraft {
			t.Errorf("imported: %+v %v", sc.Score, err)
		}
		for _, who := range []string{"mhlw-judge-1", "applicant"} {
			if r := ts.as(who).get(sheet); r.status == 200 || strings.Contains(r.body, es[0].Nomination.Snapshot.Name) {
				t.Errorf("%s downloads the sheet: %d", who, r.status)
			}
		}
	})
}

func TestJudgingTies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		n := judgeEntries(t, ts, "mic-judge-1", ministerStage)[0].Nomination
		c := ts.as("mic-judge-1")
		r := c.get("/me/conflicts")
		if r.status != 200 {
			t.Fatalf("%d", r.status)
		}
		checkPage(t, r, "ja")
		// The conflict form offers the organisations of the judge's own
		// entries, by name; not an internal number.
		if opt := byID(r, "f-coi-organisation"); opt == nil || !strings.Contains(r.body, `value="`+strconv.FormatInt(n.OrganisationID, 10)+`">`+n.Snapshot.Name) {
			t.Errorf("the conflict form does not offer %s by name", n.Snapshot.Name)
		}
		if strings.Contains(r.body, "団体番号") {
			t.Errorf("the page asks for an internal number")
		}
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			want   string
		}{
			{"nothing named", url.Values{"declare": {"affiliation"}}, 422, "組織・法人番号・名称のいずれかを指定してください"},
			{"a wrong corporate number", url.Values{"declare": {"affiliation"}, "corporate_number": {"１２３４５６７８９０１２３"}}, 422, "法人番号が正しくありません"},
			{"an affiliation", url.Values{"declare": {"affiliation"}, "name": {"株式会社デモ顧問"}, "corporate_number": {"７００００１２０５０００２"}}, 303, ""},
			{"a conflict with none chosen", url.Values{"declare": {"conflict"}, "organisation_id": {""}}, 422, "利害関係のある団体を選んでください"},
			{"a conflict with no such organisation", url.Values{"declare": {"conflict"}, "organisation_id": {"999999"}}, 422, "その団体はありません"},
			{"a conflict", url.Values{"declare": {"conflict"}, "organisation_id": {strconv.FormatInt(n.OrganisationID, 10)}, "reason": {"親族が役員"}}, 303, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.post("/me/conflicts", tc.form)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
				}
				if tc.want != "" && !strings.Contains(r.body, tc.want) {
					t.Errorf("no %q", tc.want)
				}
				if r.status == 422 {
					checkPage(t, r, "ja")
					if v := fieldValue(r, "corporate_number"); v != tc.form.Get("corporate_number") {
						t.Errorf("corporate number shows %q, want what was typed", v)
					}
				}
			})
		}
		r = c.get("/me/conflicts")
		for _, w := range []string{"株式会社デモ顧問", "7000012050002", "親族が役員", "本人の申告", "<th scope=\"row\">" + n.Snapshot.Name} {
			if !strings.Contains(r.body, w) {
				t.Errorf("the page lacks %q", w)
			}
		}
		if e := c.get(entryPath(ministerStage, n.ID, "")); e.status != 200 || !strings.Contains(e.body, "辞退済み") || strings.Contains(e.body, "score-form") {
			t.Errorf("the conflicted entry is not read-only 辞退済み: %d", e.status)
		}
	})
}
