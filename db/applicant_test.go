package db_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// applicantSees is what the applicant can read of its nomination: the view,
// its list row and its history.
type applicantSees struct {
	state   workflow.State
	version int
	updated time.Time
	tier    string
	history int
}

func (e *env) applicantSees(t *testing.T, applicant workflow.Actor, id int64) applicantSees {
	t.Helper()
	v, err := e.svc.Nomination(e.ctx, applicant, id)
	if err != nil {
		t.Fatal(err)
	}
	items, _, err := e.svc.Nominations(e.ctx, applicant, workflow.NominationFilter{})
	if err != nil || len(items) != 1 {
		t.Fatalf("applicant's list: %d items, %v", len(items), err)
	}
	if it := items[0].Nomination; it.State != v.Nomination.State || it.Version != v.Nomination.Version || !it.UpdatedAt.Equal(v.Nomination.UpdatedAt) {
		t.Fatalf("list row %s v%d %s differs from the view %s v%d %s", it.State, it.Version, it.UpdatedAt,
			v.Nomination.State, v.Nomination.Version, v.Nomination.UpdatedAt)
	}
	hs, err := e.svc.History(e.ctx, applicant, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Version > v.Nomination.Version {
			t.Fatalf("history entry %s at version %d after the nomination's %d", h.Action, h.Version, v.Nomination.Version)
		}
	}
	return applicantSees{v.Nomination.State, v.Nomination.Version, v.Nomination.UpdatedAt, v.Nomination.Tier, len(hs)}
}

// TestApplicantSeesNoStaffStep (issue 8, applicants 1): before release,
// nothing an applicant reads (state, version, ETag, updated_at, list,
// history) changes when staff screen or decide, at any step of the ladder.
func TestApplicantSeesNoStaffStep(t *testing.T) {
	ladder := []struct {
		action workflow.Action
		in     workflow.Input
	}{
		{workflow.StartScreening, workflow.Input{}}, {workflow.Recognise, workflow.Input{}}, {workflow.Advance, workflow.Input{}},
		{workflow.Select, workflow.Input{}}, {workflow.Advance, workflow.Input{}}, {workflow.Award, workflow.Input{Award: "minister"}},
	}
	for _, tc := range []struct {
		name  string
		steps int
		last  *struct {
			action workflow.Action
			in     workflow.Input
		}
		version int // the real version at the end (the demo's awarded entry is at 9, its ineligible one at 5)
	}{
		{"awarded", len(ladder), nil, 9},
		{"ineligible", 1, &struct {
			action workflow.Action
			in     workflow.Input
		}{workflow.DeclareIneligible, workflow.Input{Reason: "要件未達"}}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := newEnv(t, d)
				n, applicant := e.submitted(t, "株式会社見えない審査")
				before := e.applicantSees(t, applicant, n.ID)
				if before.state != workflow.UnderReview || before.version != n.Version || !before.updated.Equal(n.UpdatedAt) || before.history != 2 {
					t.Fatalf("after submit the applicant sees %+v (submitted at v%d)", before, n.Version)
				}
				for i := range tc.steps {
					e.clock.Add(time.Hour)
					n = e.step(t, micStaff, n, ladder[i].action, ladder[i].in)
					if got := e.applicantSees(t, applicant, n.ID); got != before {
						t.Fatalf("after %s the applicant sees %+v, before %+v", ladder[i].action, got, before)
					}
				}
				if tc.last != nil {
					e.clock.Add(time.Hour)
					n = e.step(t, micStaff, n, tc.last.action, tc.last.in)
					if got := e.applicantSees(t, applicant, n.ID); got != before {
						t.Fatalf("after %s the applicant sees %+v, before %+v", tc.last.action, got, before)
					}
				}
				if n.Version != tc.version {
					t.Fatalf("staff see version %d, want %d", n.Version, tc.version)
				}
				// Its own If-Match (its version) withdraws: the staff steps it cannot see are no conflict.
				e.clock.Add(time.Hour)
				w, err := e.svc.Act(e.ctx, applicant, n.ID, before.version, workflow.Withdraw, workflow.Input{})
				if err != nil {
					t.Fatalf("withdraw at the applicant's version %d: %v", before.version, err)
				}
				if w.Nomination.State != workflow.Withdrawn || w.Nomination.Version != before.version+1 || w.Nomination.Tier != "" {
					t.Fatalf("after withdrawing the applicant sees %+v", w.Nomination)
				}
				hs, _ := e.svc.History(e.ctx, applicant, n.ID)
				if len(hs) != 3 || hs[2].From != workflow.UnderReview || hs[2].Version != before.version+1 {
					t.Fatalf("applicant's history after withdrawal: %+v", hs)
				}
			})
		})
	}
}

