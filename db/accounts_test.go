package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

func TestSignupLoginLogout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u, tok, err := e.svc.Signup(e.ctx, " Tanaka@Example.JP ", "田中一郎", "", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "tanaka@example.jp" || u.Locale != "ja" || tok.Value == "" || !tok.ExpiresAt.After(e.clock.Now()) {
			t.Fatalf("signup: %+v %+v", u, tok)
		}
		_, _, err = e.svc.Signup(e.ctx, "tanaka@example.jp", "別人", "en", "another password")
		wantCode(t, err, workflow.Conflict)
		_, _, err = e.svc.Signup(e.ctx, "not-an-email", "", "fr", "short")
		if ps := workflow.ErrorProblems(err); len(ps) != 4 {
			t.Fatalf("bad signup problems: %v", ps)
		}

		got, version, err := e.svc.Authenticate(e.ctx, tok.Value)
		if err != nil || got.ID != u.ID || version < 1 {
			t.Fatalf("authenticate: %+v %d %v", got, version, err)
		}
		for _, bad := range []struct{ email, pw string }{
			{"tanaka@example.jp", "wrong password!"}, {"nobody@example.jp", "correct horse battery"}, {"", ""},
		} {
			_, _, err := e.svc.Login(e.ctx, bad.email, bad.pw)
			wantCode(t, err, workflow.Unauthenticated)
		}
		_, tok2, err := e.svc.Login(e.ctx, "TANAKA@example.jp", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Logout(e.ctx, tok2.Value); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Authenticate(e.ctx, tok2.Value)
		wantCode(t, err, workflow.Unauthenticated)
		wantCode(t, e.svc.Logout(e.ctx, tok2.Value), workflow.Unauthenticated)
		if _, _, err := e.svc.Authenticate(e.ctx, tok.Value); err != nil {
			t.Fatalf("the other session ended too: %v", err)
		}
		e.clock.Add(workflow.SessionTTL)
		_, _, err = e.svc.Authenticate(e.ctx, tok.Value)
		wantCode(t, err, workflow.Unauthenticated)
	})
}

func TestApplicantCreatesItsOrganisationOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u, _, err := e.svc.Signup(e.ctx, "a@example.jp", "応募者", "ja", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		actor := workflow.Actor{ID: u.ActorID(), UserID: u.ID, Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}}
		o, _ := e.org(t, "テンプレート")
		o.ID, o.CorporateNumber = 0, nextCorporateNumber() // one organisation per corporate number
		created, err := e.svc.CreateOrganisation(e.ctx, actor, o)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := e.svc.User(e.ctx, actor, u.ID); err != nil || v.User.OrganisationID != created.ID {
			t.Fatalf("user after creating the organisation: %+v %v", v.User, err)
		}
		actor.OrganisationID = created.ID
		_, err = e.svc.CreateOrganisation(e.ctx, actor, o)
		wantCode(t, err, workflow.Conflict)
	})
}

