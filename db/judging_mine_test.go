package db_test

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// demoEnv is a copy of the demo year in a database of d's dialect (d
// stays empty), and its accounts as actors holding their own grants.
func demoEnv(t *testing.T, d *db.DB) (*workflow.Service, map[string]workflow.Actor) {
	t.Helper()
	ctx := context.Background()
	day := time.Date(2026, 12, 3, 10, 0, 0, 0, workflow.Tokyo)
	d, accounts := dbtest.Seeded(t, d.Dialect, "demo", func(ctx context.Context, d *db.DB) ([]demo.Account, error) {
		return demo.Load(ctx, d, day, admin, io.Discard)
	})
	svc := workflow.NewService(db.NewStore(d), func() time.Time { return day }, workflow.WithAuthorizer(policy.MustNew()))
	actors := map[string]workflow.Actor{}
	for _, a := range accounts {
		u, _, err := svc.Login(ctx, a.Email, a.Password)
		if err != nil {
			t.Fatal(err)
		}
		actors[a.Key] = workflow.Actor{ID: u.ActorID(), UserID: u.ID, Name: u.Name, OrganisationID: u.OrganisationID,
			Grants: []workflow.Grant{{Role: a.Role, Domain: a.Domain}}}
	}
	return svc, actors
}

func TestMyStages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc, actors := demoEnv(t, d)
		elsewhere := actors["mic-judge-1"]
		elsewhere.Grants = []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mhlw"}} // on MIC's panels, a judge only for MHLW now
		type stage struct {
			key                                 string
			role                                workflow.Role
			assigned, draft, submitted, recused int
		}
		for _, tc := range []struct {
			name  string
			actor workflow.Actor
			want  []stage
		}{
			{"MIC judge", actors["mic-judge-1"], []stage{{"top100", workflow.RoleJudge, 5, 0, 5, 0}, {"minister", workflow.RoleJudge, 3, 0, 0, 0}}},
			{"MIC chair", actors["mic-chair"], []stage{{"top100", workflow.RoleChair, 0, 0, 0, 0}, {"minister", workflow.RoleChair, 0, 0, 0, 0}}},
			{"MHLW judge", actors["mhlw-judge-1"], []stage{{"review", workflow.RoleJudge, 2, 0, 0, 0}}},
			{"a judge of the other ministry now", elsewhere, nil},
			{"applicant", actors["applicant"], nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := svc.MyStages(context.Background(), tc.actor)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tc.want) {
					t.Fatalf("%d stages, want %d: %+v", len(got), len(tc.want), got)
				}
				for i, w := range tc.want {
					g := got[i]
					if g.Ref.Stage != w.key || g.Role != w.role || g.Assigned != w.assigned || g.Draft != w.draft || g.Submitted != w.submitted || g.Recused != w.recused {
						t.Errorf("stage %d: %s %s %d/%d/%d/%d, want %+v", i, g.Ref.Stage, g.Role, g.Assigned, g.Draft, g.Submitted, g.Recused, w)
					}
					if g.Stage.Judging == nil || g.Stage.Judging.Window.Closes.IsZero() {
						t.Errorf("stage %s has no judging window", g.Ref.Stage)
					}
				}
			})
		}
		// A draft and a recusal count.
		judge := actors["mic-judge-1"]
		ref := workflow.StageRef{Cycle: demo.Key, Programme: "mic-pioneer", Stage: "minister"}
		es, _, err := svc.Entries(context.Background(), judge, ref, workflow.Page{})
		if err != nil || len(es) != 3 {
			t.Fatal(len(es), err)
		}
		if _, err := svc.SaveScore(context.Background(), judge, ref, es[0].Nomination.ID, 0, workflow.ScoreInput{Values: map[string]any{"leadership": 5}}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Recuse(context.Background(), judge, ref, es[1].Nomination.ID, "取引先"); err != nil {
			t.Fatal(err)
		}
		got, err := svc.MyStages(context.Background(), judge)
		if err != nil {
			t.Fatal(err)
		}
		if m := got[1]; m.Assigned != 2 || m.Draft != 1 || m.Recused != 1 {
			t.Errorf("after a draft and a recusal: %+v", m)
		}
		// A conflict declared now takes the judge off the entry still under
		// review; the decided stage the same entries went through keeps its
		// record: every submitted score there, listed and open to read.
		if _, err := svc.DeclareConflict(context.Background(), judge, es[2].Nomination.OrganisationID, "親会社"); err != nil {
			t.Fatal(err)
		}
		if got, err = svc.MyStages(context.Background(), judge); err != nil {
			t.Fatal(err)
		}
		if m := got[0]; m.Assigned != 5 || m.Submitted != 5 || m.Recused != 0 {
			t.Errorf("the decided stage after a recusal and a conflict elsewhere: %+v", m)
		}
		if m := got[1]; m.Assigned != 1 || m.Draft != 1 || m.Recused != 2 {
			t.Errorf("the open stage after a recusal and a conflict: %+v", m)
		}
		top100 := workflow.StageRef{Cycle: demo.Key, Programme: "mic-pioneer", Stage: "top100"}
		past, _, err := svc.Entries(context.Background(), judge, top100, workflow.Page{})
		if err != nil || len(past) != 5 {
			t.Fatalf("top100 lists %d entries (%v), want 5", len(past), err)
		}
		for _, e := range es[1:] {
			me, err := svc.MyEntry(context.Background(), judge, top100, e.Nomination.ID)
			if err != nil || me.Score == nil || me.Score.Status != workflow.ScoreSubmitted {
				t.Errorf("top100 entry %d: %+v, %v", e.Nomination.ID, me.Score, err)
			}
			if err := svc.Recuse(context.Background(), judge, top100, e.Nomination.ID, "後から"); workflow.ErrorCode(err) != workflow.IllegalTransition {
				t.Errorf("recusing from decided entry %d: %v", e.Nomination.ID, err)
			}
		}
	})
}

func TestMyEntry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc, actors := demoEnv(t, d)
		ctx := context.Background()
		ref := workflow.StageRef{Cycle: demo.Key, Programme: "mic-pioneer", Stage: "minister"}
		es, _, err := svc.Entries(ctx, actors["mic-judge-1"], ref, workflow.Page{})
		if err != nil || len(es) != 3 {
			t.Fatal(len(es), err)
		}
		id := es[0].Nomination.ID
		for _, tc := range []struct {
			who      string
			code     workflow.Code
			assigned bool
			role     workflow.Role
		}{
			{"mic-judge-1", "", true, workflow.RoleJudge},
			{"mic-chair", "", false, workflow.RoleChair},
			{"mic-secretariat", "", false, ""},
			{"mhlw-judge-1", workflow.NotFound, false, ""},
			{"applicant", workflow.NotFound, false, ""},
		} {
			t.Run(tc.who, func(t *testing.T) {
				me, err := svc.MyEntry(ctx, actors[tc.who], ref, id)
				if workflow.ErrorCode(err) != tc.code {
					t.Fatalf("error %v, want %q", err, tc.code)
				}
				if err != nil {
					return
				}
				if me.Assigned != tc.assigned || me.Role != tc.role || !me.Open || !me.UnderReview || me.Score != nil || me.Locked {
					t.Errorf("%+v", me)
				}
			})
		}
		if err := svc.Unassign(ctx, admin, ref, id, actors["mic-judge-1"].UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MyEntry(ctx, actors["mic-judge-1"], ref, id); workflow.ErrorCode(err) != workflow.NotFound {
			t.Errorf("an unassigned judge opens the entry: %v", err)
		}
	})
}
