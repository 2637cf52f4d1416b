package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/password"
)

// rowsIn counts a table's rows: the tests' way to see that a refused post
// wrote nothing.
func (ts *testSite) rowsIn(table string) int {
	ts.t.Helper()
	n, err := ts.d.Bun.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		ts.t.Fatal(err)
	}
	return int(n)
}

// grantOf is the id of a demo account's active grant of role in domain.
func (ts *testSite) grantOf(key string, role workflow.Role, domain string) int64 {
	ts.t.Helper()
	v, err := ts.svc.User(context.Background(), testAdmin, ts.userID(key))
	if err != nil {
		ts.t.Fatal(err)
	}
	for _, g := range v.Grants {
		if g.Role == role && g.Domain == domain && g.Active() {
			return g.ID
		}
	}
	ts.t.Fatalf("%s holds no active %s grant in %s", key, role, domain)
	return 0
}

// errorUnder is the error text shown under the field with that id.
func errorUnder(r *response, id string) string {
	if n := byID(r, id+"-error"); n != nil {
		return text(n)
	}
	return ""
}

func TestAdminPagesByRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		micJudge, mhlwJudge := adminUserPath(ts.userID("mic-judge-1"), ""), adminUserPath(ts.userID("mhlw-judge-1"), "")
		clients := map[string]*client{}
		for _, k := range roles {
			clients[k] = ts.as(k)
		}
		staffOnly := map[string]int{"anon": 303, "applicant": 403, "mic-judge-1": 403, "mhlw-judge-1": 403, "mic-chair": 403,
			"mic-secretariat": 200, "mhlw-secretariat": 200, "admin": 200}
		everyone := map[string]int{"anon": 303, "applicant": 200, "mic-judge-1": 200, "mhlw-judge-1": 200, "mic-chair": 200,
			"mic-secretariat": 200, "mhlw-secretariat": 200, "admin": 200}
		with := func(m map[string]int, k string, st int) map[string]int {
			out := map[string]int{}
			for a, b := range m {
				out[a] = b
			}
			out[k] = st
			return out
		}
		for _, tc := range []struct {
			path string
			want map[string]int
		}{
			{"/admin/users", staffOnly},
			{"/admin/users?role=judge&domain=mic", staffOnly},
			// A secretariat sees the users of its own ministry only.
			{micJudge, with(staffOnly, "mhlw-secretariat", 404)},
			{mhlwJudge, with(staffOnly, "mic-secretariat", 404)},
			{"/admin/users/999999", with(with(with(staffOnly, "mic-secretariat", 404), "mhlw-secretariat", 404), "admin", 404)},
			{"/admin/users/abc", with(with(with(staffOnly, "mic-secretariat", 404), "mhlw-secretariat", 404), "admin", 404)},
			// Invitation: applicant contacts may invite colleagues (policy), judges not.
			{"/admin/invitations", with(staffOnly, "applicant", 200)},
			{"/admin/cycles", everyone},
			{"/admin/cycles/demo-telework", everyone},
		} {
			for _, who := range roles {
				t.Run(tc.path+" as "+who, func(t *testing.T) {
					want := tc.want[who]
					r := clients[who].get(tc.path)
					if r.status != want {
						t.Fatalf("%d, want %d", r.status, want)
					}
					if r.status != http.StatusSeeOther {
						checkPage(t, r, "ja")
					}
				})
			}
		}
		t.Run("navigation", func(t *testing.T) {
			for who, want := range map[string]bool{"admin": true, "mic-secretariat": true, "applicant": false, "mic-judge-1": false} {
				r := clients[who].get("/me")
				if got := strings.Contains(r.body, `href="/admin/users"`); got != want {
					t.Errorf("%s: 管理 in the navigation = %v, want %v", who, got, want)
				}
			}
		})
	})
}

// cheapService creates accounts on the test site's database quickly (the
// site's own service hashes passwords at full cost).
func (ts *testSite) cheapService() *workflow.Service {
	return workflow.NewService(db.NewStore(ts.d), ts.clock.Now, workflow.WithAuthorizer(ts.authz),
		workflow.WithPasswordParams(password.Params{Memory: 64, Time: 1, Threads: 1}))
}

