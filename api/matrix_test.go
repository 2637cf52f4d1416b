package api

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/workflow"
)

// cell is one request of the matrix: its path, body and headers, prepared
// for the caller (some rows need a fresh object for every caller).
type cell struct {
	path    string
	body    any
	headers []string
}

type matrixRow struct {
	method, route string // the route as registered
	prepare       func(f *fixture, caller string) cell
	want          string // statuses for anon admin micSec mhlwSec micChair micJudge mhlwJudge owner other
}

func fixed(path string, body any) func(*fixture, string) cell {
	return func(*fixture, string) cell { return cell{path: path, body: body} }
}

func matrixRows() []matrixRow {
	const v1 = "/api/v1"
	const stage = v1 + "/cycles/fy2026-telework/programmes/mic-pioneer/stages/top100"
	const stageRoute = v1 + "/cycles/:key/programmes/:programme/stages/:stage"
	validOrg := map[string]any{"name": "株式会社新規", "name_kana": "シンキ", "legal_form": "kabushiki_kaisha", "prefecture": "27",
		"municipality": "大阪市", "industry": "E", "total_headcount": 10, "regular_headcount": 8}
	return []matrixRow{
		{"GET", "/healthz", fixed("/healthz", nil), "200 200 200 200 200 200 200 200 200"},
		{"GET", "/readyz", fixed("/readyz", nil), "200 200 200 200 200 200 200 200 200"},
		{"GET", v1 + "/openapi.yaml", fixed(v1+"/openapi.yaml", nil), "200 200 200 200 200 200 200 200 200"},
		{"POST", v1 + "/auth/signup", func(f *fixture, _ string) cell {
			return cell{path: v1 + "/auth/signup", body: map[string]any{"email": f.fresh("new") + "@example.jp", "name": "新規", "password": "long enough password"}}
		}, "201 201 201 201 201 201 201 201 201"},
		{"POST", v1 + "/auth/login", func(f *fixture, _ string) cell { // a fresh account each time: one account is throttled after 5
			return cell{path: v1 + "/auth/login", body: map[string]any{"email": f.fresh("nobody") + "@example.jp", "password": "wrong password"}}
		}, "401 401 401 401 401 401 401 401 401"},
		{"POST", v1 + "/auth/logout", func(f *fixture, caller string) cell {
			c := cell{path: v1 + "/auth/logout"}
			if caller != "anon" { // a session of its own, so the caller's main token survives
				c.headers = []string{"Authorization", "Bearer " + f.login(caller)}
			}
			return c
		}, "401 204 204 204 204 204 204 204 204"},
		{"GET", v1 + "/me", fixed(v1+"/me", nil), "401 200 200 200 200 200 200 200 200"},
		{"POST", v1 + "/me/password", func(f *fixture, caller string) cell { // the same password again, so later logins still work
			pw := "password-of-" + caller
			return cell{path: v1 + "/me/password", body: map[string]any{"current_password": pw, "new_password": pw}}
		}, "401 204 204 204 204 204 204 204 204"},
		{"GET", v1 + "/users", fixed(v1+"/users", nil), "401 200 200 200 403 403 403 403 403"},
		{"GET", v1 + "/users/:id", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/users/%d", v1, f.users["micJudge"].ID)}
		}, "401 200 200 404 403 403 403 403 403"},
		{"POST", v1 + "/users/:id/grants", func(f *fixture, _ string) cell {
			u := f.freshUser(workflow.RoleJudge, "mic")
			return cell{path: fmt.Sprintf("%s/users/%d/grants", v1, u.ID), body: map[string]any{"role": "chair", "domain": "mic"}}
		}, "401 201 201 404 403 403 403 403 403"},
		{"DELETE", v1 + "/grants/:id", func(f *fixture, _ string) cell {
			u := f.freshUser(workflow.RoleJudge, "mic")
			v, err := f.svc.User(f.ctx, admin, u.ID)
			if err != nil {
				f.t.Fatal(err)
			}
			return cell{path: fmt.Sprintf("%s/grants/%d", v1, v.Grants[0].ID)}
		}, "401 200 200 404 403 403 403 403 403"},
		{"POST", v1 + "/invitations", func(f *fixture, _ string) cell {
			return cell{path: v1 + "/invitations", body: map[string]any{"email": f.fresh("inv") + "@example.jp", "name": "審査員", "role": "judge", "domain": "mic"}}
		}, "401 201 201 403 403 403 403 403 403"},
		{"POST", v1 + "/invitations", func(f *fixture, _ string) cell { // a contact of A: only A's contacts and administrators add one
			return cell{path: v1 + "/invitations", body: map[string]any{"email": f.fresh("contact") + "@example.jp", "name": "担当者",
				"role": "applicant", "domain": "*", "organisation_id": f.orgA.ID}}
		}, "401 201 403 403 403 403 403 201 404"},
		{"POST", v1 + "/invitations/accept", fixed(v1+"/invitations/accept", map[string]any{"token": "afi_bogus", "password": "long enough password"}),
			"404 404 404 404 404 404 404 404 404"},
		{"GET", v1 + "/cycles", fixed(v1+"/cycles", nil), "401 200 200 200 200 200 200 200 200"},
		{"GET", v1 + "/cycles/:key", fixed(v1+"/cycles/fy2026-telework", nil), "401 200 200 200 200 200 200 200 200"},
		{"POST", v1 + "/organisations", fixed(v1+"/organisations", validOrg), "401 201 201 201 403 403 403 409 409"},
		{"GET", v1 + "/organisations", fixed(v1+"/organisations", nil), "401 200 200 200 403 403 403 403 403"},
		{"GET", v1 + "/organisations/:id", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/organisations/%d", v1, f.orgA.ID)}
		}, "401 200 200 200 403 403 403 200 404"},
		{"PATCH", v1 + "/organisations/:id", func(f *fixture, _ string) cell {
			o, err := f.svc.Organisation(f.ctx, admin, f.orgA.ID)
			if err != nil {
				f.t.Fatal(err)
			}
			return cell{path: fmt.Sprintf("%s/organisations/%d", v1, f.orgA.ID), body: map[string]any{"municipality": "千代田区"},
				headers: []string{"If-Match", strconv.Quote(strconv.Itoa(o.Version))}}
		}, "401 200 200 200 403 403 403 200 404"},
		{"POST", v1 + "/nominations", func(f *fixture, _ string) cell {
			o := f.organisation(f.fresh("株式会社フレッシュ"))
			return cell{path: v1 + "/nominations", body: map[string]any{"cycle": "fy2026-telework", "programme": "mic-pioneer", "organisation_id": o.ID}}
		}, "401 409 409 404 403 403 403 404 404"}, // the call has closed: authorized, then refused
		{"GET", v1 + "/nominations", fixed(v1+"/nominations", nil), "401 200 200 200 403 403 403 200 200"},
		{"GET", v1 + "/nominations/:id", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/nominations/%d", v1, f.micDraft)}
		}, "401 200 200 404 403 403 403 200 404"},
		{"PATCH", v1 + "/nominations/:id", func(f *fixture, _ string) cell {
			v, err := f.svc.Nomination(f.ctx, admin, f.micDraft)
			if err != nil {
				f.t.Fatal(err)
			}
			return cell{path: fmt.Sprintf("%s/nominations/%d", v1, f.micDraft), body: map[string]any{"answers": map[string]any{"outcomes": "効果"}},
				headers: []string{"If-Match", strconv.Quote(strconv.Itoa(v.Nomination.Version))}}
		}, "401 403 403 403 403 403 403 200 404"},
		{"POST", v1 + "/nominations/:id/actions/:action", func(f *fixture, _ string) cell {
			// A fresh, submitted MHLW nomination of A's for every caller: withdraw it.
			n := f.liveMHLW()
			return cell{path: fmt.Sprintf("%s/nominations/%d/actions/withdraw", v1, n.ID), body: map[string]any{"reason": "辞退"}}
		}, "401 403 404 403 403 403 403 200 404"},
		{"POST", v1 + "/nominations/bulk-actions/:action", func(f *fixture, _ string) cell {
			// The same as the single action: a fresh MHLW nomination of A's, withdrawn in bulk.
			n := f.liveMHLW()
			return cell{path: v1 + "/nominations/bulk-actions/withdraw", body: map[string]any{"ids": []int64{n.ID}, "input": map[string]any{"reason": "辞退"}}}
		}, "401 403 404 403 403 403 403 200 404"},
		{"GET", v1 + "/nominations/:id/history", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/nominations/%d/history", v1, f.micDraft)}
		}, "401 200 200 404 403 403 403 200 404"},
		{"GET", v1 + "/nominations/:id/answer-history", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/nominations/%d/answer-history", v1, f.micDraft)}
		}, "401 200 200 404 403 403 403 200 404"},
		{"GET", v1 + "/nominations/:id/feedback", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/nominations/%d/feedback", v1, f.micDraft)}
		}, "401 403 403 403 403 403 403 200 404"},
		{"POST", v1 + "/me/affiliations", fixed(v1+"/me/affiliations", map[string]any{"name": "某大学"}), "401 403 403 403 201 201 201 403 403"},
		{"POST", v1 + "/me/conflicts", func(f *fixture, _ string) cell {
			return cell{path: v1 + "/me/conflicts", body: map[string]any{"organisation_id": f.orgB.ID, "reason": "元勤務先"}}
		}, "401 403 403 403 201 201 201 403 403"},
		{"GET", v1 + "/me/conflicts", fixed(v1+"/me/conflicts", nil), "401 403 403 403 200 200 200 403 403"},

		{"GET", stageRoute + "/panel", fixed(stage+"/panel", nil), "401 200 200 404 200 403 403 403 403"},
		{"PUT", stageRoute + "/panel/:user", func(f *fixture, _ string) cell {
			u := f.freshUser(workflow.RoleJudge, "mic")
			return cell{path: fmt.Sprintf("%s/panel/%d", stage, u.ID), body: map[string]any{"role": "judge", "industries": []string{"G"}}}
		}, "401 201 201 404 403 403 403 403 403"},
		{"DELETE", stageRoute + "/panel/:user", func(f *fixture, _ string) cell {
			u := f.freshUser(workflow.RoleJudge, "mic")
			if _, err := f.svc.SetPanelMember(f.ctx, admin, top100, workflow.PanelMember{UserID: u.ID, Role: workflow.RoleJudge}); err != nil {
				f.t.Fatal(err)
			}
			return cell{path: fmt.Sprintf("%s/panel/%d", stage, u.ID)}
		}, "401 204 204 404 403 403 403 403 403"},
		{"GET", stageRoute + "/conflicts", fixed(stage+"/conflicts", nil), "401 200 200 404 403 403 403 403 403"},
		{"GET", stageRoute + "/assignments", fixed(stage+"/assignments", nil), "401 200 200 404 200 200 404 403 403"},
		{"POST", stageRoute + "/assignments", func(f *fixture, _ string) cell {
			n := f.stageEntry()
			return cell{path: stage + "/assignments", body: map[string]any{"nomination_id": n.ID, "user_id": f.users["micJudge"].ID}}
		}, "401 201 201 404 403 403 403 403 403"},
		{"DELETE", stageRoute + "/assignments/:id/:user", func(f *fixture, _ string) cell {
			n := f.assignedEntry()
			return cell{path: fmt.Sprintf("%s/assignments/%d/%d", stage, n.ID, f.users["micJudge"].ID)}
		}, "401 204 204 404 403 403 403 403 403"},
		{"POST", stageRoute + "/assignment-proposals", fixed(stage+"/assignment-proposals", map[string]any{"seed": 1}), "401 201 201 404 403 403 403 403 403"},
		{"POST", stageRoute + "/assignment-proposals/:proposal/apply", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/assignment-proposals/%d/apply", stage, f.proposal())}
		}, "401 200 200 404 403 403 403 403 403"},
		{"POST", stageRoute + "/assignment-proposals/:proposal/discard", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/assignment-proposals/%d/discard", stage, f.proposal())}
		}, "401 200 200 404 403 403 403 403 403"},
		{"GET", stageRoute + "/entries", fixed(stage+"/entries", nil), "401 200 200 404 200 200 404 403 403"},
		{"GET", stageRoute + "/entries/:id", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/entries/%d", stage, f.assigned)}
		}, "401 200 200 404 200 200 404 403 403"},
		{"GET", stageRoute + "/entries/:id/scores", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/entries/%d/scores", stage, f.assigned)}
		}, "401 200 200 404 200 200 404 403 403"},
		{"PUT", stageRoute + "/entries/:id/score", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/entries/%d/score", stage, f.assignedEntry().ID), body: map[string]any{"values": map[string]any{"adoption": 4}}}
		}, "401 403 403 403 404 200 404 403 403"},
		{"POST", stageRoute + "/entries/:id/recusal", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/entries/%d/recusal", stage, f.assignedEntry().ID), body: map[string]any{"reason": "取引先"}}
		}, "401 403 403 403 404 204 404 403 403"},
		{"POST", stageRoute + "/entries/:id/scores/:user/reopen", func(f *fixture, _ string) cell {
			n := f.submittedScore()
			return cell{path: fmt.Sprintf("%s/entries/%d/scores/%d/reopen", stage, n, f.users["micJudge"].ID), body: map[string]any{"reason": "記入誤りの申告"}}
		}, "401 200 200 404 200 403 403 403 403"},
		{"GET", stageRoute + "/entries/:id/score-history", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/entries/%d/score-history", stage, f.assigned)}
		}, "401 200 200 404 200 403 403 403 403"},
		{"GET", stageRoute + "/progress", fixed(stage+"/progress", nil), "401 200 200 404 200 403 403 403 403"},
		{"GET", stageRoute + "/ranking", fixed(stage+"/ranking", nil), "401 200 200 404 200 403 403 403 403"},
		{"POST", stageRoute + "/decisions/preview", fixed(stage+"/decisions/preview", map[string]any{"top_n": 1}), "401 200 200 404 200 403 403 403 403"},
		{"GET", stageRoute + "/sheets", fixed(stage+"/sheets", nil), "401 200 200 404 403 403 403 403 403"},
		{"GET", stageRoute + "/sheets/:user", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/sheets/%d", stage, f.users["micJudge"].ID)}
		}, "401 200 200 404 404 200 404 403 403"},
		{"POST", stageRoute + "/sheets/:user", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/sheets/%d", stage, f.users["micJudge"].ID), body: "this is not a workbook"}
		}, "401 422 422 404 404 422 404 403 403"},
		{"GET", stageRoute + "/results.xlsx", fixed(stage+"/results.xlsx", nil), "401 200 200 404 200 403 403 403 403"},
		// Applying decisions and releasing results change everything after them: they come last.
		{"POST", stageRoute + "/decisions", func(f *fixture, _ string) cell {
			spec := workflow.DecisionSpec{TopN: 1, Ties: workflow.TiesIncludeAll}
			pv, err := f.svc.PreviewDecision(f.ctx, admin, top100, spec)
			if err != nil {
				f.t.Fatal(err)
			}
			return cell{path: stage + "/decisions", body: map[string]any{"spec": map[string]any{"top_n": 1, "ties": "include_all"}, "fingerprint": pv.Fingerprint}}
		}, "401 201 201 404 403 403 403 403 403"},
		{"GET", v1 + "/cycles/:key/programmes/:programme/release", fixed(v1+"/cycles/fy2026-telework/programmes/mic-pioneer/release", nil),
			"401 200 200 404 403 403 403 403 403"},
		{"POST", v1 + "/cycles/:key/programmes/:programme/release", fixed(v1+"/cycles/fy2026-telework/programmes/mic-pioneer/release",
			map[string]any{"confirm_undecided": true, "reason": "審査中の応募は次回に持ち越し"}), "401 204 409 404 403 403 403 403 403"},
		{"GET", v1 + "/cycles/:key/programmes/:programme/windows", fixed(v1+"/cycles/fy2026-telework/programmes/mic-pioneer/windows", nil),
			"401 200 200 404 403 403 403 403 403"},
		{"PUT", v1 + "/cycles/:key/programmes/:programme/windows/call", fixed(v1+"/cycles/fy2026-telework/programmes/mic-pioneer/windows/call",
			map[string]any{"closes_at": "2027-01-15T17:00+09:00", "reason": "締切延長"}), "401 200 200 404 403 403 403 403 403"},
		{"PUT", stageRoute + "/window", fixed(stage+"/window", map[string]any{"closes_at": "2026-12-11T17:00", "reason": "審査期間の延長"}),
			"401 200 200 404 403 403 403 403 403"},
		{"POST", v1 + "/cycles/:key/programmes/:programme/publications", fixed(v1+"/cycles/fy2026-telework/programmes/mic-pioneer/publications",
			map[string]any{"embargo_at": "2026-08-01T10:00", "reason": "訂正"}), "401 201 201 404 403 403 403 403 403"},
		{"GET", v1 + "/cycles/:key/programmes/:programme/publications", fixed(v1+"/cycles/fy2026-telework/programmes/mic-pioneer/publications", nil),
			"401 200 200 404 403 403 403 403 403"},
		{"POST", v1 + "/cycles/:key/programmes/:programme/publications/:version/withdraw", func(f *fixture, _ string) cell {
			// A fresh scheduled version for every caller: withdraw it.
			p, err := f.svc.Publish(f.ctx, admin, top100.Cycle, top100.Programme, f.clock.Now().Add(24*time.Hour), "予定版")
			if err != nil {
				f.t.Fatal(err)
			}
			return cell{path: fmt.Sprintf("%s/cycles/fy2026-telework/programmes/mic-pioneer/publications/%d/withdraw", v1, p.Version),
				body: map[string]any{"reason": "誤記"}}
		}, "401 200 200 404 403 403 403 403 403"},
		{"GET", v1 + "/nominations/:id/public", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/nominations/%d/public", v1, f.assigned)}
		}, "401 200 200 404 403 403 403 403 403"},
		{"PATCH", v1 + "/nominations/:id/public", func(f *fixture, _ string) cell {
			return cell{path: fmt.Sprintf("%s/nominations/%d/public", v1, f.assigned), body: map[string]any{"municipality": "千代田区", "reason": "所在地の誤記"},
				headers: []string{"If-Match", strconv.Quote(strconv.Itoa(f.nomination(f.assigned).Version))}}
		}, "401 200 200 404 403 403 403 403 403"},
		{"GET", v1 + "/public/cycles/:key/awards", fixed(v1+"/public/cycles/fy2026-telework/awards?prefecture=13", nil), "200 200 200 200 200 200 200 200 200"},
		{"GET", v1 + "/public/cycles/:key/awards.csv", fixed(v1+"/public/cycles/fy2026-telework/awards.csv", nil), "200 200 200 200 200 200 200 200 200"},
		{"GET", v1 + "/public/cycles/:key/awards.xlsx", fixed(v1+"/public/cycles/fy2026-telework/awards.xlsx", nil), "200 200 200 200 200 200 200 200 200"},
		{"GET", v1 + "/public/cycles/:key/programmes/:programme/publications/:version",
			fixed(v1+"/public/cycles/fy2026-telework/programmes/mic-pioneer/publications/1", nil), "200 200 200 200 200 200 200 200 200"},
	}
}

