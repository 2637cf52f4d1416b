package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// clickLink clicks the first link in the page's main part whose text is text.
func clickLink(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.Search(`(//main//a[normalize-space(.)=` + xpathString(text) + `])[1]`))
}

// TestBrowserStageJourney: MHLW's secretariat opens its programme and the
// review stage, proposes an assignment for the entry the demo left
// unassigned, reads the change set, applies it, and reads the panel,
// conflicts, progress and ranking. axe on every page.
func TestBrowserStageJourney(t *testing.T) {
	ts := browserSite(t)
	b := newBrowser(t, ts)
	b.signIn("mhlw-secretariat", mhlwProgramme)
	if got := b.path(); got != mhlwProgramme {
		b.fail("after signing in at %s, want %s", got, mhlwProgramme)
	}
	b.check("programme")
	b.expect(b.click(clickLink("審査会"), "open the review stage"), 200, "stage overview")
	b.check("stage")
	if s := b.text("main"); !strings.Contains(s, "審査員が足りない応募：1件") {
		b.fail("the overview does not say one entry is short: %s", s)
	}
	b.expect(b.click(clickLink("割当て"), "open the assignments"), 200, "assignments")
	b.check("assignments")
	b.expect(b.press("割当て案を作成する"), 200, "propose")
	if !strings.Contains(b.path(), "/proposals/") {
		b.fail("proposing led to %s", b.path())
	}
	b.check("proposal")
	if s := b.text("#coverage"); !strings.Contains(s, "越後米菓 0人／3人 3人／3人") {
		b.fail("the change set does not give MHLW's last entry its judges: %s", s)
	}
	if s := b.text("#loads"); !strings.Contains(s, "+1") {
		b.fail("no judge's load grows: %s", s)
	}
	b.expect(b.press("この割当て案を適用する（3件）"), 200, "apply")
	if s := b.text("main"); !strings.Contains(s, "割当て案を適用しました") || strings.Contains(s, "人数不足") {
		b.fail("after applying: %s", s)
	}
	b.check("applied")
	for _, p := range []struct{ link, name, shows string }{
		{"進捗", "progress", "審査会全体"},
		{"審査会", "panel", "構成員を追加する"},
		{"利益相反", "conflicts", "根拠の説明"},
		{"順位", "ranking", "ばらつき（標準偏差）"},
	} {
		b.expect(b.click(clickLink(p.link), "open "+p.name), 200, p.name)
		if s := b.text("main"); !strings.Contains(s, p.shows) {
			b.fail("%s lacks %q", p.name, p.shows)
		}
		b.check(p.name)
	}
	b.expect(b.click(clickLink("補正後の平均も表示する"), "normalised ranking"), 200, "normalised")
	b.check("ranking-normalised")
}

// TestBrowserStagePagesNarrow: the stage pages reflow at 320 CSS px.
func TestBrowserStagePagesNarrow(t *testing.T) {
	ts := browserSite(t)
	b := newBrowser(t, ts, viewport(320, 800))
	b.signIn("mhlw-secretariat", mhlwProgramme)
	for _, p := range []string{"", "/stages/review", "/stages/review/assignments", "/stages/review/progress", "/stages/review/ranking?normalised=1"} {
		b.expect(b.open(mhlwProgramme+p), 200, p)
		b.check(fmt.Sprintf("narrow%s", strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(p)))
	}
}
