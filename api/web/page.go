package web

import (
	"net/url"
	"strings"
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// Page is what every template gets: the layout's parts and the view's own
// model in Data. The translator and date formats are methods, bound to the
// request's language through the Page value itself, never through
// per-request template functions (which would race between requests).
type Page struct {
	Lang    string
	Title   string
	User    *workflow.User
	Nav     []NavLink
	Other   NavLink // the same page in the other language
	Flash   string  // a one-time notice from the previous step
	Expires int64   // Unix time the session ends (0 signed out)
	// ExpiresSoon is set when under 15 minutes are left: the layout warns
	// even without JavaScript.
	ExpiresSoon bool
	Expired     bool // the session had ended when this page was asked for
	Data        any

	s   *Site
	now time.Time
}

// NavLink is one entry of the navigation.
type NavLink struct {
	Label, Href string
	Current     bool
}

// navItem is a navigation entry, shown to whoever its page's rule admits.
type navItem struct {
	key, href string
	rule      Rule
}

// nav adds a navigation entry for a page registered with the same rule.
func (s *Site) navigation(key, href string, r Rule) {
	s.nav = append(s.nav, navItem{key: key, href: href, rule: r})
}

// userID is the signed-in user's id, 0 when signed out.
func (c *ctx) userID() int64 {
	if c.user == nil {
		return 0
	}
	return c.user.ID
}

func (c *ctx) page(title string, data any) *Page {
	now := c.s.cfg.Now()
	p := &Page{Lang: c.lang, Title: title, User: c.user, Data: data, Expired: c.expired, s: c.s, now: now}
	for _, n := range c.s.nav {
		if c.s.cfg.Authorizer.Admits(c.userID(), n.rule) {
			p.Nav = append(p.Nav, NavLink{Label: c.T(n.key), Href: n.href,
				Current: c.r.URL.Path == n.href || (n.href != "/" && strings.HasPrefix(c.r.URL.Path, n.href+"/"))})
		}
	}
	other := map[string]string{"ja": "en", "en": "ja"}[c.lang]
	q := c.r.URL.Query()
	q.Set("lang", other)
	p.Other = NavLink{Label: map[string]string{"ja": "日本語", "en": "English"}[other], Href: c.r.URL.Path + "?" + q.Encode()}
	if c.r.Method != "GET" && c.r.Method != "HEAD" {
		p.Other.Href = c.r.URL.Path + "?" + url.Values{"lang": {other}}.Encode()
	}
	if c.user != nil {
		p.Flash = c.takeFlash()
		if !c.expires.IsZero() {
			p.Expires = c.expires.Unix()
			p.ExpiresSoon = c.expires.Sub(now) < 15*time.Minute
		}
	}
	return p
}

// T translates a catalogue key into the page's language.
func (p *Page) T(key string, args ...any) string { return p.s.cat.text(p.Lang, key, args...) }

// Text picks the page's language of a domain text.
func (p *Page) Text(t workflow.Text) string { return t.In(p.Lang) }

// Date is a day in Japan: 令和8年7月31日(金), or 31 July 2026 (Fri).
func (p *Page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if p.Lang == "ja" {
		return workflow.Wareki(t)
	}
	return t.In(workflow.Tokyo).Format("2 January 2006 (Mon)")
}

// DateTime is an instant in Japan time: 令和8年6月15日(月) 10:00, or
// 15 June 2026 (Mon) 10:00 JST.
func (p *Page) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if p.Lang == "ja" {
		return workflow.WarekiTime(t)
	}
	return t.In(workflow.Tokyo).Format("2 January 2006 (Mon) 15:04") + " JST"
}

// Deadline is a closing instant as people read deadlines: the last day
// and its time in Japan, 令和8年7月31日(金) 24:00まで（日本時間） for the end of
// the day or 令和8年7月15日(水) 17:00まで（日本時間）, as the English says
// "end of day JST" or "17:00 JST".
func (p *Page) Deadline(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if p.Lang == "ja" {
		s := workflow.WarekiDeadline(t)
		if workflow.EndOfDay(t) {
			s = strings.TrimSuffix(s, "まで") + " 24:00まで"
		}
		return s + "（日本時間）"
	}
	return workflow.DeadlineEn(t)
}

// ISO is a machine-readable instant for <time datetime>.
func (p *Page) ISO(t time.Time) string { return t.In(workflow.Tokyo).Format(time.RFC3339) }

// Now is the page's clock reading.
func (p *Page) Now() time.Time { return p.now }

// Asset is the content-hashed URL of a static file.
func (p *Page) Asset(name string) string { return p.s.static.url(name) }
