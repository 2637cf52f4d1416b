package db_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// TestLadder walks one MIC nomination up the whole ladder and checks state,
// stage, tier, award and history at each step, on both databases.
func TestLadder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, applicant := e.submitted(t, "株式会社テスト")
		if n.State != workflow.Submitted || n.Snapshot == nil || n.SubmittedAt == nil {
			t.Fatalf("after submit: state %s, snapshot %v, submitted_at %v", n.State, n.Snapshot, n.SubmittedAt)
		}
		if got := n.Answers["eligible_staff"]; got != int64(80) {
			t.Fatalf("full-width ８０ stored as %#v, want int64 80", got)
		}
		e.clock.Add(24 * time.Hour)
		steps := []struct {
			action           workflow.Action
			in               workflow.Input
			state            workflow.State
			stage, tier, awd string
		}{
			{workflow.StartScreening, workflow.Input{}, workflow.Screening, "", "", ""},
			{workflow.Recognise, workflow.Input{}, workflow.Recognised, "", "pioneer", ""},
			{workflow.Advance, workflow.Input{}, workflow.InReview, "top100", "pioneer", ""},
			{workflow.Select, workflow.Input{Reason: "百選の水準"}, workflow.Selected, "top100", "top100", ""},
			{workflow.Advance, workflow.Input{}, workflow.InReview, "minister", "top100", ""},
			{workflow.Award, workflow.Input{Award: "minister"}, workflow.Awarded, "minister", "top100", "minister"},
		}
		for _, s := range steps {
			n = e.step(t, micStaff, n, s.action, s.in)
			if n.State != s.state || n.Stage != s.stage || n.Tier != s.tier || n.Award != s.awd {
				t.Fatalf("after %s: %s/%s/%s/%s, want %s/%s/%s/%s", s.action, n.State, n.Stage, n.Tier, n.Award, s.state, s.stage, s.tier, s.awd)
			}
		}
		// Before release the applicant sees its own steps only, and no decision.
		mine, err := e.svc.History(e.ctx, applicant, n.ID)
		if err != nil || len(mine) != 2 || mine[1].Action != workflow.Submit {
			t.Fatalf("applicant's history before release: %+v, %v", mine, err)
		}
		av, err := e.svc.Nomination(e.ctx, applicant, n.ID)
		if err != nil || av.Nomination.State != workflow.UnderReview || av.Nomination.Award != "" || av.Nomination.Tier != "" {
			t.Fatalf("applicant's view before release: %+v, %v", av.Nomination, err)
		}
		hs, err := e.svc.History(e.ctx, micStaff, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []workflow.Action{workflow.Create, workflow.Submit, workflow.StartScreening, workflow.Recognise,
			workflow.Advance, workflow.Select, workflow.Advance, workflow.Award}
		if len(hs) != len(want) {
			t.Fatalf("history has %d entries, want %d", len(hs), len(want))
		}
		for i, h := range hs {
			if h.Action != want[i] || i > 0 && h.Version <= hs[i-1].Version {
				t.Errorf("history[%d] = %s v%d, want %s with a rising version", i, h.Action, h.Version, want[i])
			}
		}
		if last := hs[len(hs)-1]; last.ActorID != micStaff.ID || last.Role != workflow.RoleSecretariat || last.Award != "minister" ||
			last.From != workflow.InReview || last.To != workflow.Awarded || !last.At.Equal(e.clock.Now()) {
			t.Errorf("last history entry = %+v", last)
		}
		if hs[5].Reason != "百選の水準" {
			t.Errorf("select reason = %q", hs[5].Reason)
		}

		// Withdrawal is possible until results are released, then never.
		e.clock.Set(afterTheCall)
		if err := e.svc.ReleaseResults(e.ctx, mhlwStaff, "fy2026-telework", "mic-pioneer"); workflow.ErrorCode(err) != workflow.NotFound {
			t.Fatalf("other ministry's release: %v, want not_found", err)
		}
		if err := e.svc.ReleaseResults(e.ctx, micStaff, "fy2026-telework", "mic-pioneer"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.svc.ReleaseResults(e.ctx, micStaff, "fy2026-telework", "mic-pioneer"), workflow.Conflict)
		if av, _ := e.svc.Nomination(e.ctx, applicant, n.ID); av.Nomination.State != workflow.Awarded || av.Nomination.Award != "minister" {
			t.Fatalf("applicant's view after release: %+v", av.Nomination)
		}
		mine, _ = e.svc.History(e.ctx, applicant, n.ID)
		if len(mine) != len(want) || mine[len(mine)-1].ActorName != "" || mine[len(mine)-1].Award != "minister" {
			t.Fatalf("applicant's history after release: %+v", mine)
		}
		_, err = e.svc.Transition(e.ctx, applicant, n.ID, n.Version, workflow.Withdraw, workflow.Input{})
		wantCode(t, err, workflow.IllegalTransition)
		if ps := workflow.ErrorProblems(err); len(ps) != 1 || ps[0].Code != "results_released" {
			t.Fatalf("withdraw after release: problems %v", ps)
		}
	})
}

func TestVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, applicant := e.submitted(t, "株式会社見える")
		_, other := e.org(t, "株式会社見えない")
		judge := workflow.Actor{ID: "judge", Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
		for _, tc := range []struct {
			name  string
			actor workflow.Actor
			code  workflow.Code
		}{
			{"owner", applicant, ""},
			{"ministry staff", micStaff, ""},
			{"admin", admin, ""},
			{"other applicant", other, workflow.NotFound},
			{"other ministry", mhlwStaff, workflow.NotFound},
			{"judge without assignment", judge, workflow.NotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v, err := e.svc.Nomination(e.ctx, tc.actor, n.ID)
				wantCode(t, err, tc.code)
				if err == nil && tc.actor.OrganisationID != 0 && v.Verdicts != nil {
					t.Error("an applicant sees eligibility verdicts")
				}
				_, err = e.svc.History(e.ctx, tc.actor, n.ID)
				wantCode(t, err, tc.code)
			})
		}
		_, err := e.svc.Transition(e.ctx, other, n.ID, 0, workflow.Withdraw, workflow.Input{})
		wantCode(t, err, workflow.NotFound)
		_, err = e.svc.Transition(e.ctx, mhlwStaff, n.ID, 0, workflow.StartScreening, workflow.Input{})
		wantCode(t, err, workflow.NotFound)
		_, err = e.svc.Transition(e.ctx, applicant, n.ID, 0, workflow.StartScreening, workflow.Input{})
		wantCode(t, err, workflow.Forbidden)
	})
}

func TestVerdictsAndActions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, applicant := e.submitted(t, "株式会社判定")
		v, err := e.svc.Nomination(e.ctx, micStaff, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 100 regular staff, SME (capital ¥30m ≤ ¥50m services): eligible 80 ≥ 50 %,
		// teleworkers 60 ≥ 50 % of 80, 6.5 days ≥ 4.
		if len(v.Verdicts) != 2 || v.Verdicts[0].Outcome != workflow.Pass || v.Verdicts[1].Outcome != workflow.Pass {
			t.Fatalf("verdicts = %+v", v.Verdicts)
		}
		var actions []workflow.Action
		for _, o := range v.Actions {
			actions = append(actions, o.Action)
		}
		if fmt.Sprint(actions) != "[return start_screening]" {
			t.Fatalf("staff actions on submitted = %v", actions)
		}
		av, err := e.svc.Nomination(e.ctx, applicant, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(av.Actions) != 1 || av.Actions[0].Action != workflow.Withdraw || !av.Actions[0].Allowed {
			t.Fatalf("applicant actions on submitted = %+v", av.Actions)
		}
	})
}

