package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/workflow"
)

// TestBrowserSecretariatYear: MHLW's secretariat runs its year in one
// browser session, through the pages only. Twenty companies of 大分県
// submitted while the call was open (set up through the services); the
// secretariat filters the list to them and bulk-screens the twenty
// ticked, then recognises and moves them to the review stage with
// "everything matching"; proposes an assignment for the twenty and the
// demo's unassigned entry and applies it; once the judges have scored
// (through the services), previews a decision, reads its warnings,
// confirms and applies it; releases the results with the pre-flight's
// undecided nomination confirmed; publishes with an embargo of now; signs
// out, and the public award list shows the winners and no one else. axe
// on every page.
func TestBrowserSecretariatYear(t *testing.T) {
	ts := browserSite(t)
	// MHLW's call closed two weeks before the demo day: the companies
	// submit three weeks before it.
	ts.clock.Set(demoDay.AddDate(0, 0, -20))
	ns := ts.submitted(t, "mhlw-kagayaku", "輝き大分", same(20, staffOrg{"44", "G", 60})...)
	ts.clock.Set(demoDay)
	demoEntries := mhlwEntries(t, ts) // 尾張, ちゅら, 越後 (unassigned)
	b := newBrowser(t, ts)

	b.signIn("mhlw-secretariat", "/staff")
	b.check("dashboard")

	// Screening: the twenty ticked one by one.
	b.expect(b.open("/staff/nominations"), 200, "list")
	b.choose("都道府県", "44")
	b.choose("状態", "submitted")
	b.expect(b.press("絞り込む"), 200, "filter")
	if got := b.text("#result-count"); !strings.Contains(got, "20件") {
		b.fail("count %q", got)
	}
	b.check("list-submitted")
	if _, err := b.evaluate(`document.querySelectorAll("input[name=sel]").forEach(c => c.click())`, false); err != nil {
		b.fail("tick every row: %v", err)
	}
	if got := b.text("#bulk-selected"); got != "20件を選択中" {
		b.fail("selected %q", got)
	}
	b.bulk("start_screening", "要件確認の開始", "screening", 20)

	// Recognition and the move to the review, each on everything the
	// list it lands on shows.
	b.bulkAll("recognise", "認定", "recognised", 20)
	// In review with the demo's three.
	b.bulkAll("advance", "次の審査段階への送付", "in_review", 23)
	if s := b.text("table.staff-list tbody"); strings.Count(s, "審査中 審査会") != 23 {
		b.fail("the list does not name the stage the 23 are in by its title: %s", s)
	}
	for _, n := range ns {
		if got := ts.state(t, n.ID); got.State != workflow.InReview || got.Stage != "review" {
			b.fail("nomination %d is %s at %q", n.ID, got.State, got.Stage)
		}
	}

	// The assignment: 21 entries short of their three judges.
	b.expect(b.open(mhlwProgramme), 200, "programme")
	b.check("programme")
	b.expect(b.click(clickLink("審査会"), "open the review stage"), 200, "stage overview")
	if s := b.text("main"); !strings.Contains(s, "審査員が足りない応募：21件") {
		b.fail("the overview does not say 21 entries are short: %s", s)
	}
	b.check("stage")
	b.expect(b.click(clickLink("割当て"), "open the assignments"), 200, "assignments")
	b.check("assignments")
	b.expect(b.press("割当て案を作成する"), 200, "propose")
	b.check("proposal")
	coverage := b.text("#coverage")
	for _, name := range []string{"越後米菓", ts.state(t, ns[0].ID).Snapshot.Name, ts.state(t, ns[19].ID).Snapshot.Name} {
		if !strings.Contains(coverage, name+" 0人／3人 3人／3人") {
			b.fail("the change set does not give %s its three judges: %s", name, coverage)
		}
	}
	b.expect(b.press("この割当て案を適用する（63件）"), 200, "apply the proposal")
	if s := b.text("main"); !strings.Contains(s, "割当て案を適用しました") || strings.Contains(s, "人数不足") {
		b.fail("after applying: %s", s)
	}
	b.check("assignments-applied")

	// The judges score; mhlw-judge-1 leaves the demo's two entries it
	// had unscored, which the decision's preview warns of.
	winners := ts.scoreYear(t, ns, demoEntries)

	b.expect(b.click(clickLink("決定"), "open the decision"), 200, "decision")
	if p := b.path(); p != decisionURL {
		b.fail("the stage's 決定 leads to %s", p)
	}
	b.check("decision")
	b.fill("「優秀賞」の件数", "２")
	b.fill("「特別奨励賞」の件数", "5")
	b.expect(b.press("プレビューする"), 200, "preview")
	b.check("decision-preview")
	if w := b.text("#preview-warnings"); !strings.Contains(w, "未提出の採点") {
		b.fail("the preview's warnings: %s", w)
	}
	rows := b.text("#preview-table tbody")
	for award, names := range winners {
		for _, name := range names {
			if !strings.Contains(rows, name) {
				b.fail("the preview lacks %s (%s): %s", name, award, rows)
			}
		}
	}
	if strings.Count(rows, "授賞：優秀賞") != 2 || strings.Count(rows, "授賞：特別奨励賞") != 5 {
		b.fail("the preview's outcomes: %s", rows)
	}
	b.do("confirm the warnings", chromedp.Click(cssID("f-confirm")))
	b.expect(b.press("この結果を適用する"), 200, "apply the decision")
	if s := b.text("main"); !strings.Contains(s, "決定を適用しました") {
		b.fail("after apply: %s", s)
	}
	b.check("decision-applied")
	for award, names := range winners {
		for id := range names {
			if n := ts.state(t, id); n.State != workflow.Awarded || n.Award != award {
				b.fail("nomination %d is %s %q, want awarded %s", id, n.State, n.Award, award)
			}
		}
	}

	// Release: the pre-flight names the returned nomination still open.
	b.expect(b.click(clickLink("結果の発表へ進む"), "go on to the release"), 200, "release page")
	if p := b.path(); p != releaseURL {
		b.fail("結果の発表へ進む leads to %s", p)
	}
	if s := b.text("main"); !strings.Contains(s, "差戻し中（修正待ち）：1件") {
		b.fail("the pre-flight does not name the returned nomination: %s", s)
	}
	b.check("release")
	b.do("confirm undecided", chromedp.Click(cssID("f-confirm")))
	b.fill("未決定のまま発表する理由", "修正待ちの1件は次年度に案内する")
	b.expect(b.press("結果を発表する"), 200, "release")
	b.check("released")

	b.expect(b.click(clickLink("受賞一覧の公表へ進む"), "go on to the publication"), 200, "publications page")
	if p := b.path(); p != pubsURL {
		b.fail("受賞一覧の公表へ進む leads to %s", p)
	}
	b.check("publications")
	embargo := demoDay.Format("2006-01-02T15:04")
	if _, err := b.evaluate(`document.getElementById("f-embargo-at").value = "`+embargo+`"`, false); err != nil {
		b.fail("embargo: %v", err)
	}
	b.expect(b.press("v1として公表する"), 200, "publish")
	if s := b.text("#version-1"); !strings.Contains(s, "公開中") || !strings.Contains(s, "令和8年12月3日(木) 10:00") {
		b.fail("version 1: %s", s)
	}
	b.check("published")

	// Signed out, the public list has the seven winners and no one else
	// of the twenty.
	// Signed out, the home page links to the new list.
	b.expect(b.press("ログアウト"), 200, "sign out")
	if p := b.path(); p != "/" {
		b.fail("signing out led to %s", p)
	}
	if s := b.text("header"); strings.Contains(s, "厚労省事務局") {
		b.fail("still signed in: %s", s)
	}
	b.check("home")
	mhlwList := chromedp.Click(chromedp.Search(`(//main//a[contains(., "輝くテレワーク賞") and contains(., "の受賞一覧")])[1]`))
	b.expect(b.click(mhlwList, "open MHLW's award list"), 200, "public award list")
	if p := b.path(); !strings.HasPrefix(p, "/awards/"+demo.Key) {
		b.fail("the home page's link went to %s", p)
	}
	b.check("public-awards")
	list := b.text("main")
	for award, names := range winners {
		for _, name := range names {
			if !strings.Contains(list, name) {
				b.fail("the public list lacks %s (%s): %s", name, award, list)
			}
		}
	}
	if loser := ts.state(t, ns[19].ID).Snapshot.Name; strings.Contains(list, loser) {
		b.fail("the public list shows %s, not awarded: %s", loser, list)
	}
}

