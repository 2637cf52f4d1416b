package api

import (
	"fmt"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// TestBulkActionRoute: POST /api/v1/nominations/bulk-actions/:action moves
// all or none; a blocked one, a stale version and another ministry's
// nomination each refuse the whole request, name the nomination, and
// change nothing.
func TestBulkActionRoute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var ns []workflow.Nomination
		for i := range 4 {
			o := f.organisation(fmt.Sprintf("株式会社一括%d", i))
			ns = append(ns, f.submitted(o, f.applicant("owner"), "mic-pioneer"))
		}
		ids := func(ns ...workflow.Nomination) []int64 {
			var out []int64
			for _, n := range ns {
				out = append(out, n.ID)
			}
			return out
		}
		screened, err := f.svc.Transition(f.ctx, admin, ns[3].ID, 0, workflow.StartScreening, workflow.Input{})
		if err != nil {
			t.Fatal(err)
		}
		mhlw := f.liveMHLW()
		cases := []struct {
			name, caller, action string
			body                 map[string]any
			status               int
			code, blocker        string
		}{
			{"one already screened", "micSec", "start_screening", map[string]any{"ids": ids(ns...)}, 409, "illegal_transition", fmt.Sprintf("nominations[%d]", ns[3].ID)},
			{"stale version", "micSec", "start_screening", map[string]any{"ids": ids(ns[0], ns[1]), "versions": []int{ns[0].Version, ns[1].Version - 1}}, 409, "conflict", fmt.Sprintf("nominations[%d]", ns[1].ID)},
			{"another ministry's", "mhlwSec", "start_screening", map[string]any{"ids": ids(ns[0], mhlw)}, 404, "not_found", fmt.Sprintf("nominations[%d]", ns[0].ID)},
			{"versions not one per id", "micSec", "start_screening", map[string]any{"ids": ids(ns[0], ns[1]), "versions": []int{1}}, 422, "invalid", "versions"},
			{"return needs a due date", "micSec", "return", map[string]any{"ids": ids(ns[0], ns[1]), "input": map[string]any{"reason": "不足"}}, 422, "invalid", fmt.Sprintf("nominations[%d].due", ns[0].ID)},
			{"no such action", "micSec", "approve", map[string]any{"ids": ids(ns[0])}, 404, "not_found", ""},
			{"a judge", "micJudge", "start_screening", map[string]any{"ids": ids(ns[0])}, 403, "forbidden", ""},
			{"an applicant, not its own", "owner", "start_screening", map[string]any{"ids": ids(ns[0], ns[1])}, 404, "not_found", fmt.Sprintf("nominations[%d]", ns[0].ID)},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := f.do("POST", "/api/v1/nominations/bulk-actions/"+tc.action, f.tokens[tc.caller], tc.body)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.raw)
				}
				e, _ := res.body["error"].(map[string]any)
				if e["code"] != tc.code {
					t.Fatalf("code %v, want %s: %s", e["code"], tc.code, res.raw)
				}
				if tc.blocker != "" {
					fs, _ := e["fields"].([]any)
					first, _ := fs[0].(map[string]any)
					if len(fs) == 0 || first["path"] != tc.blocker {
						t.Fatalf("fields %v, want the first at %s", fs, tc.blocker)
					}
				}
				for _, n := range ns[:3] {
					v, err := f.svc.Nomination(f.ctx, admin, n.ID)
					if err != nil || v.Nomination.State != workflow.Submitted {
						t.Fatalf("nomination %d is %s after a refused request (%v)", n.ID, v.Nomination.State, err)
					}
				}
			})
		}
		res := f.do("POST", "/api/v1/nominations/bulk-actions/start_screening", f.tokens["micSec"],
			map[string]any{"ids": ids(ns[0], ns[1], ns[2]), "versions": []int{ns[0].Version, ns[1].Version, ns[2].Version}})
		if res.status != 200 || res.body["count"] != float64(3) || res.body["action"] != "start_screening" {
			t.Fatalf("apply: %d %s", res.status, res.raw)
		}
		moved, _ := res.body["nominations"].([]any)
		for i, m := range moved {
			row := m.(map[string]any)
			if row["id"] != float64(ns[i].ID) || row["state"] != "screening" || row["version"] != float64(ns[i].Version+1) {
				t.Fatalf("moved[%d] = %v", i, row)
			}
		}
		res = f.do("POST", "/api/v1/nominations/bulk-actions/recognise", f.tokens["micSec"], map[string]any{"ids": ids(screened)})
		if res.status != 200 {
			t.Fatalf("recognise one: %d %s", res.status, res.raw)
		}
	})
}
