package api

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/fieldtest"
)

// TestResponseBodiesGolden pins the bytes of a few key responses (a cycle,
// a nomination, the public award list and a secretariat's publication
// list), written by the code from before the API got its own response
// structs: the API shape is a contract apart from the stored and domain
// shapes, so changing those must not change these bodies.
func TestResponseBodiesGolden(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		f.decided(t, 3)
		sec := f.tokens["micSec"]
		pubPath := "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/publications"
		if res := f.do("POST", pubPath, sec, map[string]any{"embargo_at": "2026-11-20T10:00"}); res.status != 201 {
			t.Fatalf("publish: %s", res.raw)
		}
		f.clock.Set(time.Date(2026, 11, 20, 10, 0, 0, 0, workflow.Tokyo)) // the embargo lifts
		sec = f.login("micSec")
		admin := f.login("admin")
		for _, tc := range []struct{ name, path, token string }{
			{"cycle", "/api/v1/cycles/fy2026-telework", admin},
			{"nomination", "/api/v1/nominations/" + strconv.FormatInt(f.assigned, 10), sec},
			{"public_awards", "/api/v1/public/cycles/fy2026-telework/awards", ""},
			{"publications", pubPath, sec},
		} {
			res := f.do("GET", tc.path, tc.token, nil)
			if res.status != 200 {
				t.Fatalf("%s: %d %s", tc.name, res.status, res.raw)
			}
			golden(t, tc.name, res.raw)
		}
	})
}

// golden compares a body with testdata/<name>.golden.json (-update
// rewrites it).
func golden(t *testing.T, name, body string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != body {
		t.Errorf("%s body changed:\n got %s\nwant %s", name, body, want)
	}
}

// TestJudgingBodiesGolden pins the bodies the judging handlers built as
// maps (gin.H) before they had response types: a judge's entry, declared
// affiliations and conflicts, and an applied decision.
func TestJudgingBodiesGolden(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		judge := f.tokens["micJudge"]
		entries := "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/stages/top100/entries/"
		for _, tc := range []struct {
			name, method, path, token string
			body                      any
			status                    int
		}{
			{"entry", "GET", entries + strconv.FormatInt(f.assigned, 10), judge, nil, 200},
			{"affiliation", "POST", "/api/v1/me/affiliations", judge, map[string]any{"name": "株式会社テレワーク工房", "corporate_number": "1010001000006"}, 201},
			{"conflict", "POST", "/api/v1/me/conflicts", judge, map[string]any{"organisation_id": f.orgB.ID, "reason": "兼業先"}, 201},
			{"my_conflicts", "GET", "/api/v1/me/conflicts", judge, nil, 200},
		} {
			res := f.do(tc.method, tc.path, tc.token, tc.body)
			if res.status != tc.status {
				t.Fatalf("%s: %d %s", tc.name, res.status, res.raw)
			}
			golden(t, tc.name, res.raw)
		}
		actor := workflow.Actor{ID: "user", UserID: f.users["micJudge"].ID, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
		for i := range 2 {
			e := f.assignedEntry()
			if _, err := f.svc.SaveScore(f.ctx, actor, top100, e.ID, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 2 + i,
				"management": 3, "security": 3, "outcomes": 3}, Submit: true}); err != nil {
				t.Fatal(err)
			}
		}
		pv, err := f.svc.PreviewDecision(f.ctx, admin, top100, workflow.DecisionSpec{TopN: 1})
		if err != nil {
			t.Fatal(err)
		}
		res := f.do("POST", "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/stages/top100/decisions", f.tokens["micSec"],
			map[string]any{"spec": map[string]any{"top_n": 1}, "fingerprint": pv.Fingerprint})
		if res.status != 201 {
			t.Fatalf("decision: %d %s", res.status, res.raw)
		}
		// user ids follow the fixture's map order
		golden(t, "decision", strings.Replace(res.raw, fmt.Sprintf(`"user:%d"`, f.users["micSec"].ID), `"user:micSec"`, 1))
	})
}

