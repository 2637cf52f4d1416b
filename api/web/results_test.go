package web

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/workflow"
)

// The MHLW stage the results pages are tested on, and its paths.
var (
	review      = workflow.StageRef{Cycle: demo.Key, Programme: "mhlw-kagayaku", Stage: "review"}
	decisionURL = stagePath(review, "/decision")
	releaseURL  = programmePath(demo.Key, "mhlw-kagayaku", "/release")
	pubsURL     = programmePath(demo.Key, "mhlw-kagayaku", "/publications")
)

// actor is a printed demo account as the services see it.
func (ts *testSite) actor(key string) workflow.Actor {
	ts.t.Helper()
	a := ts.accounts[key]
	ctx := context.Background()
	_, tok, err := ts.svc.Login(ctx, a.Email, a.Password)
	if err != nil {
		ts.t.Fatal(err)
	}
	_, actor, err := ts.authz.Actor(ctx, ts.svc, tok.Value)
	if err != nil {
		ts.t.Fatal(err)
	}
	return actor
}

// mhlwEntries are the MHLW nominations under review, in the demo's order
// (the last one unassigned).
func mhlwEntries(t *testing.T, ts *testSite) []workflow.Nomination {
	t.Helper()
	items, _, err := ts.svc.Nominations(context.Background(), testAdmin, workflow.NominationFilter{Cycle: demo.Key, Programme: "mhlw-kagayaku",
		State: workflow.InReview, Page: workflow.Page{Limit: 50}})
	if err != nil {
		t.Fatal(err)
	}
	var out []workflow.Nomination
	for _, it := range items {
		v, err := ts.svc.Nomination(context.Background(), testAdmin, it.Nomination.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v.Nomination)
	}
	if len(out) != 3 {
		t.Fatalf("%d MHLW entries under review, want 3", len(out))
	}
	slices.SortFunc(out, func(a, b workflow.Nomination) int { return int(a.ID - b.ID) })
	return out
}

