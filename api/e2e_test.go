package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/password"
)

// client talks to a real HTTP server.
type client struct {
	t     *testing.T
	base  string
	token string
}

func (c *client) call(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	res := response{status: resp.StatusCode, header: resp.Header, raw: string(data)}
	_ = json.Unmarshal(data, &res.body)
	return res
}

func (c *client) must(want int, method, path string, body any, headers ...string) response {
	c.t.Helper()
	res := c.call(method, path, body, headers...)
	if res.status != want {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, res.status, want, res.raw)
	}
	return res
}

func ifMatch(r response) []string { return []string{"If-Match", r.header.Get("ETag")} }

// TestEndToEnd: over real HTTP, an applicant signs up, registers its
// organisation, drafts and submits; the secretariat screens and recognises
// it; another applicant cannot see it; a stale If-Match is refused; the
// history lists every step with its actor and reason.
func TestEndToEnd(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		f.clock.Set(callOpen)
		srv := httptest.NewServer(f.h)
		defer srv.Close()
		anon := &client{t: t, base: srv.URL}

		su := anon.must(201, "POST", "/api/v1/auth/signup", map[string]any{"email": "hr@sakura.example", "name": "人事 花子", "password": "sakura-telework-2026"})
		app := &client{t: t, base: srv.URL, token: su.body["token"].(string)}
		org := app.must(201, "POST", "/api/v1/organisations", map[string]any{"name": "株式会社さくら", "name_kana": "サクラ",
			"legal_form": "kabushiki_kaisha", "corporate_number": "４０１１００１０９８９９３", "prefecture": "13", "municipality": "千代田区",
			"industry": "G", "sme_sector": "services", "total_headcount": 120, "regular_headcount": 100, "capital": 30000000})
		if org.body["corporate_number"] != "4011001098993" {
			t.Fatalf("corporate number not normalised: %v", org.body["corporate_number"])
		}
		me := app.must(200, "GET", "/api/v1/me", nil)
		if me.body["organisation"] == nil {
			t.Fatalf("/me has no organisation: %s", me.raw)
		}

		draft := app.must(201, "POST", "/api/v1/nominations", map[string]any{"cycle": "fy2026-telework", "programme": "mic-pioneer"})
		id := draft.num("id")
		path := fmt.Sprintf("/api/v1/nominations/%d", id)
		edited := app.must(200, "PATCH", path, map[string]any{"answers": micAnswers}, ifMatch(draft)...)
		stale := app.call("PATCH", path, map[string]any{"answers": map[string]any{"outcomes": "上書き"}}, ifMatch(draft)...)
		if stale.status != 409 || stale.errorCode() != "conflict" {
			t.Fatalf("stale If-Match = %d %s", stale.status, stale.raw)
		}
		submitted := app.must(200, "POST", path+"/actions/submit", nil, ifMatch(edited)...)
		if submitted.body["state"] != "under_review" { // what the applicant sees until release
			t.Fatalf("after submit: %s", submitted.raw)
		}

		sec := &client{t: t, base: srv.URL}
		sec.token = sec.must(200, "POST", "/api/v1/auth/login", map[string]any{"email": "micSec@test.example", "password": "password-of-micSec"}).body["token"].(string)
		view := sec.must(200, "GET", path, nil)
		if view.body["eligibility"] == nil {
			t.Fatalf("the secretariat sees no eligibility verdict: %s", view.raw)
		}
		sec.must(200, "POST", path+"/actions/start_screening", map[string]any{"reason": "書類確認開始"})
		recognised := sec.must(200, "POST", path+"/actions/recognise", map[string]any{"reason": "要件を満たす"})
		if recognised.body["tier"] != "pioneer" {
			t.Fatalf("after recognise: %s", recognised.raw)
		}

		other := &client{t: t, base: srv.URL}
		other.token = other.must(200, "POST", "/api/v1/auth/login", map[string]any{"email": "other@test.example", "password": "password-of-other"}).body["token"].(string)
		if res := other.call("GET", path, nil); res.status != 404 {
			t.Fatalf("another applicant = %d", res.status)
		}
		if res := other.call("GET", path+"/history", nil); res.status != 404 {
			t.Fatalf("another applicant's history = %d", res.status)
		}

		mine := app.must(200, "GET", path, nil)
		if mine.body["state"] != "under_review" || mine.body["tier"] != nil || mine.body["eligibility"] != nil {
			t.Fatalf("the applicant sees a decision before release: %s", mine.raw)
		}

		hist := sec.must(200, "GET", path+"/history", nil)
		items := hist.body["items"].([]any)
		var steps []string
		for _, it := range items {
			h := it.(map[string]any)
			if h["actor_id"] == "" || h["role"] == "" || h["at"] == "" {
				t.Errorf("history entry without actor, role or time: %v", h)
			}
			steps = append(steps, fmt.Sprintf("%s/%s/%v", h["action"], h["role"], h["reason"]))
		}
		want := "create/applicant/<nil> submit/applicant/<nil> start_screening/secretariat/書類確認開始 recognise/secretariat/要件を満たす"
		if strings.Join(steps, " ") != want {
			t.Fatalf("history = %v\nwant %s", steps, want)
		}
		if mineHist := app.must(200, "GET", path+"/history", nil); len(mineHist.body["items"].([]any)) != 2 {
			t.Fatalf("the applicant's history shows staff steps before release: %s", mineHist.raw)
		}
		app.must(204, "POST", "/api/v1/auth/logout", nil)
		if res := app.call("GET", "/api/v1/me", nil); res.status != 401 {
			t.Fatalf("after logout = %d", res.status)
		}
	})
}

