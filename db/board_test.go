package db_test

import (
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// TestStageBoard: the board shows every entry with its judges, conflicts
// for the secretariat only, and a version a proposal is stale against;
// Proposal reads a proposal back for its stage's secretariat only.
func TestStageBoard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 3, 3)
		if _, err := je.svc.DeclareConflict(je.ctx, je.judges[1], je.entries[0].OrganisationID, "元顧問"); err != nil {
			t.Fatal(err)
		}
		if _, err := je.svc.Assign(je.ctx, micStaff, top100, je.entries[2].ID, je.judges[2].UserID); err != nil {
			t.Fatal(err)
		}
		b, err := je.svc.StageBoard(je.ctx, micStaff, top100)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Entries) != 3 || len(b.Panel) != 4 || b.Ministry != "mic" || b.Judging.JudgesPerEntry == 0 {
			t.Fatalf("board: %d entries, %d members, %q", len(b.Entries), len(b.Panel), b.Ministry)
		}
		if e := b.Entries[2]; !e.UnderReview || len(e.Judges) != 1 || e.Judges[0] != je.judges[2].UserID {
			t.Fatalf("entry 2 on the board: %+v", e)
		}
		if len(b.Conflicts) == 0 {
			t.Fatal("the secretariat's board lists no conflicts")
		}
		pr, err := je.svc.Propose(je.ctx, micStaff, top100, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		if pr.BaseVersion != b.Version {
			t.Fatalf("proposal made at version %d, board at %d", pr.BaseVersion, b.Version)
		}
		chair, err := je.svc.StageBoard(je.ctx, je.chair, top100)
		if err != nil || chair.Conflicts != nil || len(chair.Entries) != 3 {
			t.Fatalf("the chair's board: conflicts %v, %d entries, %v", chair.Conflicts, len(chair.Entries), err)
		}
		for _, tc := range []struct {
			name  string
			actor workflow.Actor
			board workflow.Code
			read  workflow.Code
		}{
			{"a judge", je.judges[0], workflow.Forbidden, workflow.Forbidden},
			{"the chair", je.chair, "", workflow.Forbidden},
			{"another ministry's secretariat", mhlwStaff, workflow.NotFound, workflow.NotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := je.svc.StageBoard(je.ctx, tc.actor, top100); workflow.ErrorCode(err) != tc.board {
					t.Errorf("board: %v, want %q", err, tc.board)
				}
				if _, err := je.svc.Proposal(je.ctx, tc.actor, top100, pr.ID); workflow.ErrorCode(err) != tc.read {
					t.Errorf("proposal: %v, want %q", err, tc.read)
				}
			})
		}
		got, err := je.svc.Proposal(je.ctx, micStaff, top100, pr.ID)
		if err != nil || len(got.Pairs) != len(pr.Pairs) || got.Status != workflow.ProposalPending {
			t.Fatalf("proposal read back: %+v %v", got, err)
		}
		other := top100
		other.Stage = "minister"
		_, err = je.svc.Proposal(je.ctx, micStaff, other, pr.ID)
		wantCode(t, err, workflow.NotFound)
		_, err = je.svc.Proposal(je.ctx, micStaff, top100, pr.ID+100)
		wantCode(t, err, workflow.NotFound)
	})
}

// TestUsersByGrant: the filter keeps users with an active grant of the
// roles in the domain, and the cursor binds it.
func TestPanelCandidates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 0, 2)
		g, err := je.svc.GrantRole(je.ctx, micStaff, je.judges[0].UserID, workflow.RoleChair, "mic")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := je.svc.RevokeGrant(je.ctx, micStaff, g.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			actor  workflow.Actor
			roles  []workflow.Role
			domain string
			want   int
		}{
			{"judges and chairs of mic", micStaff, []workflow.Role{workflow.RoleJudge, workflow.RoleChair}, "mic", 3},
			{"chairs only (a revoked grant does not count)", micStaff, []workflow.Role{workflow.RoleChair}, "mic", 1},
			{"judges of mhlw", micStaff, []workflow.Role{workflow.RoleJudge}, "mhlw", 0},
			{"mhlw's secretariat sees none of mic's", mhlwStaff, []workflow.Role{workflow.RoleJudge}, "mic", 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				us, _, err := je.svc.Users(je.ctx, tc.actor, workflow.UserFilter{Roles: tc.roles, Domain: tc.domain})
				if err != nil || len(us) != tc.want {
					t.Fatalf("%d users (%v), want %d", len(us), err, tc.want)
				}
			})
		}
		f := workflow.UserFilter{Roles: []workflow.Role{workflow.RoleJudge}, Domain: "mic", Page: workflow.Page{Limit: 1}}
		_, info, err := je.svc.Users(je.ctx, micStaff, f)
		if err != nil || info.NextCursor == "" {
			t.Fatalf("first page: %+v %v", info, err)
		}
		f.Cursor, f.Roles = info.NextCursor, []workflow.Role{workflow.RoleChair}
		_, _, err = je.svc.Users(je.ctx, micStaff, f)
		wantCode(t, err, workflow.Invalid)
	})
}
