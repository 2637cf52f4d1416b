package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awardflow/awardflow/api"
	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// liveAPI is the real API handler over d on a clock the test sets.
type liveAPI struct {
	t   *testing.T
	h   http.Handler
	mu  sync.Mutex
	now time.Time
}

func (a *liveAPI) clock() time.Time { a.mu.Lock(); defer a.mu.Unlock(); return a.now }

func (a *liveAPI) do(method, path, token string, body any, headers ...string) (int, map[string]any, string) {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, req)
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return w.Code, m, w.Body.String()
}

// must sends a request and fails the test unless the status is want.
func (a *liveAPI) must(want int, method, path, token string, body any, headers ...string) map[string]any {
	a.t.Helper()
	code, m, raw := a.do(method, path, token, body, headers...)
	if code != want {
		a.t.Fatalf("%s %s = %d, want %d: %s", method, path, code, want, raw)
	}
	return m
}

func items(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

var printedAccount = regexp.MustCompile(`(?m)^  (\w+)\s+(\S+)\s+(\S+@demo\.awardflow\.example)\s+(\S+)$`)

// TestDemoIsALiveYear: whatever the date, `serve --demo` is a year in
// which every printed account can do its whole job at once: the applicant
// submits its draft, judges of both ministries score, chairs read the
// ranking, the secretariats assign, decide, release (MHLW, whose call has
// closed) and publish, and reopen a closed window and use it.
func TestDemoIsALiveYear(t *testing.T) {
	for _, day := range []time.Time{
		time.Date(2026, 11, 29, 10, 0, 0, 0, workflow.Tokyo),
		time.Date(2027, 3, 31, 10, 0, 0, 0, workflow.Tokyo), // the fiscal year's last day: MIC's call closes with it
		time.Date(2027, 4, 3, 9, 0, 0, 0, workflow.Tokyo),   // days into a fiscal year: MHLW's call closed as it began
		time.Date(2027, 6, 15, 10, 0, 0, 0, workflow.Tokyo),
	} {
		t.Run(day.Format("2006-01-02"), func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) { demoYear(t, d, day) })
		})
	}
}