// TestApplicantIfMatch (issue 8, applicants 1): an applicant's If-Match is
// its own version; a return (which it sees) moves it; a stale one is a
// Conflict; and a staff step racing an applicant's step never loses a write.
func TestApplicantIfMatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, applicant := e.submitted(t, "株式会社版")
		av := n.ApplicantVersion
		n = e.step(t, micStaff, n, workflow.StartScreening, workflow.Input{})
		due := e.clock.Now().Add(10 * 24 * time.Hour)
		n = e.step(t, micStaff, n, workflow.Return, workflow.Input{Reason: "添付漏れ", Due: &due})
		if n.ApplicantVersion != av+1 || n.Version != av+2 {
			t.Fatalf("after screening and return: version %d, applicant's %d", n.Version, n.ApplicantVersion)
		}
		_, err := e.svc.UpdateAnswers(e.ctx, applicant, n.ID, av, map[string]any{"outcomes": "効果"})
		wantCode(t, err, workflow.Conflict)
		if !strings.Contains(err.Error(), fmt.Sprintf("at version %d,", av+1)) {
			t.Fatalf("the conflict does not tell the applicant's version %d: %v", av+1, err)
		}
		if n, err = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, av+1, map[string]any{"outcomes": "効果"}); err != nil {
			t.Fatalf("edit at the applicant's version: %v", err)
		}
		if n, err = e.svc.Transition(e.ctx, applicant, n.ID, av+2, workflow.Resubmit, workflow.Input{}); err != nil {
			t.Fatalf("resubmit at the applicant's version: %v", err)
		}
		// Staff start screening while the applicant withdraws; both saw the
		// same row. Whatever the order, no step is lost: every success is in
		// the history at its own version.
		real, mine := n.Version, n.ApplicantVersion
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errs[0] = e.svc.Transition(e.ctx, micStaff, n.ID, real, workflow.StartScreening, workflow.Input{})
		}()
		go func() {
			defer wg.Done()
			_, errs[1] = e.svc.Transition(e.ctx, applicant, n.ID, mine, workflow.Withdraw, workflow.Input{})
		}()
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch workflow.ErrorCode(err) {
			case "":
				ok++
			case workflow.Conflict, workflow.IllegalTransition:
			default:
				t.Fatalf("racing steps: %v", err)
			}
		}
		if ok == 0 {
			t.Fatalf("neither racing step won: %v", errs)
		}
		hs, err := e.svc.History(e.ctx, micStaff, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		final := e.nominationAsStaff(t, n.ID)
		if final.Version != real+ok || hs[len(hs)-1].Version != final.Version || len(hs) != 5+ok {
			t.Fatalf("after the race: version %d (from %d, %d won), %d history entries", final.Version, real, ok, len(hs))
		}
	})
}