func TestAdminUsersList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		admin, mic, mhlw := ts.as("admin"), ts.as("mic-secretariat"), ts.as("mhlw-secretariat")
		count := func(r *response) string { return text(byID(r, "result-count")) }
		for _, tc := range []struct {
			name, path string
			c          *client
			want       []string // texts the page shows
			not        []string // texts it must not show
		}{
			{"admin, everyone", "/admin/users", admin, []string{"デモ管理者", "応募担当(デモ)", "審査員(デモ・厚労省)"}, nil},
			{"admin, text", "/admin/users?q=mhlw-judge%40", admin, []string{"審査員(デモ・厚労省)", "条件に合うユーザー：1人"}, []string{"審査員(デモ・総務省)"}},
			{"admin, MHLW judges", "/admin/users?role=judge&domain=mhlw", admin, []string{"審査員(デモ・厚労省)"}, []string{"審査員(デモ・総務省)", "審査委員長("}},
			{"admin, chairs anywhere", "/admin/users?role=chair", admin, []string{"審査委員長(デモ・総務省)", "審査委員長(デモ・厚労省)", "条件に合うユーザー：2人"}, []string{"審査員(デモ"}},
			{"MIC, its own", "/admin/users", mic, []string{"審査員(デモ・総務省)", "審査委員長(デモ・総務省)"}, []string{"(デモ・厚労省)"}},
			{"MIC asks for MHLW: nothing", "/admin/users?domain=mhlw", mic, []string{"条件に合うユーザー：0人"}, []string{"(デモ・厚労省)"}},
			{"MHLW, its own", "/admin/users?role=judge", mhlw, []string{"審査員(デモ・厚労省)"}, []string{"(デモ・総務省)"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.get(tc.path)
				if r.status != 200 {
					t.Fatalf("%d", r.status)
				}
				checkPage(t, r, "ja")
				main := text(byID(r, "main"))
				for _, w := range tc.want {
					if !strings.Contains(main, w) {
						t.Errorf("no %q on the page (count: %s)", w, count(r))
					}
				}
				for _, w := range tc.not {
					if strings.Contains(main, w) {
						t.Errorf("%q on the page", w)
					}
				}
			})
		}
		t.Run("the filters stay in the form", func(t *testing.T) {
			r := admin.get("/admin/users?q=judge&role=judge&domain=mic")
			if fieldValue(r, "q") != "judge" || !strings.Contains(r.body, `<option value="judge" selected>`) || !strings.Contains(r.body, `<option value="mic" selected>`) {
				t.Errorf("the filter form lost what was asked")
			}
		})
		t.Run("an unknown role: an error under the field, the text kept", func(t *testing.T) {
			r := admin.get("/admin/users?q=abc&role=boss")
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(errorUnder(r, "f-role"), "不明な役割") || fieldValue(r, "q") != "abc" {
				t.Fatalf("%d, role error %q, q %q", r.status, errorUnder(r, "f-role"), fieldValue(r, "q"))
			}
			checkPage(t, r, "ja")
		})
		t.Run("pages of 50 by cursor, the filters kept", func(t *testing.T) {
			svc := ts.cheapService()
			for i := range 60 {
				if _, err := svc.CreateUser(context.Background(), testAdmin, workflow.NewUser{Email: fmt.Sprintf("bulk-%02d@example.jp", i),
					Name: fmt.Sprintf("一括 %02d", i), Password: "correct horse battery", Role: workflow.RoleJudge, Domain: "meti"}); err != nil {
					t.Fatal(err)
				}
			}
			r := admin.get("/admin/users?domain=meti")
			if !strings.Contains(count(r), "60人") || !strings.Contains(r.body, "一括 49") || strings.Contains(r.body, "一括 50") {
				t.Fatalf("first page: %s", count(r))
			}
			next := find(r.doc, func(n *html.Node) bool { return attr(n, "rel") == "next" })
			if len(next) != 1 || !strings.Contains(attr(next[0], "href"), "domain=meti") {
				t.Fatal("no next link keeping the filter")
			}
			r = admin.get(attr(next[0], "href"))
			if r.status != 200 || !strings.Contains(r.body, "一括 50") || !strings.Contains(r.body, "一括 59") || strings.Contains(r.body, "一括 49") {
				t.Fatalf("second page: %d", r.status)
			}
			if strings.Contains(r.body, `rel="next"`) || !strings.Contains(r.body, "最初のページへ") {
				t.Error("the last page offers a next page, or no way back")
			}
			checkPage(t, r, "ja")
		})
	})
}