func TestInvitations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, err := e.svc.CreateUser(e.ctx, admin, workflow.NewUser{Email: "sec@mic.example", Name: "総務事務局", Password: "correct horse battery",
			Role: workflow.RoleSecretariat, Domain: "mic"})
		if err != nil {
			t.Fatal(err)
		}
		inv, tok, err := e.svc.Invite(e.ctx, micStaff, workflow.NewInvitation{Email: "judge@univ.example", Name: "審査員", Role: workflow.RoleJudge, Domain: "mic"})
		if err != nil || inv.TokenHash == tok.Value {
			t.Fatalf("invite: %v", err)
		}
		for _, tc := range []struct {
			actor workflow.Actor
			ni    workflow.NewInvitation
			code  workflow.Code
		}{
			{micStaff, workflow.NewInvitation{Email: "j2@x.example", Name: "j", Role: workflow.RoleJudge, Domain: "mhlw"}, workflow.Forbidden},
			{micStaff, workflow.NewInvitation{Email: "s2@x.example", Name: "s", Role: workflow.RoleSecretariat, Domain: "mic"}, workflow.Forbidden},
			{micStaff, workflow.NewInvitation{Email: "sec@mic.example", Name: "s", Role: workflow.RoleJudge, Domain: "mic"}, workflow.Conflict},
			{micStaff, workflow.NewInvitation{Email: "a@x.example", Name: "a", Role: workflow.RoleApplicant, Domain: "*"}, workflow.Invalid},
			{micStaff, workflow.NewInvitation{Email: "a@x.example", Name: "a", Role: workflow.RoleApplicant, Domain: "*", OrganisationID: 999}, workflow.Forbidden},
			{admin, workflow.NewInvitation{Email: "a@x.example", Name: "a", Role: workflow.RoleApplicant, Domain: "*", OrganisationID: 999}, workflow.NotFound},
			{micStaff, workflow.NewInvitation{Email: "x", Name: "", Role: "boss", Domain: "mic"}, workflow.Invalid},
			{admin, workflow.NewInvitation{Email: "s3@x.example", Name: "s", Role: workflow.RoleSecretariat, Domain: "mhlw"}, ""},
		} {
			_, _, err := e.svc.Invite(e.ctx, tc.actor, tc.ni)
			wantCode(t, err, tc.code)
		}

		_, _, err = e.svc.AcceptInvitation(e.ctx, tok.Value, "short", "en")
		wantCode(t, err, workflow.Invalid)
		u, session, err := e.svc.AcceptInvitation(e.ctx, tok.Value, "a long enough password", "en")
		if err != nil || u.Email != "judge@univ.example" || u.Locale != "en" || session.Value == "" {
			t.Fatalf("accept: %+v %v", u, err)
		}
		_, _, err = e.svc.AcceptInvitation(e.ctx, tok.Value, "a long enough password", "en")
		wantCode(t, err, workflow.Conflict)
		_, _, err = e.svc.AcceptInvitation(e.ctx, "afi_unknown", "a long enough password", "en")
		wantCode(t, err, workflow.NotFound)
		v, err := e.svc.User(e.ctx, micStaff, u.ID)
		if err != nil || len(v.Grants) != 1 || v.Grants[0].Role != workflow.RoleJudge || v.Grants[0].GrantedBy != micStaff.ID {
			t.Fatalf("invited user: %+v %v", v, err)
		}
		_, err = e.svc.User(e.ctx, mhlwStaff, u.ID)
		wantCode(t, err, workflow.NotFound)

		_, late, err := e.svc.Invite(e.ctx, admin, workflow.NewInvitation{Email: "late@x.example", Name: "遅", Role: workflow.RoleJudge, Domain: "mic"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Add(workflow.InvitationTTL)
		_, _, err = e.svc.AcceptInvitation(e.ctx, late.Value, "a long enough password", "ja")
		wantCode(t, err, workflow.Invalid)
	})
}

func TestGrantsAndRevocations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		judge, err := e.svc.CreateUser(e.ctx, admin, workflow.NewUser{Email: "j@x.example", Name: "審査員", Password: "correct horse battery",
			Role: workflow.RoleJudge, Domain: "mic"})
		if err != nil {
			t.Fatal(err)
		}
		_, v0, err := e.svc.ActiveGrants(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		chair, err := e.svc.GrantRole(e.ctx, micStaff, judge.ID, workflow.RoleChair, "mic")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.GrantRole(e.ctx, micStaff, judge.ID, workflow.RoleChair, "mic")
		wantCode(t, err, workflow.Conflict)
		_, err = e.svc.GrantRole(e.ctx, micStaff, judge.ID, workflow.RoleJudge, "mhlw")
		wantCode(t, err, workflow.Forbidden)
		_, err = e.svc.GrantRole(e.ctx, micStaff, judge.ID, workflow.RoleAdmin, "*")
		wantCode(t, err, workflow.Forbidden)
		_, err = e.svc.GrantRole(e.ctx, micStaff, 99999, workflow.RoleJudge, "mic")
		wantCode(t, err, workflow.NotFound)
		_, err = e.svc.GrantRole(e.ctx, admin, judge.ID, workflow.RoleApplicant, "*")
		wantCode(t, err, workflow.Forbidden)

		gs, v1, _ := e.svc.ActiveGrants(e.ctx)
		if v1 != v0+1 || len(gs) != 2 {
			t.Fatalf("after a grant: version %d→%d, %d grants", v0, v1, len(gs))
		}
		_, err = e.svc.RevokeGrant(e.ctx, mhlwStaff, chair.ID)
		wantCode(t, err, workflow.NotFound)
		if g, err := e.svc.RevokeGrant(e.ctx, micStaff, chair.ID); err != nil || g.RevokedAt == nil || g.RevokedBy != micStaff.ID {
			t.Fatalf("revoke: %+v %v", g, err)
		}
		_, err = e.svc.RevokeGrant(e.ctx, micStaff, chair.ID)
		wantCode(t, err, workflow.Conflict)
		gs, v2, _ := e.svc.ActiveGrants(e.ctx)
		if v2 != v1+1 || len(gs) != 1 {
			t.Fatalf("after a revocation: version %d→%d, %d grants", v1, v2, len(gs))
		}
		v, _ := e.svc.User(e.ctx, admin, judge.ID)
		if len(v.Grants) != 2 || v.Grants[1].Active() {
			t.Fatalf("the audit trail keeps revoked grants: %+v", v.Grants)
		}
		us, info, err := e.svc.Users(e.ctx, mhlwStaff, workflow.UserFilter{Page: workflow.Page{Total: true}})
		if err != nil || *info.Total != 0 || len(us) != 0 {
			t.Fatalf("mhlw secretariat sees %d users (%v)", len(us), err)
		}
		if _, info, _ := e.svc.Users(e.ctx, micStaff, workflow.UserFilter{Q: "J@X", Page: workflow.Page{Total: true}}); *info.Total != 1 {
			t.Fatalf("mic secretariat search = %d", *info.Total)
		}
	})
}

