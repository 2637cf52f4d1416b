package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestBrowserStaffBulkScreening: MIC's secretariat opens its dashboard,
// filters the list to twenty submitted nominations of one prefecture,
// selects them all on the page, confirms, screens them in one step, and
// sees them in screening; then opens one and sees its timeline. axe on
// every page.
func TestBrowserStaffBulkScreening(t *testing.T) {
	ts := browserSite(t)
	b := newBrowser(t, ts)
	ns := ts.submittedMIC(t, "ブラウザ", same(20, staffOrg{"44", "G", 40})...)
	b.signIn("mic-secretariat", "/staff")
	b.check("staff-dashboard")
	if got := b.text("h1"); got != "事務局" {
		b.fail("dashboard h1 %q", got)
	}
	b.expect(b.open("/staff/nominations"), 200, "list")
	b.choose("都道府県", "44")
	b.choose("状態", "submitted")
	b.expect(b.press("絞り込む"), 200, "filter")
	if got := b.text("#result-count"); !strings.Contains(got, "20件") {
		b.fail("count %q", got)
	}
	b.check("staff-list-filtered")
	if _, err := b.evaluate(`document.querySelectorAll("input[name=sel]").forEach(c => c.click())`, false); err != nil {
		b.fail("tick every row: %v", err)
	}
	if got := b.text("#bulk-selected"); got != "20件を選択中" {
		b.fail("selected %q", got)
	}
	b.choose("操作", "start_screening")
	b.expect(b.press("確認画面へ進む"), 200, "confirmation")
	if got := b.text("#bulk-what"); !strings.Contains(got, "20件") {
		b.fail("confirmation says %q", got)
	}
	b.check("staff-bulk-confirm")
	b.expect(b.press("20件を「要件確認の開始」にする"), 200, "apply")
	if p := b.path(); p != "/staff/nominations?"+(url.Values{"state": {"screening"}}).Encode() {
		b.fail("after apply at %s", p)
	}
	b.check("staff-bulk-done")
	for _, n := range ns {
		if got := ts.state(t, n.ID).State; got != "screening" {
			b.fail("nomination %d is %s", n.ID, got)
		}
	}
	b.expect(b.open(staffPath(ns[0].ID, "")), 200, "detail")
	if got := b.text("#state"); got != "審査要件の確認中" {
		b.fail("detail state %q", got)
	}
	b.check("staff-detail")
}

// choose picks the option of value in the select labelled label, as a
// person choosing it would (a change event follows).
func (b *browser) choose(label, value string) {
	b.t.Helper()
	id, _ := json.Marshal(b.byLabel(label))
	v, _ := json.Marshal(value)
	js := `(() => { const s = document.getElementById(` + string(id) + `); s.value = ` + string(v) +
		`; s.dispatchEvent(new Event("change", {bubbles: true})); return s.value; })()`
	if got, err := b.evaluate(js, false); err != nil || string(got) != string(v) {
		b.fail("choose %s in %s: %s %v", value, label, got, err)
	}
}

// TestBrowserStaffListWidth: at 1280 px the list's table takes the page's
// width, and a receipt number or a prefecture stays on one line.
func TestBrowserStaffListWidth(t *testing.T) {
	ts := browserSite(t)
	b := newBrowser(t, ts, viewport(1280, 900))
	b.signIn("mhlw-secretariat", "/staff/nominations")
	b.check("staff-list-1280")
	out, err := b.evaluate(`JSON.stringify({table: document.querySelector("table.staff-list").getBoundingClientRect().width,
		main: document.querySelector("main h1").getBoundingClientRect().width,
		wrapped: [...document.querySelectorAll("table.staff-list td.receipt, table.staff-list td.pref")]
			.filter(td => { const r = document.createRange(); r.selectNodeContents(td);
				return td.textContent.trim() && r.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(td).fontSize) }).length})`, false)
	if err != nil {
		b.fail("measure: %v", err)
	}
	var m struct {
		Table, Main float64
		Wrapped     int
	}
	var s string
	if err := json.Unmarshal(out, &s); err != nil || json.Unmarshal([]byte(s), &m) != nil {
		b.fail("measure: %s", out)
	}
	if m.Table < 0.95*m.Main || m.Wrapped > 0 {
		b.fail("the table is %.0f px of the page's %.0f; %d receipt or prefecture cells wrap", m.Table, m.Main, m.Wrapped)
	}
}
