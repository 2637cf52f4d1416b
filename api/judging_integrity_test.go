package api

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/workflow"
)

// Issue 8: judging leaks, duplicate declarations, name matching, blind
// scoring and hidden characters, over HTTP on both databases.

// errorShape is an error response without what differs by request: the
// request id, and the entry id where a message names it.
func errorShape(r response, id int64) string {
	e, _ := r.body["error"].(map[string]any)
	if e == nil {
		return fmt.Sprintf("%d %s", r.status, r.raw)
	}
	delete(e, "request_id")
	if m, ok := e["message"].(string); ok {
		e["message"] = strings.ReplaceAll(m, strconv.FormatInt(id, 10), "{id}")
	}
	return fmt.Sprintf("%d %v", r.status, e)
}

// TestJudgeCannotProbeEntries: every judging route a judge can call answers
// an entry it is not assigned to, a conflicted one, a nomination that is not
// at the stage and an id that does not exist with one identical 404, in
// Japanese and in English, so the judge cannot tell which ids are entries of
// its stage.
func TestJudgeCannotProbeEntries(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		judge := f.tokens["micJudge"]
		conflicted := f.assignedEntry()
		if res := f.do("POST", "/api/v1/me/conflicts", judge, map[string]any{"organisation_id": conflicted.OrganisationID, "reason": "兼業先"}); res.status != 201 {
			t.Fatalf("declare: %s", res.raw)
		}
		probes := map[string]int64{
			"unassigned entry":          f.other,
			"conflicted entry":          conflicted.ID,
			"nomination not at stage":   f.micDraft,
			"nomination does not exist": 987654,
		}
		routes := []struct {
			method, path string
			body         any
		}{
			{"GET", "/entries/%d", nil},
			{"GET", "/entries/%d/scores", nil},
			{"PUT", "/entries/%d/score", map[string]any{"values": map[string]any{"adoption": 3}}},
			{"POST", "/entries/%d/recusal", map[string]any{"reason": "取引先"}},
		}
		for _, rt := range routes {
			for _, language := range []string{"ja", "en"} {
				shapes := map[string]string{}
				for what, id := range probes {
					res := f.do(rt.method, fmt.Sprintf(stagePath+rt.path, id), judge, rt.body, "Accept-Language", language)
					if res.status != 404 {
						t.Errorf("%s %s, %s: %d %s", rt.method, rt.path, what, res.status, res.raw)
					}
					shapes[errorShape(res, id)] = what
				}
				if len(shapes) != 1 {
					t.Errorf("%s %s (%s): the answers differ, so they tell entries apart: %v", rt.method, rt.path, language, shapes)
				}
			}
		}
	})
}

