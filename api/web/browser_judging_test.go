package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// timezone makes the browser's local time zone tz.
func timezone(tz string) browserOption {
	return func(b *browser) error {
		_, err := chromedp.Call(b.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: tz})
		return err
	}
}

// waitText waits (within a step's bound) until the element sel's text
// holds want, and returns the text.
func (b *browser) waitText(sel, want string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	q, _ := json.Marshal(sel)
	w, _ := json.Marshal(want)
	js := `new Promise(done => { const look = () => { const e = document.querySelector(` + string(q) + `);
		if (e && e.textContent.includes(` + string(w) + `)) done(e.textContent.trim()); else setTimeout(look, 100); }; look(); })`
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("%s never says %q (now %q): %v", sel, want, b.text(sel), err)
	}
	return s
}

// judgeJourney: mic-judge-1 opens its stage from /judging, follows "next
// unscored" to an entry of the Minister's Award review, scores it with
// full-width digits, sees the draft saved (autosave with JavaScript, 保存
// without), reloads and finds the draft, submits through the confirmation,
// and never sees the other judges' scores (the stage shows them never).
func judgeJourney(t *testing.T, b *browser, prefix string) {
	b.need("/judging")
	b.signIn("mic-judge-1", "/judging")
	if p := b.path(); p != "/judging" {
		b.fail("after sign-in at %s, want /judging", p)
	}
	b.check(prefix + "home")
	list := judgingPath(ministerStage, "")
	b.expect(b.click(chromedp.Click(chromedp.CSS(`h2 a[href="`+list+`"]`)), "open the stage"), 200, "my entries")
	b.check(prefix + "entries")
	b.expect(b.click(chromedp.Click(chromedp.CSS("#next-unscored")), "next unscored"), 200, "the entry")
	entry := b.path()
	if !strings.HasPrefix(entry, list+"/entries/") {
		b.fail("next unscored went to %s", entry)
	}
	b.check(prefix + "entry")
	b.noOthers()

	b.fill("先進性・模範性", "８")
	b.fill("社会的波及効果", "６")
	if v := b.value("先進性・模範性"); v != "８" {
		b.fail("the box holds %q, not the full-width digit typed", v)
	}
	b.fill("講評", "全社的な取組として模範になる。")
	if b.noJS {
		b.expect(b.press("保存"), 200, "save without JavaScript")
		if p := b.path(); p != entry {
			b.fail("after saving at %s, want %s", p, entry)
		}
		if f := b.text(".notice.success"); !strings.Contains(f, "保存しました") {
			b.fail("no saved notice: %q", f)
		}
	} else {
		if total := b.waitText("#score-total", "22"); total != "22" {
			b.fail("the live total is %q, want 22 (2×８ + 1×６)", total)
		}
		// The demo's clock says 10:00 in Japan (20:00 the evening before in
		// the browser's New York): the status says Japan's time.
		saved := b.waitText("#autosave-status", "保存しました")
		if !strings.Contains(saved, "日本時間 10:") {
			b.fail("the autosave status does not give Japan's time: %q", saved)
		}
		b.check(prefix + "entry-autosaved")
	}

	b.expect(b.open(entry), 200, "reload")
	if v := b.value("先進性・模範性"); v != "8" {
		b.fail("after reloading 先進性・模範性 shows %q, want the draft's 8", v)
	}
	if v := b.value("講評"); v != "全社的な取組として模範になる。" {
		b.fail("after reloading the comment is %q", v)
	}
	if s := b.text("#score-status"); s != "下書き" {
		b.fail("the status is %q, want 下書き", s)
	}
	if s := b.text("#score-total"); s != "22" {
		b.fail("the server's total is %q, want 22", s)
	}
	b.noOthers()
	b.check(prefix + "entry-draft")

	b.expect(b.press("提出"), 200, "submit")
	if t := b.text("#confirm-total"); !strings.HasPrefix(t, "22") {
		b.fail("the confirmation's total is %q", t)
	}
	b.check(prefix + "confirm")
	b.expect(b.press("この内容で提出する"), 200, "confirm")
	if p := b.path(); p != entry {
		b.fail("after submitting at %s, want %s", p, entry)
	}
	if s := b.text("#score-status"); s != "提出済み" {
		b.fail("after submitting the status is %q", s)
	}
	b.noOthers()
	b.check(prefix + "submitted")
}

// noOthers asserts the page shows no other judge's score.
func (b *browser) noOthers() {
	b.t.Helper()
	if main := b.text("main"); strings.Contains(main, "模範的な取組") || strings.Contains(main, "審査員2") {
		b.fail("another judge's score is on the page: %s", main)
	}
	raw, err := b.evaluate(`document.getElementById("other-scores") === null`, false)
	if err != nil || string(raw) != "true" {
		b.fail("the table of other judges' scores is on the page (%v)", err)
	}
}

func TestBrowserJudgeJourney(t *testing.T) {
	judgeJourney(t, newBrowser(t, browserSite(t), timezone("America/New_York")), "judge-")
}

func TestBrowserJudgeJourneyWithoutJavaScript(t *testing.T) {
	b := newBrowser(t, browserSite(t), withoutJS)
	judgeJourney(t, b, "nojs-")
}

// A tablet held upright: the application and the rubric stack, nothing
// scrolls sideways.
func TestBrowserJudgeJourneyTablet(t *testing.T) {
	judgeJourney(t, newBrowser(t, browserSite(t), viewport(820, 1180)), "tablet-")
}

// The other judging pages a judge and a chair reach: axe clean, no
// sideways scrolling; a refused declaration shows its error.
func TestBrowserJudgingPages(t *testing.T) {
	ts := browserSite(t)
	es := judgeEntries(t, ts, "mic-judge-1", ministerStage)
	b := newBrowser(t, ts)
	b.need("/judging", "/me/conflicts")
	b.signIn("mic-chair", "/judging")
	b.check("chair-home")
	if !strings.Contains(b.text("main"), "順位") {
		t.Errorf("the chair's home has no link to the ranking")
	}
	b.expect(b.open(judgingPath(ministerStage, "")), 200, "chair's entries")
	b.check("chair-entries")
	b.expect(b.open(entryPath(ministerStage, es[0].Nomination.ID, "")), 200, "chair's view of an entry")
	if _, err := chromedp.Run(b.ctx, chromedp.WaitVisible(chromedp.CSS("#other-scores"))); err != nil {
		t.Errorf("the chair does not see the panel's scores: %v", err)
	}
	b.check("chair-entry")
	b.expect(b.open("/me/conflicts"), 200, "ties")
	b.fill("法人番号", "１２３")
	b.expect(b.press("所属を申告する"), 422, "a wrong corporate number")
	b.errorShown(b.byLabel("法人番号"))
	b.check("ties-refused")
}