func TestReturnAndResubmit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, applicant := e.submitted(t, "株式会社修正")
		_, err := e.svc.Transition(e.ctx, micStaff, n.ID, n.Version, workflow.Return, workflow.Input{Reason: "  "})
		wantCode(t, err, workflow.Invalid)
		due := e.clock.Now().Add(30 * 24 * time.Hour)
		n = e.step(t, micStaff, n, workflow.Return, workflow.Input{Reason: "就業規則の写しを添付してください", Due: &due})
		if n.State != workflow.Returned || n.ReturnReason == "" || !n.ReturnDue.Equal(due) {
			t.Fatalf("returned: %+v", n)
		}
		// The call has closed by now, but a correction may still be made before its due date.
		e.clock.Set(time.Date(2026, 8, 3, 10, 0, 0, 0, workflow.Tokyo))
		if n, err = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, map[string]any{"outcomes": "通勤時間が減少"}); err != nil {
			t.Fatal(err)
		}
		n = e.step(t, applicant, n, workflow.Resubmit, workflow.Input{})
		if n.State != workflow.Submitted || n.ReturnReason != "" || n.ReturnDue != nil {
			t.Fatalf("resubmitted: %+v", n)
		}
		// A second return with a due date that then passes: resubmission is refused with a reason.
		due = e.clock.Now().Add(24 * time.Hour)
		n = e.step(t, micStaff, n, workflow.Return, workflow.Input{Reason: "再確認", Due: &due})
		e.clock.Add(48 * time.Hour)
		_, err = e.svc.Transition(e.ctx, applicant, n.ID, n.Version, workflow.Resubmit, workflow.Input{})
		wantCode(t, err, workflow.IllegalTransition)
	})
}

func TestSubmitGuards(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		o, applicant := e.org(t, "株式会社未完成")
		n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Transition(e.ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{})
		wantCode(t, err, workflow.Invalid)
		if ps := workflow.ErrorProblems(err); len(ps) < 10 || ps[0].Path != "answers.initiative_title" {
			t.Fatalf("incomplete submit problems: %v", ps)
		}
		if n, err = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, micAnswers); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 8, 1, 0, 0, 0, 0, workflow.Tokyo)) // 必着 7/31: one instant late
		_, err = e.svc.Transition(e.ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{})
		wantCode(t, err, workflow.IllegalTransition)
		ps := workflow.ErrorProblems(err)
		if len(ps) != 1 || ps[0].Code != "call_closed" || ps[0].Message.Ja != "募集は締め切られました（締切: 令和8年7月31日(金)必着）" {
			t.Fatalf("late submit problems: %+v", ps)
		}
		e.clock.Set(time.Date(2026, 7, 31, 23, 59, 59, 0, workflow.Tokyo))
		if _, err := e.svc.Transition(e.ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{}); err != nil {
			t.Fatalf("submit one second before the deadline: %v", err)
		}
	})
}

func TestAnswersValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		o, applicant := e.org(t, "株式会社入力")
		n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, map[string]any{
			"eligible_staff": "八十", "avg_telework_days": "32", "nonsense": 1, "telework_forms": []any{"home", "home"},
			"rules_basis": "other", "initiative_title": "a\x00b",
		})
		wantCode(t, err, workflow.Invalid)
		got := map[string]string{}
		for _, p := range workflow.ErrorProblems(err) {
			got[p.Path] = p.Code
		}
		want := map[string]string{
			"answers.eligible_staff": "not_integer", "answers.avg_telework_days": "out_of_range", "answers.nonsense": "unknown_field",
			"answers.telework_forms": "duplicate_choice", "answers.rules_basis": "unknown_choice", "answers.initiative_title": "hidden_character",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("problems = %v\nwant %v", got, want)
		}
		// Nothing was written: the version is unchanged, so this stale-free update works.
		if _, err := e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, map[string]any{"teleworkers": 3}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, map[string]any{"teleworkers": 4})
		wantCode(t, err, workflow.Conflict)
	})
}