// TestDeclarationsOnce: declaring the same conflict or affiliation twice is
// refused (409) and stores one row; a panel member changes only at the
// version edited.
func TestDeclarationsOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		judge := f.tokens["micJudge"]
		conflict := map[string]any{"organisation_id": f.orgB.ID, "reason": "元勤務先"}
		if res := f.do("POST", "/api/v1/me/conflicts", judge, conflict); res.status != 201 {
			t.Fatalf("declare: %s", res.raw)
		}
		for _, reason := range []string{"元勤務先", "親族が役員"} {
			res := f.do("POST", "/api/v1/me/conflicts", judge, map[string]any{"organisation_id": f.orgB.ID, "reason": reason})
			if res.status != 409 {
				t.Errorf("the same conflict again (%s) = %d %s", reason, res.status, res.raw)
			}
		}
		cn := "1010001000006" // a valid corporate number (check digit)
		for _, tc := range []struct {
			name         string
			first, again map[string]any
		}{
			{"organisation", map[string]any{"organisation_id": f.orgA.ID}, map[string]any{"organisation_id": f.orgA.ID}},
			{"corporate number", map[string]any{"corporate_number": cn}, map[string]any{"corporate_number": "１０１０００１０００００６"}},
			{"name", map[string]any{"name": "株式会社テレワーク工房"}, map[string]any{"name": "ﾃﾚﾜｰｸ工房（株）"}},
		} {
			if res := f.do("POST", "/api/v1/me/affiliations", judge, tc.first); res.status != 201 {
				t.Fatalf("%s: declare: %s", tc.name, res.raw)
			}
			if res := f.do("POST", "/api/v1/me/affiliations", judge, tc.again); res.status != 409 {
				t.Errorf("%s: the same affiliation again = %d %s", tc.name, res.status, res.raw)
			}
		}
		if res := f.do("POST", "/api/v1/me/affiliations", judge, map[string]any{"name": "（株）"}); res.status != 422 {
			t.Errorf("an affiliation that is only a legal form = %d %s", res.status, res.raw)
		}
		mine := f.do("GET", "/api/v1/me/conflicts", judge, nil)
		if n, m := len(mine.body["conflicts"].([]any)), len(mine.body["affiliations"].([]any)); n != 1 || m != 3 {
			t.Fatalf("stored %d conflicts and %d affiliations, want 1 and 3: %s", n, m, mine.raw)
		}

		// Panel: add (201, ETag "1"), change only with the version edited.
		sec := f.tokens["micSec"]
		u := f.freshUser(workflow.RoleJudge, "mic")
		path := fmt.Sprintf("%s/panel/%d", stagePath, u.ID)
		add := f.do("PUT", path, sec, map[string]any{"role": "judge"})
		if add.status != 201 || add.header.Get("ETag") != `"1"` {
			t.Fatalf("add = %d %q %s", add.status, add.header.Get("ETag"), add.raw)
		}
		change := map[string]any{"role": "judge", "industries": []string{"G"}}
		for _, tc := range []struct {
			name    string
			headers []string
			status  int
		}{
			{"no If-Match", nil, 428},
			{"If-None-Match: *", []string{"If-None-Match", "*"}, 409},
			{"stale If-Match", []string{"If-Match", `"7"`}, 409},
			{"current If-Match", []string{"If-Match", `"1"`}, 200},
			{"the same If-Match again", []string{"If-Match", `"1"`}, 409},
		} {
			res := f.do("PUT", path, sec, change, tc.headers...)
			if res.status != tc.status {
				t.Errorf("%s = %d, want %d: %s", tc.name, res.status, tc.status, res.raw)
			}
			if res.status == 200 && res.header.Get("ETag") != `"2"` {
				t.Errorf("%s: ETag %q", tc.name, res.header.Get("ETag"))
			}
		}
		panel := f.do("GET", stagePath+"/panel", sec, nil)
		for _, it := range panel.body["items"].([]any) {
			m := it.(map[string]any)
			if int64(m["user_id"].(float64)) == u.ID && (m["version"] != float64(2) || len(m["industries"].([]any)) != 1) {
				t.Fatalf("the member after one change: %v", m)
			}
		}
	})
}

// stageEntryOf takes a new MIC nomination of org to review at the Top 100 stage.
func (f *fixture) stageEntryOf(org workflow.Organisation) workflow.Nomination {
	f.t.Helper()
	n := f.submitted(org, workflow.Actor{ID: "setup", Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: "*"}}}, "mic-pioneer")
	for _, a := range []workflow.Action{workflow.StartScreening, workflow.Recognise, workflow.Advance} {
		var err error
		if n, err = f.svc.Transition(f.ctx, admin, n.ID, 0, a, workflow.Input{}); err != nil {
			f.t.Fatal(err)
		}
	}
	return n
}

// TestAffiliationNameMatchesLegalFormVariants: a judge who declares the
// organisation's name without its legal form, or in another notation, is
// conflicted with its entry and cannot be assigned to it.
func TestAffiliationNameMatchesLegalFormVariants(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		n := f.stageEntryOf(f.organisation("株式会社テレワーク工房"))
		sec := f.tokens["micSec"]
		for _, declared := range []string{"テレワーク工房", "テレワーク工房（株）", "ﾃﾚﾜｰｸ 工房", "㈱テレワーク工房"} {
			u := f.freshUser(workflow.RoleJudge, "mic")
			if res := f.do("PUT", fmt.Sprintf("%s/panel/%d", stagePath, u.ID), sec, map[string]any{"role": "judge"}); res.status/100 != 2 {
				t.Fatalf("panel: %s", res.raw)
			}
			_, tok, err := f.svc.Login(f.ctx, u.Email, "long enough password")
			if err != nil {
				t.Fatal(err)
			}
			if res := f.do("POST", "/api/v1/me/affiliations", tok.Value, map[string]any{"name": declared}); res.status != 201 {
				t.Fatalf("declare %q: %s", declared, res.raw)
			}
			res := f.do("POST", stagePath+"/assignments", sec, map[string]any{"nomination_id": n.ID, "user_id": u.ID})
			if res.status != 422 {
				t.Errorf("a judge who declared %q was assigned to 株式会社テレワーク工房: %d %s", declared, res.status, res.raw)
			}
			found := false
			for _, it := range f.do("GET", stagePath+"/conflicts", sec, nil).body["items"].([]any) {
				c := it.(map[string]any)
				found = found || int64(c["user_id"].(float64)) == u.ID && int64(c["nomination_id"].(float64)) == n.ID && c["source"] == "name"
			}
			if !found {
				t.Errorf("no name conflict listed for %q", declared)
			}
		}
	})
}

