package db_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// The user list filtered by grant: active grants only, and for a
// secretariat only grants in its own ministries (or global ones), so that a
// filter on another ministry tells it nothing about its users.
func TestUsersByGrant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mk := func(email string, role workflow.Role, domain string) workflow.User {
			t.Helper()
			u, err := e.svc.CreateUser(e.ctx, admin, workflow.NewUser{Email: email, Name: email, Password: "correct horse battery",
				Role: role, Domain: domain})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		mk("mic-judge@x.example", workflow.RoleJudge, "mic")
		both := mk("both@x.example", workflow.RoleJudge, "mic")
		if _, err := e.svc.GrantRole(e.ctx, admin, both.ID, workflow.RoleChair, "mhlw"); err != nil {
			t.Fatal(err)
		}
		mk("mhlw-judge@x.example", workflow.RoleJudge, "mhlw")
		former := mk("former@x.example", workflow.RoleJudge, "mic")
		fv, _ := e.svc.User(e.ctx, admin, former.ID)
		if _, err := e.svc.RevokeGrant(e.ctx, admin, fv.Grants[0].ID); err != nil {
			t.Fatal(err)
		}
		mk("admin2@x.example", workflow.RoleAdmin, workflow.AnyDomain)

		for _, tc := range []struct {
			name  string
			actor workflow.Actor
			f     workflow.UserFilter
			want  []string
		}{
			{"admin: judges anywhere", admin, workflow.UserFilter{Roles: []workflow.Role{workflow.RoleJudge}}, []string{"mic-judge@x.example", "both@x.example", "mhlw-judge@x.example"}},
			{"admin: MHLW", admin, workflow.UserFilter{Domain: "mhlw"}, []string{"both@x.example", "mhlw-judge@x.example"}},
			{"admin: MHLW chairs", admin, workflow.UserFilter{Roles: []workflow.Role{workflow.RoleChair}, Domain: "mhlw"}, []string{"both@x.example"}},
			{"admin: global", admin, workflow.UserFilter{Domain: workflow.AnyDomain}, []string{"admin2@x.example"}},
			{"admin: text and role", admin, workflow.UserFilter{Q: "BOTH", Roles: []workflow.Role{workflow.RoleJudge}}, []string{"both@x.example"}},
			{"mic: its judges", micStaff, workflow.UserFilter{Roles: []workflow.Role{workflow.RoleJudge}}, []string{"mic-judge@x.example", "both@x.example"}},
			{"mic: MHLW's chairs are not its business", micStaff, workflow.UserFilter{Roles: []workflow.Role{workflow.RoleChair}}, nil},
			{"mic: MHLW", micStaff, workflow.UserFilter{Domain: "mhlw"}, nil},
			{"mhlw: its own", mhlwStaff, workflow.UserFilter{Domain: "mhlw"}, []string{"both@x.example", "mhlw-judge@x.example"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.f.Total = true
				us, info, err := e.svc.Users(e.ctx, tc.actor, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, u := range us {
					got = append(got, u.Email)
				}
				if !slices.Equal(got, tc.want) || *info.Total != len(tc.want) {
					t.Errorf("got %v (total %d), want %v", got, *info.Total, tc.want)
				}
			})
		}

		t.Run("unknown role or domain", func(t *testing.T) {
			_, _, err := e.svc.Users(e.ctx, admin, workflow.UserFilter{Roles: []workflow.Role{"boss"}})
			wantCode(t, err, workflow.Invalid)
			_, _, err = e.svc.Users(e.ctx, admin, workflow.UserFilter{Domain: "moj"})
			wantCode(t, err, workflow.Invalid)
		})
		t.Run("a cursor keeps its filters", func(t *testing.T) {
			_, info, err := e.svc.Users(e.ctx, admin, workflow.UserFilter{Roles: []workflow.Role{workflow.RoleJudge}, Page: workflow.Page{Limit: 1}})
			if err != nil || info.NextCursor == "" {
				t.Fatalf("first page: %+v %v", info, err)
			}
			_, _, err = e.svc.Users(e.ctx, admin, workflow.UserFilter{Roles: []workflow.Role{workflow.RoleChair}, Page: workflow.Page{Limit: 1, Cursor: info.NextCursor}})
			wantCode(t, err, workflow.Invalid)
			us, _, err := e.svc.Users(e.ctx, admin, workflow.UserFilter{Roles: []workflow.Role{workflow.RoleJudge}, Page: workflow.Page{Limit: 1, Cursor: info.NextCursor}})
			if err != nil || len(us) != 1 || us[0].Email != "both@x.example" {
				t.Fatalf("second page: %+v %v", us, err)
			}
		})
	})
}

// An administrator cannot revoke their own last administrator grant (that
// would lock them out); another administrator can.
func TestRevokeOwnLastAdminGrant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mk := func(email string) (workflow.Actor, int64) {
			t.Helper()
			u, err := e.svc.CreateUser(e.ctx, admin, workflow.NewUser{Email: email, Name: email, Password: "correct horse battery",
				Role: workflow.RoleAdmin, Domain: workflow.AnyDomain})
			if err != nil {
				t.Fatal(err)
			}
			v, _ := e.svc.User(e.ctx, admin, u.ID)
			return workflow.Actor{ID: u.ActorID(), UserID: u.ID, Grants: []workflow.Grant{{Role: workflow.RoleAdmin, Domain: workflow.AnyDomain}}}, v.Grants[0].ID
		}
		one, oneGrant := mk("one@x.example")
		two, twoGrant := mk("two@x.example")
		_, err := e.svc.RevokeGrant(e.ctx, one, oneGrant)
		wantCode(t, err, workflow.Conflict)
		if we := (*workflow.Error)(nil); !errors.As(err, &we) || !strings.Contains(we.Ja, "最後の管理者") {
			t.Errorf("the refusal says %v", err)
		}
		if v, _ := e.svc.User(e.ctx, admin, one.UserID); !v.Grants[0].Active() {
			t.Fatal("the refused revocation was written")
		}
		if _, err := e.svc.RevokeGrant(e.ctx, two, oneGrant); err != nil {
			t.Fatalf("another administrator revokes it: %v", err)
		}
		// The one left is refused too, even to an administrator who could
		// revoke anyone else's.
		_, err = e.svc.RevokeGrant(e.ctx, two, twoGrant)
		wantCode(t, err, workflow.Conflict)
	})
}
