package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/cyclefile"
)

// TestWindowChanges: a secretariat extends a closed call and reopens a
// closed judging window without reloading the cycle file; the new windows
// are used where windows are read (submit, scoring, cycle GET), recorded
// with who and why, survive a reload, and are refused when they would
// close in the past, leave the fiscal year or have no reason.
func TestWindowChanges(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		const programme = "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer"
		micSec := f.tokens["micSec"]

		// The call closed on 2026-07-31: the owner's draft cannot be submitted.
		f.clock.Set(time.Date(2026, 8, 5, 10, 0, 0, 0, workflow.Tokyo))
		n, err := f.svc.UpdateAnswers(f.ctx, f.applicant("owner"), f.micDraft, 1, micAnswers)
		if err != nil {
			t.Fatal(err)
		}
		submit := fmt.Sprintf("/api/v1/nominations/%d/actions/submit", n.ID)
		if res := f.do("POST", submit, f.tokens["owner"], map[string]any{}); res.status != 409 {
			t.Fatalf("submit after the call closed = %d %s", res.status, res.raw)
		}
		refused := []struct {
			name, token string
			body        map[string]any
			status      int
			path        string
		}{
			{"no reason", micSec, map[string]any{"closes_at": "2026-08-20T17:00"}, 422, "reason"},
			{"blank reason", micSec, map[string]any{"closes_at": "2026-08-20T17:00", "reason": " "}, 422, "reason"},
			{"in the past", micSec, map[string]any{"closes_at": "2026-08-01T17:00", "reason": "延長"}, 422, "closes_at"},
			{"after the fiscal year", micSec, map[string]any{"closes_at": "2027-04-01T00:00", "reason": "延長"}, 422, "closes_at"},
			{"not a time", micSec, map[string]any{"closes_at": "next friday", "reason": "延長"}, 422, "closes_at"},
			{"other ministry", f.tokens["mhlwSec"], map[string]any{"closes_at": "2026-08-20T17:00", "reason": "延長"}, 404, ""},
			{"judge", f.tokens["micJudge"], map[string]any{"closes_at": "2026-08-20T17:00", "reason": "延長"}, 403, ""},
		}
		for _, tc := range refused {
			res := f.do("PUT", programme+"/windows/call", tc.token, tc.body)
			if res.status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, res.status, res.raw, tc.status)
				continue
			}
			if tc.path != "" {
				if ps, _ := res.body["error"].(map[string]any)["fields"].([]any); len(ps) == 0 || ps[0].(map[string]any)["path"] != tc.path {
					t.Errorf("%s: problems %s, want one at %s", tc.name, res.raw, tc.path)
				}
			}
		}
		ext := f.do("PUT", programme+"/windows/call", micSec, map[string]any{"closes_at": "2026-08-20T17:00+09:00", "reason": "締切延長（台風）"})
		if ext.status != 200 || ext.header.Get("ETag") != `"2"` {
			t.Fatalf("extend the call: %d %s", ext.status, ext.raw)
		}
		// One winner: a second change based on the same version is refused.
		if res := f.do("PUT", programme+"/windows/call", micSec, map[string]any{"closes_at": "2026-08-21T17:00", "reason": "再延長"},
			"If-Match", `"1"`); res.status != 409 {
			t.Errorf("a change from a stale version = %d %s", res.status, res.raw)
		}
		// A reload of the cycle (a new version, same key) keeps the change.
		c := f.exampleCycle()
		c.Title.En += " (reloaded)"
		if res, err := f.svc.LoadCycle(f.ctx, admin, c, false); err != nil || !res.Created {
			t.Fatalf("reload: %+v %v", res, err)
		}
		if res := f.do("POST", submit, f.tokens["owner"], map[string]any{}); res.status != 200 {
			t.Fatalf("submit inside the extended call = %d %s", res.status, res.raw)
		}
		cyc := f.do("GET", "/api/v1/cycles/fy2026-telework", micSec, nil)
		call := cyc.body["programmes"].([]any)[0].(map[string]any)["call"].(map[string]any)
		if call["closes"] != "2026-08-20T08:00:00Z" {
			t.Errorf("cycle GET shows call %v, want the extended close", call)
		}

		// Judging at the Top 100 stage closed on 2026-09-11; reopen it.
		f.clock.Set(time.Date(2026, 9, 15, 10, 0, 0, 0, workflow.Tokyo))
		judge := f.login("micJudge")
		score := fmt.Sprintf("%s/stages/top100/entries/%d/score", programme, f.assigned)
		values := map[string]any{"adoption": 4, "management": 3, "security": 5, "outcomes": 4.5}
		if res := f.do("PUT", score, judge, map[string]any{"values": values}); res.status != 409 {
			t.Fatalf("score after judging closed = %d %s", res.status, res.raw)
		}
		if res := f.do("PUT", programme+"/stages/top100/window", f.login("micSec"),
			map[string]any{"closes_at": "2026-09-25T17:00", "reason": "審査員の追加に伴う審査期間の再開"}); res.status != 200 {
			t.Fatalf("reopen judging: %d %s", res.status, res.raw)
		}
		if res := f.do("PUT", score, judge, map[string]any{"values": values}); res.status != 200 {
			t.Fatalf("score after judging was reopened = %d %s", res.status, res.raw)
		}
		if res := f.do("PUT", programme+"/stages/nosuch/window", f.login("micSec"),
			map[string]any{"closes_at": "2026-09-25T17:00", "reason": "再開"}); res.status != 404 {
			t.Errorf("unknown stage = %d", res.status)
		}

		// The log: who, when, why, from what to what; staff of the ministry only.
		log := f.do("GET", programme+"/windows", f.login("micSec"), nil)
		changes, _ := log.body["changes"].([]any)
		if log.status != 200 || len(changes) != 2 {
			t.Fatalf("window log: %d %s", log.status, log.raw)
		}
		first := changes[0].(map[string]any)
		if first["reason"] != "締切延長（台風）" || first["actor_id"] != fmt.Sprintf("user:%d", f.users["micSec"].ID) ||
			first["previous"].(map[string]any)["closes"] != "2026-07-31T15:00:00Z" {
			t.Errorf("first change: %v", first)
		}
		if v := log.body["versions"].(map[string]any); v["call"] != 2.0 || v["top100"] != 2.0 || v["minister"] != 1.0 {
			t.Errorf("versions: %v", v)
		}
		if res := f.do("GET", programme+"/windows", f.login("mhlwSec"), nil); res.status != 404 {
			t.Errorf("other ministry's log = %d", res.status)
		}
	})
}

func (f *fixture) exampleCycle() workflow.Cycle {
	f.t.Helper()
	c, err := cyclefile.Read("../docs/examples/fy2026-telework.yaml")
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}