// proposal makes a pending assignment proposal at the Top 100 stage.
func (f *fixture) proposal() int64 {
	f.t.Helper()
	f.stageEntry() // something to assign
	p, err := f.svc.Propose(f.ctx, admin, top100, 3, false)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.ID
}

// submittedScore is a fresh entry assigned to micJudge with micJudge's
// score submitted; it returns the entry's id.
func (f *fixture) submittedScore() int64 {
	f.t.Helper()
	n := f.assignedEntry()
	u := f.users["micJudge"]
	judge := workflow.Actor{ID: u.ActorID(), UserID: u.ID, Name: u.Name, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
	if _, err := f.svc.SaveScore(f.ctx, judge, top100, n.ID, 0, workflow.ScoreInput{Submit: true,
		Values: map[string]any{"adoption": 1, "management": 1, "security": 1, "outcomes": 1}}); err != nil {
		f.t.Fatal(err)
	}
	return n.ID
}

// freshUser creates an account with one grant.
func (f *fixture) freshUser(role workflow.Role, domain string) workflow.User {
	f.t.Helper()
	u, err := f.svc.CreateUser(f.ctx, admin, workflow.NewUser{Email: f.fresh("u") + "@test.example", Name: "新規", Password: "long enough password",
		Role: role, Domain: domain})
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// liveMHLW returns A's submitted MHLW nomination, submitting a new one if
// the last was withdrawn.
func (f *fixture) liveMHLW() workflow.Nomination {
	f.t.Helper()
	items, _, err := f.svc.Nominations(f.ctx, admin, workflow.NominationFilter{Programme: "mhlw-kagayaku", State: workflow.Submitted})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, it := range items {
		if it.Nomination.OrganisationID == f.orgA.ID {
			return it.Nomination
		}
	}
	return f.submitted(f.orgA, f.applicant("owner"), "mhlw-kagayaku")
}

// TestAuthorizationMatrix sends every route as every kind of caller:
// anonymous, each role, an applicant of another organisation, and the other
// ministry's secretariat and judge.
func TestAuthorizationMatrix(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		covered := map[string]bool{}
		for _, row := range matrixRows() {
			covered[row.method+" "+row.route] = true
			want := strings.Fields(row.want)
			if len(want) != len(who) {
				t.Fatalf("%s %s: %d expectations for %d callers", row.method, row.route, len(want), len(who))
			}
			for i, caller := range who {
				c := row.prepare(f, caller)
				headers := c.headers
				token := f.tokens[caller]
				for j := 0; j+1 < len(headers); j += 2 {
					if headers[j] == "Authorization" {
						token = strings.TrimPrefix(headers[j+1], "Bearer ")
					}
				}
				res := f.do(row.method, c.path, token, c.body, headers...)
				if strconv.Itoa(res.status) != want[i] {
					t.Errorf("%s %s as %s = %d, want %s: %s", row.method, c.path, caller, res.status, want[i], res.raw)
				}
			}
		}
		s := f.h.(interface{ Routes() gin.RoutesInfo })
		for _, r := range s.Routes() {
			if !covered[r.Method+" "+r.Path] {
				t.Errorf("route %s %s is not in the authorization matrix", r.Method, r.Path)
			}
		}
	})
}