// scoreAsJudge1 has mhlw-judge-1 submit one score (its values on every
// criterion), assigning the entry to it first when asked.
func scoreAsJudge1(t *testing.T, ts *testSite, id int64, assign bool, v map[string]any) {
	t.Helper()
	ctx := context.Background()
	if assign {
		if _, err := ts.svc.Assign(ctx, testAdmin, review, id, ts.userID("mhlw-judge-1")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.svc.SaveScore(ctx, ts.actor("mhlw-judge-1"), review, id, 0, workflow.ScoreInput{Values: v, Submit: true}); err != nil {
		t.Fatal(err)
	}
}

// decideMHLW applies a decision on the MHLW review through the service:
// one Excellence Award, one Special Encouragement Award.
func decideMHLW(t *testing.T, ts *testSite) {
	t.Helper()
	ctx := context.Background()
	spec := workflow.DecisionSpec{Awards: []workflow.AwardRule{{Award: "excellence", TopN: 1}, {Award: "special-encouragement", TopN: 1}}}
	pv, err := ts.svc.PreviewDecision(ctx, testAdmin, review, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.svc.ApplyDecision(ctx, testAdmin, review, spec, pv.Fingerprint); err != nil {
		t.Fatal(err)
	}
}

func releaseMHLW(t *testing.T, ts *testSite) {
	t.Helper()
	if _, err := ts.svc.Release(context.Background(), testAdmin, demo.Key, "mhlw-kagayaku",
		workflow.ReleaseRequest{ConfirmUndecided: true, Reason: "修正待ちの応募は対象外"}); err != nil {
		t.Fatal(err)
	}
}

// previewForm is the decision form as a browser posts it.
func previewForm(kv ...string) url.Values {
	v := url.Values{"measure": {"mean"}, "award.excellence": {"0"}, "award.special-encouragement": {"0"}, "reason": {""}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// hiddenValues are the hidden inputs of the form posting to action.
func hiddenValues(r *response, action string) url.Values {
	out := url.Values{}
	for _, f := range find(r.doc, func(n *html.Node) bool { return n.Data == "form" && attr(n, "action") == action }) {
		for _, in := range find(f, func(n *html.Node) bool { return n.Data == "input" && attr(n, "type") == "hidden" }) {
			out.Add(attr(in, "name"), attr(in, "value"))
		}
	}
	return out
}

func contains(t *testing.T, r *response, id string, want ...string) {
	t.Helper()
	n := byID(r, id)
	if n == nil {
		t.Fatalf("no #%s on the page:\n%.2000s", id, r.body)
	}
	got := text(n)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("#%s lacks %q: %s", id, w, got)
		}
	}
}

func TestResultsDecision(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		es := mhlwEntries(t, ts)
		sec := ts.as("mhlw-secretariat")
		r := sec.get(decisionURL)
		if r.status != 200 {
			t.Fatalf("decision page: %d", r.status)
		}
		checkPage(t, r, "ja")
		// The measures go by the ranking's names.
		for _, w := range []string{">平均点<", ">調整平均<", ">補正後の平均<"} {
			if !strings.Contains(r.body, w) {
				t.Errorf("the decision's measures lack the ranking's %q", w)
			}
		}
		if strings.Contains(r.body, "刈込平均") || strings.Contains(r.body, "正規化した値") {
			t.Error("the decision names a measure otherwise than the ranking")
		}
		// The counts start at the quota guide's minimum, never a silent 0.
		if a, b := fieldValue(r, "award.excellence"), fieldValue(r, "award.special-encouragement"); a != "1" || b != "3" {
			t.Errorf("award counts start at %q and %q, want the guide's minimum 1 and 3", a, b)
		}
		for _, e := range es {
			if byID(r, "f-treat-"+strconv.FormatInt(e.ID, 10)) == nil {
				t.Errorf("no choice for entry %d", e.ID)
			}
		}
		// The last entry shares the second one's figures: a tie at the cut.
		scoreAsJudge1(t, ts, es[2].ID, true, map[string]any{"wlb": 4, "productivity": 4, "originality": 3})
		cases := []struct {
			name   string
			form   url.Values
			status int
			id     string // element holding want
			want   []string
			field  string // a field that must keep its typed value
		}{
			{"full-width counts, every warning", previewForm("award.excellence", "１", "award.special-encouragement", "1"), 200, "preview-warnings",
				[]string{"未提出の採点", "境界で同点", "特別奨励賞は目安の下限3件に届きません"}, ""},
			{"every outcome", previewForm("award.excellence", "1", "award.special-encouragement", "1"), 200, "preview-table",
				[]string{"授賞：優秀賞", "授賞：特別奨励賞", "選出しない", workflow.EntryCode(es[0].ID) + " " + es[0].Snapshot.Name, es[2].Snapshot.Name}, ""},
			{"a count that is not a number", previewForm("award.excellence", "二"), 422, "form-errors", []string{"0以上の整数"}, "award.excellence"},
			{"a count left empty", previewForm("award.excellence", "", "award.special-encouragement", "2"), 422, "form-errors",
				[]string{"「優秀賞」の件数を入力してください"}, "award.special-encouragement"},
			{"the judging window is still open", previewForm("award.excellence", "1"), 200, "preview-open",
				[]string{"審査期間はまだ終わっていません", "令和"}, ""},
			{"nobody selected: a stronger warning and a second confirmation", previewForm(), 200, "apply-none",
				[]string{"どの応募も選出・授賞されません", "取り消せません"}, ""},
			{"a pick without its reason", previewForm("award.excellence", "1", "treat."+strconv.FormatInt(es[1].ID, 10), "pick:excellence"), 422,
				"form-errors", []string{"理由"}, "treat." + strconv.FormatInt(es[1].ID, 10)},
			{"a pick with its reason", previewForm("treat."+strconv.FormatInt(es[1].ID, 10), "pick:excellence", "why."+strconv.FormatInt(es[1].ID, 10), "地域への波及"),
				200, "entry-" + strconv.FormatInt(es[1].ID, 10), []string{"授賞：優秀賞", "個別に選出", "地域への波及"}, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := sec.post(decisionURL, tc.form)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d\n%.3000s", r.status, tc.status, r.body)
				}
				checkPage(t, r, "ja")
				contains(t, r, tc.id, tc.want...)
				if tc.field != "" && fieldValue(r, tc.field) != tc.form.Get(tc.field) && !strings.Contains(r.body, `value="`+tc.form.Get(tc.field)+`" selected`) {
					t.Errorf("%s lost its value %q", tc.field, tc.form.Get(tc.field))
				}
			})
		}
		form := previewForm("award.excellence", "1", "award.special-encouragement", "2")
		pv := sec.post(decisionURL, form)
		apply := hiddenValues(pv, decisionURL+"/apply")
		if apply.Get("fingerprint") == "" || len(apply["seen"]) != 3 {
			t.Fatalf("apply form carries %v", apply)
		}
		t.Run("apply needs the confirmation", func(t *testing.T) {
			r := sec.post(decisionURL+"/apply", apply)
			if r.status != 422 || byID(r, "f-confirm-error") == nil {
				t.Fatalf("%d without the confirmation", r.status)
			}
		})
		t.Run("nobody selected: apply needs the second confirmation", func(t *testing.T) {
			none := hiddenValues(sec.post(decisionURL, previewForm()), decisionURL+"/apply")
			none.Set("confirm", "true")
			r := sec.post(decisionURL+"/apply", none)
			if r.status != 422 || byID(r, "f-confirm-none-error") == nil {
				t.Fatalf("%d: applied an all-rejected decision without its confirmation", r.status)
			}
			contains(t, r, "form-errors", "選出・授賞する応募が0件です")
			for _, e := range es {
				if st := ts.nominationState(t, e.ID); st != workflow.InReview {
					t.Errorf("entry %d changed to %s", e.ID, st)
				}
			}
		})
		t.Run("the chair previews but cannot apply", func(t *testing.T) {
			chair := ts.as("mhlw-chair")
			r := chair.post(decisionURL, form)
			if r.status != 200 || strings.Contains(r.body, `action="`+decisionURL+"/apply") {
				t.Fatalf("chair: %d, apply form shown: %v", r.status, strings.Contains(r.body, "/apply"))
			}
			if r := chair.post(decisionURL+"/apply", apply); r.status != 403 {
				t.Errorf("chair applies: %d", r.status)
			}
		})
		t.Run("changed since the preview", func(t *testing.T) {
			scoreAsJudge1(t, ts, es[0].ID, false, map[string]any{"wlb": 1, "productivity": 1, "originality": 1})
			apply.Set("confirm", "true")
			r := sec.post(decisionURL+"/apply", apply)
			if r.status != http.StatusConflict {
				t.Fatalf("stale apply: %d", r.status)
			}
			checkPage(t, r, "ja")
			if !strings.Contains(r.body, "もう一度プレビュー") || strings.Contains(r.body, `action="`+decisionURL+"/apply") {
				t.Error("the conflict page does not send back to the preview")
			}
			if st := ts.nominationState(t, es[0].ID); st != workflow.InReview {
				t.Errorf("stale apply changed the entry to %s", st)
			}
			// Preview again from the conflict page's own form, then apply.
			again := sec.post(decisionURL, hiddenValues(r, decisionURL))
			if again.status != 200 {
				t.Fatalf("preview again: %d", again.status)
			}
			apply = hiddenValues(again, decisionURL+"/apply")
			apply.Set("confirm", "true")
		})
		t.Run("apply", func(t *testing.T) {
			r := sec.post(decisionURL+"/apply", apply)
			if r.status != http.StatusSeeOther {
				t.Fatalf("apply: %d\n%.2000s", r.status, r.body)
			}
			for _, e := range es {
				if st := ts.nominationState(t, e.ID); st == workflow.InReview {
					t.Errorf("entry %d still in review", e.ID)
				}
			}
			after := sec.get(decisionURL)
			if !strings.Contains(after.body, "決定を適用しました") || !strings.Contains(after.body, "審査中の応募はありません") {
				t.Errorf("after apply:\n%.2000s", after.body)
			}
		})
	})
}

