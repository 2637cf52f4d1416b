package api

import (
	"net/url"
	"strings"
	"testing"
)

// lists are the paginated routes and a caller who sees rows in each.
var lists = []struct{ path, caller, id string }{
	{"/api/v1/nominations", "admin", "id"},
	{"/api/v1/nominations", "owner", "id"},
	{"/api/v1/organisations", "micSec", "id"},
	{"/api/v1/users", "admin", "id"},
	{"/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/stages/top100/entries", "micChair", "nomination_id"},
}

// TestListsPageByCursor (issue 9, lists): every list walks by next_cursor
// a row at a time to the last page (next_cursor null), each row once;
// total is there only when asked for, and equals the rows walked.
func TestListsPageByCursor(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		for _, l := range lists {
			t.Run(l.path+" as "+l.caller, func(t *testing.T) {
				first := f.do("GET", l.path+"?total=true&limit=200", f.tokens[l.caller], nil)
				all, ok := first.body["items"].([]any)
				if first.status != 200 || !ok || len(all) == 0 || first.body["next_cursor"] != nil {
					t.Fatalf("the whole list: %d %s", first.status, first.raw)
				}
				if int(first.num("total")) != len(all) {
					t.Fatalf("total %d, %d rows", first.num("total"), len(all))
				}
				seen := map[float64]bool{}
				q := "?limit=1"
				for pages := 1; ; pages++ {
					res := f.do("GET", l.path+q, f.tokens[l.caller], nil)
					items, _ := res.body["items"].([]any)
					if res.status != 200 || len(items) != 1 {
						t.Fatalf("page %d: %d %s", pages, res.status, res.raw)
					}
					if _, has := res.body["total"]; has {
						t.Fatalf("total without total=true: %s", res.raw)
					}
					id := items[0].(map[string]any)[l.id].(float64)
					if seen[id] {
						t.Fatalf("row %v again on page %d", id, pages)
					}
					seen[id] = true
					next, has := res.body["next_cursor"]
					if !has {
						t.Fatalf("no next_cursor key: %s", res.raw)
					}
					if next == nil {
						break
					}
					q = "?limit=1&cursor=" + url.QueryEscape(next.(string))
				}
				if len(seen) != len(all) {
					t.Fatalf("walked %d rows of %d", len(seen), len(all))
				}
			})
		}
	})
}

// TestListPagingRefusals (issue 9, lists): offset is refused with a
// message naming the cursor, bad limits, totals and cursors are refused,
// each as a 422 naming the field, in Japanese and in English.
func TestListPagingRefusals(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		one := f.do("GET", "/api/v1/organisations?limit=1", f.tokens["admin"], nil)
		cursor, _ := one.body["next_cursor"].(string)
		if cursor == "" {
			t.Fatalf("no cursor: %s", one.raw)
		}
		tampered := cursor[:len(cursor)-2] + "AA"
		if tampered == cursor {
			tampered = cursor[:len(cursor)-2] + "BB"
		}
		for _, l := range lists {
			for _, tc := range []struct {
				query, field, code, ja, en string
			}{
				{"offset=50", "offset", "offset_not_supported", "next_cursor", "next_cursor"},
				{"limit=0", "limit", "limit_range", "1 から 200", "from 1 to 200"},
				{"limit=201", "limit", "limit_range", "1 から 200", "from 1 to 200"},
				{"limit=ten", "limit", "limit_range", "1 から 200", "from 1 to 200"},
				{"total=yes", "total", "invalid_boolean", "true か false", "true or false"},
				{"cursor=" + url.QueryEscape(tampered), "cursor", "invalid_cursor", "cursor が正しくありません", "cursor is not valid"},
				{"cursor=not-a-cursor", "cursor", "invalid_cursor", "cursor が正しくありません", "cursor is not valid"},
			} {
				for _, lang := range []string{"ja", "en"} {
					res := f.do("GET", l.path+"?"+tc.query, f.tokens[l.caller], nil, "Accept-Language", lang)
					want := tc.ja
					if lang == "en" {
						want = tc.en
					}
					if res.status != 422 || !strings.Contains(res.raw, `"path":"`+tc.field+`","code":"`+tc.code+`"`) || !strings.Contains(res.raw, want) {
						t.Errorf("%s?%s (%s): %d %s", l.path, tc.query, lang, res.status, res.raw)
					}
				}
			}
			if res := f.do("GET", l.path+"?offset=0", f.tokens[l.caller], nil); res.status != 200 {
				t.Errorf("%s?offset=0 (the first page) = %d %s", l.path, res.status, res.raw)
			}
		}
		// A cursor of one list is no cursor of another, nor of other filters.
		for _, q := range []string{"/api/v1/users?cursor=", "/api/v1/organisations?prefecture=27&cursor="} {
			res := f.do("GET", q+url.QueryEscape(cursor), f.tokens["admin"], nil, "Accept-Language", "en")
			if res.status != 422 || !strings.Contains(res.raw, `"path":"cursor"`) || !strings.Contains(res.raw, "start again from the first page") {
				t.Errorf("%s…: %d %s", q, res.status, res.raw)
			}
		}
	})
}
