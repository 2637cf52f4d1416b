package api

import (
	"fmt"
	"testing"

	"github.com/awardflow/awardflow/workflow"
)

const stagePath = "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/stages/top100"

func ids(r response) map[int64]bool {
	out := map[int64]bool{}
	items, _ := r.body["items"].([]any)
	for _, it := range items {
		out[int64(it.(map[string]any)["nomination_id"].(float64))] = true
	}
	return out
}

// TestJudgingLeaks: over HTTP, a judge never sees an entry it is not
// assigned to or is conflicted with, nor other judges' scores before
// submitting its own (score_visibility after_submit); an applicant sees no
// score and no decision before the results are released.
func TestJudgingLeaks(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		judge := f.tokens["micJudge"]

		// Unassigned: invisible everywhere.
		list := f.do("GET", stagePath+"/entries", judge, nil)
		if !ids(list)[f.assigned] || ids(list)[f.other] {
			t.Fatalf("judge's entries: %s", list.raw)
		}
		for _, req := range []struct{ method, path string }{
			{"GET", fmt.Sprintf("%s/entries/%d", stagePath, f.other)},
			{"GET", fmt.Sprintf("%s/entries/%d/scores", stagePath, f.other)},
			{"PUT", fmt.Sprintf("%s/entries/%d/score", stagePath, f.other)},
			{"POST", fmt.Sprintf("%s/entries/%d/recusal", stagePath, f.other)},
			{"GET", fmt.Sprintf("/api/v1/nominations/%d", f.other)},
		} {
			body := map[string]any{"reason": "x"}
			if req.method == "PUT" {
				body = map[string]any{"values": map[string]any{"adoption": 3}}
			}
			if req.method == "GET" {
				body = nil
			}
			if res := f.do(req.method, req.path, judge, body); res.status != 404 && res.status != 403 {
				t.Errorf("%s %s as an unassigned judge = %d %s", req.method, req.path, res.status, res.raw)
			}
		}

		// Conflicted: declaring a conflict with an assigned entry's organisation hides it at once.
		z := f.assignedEntry()
		if res := f.do("POST", "/api/v1/me/conflicts", judge, map[string]any{"organisation_id": z.OrganisationID, "reason": "兼業先"}); res.status != 201 {
			t.Fatalf("declare: %s", res.raw)
		}
		if res := f.do("GET", fmt.Sprintf("%s/entries/%d", stagePath, z.ID), judge, nil); res.status != 404 {
			t.Fatalf("conflicted entry = %d", res.status)
		}
		if ids(f.do("GET", stagePath+"/entries", judge, nil))[z.ID] {
			t.Fatal("a conflicted entry is listed to its judge")
		}
		conflicts := f.do("GET", stagePath+"/conflicts", f.tokens["micSec"], nil)
		found := false
		for _, it := range conflicts.body["items"].([]any) {
			c := it.(map[string]any)
			found = found || int64(c["nomination_id"].(float64)) == z.ID && c["source"] == "declared"
		}
		if !found {
			t.Fatalf("the secretariat does not see the conflict and its source: %s", conflicts.raw)
		}

		// Blind scoring: a second judge submits; the first sees nothing of it until it submits too.
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
		full := map[string]any{"adoption": 5, "management": 4, "security": "４", "outcomes": 4.5}
		score := fmt.Sprintf("%s/entries/%d/score", stagePath, f.assigned)
		scores := fmt.Sprintf("%s/entries/%d/scores", stagePath, f.assigned)
		if res := f.do("PUT", score, tok2.Value, map[string]any{"values": full, "comment": "秀逸", "submit": true}); res.status != 200 {
			t.Fatalf("second judge submits: %s", res.raw)
		}
		draft := f.do("PUT", score, judge, map[string]any{"values": map[string]any{"adoption": 3}})
		if draft.status != 200 {
			t.Fatalf("draft: %s", draft.raw)
		}
		if res := f.do("GET", scores, judge, nil); len(res.body["items"].([]any)) != 1 {
			t.Fatalf("before submitting, the judge sees: %s", res.raw)
		}
		stale := f.do("PUT", score, judge, map[string]any{"values": full, "submit": true}) // no If-Match: version 0 is stale
		if stale.status != 409 {
			t.Fatalf("a save without the current version = %d", stale.status)
		}
		if res := f.do("PUT", score, judge, map[string]any{"values": full, "submit": true}, "If-Match", draft.header.Get("ETag")); res.status != 200 {
			t.Fatalf("submit: %s", res.raw)
		}
		if res := f.do("GET", scores, judge, nil); len(res.body["items"].([]any)) != 2 {
			t.Fatalf("after submitting, the judge sees: %s", res.raw)
		}

		// The applicant of the entry: no scores, no decision before release.
		applicant, err := f.svc.CreateUser(f.ctx, admin, workflow.NewUser{Email: "entrant@test.example", Name: "応募者", Password: "long enough password",
			Role: workflow.RoleApplicant, Domain: "*", OrganisationID: f.nomination(f.assigned).OrganisationID})
		if err != nil {
			t.Fatal(err)
		}
		_, atok, _ := f.svc.Login(f.ctx, applicant.Email, "long enough password")
		for _, path := range []string{scores, stagePath + "/entries", stagePath + "/ranking"} {
			if res := f.do("GET", path, atok.Value, nil); res.status != 403 {
				t.Errorf("applicant GET %s = %d", path, res.status)
			}
		}
		spec := workflow.DecisionSpec{TopN: 1}
		pv, err := f.svc.PreviewDecision(f.ctx, admin, top100, spec)
		if err != nil {
			t.Fatal(err)
		}
		if res := f.do("POST", stagePath+"/decisions", f.tokens["micSec"], map[string]any{"spec": map[string]any{"top_n": 1}, "fingerprint": pv.Fingerprint}); res.status != 201 {
			t.Fatalf("apply decision: %s", res.raw)
		}
		mine := f.do("GET", fmt.Sprintf("/api/v1/nominations/%d", f.assigned), atok.Value, nil)
		if mine.body["state"] != "under_review" || mine.body["tier"] != nil {
			t.Fatalf("the applicant sees a decision before release: %s", mine.raw)
		}
		if fb := f.do("GET", fmt.Sprintf("/api/v1/nominations/%d/feedback", f.assigned), atok.Value, nil); len(fb.body["items"].([]any)) != 0 {
			t.Fatalf("feedback before release: %s", fb.raw)
		}
		if res := f.do("POST", "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/release", f.tokens["micSec"],
			map[string]any{"confirm_undecided": true, "reason": "下書きは対象外"}); res.status != 204 {
			t.Fatalf("release: %s", res.raw)
		}
		mine = f.do("GET", fmt.Sprintf("/api/v1/nominations/%d", f.assigned), atok.Value, nil)
		if mine.body["state"] != "selected" || mine.body["tier"] != "top100" {
			t.Fatalf("after release the applicant sees: %s", mine.raw)
		}
	})
}

func (f *fixture) nomination(id int64) workflow.Nomination {
	f.t.Helper()
	v, err := f.svc.Nomination(f.ctx, admin, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return v.Nomination
}
