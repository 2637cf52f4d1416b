package api

import (
	"fmt"
	"strings"
	"testing"
)

// TestJapaneseSaysAsMuch: refusals read in Japanese say as much as in
// English: each message is specific to what went wrong, not the generic
// sentence of its code (messagesJa), and names the object where there is one.
func TestJapaneseSaysAsMuch(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		ja := []string{"Accept-Language", "ja"}
		draft := fmt.Sprintf("/api/v1/nominations/%d", f.micDraft)
		current := f.do("GET", draft, f.tokens["owner"], nil, ja...)
		if current.status != 200 {
			t.Fatalf("GET draft: %d %s", current.status, current.raw)
		}
		edited := f.do("PATCH", draft, f.tokens["owner"], map[string]any{"answers": map[string]any{"initiative_title": "改訂"}},
			append(ja, "If-Match", current.header.Get("ETag"))...)
		if edited.status != 200 {
			t.Fatalf("PATCH draft: %d %s", edited.status, edited.raw)
		}
		org := fmt.Sprintf("/api/v1/organisations/%d", f.orgA.ID)
		orgNow := f.do("GET", org, f.tokens["admin"], nil, ja...)
		f.do("PATCH", org, f.tokens["admin"], map[string]any{"municipality": "千代田区"}, append(ja, "If-Match", orgNow.header.Get("ETag"))...)
		numbered := map[string]any{"name": "株式会社テレワーク工房", "name_kana": "テレワークコウボウ", "legal_form": "kabushiki_kaisha",
			"corporate_number": "7000012050002", "prefecture": "13", "municipality": "港区", "industry": "E",
			"total_headcount": 30, "regular_headcount": 25}
		if r := f.do("POST", "/api/v1/organisations", f.tokens["admin"], numbered, ja...); r.status != 201 {
			t.Fatalf("first organisation with the number: %d %s", r.status, r.raw)
		}
		for _, tc := range []struct {
			name, method, path, token string
			body                      any
			headers                   []string
			status                    int
			want                      string // in the Japanese message
		}{
			{"signup with a taken email", "POST", "/api/v1/auth/signup", "",
				map[string]any{"email": "owner@test.example", "password": "a long enough password", "name": "重複", "locale": "ja"}, ja,
				409, "このメールアドレスのアカウントはすでに登録されています"},
			{"wrong password", "POST", "/api/v1/auth/login", "",
				map[string]any{"email": "owner@test.example", "password": "not the password"}, ja,
				401, "メールアドレスまたはパスワードが正しくありません"},
			{"stale nomination version", "PATCH", draft, f.tokens["owner"],
				map[string]any{"answers": map[string]any{"initiative_title": "上書き"}}, append(ja, "If-Match", current.header.Get("ETag")),
				409, "この応募は他の操作で更新されました"},
			{"stale organisation version", "PATCH", org, f.tokens["admin"],
				map[string]any{"municipality": "港区"}, append(ja, "If-Match", orgNow.header.Get("ETag")),
				409, "この団体の情報は他の操作で更新されました"},
			{"no such nomination", "GET", "/api/v1/nominations/999999", f.tokens["admin"], nil, ja,
				404, "応募 999999 は見つかりません"},
			{"no such organisation", "GET", "/api/v1/organisations/999999", f.tokens["admin"], nil, ja,
				404, "団体 999999 は見つかりません"},
			{"corporate number taken", "POST", "/api/v1/organisations", f.tokens["admin"], numbered, ja,
				409, "既存の担当者に招待を依頼してください"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := f.do(tc.method, tc.path, tc.token, tc.body, tc.headers...)
				e, _ := r.body["error"].(map[string]any)
				msg, _ := e["message"].(string)
				if r.status != tc.status || !strings.Contains(msg, tc.want) || msg == messagesJa[r.errorCode()] {
					t.Fatalf("%d %q, want %d with %q", r.status, msg, tc.status, tc.want)
				}
				en := f.do(tc.method, tc.path, tc.token, tc.body, append(tc.headers, "Accept-Language", "en")...)
				if em, _ := en.body["error"].(map[string]any); em["message"] == msg || em["message"] == "" {
					t.Fatalf("English message %v", em["message"])
				}
			})
		}
	})
}

// TestMalformedBodiesSaySo: a body the API cannot read is refused with what
// is wrong and where, in Japanese as in English, and never with Go's own
// type names; a nomination without its cycle, programme or organisation is
// a 422 naming each, not a 404 for a cycle named "".
func TestMalformedBodiesSaySo(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		for _, tc := range []struct {
			body   any
			status int
			ja, en string
		}{
			{`{"bogus":1}`, 400, "項目「bogus」は受け付けていません", `unknown field \"bogus\"`},
			{`{"organisation_id":"x"}`, 400, "項目「organisation_id」は数値で指定してください", `field \"organisation_id\" must be a number`},
			{`{"cycle":7}`, 400, "項目「cycle」は文字列で指定してください", `field \"cycle\" must be a string`},
			{``, 400, "本文が空です", "the request body is empty"},
			{`{"cycle":`, 400, "途中で終わっています", "ends unexpectedly"},
			{`{"cycle":"x"} {}`, 400, "余分なデータ", "exactly one JSON object"},
			{`[1]`, 400, "JSON オブジェクトを送ってください", "must be a JSON object"},
			{`{}`, 422, "募集回・部門・団体の指定が必要です", "needs a cycle, a programme and an organisation"},
		} {
			for _, lang := range []string{"ja", "en"} {
				r := f.do("POST", "/api/v1/nominations", f.tokens["admin"], tc.body, "Accept-Language", lang)
				want := tc.ja
				if lang == "en" {
					want = tc.en
				}
				if r.status != tc.status || !strings.Contains(r.raw, want) || strings.Contains(r.raw, "Go struct") {
					t.Errorf("%s body %q = %d %s, want %d with %q", lang, tc.body, r.status, r.raw, tc.status, want)
				}
			}
		}
	})
}
