package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/html"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/workflow"
)

var signups atomic.Int64

// signUp registers a new company clerk through the sign-up page and
// returns its signed-in client: an applicant without an organisation.
func (ts *testSite) signUp(t *testing.T) *client {
	t.Helper()
	c := ts.client()
	pw := "correct horse battery staple 9"
	r := c.post("/signup", url.Values{"name": {"新規 担当者"}, "email": {fmt.Sprintf("clerk%d@example.jp", signups.Add(1))},
		"password": {pw}, "password_again": {pw}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign up: %d\n%s", r.status, r.body)
	}
	return c
}

// clerkOf creates an applicant account acting for the demo organisation
// whose name contains q, and returns its signed-in client.
func (ts *testSite) clerkOf(t *testing.T, q string) *client {
	t.Helper()
	ctx := context.Background()
	os, _, err := ts.svc.Organisations(ctx, testAdmin, workflow.OrganisationFilter{Q: q})
	if err != nil || len(os) != 1 {
		t.Fatalf("organisation %q: %v %v", q, os, err)
	}
	email, pw := fmt.Sprintf("clerk%d@example.jp", signups.Add(1)), "correct horse battery staple 9"
	if _, err := ts.svc.CreateUser(ctx, testAdmin, workflow.NewUser{Email: email, Name: "担当者", Password: pw, Locale: "ja",
		Role: workflow.RoleApplicant, Domain: workflow.AnyDomain, OrganisationID: os[0].ID}); err != nil {
		t.Fatal(err)
	}
	c := ts.client()
	if r := c.post("/login", url.Values{"email": {email}, "password": {pw}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", r.status)
	}
	return c
}

// in asks for pages in lang (as a browser's Accept-Language).
func (c *client) in(lang string) *client { c.lang = lang; return c }

// mainText is the text of <main>.
func mainText(r *response) string {
	ms := find(r.doc, func(n *html.Node) bool { return n.Data == "main" })
	if len(ms) != 1 {
		return ""
	}
	return text(ms[0])
}

// links are the hrefs of the links in <main>.
func links(r *response) []string {
	var out []string
	for _, m := range find(r.doc, func(n *html.Node) bool { return n.Data == "main" }) {
		for _, a := range find(m, func(n *html.Node) bool { return n.Data == "a" }) {
			out = append(out, attr(a, "href"))
		}
	}
	return out
}

// formValues is what the page's form would post as shown: inputs,
// selected options and textareas.
func formValues(r *response) url.Values {
	v := url.Values{}
	for _, n := range find(r.doc, func(n *html.Node) bool { return attr(n, "name") != "" }) {
		switch n.Data {
		case "input":
			v.Set(attr(n, "name"), attr(n, "value"))
		case "textarea":
			v.Set(attr(n, "name"), text(n))
		case "select":
			v.Set(attr(n, "name"), "")
			for _, o := range find(n, func(o *html.Node) bool { return o.Data == "option" }) {
				for _, a := range o.Attr {
					if a.Key == "selected" {
						v.Set(attr(n, "name"), attr(o, "value"))
					}
				}
			}
		}
	}
	return v
}

// corporateNumber is base (12 digits) with its check digit in front.
func corporateNumber(base string) string {
	sum := 0
	for i := 0; i < 12; i++ {
		q := 1
		if (12-i)%2 == 0 {
			q = 2
		}
		sum += int(base[i]-'0') * q
	}
	return strconv.Itoa(9-sum%9) + base
}

// fullWidth writes ASCII digits as full-width ones, as an IME types them.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// domainMessage is the domain's message for the problem at path of o.
func domainMessage(t *testing.T, o workflow.Organisation, path, lang string) string {
	t.Helper()
	for _, p := range o.Normalise().Validate() {
		if p.Path == path {
			return p.Message.In(lang)
		}
	}
	t.Fatalf("the domain finds no problem at %s", path)
	return ""
}

func TestCompanyHome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		clients := map[string]*client{}
		for _, k := range []string{"applicant", "mic-secretariat", "mhlw-secretariat", "mic-chair", "mhlw-chair", "mic-judge-1", "mhlw-judge-1", "admin", "anon"} {
			clients[k] = ts.as(k)
		}
		clients["no organisation"] = ts.signUp(t)
		clients["returned"] = ts.clerkOf(t, "杜の都ホテルズ")
		clients["in judging"] = ts.clerkOf(t, "さくらクラウド研究所")
		cv, err := ts.svc.Cycle(context.Background(), demo.Key)
		if err != nil {
			t.Fatal(err)
		}
		mic, _ := cv.Cycle.Programme("mic-pioneer")
		micCloses := workflow.CallWindow(mic).Closes
		tests := []struct {
			who  string
			want map[string][]string // by language: texts <main> must hold
			not  []string            // texts it must not hold, in any language
			open bool                // every link in <main> must open (no 404)
		}{
			{"applicant", map[string][]string{
				"ja": {"信州市町村共同事務センター", "下書き", strings.TrimSuffix(workflow.WarekiDeadline(micCloses), "まで") + " 24:00まで（日本時間）", "応募締切", "入力を続ける"},
				"en": {"信州市町村共同事務センター", "draft", workflow.DeadlineEn(micCloses), "Continue filling in"}},
				// The MIC call is open and the applicant's draft is there: the
				// open call links to the draft, not to a second nomination.
				[]string{"/org/new", "現在、応募を受け付けている部門はありません", "No programme is open", "/nominations/new?programme=mic-pioneer"}, false},
			{"no organisation", map[string][]string{
				"ja": {"まず、企業・団体の情報を登録してください", "企業・団体の情報を登録する"},
				"en": {"First, register your organisation", "Register your organisation"}},
				[]string{"応募の一覧", "Your nominations"}, true},
			{"returned", map[string][]string{
				"ja": {"事務局から修正の依頼が1件あります", "時間外労働の記録が添付されていません", "修正の期限", "差戻し中（修正待ち）", "応募内容を修正する"},
				"en": {"asked for 1 correction", "時間外労働の記録が添付されていません", "Correct by", "returned for correction", "Correct your nomination"}},
				nil, false},
			// This year's entry is in judging (審査中 until release); last
			// year's, released, rightly reads 認定 (recognised as a Pioneer).
			{"in judging", map[string][]string{
				"ja": {"審査中", "応募内容を見る", "提出日時", "認定"},
				"en": {"under review", "See your nomination", "Submitted", "recognised"}},
				[]string{"選定", "in review", "selected"}, false},
			{"mic-secretariat", map[string][]string{
				"ja": {"総務省の事務局", "業務画面", "事務局（応募・審査・結果）"}, "en": {"secretariat, Ministry of Internal Affairs and Communications", "Work pages", "Secretariat"}},
				[]string{"/org", "次回のリリース", "next release", "審査（担当"}, true},
			{"mhlw-secretariat", map[string][]string{"ja": {"厚生労働省の事務局"}, "en": {"secretariat, Ministry of Health, Labour and Welfare"}}, nil, true},
			{"mic-chair", map[string][]string{"ja": {"総務省の委員長"}, "en": {"chair, Ministry of Internal Affairs"}}, nil, true},
			{"mhlw-chair", map[string][]string{"ja": {"厚生労働省の委員長"}, "en": {"chair, Ministry of Health"}}, nil, true},
			{"mic-judge-1", map[string][]string{"ja": {"総務省の審査員", "審査（担当の応募の採点）"}, "en": {"judge, Ministry of Internal Affairs", "Judging"}}, []string{"事務局（", "管理（"}, true},
			{"mhlw-judge-1", map[string][]string{"ja": {"厚生労働省の審査員"}, "en": {"judge, Ministry of Health"}}, nil, true},
			{"admin", map[string][]string{"ja": {"すべての府省の管理者", "管理（利用者・権限・年度）", "事務局（応募・審査・結果）"}, "en": {"administrator, all ministries", "Administration"}}, []string{"審査（担当"}, true},
		}
		for _, tt := range tests {
			for _, lang := range languages {
				t.Run(tt.who+"/"+lang, func(t *testing.T) {
					c := clients[tt.who].in(lang)
					r := c.get("/me")
					if r.status != http.StatusOK {
						t.Fatalf("status %d\n%s", r.status, r.body)
					}
					checkPage(t, r, lang)
					if r.header.Get("Cache-Control") != "no-store" {
						t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
					}
					body := mainText(r)
					for _, w := range tt.want[lang] {
						if !strings.Contains(body, w) {
							t.Errorf("no %q in\n%s", w, body)
						}
					}
					for _, w := range tt.not {
						if strings.Contains(body, w) {
							t.Errorf("%q shown in\n%s", w, body)
						}
					}
					if tt.open {
						for _, href := range links(r) {
							if st := c.get(href).status; st == http.StatusNotFound || st >= 500 {
								t.Errorf("link %s answers %d", href, st)
							}
						}
					}
				})
			}
		}
		t.Run("the applicant's links go to its nomination", func(t *testing.T) {
			r := clients["applicant"].in("ja").get("/me")
			var detail, edit bool
			for _, h := range links(r) {
				detail = detail || strings.HasPrefix(h, "/nominations/") && !strings.Contains(h, "/edit")
				edit = edit || strings.HasPrefix(h, "/nominations/") && strings.HasSuffix(h, "/edit?step=1")
			}
			if !detail || !edit {
				t.Errorf("links %v", links(r))
			}
		})
		t.Run("signed out", func(t *testing.T) {
			r := clients["anon"].get("/me")
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Fme" {
				t.Fatalf("%d %s", r.status, r.header.Get("Location"))
			}
		})
	})
}

