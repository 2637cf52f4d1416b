package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

const (
	mhlwProgramme = "/staff/cycles/demo-telework/mhlw-kagayaku"
	mhlwReview    = mhlwProgramme + "/stages/review"
	micMinister   = "/staff/cycles/demo-telework/mic-pioneer/stages/minister"
)

var reviewRef = workflow.StageRef{Cycle: "demo-telework", Programme: "mhlw-kagayaku", Stage: "review"}

// secrets are what MHLW's stage pages show that nobody outside its
// secretariat (and, for some pages, its chair) may learn: an entry's
// organisation, a judge's name, the stage's title.
var secrets = []string{"尾張信用金庫", "越後米菓", "審査員2(デモ・厚労省)", "輝くテレワーク賞"}

// TestStagePagesByRole opens every stage page as each role: the content
// for who may, and for everyone else a refusal that reveals nothing.
func TestStagePagesByRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		pages := []string{"", "/panel", "/conflicts", "/assignments", "/progress", "/ranking"}
		type want struct {
			status int
			shows  []string
		}
		mhlwSees := map[string]want{
			"":             {200, []string{"審査員5人、委員長1人", "必要な人数の審査員がそろった応募：2件／審査中3件", "/stages/review/decision", "results.xlsx", "sheets.zip"}},
			"/panel":       {200, []string{"審査員2(デモ・厚労省)", "委員長", "担当件数", "構成員を追加する", "/admin/invitations"}},
			"/conflicts":   {200, []string{"根拠の説明", "所属先の法人番号が一致"}},
			"/assignments": {200, []string{"越後米菓", "E000", "0人／3人", "人数不足", "割当て案を作成する", "手作業で割り当てる"}},
			"/progress":    {200, []string{"審査会全体", "提出済み", "審査期間中です"}},
			"/ranking":     {200, []string{"E000", "中央値", "ばらつき（標準偏差）", "各列の説明", "18.00"}},
		}
		for _, tc := range []struct {
			who   string
			base  string
			pages map[string]want
		}{
			{"mhlw-secretariat", mhlwReview, mhlwSees},
			{"admin", mhlwReview, mhlwSees},
			// The other ministry's secretariat: the service answers 404, as for a stage that does not exist.
			{"mic-secretariat", mhlwReview, map[string]want{"": {404, nil}, "/panel": {404, nil}, "/conflicts": {404, nil},
				"/assignments": {404, nil}, "/progress": {404, nil}, "/ranking": {404, nil}}},
			// Judges: the route refuses every page but the assignments, whose
			// service refuses (a judge sees its own at /judging).
			{"mhlw-judge-1", mhlwReview, map[string]want{"": {403, nil}, "/panel": {403, nil}, "/conflicts": {403, nil},
				"/assignments": {403, nil}, "/progress": {403, nil}, "/ranking": {403, nil}}},
			{"mic-judge-1", mhlwReview, map[string]want{"": {403, nil}, "/panel": {403, nil}, "/conflicts": {403, nil},
				"/assignments": {404, nil}, "/progress": {403, nil}, "/ranking": {403, nil}}},
			{"applicant", mhlwReview, map[string]want{"": {403, nil}, "/panel": {403, nil}, "/conflicts": {403, nil},
				"/assignments": {403, nil}, "/progress": {403, nil}, "/ranking": {403, nil}}},
			// A chair reads its own stage's progress, ranking, panel and
			// assignments without the secretariat's forms; never conflicts.
			{"mic-chair", micMinister, map[string]want{"": {200, []string{"審査段階の概要"}}, "/panel": {200, []string{"担当件数"}},
				"/conflicts": {403, nil}, "/assignments": {200, []string{"応募ごとの担当審査員"}},
				"/progress": {200, []string{"審査会全体"}}, "/ranking": {200, []string{"各列の説明"}}}},
			{"mic-chair", mhlwReview, map[string]want{"": {404, nil}, "/panel": {404, nil}, "/conflicts": {403, nil},
				"/assignments": {404, nil}, "/progress": {404, nil}, "/ranking": {404, nil}}},
		} {
			c := ts.as(tc.who)
			for _, p := range pages {
				t.Run(tc.who+" "+tc.base+p, func(t *testing.T) {
					w := tc.pages[p]
					r := c.get(tc.base + p)
					if r.status != w.status {
						t.Fatalf("status %d, want %d", r.status, w.status)
					}
					checkPage(t, r, "ja")
					for _, s := range w.shows {
						if !strings.Contains(r.body, s) {
							t.Errorf("page lacks %q", s)
						}
					}
					if w.status != 200 && tc.base == mhlwReview {
						for _, s := range secrets {
							if strings.Contains(r.body, s) {
								t.Errorf("refusal reveals %q", s)
							}
						}
					}
					if tc.who == "mic-chair" && w.status == 200 {
						for _, s := range []string{"構成員を追加する", "割当て案を作成する", "を外す", "の割当てを解除"} {
							if strings.Contains(r.body, s) {
								t.Errorf("the chair is offered the secretariat's %q", s)
							}
						}
					}
				})
			}
		}
		for _, tc := range []struct {
			who    string
			status int
		}{{"mhlw-secretariat", 200}, {"mic-secretariat", 404}, {"mhlw-judge-1", 403}, {"mhlw-chair", 403}, {"applicant", 403}} {
			t.Run("programme as "+tc.who, func(t *testing.T) {
				r := ts.as(tc.who).get(mhlwProgramme)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d", r.status, tc.status)
				}
				checkPage(t, r, "ja")
				if tc.status != 200 && strings.Contains(r.body, "令和8年12月24日") {
					t.Error("a refusal shows the stage's deadline")
				}
				if tc.status == 200 {
					for _, s := range []string{"募集期間", "締切まであと21日と0時間", "終了しました", mhlwProgramme + "/release", mhlwProgramme + "/publications", `type="datetime-local"`, "2026-12-24T10:00"} {
						if !strings.Contains(r.body, s) {
							t.Errorf("programme page lacks %q", s)
						}
					}
				}
			})
		}
		t.Run("English", func(t *testing.T) {
			c := ts.as("mhlw-secretariat")
			for _, p := range append(pages, "/../..") {
				r := c.get(strings.TrimSuffix(mhlwReview+p, "/stages/review/../..") + "?lang=en")
				if r.status != 200 {
					t.Fatalf("%s: %d", p, r.status)
				}
				checkPage(t, r, "en")
			}
		})
	})
}

