package db_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/aggregate"
)

var top100 = workflow.StageRef{Cycle: "fy2026-telework", Programme: "mic-pioneer", Stage: "top100"}

// judgingEnv is an env with n entries under review at MIC's Top 100 stage
// and a panel of judges and a chair.
type judgingEnv struct {
	*env
	entries []workflow.Nomination
	judges  []workflow.Actor
	chair   workflow.Actor
}

func newJudgingEnv(t testing.TB, d *db.DB, entries, judges int) *judgingEnv {
	t.Helper()
	je := &judgingEnv{env: newEnv(t, d)}
	for i := range entries {
		n, _ := je.submitted(t, fmt.Sprintf("株式会社審査%02d", i))
		for _, a := range []workflow.Action{workflow.StartScreening, workflow.Recognise, workflow.Advance} {
			n = je.step(t, micStaff, n, a, workflow.Input{})
		}
		je.entries = append(je.entries, n)
	}
	member := func(name string, role workflow.Role) workflow.Actor {
		u, err := je.svc.CreateUser(je.ctx, admin, workflow.NewUser{Email: name + "@judges.example", Name: name, Password: "long enough password",
			Role: role, Domain: "mic"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := je.svc.SetPanelMember(je.ctx, micStaff, top100, workflow.PanelMember{UserID: u.ID, Role: role}); err != nil {
			t.Fatal(err)
		}
		return workflow.Actor{ID: u.ActorID(), UserID: u.ID, Name: name, Grants: []workflow.Grant{{Role: role, Domain: "mic"}}}
	}
	for i := range judges {
		je.judges = append(je.judges, member(fmt.Sprintf("judge%d", i), workflow.RoleJudge))
	}
	je.chair = member("chair", workflow.RoleChair)
	je.clock.Set(time.Date(2026, 8, 25, 10, 0, 0, 0, workflow.Tokyo)) // inside the judging window
	return je
}

func (je *judgingEnv) proposeAndApply(t testing.TB) workflow.Proposal {
	t.Helper()
	p, err := je.svc.Propose(je.ctx, micStaff, top100, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = je.svc.ApplyProposal(je.ctx, micStaff, top100, p.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

func (je *judgingEnv) assignedTo(t testing.TB, j workflow.Actor) []int64 {
	t.Helper()
	as, err := je.svc.Assignments(je.ctx, j, top100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range as {
		ids = append(ids, a.NominationID)
	}
	return ids
}

var fullScore = map[string]any{"adoption": 4, "management": "５", "security": 3, "outcomes": "4.5"}

func TestConflictsAndAssignment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 8, 4)
		// Judge 0 is tied by corporate number to every entry's organisation (the
		// fixture gives them all 4011001098993), so test named conflicts instead:
		// judge 1 declares a conflict with entry 0's organisation, judge 2 an
		// affiliation by name with entry 1's.
		if _, err := je.svc.DeclareConflict(je.ctx, je.judges[1], je.entries[0].OrganisationID, "元顧問"); err != nil {
			t.Fatal(err)
		}
		if _, err := je.svc.DeclareAffiliation(je.ctx, je.judges[2], workflow.Affiliation{Name: " 株式会社審査01 "}); err != nil {
			t.Fatal(err)
		}
		_, err := je.svc.DeclareAffiliation(je.ctx, micStaff, workflow.Affiliation{Name: "x"})
		wantCode(t, err, workflow.Forbidden)
		_, err = je.svc.DeclareAffiliation(je.ctx, je.judges[2], workflow.Affiliation{CorporateNumber: "1234567890123"})
		wantCode(t, err, workflow.Invalid)

		cs, err := je.svc.Conflicts(je.ctx, micStaff, top100)
		if err != nil {
			t.Fatal(err)
		}
		sources := map[string]bool{}
		for _, c := range cs {
			sources[fmt.Sprintf("%d/%d/%s", c.UserID, c.NominationID, c.Source)] = true
		}
		if !sources[fmt.Sprintf("%d/%d/declared", je.judges[1].UserID, je.entries[0].ID)] ||
			!sources[fmt.Sprintf("%d/%d/name", je.judges[2].UserID, je.entries[1].ID)] {
			t.Fatalf("conflicts = %v", sources)
		}
		_, err = je.svc.Conflicts(je.ctx, je.chair, top100)
		wantCode(t, err, workflow.Forbidden)

		_, err = je.svc.Assign(je.ctx, micStaff, top100, je.entries[0].ID, je.judges[1].UserID)
		if ps := workflow.ErrorProblems(err); len(ps) != 1 || ps[0].Code != "conflicted" {
			t.Fatalf("assigning a conflicted judge: %v", err)
		}
		if _, err := je.svc.Assign(je.ctx, micStaff, top100, je.entries[0].ID, je.judges[0].UserID); err != nil {
			t.Fatal(err)
		}
		_, err = je.svc.Assign(je.ctx, micStaff, top100, je.entries[0].ID, je.judges[0].UserID)
		wantCode(t, err, workflow.Conflict)

		p, err := je.svc.Propose(je.ctx, micStaff, top100, 7, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Report.Short) != 0 || p.Report.Assignments != 8*3 || p.Report.Proposed != 8*3-1 || p.Status != workflow.ProposalPending {
			t.Fatalf("proposal report: %+v", p.Report)
		}
		for _, pr := range p.Pairs {
			if pr.Judge == je.judges[1].UserID && pr.Entry == je.entries[0].ID || pr.Judge == je.judges[2].UserID && pr.Entry == je.entries[1].ID {
				t.Fatalf("a conflicted pair was proposed: %+v", pr)
			}
		}
		if as, _ := je.svc.Assignments(je.ctx, micStaff, top100); len(as) != 1 {
			t.Fatalf("a proposal assigned something before it was applied: %d", len(as))
		}
		// A change after the proposal makes it stale.
		if err := je.svc.Unassign(je.ctx, micStaff, top100, je.entries[0].ID, je.judges[0].UserID); err != nil {
			t.Fatal(err)
		}
		_, err = je.svc.ApplyProposal(je.ctx, micStaff, top100, p.ID)
		wantCode(t, err, workflow.Conflict)
		if _, err := je.svc.DiscardProposal(je.ctx, micStaff, top100, p.ID); err != nil {
			t.Fatal(err)
		}
		_, err = je.svc.ApplyProposal(je.ctx, micStaff, top100, p.ID)
		wantCode(t, err, workflow.Conflict)

		applied := je.proposeAndApply(t)
		as, _ := je.svc.Assignments(je.ctx, micStaff, top100)
		if len(as) != 24 || applied.Status != workflow.ProposalApplied {
			t.Fatalf("after apply: %d assignments, status %s", len(as), applied.Status)
		}
		_, err = je.svc.Propose(je.ctx, je.chair, top100, 1, false)
		wantCode(t, err, workflow.Forbidden)
		_, err = je.svc.Propose(je.ctx, mhlwStaff, top100, 1, false)
		wantCode(t, err, workflow.NotFound)
	})
}

func TestScoring(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 4, 3)
		je.proposeAndApply(t) // k = 3 of 3 judges: everyone judges everything
		e := je.entries[0].ID
		j0, j1 := je.judges[0], je.judges[1]

		for _, tc := range []struct {
			name   string
			values map[string]any
			submit bool
			code   workflow.Code
			reason string
		}{
			{"out of range", map[string]any{"adoption": 6}, false, workflow.Invalid, "out_of_range"},
			{"off step", map[string]any{"outcomes": "4.25"}, false, workflow.Invalid, "off_step"},
			{"off step integer", map[string]any{"adoption": "3.5"}, false, workflow.Invalid, "off_step"},
			{"unknown criterion", map[string]any{"charm": 5}, false, workflow.Invalid, "unknown_criterion"},
			{"not a number", map[string]any{"adoption": "four"}, false, workflow.Invalid, "not_number"},
			{"submit incomplete", map[string]any{"adoption": 4}, true, workflow.Invalid, "required"},
		} {
			_, err := je.svc.SaveScore(je.ctx, j0, top100, e, 0, workflow.ScoreInput{Values: tc.values, Submit: tc.submit})
			if workflow.ErrorCode(err) != tc.code || workflow.ErrorProblems(err)[0].Code != tc.reason {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		draft, err := je.svc.SaveScore(je.ctx, j0, top100, e, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 4}, Comment: "途中"})
		if err != nil || draft.Status != workflow.ScoreDraft || draft.Version != 1 {
			t.Fatalf("draft: %+v %v", draft, err)
		}
		// Visibility after_submit: j1 submits; j0 (draft only) sees only its own.
		if _, err := je.svc.SaveScore(je.ctx, j1, top100, e, 0, workflow.ScoreInput{Values: fullScore, Submit: true}); err != nil {
			t.Fatal(err)
		}
		if vs, _ := je.svc.EntryScores(je.ctx, j0, top100, e); len(vs) != 1 || vs[0].UserID != j0.UserID {
			t.Fatalf("before submitting, judge 0 sees %d scores", len(vs))
		}
		sub, err := je.svc.SaveScore(je.ctx, j0, top100, e, 1, workflow.ScoreInput{Values: fullScore, Comment: "よい取組", Submit: true})
		if err != nil || sub.Status != workflow.ScoreSubmitted || sub.Values["management"] != "5" || sub.Values["outcomes"] != "4.5" {
			t.Fatalf("submit: %+v %v", sub, err)
		}
		if vs, _ := je.svc.EntryScores(je.ctx, j0, top100, e); len(vs) != 2 {
			t.Fatalf("after submitting, judge 0 sees %d scores", len(vs))
		}
		if vs, _ := je.svc.EntryScores(je.ctx, je.chair, top100, e); len(vs) != 2 {
			t.Fatalf("the chair sees %d scores", len(vs))
		}
		_, err = je.svc.SaveScore(je.ctx, j0, top100, e, 1, workflow.ScoreInput{Values: fullScore, Submit: true})
		wantCode(t, err, workflow.Conflict) // stale: never silently overwrites
		_, err = je.svc.SaveScore(je.ctx, j0, top100, e, 2, workflow.ScoreInput{Values: fullScore})
		wantCode(t, err, workflow.IllegalTransition) // a submitted score does not go back to draft

		// Concurrent submissions of the same version of a reopened score: one wins.
		if _, err := je.svc.ReopenScore(je.ctx, micStaff, top100, e, j0.UserID, "審査員からの訂正依頼"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = je.svc.SaveScore(je.ctx, j0, top100, e, 3, workflow.ScoreInput{Values: map[string]any{"adoption": 1 + i%5,
					"management": 3, "security": 3, "outcomes": 3}, Submit: true})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if workflow.ErrorCode(err) != workflow.Conflict {
				t.Fatalf("concurrent save: %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d concurrent saves of version 3 won", wins)
		}

		// Window closed.
		je.clock.Set(time.Date(2026, 9, 12, 0, 0, 0, 0, workflow.Tokyo))
		_, err = je.svc.SaveScore(je.ctx, j1, top100, je.entries[1].ID, 0, workflow.ScoreInput{Values: fullScore, Submit: true})
		if ps := workflow.ErrorProblems(err); workflow.ErrorCode(err) != workflow.IllegalTransition || ps[0].Code != "window_closed" {
			t.Fatalf("after the window: %v", err)
		}
		pr, err := je.svc.Progress(je.ctx, micStaff, top100)
		if err != nil {
			t.Fatal(err)
		}
		if pr.Panel.Assigned != 12 || pr.Panel.Submitted != 2 || pr.Panel.Overdue != 10 || !pr.WindowClosed {
			t.Fatalf("progress: %+v", pr.Panel)
		}
	})
}

