package api

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/awardflow/awardflow/workflow"
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
			path := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, []byte(res.raw), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(want) != res.raw {
				t.Errorf("%s body changed:\n got %s\nwant %s", tc.name, res.raw, want)
			}
		}
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