func (ts *testSite) nominationState(t *testing.T, id int64) workflow.State {
	t.Helper()
	v, err := ts.svc.Nomination(context.Background(), testAdmin, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Nomination.State
}

func TestResultsRelease(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		mic := programmePath(demo.Key, "mic-pioneer", "/release")
		micSec, sec := ts.as("mic-secretariat"), ts.as("mhlw-secretariat")
		t.Run("call open", func(t *testing.T) {
			r := micSec.get(mic)
			checkPage(t, r, "ja")
			contains(t, r, "release-refused", "募集期間中", "締切：令和9年1月2日(土) 24:00まで（日本時間）")
			contains(t, r, "release-judging", "審査期間はまだ終わっていません", "令和")
			if strings.Contains(r.body, `action="`+mic+`"`) {
				t.Error("a release form while the call is open")
			}
			p := micSec.post(mic, url.Values{})
			if p.status != http.StatusConflict || !strings.Contains(p.body, "募集期間中") {
				t.Errorf("release during the call: %d", p.status)
			}
		})
		cases := []struct {
			name   string
			form   url.Values
			status int
			want   string
		}{
			{"undecided, unconfirmed", url.Values{}, 409, "「差戻し中（修正待ち）」の応募が1件あります"},
			{"confirmed without a reason", url.Values{"confirm": {"true"}}, 422, "理由を入力してください"},
			{"confirmed with a reason", url.Values{"confirm": {"true"}, "reason": {"修正待ちの1件は次年度に案内"}}, 303, ""},
		}
		r := sec.get(releaseURL)
		checkPage(t, r, "ja")
		contains(t, r, "release-preflight", "締切済み", "未発表", "審査中：3件", "差戻し中（修正待ち）：1件")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := sec.post(releaseURL, tc.form)
				if r.status != tc.status || !strings.Contains(r.body, tc.want) {
					t.Fatalf("status %d, want %d with %q\n%.3000s", r.status, tc.status, tc.want, r.body)
				}
				if r.doc != nil {
					checkPage(t, r, "ja")
					if tc.form.Get("reason") != fieldValue(r, "reason") {
						t.Error("the reason typed is lost")
					}
				}
			})
		}
		r = sec.get(releaseURL)
		contains(t, r, "release-preflight", "発表済み")
		if !strings.Contains(r.body, "修正待ちの1件は次年度に案内") || !strings.Contains(r.body, "結果を発表しました") {
			t.Error("the release page does not show the release and its confirmation")
		}
		if p := sec.post(releaseURL, url.Values{"confirm": {"true"}, "reason": {"二度目"}}); p.status != http.StatusConflict {
			t.Errorf("second release: %d", p.status)
		}
	})
}