// TestCrossMinistryChains follows chains of calls that once let one
// ministry's staff reach the other ministry's objects: invite a contact to
// an organisation, accept the invitation, read the organisation's
// nomination; grant a role to a user, read the user. Each organisation and
// user belongs to one ministry only, and every pair of callers and
// ministries is tried, the administrator's included (allowed: a deliberate
// act of the one role that sees everything).
func TestCrossMinistryChains(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		setup := workflow.Actor{ID: "setup", Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: "*"}}}
		programme := map[string]string{"mic": "mic-pioneer", "mhlw": "mhlw-kagayaku"}
		for _, tc := range []struct {
			caller, ministry     string // ministry: the only one the organisation has a nomination at
			invite, accept, read int
		}{
			{"micSec", "mhlw", 403, 0, 0},
			{"micSec", "mic", 403, 0, 0},
			{"mhlwSec", "mic", 403, 0, 0},
			{"mhlwSec", "mhlw", 403, 0, 0},
			{"admin", "mic", 201, 201, 200},
			{"admin", "mhlw", 201, 201, 200},
		} {
			o := f.organisation(f.fresh("株式会社連鎖"))
			n := f.submitted(o, setup, programme[tc.ministry])
			inv := f.do("POST", "/api/v1/invitations", f.tokens[tc.caller], map[string]any{"email": f.fresh("chain") + "@example.jp",
				"name": "担当者", "role": "applicant", "domain": "*", "organisation_id": o.ID})
			if inv.status != tc.invite {
				t.Errorf("%s invites a contact of a %s-only organisation = %d, want %d: %s", tc.caller, tc.ministry, inv.status, tc.invite, inv.raw)
			}
			if inv.status != 201 {
				continue
			}
			acc := f.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": inv.body["token"], "password": "a long and fresh secret"})
			if acc.status != tc.accept {
				t.Errorf("%s's invitation accepted = %d, want %d: %s", tc.caller, acc.status, tc.accept, acc.raw)
				continue
			}
			tok, _ := acc.body["token"].(string)
			if res := f.do("GET", fmt.Sprintf("/api/v1/nominations/%d", n.ID), tok, nil); res.status != tc.read {
				t.Errorf("the contact %s invited reads the %s nomination = %d, want %d", tc.caller, tc.ministry, res.status, tc.read)
			}
		}

		// An invitation a secretariat made before this was refused is void.
		o := f.organisation(f.fresh("株式会社旧招待"))
		n := f.submitted(o, setup, "mhlw-kagayaku")
		legacy := "afi_legacy-" + f.fresh("t")
		err := db.NewStore(f.db).InTx(f.ctx, func(tx workflow.Tx) error {
			now := f.clock.Now().UTC()
			return tx.InsertInvitation(f.ctx, &workflow.Invitation{Email: f.fresh("legacy") + "@example.jp", Name: "旧", Role: workflow.RoleApplicant,
				Domain: "*", OrganisationID: o.ID, TokenHash: workflow.HashToken(legacy), InvitedBy: f.users["micSec"].ActorID(),
				CreatedAt: now, ExpiresAt: now.Add(workflow.InvitationTTL)})
		})
		if err != nil {
			t.Fatal(err)
		}
		acc := f.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": legacy, "password": "a long and fresh secret"})
		if acc.status != 422 || !strings.Contains(acc.raw, `"void"`) {
			t.Errorf("a secretariat's old invitation accepted = %d: %s", acc.status, acc.raw)
		}
		if tok, _ := acc.body["token"].(string); tok != "" {
			if res := f.do("GET", fmt.Sprintf("/api/v1/nominations/%d", n.ID), tok, nil); res.status == 200 {
				t.Errorf("the MIC secretariat's contact read the MHLW nomination")
			}
		}

		// Nor may a secretariat bind a judge it invites to an organisation.
		if res := f.do("POST", "/api/v1/invitations", f.tokens["micSec"], map[string]any{"email": f.fresh("bound") + "@example.jp",
			"name": "審査員", "role": "judge", "domain": "mic", "organisation_id": o.ID}); res.status != 422 || !strings.Contains(res.raw, "not_allowed") {
			t.Errorf("a judge invited with an organisation = %d: %s", res.status, res.raw)
		}

		// Contacts: a contact invites to its own organisation; naming another is 404.
		for _, tc := range []struct {
			caller string
			org    workflow.Organisation
			want   int
		}{{"owner", f.orgA, 201}, {"owner", f.orgB, 404}, {"other", f.orgA, 404}, {"other", f.orgB, 201}} {
			res := f.do("POST", "/api/v1/invitations", f.tokens[tc.caller], map[string]any{"email": f.fresh("peer") + "@example.jp",
				"name": "同僚", "role": "applicant", "domain": "*", "organisation_id": tc.org.ID})
			if res.status != tc.want {
				t.Errorf("%s invites a contact of %s = %d, want %d: %s", tc.caller, tc.org.Name, res.status, tc.want, res.raw)
			}
		}

		// grant → read.
		for _, tc := range []struct {
			caller, userMinistry, domain string
			grant, read                  int
		}{
			{"micSec", "mhlw", "mic", 404, 404},
			{"micSec", "mhlw", "mhlw", 404, 404},
			{"micSec", "mic", "mhlw", 403, 200},
			{"micSec", "mic", "mic", 201, 200},
			{"mhlwSec", "mic", "mhlw", 404, 404},
			{"mhlwSec", "mic", "mic", 404, 404},
			{"mhlwSec", "mhlw", "mic", 403, 200},
			{"mhlwSec", "mhlw", "mhlw", 201, 200},
			{"admin", "mic", "mhlw", 201, 200},
			{"admin", "mhlw", "mic", 201, 200},
		} {
			u := f.freshUser(workflow.RoleJudge, tc.userMinistry)
			g := f.do("POST", fmt.Sprintf("/api/v1/users/%d/grants", u.ID), f.tokens[tc.caller], map[string]any{"role": "chair", "domain": tc.domain})
			if g.status != tc.grant {
				t.Errorf("%s grants chair in %s to a %s judge = %d, want %d: %s", tc.caller, tc.domain, tc.userMinistry, g.status, tc.grant, g.raw)
			}
			if res := f.do("GET", fmt.Sprintf("/api/v1/users/%d", u.ID), f.tokens[tc.caller], nil); res.status != tc.read {
				t.Errorf("%s then reads the %s judge = %d, want %d", tc.caller, tc.userMinistry, res.status, tc.read)
			}
		}

		// grant → read across: once a user also works for the caller's
		// ministry, the caller sees that user, but only the grants of its
		// own ministry (and global ones), never the other ministry's.
		for _, tc := range []struct{ caller, own, other string }{{"micSec", "mic", "mhlw"}, {"mhlwSec", "mhlw", "mic"}} {
			u := f.freshUser(workflow.RoleJudge, tc.other)
			if g := f.do("POST", fmt.Sprintf("/api/v1/users/%d/grants", u.ID), f.tokens["admin"], map[string]any{"role": "judge", "domain": tc.own}); g.status != 201 {
				t.Fatalf("admin grants judge in %s = %d: %s", tc.own, g.status, g.raw)
			}
			res := f.do("GET", fmt.Sprintf("/api/v1/users/%d", u.ID), f.tokens[tc.caller], nil)
			if res.status != 200 {
				t.Fatalf("%s reads a judge of both ministries = %d: %s", tc.caller, res.status, res.raw)
			}
			if strings.Contains(res.raw, `"domain":"`+tc.other+`"`) || !strings.Contains(res.raw, `"domain":"`+tc.own+`"`) {
				t.Errorf("%s sees the grants %s", tc.caller, res.raw)
			}
		}
	})
}