func TestLeaksAndRecusal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 6, 4)
		if _, err := je.svc.DeclareConflict(je.ctx, je.judges[3], je.entries[5].OrganisationID, "親族"); err != nil {
			t.Fatal(err)
		}
		je.proposeAndApply(t)
		j := je.judges[0]
		mine := je.assignedTo(t, j)
		if len(mine) == 0 || len(mine) == len(je.entries) {
			t.Fatalf("judge 0 assigned %d of %d", len(mine), len(je.entries))
		}
		var other int64
		for _, n := range je.entries {
			if !slices.Contains(mine, n.ID) {
				other = n.ID
			}
		}
		_, err := je.svc.Entry(je.ctx, j, top100, other)
		wantCode(t, err, workflow.NotFound)
		_, err = je.svc.EntryScores(je.ctx, j, top100, other)
		wantCode(t, err, workflow.NotFound)
		_, err = je.svc.SaveScore(je.ctx, j, top100, other, 0, workflow.ScoreInput{Values: fullScore})
		wantCode(t, err, workflow.NotFound)
		list, _, _ := je.svc.Entries(je.ctx, j, top100, workflow.Page{})
		if len(list) != len(mine) {
			t.Fatalf("judge lists %d entries, assigned %d", len(list), len(mine))
		}
		// The conflicted judge never sees the entry, even in the chair's full list it is flagged.
		for _, se := range mustPage(je.svc.Entries(je.ctx, je.judges[3], top100, workflow.Page{})) {
			if se.Nomination.ID == je.entries[5].ID {
				t.Fatal("a conflicted entry is listed to its judge")
			}
		}
		// Recusal: the entry leaves the judge's list and becomes a conflict.
		if err := je.svc.Recuse(je.ctx, j, top100, mine[0], "取引関係が判明"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, je.svc.Recuse(je.ctx, j, top100, mine[0], "again"), workflow.NotFound)
		if list, _, _ := je.svc.Entries(je.ctx, j, top100, workflow.Page{}); len(list) != len(mine)-1 {
			t.Fatalf("after recusal the judge lists %d", len(list))
		}
		cs, _ := je.svc.Conflicts(je.ctx, micStaff, top100)
		if !slices.ContainsFunc(cs, func(c workflow.ConflictOfInterest) bool {
			return c.UserID == j.UserID && c.NominationID == mine[0] && c.Source == workflow.SourceRecusal
		}) {
			t.Fatalf("recusal not among conflicts: %+v", cs)
		}
		pr, _ := je.svc.Progress(je.ctx, je.chair, top100)
		if pr.Panel.Recused != 1 {
			t.Fatalf("progress recused = %d", pr.Panel.Recused)
		}
		// Judges see no ranking, progress or panel list.
		_, err = je.svc.Ranking(je.ctx, j, top100, false, aggregate.ByMean)
		wantCode(t, err, workflow.Forbidden)
		_, err = je.svc.Progress(je.ctx, j, top100)
		wantCode(t, err, workflow.Forbidden)
		// Another ministry's judge cannot even see the stage.
		mhlwJudge := workflow.Actor{UserID: 9999, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mhlw"}}}
		_, _, err = je.svc.Entries(je.ctx, mhlwJudge, top100, workflow.Page{})
		wantCode(t, err, workflow.NotFound)
	})
}

