package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/awardflow/awardflow/db/demo"
)

// adminJourney: the administrator lists users, filters them, opens a MIC
// judge, grants a chair role in MIC, revokes it through the confirmation
// page, invites a new judge and reads the link; reads the loaded cycle;
// then the invited person opens the link in another browser and sets a
// password. Every page gets check (axe, reflow, screenshot).
func adminJourney(t *testing.T, b *browser, opts ...browserOption) {
	b.need("/admin/users", "/admin/invitations", "/admin/cycles")
	b.signIn("admin", "/admin/users")
	if p := b.path(); p != "/admin/users" {
		b.fail("after sign-in at %s", p)
	}
	b.check("admin-users")

	b.do("choose 審査員", chromedp.SetValue(cssID(b.byLabel("役割")), "judge"))
	b.do("choose 総務省", chromedp.SetValue(cssID(b.byLabel("範囲（省庁）")), "mic"))
	b.expect(b.submitForm("role"), 200, "filter")
	if p := b.path(); !strings.Contains(p, "role=judge") || !strings.Contains(p, "domain=mic") {
		b.fail("the filter went to %s", p)
	}
	list := b.text("main")
	if !strings.Contains(list, "審査員(デモ・総務省)") || strings.Contains(list, "(デモ・厚労省)") {
		b.fail("filtered to MIC's judges: %s", list)
	}
	b.check("admin-users-filtered")

	b.expect(b.click(chromedp.Click(chromedp.Search(`//a[normalize-space(.)="審査員(デモ・総務省)"]`)), "open the judge"), 200, "the judge")
	b.check("admin-user")
	b.do("choose 委員長", chromedp.SetValue(cssID(b.byLabel("役割")), "chair"))
	b.do("choose 総務省", chromedp.SetValue(cssID(b.byLabel("範囲（省庁）")), "mic"))
	b.expect(b.press("付与する"), 200, "grant")
	if page := b.text("main"); !strings.Contains(page, "役割を付与しました") || !strings.Contains(page, "総務省の委員長を取り消す") {
		b.fail("after granting: %s", page)
	}
	b.check("admin-user-granted")

	b.expect(b.click(chromedp.Click(chromedp.Search(`//a[normalize-space(.)="総務省の委員長を取り消す"]`)), "revoke link"), 200, "confirmation")
	b.check("admin-revoke")
	b.expect(b.press("取り消す"), 200, "revoke")
	if page := b.text("main"); !strings.Contains(page, "役割を取り消しました") || !strings.Contains(page, "取り消し済み") {
		b.fail("after revoking: %s", page)
	}
	b.check("admin-user-revoked")

	b.expect(b.click(chromedp.Click(chromedp.Search(`//nav[@class="admin-menu"]//a[normalize-space(.)="招待"]`)), "menu"), 200, "invitations")
	b.check("admin-invite")
	b.fill("メールアドレス", "browser-judge@example.jp")
	b.fill("氏名", "ブラウザ 審査員")
	b.do("choose 審査員", chromedp.SetValue(cssID(b.byLabel("役割")), "judge"))
	b.do("choose 総務省", chromedp.SetValue(cssID(b.byLabel("範囲（省庁）")), "mic"))
	b.expect(b.press("招待リンクを作成する"), 201, "invite")
	link := b.value("招待リンク")
	if !strings.HasPrefix(link, b.ts.srv.URL+"/invite/afi_") {
		b.fail("the link is %q", link)
	}
	if page := b.text("main"); !strings.Contains(page, "メールはまだ送信されません") || !strings.Contains(page, "令和8年12月10日(木) 10:00まで") {
		b.fail("the result page: %s", page)
	}
	copyButton := `button[data-copy]`
	visible, err := b.evaluate(`getComputedStyle(document.querySelector("`+copyButton+`")).display !== "none"`, false)
	if err != nil {
		b.fail("copy button: %v", err)
	}
	if got, want := string(visible) == "true", !b.noJS; got != want {
		b.fail("the copy button shown = %v, want %v (scripts on = %v)", got, want, !b.noJS)
	}
	if !b.noJS {
		b.do("copy", chromedp.Click(chromedp.CSS(copyButton)), chromedp.WaitVisible(`#copy-status:not(:empty)`))
		if s := b.text("#copy-status"); !strings.Contains(s, "コピー") {
			b.fail("after copying: %q", s)
		}
	}
	b.check("admin-invited")

	b.expect(b.click(chromedp.Click(chromedp.Search(`//nav[@class="admin-menu"]//a[normalize-space(.)="年度の設定"]`)), "menu"), 200, "cycles")
	b.check("admin-cycles")
	b.expect(b.open("/admin/cycles/"+demo.Key), 200, "the cycle")
	if page := b.text("main"); !strings.Contains(page, "審査段階") || !strings.Contains(page, "設問") {
		b.fail("the cycle page: %s", page)
	}
	b.check("admin-cycle")

	// The invited person, in a browser of their own.
	invitee := newBrowser(t, b.ts, opts...)
	invitee.expect(invitee.open(strings.TrimPrefix(link, b.ts.srv.URL)), 200, "the invitation")
	invitee.check("invitation")
	invitee.fill("新しいパスワード", "ブラウザで招待された審査員の合言葉")
	invitee.fill("新しいパスワード（確認用）", "ブラウザで招待された審査員の合言葉")
	invitee.expect(invitee.press("パスワードを設定して受諾する"), 200, "accept")
	if p := invitee.path(); p != "/me" {
		invitee.fail("after accepting at %s", p)
	}
	if page := invitee.text("main"); !strings.Contains(page, "招待を受諾しました") || !strings.Contains(page, "総務省") {
		invitee.fail("the new judge's home: %s", page)
	}
	invitee.check("invitation-accepted")
}

func TestBrowserAdminJourney(t *testing.T) {
	ts := browserSite(t)
	adminJourney(t, newBrowser(t, ts))
}

func TestBrowserAdminJourneyNarrowWithoutJavaScript(t *testing.T) {
	ts := browserSite(t)
	opts := []browserOption{viewport(320, 800), withoutJS}
	adminJourney(t, newBrowser(t, ts, opts...), opts...)
}
