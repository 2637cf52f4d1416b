package db_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// stored is a nomination's stored eligibility, as the staff list shows it.
func (e *env) stored(t *testing.T, id int64) workflow.Outcome {
	t.Helper()
	items, _, err := e.svc.Nominations(e.ctx, admin, workflow.NominationFilter{Page: workflow.Page{Limit: workflow.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Nomination.ID == id {
			return it.Nomination.Eligibility
		}
	}
	t.Fatalf("nomination %d not listed", id)
	return ""
}

// TestStoredEligibilityFollowsWrites: the stored outcome is that of the
// step the nomination stands at, rewritten by every answer edit and
// transition: unknown while unanswered, fail and pass as answers change,
// the snapshot's at submission, and the stage's rules once it enters one.
func TestStoredEligibilityFollowsWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		o, applicant := e.org(t, "株式会社判定保存")
		n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		if got := e.stored(t, n.ID); got != workflow.Unknown {
			t.Fatalf("new draft: %q, want unknown (nothing answered)", got)
		}
		answers := func(patch map[string]any) func() workflow.Nomination {
			return func() workflow.Nomination {
				out, err := e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, patch)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
		}
		act := func(a workflow.Action, actor workflow.Actor) func() workflow.Nomination {
			return func() workflow.Nomination { return e.step(t, actor, n, a, workflow.Input{}) }
		}
		for _, tc := range []struct {
			name string
			do   func() workflow.Nomination
			want workflow.Outcome
		}{
			{"complete answers", answers(micAnswers), workflow.Pass},
			{"not practised", answers(map[string]any{"practised": false}), workflow.Fail},
			// Three days a month fails only the top100 rules, not screening's.
			{"practised, three days a month", answers(map[string]any{"practised": true, "avg_telework_days": "3"}), workflow.Pass},
			{"submitted", act(workflow.Submit, applicant), workflow.Pass},
			{"screening", act(workflow.StartScreening, micStaff), workflow.Pass},
			{"recognised", act(workflow.Recognise, micStaff), workflow.Pass},
			{"in the top100 stage", act(workflow.Advance, micStaff), workflow.Fail},
		} {
			n = tc.do()
			if n.Eligibility != tc.want {
				t.Fatalf("%s: returned %q, want %q", tc.name, n.Eligibility, tc.want)
			}
			if got := e.stored(t, n.ID); got != tc.want {
				t.Fatalf("%s: stored %q, want %q", tc.name, got, tc.want)
			}
		}
	})
}

// TestStoredEligibilityFollowsRulesAndOrganisation: a new cycle version
// re-judges the cycle's drafts in the same load (others keep the version
// they were submitted against), and an organisation's edit re-judges the
// nominations judged against it live (drafts, returned ones), not those
// judged against their snapshot.
func TestStoredEligibilityFollowsRulesAndOrganisation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		onV1, _ := e.submitted(t, "株式会社旧版判定")
		o, applicant := e.org(t, "株式会社下書き判定")
		draft, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		if draft, err = e.svc.UpdateAnswers(e.ctx, applicant, draft.ID, draft.Version, micAnswers); err != nil {
			t.Fatal(err)
		}
		// Version 2: screening also requires at most 50 regular staff (the fixtures have 100).
		c := exampleCycle(t)
		p, _ := c.Programme("mic-pioneer")
		p.Eligibility = append(p.Eligibility, workflow.Rule{Key: "at-most-50", AppliesTo: workflow.ScreeningStage,
			Condition: "org.regular_headcount <= 50", Reason: workflow.Text{Ja: "50人超", En: "over 50"}})
		if _, err := e.svc.LoadCycle(e.ctx, admin, c, false); err != nil {
			t.Fatal(err)
		}
		// A second applicant organisation submits under version 2 and is returned.
		returned, returnedApplicant := e.submitted(t, "株式会社差戻判定")
		kept, _ := e.submitted(t, "株式会社提出判定")
		due := e.clock.Now().AddDate(0, 0, 14)
		returned = e.step(t, micStaff, returned, workflow.Return, workflow.Input{Reason: "確認", Due: &due})
		resize := func(id int64, headcount int) func() {
			return func() {
				org, err := e.svc.Organisation(e.ctx, admin, id)
				if err != nil {
					t.Fatal(err)
				}
				org.RegularHeadcount, org.TotalHeadcount = headcount, headcount
				if _, err := e.svc.UpdateOrganisation(e.ctx, admin, org, org.Version); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tc := range []struct {
			name string
			do   func()
			want map[int64]workflow.Outcome
		}{
			{"version 2 loaded", func() {},
				map[int64]workflow.Outcome{onV1.ID: workflow.Pass, draft.ID: workflow.Fail, returned.ID: workflow.Fail, kept.ID: workflow.Fail}},
			{"the draft's organisation shrinks", resize(o.ID, 40),
				map[int64]workflow.Outcome{draft.ID: workflow.Pass, returned.ID: workflow.Fail}},
			{"the returned one's organisation shrinks", resize(returnedApplicant.OrganisationID, 40),
				map[int64]workflow.Outcome{returned.ID: workflow.Pass, kept.ID: workflow.Fail}},
			{"the submitted one's organisation shrinks", resize(kept.OrganisationID, 40),
				map[int64]workflow.Outcome{kept.ID: workflow.Fail}}, // its snapshot still has 100
		} {
			tc.do()
			for id, want := range tc.want {
				if got := e.stored(t, id); got != want {
					t.Fatalf("%s: nomination %d stored %q, want %q", tc.name, id, got, want)
				}
			}
		}
	})
}