func TestAdminGrantAndRevoke(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		admin, mic, mhlw := ts.as("admin"), ts.as("mic-secretariat"), ts.as("mhlw-secretariat")
		judge := ts.userID("mic-judge-1")
		grants := adminUserPath(judge, "/grants")

		// Refusals: the page says why, under the field, keeps what was
		// chosen, and nothing is written.
		for _, tc := range []struct {
			name         string
			c            *client
			path         string
			role, domain string
			status       int
			field, says  string
		}{
			{"MIC grants an MHLW role", mic, grants, "judge", "mhlw", 403, "f-domain", "厚生労働省の「審査員」を付与する権限がありません"},
			{"MIC grants admin", mic, grants, "admin", "*", 403, "f-domain", "「管理者」を付与する権限がありません"},
			{"a role the user holds", admin, grants, "judge", "mic", 409, "f-domain", ""},
			{"an unknown role", admin, grants, "boss", "mic", 422, "f-role", "不明な役割"},
			{"nothing chosen", admin, grants, "", "", 422, "f-role", "役割を選んでください"},
			{"admin in a ministry", admin, grants, "admin", "mic", 422, "f-domain", "この役割のドメインは * です"},
			{"staff role to an applicant", admin, adminUserPath(ts.userID("applicant"), "/grants"), "judge", "mic", 409, "f-domain", "応募者のアカウントに職員の役割は付与できません"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := ts.rowsIn("role_grants")
				r := tc.c.post(tc.path, url.Values{"role": {tc.role}, "domain": {tc.domain}})
				if r.status != tc.status {
					t.Fatalf("%d, want %d", r.status, tc.status)
				}
				checkPage(t, r, "ja")
				if got := errorUnder(r, tc.field); got == "" || !strings.Contains(got, tc.says) {
					t.Errorf("under %s: %q, want %q", tc.field, got, tc.says)
				}
				if !strings.Contains(r.body, `<option value="`+tc.role+`" selected>`) || !strings.Contains(r.body, `<option value="`+tc.domain+`" selected>`) {
					t.Error("the form lost what was chosen")
				}
				if n := ts.rowsIn("role_grants"); n != before {
					t.Errorf("%d grants written", n-before)
				}
			})
		}
		t.Run("MHLW cannot reach a MIC user at all", func(t *testing.T) {
			before := ts.rowsIn("role_grants")
			r := mhlw.post(grants, url.Values{"role": {"judge"}, "domain": {"mhlw"}})
			if r.status != 404 || strings.Contains(r.body, "審査員(デモ・総務省)") || ts.rowsIn("role_grants") != before {
				t.Fatalf("%d", r.status)
			}
		})
		t.Run("a secretariat is offered its own ministry only", func(t *testing.T) {
			r := mic.get(adminUserPath(judge, ""))
			if !strings.Contains(r.body, `<option value="mic"`) || strings.Contains(r.body, `<option value="mhlw"`) || strings.Contains(r.body, `<option value="admin"`) {
				t.Error("the grant form offers what MIC's secretariat may not give")
			}
		})

		// Grant, then revoke through the confirmation page.
		r := mic.post(grants, url.Values{"role": {"chair"}, "domain": {"mic"}})
		if r.status != 303 || r.header.Get("Location") != adminUserPath(judge, "") {
			t.Fatalf("grant: %d %s", r.status, r.header.Get("Location"))
		}
		r = mic.get(adminUserPath(judge, ""))
		if !strings.Contains(r.body, "役割を付与しました") || !strings.Contains(text(byID(r, "main")), "委員長 総務省") ||
			!strings.Contains(text(byID(r, "main")), "（操作：総務省事務局(デモ)）") || !strings.Contains(text(byID(r, "main")), "（操作：コマンドライン操作（test））") {
			t.Fatalf("the grant is not on the user's page")
		}
		g := ts.grantOf("mic-judge-1", workflow.RoleChair, "mic")
		revoke := adminUserPath(judge, "/grants/"+strconv.FormatInt(g, 10)+"/revoke")
		if !strings.Contains(r.body, `href="`+revoke+`"`) {
			t.Fatal("no revoke link")
		}
		for _, tc := range []struct {
			name   string
			c      *client
			path   string
			form   url.Values
			status int
		}{
			{"the confirmation page", mic, revoke, nil, 200},
			{"a post without the confirmation", mic, revoke, url.Values{}, 200},
			{"MHLW", mhlw, revoke, url.Values{"confirm": {"yes"}}, 404},
			{"through another user's path", mic, adminUserPath(ts.userID("mic-chair"), "/grants/"+strconv.FormatInt(g, 10)+"/revoke"), url.Values{"confirm": {"yes"}}, 404},
			{"an applicant", ts.as("applicant"), revoke, url.Values{"confirm": {"yes"}}, 403},
			{"a judge", ts.as("mic-judge-1"), revoke, url.Values{"confirm": {"yes"}}, 403},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var r *response
				if tc.form == nil {
					r = tc.c.get(tc.path)
				} else {
					r = tc.c.post(tc.path, tc.form)
				}
				if r.status != tc.status {
					t.Fatalf("%d, want %d", r.status, tc.status)
				}
				if r.status == 200 && !strings.Contains(r.body, "総務省の委員長」を取り消します") {
					t.Error("the confirmation page does not say what is revoked")
				}
				if ts.grantOf("mic-judge-1", workflow.RoleChair, "mic") != g {
					t.Fatal("revoked without the confirmation")
				}
			})
		}
		r = mic.post(revoke, url.Values{"confirm": {"yes"}})
		if r.status != 303 {
			t.Fatalf("revoke: %d", r.status)
		}
		r = mic.get(adminUserPath(judge, ""))
		if !strings.Contains(r.body, "役割を取り消しました") || !strings.Contains(text(byID(r, "grant-"+strconv.FormatInt(g, 10))), "取り消し済み") {
			t.Error("the revoked grant is not shown as revoked")
		}
		if r := mic.post(revoke, url.Values{"confirm": {"yes"}}); r.status != 200 || !strings.Contains(r.body, "すでに取り消されています") {
			t.Errorf("revoking twice: %d", r.status)
		}

		t.Run("an administrator's own last admin grant", func(t *testing.T) {
			own := ts.grantOf("admin", workflow.RoleAdmin, workflow.AnyDomain)
			r := admin.post(adminUserPath(ts.userID("admin"), "/grants/"+strconv.FormatInt(own, 10)+"/revoke"), url.Values{"confirm": {"yes"}})
			if r.status != 409 || !strings.Contains(text(byID(r, "form-errors")), "自分に残っている最後の管理者の役割は取り消せません") {
				t.Fatalf("%d: %s", r.status, text(byID(r, "main")))
			}
			checkPage(t, r, "ja")
			if ts.grantOf("admin", workflow.RoleAdmin, workflow.AnyDomain) != own {
				t.Fatal("revoked")
			}
		})
	})
}