// validOrg is a valid organisation form as a clerk types it: full-width
// digits, a corporate number with its right check digit.
func validOrg(corp string) url.Values {
	return url.Values{
		"name": {"株式会社テスト工房"}, "name_kana": {"テストコウボウ"}, "legal_form": {"kabushiki_kaisha"},
		"corporate_number": {fullWidth(corp)}, "prefecture": {"20"}, "municipality": {"松本市"}, "industry": {"G"},
		"sme_sector": {"services"}, "total_headcount": {fullWidth("120")}, "regular_headcount": {fullWidth("100")},
		"capital": {fullWidth("10,000,000")},
	}
}

func TestOrganisationCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		good := corporateNumber("000012345678")
		wrong := good[:12] + strconv.Itoa((int(good[12]-'0')+1)%10) // one digit off: the check digit no longer holds
		with := func(v url.Values, k, val string) url.Values {
			out := url.Values{}
			for kk, vv := range v {
				out[kk] = vv
			}
			out.Set(k, val)
			return out
		}
		tests := []struct {
			name      string
			lang      string
			form      url.Values
			fetchSite string
			status    int
			errors    map[string]string // field → its error text
		}{
			{"valid, full-width digits", "ja", validOrg(good), "same-origin", 303, nil},
			{"wrong check digit", "ja", validOrg(wrong), "same-origin", 422, map[string]string{
				"corporate_number": domainMessage(t, workflow.Organisation{CorporateNumber: wrong}, "corporate_number", "ja")}},
			{"wrong check digit, English", "en", validOrg(wrong), "same-origin", 422, map[string]string{
				"corporate_number": domainMessage(t, workflow.Organisation{CorporateNumber: wrong}, "corporate_number", "en")}},
			{"reading not in katakana", "ja", with(validOrg(good), "name_kana", "てすとこうぼう"), "same-origin", 422, map[string]string{
				"name_kana": domainMessage(t, workflow.Organisation{NameKana: "てすとこうぼう"}, "name_kana", "ja")}},
			{"more regular staff than staff", "ja", with(validOrg(good), "regular_headcount", "500"), "same-origin", 422, map[string]string{
				"regular_headcount": domainMessage(t, workflow.Organisation{TotalHeadcount: 120, RegularHeadcount: 500}, "regular_headcount", "ja")}},
			{"headcount not a number", "ja", with(validOrg(wrong), "total_headcount", "百二十"), "same-origin", 422, map[string]string{
				"total_headcount":  "人数は数字で入力してください（例：120）",
				"corporate_number": domainMessage(t, workflow.Organisation{CorporateNumber: wrong}, "corporate_number", "ja")}},
			{"total headcount unreadable: no problem with the regular one", "ja", with(validOrg(good), "total_headcount", "abc"), "same-origin", 422, map[string]string{
				"total_headcount": "人数は数字で入力してください（例：120）", "regular_headcount": ""}},
			{"nothing typed", "ja", url.Values{}, "same-origin", 422, map[string]string{
				"name": domainMessage(t, workflow.Organisation{}, "name", "ja"), "legal_form": "選択肢から選んでください",
				"prefecture": "選択肢から選んでください", "total_headcount": "人数を入力してください"}},
			{"cross-site", "ja", validOrg(good), "cross-site", 403, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := ts.signUp(t).in(tt.lang)
				if r := c.get("/org/new"); r.status != 200 {
					t.Fatalf("form: %d", r.status)
				} else {
					checkPage(t, r, tt.lang)
				}
				r := c.postFrom("/org/new", tt.form, tt.fetchSite)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d\n%s", r.status, tt.status, mainText(r))
				}
				switch tt.status {
				case 303:
					if loc := r.header.Get("Location"); loc != "/me" {
						t.Fatalf("Location %q", loc)
					}
					home := mainText(c.get("/me"))
					for _, w := range []string{"企業・団体の情報を登録しました", "株式会社テスト工房", "テレワークトップランナー2026（総務大臣賞・百選・先駆者）」に応募する"} {
						if !strings.Contains(home, w) {
							t.Errorf("home lacks %q:\n%s", w, home)
						}
					}
					if !strings.Contains(c.get("/me").body, `href="/nominations/new?programme=mic-pioneer"`) {
						t.Error("no link to start a MIC nomination")
					}
					prof := c.get("/org")
					checkPage(t, prof, tt.lang)
					for _, w := range []string{good, "長野県", "松本市", "120人", "100人", "10,000,000円", "中小企業", "サービス業"} {
						if !strings.Contains(mainText(prof), w) {
							t.Errorf("profile lacks %q:\n%s", w, mainText(prof))
						}
					}
					if r := c.get("/org/new"); r.status != 303 || r.header.Get("Location") != "/org" {
						t.Errorf("a second organisation: %d %s", r.status, r.header.Get("Location"))
					}
				case 422:
					checkPage(t, r, tt.lang)
					sum := byID(r, "form-errors")
					if sum == nil {
						t.Fatal("no error summary")
					}
					for field, msg := range tt.errors {
						id := "f-" + strings.ReplaceAll(field, "_", "-")
						e := byID(r, id+"-error")
						if msg == "" { // this field must show no error
							if e != nil {
								t.Errorf("%s: error %q", field, text(e))
							}
							continue
						}
						if e == nil {
							t.Errorf("%s: no error, want %q", field, msg)
						} else if text(e) != msg {
							t.Errorf("%s: error %q, want %q", field, text(e), msg)
						}
						if !strings.Contains(text(sum), msg) {
							t.Errorf("summary lacks %q", msg)
						}
						if in := byID(r, id); in == nil || attr(in, "aria-invalid") != "true" || !strings.Contains(attr(in, "aria-describedby"), id+"-error") {
							t.Errorf("%s is not marked invalid and described by its error", field)
						}
					}
					got := formValues(r)
					for k := range validOrg(good) {
						if got.Get(k) != tt.form.Get(k) {
							t.Errorf("%s kept as %q, typed %q", k, got.Get(k), tt.form.Get(k))
						}
					}
				}
			})
		}
		t.Run("the label of 法人番号", func(t *testing.T) {
			r := ts.signUp(t).get("/org/new")
			for id, want := range map[string]string{"f-corporate-number": "法人番号", "f-name": "法人名（団体名）", "f-prefecture": "都道府県"} {
				ls := find(r.doc, func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == id })
				if len(ls) != 1 || !strings.HasPrefix(text(ls[0]), want) {
					t.Errorf("label of %s", id)
				}
			}
			var prefs []string
			for _, o := range find(byID(r, "f-prefecture"), func(n *html.Node) bool { return n.Data == "option" }) {
				prefs = append(prefs, attr(o, "value"))
			}
			if len(prefs) != 48 || prefs[1] != "01" || prefs[13] != "13" || prefs[47] != "47" {
				t.Errorf("prefectures %v", prefs)
			}
			if attr(byID(r, "f-total-headcount"), "inputmode") != "numeric" {
				t.Error("headcount without inputmode numeric")
			}
		})
		t.Run("signed out", func(t *testing.T) {
			r := ts.client().get("/org/new")
			if r.status != 303 || r.header.Get("Location") != "/login?next=%2Forg%2Fnew" {
				t.Fatalf("%d %s", r.status, r.header.Get("Location"))
			}
		})
		t.Run("a corporate number another organisation holds", func(t *testing.T) {
			r := ts.signUp(t).post("/org/new", validOrg("4011001098993")) // 株式会社さくらクラウド研究所
			if r.status != http.StatusConflict {
				t.Fatalf("status %d", r.status)
			}
			checkPage(t, r, "ja")
			if e := byID(r, "f-corporate-number-error"); e == nil || text(e) != workflow.CorporateNumberTaken("4011001098993").Ja {
				t.Errorf("error under 法人番号: %v", e)
			}
		})
	})
}