// TestRevokedRoleDeniedOnNextRequest: a revocation applies to the very
// next request, in this process and in another one sharing the database.
func TestRevokedRoleDeniedOnNextRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// A second server process over the same database, with its own enforcer.
		authz2, _ := policy.New()
		h2, err := NewHandler(Config{Service: f.svc, Authorizer: authz2, Logger: discard()})
		if err != nil {
			t.Fatal(err)
		}
		second := &fixture{t: t, h: h2}

		u := f.freshUser(workflow.RoleJudge, "mic")
		_, tok, err := f.svc.Login(f.ctx, u.Email, "long enough password")
		if err != nil {
			t.Fatal(err)
		}
		for _, fx := range []*fixture{f, second} {
			if res := fx.do("GET", "/api/v1/nominations", tok.Value, nil); res.status != 403 {
				t.Fatalf("a judge lists nominations: %d", res.status)
			}
		}
		g := f.do("POST", fmt.Sprintf("/api/v1/users/%d/grants", u.ID), f.tokens["micSec"], map[string]any{"role": "chair", "domain": "mic"})
		if g.status != 201 {
			t.Fatalf("grant: %s", g.raw)
		}
		sec := f.do("POST", "/api/v1/users/"+strconv.FormatInt(u.ID, 10)+"/grants", f.tokens["admin"], map[string]any{"role": "secretariat", "domain": "mic"})
		if sec.status != 201 {
			t.Fatalf("grant secretariat: %s", sec.raw)
		}
		for _, fx := range []*fixture{f, second} {
			if res := fx.do("GET", "/api/v1/nominations", tok.Value, nil); res.status != 200 {
				t.Fatalf("after the grant: %d %s", res.status, res.raw)
			}
		}
		if res := f.do("DELETE", fmt.Sprintf("/api/v1/grants/%d", sec.num("id")), f.tokens["admin"], nil); res.status != 200 {
			t.Fatalf("revoke: %s", res.raw)
		}
		for i, fx := range []*fixture{f, second} {
			if res := fx.do("GET", "/api/v1/nominations", tok.Value, nil); res.status != 403 {
				t.Fatalf("process %d, next request after revocation = %d", i+1, res.status)
			}
		}
	})
}