// TestBlindScoringLock: under after_submit, a judge who submitted (and so
// can read the others' scores) cannot change its score, by the API or by a
// scoring sheet, until the chair reopens it with a reason; the reopening
// and the change are in the score history with before and after, for the
// chair and the secretariat but not for judges.
func TestBlindScoringLock(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		judge, me := f.tokens["micJudge"], f.users["micJudge"].ID
		j2 := f.freshUser(workflow.RoleJudge, "mic")
		if _, err := f.svc.SetPanelMember(f.ctx, admin, top100, workflow.PanelMember{UserID: j2.ID, Role: workflow.RoleJudge}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Assign(f.ctx, admin, top100, f.assigned, j2.ID); err != nil {
			t.Fatal(err)
		}
		_, tok2, err := f.svc.Login(f.ctx, j2.Email, "long enough password")
		if err != nil {
			t.Fatal(err)
		}
		score := fmt.Sprintf("%s/entries/%d/score", stagePath, f.assigned)
		scores := fmt.Sprintf("%s/entries/%d/scores", stagePath, f.assigned)
		history := fmt.Sprintf("%s/entries/%d/score-history", stagePath, f.assigned)
		good := map[string]any{"adoption": 5, "management": 5, "security": 5, "outcomes": 5}
		ones := map[string]any{"adoption": 1, "management": 1, "security": 1, "outcomes": 1}
		if res := f.do("PUT", score, tok2.Value, map[string]any{"values": good, "submit": true}); res.status != 200 {
			t.Fatalf("second judge: %s", res.raw)
		}
		sub := f.do("PUT", score, judge, map[string]any{"values": ones, "submit": true})
		if sub.status != 200 {
			t.Fatalf("submit: %s", sub.raw)
		}
		if res := f.do("GET", scores, judge, nil); len(res.body["items"].([]any)) != 2 {
			t.Fatalf("after submitting the judge sees: %s", res.raw)
		}
		change := f.do("PUT", score, judge, map[string]any{"values": good, "submit": true}, "If-Match", sub.header.Get("ETag"))
		if change.status != 409 || !contains(problemCodes(change), "score_locked@<nil>") {
			t.Fatalf("changing a submitted score after reading the others' = %d %s", change.status, change.raw)
		}
		// Nor through a scoring sheet.
		if res := f.upload(judge, me, fill(t, f.download(judge, me)), true); res.status != 422 || !strings.Contains(res.raw, "score_locked") {
			t.Fatalf("sheet import over a locked score = %d %s", res.status, res.raw)
		}

		reopen := fmt.Sprintf("%s/entries/%d/scores/%d/reopen", stagePath, f.assigned, me)
		if res := f.do("POST", reopen, judge, map[string]any{"reason": "自分で"}); res.status != 403 {
			t.Errorf("a judge reopens its own score: %d", res.status)
		}
		if res := f.do("POST", reopen, f.tokens["micChair"], map[string]any{"reason": " "}); res.status != 422 {
			t.Errorf("reopen without a reason: %d %s", res.status, res.raw)
		}
		reopened := f.do("POST", reopen, f.tokens["micChair"], map[string]any{"reason": "評点の記入誤りの申し出"})
		if reopened.status != 200 || reopened.body["reopen_reason"] != "評点の記入誤りの申し出" {
			t.Fatalf("reopen: %s", reopened.raw)
		}
		fixed := f.do("PUT", score, judge, map[string]any{"values": good, "comment": "訂正", "submit": true}, "If-Match", reopened.header.Get("ETag"))
		if fixed.status != 200 || fixed.body["reopened_at"] != nil {
			t.Fatalf("change after reopening: %s", fixed.raw)
		}
		if res := f.do("PUT", score, judge, map[string]any{"values": ones, "submit": true}, "If-Match", fixed.header.Get("ETag")); res.status != 409 {
			t.Fatalf("a second change after one reopening = %d %s", res.status, res.raw)
		}

		for _, caller := range []string{"micJudge", "owner"} {
			if res := f.do("GET", history, f.tokens[caller], nil); res.status != 403 {
				t.Errorf("%s reads the score history: %d", caller, res.status)
			}
		}
		for _, caller := range []string{"micSec", "micChair"} {
			res := f.do("GET", history, f.tokens[caller], nil)
			if res.status != 200 {
				t.Fatalf("%s history: %s", caller, res.raw)
			}
			var kinds []string
			var correction map[string]any
			for _, it := range res.body["items"].([]any) {
				e := it.(map[string]any)
				if int64(e["user_id"].(float64)) != me {
					continue
				}
				kinds = append(kinds, e["kind"].(string))
				if e["kind"] == "correction" {
					correction = e
				}
			}
			if strings.Join(kinds, ",") != "save,reopen,correction" || correction == nil {
				t.Fatalf("%s sees the judge's history %v: %s", caller, kinds, res.raw)
			}
			before := correction["before"].(map[string]any)["values"].(map[string]any)
			after := correction["after"].(map[string]any)["values"].(map[string]any)
			if before["adoption"] != "1" || after["adoption"] != "5" || correction["reason"] != "評点の記入誤りの申し出" {
				t.Fatalf("%s: the correction does not show before and after: %v", caller, correction)
			}
		}
	})
}