func TestAdminInvitations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		admin, mic := ts.as("admin"), ts.as("mic-secretariat")
		form := func(role, domain string) url.Values {
			return url.Values{"email": {"new-judge@example.jp"}, "name": {"新任 審査員"}, "role": {role}, "domain": {domain}, "language": {"ja"}}
		}
		t.Run("the panel page's prefill", func(t *testing.T) {
			r := mic.get("/admin/invitations?role=judge&domain=mic")
			if !strings.Contains(r.body, `<option value="judge" selected>`) || !strings.Contains(r.body, `<option value="mic" selected>`) {
				t.Error("role and domain not prefilled")
			}
			if strings.Contains(r.body, `<option value="mhlw"`) || strings.Contains(r.body, `<option value="secretariat"`) {
				t.Error("MIC's secretariat is offered what it may not invite")
			}
			if !strings.Contains(r.body, "メールは自動では送信されません") && !strings.Contains(r.body, "招待メールは自動では送信されません") {
				t.Error("the page does not say that no mail is sent")
			}
		})
		for _, tc := range []struct {
			name   string
			c      *client
			form   url.Values
			status int
			field  string
			says   string
		}{
			{"MIC invites an MHLW judge", mic, form("judge", "mhlw"), 403, "f-domain", "厚生労働省の「審査員」を招待する権限がありません"},
			{"MIC invites a secretariat", mic, form("secretariat", "mic"), 403, "f-domain", "総務省の「事務局」を招待する権限がありません"},
			{"an email with an account", admin, url.Values{"email": {ts.accounts["mic-judge-1"].Email}, "name": {"重複"}, "role": {"judge"}, "domain": {"mic"}, "language": {"ja"}}, 409, "f-email", "すでにアカウントを持っています"},
			{"a bad email", admin, url.Values{"email": {"not-an-email"}, "name": {"新任"}, "role": {"judge"}, "domain": {"mic"}, "language": {"ja"}}, 422, "f-email", "メールアドレスが正しくありません"},
			{"no name", admin, url.Values{"email": {"x@example.jp"}, "role": {"judge"}, "domain": {"mic"}, "language": {"ja"}}, 422, "f-name", "氏名を入力してください"},
			{"a judge for all", admin, form("judge", "*"), 422, "f-domain", "ドメインは省庁"},
			{"no role chosen", admin, form("", "mic"), 422, "f-role", "役割を選んでください"},
			{"no language", admin, url.Values{"email": {"x@example.jp"}, "name": {"新任"}, "role": {"judge"}, "domain": {"mic"}}, 422, "f-language", "言語を選んでください"},
			{"an applicant without organisation", admin, form("applicant", "*"), 422, "f-organisation-id", "組織を指定してください"},
			{"an organisation in letters", admin, url.Values{"email": {"x@example.jp"}, "name": {"新任"}, "role": {"applicant"}, "domain": {"*"}, "language": {"ja"}, "organisation_id": {"abc"}}, 422, "f-organisation-id", "数字で入力"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := ts.rowsIn("invitations")
				r := tc.c.post("/admin/invitations", tc.form)
				if r.status != tc.status {
					t.Fatalf("%d, want %d: %s", r.status, tc.status, text(byID(r, "form-errors")))
				}
				checkPage(t, r, "ja")
				if got := errorUnder(r, tc.field); !strings.Contains(got, tc.says) || got == "" {
					t.Errorf("under %s: %q, want %q", tc.field, got, tc.says)
				}
				if fieldValue(r, "email") != tc.form.Get("email") || fieldValue(r, "name") != tc.form.Get("name") {
					t.Error("the typed email or name is lost")
				}
				if tc.form.Get("domain") != "" && !strings.Contains(r.body, `<option value="`+tc.form.Get("domain")+`" selected>`) {
					t.Error("the chosen domain is lost")
				}
				if n := ts.rowsIn("invitations"); n != before {
					t.Errorf("%d invitations written", n-before)
				}
			})
		}
		t.Run("the link, its expiry, and the invited person sets a password", func(t *testing.T) {
			r := mic.post("/admin/invitations", url.Values{"email": {"ＮＥＷ-judge@example.jp"}, "name": {"新任 審査員"}, "role": {"judge"}, "domain": {"mic"}, "language": {"en"}})
			if r.status != http.StatusCreated {
				t.Fatalf("%d: %s", r.status, text(byID(r, "form-errors")))
			}
			checkPage(t, r, "ja")
			link := attr(byID(r, "invite-link"), "value")
			if !strings.HasPrefix(link, ts.srv.URL+"/invite/afi_") || !strings.HasSuffix(link, "?lang=en") {
				t.Fatalf("link %q", link)
			}
			main := text(byID(r, "main"))
			// demoDay is 令和8年12月3日(木) 10:00; invitations last 7 days.
			for _, w := range []string{"令和8年12月10日(木) 10:00まで", "メールはまだ送信されません", "総務省", "審査員"} {
				if !strings.Contains(main, w) {
					t.Errorf("the result page does not say %q: %s", w, main)
				}
			}
			if strings.Contains(r.body, "<script>") {
				t.Error("inline script")
			}
			invitee := ts.client()
			path := strings.TrimPrefix(link, ts.srv.URL)
			if r := invitee.get(path); r.status != 200 || !strings.Contains(r.body, `lang="en"`) {
				t.Fatalf("the invitation page: %d", r.status)
			}
			const pw = "a brand new judge password"
			r = invitee.post(path, url.Values{"password": {pw}, "password_again": {pw}})
			if r.status != 303 {
				t.Fatalf("accepting: %d %s", r.status, text(byID(r, "form-errors")))
			}
			u, _, err := ts.svc.Login(context.Background(), "new-judge@example.jp", pw)
			if err != nil || u.Locale != "en" {
				t.Fatalf("the invited account: %+v %v", u, err)
			}
			v, err := ts.svc.User(context.Background(), testAdmin, u.ID)
			if err != nil || len(v.Grants) != 1 || v.Grants[0].Role != workflow.RoleJudge || v.Grants[0].Domain != "mic" {
				t.Fatalf("the invited account's grants: %+v %v", v.Grants, err)
			}
		})
		t.Run("an applicant contact: its organisation filled in", func(t *testing.T) {
			r := ts.as("applicant").get("/admin/invitations")
			if fieldValue(r, "organisation_id") != strconv.FormatInt(ts.demoActor("applicant").OrganisationID, 10) ||
				!strings.Contains(r.body, `<option value="applicant"`) || strings.Contains(r.body, `<option value="judge"`) {
				t.Error("the applicant's invitation form")
			}
		})
		t.Run("English", func(t *testing.T) {
			r := admin.get("/admin/invitations?lang=en")
			checkPage(t, r, "en")
			if !strings.Contains(r.body, "Invitation emails are not sent yet") {
				t.Error("no English notice")
			}
		})
	})
}

