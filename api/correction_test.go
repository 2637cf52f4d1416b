package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// TestCorrectAndWithdrawPublications: the secretariat corrects a
// nomination's public fields with a reason (kept in the history, the
// submitted snapshot untouched), withdraws a scheduled version before its
// embargo, and the next version publishes the corrections; a public version
// cannot be withdrawn; the staff list shows each version's state.
func TestCorrectAndWithdrawPublications(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		sec := f.tokens["micSec"]
		const pubPath = "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/publications"
		const public = "/api/v1/public/cycles/fy2026-telework/awards"
		entries := f.decided(t, 3)
		e := entries[0]
		wrong := e.Snapshot.Name
		if res := f.do("POST", pubPath, sec, map[string]any{"embargo_at": "2026-11-20T10:00"}); res.status != 201 {
			t.Fatalf("publish: %s", res.raw)
		}

		path := fmt.Sprintf("/api/v1/nominations/%d/public", e.ID)
		got := f.do("GET", path, sec, nil)
		if got.status != 200 || got.body["public"].(map[string]any)["organisation_name"] != wrong {
			t.Fatalf("public record: %s", got.raw)
		}
		etag := got.header.Get("ETag")
		for _, bad := range []map[string]any{
			{"organisation_name": "株式会社正しい名前"}, // no reason
			{"organisation_name": "株式会社\u202e名前", "reason": "社名の誤記"},
			{"organisation_name": " ", "reason": "社名の誤記"},
			{"prefecture": "99", "reason": "所在地の誤記"},
			{"headcount": 0, "reason": "人数の誤記"},
			{"answers": map[string]any{"contact_email": "x@example.jp"}, "reason": "非公表項目"},
			{"answers": map[string]any{"initiative_title": "見出し\u200b"}, "reason": "隠し文字"},
			{"answers": map[string]any{"initiative_title": 5}, "reason": "型"},
			{"answers": map[string]any{"initiative_title": " "}, "reason": "空"},
			{"organisation_name": "株式会社正しい名前", "reason": "理由\u0007"},
		} {
			if res := f.do("PATCH", path, sec, bad, "If-Match", etag); res.status != 422 {
				t.Errorf("PATCH %v = %d %s", bad, res.status, res.raw)
			}
		}
		if res := f.do("PATCH", path, sec, map[string]any{"organisation_name": "株式会社正しい名前", "reason": "社名の誤記"}); res.status != 428 {
			t.Fatalf("PATCH without If-Match = %d", res.status)
		}
		fixed := f.do("PATCH", path, sec, map[string]any{"organisation_name": "株式会社正しい名前", "municipality": "渋谷区",
			"answers": map[string]any{"initiative_title": "訂正後の取組名"}, "reason": "社名と所在地の誤記"}, "If-Match", etag)
		if fixed.status != 200 || fixed.body["public"].(map[string]any)["organisation_name"] != "株式会社正しい名前" ||
			fmt.Sprint(fixed.body["corrected"]) != "[organisation_name municipality answers.initiative_title]" {
			t.Fatalf("correct: %d %s", fixed.status, fixed.raw)
		}
		if res := f.do("PATCH", path, sec, map[string]any{"headcount": 60, "reason": "x"}, "If-Match", etag); res.status != 409 {
			t.Fatalf("a stale correction = %d", res.status)
		}
		if n := f.nomination(e.ID); n.Snapshot.Name != wrong || n.Answers["initiative_title"] == "訂正後の取組名" {
			t.Fatalf("the submitted snapshot changed: %+v", n.Snapshot)
		}
		hist := f.do("GET", fmt.Sprintf("/api/v1/nominations/%d/history", e.ID), sec, nil)
		if !strings.Contains(hist.raw, "correct_public") || !strings.Contains(hist.raw, "社名と所在地の誤記") {
			t.Fatalf("the correction is not in the history: %s", hist.raw)
		}

		// Version 1 (wrong name) is withdrawn before its embargo; version 2 publishes the correction.
		for _, bad := range []map[string]any{{}, {"reason": "\u202e"}} {
			if res := f.do("POST", pubPath+"/1/withdraw", sec, bad); res.status != 422 {
				t.Fatalf("withdraw %v = %d %s", bad, res.status, res.raw)
			}
		}
		if res := f.do("POST", pubPath+"/1/withdraw", sec, map[string]any{"reason": "社名の誤記"}); res.status != 200 || res.body["state"] != "withdrawn" {
			t.Fatalf("withdraw: %d %s", res.status, res.raw)
		}
		if res := f.do("POST", pubPath+"/1/withdraw", sec, map[string]any{"reason": "再度"}); res.status != 409 {
			t.Fatalf("withdrawing twice = %d", res.status)
		}
		if res := f.do("POST", pubPath+"/9/withdraw", sec, map[string]any{"reason": "なし"}); res.status != 404 {
			t.Fatalf("withdrawing a missing version = %d", res.status)
		}
		if res := f.do("POST", pubPath, sec, map[string]any{"embargo_at": "2026-11-20T10:00", "reason": "社名の訂正"}); res.status != 201 {
			t.Fatalf("publish version 2: %s", res.raw)
		}
		f.clock.Set(time.Date(2026, 11, 20, 11, 0, 0, 0, workflow.Tokyo))
		sec = f.login("micSec")
		list := f.do("GET", public, "", nil)
		if !strings.Contains(list.raw, "株式会社正しい名前") || !strings.Contains(list.raw, "渋谷区") || !strings.Contains(list.raw, "訂正後の取組名") ||
			strings.Contains(list.raw, wrong) || list.body["publications"].([]any)[0].(map[string]any)["version"] != float64(2) {
			t.Fatalf("the public list after the embargo: %s", list.raw)
		}
		if res := f.do("GET", "/api/v1/public/cycles/fy2026-telework/programmes/mic-pioneer/publications/1", "", nil); res.status != 404 {
			t.Fatalf("a withdrawn version is public: %d", res.status)
		}
		if res := f.do("POST", pubPath+"/2/withdraw", sec, map[string]any{"reason": "遅すぎる"}); res.status != 409 {
			t.Fatalf("withdrawing a public version = %d %s", res.status, res.raw)
		}
		if res := f.do("POST", pubPath, sec, map[string]any{"embargo_at": "2026-11-21T10:00", "reason": "再訂正"}); res.status != 201 {
			t.Fatalf("publish version 3: %s", res.raw)
		}
		states := func() string {
			var out []string
			for _, it := range f.do("GET", pubPath, sec, nil).body["items"].([]any) {
				out = append(out, it.(map[string]any)["state"].(string))
			}
			return strings.Join(out, " ")
		}
		if got := states(); got != "withdrawn public scheduled" {
			t.Fatalf("states = %s", got)
		}
		f.clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, workflow.Tokyo))
		sec = f.login("micSec")
		if got := states(); got != "withdrawn superseded public" {
			t.Fatalf("states after version 3's embargo = %s", got)
		}

		// Staff routes: applicants 403, the other ministry 404.
		for _, who := range []string{"owner", "other"} {
			if res := f.do("GET", path, f.login(who), nil); res.status != 403 {
				t.Errorf("%s GET %s = %d", who, path, res.status)
			}
		}
		if res := f.do("GET", path, f.login("mhlwSec"), nil); res.status != 404 {
			t.Errorf("mhlwSec GET %s = %d", path, res.status)
		}
	})
}
