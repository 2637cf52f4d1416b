package db_test

import (
	"fmt"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// TestWhoDeclaresTies: a judge's or chair's ties (affiliations, conflicts)
// are its own, declared whatever else it holds, in whichever ministry it
// judges: some grant of its carries conflict:declare. Staff alone do not
// declare.
func TestWhoDeclaresTies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 1, 1)
		judge := je.judges[0]
		with := func(a workflow.Actor, gs ...workflow.Grant) workflow.Actor {
			a.Grants = append(append([]workflow.Grant(nil), a.Grants...), gs...)
			return a
		}
		adminGrant := workflow.Grant{Role: workflow.RoleAdmin, Domain: workflow.AnyDomain}
		for i, tc := range []struct {
			name  string
			actor workflow.Actor
			want  bool
		}{
			{"judge", judge, true},
			{"chair", je.chair, true},
			{"secretariat", workflow.Actor{ID: judge.ID, UserID: judge.UserID, Grants: []workflow.Grant{{Role: workflow.RoleSecretariat, Domain: "mic"}}}, false},
			{"admin", workflow.Actor{ID: judge.ID, UserID: judge.UserID, Grants: []workflow.Grant{adminGrant}}, false},
			{"judge and secretariat of its ministry", with(judge, workflow.Grant{Role: workflow.RoleSecretariat, Domain: "mic"}), true},
			{"judge and administrator", with(judge, adminGrant), true},
			{"judge of another ministry", workflow.Actor{ID: judge.ID, UserID: judge.UserID, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mhlw"}}}, true},
		} {
			_, err := je.svc.DeclareAffiliation(je.ctx, tc.actor, workflow.Affiliation{Name: fmt.Sprintf("株式会社関係%02d", i)})
			if got := err == nil; got != tc.want || !tc.want && workflow.ErrorCode(err) != workflow.Forbidden {
				t.Errorf("%s: declares = %v (%v), want %v", tc.name, got, err, tc.want)
			}
		}
	})
}

// TestWhoReopensAScore: the chair and the secretariat reopen judges'
// scores; the chair not its own (the secretariat does); a judge none.
func TestWhoReopensAScore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 1, 1)
		id := je.entries[0].ID
		judge := je.judges[0]
		for _, u := range []workflow.Actor{judge, je.chair} {
			if _, err := je.svc.Assign(je.ctx, micStaff, top100, id, u.UserID); err != nil {
				t.Fatal(err)
			}
		}
		scores := map[int64]workflow.Score{} // each owner's, as last returned
		submit := func(u workflow.Actor) {
			t.Helper()
			if sc, ok := scores[u.UserID]; ok && sc.Status == workflow.ScoreSubmitted {
				return
			}
			sc, err := je.svc.SaveScore(je.ctx, u, top100, id, scores[u.UserID].Version, workflow.ScoreInput{Values: fullScore, Submit: true})
			if err != nil {
				t.Fatal(err)
			}
			scores[u.UserID] = sc
		}
		for _, tc := range []struct {
			name      string
			by, owner workflow.Actor
			want      workflow.Code
		}{
			{"judge reopens its own", judge, judge, workflow.Forbidden},
			{"judge reopens the chair's", judge, je.chair, workflow.Forbidden},
			{"chair reopens its own", je.chair, je.chair, workflow.Forbidden},
			{"chair reopens a judge's", je.chair, judge, ""},
			{"secretariat reopens the chair's", micStaff, je.chair, ""},
		} {
			submit(tc.owner)
			sc, err := je.svc.ReopenScore(je.ctx, tc.by, top100, id, tc.owner.UserID, "再確認")
			if err == nil {
				scores[tc.owner.UserID] = sc
			}
			if got := workflow.ErrorCode(err); err != nil && got != tc.want || err == nil && tc.want != "" {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
	})
}