func TestOneLiveNominationPerProgramme(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		o, applicant := e.org(t, "株式会社重複")
		n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		wantCode(t, err, workflow.Conflict)
		if _, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mhlw-kagayaku"); err != nil {
			t.Fatalf("the other programme: %v", err)
		}
		e.step(t, applicant, n, workflow.Withdraw, workflow.Input{Reason: "出し直し"})
		if _, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer"); err != nil {
			t.Fatalf("after withdrawal: %v", err)
		}
		_, err = e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "no-such")
		wantCode(t, err, workflow.NotFound)
		_, err = e.svc.CreateNomination(e.ctx, applicant, o.ID+1, "fy2026-telework", "mhlw-kagayaku")
		wantCode(t, err, workflow.NotFound)
	})
}

func TestCycleVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := exampleCycle(t)
		res, err := e.svc.LoadCycle(e.ctx, admin, c, false)
		if err != nil || res.Created || res.Version != 1 {
			t.Fatalf("reload of the same file: %+v, %v", res, err)
		}
		submitted, _ := e.submitted(t, "株式会社旧版")
		o, applicant := e.org(t, "株式会社下書き")
		draft, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}

		// Version 2 adds a required field to the MIC form.
		p, _ := c.Programme("mic-pioneer")
		p.Form.Fields = append(p.Form.Fields, workflow.Field{Key: "head_office_telework", Type: workflow.FieldBoolean,
			Required: true, Label: workflow.Text{Ja: "本社でも実施", En: "Practised at head office"}})
		if res, err := e.svc.LoadCycle(e.ctx, admin, c, true); err != nil || !res.Created || res.Version != 2 {
			t.Fatalf("dry run: %+v, %v", res, err)
		}
		if cv, _ := e.svc.Cycle(e.ctx, "fy2026-telework"); cv.Version != 1 {
			t.Fatalf("dry run stored version %d", cv.Version)
		}
		if res, err := e.svc.LoadCycle(e.ctx, admin, c, false); err != nil || !res.Created || res.Version != 2 || res.Previous != 1 {
			t.Fatalf("changed file: %+v, %v", res, err)
		}
		// The submitted nomination stays on version 1 and moves on under it.
		n := e.step(t, micStaff, submitted, workflow.StartScreening, workflow.Input{})
		if n.CycleVersion != 1 {
			t.Fatalf("submitted nomination moved to version %d", n.CycleVersion)
		}
		// The draft follows version 2: its new required field must be answered.
		draft, err = e.svc.UpdateAnswers(e.ctx, applicant, draft.ID, draft.Version, micAnswers)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Transition(e.ctx, applicant, draft.ID, draft.Version, workflow.Submit, workflow.Input{})
		if ps := workflow.ErrorProblems(err); len(ps) != 1 || ps[0].Path != "answers.head_office_telework" {
			t.Fatalf("submit against v2 without the new field: %v", err)
		}
		draft, err = e.svc.UpdateAnswers(e.ctx, applicant, draft.ID, draft.Version, map[string]any{"head_office_telework": true})
		if err != nil {
			t.Fatal(err)
		}
		draft = e.step(t, applicant, draft, workflow.Submit, workflow.Input{})
		if draft.CycleVersion != 2 {
			t.Fatalf("draft submitted against version %d, want 2", draft.CycleVersion)
		}
		_, err = e.svc.LoadCycle(e.ctx, micStaff, c, false)
		wantCode(t, err, workflow.Forbidden)
	})
}

func TestSnapshotKeepsOrganisationAsAtSubmission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, applicant := e.submitted(t, "株式会社スナップ")
		o, err := e.svc.Organisation(e.ctx, applicant, n.OrganisationID)
		if err != nil {
			t.Fatal(err)
		}
		o.TotalHeadcount, o.RegularHeadcount = 500, 450
		if _, err := e.svc.UpdateOrganisation(e.ctx, applicant, o, o.Version); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.UpdateOrganisation(e.ctx, applicant, o, o.Version)
		wantCode(t, err, workflow.Conflict)
		v, err := e.svc.Nomination(e.ctx, micStaff, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s := v.Nomination.Snapshot; s == nil || s.TotalHeadcount != 120 || s.RegularHeadcount != 100 {
			t.Fatalf("snapshot = %+v, want the headcount at submission", s)
		}
	})
}

