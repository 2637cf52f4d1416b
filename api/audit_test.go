package api

import (
	"fmt"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
)

// An applicant's answer edits are read back with who, when, and each
// changed field before and after, by the applicant and its ministry's staff.
func TestAnswerHistoryRoute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		path := fmt.Sprintf("/api/v1/nominations/%d", f.micDraft)
		for _, v := range []string{"初めの効果", "書き直した効果"} {
			cur := f.do("GET", path, f.tokens["owner"], nil)
			if res := f.do("PATCH", path, f.tokens["owner"], map[string]any{"answers": map[string]any{"outcomes": v}}, "If-Match", cur.header.Get("ETag")); res.status != 200 {
				t.Fatalf("edit: %d %s", res.status, res.raw)
			}
		}
		for _, caller := range []string{"owner", "micSec"} {
			res := f.do("GET", path+"/answer-history", f.tokens[caller], nil)
			items, _ := res.body["items"].([]any)
			if res.status != 200 || len(items) != 2 {
				t.Fatalf("%s: %d %s", caller, res.status, res.raw)
			}
			last := items[1].(map[string]any)
			ch := last["changes"].([]any)[0].(map[string]any)
			if ch["field"] != "outcomes" || ch["before"] != "初めの効果" || ch["after"] != "書き直した効果" || last["actor_id"] == "" || last["at"] == "" {
				t.Fatalf("%s: second edit = %s", caller, res.raw)
			}
			if first := items[0].(map[string]any)["changes"].([]any)[0].(map[string]any); first["before"] != nil {
				t.Fatalf("%s: first edit's before = %v, want null", caller, first["before"])
			}
		}
		if res := f.do("GET", path+"/answer-history", f.tokens["mhlwSec"], nil); res.status != 404 {
			t.Fatalf("other ministry: %d", res.status)
		}
	})
}