// TestEvaluateEligibilityBackfills: rows stored before the outcome was
// ("") are evaluated in batches, each as the service judges it; a second
// run finds nothing to do.
func TestEvaluateEligibilityBackfills(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		want := map[int64]workflow.Outcome{}
		for i := range 3 {
			n, _ := e.submitted(t, fmt.Sprintf("株式会社補完%d", i))
			want[n.ID] = workflow.Pass
		}
		o, applicant := e.org(t, "株式会社補完下書き")
		n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		want[n.ID] = workflow.Unknown
		if _, err := d.Bun.NewUpdate().Table("nominations").Set("eligibility = ''").Where("1 = 1").Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			count int
		}{{"first run", len(want)}, {"second run", 0}} {
			got, err := e.svc.EvaluateEligibility(e.ctx)
			if err != nil || got != tc.count {
				t.Fatalf("%s: evaluated %d, %v; want %d", tc.name, got, err, tc.count)
			}
			for id, w := range want {
				if s := e.stored(t, id); s != w {
					t.Fatalf("%s: nomination %d stored %q, want %q", tc.name, id, s, w)
				}
			}
		}
	})
}

// TestNominationsVerdictFilter: the verdict filter narrows the staff list
// to the stored outcome, with the other filters; applicants may not use it,
// an unknown word is refused, and a cursor does not carry over to another
// verdict.
func TestNominationsVerdictFilter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		byOutcome := map[workflow.Outcome][]int64{}
		var applicant workflow.Actor
		for i, practised := range []bool{true, false, true, false, true} {
			n, a := e.submitted(t, fmt.Sprintf("株式会社絞込判定%d", i))
			applicant = a
			if !practised { // returned, corrected to not practised
				due := e.clock.Now().AddDate(0, 0, 14)
				n = e.step(t, micStaff, n, workflow.Return, workflow.Input{Reason: "確認", Due: &due})
				var err error
				if n, err = e.svc.UpdateAnswers(e.ctx, a, n.ID, n.Version, map[string]any{"practised": false}); err != nil {
					t.Fatal(err)
				}
			}
			byOutcome[n.Eligibility] = append([]int64{n.ID}, byOutcome[n.Eligibility]...)
		}
		if len(byOutcome[workflow.Pass]) != 3 || len(byOutcome[workflow.Fail]) != 2 {
			t.Fatalf("fixture outcomes %v", byOutcome)
		}
		list := func(actor workflow.Actor, f workflow.NominationFilter) ([]int64, error) {
			items, _, err := e.svc.Nominations(e.ctx, actor, f)
			var ids []int64
			for _, it := range items {
				ids = append(ids, it.Nomination.ID)
			}
			return ids, err
		}
		for _, tc := range []struct {
			name  string
			actor workflow.Actor
			f     workflow.NominationFilter
			want  []int64
			code  workflow.Code
		}{
			{"eligible", micStaff, workflow.NominationFilter{Verdict: workflow.Pass}, byOutcome[workflow.Pass], ""},
			{"ineligible", micStaff, workflow.NominationFilter{Verdict: workflow.Fail}, byOutcome[workflow.Fail], ""},
			{"ineligible and returned", micStaff, workflow.NominationFilter{Verdict: workflow.Fail, State: workflow.Returned}, byOutcome[workflow.Fail], ""},
			{"eligible and returned", micStaff, workflow.NominationFilter{Verdict: workflow.Pass, State: workflow.Returned}, nil, ""},
			{"unknown", admin, workflow.NominationFilter{Verdict: workflow.Unknown}, nil, ""},
			{"other ministry", mhlwStaff, workflow.NominationFilter{Verdict: workflow.Pass}, nil, ""},
			{"applicant", applicant, workflow.NominationFilter{Verdict: workflow.Pass}, nil, workflow.Forbidden},
			{"no such verdict", micStaff, workflow.NominationFilter{Verdict: "maybe"}, nil, workflow.Invalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ids, err := list(tc.actor, tc.f)
				wantCode(t, err, tc.code)
				if !slices.Equal(ids, tc.want) {
					t.Fatalf("ids %v, want %v", ids, tc.want)
				}
			})
		}
		_, info, err := e.svc.Nominations(e.ctx, micStaff, workflow.NominationFilter{Verdict: workflow.Pass, Page: workflow.Page{Limit: 1}})
		if err != nil || info.NextCursor == "" {
			t.Fatal(info, err)
		}
		_, _, err = e.svc.Nominations(e.ctx, micStaff, workflow.NominationFilter{Verdict: workflow.Fail, Page: workflow.Page{Cursor: info.NextCursor}})
		wantProblem(t, err, "cursor", "cursor_other_filters")
		if _, _, err = e.svc.Nominations(e.ctx, micStaff, workflow.NominationFilter{Verdict: workflow.Pass, Page: workflow.Page{Cursor: info.NextCursor}}); err != nil {
			t.Fatalf("the same verdict: %v", err)
		}
	})
}