func (e *env) nominationAsStaff(t *testing.T, id int64) workflow.Nomination {
	t.Helper()
	v, err := e.svc.Nomination(e.ctx, micStaff, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Nomination
}

// TestReleasePreflight (issue 8, applicants 2): release is refused while the
// call is open, and with undecided nominations unless confirmed with a
// reason, which is recorded with the counts; afterwards nothing can be
// created, submitted or resubmitted in the programme.
func TestReleasePreflight(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		o, draftOwner := e.org(t, "株式会社下書き")
		draft, err := e.svc.CreateNomination(e.ctx, draftOwner, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		if draft, err = e.svc.UpdateAnswers(e.ctx, draftOwner, draft.ID, draft.Version, micAnswers); err != nil {
			t.Fatal(err)
		}
		e.submitted(t, "株式会社提出済み")
		ret, retOwner := e.submitted(t, "株式会社差戻し")
		due := time.Date(2026, 12, 25, 17, 0, 0, 0, workflow.Tokyo)
		ret = e.step(t, micStaff, ret, workflow.Return, workflow.Input{Reason: "添付漏れ", Due: &due})

		st, err := e.svc.ReleaseStatus(e.ctx, micStaff, "fy2026-telework", "mic-pioneer")
		if err != nil || !st.CallOpen || st.Release != nil || st.UndecidedTotal != 3 ||
			st.Undecided[workflow.Draft] != 1 || st.Undecided[workflow.Submitted] != 1 || st.Undecided[workflow.Returned] != 1 {
			t.Fatalf("pre-flight in the call: %+v, %v", st, err)
		}
		_, err = e.svc.ReleaseStatus(e.ctx, mhlwStaff, "fy2026-telework", "mic-pioneer")
		wantCode(t, err, workflow.NotFound)
		confirm := workflow.ReleaseRequest{ConfirmUndecided: true, Reason: "未提出分は対象外とする"}
		_, err = e.svc.Release(e.ctx, micStaff, "fy2026-telework", "mic-pioneer", confirm)
		wantCode(t, err, workflow.IllegalTransition) // no override while the call is open
		if ps := workflow.ErrorProblems(err); len(ps) != 1 || ps[0].Code != "call_open" {
			t.Fatalf("release in the call: %v", ps)
		}

		e.clock.Set(afterTheCall)
		err = e.svc.ReleaseResults(e.ctx, micStaff, "fy2026-telework", "mic-pioneer")
		wantCode(t, err, workflow.IllegalTransition)
		var paths []string
		for _, p := range workflow.ErrorProblems(err) {
			paths = append(paths, p.Path)
		}
		if strings.Join(paths, " ") != "undecided.draft undecided.submitted undecided.returned" {
			t.Fatalf("release with undecided nominations: problems %v", paths)
		}
		_, err = e.svc.Release(e.ctx, micStaff, "fy2026-telework", "mic-pioneer", workflow.ReleaseRequest{ConfirmUndecided: true, Reason: " "})
		wantCode(t, err, workflow.Invalid)
		if _, err := e.svc.Release(e.ctx, micStaff, "fy2026-telework", "mic-pioneer", confirm); err != nil {
			t.Fatal(err)
		}
		st, err = e.svc.ReleaseStatus(e.ctx, micStaff, "fy2026-telework", "mic-pioneer")
		if err != nil || st.Release == nil || st.Release.ReleasedBy != micStaff.ID || st.Release.ConfirmReason != confirm.Reason ||
			st.Release.ConfirmedUndecided[workflow.Draft] != 1 || st.Release.ConfirmedUndecided[workflow.Returned] != 1 {
			t.Fatalf("pre-flight after release: %+v, %v", st.Release, err)
		}
		_, err = e.svc.Release(e.ctx, micStaff, "fy2026-telework", "mic-pioneer", confirm)
		wantCode(t, err, workflow.Conflict)

		// Nothing enters the released programme.
		_, err = e.svc.Transition(e.ctx, retOwner, ret.ID, 0, workflow.Resubmit, workflow.Input{})
		wantCode(t, err, workflow.IllegalTransition)
		if ps := workflow.ErrorProblems(err); len(ps) == 0 || ps[0].Code != "results_released" {
			t.Fatalf("resubmit after release: %v", ps)
		}
		_, err = e.svc.Transition(e.ctx, draftOwner, draft.ID, 0, workflow.Submit, workflow.Input{})
		wantCode(t, err, workflow.IllegalTransition)
		if ps := workflow.ErrorProblems(err); len(ps) == 0 || ps[0].Code != "results_released" {
			t.Fatalf("submit after release: %v", ps)
		}
		o2, late := e.org(t, "株式会社発表後")
		_, err = e.svc.CreateNomination(e.ctx, late, o2.ID, "fy2026-telework", "mic-pioneer")
		wantCode(t, err, workflow.IllegalTransition)
	})
}

// TestNoDraftAfterTheCall (issue 8, applicants 3): a draft cannot be
// created once the call has closed; the message gives the window in 和暦.
func TestNoDraftAfterTheCall(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		o, applicant := e.org(t, "株式会社締切後")
		e.clock.Set(time.Date(2026, 8, 1, 0, 0, 0, 0, workflow.Tokyo)) // MIC's call closes at the end of 31 July
		_, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		wantCode(t, err, workflow.IllegalTransition)
		var we *workflow.Error
		if !errors.As(err, &we) || !strings.Contains(we.Ja, "令和8年6月15日") || !strings.Contains(we.Ja, "令和8年7月31日(金)必着") ||
			!strings.Contains(we.Message, "2026-06-15 10:00") {
			t.Fatalf("refusal: %q / %q", we.Ja, we.Message)
		}
		if ps := workflow.ErrorProblems(err); len(ps) != 1 || ps[0].Code != "call_closed" || !strings.Contains(ps[0].Message.Ja, "令和8年") {
			t.Fatalf("problems: %+v", ps)
		}
		// A minute before, it is still open.
		e.clock.Set(time.Date(2026, 7, 31, 23, 59, 0, 0, workflow.Tokyo))
		if _, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestHighestTierAfterRelease (issue 8, applicants 4): after release an
// applicant not selected at a later stage sees the highest tier it reached,
// and its history stops at the step that granted it; staff see the truth.
func TestHighestTierAfterRelease(t *testing.T) {
	for _, tc := range []struct {
		name          string
		steps         []workflow.Action
		state         workflow.State
		stage, tier   string
		lastApplicant workflow.Action
	}{
		{"pioneer not in the Top 100", []workflow.Action{workflow.StartScreening, workflow.Recognise, workflow.Advance, workflow.NotSelect},
			workflow.Recognised, "", "pioneer", workflow.Recognise},
		{"Top 100 without an award", []workflow.Action{workflow.StartScreening, workflow.Recognise, workflow.Advance, workflow.Select,
			workflow.Advance, workflow.NotSelect}, workflow.Selected, "top100", "top100", workflow.Select},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := newEnv(t, d)
				n, applicant := e.submitted(t, "株式会社先駆")
				for _, a := range tc.steps {
					n = e.step(t, micStaff, n, a, workflow.Input{Reason: "審査結果"})
				}
				e.clock.Set(afterTheCall)
				if err := e.svc.ReleaseResults(e.ctx, micStaff, "fy2026-telework", "mic-pioneer"); err != nil {
					t.Fatal(err)
				}
				v, err := e.svc.Nomination(e.ctx, applicant, n.ID)
				if err != nil || v.Nomination.State != tc.state || v.Nomination.Stage != tc.stage || v.Nomination.Tier != tc.tier {
					t.Fatalf("applicant sees %s/%s/%s, want %s/%s/%s (%v)", v.Nomination.State, v.Nomination.Stage, v.Nomination.Tier,
						tc.state, tc.stage, tc.tier, err)
				}
				items, _, err := e.svc.Nominations(e.ctx, applicant, workflow.NominationFilter{State: tc.state})
				if err != nil || len(items) != 1 || items[0].Nomination.State != tc.state {
					t.Fatalf("applicant's list filtered by %s: %+v, %v", tc.state, items, err)
				}
				hs, err := e.svc.History(e.ctx, applicant, n.ID)
				if err != nil || hs[len(hs)-1].Action != tc.lastApplicant {
					t.Fatalf("applicant's history ends %+v, want %s (%v)", hs[len(hs)-1], tc.lastApplicant, err)
				}
				for _, h := range hs {
					if h.To == workflow.NotSelected {
						t.Fatalf("the applicant's history shows the loss: %+v", h)
					}
				}
				if got := e.nominationAsStaff(t, n.ID); got.State != workflow.NotSelected {
					t.Fatalf("staff see %s", got.State)
				}
			})
		})
	}
}