// TestConcurrentTransitionOneWinner races 20 goroutines on the same
// transition of one nomination: exactly one wins, the rest get Conflict, and
// history holds exactly one entry for it.
func TestConcurrentTransitionOneWinner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n, _ := e.submitted(t, "株式会社競争")
		const racers = 20
		var wg sync.WaitGroup
		errs := make([]error, racers)
		start := make(chan struct{})
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = e.svc.Transition(e.ctx, micStaff, n.ID, n.Version, workflow.StartScreening, workflow.Input{})
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch workflow.ErrorCode(err) {
			case "":
				wins++
			case workflow.Conflict:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d winners, want exactly 1", wins)
		}
		hs, err := e.svc.History(e.ctx, micStaff, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for _, h := range hs {
			if h.Action == workflow.StartScreening {
				count++
			}
		}
		if count != 1 {
			t.Fatalf("history holds %d start_screening entries, want 1", count)
		}
	})
}

func TestBulkTransitionAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var ids []int64
		for i := range 30 {
			n, _ := e.submitted(t, fmt.Sprintf("株式会社一括%02d", i))
			ids = append(ids, n.ID)
		}
		// Move one ahead, so that screening all of them must fail as a whole.
		if _, err := e.svc.Transition(e.ctx, micStaff, ids[17], 0, workflow.StartScreening, workflow.Input{}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.BulkTransition(e.ctx, micStaff, ids, workflow.StartScreening, workflow.Input{})
		wantCode(t, err, workflow.IllegalTransition)
		ps := workflow.ErrorProblems(err)
		if len(ps) != 1 || ps[0].Path != fmt.Sprintf("nominations[%d]", ids[17]) {
			t.Fatalf("problems = %v", ps)
		}
		for _, id := range ids {
			v, err := e.svc.Nomination(e.ctx, micStaff, id)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]workflow.State{true: workflow.Screening, false: workflow.Submitted}[id == ids[17]]; v.Nomination.State != want {
				t.Fatalf("nomination %d is %s after a refused bulk transition", id, v.Nomination.State)
			}
		}
		rest := append(append([]int64{}, ids[:17]...), ids[18:]...)
		out, err := e.svc.BulkTransition(e.ctx, micStaff, rest, workflow.StartScreening, workflow.Input{})
		if err != nil || len(out) != len(rest) {
			t.Fatalf("bulk: %d moved, %v", len(out), err)
		}
		_, err = e.svc.BulkTransition(e.ctx, micStaff, []int64{ids[0], ids[0]}, workflow.Recognise, workflow.Input{})
		wantCode(t, err, workflow.Invalid)
		_, err = e.svc.BulkTransition(e.ctx, micStaff, []int64{ids[0], 999999}, workflow.Recognise, workflow.Input{})
		wantCode(t, err, workflow.NotFound)
		_, err = e.svc.BulkTransition(e.ctx, mhlwStaff, ids, workflow.Recognise, workflow.Input{})
		wantCode(t, err, workflow.NotFound)
	})
}

func TestSchemaCheck(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		dsn := dbtest.EmptyPostgres(t)
		d, err := db.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if err := d.CheckSchema(t.Context()); !errors.Is(err, db.ErrSchemaOutdated) {
			t.Fatalf("empty database: %v, want ErrSchemaOutdated", err)
		}
		applied, err := d.Migrate(t.Context())
		if err != nil || len(applied) == 0 {
			t.Fatalf("migrate: %v, %v", applied, err)
		}
		if err := d.CheckSchema(t.Context()); err != nil {
			t.Fatal(err)
		}
		if again, err := d.Migrate(t.Context()); err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v, %v", again, err)
		}
	})
	t.Run("sqlite", func(t *testing.T) {
		d := dbtest.SQLite(t)
		if err := d.CheckSchema(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpenRejectsBadDSN(t *testing.T) {
	for _, dsn := range []string{"mysql://x", "sqlite:", "sqlite:a.db?mode=ro", "awardflow.db"} {
		if _, err := db.Open(t.Context(), dsn); err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}