func TestErrorsAndLimits(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	tok := f.tokens["owner"]
	draft := fmt.Sprintf("/api/v1/nominations/%d", f.micDraft)
	current := f.do("GET", draft, tok, nil)
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
		code    string
		field   string
	}{
		{"malformed JSON", "POST", "/api/v1/auth/login", `{"email":`, nil, 400, "bad_request", ""},
		{"unknown field", "POST", "/api/v1/auth/login", `{"email":"a@b.jp","password":"x","admin":true}`, nil, 400, "bad_request", ""},
		{"two JSON values", "POST", "/api/v1/auth/login", `{"email":"a@b.jp","password":"x"}{}`, nil, 400, "bad_request", ""},
		{"NUL in a string", "POST", "/api/v1/auth/signup", `{"email":"a@b.jp","name":"a\u0000b","password":"long enough pw"}`, nil, 422, "invalid", "name"},
		{"control character in an answer", "PATCH", draft, `{"answers":{"outcomes":"a\u001bb"}}`, ifMatch(current), 422, "invalid", "answers.outcomes"},
		{"body too large", "POST", "/api/v1/auth/login", `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, nil, 413, "payload_too_large", ""},
		{"no If-Match", "PATCH", draft, `{"answers":{}}`, nil, 428, "precondition_required", ""},
		{"bad If-Match", "PATCH", draft, `{"answers":{}}`, []string{"If-Match", "yesterday"}, 400, "bad_request", ""},
		{"validation", "PATCH", draft, `{"answers":{"eligible_staff":"many"}}`, ifMatch(current), 422, "invalid", "answers.eligible_staff"},
		{"unknown action", "POST", draft + "/actions/promote", nil, nil, 404, "not_found", ""},
		{"illegal transition", "POST", draft + "/actions/resubmit", nil, nil, 409, "illegal_transition", ""},
		{"bad id", "GET", "/api/v1/nominations/abc", nil, nil, 404, "not_found", ""},
		{"bad due date", "POST", draft + "/actions/withdraw", `{"due":"soon"}`, nil, 422, "invalid", "due"},
		{"bad token", "GET", "/api/v1/me", nil, []string{"Authorization", "Bearer afs_forged"}, 401, "unauthenticated", ""},
		{"not a bearer", "GET", "/api/v1/me", nil, []string{"Authorization", "Basic abc"}, 401, "unauthenticated", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := tok
			for i := 0; i+1 < len(tc.headers); i += 2 {
				if tc.headers[i] == "Authorization" {
					token = ""
				}
			}
			res := f.do(tc.method, tc.path, token, tc.body, tc.headers...)
			if res.status != tc.status || res.errorCode() != tc.code {
				t.Fatalf("= %d %s, want %d %s", res.status, res.raw[:min(len(res.raw), 300)], tc.status, tc.code)
			}
			e := res.body["error"].(map[string]any)
			if e["request_id"] == "" || e["message"] == "" {
				t.Fatalf("error without request id or message: %s", res.raw)
			}
			if tc.field != "" {
				fields, _ := e["fields"].([]any)
				if len(fields) == 0 || fields[0].(map[string]any)["path"] != tc.field {
					t.Fatalf("fields = %v, want %s", fields, tc.field)
				}
			}
		})
	}
	if after := f.do("GET", draft, tok, nil); after.header.Get("ETag") != current.header.Get("ETag") {
		t.Fatalf("a refused request changed the nomination: %s → %s", current.header.Get("ETag"), after.header.Get("ETag"))
	}
}

func TestLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	f.clock.Set(callOpen)
	path := fmt.Sprintf("/api/v1/nominations/%d/actions/submit", f.micDraft)
	ja := f.do("POST", path, f.tokens["owner"], nil)
	en := f.do("POST", path, f.tokens["owner"], nil, "Accept-Language", "en-GB,en;q=0.9,ja;q=0.5")
	jaField := ja.body["error"].(map[string]any)["fields"].([]any)[0].(map[string]any)["message"]
	enField := en.body["error"].(map[string]any)["fields"].([]any)[0].(map[string]any)["message"]
	if ja.body["error"].(map[string]any)["message"] != "入力内容に誤りがあります" || jaField != "必須項目です" {
		t.Fatalf("Japanese by default: %s", ja.raw)
	}
	if enField != "is required" || strings.ContainsAny(en.body["error"].(map[string]any)["message"].(string), "入力") {
		t.Fatalf("English on request: %s", en.raw)
	}
}

// TestLoginThrottle: the limits are kept in the database, so they hold
// across server processes and restarts, count the account however its
// email is spelt, and hold under concurrent attempts.
func TestLoginThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// A second server process, with its own service and enforcer, over the same database.
		second := func() *fixture {
			svc := workflow.NewService(db.NewStore(d), f.clock.Now, workflow.WithPasswordParams(password.Params{Memory: 64, Time: 1, Threads: 1}), workflow.WithAuthorizer(policy.MustNew()))
			authz, _ := policy.New()
			h, err := NewHandler(Config{Service: svc, Authorizer: authz, Logger: discard()})
			if err != nil {
				t.Fatal(err)
			}
			return &fixture{t: t, h: h}
		}
		servers := []*fixture{f, second()}
		login := func(fx *fixture, email, pw string) response {
			return fx.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": pw})
		}
		// Each spelling of the one account, alternating between the servers.
		spellings := []string{"owner@test.example", "OWNER@test.example", " owner@test.example ", "ｏｗｎｅｒ@ｔｅｓｔ.ｅｘａｍｐｌｅ", "Owner@Test.Example"}
		for i, e := range spellings[:workflow.MaxAccountFailures] {
			if res := login(servers[i%2], e, "wrong password"); res.status != 401 {
				t.Fatalf("failure %d (%q) = %d", i+1, e, res.status)
			}
		}
		for i, e := range spellings {
			res := login(servers[i%2], e, "password-of-owner")
			if res.status != 429 || res.header.Get("Retry-After") == "" || res.errorCode() != "too_many_requests" {
				t.Fatalf("after %d failures, %q = %d (Retry-After %q): %s", workflow.MaxAccountFailures, e, res.status, res.header.Get("Retry-After"), res.raw)
			}
		}
		// A restarted process still refuses.
		if res := login(second(), "owner@test.example", "password-of-owner"); res.status != 429 {
			t.Fatalf("after a restart = %d", res.status)
		}
		// Another account from the same address is not blocked yet.
		if res := login(servers[1], "other@test.example", "password-of-other"); res.status != 200 {
			t.Fatalf("another account = %d", res.status)
		}
		f.clock.Add(workflow.ThrottleWindow)
		if res := login(servers[1], "owner@test.example", "password-of-owner"); res.status != 200 {
			t.Fatalf("after the window = %d %s", res.status, res.raw)
		}

		// Concurrent wrong attempts on both servers: exactly the limit is checked.
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			counts = map[int]int{}
		)
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := login(servers[i%2], spellings[i%len(spellings)], "wrong password")
				mu.Lock()
				counts[res.status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if counts[401] != workflow.MaxAccountFailures || counts[429] != 12-workflow.MaxAccountFailures {
			t.Fatalf("12 concurrent wrong logins: %v, want %d checked (401) and the rest 429", counts, workflow.MaxAccountFailures)
		}

		// Per address: many accounts failing from one address.
		f.clock.Add(workflow.ThrottleWindow)
		for i := range workflow.MaxAddressFailures {
			login(servers[i%2], fmt.Sprintf("spray%d@example.jp", i), "x")
		}
		if res := login(servers[0], "other@test.example", "password-of-other"); res.status != 429 {
			t.Fatalf("address throttle = %d", res.status)
		}
	})
}
