package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserResultsJourney: the MHLW secretariat previews and applies a
// decision on its review (the demo's scores are partial: the preview says
// so), releases the results with the undecided nomination confirmed,
// publishes the award list with an embargo of now, and the public award
// list shows it. axe runs on every page.
func TestBrowserResultsJourney(t *testing.T) {
	ts := browserSite(t)
	b := newBrowser(t, ts)
	b.signIn("mhlw-secretariat", decisionURL)
	b.check("decision")

	b.fill("「優秀賞」の件数", "１")
	b.fill("「特別奨励賞」の件数", "2")
	b.expect(b.press("プレビューする"), 200, "preview")
	b.check("decision-preview")
	if w := b.text("#preview-warnings"); !strings.Contains(w, "未提出の採点") || !strings.Contains(w, "目安の下限") {
		b.fail("the preview's warnings: %s", w)
	}
	if rows := b.text("#preview-table tbody"); !strings.Contains(rows, "授賞：優秀賞") || !strings.Contains(rows, "授賞：特別奨励賞") {
		b.fail("the preview's outcomes: %s", rows)
	}

	b.expect(b.press("この結果を適用する"), 422, "apply without the confirmation")
	b.check("decision-unconfirmed")
	b.do("confirm", chromedp.Click(cssID("f-confirm")))
	b.expect(b.press("この結果を適用する"), 200, "apply")
	b.check("decision-applied")
	if s := b.text("main"); !strings.Contains(s, "決定を適用しました") {
		b.fail("after apply: %s", s)
	}

	b.expect(b.open(releaseURL), 200, "release page")
	b.check("release")
	b.do("confirm undecided", chromedp.Click(cssID("f-confirm")))
	b.fill("未決定のまま発表する理由", "修正待ちの1件は次年度に案内する")
	b.expect(b.press("結果を発表する"), 200, "release")
	b.check("released")

	b.expect(b.open(pubsURL), 200, "publications page")
	b.check("publications")
	// A datetime-local control is set as its picker sets it.
	if _, err := b.evaluate(`document.getElementById("f-embargo-at").value = "2026-12-03T10:00"`, false); err != nil {
		b.fail("embargo: %v", err)
	}
	b.expect(b.press("v1として公表する"), 200, "publish")
	b.check("published")
	if s := b.text("#version-1"); !strings.Contains(s, "公開中") || !strings.Contains(s, "令和8年12月3日(木) 10:00") {
		b.fail("version 1: %s", s)
	}

	b.expect(b.open("/awards/demo-telework?programme=mhlw-kagayaku"), 200, "public award list")
	b.check("public-awards")
	if s := b.text("main"); !strings.Contains(s, "優秀賞") || !strings.Contains(s, "特別奨励賞") {
		b.fail("the public list: %s", s)
	}
}