func TestAdminCycles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		admin := ts.as("admin")
		r := admin.get("/admin/cycles")
		checkPage(t, r, "ja")
		if !strings.Contains(r.body, `href="/admin/cycles/demo-telework"`) || !strings.Contains(text(byID(r, "main")), "令和8年度") {
			t.Fatalf("the list: %s", text(byID(r, "main")))
		}
		cv, err := ts.svc.Cycle(context.Background(), "demo-telework")
		if err != nil {
			t.Fatal(err)
		}
		r = admin.get("/admin/cycles/demo-telework")
		checkPage(t, r, "ja")
		main := text(byID(r, "main"))
		want := []string{cv.Hash, "第" + strconv.Itoa(cv.Version) + "版", "総務省", "厚生労働省"}
		for _, p := range cv.Cycle.Programmes {
			want = append(want, p.Title.Ja, fmt.Sprintf("設問%d問", len(p.Form.Fields)), workflow.WarekiTime(p.Call.Opens))
			for _, st := range p.Stages {
				want = append(want, "審査段階："+st.Title.Ja)
				if st.Judging != nil {
					for _, cr := range st.Judging.Rubric {
						want = append(want, cr.Label.Ja)
					}
				}
			}
		}
		for _, w := range want {
			if !strings.Contains(main, w) {
				t.Errorf("the cycle page does not show %q", w)
			}
		}
		if r := admin.get("/admin/cycles/no-such"); r.status != 404 {
			t.Errorf("an unknown cycle: %d", r.status)
		}
		if r := admin.get("/admin/cycles/demo-telework?lang=en"); !strings.Contains(r.body, "Stage:") {
			t.Error("no English")
		} else {
			checkPage(t, r, "en")
		}
	})
}