func TestOrganisationEdit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		app := ts.as("applicant")
		form := app.get("/org/edit")
		if form.status != 200 {
			t.Fatalf("edit page: %d", form.status)
		}
		checkPage(t, form, "ja")
		shown := formValues(form)
		if shown.Get("name") != "信州市町村共同事務センター" || shown.Get("legal_form") != "local_government" || shown.Get("prefecture") != "20" ||
			shown.Get("id") == "" || shown.Get("version") == "" {
			t.Fatalf("edit form shows %v", shown)
		}
		edit := func(v url.Values, k, val string) url.Values {
			out := url.Values{}
			for kk, vv := range v {
				out[kk] = vv
			}
			out.Set(k, val)
			return out
		}
		t.Run("valid, full-width digits", func(t *testing.T) {
			r := app.post("/org/edit", edit(edit(shown, "municipality", "松本市"), "total_headcount", "６５"))
			if r.status != 303 || r.header.Get("Location") != "/org" {
				t.Fatalf("%d %s\n%s", r.status, r.header.Get("Location"), mainText(r))
			}
			prof := mainText(app.get("/org"))
			for _, w := range []string{"企業・団体の情報を保存しました", "松本市", "65人", "地方公共団体", "長野県"} {
				if !strings.Contains(prof, w) {
					t.Errorf("profile lacks %q:\n%s", w, prof)
				}
			}
		})
		t.Run("stale version: the conflict page with both values", func(t *testing.T) {
			r := app.post("/org/edit", edit(shown, "municipality", "上田市")) // the version seen before the edit above
			if r.status != http.StatusConflict {
				t.Fatalf("status %d\n%s", r.status, mainText(r))
			}
			checkPage(t, r, "ja")
			var row *html.Node
			for _, tr := range find(r.doc, func(n *html.Node) bool { return n.Data == "tr" }) {
				if strings.HasPrefix(text(tr), "市区町村") {
					row = tr
				}
			}
			if row == nil || text(row) != "市区町村松本市上田市" || attr(row, "class") != "differs" {
				t.Fatalf("municipality row: %v\n%s", row != nil, mainText(r))
			}
			if !strings.Contains(r.body, `href="/org/edit"`) {
				t.Error("no way back to the fresh form")
			}
			if !strings.Contains(mainText(app.get("/org")), "松本市") {
				t.Error("the stale post overwrote the saved value")
			}
		})
		t.Run("invalid edit keeps the values", func(t *testing.T) {
			fresh := formValues(app.get("/org/edit"))
			r := app.post("/org/edit", edit(fresh, "corporate_number", "１２３４５６７８９０１２３"))
			if r.status != 422 {
				t.Fatalf("status %d", r.status)
			}
			if e := byID(r, "f-corporate-number-error"); e == nil || text(e) != domainMessage(t, workflow.Organisation{CorporateNumber: "1234567890123"}, "corporate_number", "ja") {
				t.Error("no domain message under 法人番号")
			}
			if got := formValues(r); got.Get("corporate_number") != "１２３４５６７８９０１２３" || got.Get("municipality") != "松本市" || got.Get("version") != fresh.Get("version") {
				t.Errorf("kept %v", got)
			}
		})
		t.Run("cross-site", func(t *testing.T) {
			fresh := formValues(app.get("/org/edit"))
			if r := app.postFrom("/org/edit", edit(fresh, "municipality", "悪意市"), "cross-site"); r.status != 403 {
				t.Fatalf("status %d", r.status)
			}
			if strings.Contains(mainText(app.get("/org")), "悪意市") {
				t.Error("a cross-site post changed the organisation")
			}
		})
		t.Run("another applicant", func(t *testing.T) {
			other := ts.signUp(t)
			for _, p := range []string{"/org", "/org/edit"} {
				if r := other.get(p); r.status != 303 || r.header.Get("Location") != "/org/new" {
					t.Errorf("GET %s: %d %s", p, r.status, r.header.Get("Location"))
				}
			}
			fresh := formValues(app.get("/org/edit"))
			r := other.post("/org/edit", edit(fresh, "municipality", "他人市"))
			if r.status != http.StatusNotFound {
				t.Fatalf("posting another's organisation: %d", r.status)
			}
			checkPage(t, r, "ja")
			if strings.Contains(r.body, "信州市町村共同事務センター") {
				t.Error("the 404 page names the organisation")
			}
			// With an organisation of its own, it sees and edits only that one.
			if r := other.post("/org/new", validOrg(corporateNumber("000099887766"))); r.status != 303 {
				t.Fatalf("create: %d\n%s", r.status, mainText(r))
			}
			if r := other.post("/org/edit", edit(fresh, "municipality", "他人市")); r.status != http.StatusNotFound {
				t.Errorf("posting another's organisation with one of its own: %d", r.status)
			}
			if prof := mainText(other.get("/org")); strings.Contains(prof, "信州市町村共同事務センター") || !strings.Contains(prof, "株式会社テスト工房") {
				t.Errorf("its profile:\n%s", prof)
			}
			if strings.Contains(mainText(app.get("/org")), "他人市") {
				t.Error("another applicant changed the organisation")
			}
		})
		t.Run("roles", func(t *testing.T) {
			for _, tt := range []struct {
				who, method, path string
				status            int
			}{
				{"anon", "GET", "/org", 303},
				{"anon", "GET", "/org/edit", 303},
				{"anon", "POST", "/org/edit", 303},
				{"mic-secretariat", "GET", "/org", 200},
				{"mic-secretariat", "GET", "/org/new", 200},
				{"mhlw-secretariat", "GET", "/org/edit", 200},
				{"admin", "GET", "/org", 200},
				{"mic-secretariat", "POST", "/org/new", 403},
				{"admin", "POST", "/org/edit", 403},
				{"mic-judge-1", "GET", "/org", 403},
				{"mhlw-judge-1", "GET", "/org/new", 403},
				{"mic-chair", "GET", "/org/edit", 403},
				{"mic-judge-1", "POST", "/org/new", 403},
			} {
				for _, lang := range languages {
					c := ts.as(tt.who).in(lang)
					var r *response
					if tt.method == "GET" {
						r = c.get(tt.path)
					} else {
						r = c.post(tt.path, validOrg(corporateNumber("000011112222")))
					}
					if r.status != tt.status {
						t.Errorf("%s %s %s: %d, want %d", tt.who, tt.method, tt.path, r.status, tt.status)
						continue
					}
					if r.status == 303 {
						if !strings.HasPrefix(r.header.Get("Location"), "/login?next=") {
							t.Errorf("%s %s %s: to %s", tt.who, tt.method, tt.path, r.header.Get("Location"))
						}
						continue
					}
					checkPage(t, r, lang)
				}
			}
		})
	})
}