func demoYear(t *testing.T, d *db.DB, day time.Time) {
	ctx := context.Background()
	var out bytes.Buffer
	if _, err := demo.Load(ctx, d, day, cliActor(env("USER", "tester")), &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	a := &liveAPI{t: t, now: day}
	authz, err := policy.New()
	if err != nil {
		t.Fatal(err)
	}
	svc := workflow.NewService(db.NewStore(d), a.clock, workflow.WithSheetKey(bytes.Repeat([]byte("k"), 32)), workflow.WithAuthorizer(authz))
	if a.h, err = api.NewHandler(api.Config{Service: svc, Authorizer: authz, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready: func(context.Context) error { return nil }}); err != nil {
		t.Fatal(err)
	}

	// Every printed account signs in.
	tok := map[string]string{}
	for _, m := range printedAccount.FindAllStringSubmatch(out.String(), -1) {
		login := a.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": m[3], "password": m[4]})
		tok[strings.TrimSuffix(m[3], "@demo.awardflow.example")] = login["token"].(string)
	}
	for _, who := range []string{"admin", "mic-secretariat", "mhlw-secretariat", "mic-chair", "mhlw-chair", "mic-judge", "mhlw-judge", "applicant"} {
		if tok[who] == "" {
			t.Fatalf("no printed account %s:\n%s", who, out.String())
		}
	}
	const cycle = "/api/v1/cycles/" + demo.Key
	const mic, mhlw = cycle + "/programmes/mic-pioneer", cycle + "/programmes/mhlw-kagayaku"

	// Entries in every state but awarded (the award stages are the open ones).
	states := map[string]int{}
	for _, it := range items(a.must(200, "GET", "/api/v1/nominations?limit=100", tok["admin"], nil)) {
		states[fmt.Sprint(it["state"])]++
	}
	for _, s := range workflow.States {
		if states[string(s)] == 0 && s != workflow.Awarded {
			t.Errorf("no demo entry is %s: %v", s, states)
		}
	}

	// Last year's Pioneers are published: the public pages have a list.
	awards := a.must(200, "GET", "/api/v1/public/cycles/"+demo.PastKey+"/awards", "", nil)
	if !strings.Contains(fmt.Sprint(awards), "さくらクラウド研究所") {
		t.Errorf("last year's published list: %v", awards)
	}

	// The applicant submits its draft: MIC's call is open.
	mine := items(a.must(200, "GET", "/api/v1/nominations", tok["applicant"], nil))
	if len(mine) != 1 || mine[0]["state"] != "draft" || mine[0]["programme"] != "mic-pioneer" {
		t.Fatalf("the applicant's nominations: %v", mine)
	}
	a.must(200, "POST", fmt.Sprintf("/api/v1/nominations/%v/actions/submit", mine[0]["id"]), tok["applicant"], map[string]any{})

	// Judges of both ministries score what they are assigned.
	scoreAll := func(stage, judge string, n int, values map[string]any) {
		t.Helper()
		es := items(a.must(200, "GET", stage+"/entries", tok[judge], nil))
		if len(es) != n {
			t.Fatalf("%s has %d entries at %s, want %d", judge, len(es), stage, n)
		}
		for _, e := range es {
			a.must(200, "PUT", fmt.Sprintf("%s/entries/%v/score", stage, e["nomination_id"]), tok[judge],
				map[string]any{"values": values, "comment": "デモで採点", "submit": true})
		}
	}
	scoreAll(mic+"/stages/minister", "mic-judge", 3, map[string]any{"leadership": 8, "impact": 7})
	scoreAll(mhlw+"/stages/review", "mhlw-judge", 2, map[string]any{"wlb": 4, "productivity": 3, "originality": 5})

	// Chairs read the ranking of their open stage.
	for _, c := range []struct{ chair, stage string }{{"mic-chair", mic + "/stages/minister"}, {"mhlw-chair", mhlw + "/stages/review"}} {
		if r := items(a.must(200, "GET", c.stage+"/ranking", tok[c.chair], nil)); len(r) < 2 {
			t.Errorf("%s's ranking: %v", c.chair, r)
		}
	}

	// MHLW's secretariat assigns its unassigned entry by a proposal, and
	// every panel has the judges its judges-per-entry needs.
	review := mhlw + "/stages/review"
	p := a.must(201, "POST", review+"/assignment-proposals", tok["mhlw-secretariat"], map[string]any{"seed": 1})
	if pairs, _ := p["pairs"].([]any); len(pairs) != 3 {
		t.Fatalf("proposal: %v", p)
	}
	a.must(200, "POST", fmt.Sprintf("%s/assignment-proposals/%v/apply", review, p["id"]), tok["mhlw-secretariat"], nil)
	for _, s := range []struct {
		stage, sec string
		per        int
	}{{mic + "/stages/top100", "mic-secretariat", 3}, {mic + "/stages/minister", "mic-secretariat", 5}, {review, "mhlw-secretariat", 3}} {
		count := map[string]int{}
		for _, as := range items(a.must(200, "GET", s.stage+"/assignments", tok[s.sec], nil)) {
			count[fmt.Sprint(as["nomination_id"])]++
		}
		for id, n := range count {
			if n < s.per {
				t.Errorf("%s: entry %s has %d judges, want %d", s.stage, id, n, s.per)
			}
		}
	}

	// A closed window reopened, then used: MHLW's call, for a late entry. A
	// draft cannot even be started while the call is closed.
	org := mine[0]["organisation_id"]
	late := map[string]any{"cycle": demo.Key, "programme": "mhlw-kagayaku", "organisation_id": org}
	a.must(409, "POST", "/api/v1/nominations", tok["applicant"], late)
	closes := day.Add(7 * 24 * time.Hour)
	if end := time.Date(demo.FiscalYear(day)+1, 4, 1, 0, 0, 0, 0, workflow.Tokyo); !closes.Before(end) {
		closes = end.Add(-time.Hour)
	}
	a.must(200, "PUT", mhlw+"/windows/call", tok["mhlw-secretariat"], map[string]any{"closes_at": closes.Format(time.RFC3339), "reason": "デモ: 締切延長"})
	n := a.must(201, "POST", "/api/v1/nominations", tok["applicant"], late)
	id := fmt.Sprint(n["id"])
	a.must(200, "PATCH", "/api/v1/nominations/"+id, tok["applicant"], map[string]any{"answers": demo.Answers("mhlw-kagayaku", 0)},
		"If-Match", fmt.Sprintf(`"%v"`, n["version"]))
	a.must(200, "POST", "/api/v1/nominations/"+id+"/actions/submit", tok["applicant"], map[string]any{})
	// Results are never released while a call is open: the secretariat
	// closes the extended call now, and the late entry stays undecided.
	a.must(409, "POST", mhlw+"/release", tok["mhlw-secretariat"], map[string]any{"confirm_undecided": true, "reason": "デモ"})
	a.must(200, "PUT", mhlw+"/windows/call", tok["mhlw-secretariat"], map[string]any{"closes_at": a.clock().Format(time.RFC3339), "reason": "デモ: 受付終了"},
		"If-Match", `"2"`)

	// Decisions: MIC previews its Minister's Award; MHLW previews and applies its awards.
	a.must(200, "POST", mic+"/stages/minister/decisions/preview", tok["mic-secretariat"],
		map[string]any{"awards": []any{map[string]any{"award": "minister", "top_n": 2}}})
	spec := map[string]any{"awards": []any{map[string]any{"award": "excellence", "top_n": 1}, map[string]any{"award": "special-encouragement", "top_n": 2}}}
	pv := a.must(200, "POST", review+"/decisions/preview", tok["mhlw-secretariat"], spec)
	a.must(201, "POST", review+"/decisions", tok["mhlw-secretariat"], map[string]any{"spec": spec, "fingerprint": pv["fingerprint"]})

	// MHLW's call has closed: its secretariat reads the pre-flight, releases
	// (confirming the undecided late entry, with a reason) and publishes.
	if pf := a.must(200, "GET", mhlw+"/release", tok["mhlw-secretariat"], nil); pf["call_open"] != false {
		t.Errorf("release pre-flight: %v", pf)
	}
	a.must(409, "POST", mhlw+"/release", tok["mhlw-secretariat"], nil)
	a.must(204, "POST", mhlw+"/release", tok["mhlw-secretariat"], map[string]any{"confirm_undecided": true, "reason": "デモ: 締切後の応募は次年度に案内"})
	a.must(201, "POST", mhlw+"/publications", tok["mhlw-secretariat"],
		map[string]any{"embargo_at": day.Add(24 * time.Hour).Format(time.RFC3339), "reason": ""})
	// Nothing enters a programme whose results are released.
	a.must(409, "POST", "/api/v1/nominations", tok["applicant"], late)
	if log := a.must(200, "GET", mhlw+"/windows", tok["mhlw-secretariat"], nil); len(log["changes"].([]any)) != 2 {
		t.Errorf("window log: %v", log)
	}
}