// tables is the HTML of the award tables under the element with id.
func tables(t *testing.T, r *response, id string) string {
	t.Helper()
	n := byID(r, id)
	if n == nil {
		t.Fatalf("no #%s", id)
	}
	var b bytes.Buffer
	for _, tb := range find(n, func(n *html.Node) bool { return n.Data == "table" }) {
		if err := html.Render(&b, tb); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestResultsPublications(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		sec := ts.as("mhlw-secretariat")
		r := sec.get(pubsURL)
		checkPage(t, r, "ja")
		if !strings.Contains(r.body, "結果を発表してから") {
			t.Error("no word that the results must be released first")
		}
		decideMHLW(t, ts)
		releaseMHLW(t, ts)
		r = sec.get(pubsURL)
		checkPage(t, r, "ja")
		preview := tables(t, r, "public-preview")
		if !strings.Contains(preview, "優秀賞") || !strings.Contains(preview, "特別奨励賞") {
			t.Fatalf("preview: %s", preview)
		}
		cases := []struct {
			name, embargo, reason string
			status                int
			want                  string
		}{
			{"no embargo", "", "", 422, "解禁日時を入力してください"},
			{"not a time", "来週", "", 422, "2026-11-20 10:00"},
			{"scheduled, full-width digits", "２０２６-12-10T10:00", "", 303, ""},
			{"a second live version needs a reason", "2026-12-11T10:00", "", 422, "訂正の理由を入力してください"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := sec.post(pubsURL, url.Values{"embargo_at": {tc.embargo}, "reason": {tc.reason}})
				if r.status != tc.status || !strings.Contains(r.body, tc.want) {
					t.Fatalf("status %d, want %d with %q\n%.2000s", r.status, tc.status, tc.want, r.body)
				}
				if r.doc != nil {
					checkPage(t, r, "ja")
					if fieldValue(r, "embargo_at") != tc.embargo {
						t.Errorf("embargo typed %q is shown as %q", tc.embargo, fieldValue(r, "embargo_at"))
					}
				}
			})
		}
		r = sec.get(pubsURL)
		contains(t, r, "version-1", "解禁前", "令和8年12月10日(木) 10:00")
		if pub := ts.client().get("/awards/demo-telework"); strings.Contains(pub.body, "優秀賞") {
			t.Error("the embargoed list is public")
		}
		t.Run("withdraw before the embargo", func(t *testing.T) {
			w := programmePath(demo.Key, "mhlw-kagayaku", "/publications/1/withdraw")
			if r := sec.post(w, url.Values{}); r.status != 422 || byID(r, "f-withdraw-1-reason-error") == nil {
				t.Fatalf("withdraw without a reason: %d", r.status)
			}
			if r := sec.post(w, url.Values{"reason": {"表記の確認のため"}}); r.status != 303 {
				t.Fatalf("withdraw: %d", r.status)
			}
			contains(t, sec.get(pubsURL), "version-1", "取り下げ済み", "表記の確認のため")
		})
		t.Run("published: the preview is the public page", func(t *testing.T) {
			if r := sec.post(pubsURL, url.Values{"embargo_at": {"2026-12-04T09:00"}}); r.status != 303 {
				t.Fatalf("publish v2: %d", r.status)
			}
			ts.clock.Set(time.Date(2026, 12, 4, 9, 0, 0, 0, workflow.Tokyo))
			pub := ts.client().get("/awards/demo-telework?programme=mhlw-kagayaku")
			if pub.status != 200 {
				t.Fatalf("public page: %d", pub.status)
			}
			if got := tables(t, pub, "main"); got != preview {
				t.Errorf("the public page's tables differ from the preview:\npublic:  %s\npreview: %s", got, preview)
			}
			sec := ts.as("mhlw-secretariat") // the earlier session has ended by the new clock
			contains(t, sec.get(pubsURL), "version-2", "公開中")
			if r := sec.post(programmePath(demo.Key, "mhlw-kagayaku", "/publications/2/withdraw"), url.Values{"reason": {"遅すぎる"}}); r.status != 409 {
				t.Errorf("withdrawing a public version: %d", r.status)
			}
		})
	})
}

func TestResultsPublicRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		e := mhlwEntries(t, ts)[0]
		path := "/staff/nominations/" + strconv.FormatInt(e.ID, 10) + "/public"
		sec := ts.as("mhlw-secretariat")
		r := sec.get(path)
		if r.status != 200 {
			t.Fatalf("page: %d", r.status)
		}
		checkPage(t, r, "ja")
		form := url.Values{}
		for _, n := range []string{"organisation_name", "prefecture", "municipality", "industry", "headcount", "a.initiative_summary", "version"} {
			form.Set(n, fieldValue(r, n))
		}
		form.Set("prefecture", "23")
		form.Set("industry", "J")
		cases := []struct {
			name   string
			change map[string]string
			status int
			want   string
		}{
			{"no reason", map[string]string{"municipality": "名古屋市中区"}, 422, "理由"},
			{"headcount not a number", map[string]string{"headcount": "多数", "reason": "確認"}, 422, "1以上の整数"},
			{"corrected", map[string]string{"municipality": "名古屋市中区", "headcount": "１２００", "reason": "所在地の表記を確認"}, 303, ""},
			{"stale version", map[string]string{"municipality": "名古屋市東区", "reason": "再確認"}, 409, "名古屋市中区"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				for k, v := range tc.change {
					f.Set(k, v)
				}
				r := sec.post(path, f)
				if r.status != tc.status || !strings.Contains(r.body, tc.want) {
					t.Fatalf("status %d, want %d with %q\n%.2000s", r.status, tc.status, tc.want, r.body)
				}
				if r.doc != nil {
					checkPage(t, r, "ja")
				}
				if tc.status == 422 && fieldValue(r, "municipality") != f.Get("municipality") {
					t.Error("the typed municipality is lost")
				}
			})
		}
		r = sec.get(path)
		contains(t, r, "record", "名古屋市中区", "名古屋市", "訂正済み")
		rec, err := ts.svc.PublicRecord(context.Background(), testAdmin, e.ID)
		if err != nil || rec.Submitted.Municipality != e.Snapshot.Municipality || rec.Public.Municipality != "名古屋市中区" {
			t.Errorf("record after the correction: %+v %v", rec, err)
		}
	})
}