// TestDecisionAppliesAtOneInstant: a decision and the transitions it makes
// are one transaction, stamped at one clock reading, even when the clock
// moves on at every reading.
func TestDecisionAppliesAtOneInstant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 3, 2)
		je.proposeAndApply(t)
		for i, n := range je.entries {
			for _, j := range je.judges {
				v := map[string]any{"adoption": i + 1, "management": 3, "security": 3, "outcomes": 3}
				if _, err := je.svc.SaveScore(je.ctx, j, top100, n.ID, 0, workflow.ScoreInput{Values: v, Submit: true}); err != nil {
					t.Fatal(err)
				}
			}
		}
		spec := workflow.DecisionSpec{TopN: 1, Reason: "上位1件を選定"}
		pv, err := je.svc.PreviewDecision(je.ctx, micStaff, top100, spec)
		if err != nil {
			t.Fatal(err)
		}
		je.clock.Tick(time.Second)
		dec, err := je.svc.ApplyDecision(je.ctx, micStaff, top100, spec, pv.Fingerprint)
		je.clock.Tick(0)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range je.entries {
			hs, err := je.svc.History(je.ctx, micStaff, n.ID)
			if err != nil {
				t.Fatal(err)
			}
			if last := hs[len(hs)-1]; !last.At.Equal(dec.AppliedAt) {
				t.Errorf("entry %d: %s at %s, the decision at %s", n.ID, last.Action, last.At, dec.AppliedAt)
			}
		}
	})
}

