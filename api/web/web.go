// Package web serves awardflow's browser UI: server-rendered HTML pages over
// the same workflow services as the JSON API, Japanese first, working
// without JavaScript. Pages are registered in one table, each behind an
// authorization rule from policy (the API's source); the session token is
// carried in an HttpOnly cookie and resolved exactly as a bearer token is.
// Cross-site form posts are refused by the standard library's
// CrossOriginProtection before any handler runs.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// Config is what the web UI needs.
type Config struct {
	Service    *workflow.Service
	Authorizer *policy.Authorizer
	Logger     *slog.Logger
	// Secure is set when the site is served over HTTPS (directly or behind a
	// proxy): the session cookie is then named __Host-awardflow and marked
	// Secure. On plain http (make run) it is named awardflow.
	Secure bool
	// Now is the clock for what pages show (the session expiry warning);
	// time.Now when nil.
	Now func() time.Time
}

// Site is the web UI's handler.
type Site struct {
	cfg    Config
	mux    *http.ServeMux
	routes []Route
	views  *views
	static *assets
	cat    catalogues
	nav    []navItem
}

// Route is one page route and its authorization rule, for tests and docs.
type Route struct {
	Method, Pattern string
	Rule            Rule
}

// Rule is a page's authorization: public, any signed-in user, or a
// permission from policy (the same one the API's route asks for).
type Rule = policy.RouteRule

var (
	public   = policy.PublicRoute
	signedIn = policy.SignedInRoute
	allow    = policy.Allow
)

// New parses every template and catalogue (a broken one fails here, at
// start) and returns the site; Handler serves it.
func New(cfg Config) (*Site, error) { return newSite(cfg) }

// RouteOf is the route template a request matches ("/nominations/{id}"),
// "" for none: the label of the site's metrics.
func (s *Site) RouteOf(r *http.Request) string {
	_, p := s.mux.Handler(r)
	if _, path, ok := strings.Cut(p, " "); ok {
		return path
	}
	return p
}

func newSite(cfg Config) (*Site, error) {
	if cfg.Service == nil || cfg.Authorizer == nil {
		return nil, errors.New("web: Service and Authorizer are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Site{cfg: cfg, mux: http.NewServeMux()}
	var err error
	if s.cat, err = loadCatalogues(); err != nil {
		return nil, err
	}
	if s.static, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.views, err = parseViews(); err != nil {
		return nil, err
	}
	s.register()
	return s, nil
}

// Handler is the site with its outer layers: cross-origin protection
// (a browser's cross-site POST is refused with 403 before routing), then
// URL checks and security headers.
func (s *Site) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.newCtx(w, r)
		c.status(http.StatusForbidden, "error.cross_site")
	}))
	return cop.Handler(http.HandlerFunc(s.serve))
}

// Routes lists every page route with its rule.
func (s *Site) Routes() []Route { return slices.Clone(s.routes) }

// handler is a page: it writes the response, or returns an error that the
// site turns into the right page (sign-in redirect, 403, 404, 409, 500).
type handler func(c *ctx) error

// route registers a page behind its rule. Every page goes through here; a
// test checks that none bypasses it.
func (s *Site) route(method, pattern string, r Rule, h handler) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Rule: r})
	s.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, req *http.Request) {
		c := s.newCtx(w, req)
		if err := s.authenticate(c); err != nil {
			c.fail(err)
			return
		}
		if err := s.authorize(c, r); err != nil {
			c.fail(err)
			return
		}
		if err := h(c); err != nil {
			c.fail(err)
		}
	})
}

// serve checks the URL, sets the security headers and routes. Paths the
// table does not know get the 404 page.
func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.cfg.Secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if !goodURL(r.URL) {
		c := s.newCtx(w, r)
		c.status(http.StatusBadRequest, "error.bad_url")
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		c := s.newCtx(w, r)
		if err := s.authenticate(c); err != nil {
			c.fail(err)
			return
		}
		if s.knownPath(r) {
			c.w.Header().Set("Allow", "GET, HEAD, POST")
			c.status(http.StatusMethodNotAllowed, "error.method")
			return
		}
		c.status(http.StatusNotFound, "error.not_found")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// knownPath reports whether some page answers r's path with GET or POST.
func (s *Site) knownPath(r *http.Request) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		q := r.Clone(r.Context())
		q.Method = m
		if _, p := s.mux.Handler(q); p != "" {
			return true
		}
	}
	return false
}

// csp allows nothing but our own scripts, styles, images and forms: no
// inline script or style anywhere.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// goodURL refuses control characters, invalid UTF-8 and malformed escapes
// in the path and query, as the API does.
func goodURL(u *url.URL) bool {
	for _, raw := range []string{u.EscapedPath(), u.RawQuery} {
		dec, err := url.PathUnescape(strings.ReplaceAll(raw, "+", " "))
		if err != nil || !utf8.ValidString(dec) {
			return false
		}
		for _, r := range dec {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				return false
			}
		}
	}
	return true
}

// authenticate resolves the session cookie, if any, into the user and
// actor. A cookie that no longer names a live session is cleared and the
// request goes on signed out.
func (s *Site) authenticate(c *ctx) error {
	ck, err := c.r.Cookie(s.cookieName())
	if err != nil || ck.Value == "" {
		return nil
	}
	u, a, err := s.cfg.Authorizer.Actor(c.r.Context(), s.cfg.Service, ck.Value)
	switch workflow.ErrorCode(err) {
	case "":
		c.user, c.actor, c.token = &u, a, ck.Value
		if ex, err := c.r.Cookie(expiryCookie); err == nil {
			var unix int64
			if _, err := fmt.Sscan(ex.Value, &unix); err == nil {
				c.expires = time.Unix(unix, 0)
			}
		}
		return nil
	case workflow.Unauthenticated:
		s.clearSession(c.w)
		c.expired = true
		return nil
	}
	return err
}

// authorize enforces a page's rule: signed-out callers of a private page
// are sent to sign in (and back afterwards); callers whose roles lack the
// permission get the 403 page.
func (s *Site) authorize(c *ctx, r Rule) error {
	if r.Public {
		return nil
	}
	if c.user == nil {
		return errSignIn
	}
	if !s.cfg.Authorizer.Admits(c.user.ID, r) {
		return workflow.Refuse(workflow.Forbidden, "このページを開く権限がありません", "your roles do not allow this page")
	}
	return nil
}

// errSignIn sends the caller to the sign-in page.
var errSignIn = workflow.Refuse(workflow.Unauthenticated, "ログインしてください", "please sign in")

// statusOf maps the workflow's error codes to HTTP statuses, as the API does.
var statusOf = map[workflow.Code]int{
	workflow.Invalid:           http.StatusUnprocessableEntity,
	workflow.NotFound:          http.StatusNotFound,
	workflow.Conflict:          http.StatusConflict,
	workflow.Forbidden:         http.StatusForbidden,
	workflow.Unauthenticated:   http.StatusUnauthorized,
	workflow.IllegalTransition: http.StatusConflict,
	workflow.Internal:          http.StatusInternalServerError,
	workflow.Throttled:         http.StatusTooManyRequests,
}