// TestApplicantCreationStep (issue 8, applicants 5): the creation step of
// the applicant's history has no "from", before and after release.
func TestApplicantCreationStep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, applicant := e.submitted(t, "株式会社作成")
		n = e.step(t, micStaff, n, workflow.StartScreening, workflow.Input{})
		n = e.step(t, micStaff, n, workflow.DeclareIneligible, workflow.Input{Reason: "要件未達"})
		for _, released := range []bool{false, true} {
			if released {
				e.clock.Set(afterTheCall)
				if err := e.svc.ReleaseResults(e.ctx, micStaff, "fy2026-telework", "mic-pioneer"); err != nil {
					t.Fatal(err)
				}
			}
			hs, err := e.svc.History(e.ctx, applicant, n.ID)
			if err != nil {
				t.Fatal(err)
			}
			if hs[0].Action != workflow.Create || hs[0].From != "" || hs[0].To != workflow.Draft {
				t.Fatalf("released %v: creation step %+v", released, hs[0])
			}
			if !released && (hs[1].From != workflow.Draft || hs[1].To != workflow.UnderReview) {
				t.Fatalf("submission step before release: %+v", hs[1])
			}
		}
	})
}

// TestApplicantRefusalsRevealNoStaffStep: a refusal tells an applicant no
// more than a read does. Before the fix, editing or resubmitting an entry in
// screening was refused with 「審査要件の確認中」 / "screening".
func TestApplicantRefusalsRevealNoStaffStep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, applicant := e.submitted(t, "株式会社口の堅い審査")
		seen := e.applicantSees(t, applicant, n.ID)
		for _, step := range []workflow.Action{workflow.StartScreening, workflow.Recognise} {
			e.clock.Add(time.Hour)
			n = e.step(t, micStaff, n, step, workflow.Input{})
			_, editErr := e.svc.UpdateAnswers(e.ctx, applicant, n.ID, seen.version, map[string]any{"outcomes": "x"})
			_, submitErr := e.svc.Act(e.ctx, applicant, n.ID, seen.version, workflow.Resubmit, workflow.Input{})
			for _, err := range []error{editErr, submitErr} {
				var we *workflow.Error
				if !errors.As(err, &we) {
					t.Fatalf("after %s: want a refusal, got %v", step, err)
				}
				text := we.Ja + " " + we.Message
				for _, p := range we.Problems {
					text += " " + p.Message.Ja + " " + p.Message.En
				}
				for _, leak := range []string{"審査要件", "認定", "screening", "recognised", string(n.State)} {
					if strings.Contains(text, leak) {
						t.Errorf("after %s the applicant's refusal says %q: %s", step, leak, text)
					}
				}
				if !strings.Contains(we.Ja, "審査中") {
					t.Errorf("after %s the refusal should name the state it sees (審査中): %s", step, we.Ja)
				}
			}
		}
	})
}
