package web

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// corporateNumber is a valid 法人番号 for the 12 digits base, and one with
// a wrong check digit.
func corporateNumber(t testing.TB, base string) (good, bad string) {
	for d := 1; d <= 9; d++ {
		n := strconv.Itoa(d) + base
		if workflow.ValidCorporateNumber(n) {
			good = n
		} else if bad == "" {
			bad = n
		}
	}
	if good == "" {
		t.Fatalf("no check digit makes %s valid", base)
	}
	return good, bad
}

// fullWidth turns ASCII digits into full-width ones, as a Japanese IME types them.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// signUp makes a fresh company account through the pages and returns its client.
func (ts *testSite) signUp(email string) *client {
	ts.t.Helper()
	c := ts.client()
	pw := "梅雨明けの青い空と白い雲"
	if r := c.post("/signup", url.Values{"name": {"鈴木一郎"}, "email": {email}, "password": {pw}, "password_again": {pw}}); r.status != 303 {
		ts.t.Fatalf("sign up: %d\n%s", r.status, r.body)
	}
	return c
}

func orgForm(corp string) url.Values {
	return url.Values{"name": {"株式会社テスト商事"}, "name_kana": {"テストショウジ"}, "legal_form": {"kabushiki_kaisha"},
		"corporate_number": {corp}, "prefecture": {"13"}, "municipality": {"千代田区"}, "industry": {"E"},
		"total_headcount": {fullWidth("120")}, "regular_headcount": {fullWidth("100")}, "capital": {"10,000,000"}}
}

func TestCompanyHome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		tests := []struct {
			who  string
			want []string // texts the page must show, in ja
		}{
			{"applicant", []string{"信州市町村共同事務センター の担当者", "下書き", "応募の締切", "入力を続ける"}},
			{"mic-judge-1", []string{"あなたの役割", "審査員（総務省）"}},
			{"mhlw-secretariat", []string{"事務局（厚生労働省）"}},
			{"admin", []string{"管理者（全体）"}},
		}
		for _, tt := range tests {
			for _, lang := range languages {
				t.Run(tt.who+"/"+lang, func(t *testing.T) {
					r := ts.as(tt.who).get("/me?lang=" + lang)
					if r.status != 200 {
						t.Fatalf("status %d", r.status)
					}
					checkPage(t, r, lang)
					if lang != "ja" {
						return
					}
					page := text(r.doc)
					for _, w := range tt.want {
						if !strings.Contains(page, w) {
							t.Errorf("no %q in %s", w, page)
						}
					}
				})
			}
		}
		t.Run("a new company is asked for its organisation", func(t *testing.T) {
			r := ts.signUp("new@example.jp").get("/me")
			if r.status != 200 || !strings.Contains(r.body, `href="/org/new"`) {
				t.Fatalf("%d\n%s", r.status, r.body)
			}
		})
	})
}

func TestOrganisationProfile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		good, bad := corporateNumber(t, "234567890123")
		c := ts.signUp("clerk@example.jp")

		r := c.post("/org/new", orgForm(fullWidth(bad)))
		if r.status != 422 {
			t.Fatalf("wrong check digit: %d\n%s", r.status, r.body)
		}
		checkPage(t, r, "ja")
		if e := byID(r, "f-corporate-number-error"); e == nil || !strings.Contains(text(e), "チェックデジット") && !strings.Contains(text(e), "法人番号") {
			t.Errorf("no corporate-number error under the field: %v", e)
		}
		if byID(r, "form-errors") == nil {
			t.Error("no error summary")
		}
		for name, want := range map[string]string{"name": "株式会社テスト商事", "corporate_number": fullWidth(bad), "total_headcount": fullWidth("120"), "capital": "10,000,000", "municipality": "千代田区"} {
			if got := fieldValue(r, name); got != want {
				t.Errorf("%s kept as %q, want %q", name, got, want)
			}
		}
		if n := find(r.doc, func(n *html.Node) bool {
			return n.Data == "option" && attr(n, "value") == "13" && hasAttr(n, "selected")
		}); len(n) != 1 {
			t.Error("the prefecture is not kept")
		}

		r = c.post("/org/new", orgForm(fullWidth(good)))
		if r.status != 303 || r.header.Get("Location") != "/me" {
			t.Fatalf("valid: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
		}
		r = c.get("/org")
		if r.status != 200 || !strings.Contains(r.body, good) || !strings.Contains(r.body, "10,000,000円") || !strings.Contains(r.body, "東京都") {
			t.Fatalf("profile: %d\n%s", r.status, r.body)
		}
		checkPage(t, r, "ja")

		edit := c.get("/org/edit")
		version := fieldValue(edit, "version")
		form := orgForm(good)
		form.Set("version", version)
		form.Set("municipality", "港区")
		if r := c.post("/org/edit", form); r.status != 303 {
			t.Fatalf("edit: %d\n%s", r.status, r.body)
		}
		form.Set("municipality", "新宿区") // typed in a tab opened before the save above
		r = c.post("/org/edit", form)
		if r.status != 409 {
			t.Fatalf("stale edit: %d\n%s", r.status, r.body)
		}
		checkPage(t, r, "ja")
		if !strings.Contains(r.body, "港区") || !strings.Contains(r.body, "新宿区") {
			t.Error("the conflict page does not show both values")
		}

		other := ts.signUp("other@example.jp")
		if r := other.get("/org"); r.status != 303 || r.header.Get("Location") != "/org/new" {
			t.Errorf("another company's /org: %d %s", r.status, r.header.Get("Location"))
		}
		if r := c.postFrom("/org/edit", form, "cross-site"); r.status != 403 {
			t.Errorf("cross-site: %d", r.status)
		}
	})
}
