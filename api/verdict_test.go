package api

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/workflow"
)

// TestListNominationsByVerdict: ?verdict= narrows the list to the stored
// verdict the service filters on, each item names it; the three verdicts
// cover the whole list (nothing left unevaluated); applicants may neither
// filter by it nor see it; an unknown word and a cursor of another filter
// are refused with the field named.
func TestListNominationsByVerdict(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		ids := func(res response, word string) []float64 {
			t.Helper()
			items, ok := res.body["items"].([]any)
			if res.status != 200 || !ok {
				t.Fatalf("%d %s", res.status, res.raw)
			}
			var out []float64
			for _, it := range items {
				m := it.(map[string]any)
				if v, _ := m["verdict"].(string); v != word {
					t.Fatalf("item %v: verdict %q, want %q", m["id"], v, word)
				}
				out = append(out, m["id"].(float64))
			}
			return out
		}
		all := f.do("GET", "/api/v1/nominations?limit=200", f.tokens["micSec"], nil)
		total := len(all.body["items"].([]any))
		covered := 0
		for _, tc := range []struct {
			word    string
			outcome workflow.Outcome
		}{{"eligible", workflow.Pass}, {"ineligible", workflow.Fail}, {"unknown", workflow.Unknown}} {
			t.Run(tc.word, func(t *testing.T) {
				got := ids(f.do("GET", "/api/v1/nominations?limit=200&verdict="+tc.word, f.tokens["micSec"], nil), tc.word)
				items, _, err := f.svc.Nominations(f.ctx, workflow.Actor{ID: "mic", Grants: []workflow.Grant{{Role: workflow.RoleSecretariat, Domain: "mic"}}},
					workflow.NominationFilter{Verdict: tc.outcome, Page: workflow.Page{Limit: 200}})
				if err != nil {
					t.Fatal(err)
				}
				var want []float64
				for _, it := range items {
					want = append(want, float64(it.Nomination.ID))
				}
				if !slices.Equal(got, want) {
					t.Fatalf("ids %v, want %v", got, want)
				}
				covered += len(got)
			})
		}
		if covered != total || total == 0 {
			t.Fatalf("the verdicts cover %d of %d nominations", covered, total)
		}
		own := f.do("GET", "/api/v1/nominations", f.tokens["owner"], nil)
		for _, it := range own.body["items"].([]any) {
			if _, has := it.(map[string]any)["verdict"]; has {
				t.Fatalf("an applicant sees a verdict: %s", own.raw)
			}
		}
		first := f.do("GET", "/api/v1/nominations?limit=1", f.tokens["micSec"], nil)
		cursor, _ := first.body["next_cursor"].(string)
		for _, tc := range []struct {
			name, query, token string
			status             int
			path               string
		}{
			{"applicant", "verdict=eligible", "owner", 403, ""},
			{"unknown word", "verdict=maybe", "micSec", 422, "verdict"},
			{"cursor of the unfiltered list", "verdict=eligible&cursor=" + url.QueryEscape(cursor), "micSec", 422, "cursor"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := f.do("GET", "/api/v1/nominations?"+tc.query, f.tokens[tc.token], nil)
				if res.status != tc.status {
					t.Fatalf("%d %s", res.status, res.raw)
				}
				if tc.path != "" && !strings.Contains(res.raw, `"path":"`+tc.path+`"`) {
					t.Fatalf("no problem at %s: %s", tc.path, res.raw)
				}
			})
		}
	})
}