// TestJudgingTextRefusesHiddenCharacters: affiliation names, declaration and
// recusal reasons, score comments and reopening reasons may not hide or
// reorder text.
func TestJudgingTextRefusesHiddenCharacters(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		judge := f.tokens["micJudge"]
		for _, hidden := range []string{"\u200b", "\u202e", "\u2066", "\u200f", "\ufeff"} {
			for _, tc := range []struct {
				name, method, path string
				body               map[string]any
				field              string
			}{
				{"affiliation name", "POST", "/api/v1/me/affiliations", map[string]any{"name": "テレワーク" + hidden + "工房"}, "name"},
				{"declaration reason", "POST", "/api/v1/me/conflicts", map[string]any{"organisation_id": f.orgB.ID, "reason": "元" + hidden + "勤務先"}, "reason"},
				{"recusal reason", "POST", fmt.Sprintf("%s/entries/%d/recusal", stagePath, f.assigned), map[string]any{"reason": "取引" + hidden + "先"}, "reason"},
				{"score comment", "PUT", fmt.Sprintf("%s/entries/%d/score", stagePath, f.assigned),
					map[string]any{"values": map[string]any{"adoption": 3}, "comment": "良" + hidden + "い"}, "comment"},
			} {
				res := f.do(tc.method, tc.path, judge, tc.body)
				if res.status != 422 || !contains(problemCodes(res), "hidden_character@"+tc.field) {
					t.Errorf("%s with U+%04X = %d %s", tc.name, []rune(hidden)[0], res.status, res.raw)
				}
			}
		}
	})
}

// TestNeverVisibilityCorrection: under score_visibility never a judge, who
// cannot see the others' scores, may still correct its submitted score; the
// correction is in the history with before and after. The chair sees every
// score, so its own submitted score is locked even there.
func TestNeverVisibilityCorrection(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		c, err := f.svc.Cycle(f.ctx, top100.Cycle)
		if err != nil {
			t.Fatal(err)
		}
		cyc := c.Cycle
		p, _ := cyc.Programme(top100.Programme)
		st, _ := p.Stage(top100.Stage)
		st.Judging.ScoreVisibility = workflow.VisibleNever
		if _, err := f.svc.LoadCycle(f.ctx, admin, cyc, false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Assign(f.ctx, admin, top100, f.assigned, f.users["micChair"].ID); err != nil {
			t.Fatal(err)
		}
		score := fmt.Sprintf("%s/entries/%d/score", stagePath, f.assigned)
		ones := map[string]any{"adoption": 1, "management": 1, "security": 1, "outcomes": 1}
		good := map[string]any{"adoption": 4, "management": 4, "security": 4, "outcomes": 4}
		for _, tc := range []struct {
			caller string
			status int
		}{{"micJudge", 200}, {"micChair", 409}} {
			sub := f.do("PUT", score, f.tokens[tc.caller], map[string]any{"values": ones, "submit": true})
			if sub.status != 200 {
				t.Fatalf("%s submits: %s", tc.caller, sub.raw)
			}
			res := f.do("PUT", score, f.tokens[tc.caller], map[string]any{"values": good, "submit": true}, "If-Match", sub.header.Get("ETag"))
			if res.status != tc.status {
				t.Errorf("%s corrects its submitted score under never = %d, want %d: %s", tc.caller, res.status, tc.status, res.raw)
			}
		}
		hist := f.do("GET", fmt.Sprintf("%s/entries/%d/score-history", stagePath, f.assigned), f.tokens["micSec"], nil)
		var correction map[string]any
		for _, it := range hist.body["items"].([]any) {
			if e := it.(map[string]any); e["kind"] == "correction" && int64(e["user_id"].(float64)) == f.users["micJudge"].ID {
				correction = e
			}
		}
		if correction == nil || correction["before"].(map[string]any)["values"].(map[string]any)["adoption"] != "1" ||
			correction["after"].(map[string]any)["values"].(map[string]any)["adoption"] != "4" {
			t.Fatalf("the correction is not shown with before and after: %s", hist.raw)
		}
	})
}