func TestSearches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var owner workflow.Actor
		for i := range 12 {
			n, a := e.submitted(t, fmt.Sprintf("株式会社検索%02d", i))
			if i == 3 {
				owner = a
				e.step(t, micStaff, n, workflow.StartScreening, workflow.Input{})
			}
		}
		o, a := e.org(t, "厚労テスト株式会社")
		if _, err := e.svc.CreateNomination(e.ctx, a, o.ID, "fy2026-telework", "mhlw-kagayaku"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			actor workflow.Actor
			f     workflow.NominationFilter
			total int
			rows  int
		}{
			{"admin sees all", admin, workflow.NominationFilter{}, 13, 13},
			{"mic secretariat", micStaff, workflow.NominationFilter{}, 12, 12},
			{"mhlw secretariat", mhlwStaff, workflow.NominationFilter{}, 1, 1},
			{"page", micStaff, workflow.NominationFilter{Page: workflow.Page{Limit: 5}}, 12, 5},
			{"state", micStaff, workflow.NominationFilter{State: workflow.Screening}, 1, 1},
			{"programme", admin, workflow.NominationFilter{Programme: "mhlw-kagayaku"}, 1, 1},
			{"free text", admin, workflow.NominationFilter{Q: "検索0"}, 10, 10},
			{"full-width free text is normalised", admin, workflow.NominationFilter{Q: "検索１１"}, 1, 1},
			{"like wildcards are literal", admin, workflow.NominationFilter{Q: "%"}, 0, 0},
			{"prefecture", admin, workflow.NominationFilter{Prefecture: "13"}, 13, 13},
			{"industry", admin, workflow.NominationFilter{Industry: "E"}, 0, 0},
			{"applicant sees its own", owner, workflow.NominationFilter{}, 1, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.f.Total = true
				items, info, err := e.svc.Nominations(e.ctx, tc.actor, tc.f)
				if err != nil || *info.Total != tc.total || len(items) != tc.rows {
					t.Fatalf("total %v, rows %d, %v; want %d, %d", info.Total, len(items), err, tc.total, tc.rows)
				}
			})
		}
		judge := workflow.Actor{Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
		_, _, err := e.svc.Nominations(e.ctx, judge, workflow.NominationFilter{})
		wantCode(t, err, workflow.Forbidden)

		orgs, info, err := e.svc.Organisations(e.ctx, micStaff, workflow.OrganisationFilter{Q: "テストカブ", Page: workflow.Page{Limit: 3, Total: true}})
		if err != nil || *info.Total != 13 || len(orgs) != 3 {
			t.Fatalf("organisations by reading: %d/%v %v", len(orgs), info.Total, err)
		}
		if _, info, _ := e.svc.Organisations(e.ctx, micStaff, workflow.OrganisationFilter{Q: "厚労", Page: workflow.Page{Total: true}}); *info.Total != 1 {
			t.Fatalf("organisations by name = %d", *info.Total)
		}
		_, _, err = e.svc.Organisations(e.ctx, owner, workflow.OrganisationFilter{})
		wantCode(t, err, workflow.Forbidden)
	})
}

func TestProgrammeMinistryIsFixed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := exampleCycle(t)
		c.Programmes[1].Ministry = "mic"
		_, err := e.svc.LoadCycle(e.ctx, admin, c, false)
		if ps := workflow.ErrorProblems(err); len(ps) != 1 || ps[0].Path != "programmes[1].ministry" {
			t.Fatalf("moving a programme to another ministry: %v", err)
		}
	})
}