func TestResultsDownloads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		sec, chair := ts.as("mhlw-secretariat"), ts.as("mhlw-chair")
		panel, err := ts.svc.Panel(context.Background(), testAdmin, review)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			c      *client
			suffix string
			status int
			check  func(t *testing.T, body []byte)
		}{
			{"results workbook", sec, "/results.xlsx", 200, func(t *testing.T, body []byte) {
				x, err := excelize.OpenReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer x.Close()
				if len(x.GetSheetList()) < 3 {
					t.Errorf("sheets: %v", x.GetSheetList())
				}
			}},
			{"results workbook for the chair", chair, "/results.xlsx", 200, nil},
			{"every sheet", sec, "/sheets.zip", 200, func(t *testing.T, body []byte) {
				zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
				if err != nil {
					t.Fatal(err)
				}
				if len(zr.File) != len(panel) {
					t.Fatalf("%d sheets for a panel of %d", len(zr.File), len(panel))
				}
				for _, f := range zr.File {
					rc, _ := f.Open()
					x, err := excelize.OpenReader(rc)
					if err != nil {
						t.Fatalf("%s: %v", f.Name, err)
					}
					if _, err := x.GetRows(workflow.ScoresSheetName); err != nil {
						t.Errorf("%s: %v", f.Name, err)
					}
					x.Close()
					rc.Close()
				}
			}},
			{"no sheets for the chair", chair, "/sheets.zip", 403, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.get(stagePath(review, tc.suffix))
				if r.status != tc.status {
					t.Fatalf("status %d, want %d", r.status, tc.status)
				}
				if tc.check != nil {
					if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
						t.Errorf("Content-Disposition %q", cd)
					}
					tc.check(t, []byte(r.body))
				}
			})
		}
	})
}

// TestResultsRefused asks every results page of MHLW's programme, GET and
// POST, as those who must not reach it: refused, and no MHLW applicant's
// name or figure on the page.
func TestResultsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		es := mhlwEntries(t, ts)
		record := "/staff/nominations/" + strconv.FormatInt(es[0].ID, 10) + "/public"
		pages := []struct{ method, path string }{
			{"GET", decisionURL}, {"POST", decisionURL}, {"POST", decisionURL + "/apply"},
			{"GET", stagePath(review, "/results.xlsx")}, {"GET", stagePath(review, "/sheets.zip")},
			{"GET", releaseURL}, {"POST", releaseURL}, {"GET", pubsURL}, {"POST", pubsURL},
			{"POST", pubsURL + "/1/withdraw"}, {"GET", record}, {"POST", record},
		}
		form := previewForm("award.excellence", "1", "confirm", "true", "reason", "x", "embargo_at", "2026-12-10T10:00")
		for _, who := range []string{"mic-secretariat", "mhlw-judge-1", "mic-chair", "applicant"} {
			c := ts.as(who)
			for _, p := range pages {
				t.Run(who+" "+p.method+" "+p.path, func(t *testing.T) {
					var r *response
					if p.method == "GET" {
						r = c.get(p.path)
					} else {
						r = c.post(p.path, form)
					}
					if r.status != 403 && r.status != 404 {
						t.Fatalf("%d, want 403 or 404", r.status)
					}
					for _, e := range es {
						if strings.Contains(r.body, e.Snapshot.Name) {
							t.Errorf("the page names %s", e.Snapshot.Name)
						}
					}
					if strings.Contains(r.body, "輝くテレワーク") || strings.Contains(r.body, "優秀賞") {
						t.Error("the page names the programme or its awards")
					}
				})
			}
		}
		if st := ts.nominationState(t, es[0].ID); st != workflow.InReview {
			t.Errorf("a refused caller changed the entry to %s", st)
		}
	})
}