// TestStoredHashesPinned: the example cycle's stored hash and its rubric
// hash (which signed scoring sheets carry) are those the code computed
// before the hash had its own canonical encoder, so stored cycles are not
// "new" and issued sheets still import.
func TestStoredHashesPinned(t *testing.T) {
	const cycleHash, rubricHash = "79a5218c9dd6d151f88f1b2b3445fb565964898c0c56373e65678380f13bb1fd", "c57771abb1ae6b5e"
	eachDB(t, func(t *testing.T, f *fixture) {
		cv, err := f.svc.Cycle(f.ctx, "fy2026-telework")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := cv.Cycle.Programme("mic-pioneer")
		st, _ := p.Stage("top100")
		if cv.Hash != cycleHash || workflow.RubricHash(st.Judging) != rubricHash {
			t.Fatalf("cycle hash %s, rubric hash %s", cv.Hash, workflow.RubricHash(st.Judging))
		}
	})
}

// TestResponseTypesCoverEveryField: clearing any exported field of a
// filled domain value changes its response body, so a field added to a
// domain type cannot be left out of the API unnoticed (fields the API
// deliberately hides are named).
func TestResponseTypesCoverEveryField(t *testing.T) {
	t.Run("cycle", func(t *testing.T) {
		covers(t, func(c *workflow.Cycle) any { return toCycleDefJSON(c) })
	})
	t.Run("publication", func(t *testing.T) {
		covers(t, func(p *workflow.Publication) any { return toPublicationJSON(*p) }, ".CreatedBy", ".WithdrawnBy")
	})
	t.Run("organisation", func(t *testing.T) {
		covers(t, func(o *workflow.Organisation) any { return toOrganisationJSON(*o) })
	})
	t.Run("decision outcome", func(t *testing.T) {
		covers(t, func(o *workflow.DecisionOutcome) any { return toOutcomesJSON([]workflow.DecisionOutcome{*o}) })
	})
	t.Run("window change", func(t *testing.T) {
		covers(t, func(ch *workflow.WindowChange) any { return toWindowChangeJSON(*ch) })
	})
	t.Run("window log", func(t *testing.T) {
		covers(t, func(l *workflow.WindowLog) any { return toWindowLogJSON(*l) })
	})
	t.Run("public record", func(t *testing.T) {
		covers(t, func(r *workflow.PublicRecord) any { return toPublicRecordJSON(*r) })
	})
	t.Run("affiliation", func(t *testing.T) {
		covers(t, func(a *workflow.Affiliation) any { return toAffiliationJSON(*a) }, ".UserID")
	})
	t.Run("declared conflict", func(t *testing.T) {
		covers(t, func(d *workflow.DeclaredConflict) any { return toDeclaredConflictJSON(*d) }, ".UserID", ".CreatedBy")
	})
}

func covers[T any](t *testing.T, body func(*T) any, hidden ...string) {
	t.Helper()
	encode := func(x *T) string {
		b, err := json.Marshal(body(x))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var full T
	fieldtest.Fill(&full)
	base := encode(&full)
	for i := 0; ; i++ {
		var x T
		fieldtest.Fill(&x)
		path := fieldtest.Zero(&x, i)
		if path == "" {
			break
		}
		if encode(&x) == base && !slices.Contains(hidden, path) {
			t.Errorf("the response ignores %s", path)
		}
	}
}

// TestWindowAndPublicRecordBodiesGolden pins the bodies served straight
// from workflow's types before they had response types: a window change,
// a programme's window log, the release pre-flight and a nomination's
// public record.
func TestWindowAndPublicRecordBodiesGolden(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		sec := f.tokens["micSec"]
		programme := "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer"
		for _, tc := range []struct {
			name, method, path string
			body               any
		}{
			{"window_change", "PUT", programme + "/stages/top100/window", map[string]any{"closes_at": "2026-09-20T17:00+09:00", "reason": "延長"}},
			{"windows", "GET", programme + "/windows", nil},
			{"release_status", "GET", programme + "/release", nil},
			{"public_record", "GET", "/api/v1/nominations/" + strconv.FormatInt(f.assigned, 10) + "/public", nil},
		} {
			res := f.do(tc.method, tc.path, sec, tc.body)
			if res.status != 200 {
				t.Fatalf("%s: %d %s", tc.name, res.status, res.raw)
			}
			// user ids follow the fixture's map order
			golden(t, tc.name, strings.ReplaceAll(res.raw, fmt.Sprintf(`"user:%d"`, f.users["micSec"].ID), `"user:micSec"`))
		}
	})
}