// TestAccountFieldsRefuseHiddenCharacters: names and emails of accounts
// are shown to others, so invisible and bidirectional-override characters
// are refused where accounts are made.
func TestAccountFieldsRefuseHiddenCharacters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, tc := range []struct {
			name, email, path, code string
		}{
			{"田中\u202e一郎", "a1@example.jp", "name", "hidden_character"},     // right-to-left override
			{"田中\u200b一郎", "a2@example.jp", "name", "hidden_character"},     // zero-width space
			{"\u2066田中\u2069", "a3@example.jp", "name", "hidden_character"}, // isolates
			{"田中\u00ad一郎", "a4@example.jp", "name", "hidden_character"},     // soft hyphen
			{"田中\x07一郎", "a5@example.jp", "name", "hidden_character"},       // control
			{"田中一郎", "a\u200b6@example.jp", "email", "hidden_character"},
			{"田中一郎", "a7@example.jp", "", ""},
		} {
			wantProblem := func(what string, err error) {
				t.Helper()
				if tc.code == "" {
					if err != nil {
						t.Errorf("%s %q: %v", what, tc.name, err)
					}
					return
				}
				ps := workflow.ErrorProblems(err)
				if len(ps) != 1 || ps[0].Path != tc.path || ps[0].Code != tc.code || ps[0].Message.Ja == "" || ps[0].Message.En == "" {
					t.Errorf("%s %q %q: problems %+v, want %s at %s", what, tc.name, tc.email, ps, tc.code, tc.path)
				}
			}
			_, _, err := e.svc.Signup(e.ctx, tc.email, tc.name, "ja", "correct horse battery")
			wantProblem("signup", err)
			_, _, err = e.svc.Invite(e.ctx, admin, workflow.NewInvitation{Email: "i." + tc.email, Name: tc.name, Role: workflow.RoleJudge, Domain: "mic"})
			wantProblem("invite", err)
			_, err = e.svc.CreateUser(e.ctx, admin, workflow.NewUser{Email: "c." + tc.email, Name: tc.name, Password: "correct horse battery",
				Role: workflow.RoleJudge, Domain: "mic"})
			wantProblem("create user", err)
		}
	})
}

// TestWeakPasswordsRefused: only length was checked; common and trivial
// passwords are now refused, each with its reason in Japanese and English.
func TestWeakPasswordsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for i, tc := range []struct{ pw, code string }{
			{"password123", "weak_common"},
			{"P@ssw0rd2026!", "weak_common"},
			{"            ", "weak_blank"},
			{"aaaaaaaaaaaa", "weak_repeated"},
			{"abcabcabcabc", "weak_repeated"},
			{"1234567890", "weak_sequence"},
			{"qwertyuiop", "weak_sequence"},
			{"yamada.taro2026", "weak_personal"}, // the email's local part
			{"awardflow2026", "weak_personal"},
			{"short", "too_short"},
			{"a quiet lake at dawn", ""},
		} {
			email := fmt.Sprintf("yamada.taro@%d.example.jp", i)
			_, _, err := e.svc.Signup(e.ctx, email, "山田太郎", "ja", tc.pw)
			ps := workflow.ErrorProblems(err)
			if tc.code == "" {
				if err != nil {
					t.Errorf("%q refused: %v", tc.pw, err)
				}
				continue
			}
			if len(ps) != 1 || ps[0].Path != "password" || ps[0].Code != tc.code || ps[0].Message.Ja == "" || ps[0].Message.En == "" {
				t.Errorf("%q: problems %+v, want %s", tc.pw, ps, tc.code)
			}
			if tc.code != "too_short" {
				wantCode(t, e.svc.ResetPassword(e.ctx, admin, email, tc.pw), workflow.Invalid)
			}
		}
	})
}

// TestLoginAttempts: the counter behind sign-in throttling, on both
// databases: a limit per window, a new window once it has passed, and old
// buckets purged.
func TestLoginAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, store := context.Background(), db.NewStore(d)
		t0 := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
		take := func(at time.Time) time.Duration {
			t.Helper()
			var wait time.Duration
			if err := store.InTx(ctx, func(tx workflow.Tx) error {
				var err error
				wait, err = tx.TakeAttempt(ctx, "account:x", 3, time.Hour, at)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return wait
		}
		for i := range 3 {
			if w := take(t0.Add(time.Duration(i) * time.Minute)); w != 0 {
				t.Fatalf("attempt %d refused: %v", i+1, w)
			}
		}
		if w := take(t0.Add(10 * time.Minute)); w != 50*time.Minute {
			t.Fatalf("4th attempt: wait %v, want 50m", w)
		}
		if w := take(t0.Add(time.Hour)); w != 0 {
			t.Fatalf("after the window: wait %v", w)
		}
		if err := store.InTx(ctx, func(tx workflow.Tx) error {
			if err := tx.ReturnAttempt(ctx, "account:x", false); err != nil {
				return err
			}
			return tx.ForgetAttemptsBefore(ctx, t0.Add(time.Hour+time.Second))
		}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.Bun.NewSelect().Table("login_attempts").ColumnExpr("COUNT(*)").Scan(ctx, &n); err != nil || n != 0 {
			t.Fatalf("after the purge: %d rows (%v)", n, err)
		}
	})
}