// TestStageWindowForm changes the judging window: refused input comes back
// as typed with the errors, a change made meanwhile shows the conflict
// page, and a good change is in force and in the history.
func TestStageWindowForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := ts.as("mhlw-secretariat")
		action := mhlwReview + "/window"
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			errors []string
		}{
			{"nothing", url.Values{"version": {"1"}}, 422, []string{"締切日時を入力してください", "理由"}},
			{"not a time", url.Values{"version": {"1"}, "closes_at": {"来週"}, "reason": {"延長"}}, 422, []string{"2026-12-20T17:00 の形"}},
			{"in the past", url.Values{"version": {"1"}, "closes_at": {"2026-12-01T10:00"}, "reason": {"延長"}}, 422, []string{"締切を過去"}},
			{"before it opens", url.Values{"version": {"1"}, "opens_at": {"2026-12-30T10:00"}, "closes_at": {"2026-12-28T10:00"}, "reason": {"延長"}}, 422, []string{"開始より後"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.post(action, tc.form)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d\n%s", r.status, tc.status, r.body)
				}
				checkPage(t, r, "ja")
				if byID(r, "form-errors") == nil {
					t.Error("no error summary")
				}
				for _, e := range tc.errors {
					if !strings.Contains(r.body, e) {
						t.Errorf("no error %q", e)
					}
				}
				for _, name := range []string{"closes_at", "reason"} {
					if tc.form.Get(name) != "" && !strings.Contains(r.body, tc.form.Get(name)) {
						t.Errorf("%s typed %q is not kept", name, tc.form.Get(name))
					}
				}
			})
		}
		r := c.post(action, url.Values{"version": {"1"}, "closes_at": {"２０２６-１２-２８T１７:００"}, "reason": {"審査員の日程調整のため"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("a good change: %d\n%s", r.status, r.body)
		}
		r = c.get(mhlwProgramme)
		for _, s := range []string{"期間を変更しました", "令和8年12月28日(月) 17:00", "審査員の日程調整のため", `name="version" value="2"`} {
			if !strings.Contains(r.body, s) {
				t.Errorf("after the change the page lacks %q", s)
			}
		}
		// The same form posted again at the version first seen: someone changed it meanwhile.
		r = c.post(action, url.Values{"version": {"1"}, "closes_at": {"2026-12-30T17:00"}, "reason": {"再延長"}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "ほかの方が先に保存しました") || !strings.Contains(r.body, "令和8年12月30日") {
			t.Fatalf("stale version: %d\n%s", r.status, r.body)
		}
		checkPage(t, r, "ja")
		r = c.post(mhlwProgramme+"/windows/call", url.Values{"version": {"1"}, "closes_at": {"2027-04-02T10:00"}, "reason": {"延長"}})
		if r.status != 422 || !strings.Contains(r.body, "年度内") {
			t.Fatalf("a call past the fiscal year: %d", r.status)
		}
		for who, status := range map[string]int{"mic-secretariat": 404, "mhlw-judge-1": 403, "applicant": 403} {
			r := ts.as(who).post(action, url.Values{"version": {"2"}, "closes_at": {"2026-12-30T17:00"}, "reason": {"x"}})
			if r.status != status {
				t.Errorf("%s changing MHLW's window: %d, want %d", who, r.status, status)
			}
		}
	})
}