// bulk applies action to the twenty the list has ticked, through the
// confirmation page, and lands on the list of state, which counts listed.
func (b *browser) bulk(action, label string, state workflow.State, listed int) {
	b.t.Helper()
	b.choose("操作", action)
	b.expect(b.press("確認画面へ進む"), 200, "confirm "+action)
	if got := b.text("#bulk-what"); !strings.Contains(got, "20件") {
		b.fail("the confirmation of %s says %q", action, got)
	}
	b.check("bulk-" + action)
	b.expect(b.press("20件を「"+label+"」にする"), 200, "apply "+action)
	if p := b.path(); p != "/staff/nominations?state="+string(state) {
		b.fail("after %s at %s", action, p)
	}
	if got, want := b.text("#result-count"), fmt.Sprintf("%d件", listed); !strings.Contains(got, want) {
		b.fail("after %s the list counts %q, want %s", action, got, want)
	}
	b.check("list-" + string(state))
}

// bulkAll is bulk on everything the list matches (its 20 rows).
func (b *browser) bulkAll(action, label string, state workflow.State, listed int) {
	b.t.Helper()
	b.do("everything matching", chromedp.Click(cssID("bulk-all")))
	b.bulk(action, label, state, listed)
}

// scoreYear has every judge assigned to the twenty ns and to the demo's
// entry assigned through the page (es are the demo's three) submit a
// score, the same on every
// criterion for an entry: the twenty get totals falling with their
// order (20, 19, 17, 16, 14, 13, 12, then 8), between the demo's 尾張
// (18) and ちゅら (15). It returns, by award, the organisations a
// decision of two Excellence Awards and five Special Encouragement Awards
// gives them to, by nomination id.
func (ts *testSite) scoreYear(t *testing.T, ns, es []workflow.Nomination) map[string]map[int64]string {
	t.Helper()
	ctx := context.Background()
	high := [][3]int{{5, 5, 5}, {5, 5, 4}, {4, 5, 4}, {4, 4, 4}, {4, 3, 3}, {3, 4, 3}, {3, 3, 3}}
	values := map[int64]map[string]any{}
	for i, n := range ns {
		v := [3]int{2, 2, 2}
		if i < len(high) {
			v = high[i]
		}
		values[n.ID] = map[string]any{"wlb": v[0], "productivity": v[1], "originality": v[2]}
	}
	values[es[2].ID] = map[string]any{"wlb": 3, "productivity": 2, "originality": 2} // 越後米菓: 10
	as, err := ts.svc.Assignments(ctx, testAdmin, review)
	if err != nil {
		t.Fatal(err)
	}
	scored := 0
	for _, a := range as {
		v, ok := values[a.NominationID]
		if !ok || !a.Active() {
			continue
		}
		judge := workflow.Actor{ID: workflow.User{ID: a.UserID}.ActorID(), UserID: a.UserID, Name: "審査員",
			Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mhlw"}}}
		if _, err := ts.svc.SaveScore(ctx, judge, review, a.NominationID, 0, workflow.ScoreInput{Values: v, Submit: true}); err != nil {
			t.Fatalf("score %d by judge %d: %v", a.NominationID, a.UserID, err)
		}
		scored++
	}
	if scored != 63 {
		t.Fatalf("%d scores submitted, want 63 (three for each of 21 entries)", scored)
	}
	of := func(n ...workflow.Nomination) map[int64]string {
		out := map[int64]string{}
		for _, x := range n {
			out[x.ID] = ts.state(t, x.ID).Snapshot.Name
		}
		return out
	}
	return map[string]map[int64]string{
		"excellence":            of(ns[0], ns[1]),
		"special-encouragement": of(es[0], ns[2], ns[3], es[1], ns[4]),
	}
}
