package web

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// ctx is one request: who asks, in which language, and how to answer.
type ctx struct {
	s       *Site
	w       http.ResponseWriter
	r       *http.Request
	lang    string
	user    *workflow.User // nil when signed out
	actor   workflow.Actor
	token   string
	expires time.Time // when the session ends, as the sign-in cookie says
	expired bool      // a session cookie came but its session had ended
}

// Cookie names; under HTTPS the session cookies take the __Host- prefix.
const (
	langCookie   = "lang"
	flashCookie  = "flash"
	expiryCookie = "awardflow_until"
)

func (s *Site) cookieName() string {
	if s.cfg.Secure {
		return "__Host-awardflow"
	}
	return "awardflow"
}

// newCtx picks the language: ?lang= (remembered in a cookie), then the
// cookie, then Accept-Language; Japanese by default.
func (s *Site) newCtx(w http.ResponseWriter, r *http.Request) *ctx {
	c := &ctx{s: s, w: w, r: r, lang: "ja"}
	if q := r.URL.Query().Get("lang"); q == "ja" || q == "en" {
		c.lang = q
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
		return c
	}
	if ck, err := r.Cookie(langCookie); err == nil && (ck.Value == "ja" || ck.Value == "en") {
		c.lang = ck.Value
		return c
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if strings.HasPrefix(tag, "ja") {
			break
		}
		if strings.HasPrefix(tag, "en") {
			c.lang = "en"
			break
		}
	}
	return c
}

// T translates a catalogue key in the request's language.
func (c *ctx) T(key string, args ...any) string { return c.s.cat.text(c.lang, key, args...) }

// clientAddress is the caller's address for the sign-in throttle.
func (c *ctx) clientAddress() string {
	host, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		return c.r.RemoteAddr
	}
	return host
}

// render writes a page: view is the template's name, title the catalogue
// key of its <title> and <h1> (args format it), data the view's own model.
func (c *ctx) render(status int, view string, title string, data any) error {
	p := c.page(c.T(title), data)
	return c.renderPage(status, view, p)
}

func (c *ctx) renderPage(status int, view string, p *Page) error {
	var buf bytes.Buffer
	if err := c.s.views.render(&buf, view, p); err != nil {
		return fmt.Errorf("web: render %s: %w", view, err)
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if c.user != nil || c.private() {
		h.Set("Cache-Control", "no-store")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("Content-Language", c.lang)
	h.Add("Vary", "Cookie, Accept-Language")
	c.w.WriteHeader(status)
	_, err := c.w.Write(buf.Bytes())
	return err
}

// private reports whether the page may hold personal data even for a
// signed-out caller (forms being filled in).
func (c *ctx) private() bool { return c.r.Method == http.MethodPost }

// redirect answers 303 See Other.
func (c *ctx) redirect(to string) error {
	http.Redirect(c.w, c.r, to, http.StatusSeeOther)
	return nil
}

// flash redirects with a one-time notice (a catalogue key) for the next page.
func (c *ctx) flash(key, to string) error {
	http.SetCookie(c.w, &http.Cookie{Name: flashCookie, Value: key, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: c.s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	return c.redirect(to)
}

// takeFlash reads and clears the one-time notice.
func (c *ctx) takeFlash() string {
	ck, err := c.r.Cookie(flashCookie)
	if err != nil || !c.s.cat.has(ck.Value) || !strings.HasPrefix(ck.Value, "flash.") {
		return ""
	}
	http.SetCookie(c.w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: c.s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	return c.T(ck.Value)
}

// status renders an error page with the status and a catalogue message.
func (c *ctx) status(code int, key string) {
	p := c.page(c.T(key+".title"), errorView{Message: c.T(key + ".body")})
	if err := c.renderPage(code, "error", p); err != nil {
		c.s.cfg.Logger.Error("web: error page", "error", err.Error())
	}
}

type errorView struct {
	Message  string
	Problems []string
}

// fail turns a handler's error into the page for its code.
func (c *ctx) fail(err error) {
	code := workflow.ErrorCode(err)
	switch code {
	case workflow.Unauthenticated:
		if c.user == nil {
			to := "/login?next=" + url.QueryEscape(c.r.URL.RequestURI())
			if c.expired {
				to += "&expired=1"
			}
			c.redirect(to) //nolint:errcheck // a redirect's write error is the client's
			return
		}
	case workflow.Throttled:
		c.retryAfter(err)
	case workflow.Internal:
		c.s.cfg.Logger.Error("web: request failed", "method", c.r.Method, "path", c.r.URL.Path, "error", err.Error())
		c.status(http.StatusInternalServerError, "error.internal")
		return
	}
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusInternalServerError
	}
	v := errorView{Message: c.T("error." + string(code) + ".body")}
	var e *workflow.Error
	if errors.As(err, &e) {
		if m := e.MessageIn(c.lang); m != "" {
			v.Message = m
		}
		for _, p := range e.Problems {
			v.Problems = append(v.Problems, p.Message.In(c.lang))
		}
	}
	p := c.page(c.T("error."+string(code)+".title"), v)
	if err := c.renderPage(st, "error", p); err != nil {
		c.s.cfg.Logger.Error("web: error page", "error", err.Error())
	}
}

// retryAfter sets Retry-After for a throttled answer.
func (c *ctx) retryAfter(err error) {
	var e *workflow.Error
	if errors.As(err, &e) && e.Code == workflow.Throttled && e.RetryAfter > 0 {
		c.w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.5)))
	}
}

// safeNext is where to go after signing in: a path on this site only.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}