func TestDecisions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 5, 3)
		je.proposeAndApply(t)
		// Scores: entry i gets adoption i+1 from every judge, so entries rank 4,3,2,1,0;
		// entries 1 and 2 tie (same adoption for the last two by design below).
		adoption := []int{1, 3, 3, 4, 5}
		for i, n := range je.entries {
			for _, j := range je.judges {
				v := map[string]any{"adoption": adoption[i], "management": 3, "security": 3, "outcomes": 3}
				if _, err := je.svc.SaveScore(je.ctx, j, top100, n.ID, 0, workflow.ScoreInput{Values: v, Submit: true}); err != nil {
					t.Fatal(err)
				}
			}
		}
		ranked, err := je.svc.Ranking(je.ctx, je.chair, top100, false, aggregate.ByMean)
		if err != nil || ranked[0].Nomination.ID != je.entries[4].ID || !ranked[2].Tie || ranked[2].Rank != 3 || ranked[3].Rank != 3 {
			t.Fatalf("ranking: %+v %v", ranked, err)
		}
		spec := workflow.DecisionSpec{TopN: 3, Reason: "上位3件を選定"}
		pv, err := je.svc.PreviewDecision(je.ctx, je.chair, top100, spec)
		if err != nil {
			t.Fatal(err)
		}
		codes := map[string]bool{}
		for _, w := range pv.Warnings {
			codes[w.Code] = true
		}
		if !codes["quota_short"] || !codes["unresolved_tie"] { // the Top 100 quota asks for at least 30
			t.Fatalf("warnings: %+v", pv.Warnings)
		}
		selected := func(pv workflow.DecisionPreview) int {
			n := 0
			for _, o := range pv.Outcomes {
				if o.Action == workflow.Select {
					n++
				}
			}
			return n
		}
		// Top 3: ranks 1 and 2; the two tied at 3 straddle the cut and wait for a choice.
		if selected(pv) != 2 {
			t.Fatalf("selected %d: %+v", selected(pv), pv.Outcomes)
		}
		_, err = je.svc.ApplyDecision(je.ctx, micStaff, top100, spec, pv.Fingerprint)
		wantCode(t, err, workflow.Invalid) // the tie is unresolved
		spec.Ties = workflow.TiesIncludeAll
		if pv, err = je.svc.PreviewDecision(je.ctx, je.chair, top100, spec); err != nil || selected(pv) != 4 {
			t.Fatalf("include_all: %d %v", selected(pv), err)
		}
		spec.Ties = "" // excluding one of the tied entries settles the tie
		spec.Excludes = []workflow.Override{{NominationID: je.entries[1].ID, Reason: "書類不備"}}
		spec.Picks = []workflow.Override{{NominationID: je.entries[0].ID}}
		_, err = je.svc.PreviewDecision(je.ctx, micStaff, top100, spec)
		wantCode(t, err, workflow.Invalid) // a pick needs a reason
		spec.Picks[0].Reason = "地域性を評価"
		pv, err = je.svc.PreviewDecision(je.ctx, micStaff, top100, spec)
		if err != nil {
			t.Fatal(err)
		}
		_, err = je.svc.ApplyDecision(je.ctx, je.chair, top100, spec, pv.Fingerprint)
		wantCode(t, err, workflow.Forbidden)
		_, err = je.svc.ApplyDecision(je.ctx, micStaff, top100, spec, "stale")
		wantCode(t, err, workflow.Conflict)
		if _, err := je.svc.ApplyDecision(je.ctx, micStaff, top100, spec, pv.Fingerprint); err != nil {
			t.Fatal(err)
		}
		want := map[int64]workflow.State{je.entries[0].ID: workflow.Selected, je.entries[1].ID: workflow.NotSelected,
			je.entries[2].ID: workflow.Selected, je.entries[3].ID: workflow.Selected, je.entries[4].ID: workflow.Selected}
		for id, st := range want {
			v, _ := je.svc.Nomination(je.ctx, micStaff, id)
			if v.Nomination.State != st || st == workflow.Selected && v.Nomination.Tier != "top100" {
				t.Errorf("entry %d is %s/%s, want %s", id, v.Nomination.State, v.Nomination.Tier, st)
			}
		}
		hs, _ := je.svc.History(je.ctx, micStaff, je.entries[1].ID)
		if last := hs[len(hs)-1]; last.Action != workflow.NotSelect || last.Reason != "書類不備" {
			t.Fatalf("exclusion recorded as %+v", last)
		}
		_, err = je.svc.ApplyDecision(je.ctx, micStaff, top100, spec, pv.Fingerprint)
		wantCode(t, err, workflow.Invalid) // its picks and exclusions are no longer under review
		_, err = je.svc.ApplyDecision(je.ctx, micStaff, top100, workflow.DecisionSpec{TopN: 3}, pv.Fingerprint)
		wantCode(t, err, workflow.Conflict) // nothing under review any more: the preview differs
		// Scores stay after the decision and the ranking still covers every entry judged here.
		if ranked, _ := je.svc.Ranking(je.ctx, micStaff, top100, true, aggregate.ByNormalised); len(ranked) != 5 {
			t.Fatalf("ranking after the decision has %d entries", len(ranked))
		}
	})
}