// TestStagePanelForm adds and removes panel members.
func TestStagePanelForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ctx := context.Background()
		u, err := ts.svc.CreateUser(ctx, testAdmin, workflow.NewUser{Email: "new-judge@example.jp", Name: "新任審査員", Password: "long enough password 1",
			Role: workflow.RoleJudge, Domain: "mhlw"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ts.svc.CreateUser(ctx, testAdmin, workflow.NewUser{Email: "mic-only@example.jp", Name: "総務省の審査員", Password: "long enough password 1",
			Role: workflow.RoleJudge, Domain: "mic"}); err != nil {
			t.Fatal(err)
		}
		c := ts.as("mhlw-secretariat")
		panel := mhlwReview + "/panel"
		r := c.get(panel)
		if !strings.Contains(r.body, "新任審査員（new-judge@example.jp）") || strings.Contains(r.body, "総務省の審査員") {
			t.Fatalf("the choice of members: %s", r.body)
		}
		id := strconv.FormatInt(u.ID, 10)
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			error  string
		}{
			{"nobody chosen", url.Values{"role": {"judge"}}, 422, "追加する方を選んでください"},
			{"no role", url.Values{"user": {id}, "role": {"admin"}}, 422, "役割（審査員または委員長）を選んでください"},
			{"a role the user lacks", url.Values{"user": {id}, "role": {"chair"}}, 422, "この省庁の審査員（委員長）ではありません"},
			{"someone already on it", url.Values{"user": {strconv.FormatInt(ts.userID("mhlw-judge-1"), 10)}, "role": {"judge"}}, 409, "すでに審査会の構成員です"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.post(panel, tc.form)
				if r.status != tc.status || !strings.Contains(r.body, tc.error) {
					t.Fatalf("%d, want %d with %q\n%s", r.status, tc.status, tc.error, r.body)
				}
				checkPage(t, r, "ja")
				if tc.form.Get("user") == id && fieldValue(r, "user") == "" && !strings.Contains(r.body, `value="`+id+`" selected`) {
					t.Error("the chosen person is not kept")
				}
			})
		}
		if r := c.post(panel, url.Values{"user": {id}, "role": {"judge"}}); r.status != http.StatusSeeOther {
			t.Fatalf("add: %d\n%s", r.status, r.body)
		}
		r = c.get(panel)
		if !strings.Contains(r.body, "審査会に構成員を追加しました") || !strings.Contains(r.body, "新任審査員を外す") {
			t.Fatal("the new member is not listed")
		}
		if r := ts.as("mic-secretariat").post(panel+"/"+id+"/remove", nil); r.status != 404 {
			t.Errorf("the other ministry removing: %d", r.status)
		}
		if r := c.post(panel+"/"+id+"/remove", nil); r.status != http.StatusSeeOther {
			t.Fatalf("remove: %d", r.status)
		}
		if r := c.get(panel); strings.Contains(r.body, "新任審査員を外す") {
			t.Error("the removed member is still listed")
		}
		if r := c.post(panel+"/x/remove", nil); r.status != 404 {
			t.Errorf("a malformed user: %d", r.status)
		}
	})
}

// TestStageAssignments: manual edits, the proposal as a change set,
// applying it all at once, and a stale proposal refused.
func TestStageAssignments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := ts.as("mhlw-secretariat")
		page := mhlwReview + "/assignments"
		b, err := ts.svc.StageBoard(context.Background(), testAdmin, reviewRef)
		if err != nil {
			t.Fatal(err)
		}
		last := b.Entries[len(b.Entries)-1].Nomination.ID
		lastID := strconv.FormatInt(last, 10)
		judge5 := strconv.FormatInt(ts.userByEmail(t, "mhlw-judge-5"), 10)
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			error  string
		}{
			{"nothing chosen", url.Values{}, 422, "割り当てる応募を選んでください"},
			{"no judge", url.Values{"nomination": {lastID}}, 422, "割り当てる審査員を選んでください"},
			{"not an entry of the stage", url.Values{"nomination": {"99999"}, "user": {judge5}}, 422, "審査中の応募 99999 はありません"},
			{"not on the panel", url.Values{"nomination": {lastID}, "user": {strconv.FormatInt(ts.userID("mic-judge-1"), 10)}}, 422, "審査会の構成員ではありません"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.post(page, tc.form)
				if r.status != tc.status || !strings.Contains(r.body, tc.error) {
					t.Fatalf("%d, want %d with %q\n%s", r.status, tc.status, tc.error, r.body)
				}
				checkPage(t, r, "ja")
				if v := tc.form.Get("nomination"); v == lastID && !strings.Contains(r.body, `value="`+v+`" selected`) {
					t.Error("the chosen entry is not kept")
				}
			})
		}
		if r := c.post(page, url.Values{"nomination": {lastID}, "user": {judge5}}); r.status != http.StatusSeeOther {
			t.Fatalf("assign by hand: %d\n%s", r.status, r.body)
		}
		if r := c.get(page); !strings.Contains(r.body, "審査員を割り当てました") || !strings.Contains(r.body, "1人／3人") {
			t.Fatal("the manual assignment is not shown")
		}
		if r := c.post(page+"/"+lastID+"/"+judge5+"/remove", nil); r.status != http.StatusSeeOther {
			t.Fatalf("unassign: %d", r.status)
		}

		r := c.post(mhlwReview+"/proposals", url.Values{})
		if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "/proposals/") {
			t.Fatalf("propose: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
		}
		proposal := r.header.Get("Location")
		r = c.get(proposal)
		checkPage(t, r, "ja")
		for _, s := range []string{"未確定", "この割当て案を適用する（3件）", "0人／3人", "審査員ごとの担当件数の変化", "なし（割当て案は既存の割当てを削除しません）", "越後米菓"} {
			if !strings.Contains(r.body, s) {
				t.Errorf("the change set lacks %q", s)
			}
		}
		if as, _ := ts.svc.Assignments(context.Background(), testAdmin, reviewRef); len(as) != 6 {
			t.Fatalf("proposing assigned something: %d assignments", len(as))
		}
		if r := ts.as("mic-secretariat").get(proposal); r.status != 404 {
			t.Errorf("the other ministry's secretariat reads the proposal: %d", r.status)
		}
		if r := ts.as("mhlw-chair").get(proposal); r.status != 403 || strings.Contains(r.body, "越後米菓") {
			t.Errorf("the chair reads the proposal: %d", r.status)
		}
		if r := c.post(proposal+"/apply", nil); r.status != http.StatusSeeOther {
			t.Fatalf("apply: %d\n%s", r.status, r.body)
		}
		if as, _ := ts.svc.Assignments(context.Background(), testAdmin, reviewRef); len(as) != 9 {
			t.Fatalf("after applying: %d assignments, want 9", len(as))
		}
		r = c.get(page)
		if !strings.Contains(r.body, "割当て案を適用しました") || strings.Contains(r.body, "人数不足") {
			t.Fatal("after applying, an entry is still short")
		}
		if r := c.post(proposal+"/apply", nil); r.status != http.StatusConflict {
			t.Errorf("applying twice: %d", r.status)
		}

		// A proposal made, then the assignments changed: stale.
		r = c.post(mhlwReview+"/proposals", url.Values{"preferences": {"true"}})
		second := r.header.Get("Location")
		b, _ = ts.svc.StageBoard(context.Background(), testAdmin, reviewRef)
		e := b.Entries[len(b.Entries)-1]
		if err := ts.svc.Unassign(context.Background(), testAdmin, reviewRef, e.Nomination.ID, e.Judges[0]); err != nil {
			t.Fatal(err)
		}
		if r := c.get(second); !strings.Contains(r.body, "この割当て案の作成後に") {
			t.Error("the stale proposal is not marked")
		}
		r = c.post(second+"/apply", nil)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "割当て案を適用できませんでした") {
			t.Fatalf("a stale proposal: %d\n%s", r.status, r.body)
		}
		checkPage(t, r, "ja")
		if r := c.post(second+"/discard", nil); r.status != http.StatusSeeOther {
			t.Fatalf("discard: %d", r.status)
		}
		if r := c.get(second); !strings.Contains(r.body, "破棄済み") || strings.Contains(r.body, "この割当て案を適用する") {
			t.Error("the discarded proposal still offers to apply")
		}
	})
}

// TestStageRanking: the measure and the normalised column from the URL.
func TestStageRanking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := ts.as("mhlw-secretariat")
		for _, tc := range []struct {
			query  string
			status int
			shows  []string
			hides  []string
		}{
			{"", 200, []string{"応募の順位（平均点の高い順）", "補正後の平均も表示する"}, []string{`<th scope="col">補正後の平均</th>`}},
			{"?measure=median&normalised=1", 200, []string{"応募の順位（中央値の高い順）", `<th scope="col">補正後の平均</th>`, "補正前の値だけを表示する"}, nil},
			{"?measure=normalised", 200, []string{"応募の順位（補正後の平均の高い順）", `<th scope="col">補正後の平均</th>`}, nil},
			{"?measure=bogus", 422, []string{"順位の基準は一覧から選んでください", "応募の順位（平均点の高い順）"}, nil},
		} {
			t.Run(tc.query, func(t *testing.T) {
				r := c.get(mhlwReview + "/ranking" + tc.query)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d", r.status, tc.status)
				}
				checkPage(t, r, "ja")
				for _, s := range tc.shows {
					if !strings.Contains(r.body, s) {
						t.Errorf("lacks %q", s)
					}
				}
				for _, s := range tc.hides {
					if strings.Contains(r.body, s) {
						t.Errorf("shows %q", s)
					}
				}
			})
		}
		// Two entries with the same scores tie.
		r := ts.as("mic-chair").get(micMinister + "/ranking")
		if r.status != 200 {
			t.Fatalf("the chair's ranking: %d", r.status)
		}
		if strings.Contains(r.body, "同じ値の応募があります") != strings.Contains(r.body, `class="status">同順位`) {
			t.Error("ties are announced without being marked, or marked without being announced")
		}
	})
}

// userByEmail is the id of a demo user who is not a printed account.
func (ts *testSite) userByEmail(t *testing.T, local string) int64 {
	t.Helper()
	us, _, err := ts.svc.Users(context.Background(), testAdmin, workflow.UserFilter{Q: local + "@"})
	if err != nil || len(us) != 1 {
		t.Fatalf("user %s: %d (%v)", local, len(us), err)
	}
	return us[0].ID
}
